"""Compare scenarios side by side: the same headline figures, and each one's change from the first.

Scenarios are independent runs, so they run in parallel processes (one search worker each,
using both cores). With a Dask scheduler address (or an empty one for a local cluster) the
same runs are sent to dask.distributed instead, for county-wide sweeps.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from transport import progress
from transport.cells import write_csv
from transport.comparison_page import write_page
from transport.differences import by_route, by_school, pupils_affected
from transport.journeys import RUNS
from transport.optimise.solution import rides_s
from transport.record import Run
from transport.scenarios import load_scenario
from transport.schemas import COMPARISON_BY_ROUTE, COMPARISON_BY_SCHOOL, MANIFEST_FILE

log = logging.getLogger(__name__)


def compare(paths: list[Path], out_dir: Path, *, data_dir: Path | None = None, time_limit_s: float | None = None,
            seed: int | None = None, repeats: int = 1, workers: int = 2, parallel: bool = True, scheduler: str | None = None,
            map_first: bool = False) -> dict:
    """Run the scenarios (see `transport.scenario_runs`), write each one's folder and
    comparison.csv/.html/summary.json, where the money moves (comparison_by_school.csv,
    comparison_by_route.csv) and a map; with `repeats`, each figure's spread over seeds.

    With `map_first`, the first scenario's folder also has its own map.html (the demo's baseline).
    """
    from transport.scenario_runs import run_scenarios

    out_dir.mkdir(parents=True, exist_ok=True)
    specs = [load_scenario(p) for p in paths]  # validate every file before running anything
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        from transport.errors import InputError

        raise InputError("two scenarios have the same name; names are used for output folders")
    _clear_comparison(out_dir)
    repeated = run_scenarios(specs, data_dir=data_dir, time_limit_s=time_limit_s, seed=seed, repeats=repeats,
                             workers=workers if parallel else 1, scheduler=scheduler)
    ordered = repeated[0]
    _write_folders(ordered, out_dir, data_dir, map_first, workers if parallel and scheduler is None else 1)
    routes, schools = by_route(ordered), by_school(ordered)
    table = comparison_table(ordered, repeated, routes)
    write_csv(table, out_dir / "comparison.csv")
    write_csv(schools, out_dir / COMPARISON_BY_SCHOOL.file)
    write_csv(routes, out_dir / COMPARISON_BY_ROUTE.file)
    (out_dir / "summary.json").write_text(json.dumps({"scenarios": _json_safe(table.to_dict(orient="records")),
                                                      "by_seed": by_seed(repeated)}, indent=2,
                                                     default=str, allow_nan=False), encoding="utf-8")
    map_path = _comparison_map(ordered, out_dir, data_dir)
    html_path = write_page(out_dir, table, schools, routes, ordered)  # last: it links only the pages written
    _write_manifest(out_dir, names)
    return {"table": table, "html": html_path, "map": map_path, "results": ordered, "repeats": repeated}


def _json_safe(rows: list[dict]) -> list[dict]:
    """Figures JSON can hold: a missing figure (NaN) or a payback never reached (infinity) is null;
    payback_note says which."""
    return [{k: None if isinstance(v, float) and not math.isfinite(v) else v for k, v in row.items()} for row in rows]


def _write_folders(runs: list[Run], out_dir: Path, data_dir: Path | None, map_first: bool, workers: int) -> None:
    """Each scenario's folder, side by side in processes when there are cores to spare."""
    from transport.pipeline import write_run_folder

    jobs = [(run, out_dir / run.name, map_first and k == 0) for k, run in enumerate(runs)]
    if workers <= 1:
        for run, path, with_map in jobs:
            write_run_folder(run, path, data_dir=data_dir, write_map=with_map)
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=progress.worker_started) as pool:
        futures = [pool.submit(write_run_folder, run, path, data_dir=data_dir, write_map=with_map) for run, path, with_map in jobs]
        for f in futures:
            f.result()


COMPARISON_FILES = ("comparison.csv", COMPARISON_BY_SCHOOL.file, COMPARISON_BY_ROUTE.file, "comparison.html",
                    "comparison_map.html", "summary.json", MANIFEST_FILE)


def _clear_comparison(out_dir: Path) -> None:
    """An earlier comparison's pages go before anything runs, so a comparison that fails leaves none."""
    for name in COMPARISON_FILES:
        (out_dir / name).unlink(missing_ok=True)


def _write_manifest(out_dir: Path, names: list[str]) -> None:
    manifest = {"complete": True, "kind": "comparison", "scenarios": names,
                "files": [n for n in COMPARISON_FILES if n != MANIFEST_FILE and (out_dir / n).is_file()]}
    (out_dir / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def by_seed(repeated: list[list[Run]]) -> list[dict]:
    """Each repeat's seed with every scenario's annual cost and change from the base: the figures
    the spreads in comparison.csv are taken over."""
    out = []
    for runs in repeated:
        base = runs[0].summary["annual_cost_gbp"]
        out.append({"seed": runs[0].scenario.optimise.seed, "scenarios": [
            {"scenario": run.name, "annual_cost_gbp": run.summary["annual_cost_gbp"],
             "change_vs_base_gbp": round(run.summary["annual_cost_gbp"] - base, 2)} for run in runs]})
    return out


def comparison_table(runs: list[Run], repeated: list[list[Run]] | None = None, routes: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per scenario with its change from the first; with repeats over seeds, the spread
    (highest less lowest) of the annual cost and of the change, and whether the change is
    within that spread (the search alone could make it). Payback is `payback` of the first
    repeat's runs; with repeats, its lowest and highest over every seed's comparison.
    Pupils affected: `transport.differences.pupils_affected`, from `routes` (`by_route`)."""
    table = pd.DataFrame([_comparison_row(run) for run in runs])
    base = table.iloc[0]
    table["change_vs_base_gbp"] = (table["annual_cost_gbp"] - base["annual_cost_gbp"]).round(2)
    routes = by_route(runs) if routes is None else routes
    table["pupils_affected"] = [pupils_affected(runs[0], run, routes[routes["scenario"] == run.name]) for run in runs]
    repeated = repeated or [runs]
    costs = pd.DataFrame([[r.summary["annual_cost_gbp"] for r in rep] for rep in repeated])
    changes = costs.sub(costs[0], axis=0)
    table["repeats"] = len(repeated)
    table["annual_cost_spread_gbp"] = (costs.max() - costs.min()).round(2).to_numpy() if len(repeated) > 1 else None
    table["change_spread_gbp"] = (changes.max() - changes.min()).round(2).to_numpy() if len(repeated) > 1 else None
    table["change_within_search_noise"] = ([bool(abs(c) <= sp) if k else None for k, (c, sp) in
                                           enumerate(zip(table["change_vs_base_gbp"], table["change_spread_gbp"], strict=True))]
                                           if len(repeated) > 1 else None)
    table["forecast_change_vs_base_gbp"] = table["forecast_final_year_p50_gbp"] - base["forecast_final_year_p50_gbp"]
    for column, values in payback_columns(repeated).items():
        table[column] = values
    return table


def payback_columns(repeated: list[list[Run]]) -> dict[str, list]:
    """Each scenario's `scenario_payback` against the base of its own seed: the first seed's years
    and reason, and with repeats the lowest and highest years over the seeds (infinity: never)."""
    paybacks = [[scenario_payback(rep[0], run) if k else Payback(None, "the base") for k, run in enumerate(rep)]
                for rep in repeated]
    spread = [[p.years for p in seeds] for seeds in zip(*paybacks, strict=True)]
    several = len(repeated) > 1
    return {"payback_years": [_rounded(p.years) for p in paybacks[0]],
            "payback_years_low": [_rounded(min(y)) if several and None not in y else None for y in spread],
            "payback_years_high": [_rounded(max(y)) if several and None not in y else None for y in spread],
            "payback_note": [p.reason for p in paybacks[0]]}


def _rounded(years: float | None) -> float | None:
    return None if years is None else (years if math.isinf(years) else round(years, 1))


@dataclass(frozen=True)
class Payback:
    """Years until the cumulative net saving reaches the capital cost: None when there is nothing
    to pay back, infinity when it is never reached; and the reason in words."""

    years: float | None
    reason: str


def payback(capital_gbp: float, net_saving_gbp: list[float], financial_years: list[str] | None = None) -> Payback:
    """Years from the start of year 1 until the cumulative net saving reaches `capital_gbp`,
    interpolated within the year it does; past the last year given, each year saves what the
    last one did. `net_saving_gbp[i]` is year i + 1's net saving (see `scenario_payback`).
    Never (infinity) when the capital is not reached by the last year and that year's net
    saving is not positive."""
    labels = financial_years or [f"year {i + 1}" for i in range(len(net_saving_gbp))]
    if capital_gbp <= 0:
        return Payback(None, "no capital cost to pay back")
    if not net_saving_gbp:
        return Payback(float("inf"), "no forecast years to count a saving in")
    total = 0.0
    for i, saving in enumerate(net_saving_gbp):
        if saving > 0 and total + saving >= capital_gbp:
            return Payback(i + (capital_gbp - total) / saving,
                           f"the cumulative net saving reaches the capital cost in {labels[i]}")
        total += saving
    last = net_saving_gbp[-1]
    if last <= 0:
        return Payback(float("inf"), f"never: the net saving in {labels[-1]}, the forecast's last year, is not positive "
                                     f"(£{last:,.0f})")
    return Payback(len(net_saving_gbp) + (capital_gbp - total) / last,
                   f"after the forecast's last year ({labels[-1]}), at its net saving of £{last:,.0f} a year")


def scenario_payback(base: Run, run: Run) -> Payback:
    """`payback` of `run`'s new provision against `base`, year by year over the budget forecast.

    Net saving in year k (k = 1 to the forecast's horizon) = the base's forecast cost in year k
    less the scenario's (the P50 of each run's MTFS forecast, summary["budget"]["forecast"]:
    cohort growth, inflation and savings phased as contracts are re-let, from `transport.mtfs`)
    less the revenue cost of the new places (the scenario's new_provision
    revenue_cost_gbp_per_year at today's prices, from the September they open, pro rata by
    school days as savings land). The capital cost is the sum of new_provision capital_cost_gbp.
    Year 0 is today's arrangements and is not counted. Without a forecast, every year saves
    the annual change at today's prices less the revenue cost."""
    from transport.mtfs import landed_share

    capital = sum(p.capital_cost_gbp for p in run.scenario.new_provision)
    ours, theirs = _p50_path(run), _p50_path(base)
    first = run.costs.figures.get("first_year") or run.scenario.policy.academic_year_start
    years = min(len(ours), len(theirs))
    labels = [label for label, _ in ours[1:years]]
    if years <= 1:
        flat = base.summary["annual_cost_gbp"] - run.summary["annual_cost_gbp"]
        labels = [f"year {k}" for k in range(1, run.scenario.forecast.years + 1)]
        forecast_saving = [flat] * len(labels)
    else:
        forecast_saving = [theirs[k][1] - ours[k][1] for k in range(1, years)]
    opens = [(dt.date(p.opens_year or first + 1, 9, 1), p.revenue_cost_gbp_per_year) for p in run.scenario.new_provision]
    revenue = [sum(gbp * landed_share(day, first + k) for day, gbp in opens) for k in range(1, len(forecast_saving) + 1)]
    return payback(capital, [s - r for s, r in zip(forecast_saving, revenue, strict=True)], labels)


def _p50_path(run: Run) -> list[tuple[str, float]]:
    """(financial year, P50 cost) for years 0..N of the run's forecast."""
    return [(row["financial_year"], float(row["p50_gbp"])) for row in run.summary.get("budget", {}).get("forecast", [])]


def _comparison_row(run: Run) -> dict:
    s, spec = run.summary, run.scenario
    first = run.problems[RUNS[0]].requests if RUNS[0] in run.problems else ()
    over = 0
    for name, solution in run.solutions.items():
        limits = {r.request_id: r.max_ride_s for r in run.problems[name].requests}
        over += sum(1 for rid, ride in rides_s(solution).items() if limits[rid] is not None
                    and round(ride / 60, 1) > limits[rid] / 60 + 1e-9)
    forecast = s.get("budget", {}).get("forecast", [])
    vehicles = s.get("vehicles_by_type", {})
    moves = run.moves
    return {
        "scenario": spec.name,
        "description": spec.description,
        "annual_cost_gbp": s.get("annual_cost_gbp"),
        "baseline_annual_gbp": s.get("budget", {}).get("baseline_annual_gbp"),
        "pupils_eligible": s.get("pupils_eligible"),
        "pupils_needing_transport": s.get("pupils_needing_transport"),
        "pupils_transported": s.get("pupils_transported"),
        "pupils_unserved": s.get("pupils_unserved"),
        "pupils_door_to_door": s.get("pupils_door_to_door"),
        "travelling_alone": sum(r.travel_alone for r in first),
        "vehicles_am": sum(vehicles.get("AM", {}).values()),
        "vehicles_pm": sum(vehicles.get("PM", {}).values()),
        "vehicles_am_by_type": "; ".join(f"{k} {v}" for k, v in sorted(vehicles.get("AM", {}).items())),
        "ride_mean_min": s.get("ride_minutes", {}).get("mean"),
        "ride_max_min": s.get("ride_minutes", {}).get("max"),
        "pupils_over_ride_limit": over,
        "requests_unserved": sum(s.get("requests_unserved", {}).values()),
        "pupils_moved": len(moves),
        "moved_mean_journey_change_min": round(float((moves["drive_min_after"] - moves["drive_min_before"]).mean()), 1)
        if len(moves) else None,
        "forecast_final_year_p50_gbp": forecast[-1]["p50_gbp"] if forecast else None,
        "capital_cost_gbp": sum(p.capital_cost_gbp for p in spec.new_provision),
        "extra_revenue_gbp_per_year": sum(p.revenue_cost_gbp_per_year for p in spec.new_provision),
    }


def _comparison_map(runs: list[Run], out_dir: Path, data_dir: Path | None) -> Path:
    from transport.maps import write_comparison_map
    from transport.pipeline import networks

    drive, _ = networks(runs[0].scenario, data_dir)
    return write_comparison_map(runs, drive, out_dir / "comparison_map.html")
