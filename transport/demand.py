"""Turn eligible pupils into transport requests for the morning and afternoon runs.

Pupils with SEND or mobility needs (and those whose walking route is unsafe) are collected
from their door. Mainstream pupils eligible on distance walk to a pick-up point: a junction
on the road network within the policy's walking distance of home, chosen per school by a
greedy cover over real walking distances, so each point serves as many pupils as it can.
A stop's pupils of one school become one request (split into groups of at most
`stop_group_max_pupils`, so groups can share vehicles).
"""

from __future__ import annotations

import dataclasses
import logging
import math
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from transport.matrix import nearest_nodes, travel_matrices
from transport.optimise.problem import Request, RoutingProblem, VehicleType
from transport.policy import Policy
from transport.units import METRES_PER_MILE, gbp_to_pence, minutes_to_s

log = logging.getLogger(__name__)

RUNS = ("AM", "PM")


@dataclass(frozen=True, slots=True)
class Demand:
    """Everything the optimiser needs besides the matrices, for both runs."""

    locations: pd.DataFrame  # location, kind, ref, lat, lon
    pupils: pd.DataFrame  # eligible pupils needing a vehicle: pupil_id, mode (door/stop), location, stop_id, walk_to_stop_m
    requests: dict[str, tuple[Request, ...]]  # by run
    incompatible: tuple[tuple[str, str], ...]


def plan_pickup_points(pupils: pd.DataFrame, drive: nx.MultiDiGraph, walk: nx.MultiDiGraph, policy: Policy) -> pd.DataFrame:
    """Assign each stop-eligible pupil a pick-up point: pupil_id, stop_id, stop_lat, stop_lon, walk_to_stop_m."""
    columns = ["pupil_id", "school_urn", "stop_id", "stop_lat", "stop_lon", "walk_to_stop_m"]
    if pupils.empty:
        return pd.DataFrame(columns=columns)
    limit_m = policy.pickup_point_max_walk_miles * METRES_PER_MILE
    node_ids = nearest_nodes(drive, pupils["lat"].to_numpy(float), pupils["lon"].to_numpy(float))
    rows = []
    stop_count = 0
    for urn, group in pupils.assign(node=node_ids).groupby("school_urn", sort=True):
        candidates = list(dict.fromkeys(group["node"]))
        c_lat = np.array([drive.nodes[n]["y"] for n in candidates])
        c_lon = np.array([drive.nodes[n]["x"] for n in candidates])
        lats = np.concatenate([c_lat, group["lat"].to_numpy(float)])
        lons = np.concatenate([c_lon, group["lon"].to_numpy(float)])
        m = travel_matrices(walk, lats, lons, weight="length", origins=np.arange(len(candidates)))
        metres = m.distance_m[:, len(candidates):]  # walk graph is symmetric: candidate -> home = home -> candidate
        covers = metres <= limit_m
        uncovered = np.ones(len(group), dtype=bool)
        while uncovered.any():
            gain = (covers & uncovered).sum(axis=1)
            best = int(np.argmax(gain))
            if gain[best] == 0:
                break
            stop_count += 1
            taken = covers[best] & uncovered
            for k in np.flatnonzero(taken):
                rows.append({"pupil_id": group["pupil_id"].iat[k], "school_urn": urn, "stop_id": f"S{stop_count:04d}",
                             "stop_lat": c_lat[best], "stop_lon": c_lon[best], "walk_to_stop_m": round(float(metres[best, k]), 1)})
            uncovered &= ~taken
        for k in np.flatnonzero(uncovered):  # nowhere within walking distance: collected from home
            stop_count += 1
            rows.append({"pupil_id": group["pupil_id"].iat[k], "school_urn": urn, "stop_id": f"S{stop_count:04d}",
                         "stop_lat": group["lat"].iat[k], "stop_lon": group["lon"].iat[k], "walk_to_stop_m": 0.0})
    return pd.DataFrame(rows, columns=columns)


def build_demand(pupils: pd.DataFrame, eligibility: pd.DataFrame, schools: pd.DataFrame, vehicles: pd.DataFrame,
                 policy: Policy, stops: pd.DataFrame) -> Demand:
    """Locations and AM/PM requests for every eligible pupil who needs a vehicle."""
    eligible = pupils.merge(eligibility[["pupil_id", "eligible", "door_to_door", "reason_code"]], on="pupil_id")
    eligible = eligible[eligible["eligible"]].reset_index(drop=True)
    door = eligible["door_to_door"] | eligible["pupil_id"].isin(eligible.loc[eligible["reason_code"] == "UNSAFE_ROUTE", "pupil_id"])
    door = door | ~eligible["pupil_id"].isin(stops["pupil_id"])
    loc_rows: list[dict] = []

    def add(kind: str, ref: str, lat: float, lon: float) -> int:
        loc_rows.append({"location": len(loc_rows), "kind": kind, "ref": ref, "lat": float(lat), "lon": float(lon)})
        return len(loc_rows) - 1

    depot_loc: dict[tuple[float, float], int] = {}
    for row in vehicles.itertuples(index=False):
        key = (row.depot_lat, row.depot_lon)
        if key not in depot_loc and np.isfinite(row.depot_lat):
            depot_loc[key] = add("depot", str(row.depot or "depot"), row.depot_lat, row.depot_lon)
    school_loc = {str(s.urn): add("school", str(s.urn), s.lat, s.lon) for s in schools.itertuples(index=False)}
    stop_loc: dict[str, int] = {}
    for s in stops.drop_duplicates("stop_id").itertuples(index=False):
        stop_loc[s.stop_id] = add("stop", s.stop_id, s.stop_lat, s.stop_lon)
    pupil_rows = []
    stop_of = stops.set_index("pupil_id")
    for p, is_door in zip(eligible.itertuples(index=False), door, strict=True):
        if is_door:
            pupil_rows.append({"pupil_id": p.pupil_id, "mode": "door", "location": add("home", p.pupil_id, p.lat, p.lon),
                               "stop_id": "", "walk_to_stop_m": 0.0})
        else:
            st = stop_of.loc[p.pupil_id]
            pupil_rows.append({"pupil_id": p.pupil_id, "mode": "stop", "location": stop_loc[st["stop_id"]],
                               "stop_id": st["stop_id"], "walk_to_stop_m": st["walk_to_stop_m"]})
    if vehicles["depot_lat"].isna().any():
        add("anywhere", "no depot: starts at first pick-up", np.nan, np.nan)
    routed = pd.DataFrame(pupil_rows, columns=["pupil_id", "mode", "location", "stop_id", "walk_to_stop_m"])
    merged = eligible.merge(routed, on="pupil_id")
    by_urn = schools.set_index(schools["urn"].astype(str))
    clusters = school_clusters(schools)
    requests = {run: _partitioned(_requests(run, merged, by_urn, school_loc, policy), clusters) for run in RUNS}
    ids = set(merged["pupil_id"])
    pairs = []
    for p in merged.itertuples(index=False):
        for other in filter(None, (o.strip() for o in str(p.avoid_with).split(";"))):
            if other in ids and p.mode == "door":
                pairs.append((p.pupil_id, other))
    return Demand(pd.DataFrame(loc_rows), routed, requests, tuple(pairs))


#: Schools closer than this share a routing partition (a town's schools are routed together).
CLUSTER_KM = 4.0
#: A partition larger than this is split by school, to keep each search fast.
MAX_PARTITION_REQUESTS = 160


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


def _partitioned(requests: tuple[Request, ...], clusters: dict[str, str]) -> tuple[Request, ...]:
    """SEND (door to door) and mainstream (pick-up point) requests are routed separately, as
    councils contract them, each by cluster of nearby schools; big clusters split by school."""
    def key(r: Request) -> str:
        mode = "send" if r.members == (r.request_id,) else "mainstream"
        return f"{mode}:{clusters.get(r.group, r.group)}"

    sizes: dict[str, int] = {}
    for r in requests:
        sizes[key(r)] = sizes.get(key(r), 0) + 1
    out = []
    for r in requests:
        k = key(r)
        out.append(dataclasses.replace(r, partition=k if sizes[k] <= MAX_PARTITION_REQUESTS else f"{k}/{r.group}"))
    return tuple(out)


def _max_ride_s(ages: pd.Series, overrides: pd.Series, policy: Policy) -> int:
    minutes = policy.max_ride_minutes_primary if int(ages.min()) <= 10 else policy.max_ride_minutes_secondary
    given = pd.to_numeric(overrides, errors="coerce").dropna()
    if len(given):
        minutes = min(minutes, float(given.min()))
    return minutes_to_s(minutes)


def _requests(run: str, pupils: pd.DataFrame, schools: pd.DataFrame, school_loc: dict[str, int], policy: Policy) -> tuple[Request, ...]:
    out: list[Request] = []
    for p in pupils[pupils["mode"] == "door"].itertuples(index=False):
        school = schools.loc[str(p.school_urn)]
        board = policy.boarding_minutes_wheelchair if p.wheelchair else policy.boarding_minutes
        ride = _max_ride_s(pd.Series([p.age]), pd.Series([p.max_ride_minutes]), policy)
        out.append(_request(run, p.pupil_id, (p.pupil_id,), p.location, school_loc[str(p.school_urn)], school, policy,
                            seats=1, wheelchairs=int(bool(p.wheelchair)), home_service=minutes_to_s(board),
                            school_service=minutes_to_s(board), max_ride=ride, assistant=bool(p.passenger_assistant),
                            alone=bool(p.travel_alone), group=str(p.school_urn)))
    stop_pupils = pupils[pupils["mode"] == "stop"]
    for (stop_id, urn), group in stop_pupils.groupby(["stop_id", "school_urn"], sort=True):
        school = schools.loc[str(urn)]
        size = policy.stop_group_max_pupils
        parts = math.ceil(len(group) / size)
        for k in range(parts):
            chunk = group.iloc[k * size:(k + 1) * size]
            boarding = policy.stop_boarding_minutes_per_pupil * len(chunk)
            rid = f"{stop_id}-{urn}" + (f"-{k + 1}" if parts > 1 else "")
            out.append(_request(run, rid, tuple(chunk["pupil_id"]), int(chunk["location"].iat[0]), school_loc[str(urn)], school,
                                policy, seats=len(chunk), wheelchairs=0,
                                home_service=minutes_to_s(policy.stop_dwell_minutes + boarding),
                                school_service=minutes_to_s(boarding), max_ride=_max_ride_s(chunk["age"], chunk["max_ride_minutes"], policy),
                                assistant=False, alone=False, group=str(urn)))
    return tuple(out)


def _request(run: str, rid: str, members: tuple[str, ...], home: int, school_location: int, school, policy: Policy, *,
             seats: int, wheelchairs: int, home_service: int, school_service: int, max_ride: int, assistant: bool,
             alone: bool, group: str) -> Request:
    if run == "AM":
        start = int(school["start_s"])
        window = (start - minutes_to_s(policy.arrive_before_start_max_minutes), start - minutes_to_s(policy.arrive_before_start_min_minutes))
        return Request(rid, home, school_location, seats, wheelchairs, None, window, max_ride, home_service, school_service,
                       assistant, alone, members, group)
    finish = int(school["finish_s"])
    window = (finish + minutes_to_s(policy.depart_after_finish_min_minutes), finish + minutes_to_s(policy.depart_after_finish_max_minutes))
    return Request(rid, school_location, home, seats, wheelchairs, window, None, max_ride, school_service, home_service,
                   assistant, alone, members, group)


@dataclass(frozen=True, slots=True)
class FleetPrices:
    """Pricing that turns the catalogue into solver costs."""

    assistant_daily_gbp: float = 62.0  # see costs.CostSettings for the derivation
    assistant_share: float = 1 / 3  # share of each catalogue row offered with an assistant


def fleet(vehicles: pd.DataFrame, locations: pd.DataFrame, requests: tuple[Request, ...], prices: FleetPrices,
          max_vehicles_per_row: int | None = None) -> tuple[VehicleType, ...]:
    """Vehicle-type variants for one run: each catalogue row with and without an assistant.

    The day price covers the morning and the afternoon run, so each run carries half of it.
    """
    depot_loc = {(r.lat, r.lon): int(r.location) for r in locations[locations["kind"] == "depot"].itertuples(index=False)}
    anywhere = locations.index[locations["kind"] == "anywhere"]
    need_pa = any(r.needs_assistant for r in requests)
    cap = max_vehicles_per_row or len(requests)
    types: list[VehicleType] = []
    for row in vehicles.itertuples(index=False):
        start = depot_loc.get((row.depot_lat, row.depot_lon), int(anywhere[0]) if len(anywhere) else 0)
        label = f"{row.vehicle_type}@{row.depot}" if str(row.depot) else row.vehicle_type
        available = int(row.available)
        with_pa = math.ceil(available * prices.assistant_share) if need_pa and available > 0 else 0
        per_km = round(gbp_to_pence(row.price_per_mile_gbp) / 1.609344)
        plain = VehicleType(label, int(row.seats), int(row.wheelchair_spaces), min(available - with_pa, cap),
                            gbp_to_pence(row.daily_price_gbp / 2), per_km, False, start, start, None, row.vehicle_type)
        types.append(plain)
        if with_pa:
            types.append(VehicleType(label + "+PA", int(row.seats), int(row.wheelchair_spaces), min(with_pa, cap),
                                     gbp_to_pence((row.daily_price_gbp + prices.assistant_daily_gbp) / 2), per_km, True,
                                     start, start, None, row.vehicle_type))
    return tuple(t for t in types if t.count > 0)


def routing_problem(demand: Demand, run: str, time_s: np.ndarray, distance_m: np.ndarray, vehicles: pd.DataFrame,
                    prices: FleetPrices, policy: Policy) -> RoutingProblem:
    requests = demand.requests[run]
    types = fleet(vehicles, demand.locations, requests, prices)
    return RoutingProblem(time_s=time_s, distance_m=distance_m, requests=requests, vehicle_types=types,
                          incompatible=demand.incompatible, allow_mixing_groups=policy.mixed_school_vehicles)
