"""run(scenario) -> Run: the only module that knows the order of the steps.

network -> inputs -> new provision -> eligibility -> pick-up points -> demand -> matrix
-> optimise (AM, PM) -> check -> costs -> summary. Each step is one call into its own
module; this module passes what one step made to the next, in memory, and logs progress.
`run_and_write` then writes the run's folder once (`transport.runfiles`).
"""

from __future__ import annotations

import dataclasses
import logging
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from transport import progress
from transport.budget import cost_run
from transport.check import CheckFailed, check_folder
from transport.datadir import area_osm_file
from transport.demand import build_demand, pickup_point_candidates, routing_problem
from transport.errors import InputError
from transport.fleet import FleetPrices
from transport.geo import Bounds
from transport.inputs import Inputs, read_inputs
from transport.journeys import RUNS
from transport.maps import route_geojson
from transport.matrix import SnapWarning, travel_matrices
from transport.network import load_features, load_network
from transport.optimise.partition import solve
from transport.optimise.problem import solver_matrix
from transport.optimise.reuse import Base
from transport.optimise.search import SolveOptions
from transport.placements import assess_with_placements, beyond_network, routable
from transport.record import Run
from transport.runfiles import folder_tables, write_folder
from transport.scenarios import Scenario
from transport.schemas import MOVES
from transport.stops import namer_for, place_names, plan_pickup_points
from transport.summary import summarise_run

log = logging.getLogger(__name__)


class _Clock:
    """Seconds spent in each step, for summary.json."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.timings: dict[str, float] = {}

    def step(self, name: str) -> None:
        self.timings[name] = round(time.perf_counter() - self.started - sum(self.timings.values()), 2)


def run(scenario: Scenario, *, data_dir: Path | None = None, time_limit_s: float | None = None,
        inputs: Inputs | None = None, scheduler: str | None = None, base: Run | None = None) -> Run:
    """Run one scenario end to end, in memory, and check it; nothing is written. `inputs`, when
    given, were read already (a Dask worker is sent them instead of the files); `scheduler`, a
    Dask scheduler's address ('local' for a cluster on this machine), searches the partitions there;
    `base`, the base scenario's run, gives its routes to every partition this one has unchanged and
    a start to the others."""
    clock = _Clock()
    log.info("Scenario '%s': %s", scenario.name, scenario.description or "")
    drive, walk = networks(scenario, data_dir)
    clock.step("network")
    bounds = bounds_of(drive)
    inputs = inputs if inputs is not None else read_inputs(scenario, bounds, data_dir)
    beyond = beyond_network(inputs.schools, bounds)
    inputs, moves = _apply_provision(scenario, inputs, drive, beyond)
    clock.step("inputs")
    log.info("Loaded %d pupils, %d schools, %d vehicle catalogue rows", len(inputs.pupils), len(inputs.schools),
             len(inputs.vehicles))
    with progress.step(f"Eligibility: {len(inputs.pupils):,} pupils"):
        eligibility = _logged(lambda: assess_with_placements(inputs.pupils, inputs.schools, walk, scenario.policy, beyond,
                                                             drive))
    clock.step("eligibility")
    log.info("Eligible for transport: %d of %d pupils (%.1f%%)", int(eligibility["eligible"].sum()), len(eligibility),
             100 * eligibility["eligible"].mean() if len(eligibility) else 0.0)
    local = routable(inputs, beyond)
    if beyond:
        log.info("%d pupils attend %d schools beyond the road network: out-of-area placements, priced from contracts, "
                 "never routed", len(inputs.pupils) - len(local.pupils), len(beyond))
    features = load_features(source_of(scenario, data_dir))
    with progress.step("Pick-up points"):
        stops = plan_pickup_points(pickup_point_candidates(local.pupils, eligibility), drive, walk, scenario.policy,
                                   features, dict(zip(local.schools["urn"].astype(str), local.schools["name"].astype(str),
                                                      strict=True)))
    clock.step("pickup_points")
    demand = build_demand(local.pupils, eligibility, local.schools, inputs.vehicles, scenario.policy, stops.pupils)
    names = place_names(demand.locations, stops, local.schools, namer_for(drive, features))
    time_s, distance_m = _matrices(drive, demand.locations)
    clock.step("matrix")
    mode = demand.pupils["mode"]
    log.info("%d pupils need a vehicle: %d door to door, %d from %d pick-up points (%d shared by schools); "
             "%d who could walk to one have none in reach and are collected from home", len(demand.pupils),
             int((mode == "door").sum()), int((mode == "stop").sum()), len(stops.points),
             int((stops.points["pupils_by_school"].str.count(":") > 1).sum()), len(stops.from_home))
    problems, solutions = _optimise(scenario, demand, inputs, time_s, distance_m, time_limit_s, clock, scheduler, base)
    costs = cost_run(scenario, inputs, eligibility, demand, problems, solutions, time_s, distance_m, moves, beyond)
    clock.step("costs")
    result = Run(scenario, inputs, moves, eligibility, stops, demand, time_s, distance_m, problems, solutions, costs,
                 place_names=names)
    return _finished(result, drive, clock)


def with_solutions(result: Run, solutions: dict, *, data_dir: Path | None = None) -> Run:
    """The same run with other routes for the same requests (a base that took a scenario's better
    routes): priced, checked, drawn and summarised again."""
    clock = _Clock()
    drive, _ = networks(result.scenario, data_dir)
    beyond = beyond_network(result.inputs.schools, bounds_of(drive))
    costs = cost_run(result.scenario, result.inputs, result.eligibility, result.demand, result.problems, solutions,
                     result.time_s, result.distance_m, result.moves, beyond, today=result.costs)
    clock.step("costs")
    changed = dataclasses.replace(result, solutions=solutions, costs=costs)
    return _finished(changed, drive, clock, dict(result.timings_s))


def _finished(result: Run, drive: nx.MultiDiGraph, clock: _Clock, timings: dict | None = None) -> Run:
    """Check the run, draw its routes and summarise it."""
    _check(result)
    clock.step("check")
    result = dataclasses.replace(result, routes_geojson=route_geojson(result, drive))
    clock.step("route_lines")
    costs = result.costs
    log.info("Annual cost: today's arrangements £%s, the optimised plan £%s", f"{costs.figures['baseline_gbp']:,.0f}",
             f"{costs.figures['optimised_gbp']:,.0f}")
    result = dataclasses.replace(result, timings_s={**(timings or {}), **clock.timings})
    return dataclasses.replace(result, summary=summarise_run(result))


def run_and_write(scenario: Scenario, out_dir: Path, *, data_dir: Path | None = None, time_limit_s: float | None = None,
                  write_map: bool = True, inputs: Inputs | None = None, scheduler: str | None = None) -> Run:
    """Run one scenario and write its folder: tables, budget, route sheets, routes and (optionally) the map."""
    result = run(scenario, data_dir=data_dir, time_limit_s=time_limit_s, inputs=inputs, scheduler=scheduler)
    write_run_folder(result, out_dir, data_dir=data_dir, write_map=write_map)
    return result


def write_run_folder(result: Run, out_dir: Path, *, data_dir: Path | None = None, write_map: bool = True) -> Path:
    """A finished run's folder: tables, budget, route sheets, routes and (optionally) the map."""
    from transport.maps import write_route_map, write_routes_geojson
    from transport.reports import write_budget
    from transport.sheets import write_route_sheets
    from transport.start_page import write_index

    renderers: tuple[Callable[[Run, Path], object], ...] = (write_budget, write_route_sheets, write_routes_geojson)
    if write_map:
        drive, _ = networks(result.scenario, data_dir)
        renderers += (lambda r, f: write_route_map(r, f, drive),)
    renderers += (write_index,)  # last: it links what the others wrote
    with progress.step(f"Writing {out_dir}"):
        write_folder(result, out_dir, renderers)
    log.info("Written: %s", out_dir)
    return out_dir


def eligibility_only(scenario: Scenario, *, data_dir: Path | None = None) -> tuple[pd.DataFrame, Inputs, nx.MultiDiGraph]:
    """Just the eligibility step (for `transport eligibility`): the decisions, the inputs and the walk graph."""
    drive, walk = networks(scenario, data_dir)
    bounds = bounds_of(drive)
    inputs = read_inputs(scenario, bounds, data_dir)
    beyond = beyond_network(inputs.schools, bounds)
    return assess_with_placements(inputs.pupils, inputs.schools, walk, scenario.policy, beyond, drive), inputs, walk


# ------------------------------------------------------------------------------- steps


def networks(scenario: Scenario, data_dir: Path | None) -> tuple[nx.MultiDiGraph, nx.MultiDiGraph]:
    """The scenario's drive and walk graphs (from the cache after the first build)."""
    source = source_of(scenario, data_dir)
    with progress.step(f"Road network: {source}"):
        return load_network(source, "drive"), load_network(source, "walk")


def source_of(scenario: Scenario, data_dir: Path | None) -> Path:
    """The OSM extract (or graph file) the scenario's networks are built from."""
    data = scenario.data
    return area_osm_file(data.area, data_dir) if data.network == "area" else scenario.path(data.network)


def bounds_of(drive: nx.MultiDiGraph) -> Bounds:
    """The network's area with a small margin: locations outside it cannot be routed."""
    xs = [d["x"] for _, d in drive.nodes(data=True)]
    ys = [d["y"] for _, d in drive.nodes(data=True)]
    return Bounds.around(ys, xs, margin_deg=0.02)


def _apply_provision(scenario: Scenario, inputs: Inputs, drive: nx.MultiDiGraph,
                     beyond: set[str]) -> tuple[Inputs, pd.DataFrame]:
    if not scenario.new_provision:
        return inputs, MOVES.frame()
    from transport.provision import move_pupils

    pupils, moves = move_pupils(inputs.pupils, inputs.schools, scenario.new_provision, drive, scenario.file_of("new_provision"),
                                beyond)
    log.info("New provision: %d pupils moved", len(moves))
    return dataclasses.replace(inputs, pupils=pupils), moves


def _logged(step: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """Run a step, logging (at most 20 of) the snapping warnings it raises."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SnapWarning)
        result = step()
    for w in caught[:20]:
        log.warning("%s", w.message)
    return result


def _matrices(drive: nx.MultiDiGraph, locations: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Drive matrices between all located points; an 'anywhere' start costs nothing to leave or reach."""
    real = locations["lat"].notna().to_numpy()
    labels = [f"{k} {r}" for k, r in zip(locations["kind"], locations["ref"], strict=True)]
    n = len(locations)
    time_s = np.zeros((n, n), dtype=np.int64)
    distance_m = np.zeros((n, n), dtype=np.int64)
    idx = np.flatnonzero(real)
    with progress.step(f"Travel matrix: {len(idx):,} places"):
        m = _logged(lambda: travel_matrices(drive, locations["lat"].to_numpy(float)[idx],
                                            locations["lon"].to_numpy(float)[idx], labels=[labels[i] for i in idx]))
    if not np.isfinite(m.time_s).all():
        raise InputError("some locations cannot be reached by road from others (one-way dead ends?)")
    time_s[np.ix_(idx, idx)] = solver_matrix(m.time_s)
    distance_m[np.ix_(idx, idx)] = solver_matrix(m.distance_m)
    return time_s, distance_m


def _optimise(scenario: Scenario, demand, inputs: Inputs, time_s: np.ndarray, distance_m: np.ndarray,
              time_limit_s: float | None, clock: _Clock, scheduler: str | None = None,
              base: Run | None = None) -> tuple[dict, dict]:
    """AM and PM routes, each searched within the time limit."""
    settings = scenario.optimise
    options = SolveOptions(time_limit_s=time_limit_s or settings.time_limit_s, workers=settings.workers, seed=settings.seed,
                           solution_limit=settings.solution_limit,
                           scheduler=None if scheduler is None else "" if scheduler == "local" else scheduler)
    prices = FleetPrices(assistant_daily_gbp=scenario.costs.assistant_daily_gbp, assistants_available=scenario.costs.assistants_available)
    problems, solutions = {}, {}
    for name in RUNS:
        problems[name] = problem = routing_problem(demand, name, time_s, distance_m, inputs.vehicles, prices)
        log.info("Optimising the %s run: %d requests, %d vehicle types, %.0f s limit", name, len(problem.requests),
                 len(problem.vehicle_types), options.time_limit_s)
        start = Base(base.problems[name], base.solutions[name]) if base is not None else None
        with progress.timed(f"{name} run search", options.time_limit_s):
            solutions[name] = solution = solve(problem, options, start)
        log.info("%s run: %d vehicles, %.1f km, %d requests unserved (%s, %.1f s)", name, solution.vehicles_used,
                 solution.total_distance_m / 1000, len(solution.unserved), solution.status, solution.solve_seconds)
        clock.step(f"optimise_{name}")
    return problems, solutions


def _check(result: Run) -> None:
    """The independent check of everything the run will write; a broken rule stops the run."""
    violations = check_folder(folder_tables(result))
    if violations:
        raise CheckFailed(violations)
    log.info("Independent check: every route is feasible and every eligible pupil is served or explained")
