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

from transport.cells import write_csv
from transport.journeys import RUNS
from transport.optimise.solution import rides_s
from transport.record import Run
from transport.scenarios import load_scenario
from transport.schemas import MANIFEST_FILE

log = logging.getLogger(__name__)


def run_scenario_file(path: str, out_dir: str, data_dir: str | None, time_limit_s: float | None, workers: int,
                      write_map: bool = False) -> Run:
    """One scenario in its own process: runs it, writes its folder, returns the run (picklable)."""
    import logging as _logging

    from transport.pipeline import run_and_write

    _logging.basicConfig(level=_logging.INFO, format="%(message)s")
    _logging.getLogger("osmnx").setLevel(_logging.WARNING)
    spec = load_scenario(path)
    spec = spec.model_copy(update={"optimise": spec.optimise.model_copy(update={"workers": workers})})
    # one map for all scenarios (comparison_map.html) instead of one each saves time on every run
    return run_and_write(spec, Path(out_dir), data_dir=Path(data_dir) if data_dir else None, time_limit_s=time_limit_s,
                         write_map=write_map)


def compare(paths: list[Path], out_dir: Path, *, data_dir: Path | None = None, time_limit_s: float | None = None,
            reuse: dict[str, Run] | None = None, parallel: bool = True, scheduler: str | None = None,
            map_first: bool = False) -> dict:
    """Run each scenario (or reuse a finished run) and write comparison.csv/.html/summary.json and a map.

    With `map_first`, the first scenario's run also writes its own map.html (the demo's baseline).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    specs = [load_scenario(p) for p in paths]  # validate every file before running anything
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        from transport.errors import InputError

        raise InputError("two scenarios have the same name; names are used for output folders")
    _clear_comparison(out_dir)
    reuse = reuse or {}
    jobs = [(str(p), str(out_dir / s.name), map_first and k == 0) for k, (p, s) in enumerate(zip(paths, specs, strict=True))
            if s.name not in reuse]
    results: dict[str, Run] = dict(reuse)
    data = str(data_dir) if data_dir else None
    if scheduler is not None:
        results.update(_run_on_dask(jobs, data, time_limit_s, scheduler))
    elif parallel and len(jobs) > 1:
        with ProcessPoolExecutor(max_workers=2) as pool:
            futures = [pool.submit(run_scenario_file, p, o, data, time_limit_s, 1, m) for p, o, m in jobs]
            for f in futures:
                r = f.result()
                results[r.name] = r
    else:
        for p, o, m in jobs:
            r = run_scenario_file(p, o, data, time_limit_s, 2, m)
            results[r.name] = r
    ordered = [results[n] for n in names]
    table = comparison_table(ordered)
    write_csv(table, out_dir / "comparison.csv")
    (out_dir / "summary.json").write_text(json.dumps({"scenarios": table.to_dict(orient="records")}, indent=2, default=str),
                                          encoding="utf-8")
    html_path = out_dir / "comparison.html"
    html_path.write_text(comparison_html(table), encoding="utf-8")
    map_path = _comparison_map(ordered, out_dir, data_dir)
    _write_manifest(out_dir, names)
    return {"table": table, "html": html_path, "map": map_path, "results": ordered}


COMPARISON_FILES = ("comparison.csv", "comparison.html", "comparison_map.html", "summary.json", MANIFEST_FILE)


def _clear_comparison(out_dir: Path) -> None:
    """An earlier comparison's pages go before anything runs, so a comparison that fails leaves none."""
    for name in COMPARISON_FILES:
        (out_dir / name).unlink(missing_ok=True)


def _write_manifest(out_dir: Path, names: list[str]) -> None:
    manifest = {"complete": True, "kind": "comparison", "scenarios": names,
                "files": [n for n in COMPARISON_FILES if n != MANIFEST_FILE and (out_dir / n).is_file()]}
    (out_dir / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def _run_on_dask(jobs: list[tuple[str, str, bool]], data: str | None, time_limit_s: float | None, scheduler: str) -> dict[str, Run]:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        from transport.errors import InputError

        raise InputError("--scheduler needs dask.distributed: pip install 'transport[dask]'") from None
    if scheduler:
        client = Client(scheduler)
    else:
        client = Client(LocalCluster(n_workers=2, threads_per_worker=1, processes=True))
    try:
        futures = [client.submit(run_scenario_file, p, o, data, time_limit_s, 1, m, pure=False) for p, o, m in jobs]
        return {r.name: r for r in client.gather(futures)}
    finally:
        client.close()


def comparison_table(runs: list[Run]) -> pd.DataFrame:
    """One row per scenario with its change from the first."""
    table = pd.DataFrame([_comparison_row(run) for run in runs])
    base = table.iloc[0]
    table["change_vs_base_gbp"] = (table["annual_cost_gbp"] - base["annual_cost_gbp"]).round(2)
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
