"""comparison.html: the page a council decides between scenarios from.

A card per scenario (its annual change from the base, the pupils affected, the payback and
whether the change is within the search's noise), the figures side by side (metrics as rows,
scenarios as columns), annual cost by mode and each scenario's forecast band as inline SVG, the
schools where the money moves, and links to each scenario's own pages that were written. Every
piece of text from a scenario or a data file is escaped; the page loads nothing from anywhere
(it works offline) and prints on A4 landscape.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import pandas as pd

if TYPE_CHECKING:
    from transport.record import Run

e = html.escape

#: Scenario colours in charts (distinguishable in print and by most colour-blind readers).
PALETTE = ("#1f5fa8", "#d9822b", "#2e8b57", "#8e44ad", "#b8860b", "#17a2b8", "#c0392b", "#5d6d7e")

#: Plain names for the budget's modes (the optimised plan's arrangement of each pupil).
MODE_NAMES = {"solo_estimate": "solo estimate (no vehicle run)", "mileage_allowance": "mileage allowance",
              "travel_pass": "travel pass", "ptb": "personal transport budget", "none": "none"}
TEAM = "transport team (fixed)"

#: Each scenario's pages, linked when the file exists: (path in its folder, link text).
FOLDER_PAGES = (("index.html", "start page"), ("map.html", "map"), ("route_sheets/index.html", "route sheets"),
                ("budget.xlsx", "budget workbook"), ("summary.json", "summary.json"))

#: The comparison's own files, linked when they exist.
OWN_FILES = (("comparison_map.html", "every scenario's routes on one map"), ("comparison.csv", "these figures as CSV"),
             ("comparison_by_school.csv", "cost by school, every scenario"),
             ("comparison_by_route.csv", "vehicle runs that differ from the base"))

#: Rows of the by-school table on the page (the CSV holds them all).
SCHOOL_ROWS = 25


# ------------------------------------------------------------------------------ numbers in words


def _missing(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA


def gbp(v: object) -> str:
    """£3,963,960: whole pounds; a negative amount with a minus sign."""
    if _missing(v):
        return "–"
    v = round(float(v))
    return f"−£{-v:,.0f}" if v < 0 else f"£{v:,.0f}"


def signed_gbp(v: object) -> str:
    """+£1,200, −£6,459 or £0."""
    if _missing(v):
        return "–"
    return gbp(v) if round(float(v)) <= 0 else "+" + gbp(v)


def count(v: object) -> str:
    return "–" if _missing(v) else f"{int(v):,}"


def signed_count(v: object) -> str:
    """+2, −2 or 0."""
    return "–" if _missing(v) else f"+{int(v):,}" if int(v) > 0 else f"−{-int(v):,}" if int(v) < 0 else "0"


def minutes(v: object) -> str:
    return "–" if _missing(v) else f"{float(v):,.1f} min"


def signed_minutes(v: object) -> str:
    """+2.5 min, −5.3 min."""
    if _missing(v):
        return "–"
    return f"+{float(v):,.1f} min" if float(v) > 0 else f"−{-float(v):,.1f} min" if float(v) < 0 else "0.0 min"


def years(v: object) -> str:
    if _missing(v):
        return "–"
    return "never" if math.isinf(float(v)) else f"{float(v):.1f} years"


def yes_no(v: object) -> str:
    return "–" if _missing(v) else ("yes" if bool(v) else "no")


def text(v: object) -> str:
    return "–" if _missing(v) or v == "" else str(v)


def payback_words(row: pd.Series) -> str:
    """'5.0 years', '5.0 years (4.8 to 5.3 years over 3 seeds)', 'never', or what there is instead."""
    value = row.get("payback_years")
    if _missing(value):
        return "nothing to pay back" if row.get("payback_note") != "the base" else "–"
    out = years(value)
    low, high = row.get("payback_years_low"), row.get("payback_years_high")
    if not _missing(low) and not _missing(high) and (low != high):
        out += f" ({years(low)} to {years(high)} over {int(row['repeats'])} seeds)"
    return out


# ------------------------------------------------------------------------------ the page


def write_page(out_dir: Path, table: pd.DataFrame, by_school: pd.DataFrame, by_route: pd.DataFrame, runs: list[Run]) -> Path:
    """comparison.html in `out_dir`, linking only the pages that exist there now."""
    folders = {run.name: [(f"{quote(run.name)}/{path}", label) for path, label in FOLDER_PAGES
                          if (out_dir / run.name / path).is_file()] for run in runs}
    own = [(path, label) for path, label in OWN_FILES if (out_dir / path).is_file()]
    path = out_dir / "comparison.html"
    path.write_text(render(table, by_school, by_route, runs, folders, own), encoding="utf-8")
    return path


def render(table: pd.DataFrame, by_school: pd.DataFrame, by_route: pd.DataFrame, runs: list[Run],
           folders: dict[str, list[tuple[str, str]]], own: list[tuple[str, str]]) -> str:
    """The page: cards, the figures side by side, the charts, by school, links."""
    colours = {name: PALETTE[k % len(PALETTE)] for k, name in enumerate(table["scenario"])}
    sections = [
        _introduction(table, runs),
        "<section><h2>At a glance</h2><div class='cards'>"
        + "".join(_card(row, k, colours) for k, (_, row) in enumerate(table.iterrows())) + "</div></section>",
        f"<section><h2>Annual cost by mode</h2>{_mode_chart(runs, colours)}</section>",
        f"<section><h2>Forecast by financial year</h2>{_forecast_charts(runs, colours)}</section>",
        f"<section><h2>The figures side by side</h2>{_metrics(table, by_route)}</section>",
        f"<section><h2>Where the money moves, by school</h2>{_schools(table, by_school)}</section>",
        f"<section><h2>Pages and files</h2>{_links(table, folders, own)}</section>",
    ]
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'><link rel='icon' href='data:,'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'><title>Scenario comparison</title>"
            f"<style>{STYLE}</style></head><body><h1>Scenario comparison</h1>{''.join(sections)}</body></html>")


def _introduction(table: pd.DataFrame, runs: list[Run]) -> str:
    base = table.iloc[0]
    repeats = int(base.get("repeats", 1) or 1)
    forecast = runs[0].summary.get("budget", {}).get("forecast", [])
    year1 = forecast[1]["financial_year"] if len(forecast) > 1 else "year 1"
    parts = [f"<p>The base is <strong>{e(str(base['scenario']))}</strong>, the first scenario given; every change on this "
             "page is a scenario's figure less the base's. Costs are annual, at today's prices, for the optimised plan with "
             "the transport team; the forecast grows them by financial year.</p>"]
    if repeats > 1:
        parts.append(f"<p>Routes come from a time-limited search, so part of a difference can be the search landing "
                     f"differently rather than the scenario. This comparison ran {repeats} times with different search "
                     "seeds (<code>--repeats</code>). A change marked <em>within search noise</em> is no bigger than how far "
                     "that change moved between those runs: the search alone could have made it, so do not act on it "
                     "without a longer search.</p>")
    else:
        parts.append("<p>Routes come from a time-limited search, so part of a difference can be the search landing "
                     "differently rather than the scenario. This comparison ran once, so that noise was not measured: run "
                     "it with <code>--repeats 3</code> to see which changes are within the search's noise.</p>")
    parts.append(f"<p>Payback counts years from the start of {e(str(year1))}: each year's net saving is the base's forecast "
                 "cost (P50) less the scenario's, less the running cost of any new places; payback is when the saving "
                 "added up reaches the capital cost. After the forecast's last year the last year's net saving carries on. "
                 "<em>Never</em> means the net saving is not positive by the forecast's last year.</p>")
    return "<section class='intro'>" + "".join(parts) + "</section>"


def _card(row: pd.Series, k: int, colours: dict[str, str]) -> str:
    name = str(row["scenario"])
    description = "" if _missing(row.get("description")) else str(row.get("description"))
    head = (f"<div class='card' data-scenario='{e(name)}' style='border-top-color:{colours[name]}'>"
            f"<h3>{e(name)}</h3><p class='desc'>{e(description)}</p>")
    if k == 0:
        return (head + "<p class='badge'>Base</p>"
                f"<p class='big'>{gbp(row['annual_cost_gbp'])}<span class='unit'> a year</span></p>"
                "<p>Every other scenario is compared with this one.</p></div>")
    change = float(row["change_vs_base_gbp"])
    kind, word = (("saving", "saving") if round(change) < 0 else ("cost", "extra cost") if round(change) > 0
                  else ("same", "no change"))
    lines = [f"<p class='big {kind}'>{signed_gbp(change)}<span class='unit'> a year, {word}</span></p>",
             f"<p>Annual cost {gbp(row['annual_cost_gbp'])}</p>",
             f"<p>Pupils whose transport differs from the base's (another vehicle run or school): "
             f"{count(row.get('pupils_affected'))}</p>",
             f"<p>Payback: {e(payback_words(row))}</p>"]
    note = row.get("payback_note")
    if not _missing(row.get("payback_years")) and not _missing(note) and note:
        lines.append(f"<p class='note'>{e(str(note)[:1].upper() + str(note)[1:])}.</p>")
    noise = row.get("change_within_search_noise")
    if not _missing(noise):
        spread = gbp(row.get("change_spread_gbp"))
        lines.append(f"<p class='noise'>Within search noise: the search alone moved this change by up to {spread}.</p>"
                     if bool(noise) else f"<p class='clear'>Larger than the search's noise ({spread}).</p>")
    return head + "".join(lines) + "</div>"


# ------------------------------------------------------------------------------ the figures side by side

#: (label, column, format); a group heading is (label, None, None).
METRICS: tuple[tuple[str, str | None, Callable | None], ...] = (
    ("Cost", None, None),
    ("Annual cost, optimised plan", "annual_cost_gbp", gbp),
    ("Change from the base", "change_vs_base_gbp", signed_gbp),
    ("Spread of the change over seeds", "change_spread_gbp", gbp),
    ("Within search noise", "change_within_search_noise", yes_no),
    ("Today's arrangements, annual cost", "baseline_annual_gbp", gbp),
    ("Forecast, last year (P50)", "forecast_final_year_p50_gbp", gbp),
    ("Forecast change from the base, last year", "forecast_change_vs_base_gbp", signed_gbp),
    ("Capital cost of new places", "capital_cost_gbp", gbp),
    ("Running cost of new places, a year", "extra_revenue_gbp_per_year", gbp),
    ("Pupils", None, None),
    ("Eligible", "pupils_eligible", count),
    ("Needing transport", "pupils_needing_transport", count),
    ("Transported", "pupils_transported", count),
    ("Not served", "pupils_unserved", count),
    ("Collected from home", "pupils_door_to_door", count),
    ("Travelling alone", "travelling_alone", count),
    ("Affected (transport differs from the base's)", "pupils_affected", count),
    ("Moved to new provision", "pupils_moved", count),
    ("Their journey change, mean", "moved_mean_journey_change_min", signed_minutes),
    ("Vehicles and rides", None, None),
    ("Vehicles, morning", "vehicles_am", count),
    ("Vehicles, afternoon", "vehicles_pm", count),
    ("Morning vehicles by type", "vehicles_am_by_type", text),
    ("Ride, mean", "ride_mean_min", minutes),
    ("Ride, longest", "ride_max_min", minutes),
    ("Pupils over their ride limit", "pupils_over_ride_limit", count),
)


def _metrics(table: pd.DataFrame, by_route: pd.DataFrame) -> str:
    names = [str(n) for n in table["scenario"]]
    head = "<tr><th class='label'>Figure</th>" + "".join(f"<th>{e(n)}</th>" for n in names) + "</tr>"
    repeats = int(table["repeats"].iloc[0]) if "repeats" in table else 1
    rows = []
    for label, column, fmt in METRICS:
        if column is None:
            rows.append(f"<tr class='group'><th colspan='{len(names) + 1}'>{e(label)}</th></tr>")
        elif column in table and (repeats > 1 or column not in ("change_spread_gbp", "change_within_search_noise")):
            rows.append(f"<tr><th class='label'>{e(label)}</th>"
                        + "".join(f"<td>{e(fmt(v))}</td>" for v in table[column]) + "</tr>")
        if column == "extra_revenue_gbp_per_year":
            rows.append("<tr><th class='label'>Payback</th>"
                        + "".join(f"<td>{e(payback_words(row))}</td>" for _, row in table.iterrows()) + "</tr>")
    for only_in, label in (("scenario", "Vehicle runs the base does not have"), ("base", "The base's vehicle runs it does not have")):
        counts = [int(((by_route["scenario"] == n) & (by_route["only_in"] == only_in)).sum()) if k else None
                  for k, n in enumerate(names)]
        rows.append(f"<tr><th class='label'>{e(label)}</th>" + "".join(f"<td>{count(c)}</td>" for c in counts) + "</tr>")
    return f"<table class='metrics'><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"


# ------------------------------------------------------------------------------ charts


def mode_costs(run: Run) -> dict[str, float]:
    """Annual cost of the optimised plan by mode (budget by_mode), and the transport team."""
    from transport.budget import breakdown

    table = breakdown(run.costs.pupils, "mode")
    out = {MODE_NAMES.get(str(r.mode), str(r.mode).replace("_", " ")): float(r.optimised_annual_gbp)
           for r in table.itertuples(index=False) if r.optimised_annual_gbp}
    team = float(run.costs.figures.get("staff_overhead_gbp") or 0.0)
    return out | ({TEAM: team} if team else {})


def _legend(names: list[str], colours: dict[str, str]) -> str:
    return "<p class='legend'>" + "".join(f"<span><i style='background:{colours[n]}'></i>{e(n)}</span>" for n in names) + "</p>"


def _mode_chart(runs: list[Run], colours: dict[str, str]) -> str:
    """Horizontal bars: for each mode, one bar per scenario, labelled with its annual cost."""
    costs = {run.name: mode_costs(run) for run in runs}
    modes = sorted({m for c in costs.values() for m in c}, key=lambda m: (m == TEAM, -max(c.get(m, 0) for c in costs.values())))
    if not modes:
        return "<p>No costs to chart.</p>"
    top = max(v for c in costs.values() for v in c.values()) or 1.0
    bar, gap, left, width, right = 14, 3, 210, 590, 110
    group = len(runs) * (bar + gap) + 12
    height = len(modes) * group + 8
    parts = [f"<svg class='chart' viewBox='0 0 {left + width + right} {height}' role='img' "
             f"aria-label='Annual cost by mode, one bar per scenario'>"]
    for i, mode in enumerate(modes):
        y0 = 4 + i * group
        parts.append(f"<text class='axis' x='{left - 8}' y='{y0 + group / 2 - 4}' text-anchor='end'>{e(mode)}</text>")
        for j, run in enumerate(runs):
            value = costs[run.name].get(mode, 0.0)
            y, w = y0 + j * (bar + gap), max(value / top * width, 0.0)
            parts.append(f"<rect class='bar' x='{left}' y='{y}' width='{w:.1f}' height='{bar}' fill='{colours[run.name]}' "
                         f"data-scenario='{e(run.name)}' data-mode='{e(mode)}'><title>{e(run.name)}: {e(mode)}, "
                         f"{gbp(value)} a year</title></rect>"
                         f"<text class='value' x='{left + w + 4:.1f}' y='{y + bar - 3}'>{gbp(value)}</text>")
    parts.append("</svg>")
    return (_legend([r.name for r in runs], colours) + "".join(parts)
            + "<p class='note'>Each pupil's share of the optimised plan by how they travel in it (the budget's by-mode "
              "table), and the transport team; annual, at today's prices.</p>")


def _forecast_charts(runs: list[Run], colours: dict[str, str]) -> str:
    """One small chart per scenario on a shared scale: the P10 to P90 band and the P50 line."""
    paths = {run.name: run.summary.get("budget", {}).get("forecast", []) for run in runs}
    values = [v for f in paths.values() for r in f for v in (r["p10_gbp"], r["p90_gbp"])]
    if not values:
        return "<p>No forecast.</p>"
    low, high = _nice_range(min(values), max(values))
    charts = [_forecast_chart(name, forecast, low, high, colours[name]) for name, forecast in paths.items() if forecast]
    return ("<div class='small-multiples'>" + "".join(charts) + "</div><p class='note'>The shaded band runs from P10 to "
            "P90 of the forecast's Monte Carlo over the uncertain rates (growth in plans, inflation); the line is the P50. "
            "Every chart has the same scale. Year 0 is today's arrangements.</p>")


def _nice_range(low: float, high: float) -> tuple[float, float]:
    step = 10 ** max(0, math.floor(math.log10(max(high - low, 1.0))))
    return math.floor(low / step) * step, math.ceil(high / step) * step if high > low else low + step


def _forecast_chart(name: str, forecast: list[dict], low: float, high: float, colour: str) -> str:
    left, top, width, height = 62, 10, 270, 150
    n = len(forecast)

    def x(k: int) -> float:
        return left + (width * k / (n - 1) if n > 1 else width / 2)

    def y(v: float) -> float:
        return top + height * (1 - (v - low) / ((high - low) or 1.0))

    band = [f"{x(k):.1f},{y(r['p90_gbp']):.1f}" for k, r in enumerate(forecast)]
    band += [f"{x(k):.1f},{y(r['p10_gbp']):.1f}" for k, r in reversed(list(enumerate(forecast)))]
    line = " ".join(f"{x(k):.1f},{y(r['p50_gbp']):.1f}" for k, r in enumerate(forecast))
    every = max(1, math.ceil((n - 1) / 3))
    anchor = {0: "start", n - 1: "end"}
    ticks = "".join(f"<text class='axis' x='{x(k):.1f}' y='{top + height + 14}' text-anchor='{anchor.get(k, 'middle')}'>"
                    f"{e(str(r['financial_year']))}</text>" for k, r in enumerate(forecast)
                    if k == n - 1 or (k % every == 0 and n - 1 - k >= every))
    scale = "".join(f"<text class='axis' x='{left - 4}' y='{y(v) + 4:.1f}' text-anchor='end'>{_short_gbp(v)}</text>"
                    f"<line class='grid' x1='{left}' x2='{left + width}' y1='{y(v):.1f}' y2='{y(v):.1f}'/>"
                    for v in (low, (low + high) / 2, high))
    last = forecast[-1]
    return (f"<figure class='forecast' data-scenario='{e(name)}'><figcaption>{e(name)}: {e(str(last['financial_year']))} "
            f"P50 {gbp(last['p50_gbp'])} ({gbp(last['p10_gbp'])} to {gbp(last['p90_gbp'])})</figcaption>"
            f"<svg class='chart' viewBox='0 0 {left + width + 20} {top + height + 22}' role='img' "
            f"aria-label='Forecast of {e(name)} by financial year'>{scale}"
            f"<polygon class='band' points='{' '.join(band)}' fill='{colour}'/>"
            f"<polyline class='p50' points='{line}' stroke='{colour}'/>{ticks}</svg></figure>")


def _short_gbp(v: float) -> str:
    for size, suffix in ((1e6, "m"), (1e3, "k")):
        if abs(v) >= size:
            return f"£{v / size:,.{0 if abs(v) >= 100 * size else 1}f}{suffix}"
    return f"£{v:,.0f}"


# ------------------------------------------------------------------------------ by school, and links


def _schools(table: pd.DataFrame, by_school: pd.DataFrame) -> str:
    """Schools whose cost or pupils differ from the base's in any scenario, largest change first."""
    names = [str(n) for n in table["scenario"]]
    others = by_school[by_school["scenario"] != names[0]]
    moved = others[(others["change_vs_base_gbp"].abs() >= 0.5) | (others["pupils_change_vs_base"] != 0)]
    if moved.empty:
        return "<p>No school's cost or pupils differ from the base's.</p>"
    size = moved.groupby("school_urn")["change_vs_base_gbp"].agg(lambda c: c.abs().max()).sort_values(ascending=False)
    shown = list(size.index[:SCHOOL_ROWS])
    cell = {(r.scenario, r.school_urn): r for r in by_school.itertuples(index=False)}
    head = ("<tr><th class='label'>School</th>" + f"<th>{e(names[0])} (base)</th>"
            + "".join(f"<th>{e(n)}: change</th>" for n in names[1:]) + "</tr>")
    rows = []
    for urn in shown:
        label = next((r.school_name for key, r in cell.items() if key[1] == urn and r.school_name), "")
        base = cell.get((names[0], urn))
        tds = [f"<td>{gbp(base.optimised_annual_gbp)}<br><span class='sub'>{count(base.pupils_transported)} pupils</span></td>"
               if base is not None else "<td>–</td>"]
        for n in names[1:]:
            r = cell.get((n, urn))
            tds.append(f"<td>{signed_gbp(r.change_vs_base_gbp)}<br><span class='sub'>{signed_count(r.pupils_change_vs_base)} pupils</span></td>"
                       if r is not None else "<td>–</td>")
        rows.append(f"<tr><th class='label'>{e(str(label))}<br><span class='sub'>{e(str(urn))}</span></th>{''.join(tds)}</tr>")
    more = (f"<p class='note'>The {len(shown)} schools with the largest changes of {len(size)};"
            " every school is in comparison_by_school.csv.</p>" if len(size) > len(shown) else "")
    return (f"<table class='schools'><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>{more}"
            "<p class='note'>Each school's pupils with a cost in the optimised plan and their annual cost (the budget's "
            "pupil table; the transport team is not by school). Vehicle runs that differ from the base's are in "
            "comparison_by_route.csv.</p>")


def _links(table: pd.DataFrame, folders: dict[str, list[tuple[str, str]]], own: list[tuple[str, str]]) -> str:
    items = "".join(f"<li><a href='{e(path)}'>{e(label)}</a></li>" for path, label in own)
    rows = "".join(f"<li><strong>{e(name)}</strong>: " + (", ".join(f"<a href='{e(path)}'>{e(label)}</a>" for path, label
                                                                   in folders.get(name, [])) or "no pages written")
                   + "</li>" for name in map(str, table["scenario"]))
    return f"<ul>{items}</ul><ul>{rows}</ul>"


STYLE = """
@page { size: A4 landscape; margin: 10mm; }
* { box-sizing: border-box; }
body { font-family: system-ui, sans-serif; margin: 1.5em auto; max-width: 1040px; padding: 0 12px; color: #222;
       line-height: 1.4; }
h1 { font-size: 1.5em; margin: 0 0 0.4em; }
h2 { font-size: 1.15em; margin: 1.4em 0 0.5em; border-bottom: 1px solid #ccc; }
h2 { break-after: avoid; }
.intro p { margin: 0.4em 0; max-width: 60em; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); gap: 12px; }
.card { border: 1px solid #ccc; border-top: 6px solid #888; border-radius: 4px; padding: 8px 12px; break-inside: avoid; }
.card h3 { margin: 0; font-size: 1.05em; overflow-wrap: anywhere; }
.card p { margin: 0.25em 0; }
.card .desc { color: #555; font-size: 0.9em; overflow-wrap: anywhere; }
.big { font-size: 1.45em; font-weight: 700; }
.big .unit { font-size: 0.6em; font-weight: 400; color: #444; }
.saving { color: #1a7f37; }
.cost { color: #b42318; }
.same { color: #555; }
.badge { display: inline-block; background: #eee; border-radius: 3px; padding: 0 6px; font-size: 0.85em; }
.noise { background: #fff4d6; border-left: 4px solid #d9a400; padding: 2px 6px; }
.clear { color: #444; font-size: 0.9em; }
.note { color: #555; font-size: 0.88em; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
th, td { border: 1px solid #ccc; padding: 3px 6px; font-size: 0.88em; text-align: right; vertical-align: top;
         overflow-wrap: anywhere; }
th { background: #f3f3f3; }
th.label { text-align: left; width: 30%; font-weight: 500; }
tr.group th { text-align: left; background: #e4e9f0; font-weight: 700; }
.sub { color: #666; font-size: 0.9em; font-weight: 400; }
.legend span { margin-right: 1.2em; white-space: nowrap; }
.legend i { display: inline-block; width: 0.9em; height: 0.9em; margin-right: 0.3em; vertical-align: -0.1em; }
svg.chart { width: 100%; height: auto; display: block; }
svg .axis { font-size: 11px; fill: #333; }
svg .value { font-size: 10px; fill: #333; }
svg .grid { stroke: #ddd; stroke-width: 1; }
svg .band { opacity: 0.25; }
svg .p50 { fill: none; stroke-width: 2; }
.small-multiples { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 10px; }
figure.forecast { margin: 0; break-inside: avoid; }
figure.forecast figcaption { font-size: 0.85em; overflow-wrap: anywhere; }
@media print { body { margin: 0; max-width: none; padding: 0; font-size: 10pt; } a { color: inherit; } }
"""
