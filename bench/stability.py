"""How far the search alone moves a comparison: the shipped scenarios compared with several seeds.

Runs `transport compare` on scenarios/{baseline,new-send-unit,policy-post16,prices-up}.toml with
`--repeats N --seed S --time-limit T` in a fresh process, then writes each seed's annual cost and
change from the base (summary.json's by_seed), each change's spread over the seeds, and the
checks of issue 17: the new SEND unit's change agrees between seeds within the larger of
£10,000 and 10% of it, and the post-16 policy is never cheaper than the baseline.

    python bench/stability.py [--time-limit 10] [--repeats 2] [--seed 1] [--out bench/results/stability.json]

Exit status 0 when the comparison ran, whatever the checks say; 1 when it failed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
from pathlib import Path

from timed_cli import bench_env, machine, timed_transport

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ("baseline", "new-send-unit", "policy-post16", "prices-up")
UNIT, POLICY = "new-send-unit", "policy-post16"


def checks(by_seed: list[dict]) -> dict[str, object]:
    """The unit's change agrees within max(£10,000, 10%); the post-16 policy never costs less."""
    unit = [next(s["change_vs_base_gbp"] for s in seed["scenarios"] if s["scenario"] == UNIT) for seed in by_seed]
    policy = [next(s["change_vs_base_gbp"] for s in seed["scenarios"] if s["scenario"] == POLICY) for seed in by_seed]
    spread = max(unit) - min(unit)
    allowed = max(10_000.0, 0.10 * abs(sum(unit) / len(unit)))
    return {"unit_change_spread_gbp": round(spread, 2), "unit_allowed_spread_gbp": round(allowed, 2),
            "unit_agrees": spread <= allowed, "policy_never_cheaper": all(c > 0 for c in policy)}


def markdown(result: dict) -> str:
    seeds = result["by_seed"]
    lines = [f"# Scenario stability: the shipped comparison with {len(seeds)} seeds",
             "", f"`{result['command']}` on {result['date']}, {result['machine']['cpus']} cores, {result['wall_seconds']} s.",
             "", "| scenario | " + " | ".join(f"seed {s['seed']} annual £ | change £" for s in seeds) + " | change spread £ |",
             "|---|" + "--:|--:|" * len(seeds) + "--:|"]
    for name in SCENARIOS:
        rows = [next(x for x in s["scenarios"] if x["scenario"] == name) for s in seeds]
        changes = [r["change_vs_base_gbp"] for r in rows]
        cells = " | ".join(f"{r['annual_cost_gbp']:,.0f} | {r['change_vs_base_gbp']:+,.0f}" for r in rows)
        lines.append(f"| {name} | {cells} | {max(changes) - min(changes):,.0f} |")
    c = result["checks"]
    lines += ["", f"- New SEND unit: change spread £{c['unit_change_spread_gbp']:,.0f} against the allowed "
              f"£{c['unit_allowed_spread_gbp']:,.0f} (the larger of £10,000 and 10%): {'met' if c['unit_agrees'] else 'NOT met'}.",
              f"- Post-16 policy never cheaper than the baseline: {'met' if c['policy_never_cheaper'] else 'NOT met'}.", ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "stability.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        arguments = ["compare", *(str(ROOT / "scenarios" / f"{n}.toml") for n in SCENARIOS), "--out", tmp,
                     "--time-limit", str(args.time_limit), "--repeats", str(args.repeats), "--seed", str(args.seed), "--quiet"]
        seconds, code = timed_transport(arguments, bench_env())
        if code != 0:
            print(f"transport compare failed with exit code {code}")
            return 1
        by_seed = json.loads((Path(tmp) / "summary.json").read_text(encoding="utf-8"))["by_seed"]
    result = {"date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "machine": machine(), "wall_seconds": round(seconds, 1),
              "command": f"transport compare scenarios/{{{','.join(SCENARIOS)}}}.toml --time-limit {args.time_limit:g} "
                         f"--repeats {args.repeats} --seed {args.seed}",
              "by_seed": by_seed, "checks": checks(by_seed)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    args.out.with_suffix(".md").write_text(markdown(result), encoding="utf-8")
    print(markdown(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
