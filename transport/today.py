"""The demo's today: a network grown the way real ones grow, written as a contracts file.

Real networks are not planned from scratch each year. So today is built in two steps. First
last year's cohort is planned school by school, the way routes are let per school: pupils
farthest from school first, each put where it adds least cost, into an existing run of its
school where the seats, wheelchair spaces, an assistant, travelling alone, pupils kept apart
and every ride limit allow, else into a new run; each run then gets the cheapest catalogue
vehicle that holds its load. Then a year of in-year changes is applied without re-planning:
pupils who joined during the year are inserted into a run of their school only where the
vehicle already bought has room and every ride limit holds, else they get a vehicle of their
own. Pupils at schools beyond the network (out-of-area placements) travel in taxis shared by
pupils of one school living close together, priced over estimated road distances. The
contracts are then aged (`synth.age_contracts`): pupils no longer eligible who still hold a
bus seat, and in-year starters on no contract yet. Contracts are priced by the catalogue at
today's prices (the price multiplier is the scenario's, applied when they are priced).

Today is built from the scenario's own eligible pupils, at the schools they attend today: a
pupil a new provision moves still goes to their old school, so the savings of new places show
in the savings plan. A policy scenario's newly eligible pupils do appear as if carried today,
since the synthetic cohort has no record of the policy it was carried under.

The rates (cited in data/README.md): pupils who must travel alone are the cohort's own (9% of
SEND pupils, DfE home-to-school travel data collection 2025-26); in-year joiners are 10% of
door-to-door pupils (assumption near the 10.8% yearly growth in EHC plans, DfE Education,
health and care plans 2025) and 3% of pupils at pick-up points (assumption); SEND routes are
let for the academic year and bus routes for three years, a third ending each summer
(assumption).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from transport.optimise.problem import Request, RoutingProblem
from transport.placements import road_m
from transport.schemas import CONTRACTS
from transport.units import m_to_miles

JOINER_SHARE_DOOR = 0.10
JOINER_SHARE_STOP = 0.03
#: Out-of-area pupils of one school share a taxi when their homes are this close (estimated road metres).
SHARE_RADIUS_M = 8000.0
BUS_CONTRACT_YEARS = 3
#: Eligible pupils still awaiting an arrangement on the day the contracts are read (assumption):
#: they have no contract and are priced at the solo estimate, flagged.
AWAITING_SHARE = 0.005


@dataclass
class _Run:
    """One vehicle run being planned: its school, its requests in pick-up order, and its load."""

    school: int
    group: str
    requests: list[Request] = field(default_factory=list)
    vehicle: dict | None = None  # fixed once last year's plan is bought

    @property
    def seats(self) -> int:
        return sum(r.seats for r in self.requests)

    @property
    def wheelchairs(self) -> int:
        return sum(r.wheelchairs for r in self.requests)

    @property
    def assistant(self) -> bool:
        return any(r.needs_assistant for r in self.requests)

    @property
    def alone(self) -> bool:
        return any(r.travel_alone for r in self.requests)


class Planner:
    """Cheapest insertion over one run's matrices, school by school (runs never mix schools)."""

    def __init__(self, problem: RoutingProblem, catalogue: pd.DataFrame, incompatible: set[frozenset[str]]) -> None:
        self.t, self.d = problem.time_s, problem.distance_m
        self.catalogue = catalogue.sort_values("daily_price_gbp").to_dict("records")
        self.apart = incompatible
        self.runs: list[_Run] = []

    def fits(self, seats: int, wheelchairs: int, assistant: bool) -> dict | None:
        """The cheapest catalogue vehicle for a load."""
        for v in self.catalogue:
            if v["seats"] >= seats + int(assistant) and v["wheelchair_spaces"] >= wheelchairs:
                return v
        return None

    def _ride_ok(self, order: list[Request], school: int) -> bool:
        """Every rider reaches school within their ride limit (pick-up departure to arrival)."""
        ahead = 0.0
        for i in range(len(order) - 1, -1, -1):
            nxt = order[i + 1].pickup if i + 1 < len(order) else school
            ahead += float(self.t[order[i].pickup, nxt]) + (order[i + 1].pickup_service_s if i + 1 < len(order) else 0)
            if order[i].max_ride_s is not None and ahead > order[i].max_ride_s:
                return False
        return True

    def _metres(self, order: list[Request], school: int) -> float:
        stops = [r.pickup for r in order] + [school]
        return float(sum(self.d[a, b] + self.d[b, a] for a, b in zip(stops[:-1], stops[1:], strict=True)))

    def _allowed(self, run: _Run, req: Request, fixed: bool) -> bool:
        if run.alone or req.travel_alone or any(frozenset((req.request_id, r.request_id)) in self.apart for r in run.requests):
            return False
        if fixed:
            v = run.vehicle
            return (v["seats"] >= run.seats + req.seats + int(run.assistant)
                    and v["wheelchair_spaces"] >= run.wheelchairs + req.wheelchairs and (run.assistant or not req.needs_assistant))
        return self.fits(run.seats + req.seats, run.wheelchairs + req.wheelchairs, run.assistant or req.needs_assistant) is not None

    def _cost(self, run_requests: list[Request], school: int, vehicle: dict) -> float:
        """A day of a run at the vehicle's prices (morning and afternoon, school end of the day only)."""
        return vehicle["daily_price_gbp"] + vehicle["price_per_mile_gbp"] * m_to_miles(self._metres(run_requests, school))

    def best_insertion(self, req: Request, fixed: bool) -> tuple[float, _Run | None, int]:
        """The cheapest feasible place for a request among its school's runs: (extra cost a day, run, position)."""
        best = (np.inf, None, 0)
        for run in self.runs:
            if run.group != req.group or run.school != req.delivery or not self._allowed(run, req, fixed):
                continue
            before_vehicle = run.vehicle if fixed else self.fits(run.seats, run.wheelchairs, run.assistant)
            after_vehicle = run.vehicle if fixed else self.fits(run.seats + req.seats, run.wheelchairs + req.wheelchairs,
                                                                run.assistant or req.needs_assistant)
            before = self._cost(run.requests, run.school, before_vehicle)
            for pos in range(len(run.requests) + 1):
                order = run.requests[:pos] + [req] + run.requests[pos:]
                if not self._ride_ok(order, run.school):
                    continue
                extra = self._cost(order, run.school, after_vehicle) - before
                if extra < best[0]:
                    best = (extra, run, pos)
        return best

    def place(self, req: Request, fixed: bool) -> _Run | None:
        """Insert where it adds least; a new run when that is cheaper or nothing fits. None when no vehicle can carry it."""
        extra, run, pos = self.best_insertion(req, fixed)
        alone = self.fits(req.seats, req.wheelchairs, req.needs_assistant)
        if alone is None:
            return None
        if run is None or extra >= self._cost([req], req.delivery, alone):
            run = _Run(req.delivery, req.group, [req], alone if fixed else None)
            self.runs.append(run)
            return run
        run.requests.insert(pos, req)
        return run

    def buy(self) -> None:
        """Each planned run gets the cheapest vehicle holding its load."""
        for run in self.runs:
            run.vehicle = run.vehicle or self.fits(run.seats, run.wheelchairs, run.assistant)


def _split_joiners(requests: tuple[Request, ...], rng: np.random.Generator) -> tuple[list[Request], list[Request]]:
    """Last year's requests, and this year's in-year joiners (door-to-door pupils whole; pupils
    at a pick-up point one by one, leaving the rest of their group)."""
    planned, joiners = [], []
    for r in requests:
        if r.is_door_to_door:
            (joiners if rng.random() < JOINER_SHARE_DOOR else planned).append(r)
            continue
        joined = [m for m in r.members if rng.random() < JOINER_SHARE_STOP]
        stay = tuple(m for m in r.members if m not in joined)
        if stay:
            planned.append(dataclasses.replace(r, members=stay, seats=len(stay)))
        joiners += [dataclasses.replace(r, request_id=f"{r.request_id}+{m}", members=(m,), seats=1) for m in joined]
    return planned, joiners


def plan_today(problem: RoutingProblem, catalogue: pd.DataFrame, seed: int) -> list[_Run]:
    """Last year's plan, then a year of in-year joiners inserted without re-planning."""
    rng = np.random.default_rng(seed + 11)
    apart = {frozenset(pair) for pair in problem.incompatible}
    planner = Planner(problem, catalogue, apart)
    planned, joiners = _split_joiners(problem.requests, rng)
    planned.sort(key=lambda r: (r.group, -float(problem.time_s[r.pickup, r.delivery])))
    for req in planned:
        planner.place(req, fixed=False)
    planner.buy()
    for k in rng.permutation(len(joiners)):
        planner.place(joiners[k], fixed=True)
    return [run for run in planner.runs if run.vehicle is not None]


# --------------------------------------------------------------------------- written as contracts


def _remapped(problem: RoutingProblem, moves: pd.DataFrame, school_loc: dict[str, int], beyond: set[str]) -> RoutingProblem:
    """Today's requests: a pupil moved to new provision in this scenario still goes to the school
    they attend today (one beyond the network makes them an out-of-area placement instead)."""
    moved = dict(zip(moves["pupil_id"], moves["from_urn"].astype(str), strict=True))
    requests = []
    for r in problem.requests:
        urn = moved.get(r.members[0]) if r.is_door_to_door else None
        if urn is None:
            requests.append(r)
        elif urn not in beyond and urn in school_loc:
            requests.append(dataclasses.replace(r, delivery=school_loc[urn], group=urn))
    return dataclasses.replace(problem, requests=tuple(requests))


def _priced_day(run: _Run, depots: dict[str, int], rows: list[dict], d: np.ndarray) -> tuple[float, str]:
    """A run's day price from the depot that prices it lowest (`rows`: the catalogue's rows of its
    vehicle type): the day price plus the price per mile over every mile, depot to depot, morning
    and afternoon."""
    stops = [r.pickup for r in run.requests] + [run.school]
    inner = sum(float(d[a, b]) for a, b in zip(stops[:-1], stops[1:], strict=True))
    back = sum(float(d[b, a]) for a, b in zip(stops[:-1], stops[1:], strict=True))
    best = (np.inf, "")
    for row in rows:
        loc = depots.get(str(row["depot"] or "depot")) if np.isfinite(row["depot_lat"]) else None
        legs = 0.0 if loc is None else float(d[loc, stops[0]] + d[run.school, loc] + d[loc, run.school] + d[stops[0], loc])
        price = row["daily_price_gbp"] + row["price_per_mile_gbp"] * m_to_miles(inner + back + legs)
        if price < best[0]:
            best = (price, str(row["depot"]))
    return round(best[0], 2), best[1]


def _end(door: bool, number: int, academic_year: int) -> str:
    """SEND routes run to the end of the academic year; bus routes for three years, a third ending each summer."""
    return dt.date(academic_year + 1 + (0 if door else number % BUS_CONTRACT_YEARS), 7, 31).isoformat()


def _contract(number: int, kind: str, day: float, depot: str, assistant: bool, pupils: list[str], urn: str, end: str) -> dict:
    """One contract row; its operator is named for its depot, as the optimised runs' operators are."""
    return {"route_ref": f"C{number:04d}", "operator": depot or "Out-of-area operator",
            "vehicle_type": kind, "daily_price_gbp": day, "passenger_assistant": "yes" if assistant else "no",
            "pupils": ";".join(pupils), "school_urn": urn, "assistant_included": "no" if assistant else "",
            "end_date": end}


def _out_of_area(pupils: pd.DataFrame, schools: pd.DataFrame, vehicles: pd.DataFrame, start: int,
                 academic_year: int) -> list[dict]:
    """Taxis to schools beyond the network: pupils of one school living within SHARE_RADIUS_M of
    the first share an MPV (never a pupil who travels alone or in a wheelchair), priced from the
    nearest depot over estimated road distances."""
    rows, by_urn = [], schools.set_index(schools["urn"].astype(str))
    for urn, group in pupils.groupby("school_urn", sort=True):
        school, pending = by_urn.loc[str(urn)], list(group.itertuples(index=False))
        while pending:
            first = pending.pop(0)
            riders = [first]
            if not (first.travel_alone or first.wheelchair):
                near = [p for p in pending if not (p.travel_alone or p.wheelchair)
                        and road_m(first.lat, first.lon, p.lat, p.lon) <= SHARE_RADIUS_M][:2]
                riders += near
                pending = [p for p in pending if p not in near]
            kind = "wheelchair_taxi" if first.wheelchair else ("taxi" if len(riders) == 1 else "mpv")
            day, depot = _estimated_day(riders, school, vehicles[vehicles["vehicle_type"] == kind])
            rows.append(_contract(start + len(rows), kind, day, depot, any(p.passenger_assistant for p in riders),
                                  [p.pupil_id for p in riders], str(urn), _end(True, 0, academic_year)))
    return rows


def _estimated_day(riders: list, school: pd.Series, rows: pd.DataFrame) -> tuple[float, str]:
    """A day of a taxi round the riders' homes to a school beyond the network, and back."""
    homes = [(p.lat, p.lon) for p in riders]
    inner = sum(float(road_m(*a, *b)) for a, b in zip(homes[:-1], homes[1:], strict=True))
    inner += float(road_m(*homes[-1], school["lat"], school["lon"]))
    best = (np.inf, "")
    for row in rows.itertuples(index=False):
        legs = 0.0
        if np.isfinite(row.depot_lat):
            legs = float(road_m(row.depot_lat, row.depot_lon, *homes[0]) + road_m(school["lat"], school["lon"], row.depot_lat,
                                                                                   row.depot_lon))
        price = row.daily_price_gbp + row.price_per_mile_gbp * m_to_miles(2 * (inner + legs))
        if price < best[0]:
            best = (price, str(row.depot))
    return round(best[0], 2), best[1]


def synthetic_today(scenario, inputs, eligibility: pd.DataFrame, demand, problems: dict[str, RoutingProblem],
                    moves: pd.DataFrame, beyond: set[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Today's contracts for the demo: (the file as written, the contracts as read back)."""
    from transport.contracts import parse_contracts
    from transport.inputs import as_text
    from transport.synth import age_contracts

    scale = scenario.costs.price_multiplier
    base = inputs.vehicles.assign(daily_price_gbp=inputs.vehicles["daily_price_gbp"] / scale,
                                  price_per_mile_gbp=inputs.vehicles["price_per_mile_gbp"] / scale)
    locations = demand.locations
    school_loc = {str(r.ref): int(r.location) for r in locations[locations["kind"] == "school"].itertuples()}
    depots = {str(r.ref): int(r.location) for r in locations[locations["kind"] == "depot"].itertuples()}
    problem = _remapped(problems["AM"], moves, school_loc, beyond)
    urn_of = {loc: urn for urn, loc in school_loc.items()}
    year = scenario.policy.academic_year_start
    rows, by_type = [], {kind: group.to_dict("records") for kind, group in base.groupby("vehicle_type")}
    for run in plan_today(problem, base, scenario.synthetic.seed):
        day, depot = _priced_day(run, depots, by_type[run.vehicle["vehicle_type"]], problem.distance_m)
        door = all(r.is_door_to_door for r in run.requests)
        rows.append(_contract(len(rows) + 1, run.vehicle["vehicle_type"], day, depot, run.assistant,
                              [m for r in run.requests for m in r.members], urn_of[run.school], _end(door, len(rows), year)))
    today_school = inputs.pupils.set_index("pupil_id")["school_urn"].astype(str).to_dict()
    today_school.update(dict(zip(moves["pupil_id"], moves["from_urn"].astype(str), strict=True)))
    eligible = set(eligibility.loc[eligibility["eligible"].astype(bool), "pupil_id"])
    placed = inputs.pupils[inputs.pupils["pupil_id"].map(today_school).isin(beyond) & inputs.pupils["pupil_id"].isin(eligible)]
    placed = placed.assign(school_urn=placed["pupil_id"].map(today_school))
    rows += _out_of_area(placed, inputs.schools, base, len(rows) + 1, year)
    seats = inputs.vehicles.drop_duplicates("vehicle_type").set_index("vehicle_type")["seats"].astype(int).to_dict()
    aged = age_contracts(CONTRACTS.frame(rows), eligibility, seats, seed=scenario.synthetic.seed, joiner_share=AWAITING_SHARE)
    return aged, parse_contracts(as_text(aged), "contracts.csv (synthetic)", set(inputs.pupils["pupil_id"]),
                                 set(inputs.schools["urn"].astype(str)), set(inputs.vehicles["vehicle_type"]))
