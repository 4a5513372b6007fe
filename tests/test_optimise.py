"""The search itself: reproducible under a work limit, and never cut short before every
request that a vehicle could take has a place (the first solution runs to completion).

Problems are random points on a plane with shortest-path travel times; every route the
search returns also goes through the independent checker (tests/test_check.py covers the
checker itself).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from tests.conftest import assert_checked
from transport.optimise.partition import solve as _solve
from transport.optimise.problem import Request, RoutingProblem, VehicleType
from transport.optimise.search import SMALL_PROBLEM, SolveOptions

DEPOT, SCHOOL = 0, 1
BELL = 9 * 3600


def plane_problem(n: int, seed: int = 3) -> RoutingProblem:
    """n pupils to one school by 08:55-09:00, 45-minute ride limit, taxis and minibuses."""
    rng = np.random.default_rng(seed)
    points = rng.uniform(0, 12_000, (n + 2, 2))
    euclid = np.hypot(*(points[:, None, :] - points[None, :, :]).transpose(2, 0, 1))
    distance = np.rint(euclid * 1.3).astype(np.int64)
    time = np.ceil(euclid * 1.3 / 10).astype(np.int64)
    requests = tuple(Request(request_id=f"r{i}", pickup=2 + i, delivery=SCHOOL, delivery_window=(BELL - 1200, BELL - 300), max_ride_s=2700,
                             pickup_service_s=60, delivery_service_s=30, members=(f"P{i:03d}",), group="S") for i in range(n))
    fleet = (VehicleType(catalogue_type="taxi", seats=4, wheelchair_spaces=0, count=n, fixed_cost=8000, cost_per_km=100, start=DEPOT, end=DEPOT),
             VehicleType(catalogue_type="minibus", seats=16, wheelchair_spaces=0, count=n // 8 + 1, fixed_cost=20000, cost_per_km=150, start=DEPOT, end=DEPOT))
    return RoutingProblem(time, distance, requests, fleet)


def solve(problem: RoutingProblem, options: SolveOptions):
    """Every solution a test looks at has passed the independent checker."""
    return assert_checked(problem, _solve(problem, options))


def fingerprint(solution) -> list[tuple[str, tuple[str, ...]]]:
    return sorted((r.vehicle_type, tuple(v.request_id for v in r.visits)) for r in solution.routes)


@pytest.mark.parametrize(("n", "workers"), [(SMALL_PROBLEM - 5, 1), (SMALL_PROBLEM + 15, 2)])
def test_same_seed_and_work_limit_give_the_same_routes(n: int, workers: int) -> None:
    problem = plane_problem(n)
    options = SolveOptions(time_limit_s=60, workers=workers, seed=1, solution_limit=40)
    first, second = solve(problem, options), solve(problem, options)
    assert not first.unserved
    assert fingerprint(first) == fingerprint(second)
    assert first.objective == second.objective


def test_a_tiny_time_limit_still_places_every_request() -> None:
    """The time limit bounds the improvement phase only. 300 requests take this search about
    1.4 s to place; cut at the limit, it used to return all 300 unserved."""
    problem = plane_problem(300, seed=5)
    solution = solve(problem, SolveOptions(time_limit_s=0.01, workers=1))
    assert solution.unserved == ()
    assert sum(1 for r in solution.routes for v in r.visits if v.kind == "pickup") == 300


def test_a_fleet_used_up_by_other_partitions_is_explained_as_such() -> None:
    """One taxi in the catalogue, two schools' partitions: the second pupil is unserved because
    the fleet ran out, not because no vehicle type fits."""
    problem = plane_problem(2)
    requests = tuple(replace(r, partition=f"school{k}") for k, r in enumerate(problem.requests))
    fleet = (VehicleType(catalogue_type="taxi", seats=4, wheelchair_spaces=0, count=1, fixed_cost=8000, cost_per_km=100, start=DEPOT, end=DEPOT),)
    solution = solve(replace(problem, requests=requests, vehicle_types=fleet), SolveOptions(time_limit_s=1, workers=1))
    assert [(u.reason_code, "All 1 vehicles" in u.detail and "in use on other routes" in u.detail and "taxi" in u.detail)
            for u in solution.unserved] == [("NO_VEHICLE_AVAILABLE", True)]
    assert "time limit" not in solution.unserved[0].detail


def test_scarce_vehicles_are_offered_only_for_the_pupils_who_need_them() -> None:
    """A partition with no wheelchair user gets no wheelchair vehicle (so one solved earlier
    cannot spend them on pupils any taxi could carry); one with two gets at most two."""
    from transport.optimise.partition import useful_fleet

    problem = plane_problem(6)
    wav = VehicleType(catalogue_type="wav", seats=4, wheelchair_spaces=1, count=5, fixed_cost=12000, cost_per_km=120, start=DEPOT, end=DEPOT)
    taxi = problem.vehicle_types[0]
    seated = problem.requests
    remaining = {"wav": 5, "taxi": taxi.count}
    assert [vt.name for vt in useful_fleet(seated, (taxi, wav), remaining, problem.time_s)] == ["taxi"]
    two_chairs = tuple(replace(r, wheelchairs=1) if k < 2 else r for k, r in enumerate(seated))
    offered = {vt.name: vt.count for vt in useful_fleet(two_chairs, (taxi, wav), remaining, problem.time_s)}
    assert offered == {"taxi": 4, "wav": 2}


def test_each_problem_shape_gets_a_search_that_serves_it() -> None:
    """The portfolio follows the objective and the shape: a savings start suits loads that
    leave the depot (VRPTW) but leaves pickup-and-delivery pairs unplaced, so pairs never get it."""
    pupils = plane_problem(SMALL_PROBLEM + 5, seed=7)
    free_fleet = tuple(replace(vt, fixed_cost=0) for vt in pupils.vehicle_types)
    pairs = replace(pupils, vehicle_types=free_fleet)
    deliveries = replace(pairs, requests=tuple(replace(r, pickup=None, max_ride_s=None) for r in pairs.requests))
    options = SolveOptions(time_limit_s=1, workers=2, seed=0)
    for problem, wanted_start in ((pupils, "PARALLEL_CHEAPEST_INSERTION"), (pairs, "PARALLEL_CHEAPEST_INSERTION"),
                                  (deliveries, "SAVINGS")):
        solution = solve(problem, options)
        assert solution.unserved == ()
        assert solution.stats["strategies"][0].startswith(wanted_start)
        assert all(not s.startswith("SAVINGS") for s in solution.stats["strategies"]) or problem is deliveries


def test_a_configuration_s_operators_and_penalty_weight_reach_the_search() -> None:
    """The depot-delivery searches switch on operators OR-Tools leaves off and weigh arc
    penalties more; the parameters the search runs with say so, and the pupil searches keep
    OR-Tools' defaults for both."""
    from transport.optimise.search import DEPOT_DELIVERIES, PRICED_VEHICLES, _parameters

    options = SolveOptions(time_limit_s=1)
    lead = _parameters(DEPOT_DELIVERIES[0], options)
    assert lead.local_search_operators.use_cross_exchange == 3  # BOOL_TRUE
    assert lead.local_search_operators.use_relocate_neighbors == 3
    assert lead.guided_local_search_lambda_coefficient == 0.3
    assert "cross_exchange" in DEPOT_DELIVERIES[0].label
    pupils = _parameters(PRICED_VEHICLES[0], options)
    assert pupils.local_search_operators.use_cross_exchange != 3
    assert pupils.guided_local_search_lambda_coefficient == 0.1
    assert pupils.local_search_operators.use_global_cheapest_insertion_close_nodes_lns == 3


def ride_seconds(solution) -> dict[str, int]:
    """Per request: drop-off start minus the end of boarding, from the returned visits."""
    boarded: dict[str, int] = {}
    rides: dict[str, int] = {}
    for route in solution.routes:
        for v in route.visits:
            if v.kind == "pickup":
                boarded[v.request_id] = v.departure_s
            elif v.kind == "delivery":
                rides[v.request_id] = v.service_start_s - boarded[v.request_id]
    return rides


def test_ride_limits_bind_and_are_kept() -> None:
    """With buses cheap and taxis dear, pooling everyone makes long rides; a 20-minute limit
    must then change the routes, and every pupil served rides within it."""
    base = plane_problem(24, seed=11)
    fleet = (replace(base.vehicle_types[0], fixed_cost=60000), replace(base.vehicle_types[1], fixed_cost=1000, count=6))
    loose = replace(base, vehicle_types=fleet, requests=tuple(replace(r, max_ride_s=None) for r in base.requests))
    tight = replace(loose, requests=tuple(replace(r, max_ride_s=1200) for r in loose.requests))
    options = SolveOptions(time_limit_s=2, workers=1)
    assert max(ride_seconds(solve(loose, options)).values()) > 1200  # the limit matters here
    solution = solve(tight, options)
    rides = ride_seconds(solution)
    assert rides and max(rides.values()) <= 1200
    assert len(rides) + len(solution.unserved) == len(tight.requests)


def test_pick_up_point_runs_start_from_buses_not_a_swarm_of_taxis() -> None:
    """Twenty stops of three secondary pupils each (75-minute limit): a taxi per stop is each
    stop's cheapest insertion, and no single move merges taxis into a coach, so insertion alone
    ends with nine taxis (£731) at any limit. The bus-run start plans the coach first: four
    vehicles, £538."""
    base = plane_problem(20, seed=13)
    stops = tuple(replace(r, seats=3, members=tuple(f"{r.request_id}-{k}" for k in range(3)), max_ride_s=4500,
                          delivery_window=(BELL - 1800, BELL - 300)) for r in base.requests)
    fleet = (VehicleType(catalogue_type="taxi", seats=4, wheelchair_spaces=0, count=20, fixed_cost=4000, cost_per_km=100, start=DEPOT, end=DEPOT),
             VehicleType(catalogue_type="coach", seats=53, wheelchair_spaces=0, count=3, fixed_cost=22000, cost_per_km=180, start=DEPOT, end=DEPOT))
    problem = replace(base, requests=stops, vehicle_types=fleet)
    solution = solve(problem, SolveOptions(time_limit_s=1, workers=1))
    assert solution.unserved == ()
    assert solution.stats["start"].startswith("largest vehicles")
    assert len(solution.routes) <= 4


def test_vehicles_set_off_late_enough_that_nobody_waits_aboard() -> None:
    """Pick-ups have no windows, so a well-timed route never waits at one: the vehicle leaves
    the depot as late as the school's window allows (the search's own timing left vehicles
    setting off at midnight and waiting at stops with pupils aboard)."""
    solution = solve(plane_problem(30, seed=17), SolveOptions(time_limit_s=1, workers=1))
    waits = [v.service_start_s - v.arrival_s for r in solution.routes for v in r.visits if v.kind == "pickup"]
    assert waits and max(waits) == 0
    assert min(r.visits[0].departure_s for r in solution.routes) > BELL - 3 * 3600


def test_retiming_holds_when_vehicles_end_away_from_their_start(caplog: pytest.LogCaptureFixture) -> None:
    """Vehicles that finish at the school (an end depot that is no vehicle's start, as in
    Cordeau's instances) number the solver's indices differently from the nodes: the found
    routes must still be read back and timed, not dropped with a warning."""
    base = plane_problem(30, seed=19)
    fleet = tuple(replace(vt, end=SCHOOL) for vt in base.vehicle_types)
    with caplog.at_level("WARNING"):
        solution = solve(replace(base, vehicle_types=fleet), SolveOptions(time_limit_s=1, workers=1))
    assert not [r for r in caplog.records if "retimed" in r.getMessage()]
    assert solution.unserved == ()
    waits = [v.service_start_s - v.arrival_s for r in solution.routes for v in r.visits if v.kind == "pickup"]
    assert max(waits) == 0


# --------------------------------------------------------------------------- passenger assistants are people


def special_school_case(wheelchair_taxis: int, assistants: int | None = None, taxis: int = 10):
    """20 SEND pupils to one special school, 5 of them wheelchair users who need an assistant;
    the catalogue: ordinary taxis and wheelchair taxis, each row one `available` count."""
    import pandas as pd

    from transport.fleet import FleetPrices, fleet

    base = plane_problem(20, seed=23)
    requests = tuple(replace(r, wheelchairs=1, needs_assistant=True, pickup_service_s=240) if k < 5 else r
                     for k, r in enumerate(base.requests))
    locations = pd.DataFrame({"location": range(len(base.time_s)), "kind": ["depot", "school"] + ["home"] * 20,
                              "lat": [52.0] + [np.nan] * 21, "lon": [-0.5] + [np.nan] * 21})
    catalogue = pd.DataFrame([
        {"vehicle_type": "taxi", "seats": 4, "wheelchair_spaces": 0, "daily_price_gbp": 80.0, "price_per_mile_gbp": 1.6,
         "available": taxis, "depot": "D", "depot_lat": 52.0, "depot_lon": -0.5},
        {"vehicle_type": "wheelchair_taxi", "seats": 3, "wheelchair_spaces": 1, "daily_price_gbp": 120.0,
         "price_per_mile_gbp": 2.0, "available": wheelchair_taxis, "depot": "D", "depot_lat": 52.0, "depot_lon": -0.5},
    ])
    types = fleet(catalogue, locations, requests, FleetPrices(80.18, assistants_available=assistants))
    return replace(base, requests=requests, vehicle_types=types, assistants_available=assistants)


def used_by_pool(problem: RoutingProblem, solution) -> dict[str, int]:
    types = {vt.name: vt for vt in problem.vehicle_types}
    used: dict[str, int] = {}
    for route in solution.routes:
        pool = types[route.vehicle_type].pool
        used[pool] = used.get(pool, 0) + 1
    return used


def test_any_wheelchair_taxi_can_take_an_assistant_when_a_pupil_needs_one() -> None:
    """With a fixed third of the six wheelchair taxis able to take an assistant, two of the five
    wheelchair users who need one could be served; now any of the six can."""
    problem = special_school_case(wheelchair_taxis=6)
    assisted = [vt for vt in problem.vehicle_types if vt.has_assistant and vt.wheelchair_spaces]
    assert assisted and assisted[0].count == 6 and assisted[0].pool_size == 6
    solution = solve(problem, SolveOptions(time_limit_s=2, workers=1))
    assert solution.unserved == ()
    assert used_by_pool(problem, solution)["wheelchair_taxi@D"] <= 6


def test_the_shared_count_of_a_catalogue_row_is_never_exceeded() -> None:
    """One wheelchair taxi for five wheelchair users: it is used once (with or without an
    assistant), carries whom it can in the window, and the others are unserved because the
    vehicles ran out, which is what the reason says."""
    problem = special_school_case(wheelchair_taxis=1)
    solution = solve(problem, SolveOptions(time_limit_s=2, workers=1))
    assert used_by_pool(problem, solution)["wheelchair_taxi@D"] == 1
    assert len(solution.unserved) >= 2
    assert {u.reason_code for u in solution.unserved} == {"NO_VEHICLE_AVAILABLE"}
    assert all("wheelchair_taxi" in u.detail and "time limit" not in u.detail for u in solution.unserved)


def test_no_more_assistants_are_hired_than_there_are() -> None:
    """One assistant for five pupils who need one, with wheelchair taxis to spare."""
    problem = special_school_case(wheelchair_taxis=6, assistants=1)
    solution = solve(problem, SolveOptions(time_limit_s=2, workers=1))
    types = {vt.name: vt for vt in problem.vehicle_types}
    assert sum(types[r.vehicle_type].has_assistant for r in solution.routes) == 1
    assert len(solution.unserved) >= 2
    assert {u.reason_code for u in solution.unserved} == {"NO_ASSISTANT_AVAILABLE"}
    assert all("assistants_available" in u.detail for u in solution.unserved)


@pytest.mark.parametrize("budget", [0.5, 4.0, 30.0])
def test_partition_time_limits_fit_the_run_limit_however_many_partitions(budget: float) -> None:
    """Ten partitions (six with two searches side by side, four small ones searched in turn) share
    a budget: together they never take more of each process than it, the larger get more time,
    and none gets less than the floor unless the floor itself would overrun the budget."""
    from transport.optimise.partition import MIN_PARTITION_SECONDS, _time_limits

    sizes = {f"p{k}": n for k, n in enumerate([120, 90, 80, 60, 40, 30, 8, 5, 3, 1])}
    load = {key: (1.0 if n >= 30 else 0.5) for key, n in sizes.items()}
    limits = _time_limits(sizes, load, budget)
    assert sum(limits[k] * load[k] for k in sizes) <= budget + 1e-9
    assert limits["p0"] >= limits["p1"] >= limits["p9"] > 0
    floor = min(MIN_PARTITION_SECONDS, budget / sum(load.values()))
    assert min(limits.values()) >= floor - 1e-9
    if budget >= MIN_PARTITION_SECONDS * sum(load.values()) * 2:
        assert limits["p0"] / limits["p1"] == pytest.approx(120 / 90)


def test_a_seed_never_swaps_the_lead_search_for_a_weaker_one() -> None:
    """With one process every seed runs the portfolio's lead configuration (the seed only
    rotates which of the others join it); with two, the lead plus one the seed picks."""
    from transport.optimise.search import portfolio, search_tasks

    problem = plane_problem(SMALL_PROBLEM + 5)
    lead = portfolio(problem)[0]
    for seed in range(4):
        assert [c for c, _ in search_tasks(problem, SolveOptions(workers=1, seed=seed, time_limit_s=1))] == [lead]
    pairs = {tuple(c for c, _ in search_tasks(problem, SolveOptions(workers=2, seed=seed, time_limit_s=1))) for seed in range(4)}
    assert all(pair[0] == lead and pair[1] != lead for pair in pairs) and len(pairs) == len(portfolio(problem)) - 1
