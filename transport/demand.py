"""Turn eligible pupils into transport requests for the morning and afternoon runs.

Pupils with SEND or mobility needs (and those whose walking route is unsafe) are collected
from their door; mainstream pupils eligible on distance walk to a pick-up point (see
`transport.stops`). A stop's pupils of one school become one request, split into groups of
at most `stop_group_max_pupils` so groups can share vehicles. Requests are partitioned as
councils contract them: door to door and pick-up point apart, by cluster of nearby schools.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from transport.fleet import FleetPrices, fleet
from transport.journeys import RUNS, to_school
from transport.optimise.problem import Request, RoutingProblem
from transport.outcomes import NOT_ROUTED, NOT_ROUTED_REASON
from transport.policy import Policy
from transport.schemas import DECISION, LOCATIONS, TRANSPORTED
from transport.schemas import NOT_ROUTED as NOT_ROUTED_TABLE
from transport.units import minutes_to_s

#: Schools closer than this share a routing partition (a town's schools are routed together).
CLUSTER_KM = 4.0
#: A partition larger than this is split by school, to keep each search fast.
MAX_PARTITION_REQUESTS = 160


@dataclass(frozen=True, slots=True)
class Demand:
    """Everything the optimiser needs besides the matrices, for both runs."""

    locations: pd.DataFrame  # schemas.LOCATIONS
    pupils: pd.DataFrame  # schemas.TRANSPORTED: eligible pupils needing a vehicle
    requests: dict[str, tuple[Request, ...]]  # by run
    incompatible: tuple[tuple[str, str], ...]

    def mode_of(self) -> dict[str, str]:
        """pupil id -> 'door' or 'stop'."""
        return dict(zip(self.pupils["pupil_id"], self.pupils["mode"], strict=True))


class _Locations:
    """Numbered places a vehicle stops at, in the order they are added."""

    def __init__(self) -> None:
        self.rows: list[dict] = []

    def add(self, kind: str, ref: str, lat: float, lon: float) -> int:
        self.rows.append({"location": len(self.rows), "kind": kind, "ref": ref, "lat": float(lat), "lon": float(lon)})
        return len(self.rows) - 1


def build_demand(pupils: pd.DataFrame, eligibility: pd.DataFrame, schools: pd.DataFrame, vehicles: pd.DataFrame,
                 policy: Policy, stops: pd.DataFrame) -> Demand:
    """Locations and AM/PM requests for every eligible pupil who needs a vehicle."""
    eligible = pupils.merge(eligibility[list(DECISION)], on="pupil_id")
    eligible = eligible[eligible["eligible"]].reset_index(drop=True)
    door = _door_to_door(eligible, stops)
    places = _Locations()
    depot_loc: dict[tuple[float, float], int] = {}
    for row in vehicles.itertuples(index=False):
        key = (row.depot_lat, row.depot_lon)
        if key not in depot_loc and np.isfinite(row.depot_lat):
            depot_loc[key] = places.add("depot", str(row.depot or "depot"), row.depot_lat, row.depot_lon)
    attended = set(eligible["school_urn"].astype(str))  # only these are driven to (others may lie beyond the network)
    school_loc = {str(s.urn): places.add("school", str(s.urn), s.lat, s.lon) for s in schools.itertuples(index=False)
                  if str(s.urn) in attended}
    stop_loc = {s.stop_id: places.add("stop", s.stop_id, s.stop_lat, s.stop_lon)
                for s in stops.drop_duplicates("stop_id").itertuples(index=False)}
    pupil_rows = []
    stop_of = stops.set_index("pupil_id")
    for p, is_door in zip(eligible.itertuples(index=False), door, strict=True):
        if is_door:
            pupil_rows.append({"pupil_id": p.pupil_id, "mode": "door", "location": places.add("home", p.pupil_id, p.lat, p.lon),
                               "stop_id": "", "walk_to_stop_m": 0.0})
        else:
            st = stop_of.loc[p.pupil_id]
            pupil_rows.append({"pupil_id": p.pupil_id, "mode": "stop", "location": stop_loc[st["stop_id"]],
                               "stop_id": st["stop_id"], "walk_to_stop_m": st["walk_to_stop_m"]})
    if vehicles["depot_lat"].isna().any():
        places.add("anywhere", "no depot: starts at first pick-up", np.nan, np.nan)
    routed = TRANSPORTED.frame(pupil_rows)
    merged = eligible.merge(routed, on="pupil_id")
    by_urn = schools.set_index(schools["urn"].astype(str))
    clusters = school_clusters(schools)
    where = places.rows
    requests = {run: _partitioned(_requests(run, merged, by_urn, school_loc, policy), clusters, policy, where)
                for run in RUNS}
    return Demand(LOCATIONS.frame(places.rows), routed, requests, _incompatible(merged))


def _door_to_door(eligible: pd.DataFrame, stops: pd.DataFrame) -> pd.Series:
    """Collected from home: assessed unable to walk or with needs that call for it (eligibility's door_to_door),
    an unsafe walking route, or no pick-up point in reach. An EHC plan alone does not."""
    door = eligible["door_to_door"] | (eligible["reason_code"] == "UNSAFE_ROUTE")
    return door | ~eligible["pupil_id"].isin(stops["pupil_id"])


def pickup_point_candidates(pupils: pd.DataFrame, eligibility: pd.DataFrame) -> pd.DataFrame:
    """Eligible pupils who may walk to a pick-up point (not door to door, route not unsafe)."""
    merged = pupils.merge(eligibility[list(DECISION)], on="pupil_id")
    return merged[merged["eligible"] & ~merged["door_to_door"] & (merged["reason_code"] != "UNSAFE_ROUTE")]


def _incompatible(merged: pd.DataFrame) -> tuple[tuple[str, str], ...]:
    """Door-to-door pupils who must not share a vehicle with another pupil."""
    ids = set(merged["pupil_id"])
    pairs = []
    for p in merged.itertuples(index=False):
        for other in filter(None, (o.strip() for o in str(p.avoid_with).split(";"))):
            if other in ids and p.mode == "door":
                pairs.append((p.pupil_id, other))
    return tuple(pairs)


def not_routed(eligibility: pd.DataFrame, demand: Demand) -> pd.DataFrame:
    """Eligible pupils given no vehicle (none today: every eligible pupil gets a request)."""
    eligible = set(eligibility.loc[eligibility["eligible"], "pupil_id"])
    missing = sorted(eligible - set(demand.pupils["pupil_id"]))
    return NOT_ROUTED_TABLE.frame({"pupil_id": p, "reason_code": NOT_ROUTED, "reason": NOT_ROUTED_REASON} for p in missing)


def school_clusters(schools: pd.DataFrame, km: float = CLUSTER_KM) -> dict[str, str]:
    """Group schools by single linkage at `km`: urn -> cluster label (the first urn in it)."""
    urns = list(schools["urn"].astype(str))
    lat = np.radians(schools["lat"].to_numpy(float))
    lon = np.radians(schools["lon"].to_numpy(float))
    x = lon * np.cos(lat.mean()) * 6371.0
    y = lat * 6371.0
    close = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :]) <= km
    label = list(range(len(urns)))
    for i in range(len(urns)):
        for j in np.flatnonzero(close[i]):
            a, b = label[i], label[j]
            if a != b:
                label = [min(a, b) if v in (a, b) else v for v in label]
    return {u: urns[label[i]] for i, u in enumerate(urns)}


def _partitioned(requests: tuple[Request, ...], clusters: dict[str, str], policy: Policy,
                 locations: list[dict]) -> tuple[Request, ...]:
    """Door-to-door and pick-up point requests are routed separately, as councils contract them,
    each by cluster of nearby schools; big clusters split by school, and a school with more
    requests than a search handles quickly into sectors around it (a sweep by compass
    bearing). When the policy does not let pupils of different schools share a vehicle, every
    school is a partition of its own, so each vehicle trip carries one school's pupils."""
    def key(r: Request) -> str:
        mode = "send" if r.is_door_to_door else "mainstream"
        return f"{mode}:{clusters.get(r.group, r.group) if policy.mixed_school_vehicles else r.group}"

    keys = {r.request_id: key(r) for r in requests}
    sizes = Counter(keys.values())
    for r in requests:
        if sizes[keys[r.request_id]] > MAX_PARTITION_REQUESTS:
            keys[r.request_id] = f"{keys[r.request_id]}/{r.group}"
    by_key: dict[str, list[Request]] = {}
    for r in requests:
        by_key.setdefault(keys[r.request_id], []).append(r)
    for k, members in by_key.items():
        if len(members) > MAX_PARTITION_REQUESTS:
            keys.update(_sectors(k, members, locations))
    return tuple(dataclasses.replace(r, partition=keys[r.request_id]) for r in requests)


def _sectors(key: str, members: list[Request], locations: list[dict]) -> dict[str, str]:
    """One school's requests in sectors of at most MAX_PARTITION_REQUESTS, by the bearing of each
    home or pick-up point from the school (the same sectors on both runs)."""
    def bearing(r: Request) -> float:
        home, school = (r.pickup, r.delivery) if r.delivery is not None and r.pickup is not None and \
            locations[r.delivery]["kind"] == "school" else (r.delivery, r.pickup)
        h, s = locations[home], locations[school]
        return math.atan2(h["lat"] - s["lat"], (h["lon"] - s["lon"]) * math.cos(math.radians(s["lat"])))

    count = math.ceil(len(members) / MAX_PARTITION_REQUESTS)
    ordered = sorted(members, key=lambda r: (bearing(r), r.request_id))
    size = math.ceil(len(ordered) / count)
    return {r.request_id: f"{key}/sector{k // size + 1}" for k, r in enumerate(ordered)}


def _requests(run: str, pupils: pd.DataFrame, schools: pd.DataFrame, school_loc: dict[str, int], policy: Policy) -> tuple[Request, ...]:
    out: list[Request] = []
    for p in pupils[pupils["mode"] == "door"].itertuples(index=False):
        board = minutes_to_s(policy.boarding_minutes_wheelchair if p.wheelchair else policy.boarding_minutes)
        out.append(_request(run, p.pupil_id, (p.pupil_id,), p.location, school_loc[str(p.school_urn)],
                            schools.loc[str(p.school_urn)], policy, seats=1, wheelchairs=int(bool(p.wheelchair)),
                            home_service=board, school_service=board,
                            max_ride=policy.max_ride_s([p.age], [p.max_ride_minutes]),
                            assistant=bool(p.passenger_assistant), alone=bool(p.travel_alone), group=str(p.school_urn)))
    stop_pupils = pupils[pupils["mode"] == "stop"]
    size = policy.stop_group_max_pupils
    for (stop_id, urn), group in stop_pupils.groupby(["stop_id", "school_urn"], sort=True):
        parts = math.ceil(len(group) / size)
        for k in range(parts):
            chunk = group.iloc[k * size:(k + 1) * size]
            boarding = policy.stop_boarding_minutes_per_pupil * len(chunk)
            rid = f"{stop_id}-{urn}" + (f"-{k + 1}" if parts > 1 else "")
            out.append(_request(run, rid, tuple(chunk["pupil_id"]), int(chunk["location"].iat[0]), school_loc[str(urn)],
                                schools.loc[str(urn)], policy, seats=len(chunk), wheelchairs=0,
                                home_service=minutes_to_s(policy.stop_dwell_minutes + boarding),
                                school_service=minutes_to_s(boarding),
                                max_ride=policy.max_ride_s(chunk["age"], chunk["max_ride_minutes"]),
                                assistant=False, alone=False, group=str(urn)))
    return tuple(out)


def _request(run: str, rid: str, members: tuple[str, ...], home: int, school_location: int, school, policy: Policy, *,
             seats: int, wheelchairs: int, home_service: int, school_service: int, max_ride: int, assistant: bool,
             alone: bool, group: str) -> Request:
    """One request in the run's direction: home to school in the morning, back in the afternoon."""
    common = {"request_id": rid, "seats": seats, "wheelchairs": wheelchairs, "max_ride_s": max_ride,
              "needs_assistant": assistant, "travel_alone": alone, "members": members, "group": group}
    if to_school(run):
        start = int(school["start_s"])
        window = (start - minutes_to_s(policy.arrive_before_start_max_minutes), start - minutes_to_s(policy.arrive_before_start_min_minutes))
        return Request(**common, pickup=home, delivery=school_location, delivery_window=window,
                       pickup_service_s=home_service, delivery_service_s=school_service)
    finish = int(school["finish_s"])
    window = (finish + minutes_to_s(policy.depart_after_finish_min_minutes), finish + minutes_to_s(policy.depart_after_finish_max_minutes))
    return Request(**common, pickup=school_location, delivery=home, pickup_window=window,
                   pickup_service_s=school_service, delivery_service_s=home_service)


def routing_problem(demand: Demand, run: str, time_s: np.ndarray, distance_m: np.ndarray, vehicles: pd.DataFrame,
                    prices: FleetPrices) -> RoutingProblem:
    """The question one run asks the optimiser."""
    requests = demand.requests[run]
    return RoutingProblem(time_s=time_s, distance_m=distance_m, requests=requests,
                          vehicle_types=fleet(vehicles, demand.locations, requests, prices), incompatible=demand.incompatible,
                          assistants_available=prices.assistants_available, location_names=location_names(demand.locations))


def location_names(locations: pd.DataFrame) -> tuple[str, ...]:
    """A name for each place that two runs of different scenarios give alike: a school by URN, a
    home by pupil, a depot by name, a pick-up point by where it is (stops are numbered per run)."""
    return tuple(f"stop:{p.lat:.6f},{p.lon:.6f}" if p.kind == "stop" else f"{p.kind}:{p.ref}"
                 for p in locations.itertuples(index=False))
