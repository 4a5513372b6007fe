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


def _budget_line(budget: dict) -> str:
    """The budget in one sentence: today's actual cost, the realignment, the optimised plan, the 5-year P50."""
    baseline, optimised = budget["baseline_annual_gbp"], budget["optimised_annual_gbp"]
    saving = (baseline - optimised) / baseline if baseline else 0.0
    last = budget["forecast"][-1]
    realign = (f", £{budget['realignment_gbp']:,.0f} over the £{budget['current_budget_gbp']:,.0f} budget line"
               if budget["current_budget_gbp"] is not None else "")
    return (f"Today's arrangements cost £{baseline:,.0f} a year{realign}; the optimised plan £{optimised:,.0f} "
            f"({saving:.1%} less, once every contract is re-let); {last['financial_year']} P50 £{last['p50_gbp']:,.0f} "
            f"(P10-P90 £{last['p10_gbp']:,.0f}-£{last['p90_gbp']:,.0f}).")


def _scenario_lines(table) -> list[str]:
    """Each scenario's annual change from the base and payback, with what the figures rest on."""
    from transport.comparison_page import payback_words, signed_gbp

    def payback(row) -> str:
        words = payback_words(row)
        return "no capital cost to pay back" if words in ("nothing to pay back", "–") else f"payback {words}"

    lines = [f"  {row['scenario']}: {signed_gbp(row['change_vs_base_gbp'])} a year against the baseline; {payback(row)}"
             for _, row in table.iloc[1:].iterrows()]
    return ["Scenarios (each the cheapest plan any of the comparison's searches found for it; one seed: "
            "`transport compare --repeats 3` measures how far the search alone moves a figure):", *lines]


def run_demo(out: Path, *, data_dir: Path | None = None, time_limit_s: float | None = None) -> dict:
    """The shipped scenarios run side by side in two processes (one search worker each): the
    baseline with its map, route sheets and budget, the others for the comparison. Prints
    where everything went."""
    from transport.compare import compare

    started = time.perf_counter()
    time_limit_s = time_limit_s or DEMO_TIME_LIMIT_S
    paths = [SCENARIOS_DIR / name for name in SHIPPED if (SCENARIOS_DIR / name).is_file()]
    for path in paths:
        load_scenario(path)  # every file is checked before anything runs
    comparison = compare(paths, out, data_dir=data_dir, time_limit_s=time_limit_s, map_first=True)
    baseline = comparison["results"][0]
    base_dir, summary = out / baseline.name, baseline.summary
    elapsed = time.perf_counter() - started
    lines = [
        f"Demo finished in {elapsed:.0f} s.",
        f"Rutland: {summary['pupils_assessed']:,} pupils assessed, {summary['pupils_eligible']:,} eligible, "
        f"{summary['pupils_transported']:,} of {summary['pupils_needing_transport']:,} who need a vehicle routed "
        f"({summary['pupils_door_to_door']} door to door)"
        + (f"; {summary['pupils_unserved']} unserved, with reasons in runs/*/unserved.csv." if summary["pupils_unserved"] else "."),
        _budget_line(summary["budget"]),
        *_scenario_lines(comparison["table"]),
        "Written:",
        f"  start here:      {base_dir / 'index.html'}",
        f"  map:             {base_dir / 'map.html'}",
        f"  route sheets:    {base_dir / 'route_sheets' / 'index.html'}",
        f"  budget:          {base_dir / 'budget.xlsx'}",
        f"  routes:          {base_dir / 'routes.csv'}, {base_dir / 'routes.geojson'}",
        f"  pick-up points:  {base_dir / 'stops.csv'}, {base_dir / 'stops.geojson'}",
        f"  eligibility:     {base_dir / 'eligibility.csv'}",
        f"  summary:         {base_dir / 'summary.json'}",
        f"  comparison:      {comparison['html']}",
        f"  comparison map:  {comparison['map']}",
    ]
    for line in lines:
        print(line)
    return {"elapsed_s": elapsed, "outputs": {"baseline": str(base_dir), "comparison": str(comparison["html"])}}
