"""Scenario answers that stand still: a difference between scenarios is the scenario's, not the search's.

The hand-made town (tests/conftest.py, 1-mile blocks) with two partitions: four SEND pupils
collected from home for Hilltop, and mainstream pupils at Valley Academy walking to pick-up
points (a 0.4-mile walking limit makes them eligible in so small a town). Scenarios change one
side: they add pupils, remove one, or change nothing. Searches are short (1 s) so that the
search's own noise would show if the runs were independent.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import MILE, _at, write_town_case
from tests.osm_fixture import town_xml
from transport.compare import compare

MAINSTREAM = {"M1": (0.2, 1), "M2": (0.4, 1), "M3": (0.6, 1), "M4": (2, 0.2), "M5": (1.8, 0), "M6": (1.6, 0)}
ADDED = {"M7": (0.8, 1), "M8": (1.7, 0)}


def pupils(base: pd.DataFrame, homes: dict[str, tuple[float, float]]) -> pd.DataFrame:
    rows = [{"pupil_id": pid, "lat": _at(*xy)[0], "lon": _at(*xy)[1], "age": 12, "school_urn": "900002"}
            for pid, xy in homes.items()]
    return pd.concat([base, pd.DataFrame(rows)], ignore_index=True)


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = write_town_case(tmp_path_factory.mktemp("stability"), school_name="Valley Academy")
    stops = [(30, 100, {"highway": "bus_stop", "name": "North Street West"}),
             (70, 100, {"highway": "bus_stop", "name": "North Street East"}),
             (180, 0, {"highway": "bus_stop", "name": "South Street East"})]
    (folder / "town.osm").write_text(town_xml(block_m=MILE, extra_nodes=stops), encoding="utf-8")
    send = pd.read_csv(folder / "pupils.csv", dtype=str)
    pupils(send, MAINSTREAM).to_csv(folder / "pupils.csv", index=False)
    pupils(send, MAINSTREAM | ADDED).to_csv(folder / "pupils_added.csv", index=False)
    pupils(send[send["pupil_id"] != "P3"], MAINSTREAM).to_csv(folder / "pupils_removed.csv", index=False)
    policy = ('[policy]\nboarding_minutes = 2\nstatutory_walking_distance_8_plus_miles = 0.4\n'
              'pickup_point_max_walk_miles = 0.35\n[optimise]\ntime_limit_s = 1\nworkers = 1\n')
    (folder / "base.toml").write_text(f'name = "base"\nbase = "baseline.toml"\n{policy}', encoding="utf-8")
    for name, file in (("same", "pupils.csv"), ("added", "pupils_added.csv"), ("removed", "pupils_removed.csv")):
        (folder / f"{name}.toml").write_text(f'name = "{name}"\nbase = "base.toml"\n[data]\npupils = "{file}"\n',
                                             encoding="utf-8")
    return folder


@pytest.fixture(scope="module", params=[0, 7], ids=["seed-0", "seed-7"])
def compared(request: pytest.FixtureRequest, town: Path) -> dict:
    names = ["base", "same", "added", "removed"]
    result = compare([town / f"{n}.toml" for n in names], town / f"out-{request.param}", seed=request.param)
    return {run.name: run for run in result["results"]}


def cost(run) -> float:
    return run.summary["annual_cost_gbp"]


def stops_of(run, partition_prefix: str) -> list[tuple]:
    """A partition's routes by content: vehicle type, and each stop's kind, pupils, place and times."""
    rows = []
    for name, solution in sorted(run.solutions.items()):
        problem = run.problems[name]
        members = {r.request_id: r.members for r in problem.requests}
        for route in solution.routes:
            if route.partition.startswith(partition_prefix):
                rows.append((name, route.vehicle_type, tuple(
                    (v.kind, members.get(v.request_id, ()), problem.location_names[v.location], v.arrival_s,
                     v.service_start_s, v.departure_s, v.seats_load) for v in route.visits)))
    return sorted(rows)


def test_the_town_has_both_partitions(compared: dict) -> None:
    base = compared["base"]
    assert {r.partition.split(":")[0] for s in base.solutions.values() for r in s.routes} == {"send", "mainstream"}
    assert base.summary["pupils_transported"] == 4 + len(MAINSTREAM)


def test_an_identical_scenario_equals_its_base_to_the_penny(compared: dict) -> None:
    assert cost(compared["same"]) == cost(compared["base"])
    assert stops_of(compared["same"], "") == stops_of(compared["base"], "")


def test_a_scenario_that_only_adds_pupils_is_never_cheaper(compared: dict) -> None:
    assert compared["added"].summary["pupils_transported"] == compared["base"].summary["pupils_transported"] + len(ADDED)
    assert cost(compared["added"]) >= cost(compared["base"])


def test_a_scenario_that_only_removes_a_pupil_is_never_dearer(compared: dict) -> None:
    assert compared["removed"].summary["pupils_transported"] == compared["base"].summary["pupils_transported"] - 1
    assert cost(compared["removed"]) <= cost(compared["base"])


def test_changing_one_partition_leaves_the_others_routes_as_they_were(compared: dict) -> None:
    """Adding mainstream pupils leaves the SEND runs stop for stop; removing a SEND pupil leaves
    the pick-up point runs."""
    assert stops_of(compared["added"], "send") == stops_of(compared["base"], "send")
    assert stops_of(compared["removed"], "mainstream") == stops_of(compared["base"], "mainstream")


def test_routes_carried_between_runs_keep_each_request_at_its_own_place_when_two_share_a_name() -> None:
    """Two schools' pick-up points at the same spot share a name; a carried visit goes to the
    place its request names, not to whichever of the two the name was last seen at."""
    import numpy as np

    from transport.optimise.problem import Request, RoutingProblem, VehicleType
    from transport.optimise.reuse import translated
    from transport.optimise.solution import Route, Visit

    def problem(names: tuple[str, ...], stop_of: dict[str, int]) -> RoutingProblem:
        n = len(names)
        requests = tuple(Request(request_id=f"S1-{g}", pickup=stop_of[g], delivery=names.index(f"school:{g}"), members=(f"P{g}",), group=g)
                         for g in ("A", "B"))
        return RoutingProblem(np.zeros((n, n), dtype=np.int64), np.zeros((n, n), dtype=np.int64), requests,
                              (VehicleType(catalogue_type="bus", seats=16),), location_names=names)

    source = problem(("depot:D", "stop:1,1", "stop:1,1", "school:A", "school:B"), {"A": 1, "B": 2})
    target = problem(("depot:D", "school:A", "school:B", "stop:1,1", "extra", "stop:1,1"), {"A": 5, "B": 3})
    route = Route(0, "bus", (Visit(0, "start"), Visit(1, "pickup", "S1-A"), Visit(2, "pickup", "S1-B"),
                             Visit(3, "delivery", "S1-A"), Visit(4, "delivery", "S1-B"), Visit(0, "end")), 0, 0)
    (carried,) = translated(source, (route,), target)
    where = {(v.kind, v.request_id): v.location for v in carried.visits}
    assert where[("pickup", "S1-A")] == 5 and where[("pickup", "S1-B")] == 3
    assert where[("delivery", "S1-A")] == 1 and where[("delivery", "S1-B")] == 2


def test_routes_offered_for_one_partition_never_take_the_run_past_its_fleet() -> None:
    """Each partition's held share is raised to what its routes use, so two partitions' shares
    can overlap; cheaper routes that fit their own partition's share but would put the run over
    the fleet (FLEET_SIZE in the check) are refused."""
    import numpy as np

    from transport.optimise.problem import Request, RoutingProblem, VehicleType
    from transport.optimise.reuse import Base, offered
    from transport.optimise.solution import Route, Solution, Visit

    names = ("depot:D", "stop:a1", "stop:a2", "stop:b", "school:S")
    km = np.array([[0, 1, 1, 1, 2], [1, 0, 500, 1, 1], [1, 500, 0, 1, 1], [1, 1, 1, 0, 1], [2, 1, 1, 1, 0]]) * 1000
    requests = (Request(request_id="A1", pickup=1, delivery=4, partition="A"),
                Request(request_id="A2", pickup=2, delivery=4, partition="A"),
                Request(request_id="B1", pickup=3, delivery=4, partition="B"))

    def problem(taxis: int) -> RoutingProblem:
        return RoutingProblem(km // 10, km, requests, (VehicleType(catalogue_type="taxi", seats=4, count=taxis, cost_per_km=100),),
                              location_names=names)

    def route(k: int, partition: str, *stops: tuple[int, str, str]) -> Route:
        visits = (Visit(0, "start"), *(Visit(loc, kind, rid) for loc, kind, rid in stops), Visit(0, "end"))
        return Route(k, "taxi", visits, 0, 10**9, partition)

    shared = route(0, "A", (1, "pickup", "A1"), (2, "pickup", "A2"), (4, "delivery", "A1"), (4, "delivery", "A2"))
    alone_b = route(1, "B", (3, "pickup", "B1"), (4, "delivery", "B1"))
    split = (route(0, "A", (1, "pickup", "A1"), (4, "delivery", "A1")), route(1, "A", (2, "pickup", "A2"), (4, "delivery", "A2")))
    held = {"allocation": {"A": {"taxi": 2}, "B": {"taxi": 1}}}
    source = Base(problem(3), Solution(split, (), 0, "OK", 0.0, stats=held))
    for taxis, takes in ((2, False), (3, True)):
        target = Base(problem(taxis), Solution((shared, alone_b), (), 0, "OK", 0.0, stats=held))
        better = offered(target, source)
        assert (better is not None) == takes
        if better is not None:
            assert len(better.routes) == 3


def test_routes_lacking_some_of_the_takers_pupils_are_completed_before_they_are_offered() -> None:
    """A scenario's routes for a partition lack a pupil the base has (the scenario moved them
    elsewhere). Offered as they are they cannot replace the base's; completed by a short search
    from them, which inserts the missing pupil, they serve every pupil and cost less, so the base
    keeps the benefit of the scenario's search as well."""
    import numpy as np

    from transport.optimise.problem import Request, RoutingProblem, VehicleType
    from transport.optimise.reuse import Base, offered
    from transport.optimise.solution import Route, Solution, Visit

    names = ("depot:D", "home:P1", "home:P2", "school:S")
    km = np.array([[0, 2, 3, 5], [2, 0, 1, 4], [3, 1, 0, 3], [5, 4, 3, 0]]) * 1000
    taxi = VehicleType(catalogue_type="taxi", seats=4, count=2, fixed_cost=5_000, cost_per_km=100)
    both = (Request(request_id="P1", pickup=1, delivery=3, partition="send", members=("P1",)),
            Request(request_id="P2", pickup=2, delivery=3, partition="send", members=("P2",)))

    def problem(requests) -> RoutingProblem:
        return RoutingProblem(km // 10, km, requests, (taxi,), location_names=names)

    def route(*stops: tuple[int, str, str], cost: int) -> Route:
        visits = (Visit(0, "start"), *(Visit(loc, kind, rid) for loc, kind, rid in stops), Visit(0, "end"))
        return Route(0, "taxi", visits, 0, cost, "send")

    held = {"allocation": {"send": {"taxi": 2}}}
    # the base's plan: each pupil in a taxi of their own (dear)
    alone = (route((1, "pickup", "P1"), (3, "delivery", "P1"), cost=10**6),
             route((2, "pickup", "P2"), (3, "delivery", "P2"), cost=10**6))
    base = Base(problem(both), Solution(alone, (), 0, "OK", 0.0, stats=held))
    scenario = Base(problem(both[:1]), Solution((route((1, "pickup", "P1"), (3, "delivery", "P1"), cost=5_900),), (), 0, "OK",
                                                0.0, stats=held))
    assert offered(base, scenario) is None
    better = offered(base, scenario, completion_s=1.0)
    assert better is not None
    assert {v.request_id for r in better.routes for v in r.visits if v.request_id} == {"P1", "P2"}
    assert sum(r.cost for r in better.routes) < 2 * 10**6
