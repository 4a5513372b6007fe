"""run(scenario) -> Run: the only module that knows the order of the steps.

inputs -> network -> eligibility -> pick-up points -> demand -> matrix -> optimise (AM, PM)
-> check -> costs -> reports. Each step is one call into its own module; this module only
passes tables between them, reports progress, and writes the run's files.
"""

from __future__ import annotations

import json
import logging
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from transport.datadir import AREAS, area_osm_file, find_data_file
from transport.demand import RUNS, Demand, FleetPrices, build_demand, plan_pickup_points, routing_problem
from transport.eligibility import assess_eligibility, summarise
from transport.errors import InputError
from transport.inputs import Bounds, load_postcodes, read_pupils, read_schools, read_vehicles
from transport.matrix import SnapWarning, travel_matrices
from transport.network import load_network
from transport.optimise.solution import Solution
from transport.optimise.solve import SolveOptions, as_int_matrix, solve
from transport.reports import write_budget, write_route_sheets
from transport.runfiles import write_run
from transport.scenarios import Scenario

log = logging.getLogger(__name__)


@dataclass
class Run:
    """Everything one scenario run produced, in memory; the same is written under `out_dir`."""

    scenario: Scenario
    out_dir: Path
    pupils: pd.DataFrame
    schools: pd.DataFrame
    vehicles: pd.DataFrame
    eligibility: pd.DataFrame
    demand: Demand
    solutions: dict[str, Solution]
    timings: dict[str, float] = field(default_factory=dict)
    summary: dict = field(default_factory=dict)
    moves: pd.DataFrame = field(default_factory=pd.DataFrame)


def run(scenario: Scenario, out_dir: Path, *, data_dir: Path | None = None, time_limit_s: float | None = None,
        progress: bool = True, write_map: bool = True) -> Run:
    """Run one scenario end to end and write its outputs into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    started = time.perf_counter()

    def step(name: str) -> None:
        timings[name] = round(time.perf_counter() - started - sum(timings.values()), 2)

    log.info("Scenario '%s': %s", scenario.name, scenario.description or "")
    drive, walk = _networks(scenario, data_dir)
    step("network")
    bounds = _bounds(drive)
    schools, pupils, vehicles = _inputs(scenario, out_dir, bounds, data_dir)
    moves = pd.DataFrame()
    if scenario.new_provision:
        from transport.provision import move_pupils

        pupils, moves = move_pupils(pupils, schools, scenario.new_provision, drive)
        log.info("New provision: %d pupils moved", len(moves))
    moves.to_csv(out_dir / "moved_pupils.csv", index=False)
    schools.to_csv(out_dir / "schools_used.csv", index=False)
    step("inputs")
    log.info("Loaded %d pupils, %d schools, %d vehicle catalogue rows", len(pupils), len(schools), len(vehicles))

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SnapWarning)
        eligibility = assess_eligibility(pupils, schools, walk, scenario.policy)
    for w in caught[:20]:
        log.warning("%s", w.message)
    eligibility.to_csv(out_dir / "eligibility.csv", index=False)
    by_reason = summarise(eligibility)
    by_reason.to_csv(out_dir / "eligibility_by_reason.csv", index=False)
    step("eligibility")
    log.info("Eligible for transport: %d of %d pupils (%.1f%%)", int(eligibility["eligible"].sum()), len(eligibility),
             100 * eligibility["eligible"].mean())

    merged = pupils.merge(eligibility[["pupil_id", "eligible", "door_to_door", "reason_code"]], on="pupil_id")
    stop_candidates = merged[merged["eligible"] & ~merged["door_to_door"] & (merged["reason_code"] != "UNSAFE_ROUTE")]
    stops = plan_pickup_points(stop_candidates, drive, walk, scenario.policy)
    step("pickup_points")
    demand = build_demand(pupils, eligibility, schools, vehicles, scenario.policy, stops)
    demand.pupils.to_csv(out_dir / "transported_pupils.csv", index=False)
    demand.locations.to_csv(out_dir / "locations.csv", index=False)
    time_s, distance_m = _matrices(drive, demand.locations)
    step("matrix")
    log.info("%d pupils need a vehicle: %d door to door, %d from %d pick-up points", len(demand.pupils),
             int((demand.pupils["mode"] == "door").sum()), int((demand.pupils["mode"] == "stop").sum()),
             demand.pupils.loc[demand.pupils["mode"] == "stop", "stop_id"].nunique())

    options = SolveOptions(time_limit_s=time_limit_s or scenario.optimise.time_limit_s, workers=scenario.optimise.workers,
                           seed=scenario.optimise.seed, solution_limit=scenario.optimise.solution_limit)
    prices = FleetPrices(assistant_daily_gbp=scenario.costs.assistant_daily_gbp)
    solutions: dict[str, Solution] = {}
    for run_name in RUNS:
        problem = routing_problem(demand, run_name, time_s, distance_m, vehicles, prices, scenario.policy)
        log.info("Optimising the %s run: %d requests, %d vehicle types, %.0f s limit", run_name, len(problem.requests),
                 len(problem.vehicle_types), options.time_limit_s)
        solution = solve(problem, options)
        write_run(out_dir / "runs" / run_name, run_name, problem, solution, demand.locations)
        solutions[run_name] = solution
        log.info("%s run: %d vehicles, %.1f km, %d requests unserved (%s, %.1f s)", run_name, solution.vehicles_used,
                 solution.total_distance_m / 1000, len(solution.unserved), solution.status, solution.solve_seconds)
        step(f"optimise_{run_name}")
    _write_not_routed(out_dir, eligibility, demand)
    pd.concat([pd.read_csv(out_dir / "runs" / r / "routes.csv", dtype=str, keep_default_na=False) for r in RUNS]).to_csv(
        out_dir / "routes.csv", index=False)  # both runs in one table, one row per stop
    result = Run(scenario, out_dir, pupils, schools, vehicles, eligibility, demand, solutions, timings, moves=moves)
    _check(result)
    step("check")
    costs = _costs(result, time_s, distance_m, data_dir)
    step("costs")
    write_route_sheets(out_dir, schools)
    step("reports")
    result.summary = _summary(result, by_reason) | costs
    from transport.maps import route_geojson, write_route_map

    if write_map:
        priced = pd.read_csv(out_dir / "optimised_routes_priced.csv")
        write_route_map(out_dir, drive, schools, result.summary, priced, title=f"{scenario.name}: home-to-school transport",
                        highlight_urns={p.urn for p in scenario.new_provision})
    else:
        route_geojson(out_dir, drive)
    step("map")
    result.summary["timings_s"] = timings
    (out_dir / "summary.json").write_text(json.dumps(result.summary, indent=2, default=_json_default), encoding="utf-8")
    return result


def eligibility_only(scenario: Scenario, out_dir: Path, *, data_dir: Path | None = None,
                     explain: str | None = None) -> tuple[pd.DataFrame, Path | None]:
    """Just the eligibility step (for `transport eligibility`), optionally explaining one pupil."""
    from transport.eligibility import walking_route_geojson

    out_dir.mkdir(parents=True, exist_ok=True)
    drive, walk = _networks(scenario, data_dir)
    schools, pupils, _ = _inputs(scenario, out_dir, _bounds(drive), data_dir)
    table = assess_eligibility(pupils, schools, walk, scenario.policy)
    table.to_csv(out_dir / "eligibility.csv", index=False)
    route = None
    if explain:
        if explain not in set(table["pupil_id"]):
            raise InputError(f"pupil {explain!r} is not in the pupils file")
        pupil = pupils.set_index("pupil_id").loc[explain]
        school = schools.set_index("urn").loc[str(pupil["school_urn"])]
        decision = table.set_index("pupil_id").loc[explain]
        route = walking_route_geojson(walk, (pupil["lat"], pupil["lon"]), (school["lat"], school["lon"]),
                                      {"pupil_id": explain, "school_urn": str(pupil["school_urn"]), "reason_code": decision["reason_code"],
                                       "walk_distance_m": float(decision["walk_distance_m"])}, out_dir / f"walking_route_{explain}.geojson")
    return table, route


# ------------------------------------------------------------------------------- steps


def _networks(scenario: Scenario, data_dir: Path | None):
    source = area_osm_file(scenario.data.area, data_dir) if scenario.data.network == "area" else scenario.path(scenario.data.network)
    log.info("Road network: %s", source)
    return load_network(source, "drive"), load_network(source, "walk")


def _bounds(drive) -> Bounds:
    xs = [d["x"] for _, d in drive.nodes(data=True)]
    ys = [d["y"] for _, d in drive.nodes(data=True)]
    return Bounds.around(ys, xs, margin_deg=0.02)


def _inputs(scenario: Scenario, out_dir: Path, bounds: Bounds, data_dir: Path | None):
    from transport.synth import demo_schools, synthesise_cohort

    area = scenario.data.area
    postcodes = None
    if scenario.data.postcodes:
        pc_path = find_data_file(AREAS[area].postcodes_file, data_dir) if scenario.data.postcodes == "area" else scenario.path(scenario.data.postcodes)
        postcodes = load_postcodes(pc_path)
    inputs_dir = out_dir / "inputs"
    inputs_dir.mkdir(exist_ok=True)
    if scenario.data.schools == "synthetic":
        schools_path = inputs_dir / "schools.csv"
        demo_schools(area, data_dir).to_csv(schools_path, index=False)
    else:
        schools_path = scenario.path(scenario.data.schools)
    schools = read_schools(schools_path, postcodes, bounds)
    if scenario.new_provision:
        from transport.provision import add_provision

        schools = add_provision(schools, scenario.new_provision, file=scenario.file_of("new_provision"))
    if scenario.data.pupils == "synthetic":
        pupils_path = inputs_dir / "pupils.csv"
        raw = pd.read_csv(schools_path, dtype=str, keep_default_na=False)
        synthesise_cohort(raw, area, data_dir, seed=scenario.synthetic.seed, scale=scenario.synthetic.scale).to_csv(pupils_path, index=False)
    else:
        pupils_path = scenario.path(scenario.data.pupils)
    pupils = read_pupils(pupils_path, schools, scenario.policy, postcodes, bounds)
    vehicles = read_vehicles(scenario.path(scenario.data.vehicles), bounds)
    if scenario.costs.price_multiplier != 1.0:
        vehicles = vehicles.assign(daily_price_gbp=vehicles["daily_price_gbp"] * scenario.costs.price_multiplier,
                                   price_per_mile_gbp=vehicles["price_per_mile_gbp"] * scenario.costs.price_multiplier)
    return schools, pupils, vehicles


def _matrices(drive, locations: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Drive matrices between all located points; an 'anywhere' start costs nothing to leave or reach."""
    real = locations["lat"].notna().to_numpy()
    labels = [f"{k} {r}" for k, r in zip(locations["kind"], locations["ref"], strict=True)]
    n = len(locations)
    time_s = np.zeros((n, n), dtype=np.int64)
    distance_m = np.zeros((n, n), dtype=np.int64)
    idx = np.flatnonzero(real)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SnapWarning)
        m = travel_matrices(drive, locations["lat"].to_numpy(float)[idx], locations["lon"].to_numpy(float)[idx],
                            labels=[labels[i] for i in idx])
    for w in caught[:20]:
        log.warning("%s", w.message)
    if not np.isfinite(m.time_s).all():
        raise InputError("some locations cannot be reached by road from others (one-way dead ends?)")
    time_s[np.ix_(idx, idx)] = as_int_matrix(m.time_s)
    distance_m[np.ix_(idx, idx)] = as_int_matrix(m.distance_m)
    return time_s, distance_m


def _write_not_routed(out_dir: Path, eligibility: pd.DataFrame, demand: Demand) -> None:
    """Eligible pupils who need no vehicle (none today: travel passes need bus data) are listed here."""
    eligible = set(eligibility.loc[eligibility["eligible"], "pupil_id"])
    missing = sorted(eligible - set(demand.pupils["pupil_id"]))
    pd.DataFrame({"pupil_id": missing, "reason_code": "NOT_ROUTED", "reason": "eligible but not given a vehicle"},
                 columns=["pupil_id", "reason_code", "reason"]).to_csv(out_dir / "not_routed.csv", index=False)


def _check(result: Run) -> None:
    from transport.check import assert_feasible

    assert_feasible(result.out_dir)
    log.info("Independent check: every route is feasible and every eligible pupil is served or explained")


#: England, pre-16 SEND home-to-school transport, spend per user 2025-26 (DfE data collection,
#: via shared/data/README.md): the figure the demo's SEND cost per pupil is compared with.
NATIONAL_SEND_GBP_PER_USER = 8800.0


def _costs(result: Run, time_s: np.ndarray, distance_m: np.ndarray, data_dir: Path | None) -> dict:
    """Price the optimised plan and (when given) today's contracts; write the budget."""
    from transport import costs as c
    from transport.synth import age_contracts, synthesise_contracts

    scenario, out_dir = result.scenario, result.out_dir
    settings = scenario.costs
    people = result.pupils.merge(result.demand.pupils[["pupil_id", "mode"]], on="pupil_id", how="left")
    optimised = c.price_optimised(out_dir, result.vehicles, people, settings)
    tables: dict[str, pd.DataFrame] = {}
    as_is = None
    flags = pd.DataFrame(columns=["route_ref", "pupil_id", "flag", "detail"])
    if scenario.data.contracts:
        if scenario.data.contracts == "synthetic":
            path = out_dir / "inputs" / "contracts.csv"
            bought = synthesise_contracts(result.demand.pupils, result.pupils, result.demand.locations, distance_m, result.vehicles,
                                          seed=scenario.synthetic.seed)
            seats = result.vehicles.drop_duplicates("vehicle_type").set_index("vehicle_type")["seats"].astype(int).to_dict()
            age_contracts(bought, result.eligibility, seats, seed=scenario.synthetic.seed).to_csv(path, index=False)
        else:
            path = scenario.path(scenario.data.contracts)
        contracts = c.read_contracts(path, set(result.pupils["pupil_id"]), set(result.schools["urn"].astype(str)))
        as_is = c.price_contracts(contracts, settings)
        flags = c.flag_contracts(contracts, result.eligibility)
    send_ids = set(result.demand.pupils.loc[result.demand.pupils["mode"] == "door", "pupil_id"])
    send_cost = float(optimised.pupils.loc[optimised.pupils["pupil_id"].isin(send_ids), "annual_gbp"].sum())
    send_share = send_cost / optimised.contract_gbp if optimised.contract_gbp else 0.0
    outlook = c.forecast(optimised, send_share, scenario.forecast)
    transported = max(1, len(result.demand.pupils))
    headline = {
        "annual_cost_gbp": round(optimised.total_gbp, 2),
        "annual_contract_gbp": round(optimised.contract_gbp, 2),
        "annual_overhead_gbp": round(optimised.overhead_gbp, 2),
        "cost_per_transported_pupil_gbp": round(optimised.total_gbp / transported, 2),
        "send_cost_per_pupil_gbp": round(send_cost * (1 + settings.management_overhead_share) / max(1, len(send_ids)), 2),
        "national_send_cost_per_user_gbp": NATIONAL_SEND_GBP_PER_USER,
        "annual_cost_by_mode_gbp": {m: round(float(v), 2) for m, v in optimised.pupils.groupby("mode")["annual_gbp"].sum().items()},
        "assistant_cost_gbp": round(float(optimised.routes["assistant_gbp"].sum()), 2),
        "forecast": outlook.to_dict(orient="records"),
    }
    summary_rows = [("Optimised plan: contracts", optimised.contract_gbp), ("Optimised plan: management overhead", optimised.overhead_gbp),
                    ("Optimised plan: total", optimised.total_gbp)]
    if as_is is not None:
        headline["as_is_annual_cost_gbp"] = round(as_is.total_gbp, 2)
        headline["saving_vs_as_is_gbp"] = round(as_is.total_gbp - optimised.total_gbp, 2)
        headline["contracts_flagged"] = int((flags["flag"] == "NOT_ELIGIBLE").sum())
        headline["eligible_pupils_without_contract"] = int((flags["flag"] == "NO_CONTRACT").sum())
        summary_rows += [("As-is contracts: contracts", as_is.contract_gbp), ("As-is contracts: management overhead", as_is.overhead_gbp),
                         ("As-is contracts: total", as_is.total_gbp), ("Saving: as-is minus optimised", as_is.total_gbp - optimised.total_gbp)]
        as_is.routes.to_csv(out_dir / "as_is_contracts_priced.csv", index=False)
    optimised.routes.to_csv(out_dir / "optimised_routes_priced.csv", index=False)
    tables["summary"] = pd.DataFrame(summary_rows, columns=["line", "annual_gbp"]).round(2)
    tables["by school"] = c.breakdown(optimised, people, "school_urn").merge(
        result.schools[["urn", "name"]].rename(columns={"urn": "school_urn"}), on="school_urn", how="left")
    tables["by need"] = c.breakdown(optimised, people, "need")
    tables["by vehicle type"] = c.breakdown(optimised, people, "vehicle_type")
    tables["by mode"] = c.breakdown(optimised, people, "mode")
    tables["forecast"] = outlook
    tables["assumptions"] = c.assumptions_table(settings, scenario.forecast)
    tables["contracts flagged"] = flags
    write_budget(out_dir, tables)
    log.info("Annual cost of the optimised plan: £%s (£%s per transported pupil)%s", f"{optimised.total_gbp:,.0f}",
             f"{optimised.total_gbp / transported:,.0f}",
             f"; today's contracts: £{as_is.total_gbp:,.0f}" if as_is is not None else "")
    return headline


def _summary(result: Run, by_reason: pd.DataFrame) -> dict:
    elig = result.eligibility
    rides = []
    for run_name in RUNS:
        routes = pd.read_csv(result.out_dir / "runs" / run_name / "routes.csv")
        rides += list(pd.to_numeric(routes["ride_minutes"], errors="coerce").dropna())
    vehicles_by_type: dict[str, dict[str, int]] = {}
    for run_name, sol in result.solutions.items():
        for r in sol.routes:  # "minibus@depot+PA" -> "minibus+PA": depots are not a vehicle type
            label = r.vehicle_type.split("@")[0] + ("+PA" if r.vehicle_type.endswith("+PA") else "")
            counts = vehicles_by_type.setdefault(run_name, {})
            counts[label] = counts.get(label, 0) + 1
    unserved = {run_name: len(sol.unserved) for run_name, sol in result.solutions.items()}
    left_out: set[str] = set()
    for run_name in RUNS:
        table = pd.read_csv(result.out_dir / "runs" / run_name / "unserved.csv", dtype=str, keep_default_na=False)
        left_out.update(p for cell in table["members"] for p in cell.split(";") if p)
    needing = int(len(result.demand.pupils))
    return {
        "scenario": result.scenario.name,
        "pupils_assessed": int(len(elig)),
        "pupils_eligible": int(elig["eligible"].sum()),
        "pupils_needing_transport": needing,
        # served on both the morning and the afternoon run; the rest are listed in runs/*/unserved.csv
        "pupils_transported": needing - len(left_out & set(result.demand.pupils["pupil_id"])),
        "pupils_unserved": len(left_out & set(result.demand.pupils["pupil_id"])),
        "pupils_door_to_door": int((result.demand.pupils["mode"] == "door").sum()),
        "pickup_points": int(result.demand.pupils.loc[result.demand.pupils["mode"] == "stop", "stop_id"].nunique()),
        "requests_unserved": unserved,
        "eligibility_by_reason": {r.reason_code: int(r.pupils) for r in by_reason.itertuples(index=False)},
        "vehicles_by_type": vehicles_by_type,
        "ride_minutes": _stats(rides),
        "solver": {run_name: {"status": s.status, "seconds": round(s.solve_seconds, 1), "strategy": s.strategy, "stopped_by": s.stats.get("stopped_by", ""),
                              "objective_pence": s.objective} for run_name, s in result.solutions.items()},
        "timings_s": result.timings,
    }


def _stats(values: list[float]) -> dict:
    if not values:
        return {}
    arr = np.asarray(values, dtype=float)
    return {"mean": round(float(arr.mean()), 1), "p50": round(float(np.percentile(arr, 50)), 1),
            "p90": round(float(np.percentile(arr, 90)), 1), "max": round(float(arr.max()), 1)}


def _json_default(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    return str(value)
