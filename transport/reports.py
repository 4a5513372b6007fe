"""Files for people: the budget workbook and its CSVs, and operators' route sheets.

Both are drawn from the run in memory (`Run`), into the folder the run is being written to.
"""

from __future__ import annotations

import html
from pathlib import Path

from transport.cells import write_csv
from transport.journeys import school_stop_kind
from transport.record import Run
from transport.runfiles import routes_frame
from transport.schemas import ROUTE_SHEET
from transport.units import s_to_clock


def write_budget(run: Run, folder: Path) -> Path:
    """budget.xlsx (summary first, live formulas over the pupils and assumptions sheets; see
    `transport.workbook`) and each of its tables as values in budget/*.csv."""
    from transport.budget import budget_tables
    from transport.workbook import write_budget_workbook

    budget_dir = folder / "budget"
    budget_dir.mkdir(parents=True, exist_ok=True)
    for name, table in budget_tables(run.costs, run.schools, run.scenario).items():
        write_csv(table, budget_dir / f"{name}.csv")
    return write_budget_workbook(run.costs, run.scenario, run.schools, folder / "budget.xlsx")


SHEET_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.4em; margin-bottom: 0.2em; }
.meta { color: #555; margin-bottom: 1em; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #bbb; padding: 4px 8px; text-align: left; font-size: 0.95em; }
th { background: #eee; }
.flag { font-weight: bold; }
@media print { body { margin: 0.5cm; } a { color: inherit; text-decoration: none; } }
"""

ACTIONS = {"start": "Leave depot", "end": "Return to depot", "pickup": "Pick up", "delivery": "Drop off"}


def write_route_sheets(run: Run, folder: Path) -> list[Path]:
    """One printable HTML page and one CSV per vehicle run, for the operator."""
    sheets_dir = folder / "route_sheets"
    sheets_dir.mkdir(parents=True, exist_ok=True)
    names = dict(zip(run.schools["urn"].astype(str), run.schools["name"], strict=True))
    written: list[Path] = []
    index_rows = []
    for run_name, solution in run.solutions.items():
        problem = run.problems[run_name]
        requests = {r.request_id: r for r in problem.requests}
        types = {vt.name: vt for vt in problem.vehicle_types}
        routes = routes_frame(run_name, problem, solution, run.demand.locations)
        for vehicle, stops in routes.groupby("vehicle", sort=True):
            table = ROUTE_SHEET.frame(_sheet_row(s, requests, names, run_name) for s in stops.itertuples(index=False))
            base = sheets_dir / f"{vehicle}"
            write_csv(table, base.with_suffix(".csv"))
            vt = types[stops["vehicle_type"].iat[0]]
            title = f"Route {vehicle}: {vt.catalogue_type.replace('_', ' ')}"
            meta = (f"Run {run_name} &middot; depot {html.escape(vt.depot)} &middot; "
                    f"passenger assistant: {'yes' if vt.has_assistant else 'no'} &middot; "
                    f"departs {html.escape(s_to_clock(int(stops['departure_s'].iat[0])))}")
            body = table.to_html(index=False, escape=True, border=0, na_rep="")
            page = (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
                    f"<style>{SHEET_STYLE}</style></head><body><h1>{html.escape(title)}</h1><div class='meta'>{meta}</div>"
                    f"{body}<p class='meta'>Pupils are shown by pseudonymous id only. The school holds the contact details.</p>"
                    f"</body></html>")
            base.with_suffix(".html").write_text(page, encoding="utf-8")
            written.append(base.with_suffix(".html"))
            index_rows.append(f"<li><a href='{html.escape(vehicle)}.html'>{html.escape(title)}</a> ({len(stops) - 2} stops)</li>")
    (sheets_dir / "index.html").write_text(
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Route sheets</title><style>{SHEET_STYLE}</style></head>"
        f"<body><h1>Route sheets</h1><ul>{''.join(index_rows)}</ul></body></html>", encoding="utf-8")
    return written


def _sheet_row(stop, requests: dict, names: dict[str, str], run_name: str) -> dict:
    req = requests.get(stop.request_id)
    flags = []
    if req is not None:
        flags += ["wheelchair"] * bool(req.wheelchairs) + ["assistant"] * req.needs_assistant + ["travels alone"] * req.travel_alone
    at_school = stop.stop_kind == school_stop_kind(run_name)
    place = names.get(str(stop.group), "") if at_school else ""
    return {"order": stop.sequence, "time": stop.arrival if stop.stop_kind != "start" else stop.departure,
            "action": ACTIONS.get(stop.stop_kind, stop.stop_kind), "pupils": stop.pupils, "needs": ", ".join(flags),
            "school": names.get(str(stop.group), str(stop.group)) if stop.group else "",
            "at": place or (f"{stop.lat:.5f}, {stop.lon:.5f}" if stop.stop_kind in ("pickup", "delivery") else "depot"),
            "load": stop.seats_load, "ride_min": stop.ride_minutes}
