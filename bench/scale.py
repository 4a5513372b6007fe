"""Time `transport run` on a cohort N times the demo's and write bench/results/scale*.json.

The cohort is the demo's synthetic one drawn at `synthetic.scale = N` on the same Rutland
network; the vehicle catalogue's availability is multiplied by N too (a market N times the
size: with the demo's counts the fleet simply runs out). Records wall time, per-step
timings, pupils served and unserved, and peak memory of the whole process tree. Aim from
the issue: 15,000+ transported pupils within 10 minutes and 4 GB on this 2-core machine,
in processes or with `--scheduler` on a dask.distributed LocalCluster ('local').
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import pandas as pd
from timed_cli import bench_env, machine, measured_transport, timed_transport

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=11.0, help="cohort size relative to the demo (default 11: about 15,000 transported)")
    parser.add_argument("--time-limit", type=float, default=60.0, help="search seconds per run, AM and PM (default 60)")
    parser.add_argument("--scheduler", default=None, help="a Dask scheduler address, or 'local' for a LocalCluster")
    parser.add_argument("--target-seconds", type=float, default=600.0)
    parser.add_argument("--target-mb", type=float, default=4096.0)
    parser.add_argument("--out", type=Path, default=None, help="default bench/results/scale-<N>x[-dask].json")
    args = parser.parse_args()
    env = bench_env()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        catalogue = pd.read_csv(ROOT / "data" / "vehicles.csv", dtype=str)
        catalogue["available"] = (catalogue["available"].astype(int) * args.scale).round().astype(int).astype(str)
        catalogue.to_csv(folder / "vehicles.csv", index=False)
        (folder / "scale.toml").write_text(
            f'name = "scale"\ndescription = "{args.scale:g} times the demo cohort"\nbase = "{(ROOT / "scenarios" / "baseline.toml").as_posix()}"\n'
            f'[data]\nvehicles = "vehicles.csv"\n[synthetic]\nscale = {args.scale}\n[optimise]\ntime_limit_s = {args.time_limit}\n',
            encoding="utf-8")
        command = ["run", str(folder / "scale.toml"), "--out", str(folder / "out")]
        if args.scheduler:
            command += ["--scheduler", args.scheduler]
        elapsed, code, peak_mb = measured_transport(command, env)
        if code != 0:
            return code
        summary = json.loads((folder / "out" / "summary.json").read_text())
        checked = timed_transport(["check", str(folder / "out")], env)[1] == 0
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": machine(),
        "scale": args.scale,
        "time_limit_s": args.time_limit,
        "wall_seconds": round(elapsed, 1),
        "scheduler": args.scheduler or "processes",
        "target_seconds": args.target_seconds,
        "target_met": elapsed < args.target_seconds and peak_mb < args.target_mb,
        "peak_memory_mb": round(peak_mb),
        "target_mb": args.target_mb,
        "independent_check_passed": checked,
        "step_seconds": summary.get("timings_s", {}),
        "headline": {k: summary.get(k) for k in ("pupils_assessed", "pupils_eligible", "pupils_needing_transport", "pupils_transported",
                                                 "pupils_unserved", "annual_cost_gbp", "as_is_annual_cost_gbp")},
        "vehicles_by_type": summary.get("vehicles_by_type"),
        "ride_minutes": summary.get("ride_minutes"),
    }
    out = args.out or ROOT / "bench" / "results" / f"scale-{args.scale:g}x{'-dask' if args.scheduler else ''}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(f"transport run at {args.scale:g}x: {elapsed:.0f} s, {peak_mb:,.0f} MB; target {args.target_seconds:g} s and "
          f"{args.target_mb:,.0f} MB {'met' if result['target_met'] else 'NOT met'}; "
          f"{result['headline']['pupils_transported']} of {result['headline']['pupils_needing_transport']} served; "
          f"independent check {'passed' if checked else 'FAILED'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
