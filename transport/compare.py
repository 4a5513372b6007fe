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

from transport.scenarios import Scenario, load_scenario

log = logging.getLogger(__name__)


def run_scenario_file(path: str, out_dir: str, data_dir: str | None, time_limit_s: float | None, workers: int,
                      write_map: bool = False) -> dict:
    """One scenario in its own process: returns its summary and where it wrote (picklable)."""
    import logging as _logging

    from transport.pipeline import run

    _logging.basicConfig(level=_logging.INFO, format="%(message)s")
    _logging.getLogger("osmnx").setLevel(_logging.WARNING)
    spec = load_scenario(path)
    spec = spec.model_copy(update={"optimise": spec.optimise.model_copy(update={"workers": workers})})
    # one map for all scenarios (comparison_map.html) instead of one each saves ~15 s a run
    result = run(spec, Path(out_dir), data_dir=Path(data_dir) if data_dir else None, time_limit_s=time_limit_s, write_map=write_map)
    return {"name": spec.name, "out_dir": str(result.out_dir), "summary": result.summary}


def compare(paths: list[Path], out_dir: Path, *, data_dir: Path | None = None, time_limit_s: float | None = None,
            reuse: dict | None = None, parallel: bool = True, scheduler: str | None = None, map_first: bool = False) -> dict:
    """Run each scenario (or reuse a finished run) and write comparison.csv/.html/summary.json and a map.

    With `map_first`, the first scenario's run also writes its own map.html (the demo's baseline).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    specs = [load_scenario(p) for p in paths]  # validate every file before running anything
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        from transport.errors import InputError

        raise InputError("two scenarios have the same name; names are used for output folders")
    reuse = reuse or {}
    jobs = [(str(p), str(out_dir / s.name), map_first and k == 0) for k, (p, s) in enumerate(zip(paths, specs, strict=True))
            if s.name not in reuse]
    results: dict[str, dict] = {name: {"name": name, "out_dir": str(r.out_dir), "summary": r.summary} for name, r in reuse.items()}
    data = str(data_dir) if data_dir else None
    if scheduler is not None:
        results.update(_run_on_dask(jobs, data, time_limit_s, scheduler))
    elif parallel and len(jobs) > 1:
        with ProcessPoolExecutor(max_workers=2) as pool:
            futures = [pool.submit(run_scenario_file, p, o, data, time_limit_s, 1, m) for p, o, m in jobs]
            for f in futures:
                r = f.result()
                results[r["name"]] = r
    else:
        for p, o, m in jobs:
            r = run_scenario_file(p, o, data, time_limit_s, 2, m)
            results[r["name"]] = r
    ordered = [results[n] for n in names]
    table = comparison_table(ordered, specs)
    table.to_csv(out_dir / "comparison.csv", index=False)
    (out_dir / "summary.json").write_text(json.dumps({"scenarios": table.to_dict(orient="records")}, indent=2, default=str), encoding="utf-8")
    html_path = out_dir / "comparison.html"
    html_path.write_text(comparison_html(table), encoding="utf-8")
    map_path = _comparison_map(ordered, specs, out_dir, data_dir)
    return {"table": table, "html": html_path, "map": map_path, "results": ordered}


def _run_on_dask(jobs: list[tuple[str, str, bool]], data: str | None, time_limit_s: float | None, scheduler: str) -> dict[str, dict]:
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
        return {r["name"]: r for r in client.gather(futures)}
    finally:
        client.close()


def comparison_table(results: list[dict], specs: list[Scenario]) -> pd.DataFrame:
    """One row per scenario with its change from the first."""
    rows = []
    for result, spec in zip(results, specs, strict=True):
        s = result["summary"]
        out = Path(result["out_dir"])
        requests = pd.read_csv(out / "runs" / "AM" / "requests.csv") if (out / "runs" / "AM" / "requests.csv").is_file() else pd.DataFrame()
        alone = int(requests["travel_alone"].astype(str).eq("True").sum()) if len(requests) else 0
        over = 0
        for run in ("AM", "PM"):
            routes_path = out / "runs" / run / "routes.csv"
            if routes_path.is_file() and len(requests):
                routes = pd.read_csv(routes_path, dtype={"request_id": str})
                limits = pd.read_csv(out / "runs" / run / "requests.csv", dtype={"request_id": str}).set_index("request_id")["max_ride_s"]
                drops = routes[routes["stop_kind"] == "delivery"].copy()
                drops["limit"] = drops["request_id"].map(limits) / 60
                over += int((pd.to_numeric(drops["ride_minutes"], errors="coerce") > drops["limit"] + 1e-9).sum())
        moves = pd.read_csv(out / "moved_pupils.csv") if (out / "moved_pupils.csv").is_file() and (out / "moved_pupils.csv").stat().st_size > 1 else pd.DataFrame()
        forecast = s.get("forecast", [])
        year_n = forecast[-1]["p50_gbp"] if forecast else None
        vehicles = s.get("vehicles_by_type", {})
        capital = sum(p.capital_cost_gbp for p in spec.new_provision)
        revenue = sum(p.revenue_cost_gbp_per_year for p in spec.new_provision)
        rows.append({
            "scenario": spec.name,
            "description": spec.description,
            "annual_cost_gbp": s.get("annual_cost_gbp"),
            "pupils_eligible": s.get("pupils_eligible"),
            "pupils_needing_transport": s.get("pupils_needing_transport"),
            "pupils_transported": s.get("pupils_transported"),
            "pupils_unserved": s.get("pupils_unserved"),
            "pupils_door_to_door": s.get("pupils_door_to_door"),
            "travelling_alone": alone,
            "vehicles_am": sum(vehicles.get("AM", {}).values()),
            "vehicles_pm": sum(vehicles.get("PM", {}).values()),
            "vehicles_am_by_type": "; ".join(f"{k} {v}" for k, v in sorted(vehicles.get("AM", {}).items())),
            "ride_mean_min": s.get("ride_minutes", {}).get("mean"),
            "ride_max_min": s.get("ride_minutes", {}).get("max"),
            "pupils_over_ride_limit": over,
            "requests_unserved": sum(s.get("requests_unserved", {}).values()),
            "pupils_moved": len(moves),
            "moved_mean_journey_change_min": round(float((moves["drive_min_after"] - moves["drive_min_before"]).mean()), 1) if len(moves) else None,
            "forecast_final_year_p50_gbp": year_n,
            "capital_cost_gbp": capital,
            "extra_revenue_gbp_per_year": revenue,
        })
    table = pd.DataFrame(rows)
    base = table.iloc[0]
    table["change_vs_base_gbp"] = (table["annual_cost_gbp"] - base["annual_cost_gbp"]).round(2)
    table["forecast_change_vs_base_gbp"] = table["forecast_final_year_p50_gbp"] - base["forecast_final_year_p50_gbp"]
    saving = -(table["change_vs_base_gbp"]) - table["extra_revenue_gbp_per_year"]
    table["payback_years"] = [round(c / sv, 1) if c > 0 and sv > 0 else (None if c == 0 else float("inf"))
                              for c, sv in zip(table["capital_cost_gbp"], saving, strict=True)]
    return table


def comparison_html(table: pd.DataFrame) -> str:
    body = table.to_html(index=False, escape=True, float_format=lambda v: f"{v:,.1f}", border=0)
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Scenario comparison</title>"
            "<style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}"
            "td,th{border:1px solid #bbb;padding:4px 8px;font-size:0.9em}th{background:#eee}</style></head><body>"
            f"<h1>Scenario comparison</h1><p>Changes are against the first scenario, {html.escape(str(table.iloc[0]['scenario']))}.</p>"
            "<p>Each scenario's routes come from a time-limited search, split into partitions by school that share one "
            "fleet, so part of a change in cost can be the search landing differently rather than the scenario: on the demo "
            "the post-16 scenario, with 44 more pupils, comes out cheaper than its base at 6 s and at 30 s a run, because the "
            "same schools' pick-up routes came out cheaper, not because of the policy. Compare with a longer "
            "<code>--time-limit</code> and look at the by-school tables before acting on a difference of a few per cent.</p>"
            f"{body}</body></html>")


def _comparison_map(results: list[dict], specs: list[Scenario], out_dir: Path, data_dir: Path | None) -> Path:
    from transport.datadir import area_osm_file
    from transport.maps import write_comparison_map
    from transport.network import load_network

    first = specs[0]
    source = area_osm_file(first.data.area, data_dir) if first.data.network == "area" else first.path(first.data.network)
    drive = load_network(source, "drive")
    schools_frames = []
    for r in results:
        path = Path(r["out_dir"]) / "schools_used.csv"
        if path.is_file():
            schools_frames.append(pd.read_csv(path, dtype={"urn": str}))
    schools = pd.concat(schools_frames).drop_duplicates("urn") if schools_frames else pd.DataFrame(columns=["urn", "name", "lat", "lon", "phase", "type"])
    highlight = {p.urn for s in specs for p in s.new_provision}
    return write_comparison_map({r["name"]: Path(r["out_dir"]) for r in results}, drive, schools, out_dir / "comparison_map.html", highlight)
