"""The independent checker: a fresh solve passes, and every way of breaking it is caught.

One small but real problem is solved once per module (seeded matrices, 13 requests, a
taxi / wheelchair taxi / minibus / minibus-with-assistant fleet, a pupil who travels alone,
one incompatible pair, one depot-loaded request). Each mutation test copies the run folder,
breaks one thing in its files and asserts the checker names the right rule.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transport.check import (
    RULES,
    CheckFailed,
    Violation,
    assert_feasible,
    check_output_dir,
    check_run,
    check_run_dir,
)
from transport.optimise.partition import solve
from transport.optimise.problem import Request, RoutingProblem, VehicleType
from transport.optimise.search import SolveOptions
from transport.optimise.solution import Solution
from transport.policy import Policy
from transport.runfiles import read_run_tables, write_run

HOMES = 12
DEPOT, SCHOOL_A, SCHOOL_B = 0, 1, 2
SOLO, ASSISTED, WHEELCHAIR, SIBLINGS, DEPOT_LOADED = "r3", "r5", "r7", "r10", "d0"
INCOMPATIBLE = ("r1", "r2")
TIME_RULES = {"TRAVEL_TIME", "TIME_WINDOW", "RIDE_TIME", "MAX_DURATION"}


def build_problem(seed: int = 7) -> tuple[RoutingProblem, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    points = rng.uniform(0, 8000, (HOMES + 3, 2))
    euclid = np.hypot(*(points[:, None, :] - points[None, :, :]).transpose(2, 0, 1))
    distance = np.rint(euclid * 1.3).astype(np.int64)
    time = np.ceil(euclid * 1.3 / 9).astype(np.int64)
    for k in range(len(time)):  # shortest paths: the triangle inequality holds exactly
        time = np.minimum(time, time[:, k : k + 1] + time[k : k + 1, :])
    requests = []
    for i in range(HOMES):
        school = SCHOOL_A if i % 3 else SCHOOL_B
        window = (8 * 3600 + 1800, 8 * 3600 + 2700) if school == SCHOOL_A else (8 * 3600 + 2400, 8 * 3600 + 3300)
        requests.append(Request(
            request_id=f"r{i}", pickup=3 + i, delivery=school, seats=2 if f"r{i}" == SIBLINGS else 1, wheelchairs=int(f"r{i}" == WHEELCHAIR),
            pickup_window=(7 * 3600 + 1800, 8 * 3600 + 2400) if i == 4 else None, delivery_window=window,
            max_ride_s=2700, pickup_service_s=60, delivery_service_s=30, needs_assistant=f"r{i}" == ASSISTED,
            travel_alone=f"r{i}" == SOLO, members=(f"P{i:03d}", "P099") if f"r{i}" == SIBLINGS else (f"P{i:03d}",),
            group="A" if school == SCHOOL_A else "B"))
    requests.append(Request(request_id=DEPOT_LOADED, pickup=None, delivery=SCHOOL_B, delivery_window=(8 * 3600 + 2400, 8 * 3600 + 3300),
                            delivery_service_s=30, members=("P020",), group="B"))
    fleet = (
        VehicleType(catalogue_type="taxi", seats=4, wheelchair_spaces=0, count=4, fixed_cost=9000, cost_per_km=100,
                    start=DEPOT, end=DEPOT, max_duration_s=3 * 3600),
        VehicleType(catalogue_type="wav", seats=4, wheelchair_spaces=1, count=1, fixed_cost=12000, cost_per_km=120,
                    start=DEPOT, end=DEPOT),
        VehicleType(catalogue_type="minibus", seats=8, wheelchair_spaces=1, count=2, fixed_cost=20000, cost_per_km=150,
                    start=DEPOT, end=DEPOT),
        VehicleType(catalogue_type="minibus", seats=8, wheelchair_spaces=1, count=1, fixed_cost=30000, cost_per_km=150,
                    start=DEPOT, end=DEPOT, has_assistant=True),
    )
    problem = RoutingProblem(time, distance, tuple(requests), fleet, incompatible=(INCOMPATIBLE,))
    locations = pd.DataFrame({
        "location": range(HOMES + 3), "kind": ["depot", "school", "school"] + ["home"] * HOMES,
        "ref": ["D", "SA", "SB"] + [f"h{i}" for i in range(HOMES)],
        "lat": 52 + points[:, 1] / 111_000, "lon": -0.5 + points[:, 0] / 70_000,
    })
    return problem, locations


@dataclass
class Solved:
    out_dir: Path
    run_dir: Path
    problem: RoutingProblem
    solution: Solution


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> Solved:
    problem, locations = build_problem()
    solution = solve(problem, SolveOptions(time_limit_s=2, workers=1))
    out_dir = tmp_path_factory.mktemp("checked")
    run_dir = write_run(out_dir / "runs" / "AM", "AM", problem, solution, locations)
    return Solved(out_dir, run_dir, problem, solution)


@pytest.fixture
def run(solved: Solved, tmp_path: Path) -> Path:
    """A private copy of the solved run folder, free to break."""
    return shutil.copytree(solved.run_dir, tmp_path / "AM")


# --------------------------------------------------------------------------- file helpers


def read(run_dir: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(run_dir / name, dtype=str, keep_default_na=False)


def write(run_dir: Path, name: str, frame: pd.DataFrame) -> None:
    frame.to_csv(run_dir / name, index=False)


def rules(run_dir: Path) -> set[str]:
    return {v.rule for v in check_run_dir(run_dir)}


def routes_of(run_dir: Path) -> pd.DataFrame:
    routes = read(run_dir, "routes.csv")
    routes["_seq"] = routes["sequence"].astype(float)
    return routes.sort_values(["vehicle", "_seq"]).reset_index(drop=True)


def save_routes(run_dir: Path, routes: pd.DataFrame) -> None:
    routes = routes.sort_values(["vehicle", "_seq"]).reset_index(drop=True)
    routes["sequence"] = routes.groupby("vehicle").cumcount().astype(str)
    write(run_dir, "routes.csv", routes.drop(columns=["_seq"]))


def vehicle_of(run_dir: Path, request_id: str) -> str:
    routes = read(run_dir, "routes.csv")
    return routes.loc[routes["request_id"] == request_id, "vehicle"].iloc[0]


def stop(routes: pd.DataFrame, request_id: str, kind: str) -> pd.Series:
    return routes[(routes["request_id"] == request_id) & (routes["stop_kind"] == kind)].iloc[0]


def set_cell(run_dir: Path, name: str, key: str, value: str, column: str, new: object) -> None:
    frame = read(run_dir, name)
    frame.loc[frame[key] == value, column] = str(new)
    write(run_dir, name, frame)


def served(run_dir: Path) -> list[str]:
    return sorted(set(read(run_dir, "routes.csv")["request_id"]) - {""})


def pair_requests_aboard_together(run_dir: Path) -> tuple[str, str]:
    """Two requests (both with a pickup) aboard the same vehicle at the same time."""
    routes = routes_of(run_dir)
    for _, rows in routes.groupby("vehicle"):
        aboard: list[str] = []
        for row in rows.itertuples():
            if row.stop_kind == "pickup":
                if aboard:
                    return aboard[0], row.request_id
                aboard.append(row.request_id)
            elif row.stop_kind == "delivery" and row.request_id in aboard:
                aboard.remove(row.request_id)
    raise AssertionError("no vehicle carries two requests at once in this solution")


def retime(run_dir: Path, routes: pd.DataFrame, vehicles: set[str]) -> pd.DataFrame:
    """Re-derive times, loads and ride minutes of the given vehicles, as a route builder would.

    Each stop starts as early as the travel allows but not before its old start (new stops,
    with empty times: not before their window opens), so only the intended break shows.
    """
    time_s = np.load(run_dir / "matrix.npz")["time_s"]
    requests = read(run_dir, "requests.csv").set_index("request_id")
    routes = routes.sort_values(["vehicle", "_seq"]).reset_index(drop=True)
    for vehicle in vehicles:
        previous = None
        seats = wheels = 0
        boarded: dict[str, int] = {}
        for idx in routes.index[routes["vehicle"] == vehicle]:
            row = routes.loc[idx]
            kind, rid, loc = row["stop_kind"], row["request_id"], int(row["location"])
            req = requests.loc[rid] if kind in ("pickup", "delivery") else None
            old = int(row["service_start_s"]) if row["service_start_s"] else None
            if previous is None:
                arrival = start = old
            else:
                arrival = previous[0] + int(time_s[previous[1], loc])
                opens = req[f"{kind}_earliest_s"] if req is not None else ""
                start = max(arrival, old if old is not None else int(opens) if opens else arrival)
            service = int(req[f"{kind}_service_s"]) if req is not None else 0
            ride = ""
            if req is not None:
                sign = 1 if kind == "pickup" or not req["pickup"] else -1
                seats += sign * int(req["seats"])
                wheels += sign * int(req["wheelchairs"])
                if kind == "pickup":
                    boarded[rid] = start + service
                elif rid in boarded:
                    ride = str(round((start - boarded[rid]) / 60, 1))
            routes.loc[idx, ["arrival_s", "service_start_s", "departure_s", "seats_load", "wheelchair_load",
                             "ride_minutes"]] = [str(arrival), str(start), str(start + service), str(seats), str(wheels), ride]
            previous = (start + service, loc)
    return routes


def move_request(run_dir: Path, routes: pd.DataFrame, rid: str, vehicle: str, after_seq: int, before_seq: int) -> pd.DataFrame:
    """Take request `rid` off its vehicle and put it on `vehicle`: pickup after stop `after_seq`,
    delivery before stop `before_seq` (sequence numbers on the target), then retime both."""
    mine = routes["request_id"] == rid
    source = set(routes.loc[mine, "vehicle"])
    moved = routes[mine].copy()
    target = routes[routes["vehicle"] == vehicle].iloc[0]
    for column in ("vehicle", "vehicle_type", "catalogue_type", "has_assistant"):
        moved[column] = target[column]
    moved[["arrival_s", "service_start_s", "departure_s"]] = ""
    moved["_seq"] = [after_seq + 0.3 if k == "pickup" else before_seq - 0.3 for k in moved["stop_kind"]]
    routes = pd.concat([routes[~mine], moved], ignore_index=True)
    routes = routes.sort_values(["vehicle", "_seq"]).reset_index(drop=True)
    routes["_seq"] = routes.groupby("vehicle").cumcount()
    return retime(run_dir, routes, source | {vehicle})


# --------------------------------------------------------------------------- the fresh solve


def test_fresh_solve_has_no_violations(solved: Solved) -> None:
    violations = check_run_dir(solved.run_dir)
    assert violations == [], "\n".join(map(str, violations))
    assert check_output_dir(solved.out_dir) == []
    assert_feasible(solved.out_dir)


def test_fresh_solve_exercises_every_feature(solved: Solved) -> None:
    """The mutations below rely on these; if the solver stops serving them the tests say why."""
    routes = read(solved.run_dir, "routes.csv")
    carried = set(routes["request_id"])
    for rid in (SOLO, ASSISTED, WHEELCHAIR, SIBLINGS, DEPOT_LOADED, *INCOMPATIBLE):
        assert rid in carried, f"the solver left {rid} unserved: {solved.solution.unserved}"
    assert routes.loc[routes["request_id"] == ASSISTED, "has_assistant"].eq("True").all()
    assert not solved.solution.unserved, solved.solution.unserved
    assert len(set(routes["vehicle"])) >= 2
    pair_requests_aboard_together(solved.run_dir)


def test_check_imports_neither_ortools_nor_the_search() -> None:
    """The checker reads with the run codec and the plain dataclasses, never the solver."""
    code = ("import sys, transport.check\n"
            "bad = [m for m in sys.modules if m.split('.')[0] == 'ortools' or m in ('transport.optimise.model',"
            " 'transport.optimise.search', 'transport.optimise.partition', 'transport.optimise.extract',"
            " 'transport.optimise.timing')]\n"
            "assert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


# --------------------------------------------------------------------------- capacity


def test_taxi_given_too_many_passengers(run: Path) -> None:
    """Rewrite a route (times and loads consistent) so that it carries more than its seats."""
    routes = routes_of(run)
    requests = read(run, "requests.csv").set_index("request_id")
    fleet = read(run, "fleet.csv").set_index("name")
    usable = {name: int(row["seats"]) - (row["has_assistant"] == "True") for name, row in fleet.iterrows()}
    vehicles = [v for v, rows in routes.groupby("vehicle") if not (rows["request_id"] == SOLO).any()]
    assert vehicles, "every vehicle carries the solo pupil?"
    vehicle = min(vehicles, key=lambda v: usable[routes.loc[routes["vehicle"] == v, "vehicle_type"].iloc[0]])
    seats = usable[routes.loc[routes["vehicle"] == vehicle, "vehicle_type"].iloc[0]]
    on_it = set(routes.loc[routes["vehicle"] == vehicle, "request_id"])
    candidates = [rid for rid in requests.index if requests.loc[rid, "pickup"] and rid not in on_it
                  and rid not in (SOLO, ASSISTED, WHEELCHAIR, *INCOMPATIBLE)]
    for rid in candidates:  # board them all right after the start, drop them just before the end
        last = routes.loc[routes["vehicle"] == vehicle, "_seq"].max()
        routes = move_request(run, routes, rid, vehicle, 0, last)
        if routes.loc[routes["vehicle"] == vehicle, "seats_load"].astype(int).max() > seats:
            break
    else:
        pytest.fail(f"could not overfill {vehicle} ({seats} seats)")
    save_routes(run, routes)
    violations = check_run_dir(run)
    found = {v.rule for v in violations}
    assert ("CAPACITY_SEATS", vehicle) in {(v.rule, v.vehicle) for v in violations}
    assert found <= {"CAPACITY_SEATS"} | TIME_RULES, found


@settings(max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_seat_capacity_below_the_load_is_caught(solved: Solved, data: st.DataObject) -> None:
    routes = read(solved.run_dir, "routes.csv")
    fleet = read(solved.run_dir, "fleet.csv").set_index("name")
    vehicle = data.draw(st.sampled_from(sorted(set(routes["vehicle"]))), label="vehicle")
    rows = routes[routes["vehicle"] == vehicle]
    name = rows["vehicle_type"].iloc[0]
    peak = int(rows["seats_load"].astype(int).max())
    usable = data.draw(st.integers(0, peak - 1), label="usable seats")
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = shutil.copytree(solved.run_dir, Path(tmp) / "AM")
        assistant = fleet.loc[name, "has_assistant"] == "True"
        set_cell(run_dir, "fleet.csv", "name", name, "seats", usable + int(assistant))
        violations = check_run_dir(run_dir)
    assert {v.rule for v in violations} == {"CAPACITY_SEATS"}
    assert vehicle in {v.vehicle for v in violations}


def test_assistant_takes_a_seat(run: Path) -> None:
    """With an assistant the usable seats are seats - 1: a full minibus+PA must have seats > load."""
    routes = read(run, "routes.csv")
    vehicle = vehicle_of(run, ASSISTED)
    peak = int(routes.loc[routes["vehicle"] == vehicle, "seats_load"].astype(int).max())
    set_cell(run, "fleet.csv", "name", "minibus+PA", "seats", peak + 1)
    assert rules(run) == set()
    set_cell(run, "fleet.csv", "name", "minibus+PA", "seats", peak)
    assert rules(run) == {"CAPACITY_SEATS"}


def test_no_wheelchair_space(run: Path) -> None:
    routes = read(run, "routes.csv")
    name = routes.loc[routes["request_id"] == WHEELCHAIR, "vehicle_type"].iloc[0]
    set_cell(run, "fleet.csv", "name", name, "wheelchair_spaces", 0)
    assert rules(run) == {"WHEELCHAIR"}


def test_wrong_load_column(run: Path) -> None:
    routes = routes_of(run)
    idx = routes.index[routes["stop_kind"] == "pickup"][0]
    routes.loc[idx, "seats_load"] = str(int(routes.loc[idx, "seats_load"]) + 1)
    save_routes(run, routes)
    assert rules(run) == {"LOAD_MISMATCH"}


def test_depot_loaded_request_counts_from_its_delivery(run: Path) -> None:
    """VRP semantics: the load of a request without pickup rises at its delivery."""
    routes = routes_of(run)
    d = stop(routes, DEPOT_LOADED, "delivery")
    before = routes[(routes["vehicle"] == d["vehicle"]) & (routes["_seq"] == d["_seq"] - 1)].iloc[0]
    assert int(d["seats_load"]) == int(before["seats_load"]) + 1
    routes.loc[routes["request_id"] == DEPOT_LOADED, "seats_load"] = before["seats_load"]
    save_routes(run, routes)
    assert rules(run) == {"LOAD_MISMATCH"}


# --------------------------------------------------------------------------- time


def test_time_window_broken(run: Path) -> None:
    routes = routes_of(run)
    rid = "r1"
    d = stop(routes, rid, "delivery")
    set_cell(run, "requests.csv", "request_id", rid, "delivery_latest_s", int(d["service_start_s"]) - 10)
    assert rules(run) == {"TIME_WINDOW"}


def test_pickup_window_broken(run: Path) -> None:
    routes = routes_of(run)
    p = stop(routes, "r4", "pickup")
    set_cell(run, "requests.csv", "request_id", "r4", "pickup_earliest_s", int(p["service_start_s"]) + 10)
    assert rules(run) == {"TIME_WINDOW"}


def test_ride_time_exceeded(run: Path) -> None:
    routes = routes_of(run)
    rid = "r6"
    ride = int(stop(routes, rid, "delivery")["service_start_s"]) - int(stop(routes, rid, "pickup")["departure_s"])
    set_cell(run, "requests.csv", "request_id", rid, "max_ride_s", ride)
    assert rules(run) == set()  # exactly at the limit is allowed
    set_cell(run, "requests.csv", "request_id", rid, "max_ride_s", ride - 10)
    assert rules(run) == {"RIDE_TIME"}


def test_travel_faster_than_the_matrix(run: Path) -> None:
    with np.load(run / "matrix.npz") as npz:
        time_s, distance_m = npz["time_s"], npz["distance_m"]
    np.savez_compressed(run / "matrix.npz", time_s=time_s * 2, distance_m=distance_m)
    assert "TRAVEL_TIME" in rules(run)


def test_service_time_not_respected(run: Path) -> None:
    set_cell(run, "requests.csv", "request_id", "r8", "pickup_service_s", 120)
    assert rules(run) == {"SERVICE_TIME"}


def test_max_duration(run: Path) -> None:
    routes = routes_of(run)
    spans = {v: int(rows["service_start_s"].astype(int).iloc[-1]) - int(rows["service_start_s"].astype(int).iloc[0])
             for v, rows in routes.groupby("vehicle")}
    vehicle = max(spans, key=spans.get)
    name = routes.loc[routes["vehicle"] == vehicle, "vehicle_type"].iloc[0]
    set_cell(run, "fleet.csv", "name", name, "max_duration_s", spans[vehicle])
    assert rules(run) == set()
    set_cell(run, "fleet.csv", "name", name, "max_duration_s", spans[vehicle] - 60)
    assert rules(run) == {"MAX_DURATION"}


@settings(max_examples=40, deadline=None, database=None)
@given(data=st.data())
def test_random_stop_moved_earlier_is_caught(solved: Solved, data: st.DataObject) -> None:
    """Any stop but the first, moved earlier by more than its waiting slack, breaks travel time."""
    routes = routes_of(solved.run_dir)
    with np.load(solved.run_dir / "matrix.npz") as npz:
        time_s = npz["time_s"]
    vehicle = data.draw(st.sampled_from(sorted(set(routes["vehicle"]))), label="vehicle")
    rows = routes.index[routes["vehicle"] == vehicle]
    position = data.draw(st.integers(1, len(rows) - 1), label="stop")
    idx, prev = rows[position], rows[position - 1]
    earliest = int(routes.loc[prev, "departure_s"]) + int(time_s[int(routes.loc[prev, "location"]),
                                                                int(routes.loc[idx, "location"])])
    slack = int(routes.loc[idx, "service_start_s"]) - earliest
    shift = slack + 1 + data.draw(st.integers(1, 900), label="beyond the slack")  # tolerance is 1 s
    for column in ("arrival_s", "service_start_s", "departure_s"):
        routes.loc[idx, column] = str(int(routes.loc[idx, column]) - shift)
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = shutil.copytree(solved.run_dir, Path(tmp) / "AM")
        save_routes(run_dir, routes)
        found = rules(run_dir)
    assert "TRAVEL_TIME" in found
    assert found <= TIME_RULES, found


# --------------------------------------------------------------------------- order and completeness


def test_delivery_before_pickup(run: Path) -> None:
    routes = routes_of(run)
    p = routes.index[(routes["request_id"] == "r6") & (routes["stop_kind"] == "pickup")][0]
    d = routes.index[(routes["request_id"] == "r6") & (routes["stop_kind"] == "delivery")][0]
    routes.loc[p, "_seq"], routes.loc[d, "_seq"] = routes.loc[d, "_seq"], routes.loc[p, "_seq"]
    save_routes(run, routes)
    assert "ORDER" in rules(run)


def test_dropped_request_must_be_explained(run: Path) -> None:
    rid = "r8"
    vehicle = vehicle_of(run, rid)
    routes = routes_of(run)
    routes = retime(run, routes[routes["request_id"] != rid], {vehicle})
    save_routes(run, routes)
    assert rules(run) == {"NOT_SERVED_OR_EXPLAINED"}
    unserved = read(run, "unserved.csv")
    write(run, "unserved.csv", pd.concat([unserved, pd.DataFrame([{"request_id": rid, "members": "P008", "reason_code": "",
                                                                   "reason": ""}])]))
    assert rules(run) == {"NOT_SERVED_OR_EXPLAINED"}  # listed, but with no reason
    set_cell(run, "unserved.csv", "request_id", rid, "reason_code", "SOLVER_LEFT_UNSERVED")
    assert rules(run) == set()


@settings(max_examples=20, deadline=None, database=None)
@given(data=st.data())
def test_any_dropped_request_is_caught(solved: Solved, data: st.DataObject) -> None:
    rid = data.draw(st.sampled_from(served(solved.run_dir)), label="request")
    routes = routes_of(solved.run_dir)
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = shutil.copytree(solved.run_dir, Path(tmp) / "AM")
        vehicle = routes.loc[routes["request_id"] == rid, "vehicle"].iloc[0]
        save_routes(run_dir, retime(run_dir, routes[routes["request_id"] != rid], {vehicle}))
        violations = check_run_dir(run_dir)
    assert {(v.rule, v.request_id) for v in violations} == {("NOT_SERVED_OR_EXPLAINED", rid)}


def test_served_and_unserved(run: Path) -> None:
    unserved = read(run, "unserved.csv")
    extra = pd.DataFrame([{"request_id": "r2", "members": "P002", "reason_code": "SOLVER_LEFT_UNSERVED", "reason": "x"}])
    write(run, "unserved.csv", pd.concat([unserved, extra]))
    violations = check_run_dir(run)
    assert {(v.rule, v.request_id) for v in violations} == {("SERVED_TWICE", "r2")}


def test_request_visited_twice(run: Path) -> None:
    routes = routes_of(run)
    rid = "r9"
    other = sorted(set(routes["vehicle"]) - {vehicle_of(run, rid)})[0]
    last = routes.loc[routes["vehicle"] == other, "_seq"].max()
    copy = routes[routes["request_id"] == rid].copy()
    copy["vehicle"] = other
    copy["_seq"] = [0.5 if k == "pickup" else last - 0.5 for k in copy["stop_kind"]]
    save_routes(run, pd.concat([routes, copy], ignore_index=True))
    found = rules(run)
    assert {"SERVED_TWICE", "SAME_VEHICLE"} <= found


def test_delivered_by_another_vehicle(run: Path) -> None:
    routes = routes_of(run)
    rid = "r0"
    other = sorted(set(routes["vehicle"]) - {vehicle_of(run, rid)})[0]
    idx = routes.index[(routes["request_id"] == rid) & (routes["stop_kind"] == "delivery")][0]
    routes.loc[idx, ["vehicle", "_seq"]] = [other, 0.5]
    save_routes(run, routes)
    assert "SAME_VEHICLE" in rules(run)


def test_stop_at_the_wrong_place(run: Path) -> None:
    set_cell(run, "requests.csv", "request_id", "r9", "pickup", 3 + 11)  # r11's home, not r9's
    violations = check_run_dir(run)
    assert {(v.rule, v.request_id) for v in violations} == {("WRONG_LOCATION", "r9")}


# --------------------------------------------------------------------------- people


def test_solo_pupil_given_company(run: Path) -> None:
    routes = routes_of(run)
    vehicle = vehicle_of(run, SOLO)
    p, d = stop(routes, SOLO, "pickup"), stop(routes, SOLO, "delivery")
    companion = next(rid for rid in ("r6", "r9", "r0", "r11", "r8") if vehicle_of(run, rid) != vehicle)
    routes = move_request(run, routes, companion, vehicle, int(p["_seq"]), int(d["_seq"]))
    save_routes(run, routes)
    found = rules(run)
    assert "SOLO" in found
    assert found <= {"SOLO"} | TIME_RULES, found


def test_travel_alone_flag_on_a_shared_ride(run: Path) -> None:
    first, _ = pair_requests_aboard_together(run)
    set_cell(run, "requests.csv", "request_id", first, "travel_alone", True)
    violations = check_run_dir(run)
    assert {v.rule for v in violations} == {"SOLO"}
    assert first in {v.request_id for v in violations}


def test_assistant_missing(run: Path) -> None:
    """The assisted minibus becomes a spare one without an assistant (a variant's name says which)."""
    set_cell(run, "fleet.csv", "name", "minibus+PA", "has_assistant", False)
    assert rules(run) == {"FILE"}  # "minibus+PA" with no assistant is not a variant name
    set_cell(run, "fleet.csv", "name", "minibus+PA", "depot", "spare")
    set_cell(run, "fleet.csv", "name", "minibus+PA", "name", "minibus@spare")
    set_cell(run, "routes.csv", "vehicle_type", "minibus+PA", "vehicle_type", "minibus@spare")
    assert rules(run) == {"ASSISTANT", "VEHICLE_TYPE"}  # routes.csv still says it had one
    set_cell(run, "routes.csv", "vehicle_type", "minibus@spare", "has_assistant", False)
    violations = check_run_dir(run)
    assert {(v.rule, v.request_id) for v in violations} == {("ASSISTANT", ASSISTED)}


def test_incompatible_pair_on_one_vehicle(run: Path) -> None:
    a, b = pair_requests_aboard_together(run)
    incompatible = read(run, "incompatible.csv")
    write(run, "incompatible.csv", pd.concat([incompatible, pd.DataFrame([{"a": b, "b": a}])]))
    violations = check_run_dir(run)
    assert {v.rule for v in violations} == {"INCOMPATIBLE"}
    assert violations[0].vehicle == vehicle_of(run, a)


# --------------------------------------------------------------------------- fleet


def test_wrong_depot(run: Path) -> None:
    name = read(run, "routes.csv")["vehicle_type"].iloc[0]
    set_cell(run, "fleet.csv", "name", name, "end", SCHOOL_A)
    assert rules(run) == {"DEPOT"}


def test_route_without_its_end(run: Path) -> None:
    routes = routes_of(run)
    vehicle = routes["vehicle"].iloc[0]
    routes = routes[~((routes["vehicle"] == vehicle) & (routes["stop_kind"] == "end"))]
    save_routes(run, routes)
    assert "DEPOT" in rules(run)


def test_too_many_vehicles_of_a_type(run: Path) -> None:
    routes = read(run, "routes.csv")
    used = routes.groupby("vehicle_type")["vehicle"].nunique()
    name = used.idxmax()
    set_cell(run, "fleet.csv", "name", name, "count", used[name] - 1)
    assert rules(run) == {"FLEET_SIZE"}


def test_unknown_vehicle_type(run: Path) -> None:
    routes = read(run, "routes.csv")
    name = routes["vehicle_type"].iloc[0]
    set_cell(run, "routes.csv", "vehicle_type", name, "vehicle_type", "limousine")
    assert "VEHICLE_TYPE" in rules(run)


# --------------------------------------------------------------------------- reading robustly


def test_optional_files_missing_or_empty(run: Path) -> None:
    (run / "incompatible.csv").write_text("")
    (run / "locations.csv").unlink()
    (run / "solution.json").unlink()
    assert rules(run) == set()
    (run / "incompatible.csv").unlink()
    assert rules(run) == set()
    (run / "unserved.csv").unlink()
    assert rules(run) == set()  # everything is served, so nothing needs explaining
    (run / "locations.csv").write_text("location,kind,ref,lat,lon\n0,depot,D,52.0,-0.5\n")
    violations = check_run_dir(run)  # only the coordinates go unchecked
    assert [v.rule for v in violations] == ["FILE"] and "locations.csv" in violations[0].detail


def test_required_file_missing_or_broken(run: Path) -> None:
    (run / "matrix.npz").write_bytes(b"not a zip")
    assert rules(run) == {"FILE"}
    (run / "matrix.npz").unlink()
    (run / "routes.csv").unlink()
    violations = check_run_dir(run)
    assert {v.rule for v in violations} == {"FILE"}
    assert any("routes.csv" in v.detail for v in violations)


def test_nothing_routed_everything_explained(run: Path) -> None:
    requests = read(run, "requests.csv")
    write(run, "routes.csv", read(run, "routes.csv").iloc[0:0])
    write(run, "unserved.csv", pd.DataFrame({"request_id": requests["request_id"], "members": requests["members"],
                                             "reason_code": "NO_VEHICLE_AVAILABLE", "reason": "none"}))
    assert rules(run) == set()
    (run / "unserved.csv").write_text("request_id,members,reason_code,reason\n")
    violations = check_run_dir(run)
    assert {v.rule for v in violations} == {"NOT_SERVED_OR_EXPLAINED"}
    assert len(violations) == len(requests)


def test_pupil_in_two_requests(run: Path) -> None:
    set_cell(run, "requests.csv", "request_id", "r11", "members", "P011;P000")
    found = rules(run)
    assert "PUPIL_TWICE" in found
    assert found <= {"PUPIL_TWICE", "MEMBERS"}


# --------------------------------------------------------------------------- the output folder


def eligibility(out_dir: Path, pupils: dict[str, bool]) -> None:
    pd.DataFrame({"pupil_id": list(pupils), "eligible": list(pupils.values()), "reason_code": "X"}).to_csv(
        out_dir / "eligibility.csv", index=False)


def test_pupil_lost(solved: Solved, tmp_path: Path) -> None:
    out = shutil.copytree(solved.out_dir, tmp_path / "out")
    members = [m for cell in read(solved.run_dir, "requests.csv")["members"] for m in cell.split(";")]
    eligibility(out, {**dict.fromkeys(members, True), "X900": True, "X901": False})
    violations = check_output_dir(out)
    assert [(v.run, v.rule) for v in violations] == [("AM", "PUPIL_LOST")]
    assert "X900" in violations[0].detail
    pd.DataFrame({"pupil_id": ["X900"], "reason_code": ["NO_ADDRESS"], "reason": ["no address"]}).to_csv(
        out / "not_routed.csv", index=False)
    assert check_output_dir(out) == []
    # a second run that forgets a pupil the first one carries
    pm = shutil.copytree(out / "runs" / "AM", out / "runs" / "PM")
    requests = read(pm, "requests.csv")
    write(pm, "requests.csv", requests.assign(members=requests["members"].replace({"P004": "Q004"})))
    lost = [v for v in check_output_dir(out) if v.rule == "PUPIL_LOST"]
    assert [(v.run, "P004" in v.detail) for v in lost] == [("PM", True)]


def test_pupil_only_in_unserved_is_not_lost(solved: Solved, tmp_path: Path) -> None:
    out = shutil.copytree(solved.out_dir, tmp_path / "out")
    run_dir = out / "runs" / "AM"
    routes = routes_of(run_dir)
    vehicle = vehicle_of(run_dir, "r8")
    save_routes(run_dir, retime(run_dir, routes[routes["request_id"] != "r8"], {vehicle}))
    write(run_dir, "unserved.csv", pd.DataFrame([{"request_id": "r8", "members": "P008", "reason_code": "TIME_WINDOW",
                                                  "reason": "late"}]))
    set_cell(run_dir, "requests.csv", "request_id", "r8", "members", "")
    eligibility(out, {"P008": True, "P001": True})
    assert [v for v in check_output_dir(out) if v.rule == "PUPIL_LOST"] == []


def test_assert_feasible_reports_readably(solved: Solved, tmp_path: Path) -> None:
    out = shutil.copytree(solved.out_dir, tmp_path / "out")
    set_cell(out / "runs" / "AM", "requests.csv", "request_id", "r1", "max_ride_s", 1)
    set_cell(out / "runs" / "AM", "fleet.csv", "name", "minibus+PA", "count", 0)
    with pytest.raises(CheckFailed) as caught:
        assert_feasible(out)
    report = str(caught.value)
    assert {v.rule for v in caught.value.violations} == {"RIDE_TIME", "FLEET_SIZE"}
    assert report.splitlines()[0].startswith("2 violations")
    assert "[RIDE_TIME] run AM" in report and "request r1" in report and "[FLEET_SIZE]" in report
    assert all(isinstance(v, Violation) and v.rule in RULES for v in caught.value.violations)


# --------------------------------------------------------------------------- rules from the policy and the inputs


def needs_of(problem: RoutingProblem, **changes: dict[str, object]) -> pd.DataFrame:
    """What each pupil needs, as the inputs would give it: here just what the requests say."""
    rows = []
    for r in problem.requests:
        for m in r.members:
            rows.append({"pupil_id": m, "school_urn": r.group, "age": 12, "mode": "door",
                         "wheelchair": bool(r.wheelchairs), "passenger_assistant": r.needs_assistant,
                         "travel_alone": r.travel_alone, "max_ride_minutes": None, **changes.get(m, {})})
    return pd.DataFrame(rows)


def test_a_vehicle_carrying_two_schools_is_caught_when_the_policy_keeps_them_apart(solved: Solved) -> None:
    tables, _ = read_run_tables(solved.run_dir)
    groups = {r.request_id: r.group for r in tables.requests}
    mixed = {v for v, rows in tables.routes.groupby("vehicle")
             if len({groups[r] for r in rows["request_id"] if r in groups}) > 1}
    assert mixed, "the fixture's solve should pool the two schools somewhere"
    assert check_run(tables, policy=Policy()) == []
    found = check_run(tables, policy=Policy(mixed_school_vehicles=False))
    assert {v.rule for v in found} == {"MIXED_SCHOOLS"} and {v.vehicle for v in found} == mixed


def test_the_ride_limit_comes_from_the_policy_and_the_pupil_not_only_the_request(solved: Solved) -> None:
    """A pupil whose own limit is 1 minute rides longer than that, though the request allows 45."""
    tables, _ = read_run_tables(solved.run_dir)
    assert check_run(tables, policy=Policy(), needs=needs_of(solved.problem)) == []
    found = check_run(tables, policy=Policy(), needs=needs_of(solved.problem, P000={"max_ride_minutes": 1.0}))
    assert [(v.rule, v.request_id) for v in found] == [("RIDE_TIME", "r0")]
    assert "policy" in found[0].detail


def test_a_request_that_drops_a_pupils_wheelchair_is_caught(solved: Solved) -> None:
    tables, _ = read_run_tables(solved.run_dir)
    found = check_run(tables, policy=Policy(), needs=needs_of(solved.problem, P000={"wheelchair": True}))
    assert [(v.rule, v.request_id) for v in found] == [("NEEDS", "r0")]
