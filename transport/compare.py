"""Compare scenarios side by side: the same headline figures, and each one's change from the first.

Scenarios are independent runs, so they run in parallel processes (one search worker each,
using both cores). With a Dask scheduler address (or an empty one for a local cluster) the
same runs are sent to dask.distributed instead, for county-wide sweeps.
"""

from __future__ import annotations

import html
import json
import logging
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

from transport import progress
from transport.cells import write_csv
from transport.journeys import RUNS
from transport.optimise.solution import rides_s
from transport.record import Run
from transport.scenarios import load_scenario
from transport.schemas import MANIFEST_FILE

log = logging.getLogger(__name__)


def compare(paths: list[Path], out_dir: Path, *, data_dir: Path | None = None, time_limit_s: float | None = None,
            seed: int | None = None, repeats: int = 1, workers: int = 2, parallel: bool = True, scheduler: str | None = None,
            map_first: bool = False) -> dict:
    """Run the scenarios (see `transport.scenario_runs`), write each one's folder and
    comparison.csv/.html/summary.json and a map; with `repeats`, each figure's spread over seeds.

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
    table = comparison_table(ordered, repeated)
    write_csv(table, out_dir / "comparison.csv")
    (out_dir / "summary.json").write_text(json.dumps({"scenarios": table.to_dict(orient="records")}, indent=2, default=str),
                                          encoding="utf-8")
    html_path = out_dir / "comparison.html"
    html_path.write_text(comparison_html(table), encoding="utf-8")
    map_path = _comparison_map(ordered, out_dir, data_dir)
    _write_manifest(out_dir, names)
    return {"table": table, "html": html_path, "map": map_path, "results": ordered, "repeats": repeated}


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


COMPARISON_FILES = ("comparison.csv", "comparison.html", "comparison_map.html", "summary.json", MANIFEST_FILE)


def _clear_comparison(out_dir: Path) -> None:
    """An earlier comparison's pages go before anything runs, so a comparison that fails leaves none."""
    for name in COMPARISON_FILES:
        (out_dir / name).unlink(missing_ok=True)


def _write_manifest(out_dir: Path, names: list[str]) -> None:
    manifest = {"complete": True, "kind": "comparison", "scenarios": names,
                "files": [n for n in COMPARISON_FILES if n != MANIFEST_FILE and (out_dir / n).is_file()]}
    (out_dir / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def comparison_table(runs: list[Run], repeated: list[list[Run]] | None = None) -> pd.DataFrame:
    """One row per scenario with its change from the first; with repeats over seeds, the spread
    (highest less lowest) of the annual cost and of the change, and whether the change is
    within that spread (the search alone could make it)."""
    table = pd.DataFrame([_comparison_row(run) for run in runs])
    base = table.iloc[0]
    table["change_vs_base_gbp"] = (table["annual_cost_gbp"] - base["annual_cost_gbp"]).round(2)
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
    saving = -(table["change_vs_base_gbp"]) - table["extra_revenue_gbp_per_year"]
    table["payback_years"] = [round(c / sv, 1) if c > 0 and sv > 0 else (None if c == 0 else float("inf"))
                              for c, sv in zip(table["capital_cost_gbp"], saving, strict=True)]
    return table


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


def comparison_html(table: pd.DataFrame) -> str:
    body = table.to_html(index=False, escape=True, float_format=lambda v: f"{v:,.1f}", border=0)
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Scenario comparison</title>"
            "<style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}"
            "td,th{border:1px solid #bbb;padding:4px 8px;font-size:0.9em}th{background:#eee}</style></head><body>"
            f"<h1>Scenario comparison</h1><p>Changes are against the first scenario, {html.escape(str(table.iloc[0]['scenario']))}.</p>"
            "<p>Each scenario's routes come from a time-limited search, so part of a difference in cost can be the search "
            "landing differently rather than the scenario. Compare with a longer <code>--time-limit</code> and look at the "
            "by-school tables before acting on a difference of a few per cent.</p>"
            f"{body}</body></html>")


def _comparison_map(runs: list[Run], out_dir: Path, data_dir: Path | None) -> Path:
    from transport.maps import write_comparison_map
    from transport.pipeline import networks

    drive, _ = networks(runs[0].scenario, data_dir)
    return write_comparison_map(runs, drive, out_dir / "comparison_map.html")
