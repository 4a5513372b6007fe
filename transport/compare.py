"""Compare scenarios side by side: the same headline figures, and each one's change from the first.

Scenarios are independent runs, so they run in parallel processes (one search worker each,
using both cores). With a Dask scheduler address (or an empty one for a local cluster) the
same runs are sent to dask.distributed instead, for county-wide sweeps.
"""

from __future__ import annotations

import html
import json
import logging
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import pandas as pd

from transport import progress
from transport.cells import write_csv
from transport.inputs import Inputs
from transport.journeys import RUNS
from transport.optimise.solution import rides_s
from transport.record import Run
from transport.scenarios import Scenario, load_scenario
from transport.schemas import MANIFEST_FILE

log = logging.getLogger(__name__)


def run_scenario(spec: Scenario, out_dir: str | None, data_dir: str | None, time_limit_s: float | None, workers: int,
                 write_map: bool = False, inputs: Inputs | None = None, network: tuple[str, bytes] | None = None) -> Run:
    """One scenario in its own process or on a Dask worker; returns the run (picklable).

    Given `inputs` (read by the caller) and, for a network file of its own, that file's
    `network` contents, the worker needs nothing but the data directory for the area's
    extract; given `out_dir` it also writes the scenario's folder there (a worker that shares
    the caller's disk), else the caller writes it.
    """
    import logging as _logging

    from transport.pipeline import run, run_and_write

    _logging.basicConfig(level=_logging.INFO, format="%(message)s")
    _logging.getLogger("osmnx").setLevel(_logging.WARNING)
    spec = spec.model_copy(update={"optimise": spec.optimise.model_copy(update={"workers": workers})})
    if network is not None:
        spec = spec.model_copy(update={"data": spec.data.model_copy(update={"network": str(_unpacked(*network))})})
    data = Path(data_dir) if data_dir else None
    if out_dir is None:
        return run(spec, data_dir=data, time_limit_s=time_limit_s, inputs=inputs)
    # one map for all scenarios (comparison_map.html) instead of one each saves time on every run
    return run_and_write(spec, Path(out_dir), data_dir=data, time_limit_s=time_limit_s, write_map=write_map, inputs=inputs)


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
    jobs = [(s, out_dir / s.name, map_first and k == 0) for k, s in enumerate(specs) if s.name not in reuse]
    results: dict[str, Run] = dict(reuse)
    data = str(data_dir) if data_dir else None
    with progress.counted("Scenarios", len(jobs)):
        if scheduler is not None:
            results.update(_run_on_dask(jobs, data_dir, time_limit_s, scheduler))
        elif parallel and len(jobs) > 1:
            with ProcessPoolExecutor(max_workers=2, initializer=progress.worker_started) as pool:
                futures = [pool.submit(run_scenario, s, str(o), data, time_limit_s, 1, m) for s, o, m in jobs]
                for f in as_completed(futures):
                    r = f.result()
                    results[r.name] = r
                    progress.task_finished(r.name)
        else:
            for s, o, m in jobs:
                r = run_scenario(s, str(o), data, time_limit_s, 2, m)
                results[r.name] = r
                progress.task_finished(r.name)
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


def _run_on_dask(jobs: list[tuple[Scenario, Path, bool]], data_dir: Path | None, time_limit_s: float | None,
                 scheduler: str) -> dict[str, Run]:
    """Each scenario on the Dask cluster, its inputs read here and sent with it; the folders are written here."""
    from transport.inputs import read_inputs
    from transport.optimise.tasks import run_tasks
    from transport.pipeline import bounds_of, networks, write_run_folder

    tasks = []
    for spec, _, _ in jobs:
        drive, _ = networks(spec, data_dir)
        inputs = read_inputs(spec, bounds_of(drive), data_dir)
        own = spec.path(spec.data.network) if spec.data.network != "area" else None
        network = (own.name, own.read_bytes()) if own is not None else None
        tasks.append((run_scenario, (spec, None, None, time_limit_s, 1, False, inputs, network)))
    runs = run_tasks(tasks, scheduler=scheduler)
    for (_, out, write_map), run in zip(jobs, runs, strict=True):
        write_run_folder(run, out, data_dir=data_dir, write_map=write_map)
    return {run.name: run for run in runs}


def _unpacked(name: str, contents: bytes) -> Path:
    """A network file sent with a scenario, saved in this machine's cache under its content hash."""
    import hashlib

    from transport.datadir import cache_dir

    path = cache_dir() / "shipped" / f"{hashlib.sha256(contents).hexdigest()[:16]}-{name}"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_bytes(contents)
        partial.replace(path)
    return path


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
    forecast = s.get("forecast", [])
    vehicles = s.get("vehicles_by_type", {})
    moves = run.moves
    return {
        "scenario": spec.name,
        "description": spec.description,
        "annual_cost_gbp": s.get("annual_cost_gbp"),
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
