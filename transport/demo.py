"""`transport demo`: the whole product on the Rutland demo area, in one command."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from transport.scenarios import load_scenario

log = logging.getLogger(__name__)

SCENARIOS_DIR = Path(__file__).resolve().parent.parent / "scenarios"
SHIPPED = ("baseline.toml", "new-send-unit.toml", "policy-post16.toml", "prices-up.toml")
#: Search seconds per run (AM, PM) in the demo, so that it finishes in a few minutes on two
#: cores; `transport run` uses the scenario's own limit (30 s) and finds cheaper routes.
DEMO_TIME_LIMIT_S = 6.0


def run_demo(out: Path, *, data_dir: Path | None = None, time_limit_s: float | None = None) -> dict:
    """Baseline run (eligibility, AM/PM routes, check, costs, budget, map, route sheets), then
    the shipped scenarios compared side by side. Prints where everything went."""
    from transport.pipeline import run

    started = time.perf_counter()
    time_limit_s = time_limit_s or DEMO_TIME_LIMIT_S
    baseline = load_scenario(SCENARIOS_DIR / "baseline.toml")
    result = run(baseline, out / baseline.name, data_dir=data_dir, time_limit_s=time_limit_s)
    written = {"baseline": result.out_dir}
    others = [SCENARIOS_DIR / name for name in SHIPPED[1:] if (SCENARIOS_DIR / name).is_file()]
    comparison = None
    if others:
        from transport.compare import compare

        comparison = compare([SCENARIOS_DIR / "baseline.toml", *others], out / "compare", data_dir=data_dir,
                             time_limit_s=time_limit_s, reuse={baseline.name: result})
    elapsed = time.perf_counter() - started
    summary = result.summary
    lines = [
        f"Demo finished in {elapsed:.0f} s.",
        f"Rutland: {summary['pupils_assessed']:,} pupils assessed, {summary['pupils_eligible']:,} eligible, "
        f"{summary['pupils_transported']:,} transported ({summary['pupils_door_to_door']} door to door).",
        f"Optimised annual cost £{summary['annual_cost_gbp']:,.0f}"
        + (f" against £{summary['as_is_annual_cost_gbp']:,.0f} for today's contracts." if "as_is_annual_cost_gbp" in summary else "."),
        "Written:",
        f"  map:             {result.out_dir / 'map.html'}",
        f"  route sheets:    {result.out_dir / 'route_sheets' / 'index.html'}",
        f"  budget:          {result.out_dir / 'budget.xlsx'}",
        f"  routes:          {result.out_dir / 'runs'}/AM|PM/routes.csv, {result.out_dir / 'routes.geojson'}",
        f"  eligibility:     {result.out_dir / 'eligibility.csv'}",
        f"  summary:         {result.out_dir / 'summary.json'}",
    ]
    if comparison is not None:
        lines += [f"  comparison:      {comparison['html']}", f"  comparison map:  {comparison['map']}"]
    for line in lines:
        print(line)
    return {"elapsed_s": elapsed, "outputs": {k: str(v) for k, v in written.items()}}
