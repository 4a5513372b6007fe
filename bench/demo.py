"""Time `transport demo` end to end on this machine and write bench/results/demo.json.

Runs the real command in a fresh process (network and matrix caches warm or cold as chosen),
records the wall time, the per-step timings of the baseline run from its summary.json, and
the machine. Aim from the issue: under 2 minutes.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from timed_cli import bench_env, machine, timed_transport

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--time-limit", type=float, default=None, help="passed to transport demo (default: the demo's own)")
    parser.add_argument("--cold", action="store_true", help="use an empty cache (graphs and matrices built from scratch)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "demo.json")
    args = parser.parse_args()
    env = bench_env()
    with tempfile.TemporaryDirectory() as tmp:
        if args.cold:
            env["TRANSPORT_CACHE_DIR"] = str(Path(tmp) / "cache")
        out = Path(tmp) / "demo"
        command = ["demo", "--out", str(out)]
        if args.time_limit is not None:
            command += ["--time-limit", str(args.time_limit)]
        elapsed, code = timed_transport(command, env)
        if code != 0:
            return code
        summary = json.loads((out / "baseline" / "summary.json").read_text())
        comparison = (out / "comparison.csv").read_text() if (out / "comparison.csv").is_file() else ""
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": machine(),
        "cache": "cold" if args.cold else "warm",
        "time_limit_s": args.time_limit,
        "wall_seconds": round(elapsed, 1),
        "target_seconds": 120,
        "target_met": elapsed < 120,
        "baseline_step_seconds": summary.get("timings_s", {}),
        "baseline_headline": {k: summary.get(k) for k in ("pupils_assessed", "pupils_eligible", "pupils_needing_transport", "pupils_transported", "pupils_unserved", "annual_cost_gbp",
                                                          "as_is_annual_cost_gbp")},
        "comparison_csv": comparison,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(f"transport demo: {elapsed:.0f} s ({result['cache']} cache); target 120 s {'met' if result['target_met'] else 'NOT met'}")
    for step, seconds in result["baseline_step_seconds"].items():
        print(f"  baseline {step:<14} {seconds:>7.1f} s")
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
