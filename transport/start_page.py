"""index.html in every run folder: one page to start from, linking what the run wrote for people.

Each entry says in two lines what the file is for and who reads it. Only files the run wrote
are linked (a scenario run for a comparison has no map of its own). Written last among the
folder's files for people, from the run in memory; all text is escaped.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from transport.record import Run

#: (file, title, what it is, what to do with it), in the order a new reader needs them.
ENTRIES = (
    ("map.html", "Map",
     "Every vehicle run drawn on the roads, with the pick-up points, the schools and any pupil no vehicle could take.",
     "Tick a school to see only its runs, or type a run id such as AM-001 in the search box; it works with no internet."),
    ("route_sheets/index.html", "Route sheets",
     "One printable A4 page per vehicle run for its operator: each stop by name, times, pupils, the vehicle's needs, a map.",
     "Print them or send them to operators; a CSV of each running order sits beside it for operators' systems."),
    ("budget.xlsx", "Budget",
     "The annual cost of the optimised plan against today's contracts, by school, need, vehicle type and mode, and the "
     "forecast with its uncertainty bands.",
     "For finance: every assumption is on its own sheet; budget/ holds each table as CSV."),
    ("eligibility.csv", "Eligibility",
     "Every pupil's decision under the Education Act 1996 Schedule 35B and the council's policy, with the reason a "
     "parent can read and the routes measured.",
     "For transport officers answering a family or an appeal; eligibility_by_reason.csv counts the outcomes."),
    ("stops.csv", "Pick-up points",
     "Each pick-up point by name (a bus stop, or a junction or lay-by on a quiet road), the schools and pupils it serves "
     "and the furthest walk to it; stops.geojson holds the same for a GIS.",
     "Check them on the ground before families are told; a pupil with none in walking distance is collected from home."),
    ("summary.json", "Summary",
     "The headline figures for scripts: pupils at each stage, vehicles, ride times, how each search ended, the cost.",
     "Read it from a script or a dashboard; routes.csv and runs/ hold every stop for `transport check`."),
)


def write_index(run: Run, folder: Path) -> Path:
    """index.html linking the files of `folder` the run wrote for people, each with what it is for."""
    e = html.escape
    s = run.summary
    items = []
    for file, title, what, use in ENTRIES:
        if (folder / file).is_file():
            items.append(f"<li><a href='{e(file)}'>{e(title)}</a> <span class='file'>{e(file)}</span>"
                         f"<p>{e(what)}<br>{e(use)}</p></li>")
    lines = [f"{s.get('pupils_eligible', '?'):,} of {s.get('pupils_assessed', '?'):,} pupils eligible; "
             f"{s.get('pupils_transported', '?'):,} of {s.get('pupils_needing_transport', '?'):,} who need a vehicle "
             f"transported ({s.get('pupils_unserved', 0)} unserved)."]
    if s.get("annual_cost_gbp") is not None:
        lines.append(f"Annual cost of the optimised plan £{s['annual_cost_gbp']:,.0f}"
                     + (f", against £{s['as_is_annual_cost_gbp']:,.0f} for today's contracts."
                        if s.get("as_is_annual_cost_gbp") is not None else "."))
    lines.append(f"{s.get('pickup_points', 0)} pick-up points ({s.get('pickup_points_shared', 0)} shared by schools); "
                 f"{s.get('pupils_from_home_no_pickup_point', 0)} pupils who could walk to one have none within "
                 f"{run.scenario.policy.pickup_point_max_walk_miles:g} miles and are collected from home.")
    page = (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{e(run.name)}: home-to-school transport"
            f"</title><style>{STYLE}</style></head><body><h1>{e(run.name)}: home-to-school transport</h1>"
            f"<p class='meta'>{e(run.scenario.description or '')}</p><p>{'<br>'.join(e(line) for line in lines)}</p>"
            f"<ul>{''.join(items)}</ul><p class='meta'>Pupils appear by pseudonymous id only. Everything here was "
            "written by one run; manifest.json lists every file.</p></body></html>")
    path = folder / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 52em; color: #222; line-height: 1.45; }
h1 { font-size: 1.5em; }
.meta { color: #555; }
ul { list-style: none; padding: 0; }
li { margin: 1em 0; }
li a { font-size: 1.15em; font-weight: bold; }
li .file { color: #777; font-size: 0.85em; margin-left: 0.5em; }
li p { margin: 0.2em 0 0; }
"""
