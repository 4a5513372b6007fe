"""Route sheets an operator can drive: one printable A4 page and one CSV per vehicle run.

Every stop is named (the pick-up point's name, the school, the depot); a door-to-door stop
gives the street and town only, and the sheet says the house number is on the council's
own list. Each page carries the run's totals (miles, minutes, pupils, and what the vehicle
needs: seats, wheelchair spaces, a passenger assistant) and a small map of the route drawn
as inline SVG, so it prints and opens with no internet. Everything comes from the run in
memory; pupils appear only by pseudonymous id; all text is escaped.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from transport.cells import write_csv
from transport.journeys import home_stop_kind, school_stop_kind, to_school
from transport.record import Run
from transport.runfiles import routes_frame
from transport.schemas import ROUTE_SHEET
from transport.units import m_to_miles, s_to_clock

ACTIONS = {"start": "Leave depot", "end": "Return to depot", "pickup": "Pick up", "delivery": "Drop off"}
ADDRESS_NOTE = ("Door-to-door stops show the street only. The house number is on the council's own passenger list "
                "for this route: the council's passenger transport team sends it to the operator securely, quoting "
                "the route id; it is never printed on this sheet.")

SHEET_STYLE = """
@page { size: A4; margin: 12mm; }
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; font-size: 11pt; }
h1 { font-size: 1.4em; margin: 0 0 0.2em; }
.meta { color: #444; margin-bottom: 0.6em; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #bbb; padding: 3px 6px; text-align: left; font-size: 0.92em; vertical-align: top; }
th { background: #eee; }
table.totals td { font-size: 1em; }
table.totals b { font-size: 1.15em; }
.map { width: 100%; max-width: 180mm; height: auto; border: 1px solid #ccc; margin: 0.6em 0; background: #fbfbf8; }
.note { color: #555; font-size: 0.9em; }
.door { font-style: italic; }
@media print {
  body { margin: 0; font-size: 10pt; }
  a { color: inherit; text-decoration: none; }
  tr, .map { break-inside: avoid; }
  .map { max-height: 85mm; }
  .noprint { display: none; }
}
"""


@dataclass(frozen=True)
class Sheet:
    """One vehicle run as its operator reads it."""

    vehicle: str
    run: str
    title: str
    table: pd.DataFrame  # schemas.ROUTE_SHEET
    totals: dict[str, object]
    schools: tuple[str, ...]
    svg: str


def write_route_sheets(run: Run, folder: Path) -> list[Path]:
    """route_sheets/<vehicle>.html and .csv for every vehicle run, and an index page listing them."""
    sheets_dir = folder / "route_sheets"
    sheets_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    sheets = route_sheets(run)
    for sheet in sheets:
        base = sheets_dir / sheet.vehicle
        write_csv(sheet.table, base.with_suffix(".csv"))
        base.with_suffix(".html").write_text(sheet_page(sheet), encoding="utf-8")
        written.append(base.with_suffix(".html"))
    (sheets_dir / "index.html").write_text(index_page(run.name, sheets), encoding="utf-8")
    return written


def route_sheets(run: Run) -> list[Sheet]:
    """Every vehicle run's sheet, AM runs first."""
    lines = {f["properties"]["vehicle"]: f["geometry"]["coordinates"] for f in run.routes_geojson.get("features", [])}
    names = dict(zip(run.schools["urn"].astype(str), run.schools["name"].astype(str), strict=True))
    kinds = run.demand.locations["kind"].tolist()
    refs = run.demand.locations["ref"].astype(str).tolist()
    sheets = []
    for run_name, solution in run.solutions.items():
        problem = run.problems[run_name]
        requests = {r.request_id: r for r in problem.requests}
        types = {vt.name: vt for vt in problem.vehicle_types}
        frame = routes_frame(run_name, problem, solution, run.demand.locations)
        for route, (vehicle, stops) in zip(solution.routes, frame.groupby("vehicle", sort=True), strict=True):
            vt = types[route.vehicle_type]
            rows = [_row(s, requests, names, run_name, _place(run, kinds, refs, s)) for s in stops.itertuples(index=False)]
            table = ROUTE_SHEET.frame(rows)
            served = {m for r in stops["request_id"] if r in requests for m in requests[r].members}
            totals = {"miles": round(m_to_miles(route.distance_m), 1),
                      "minutes": round((int(stops["arrival_s"].iat[-1]) - int(stops["departure_s"].iat[0])) / 60),
                      "pupils": len(served), "stops": int(stops["stop_kind"].isin(("pickup", "delivery")).sum()),
                      "seats_needed": int(stops["seats_load"].max()), "seats": vt.usable_seats,
                      "wheelchairs_needed": int(stops["wheelchair_load"].max()), "wheelchair_spaces": vt.wheelchair_spaces,
                      "assistant": vt.has_assistant, "leaves": s_to_clock(int(stops["departure_s"].iat[0])),
                      "back": s_to_clock(int(stops["arrival_s"].iat[-1])), "depot": vt.depot,
                      "vehicle_type": vt.catalogue_type.replace("_", " ")}
            schools = tuple(dict.fromkeys(names.get(str(g), str(g)) for g in stops["group"] if g))
            svg = route_svg(lines.get(vehicle, []), stops, run_name)
            sheets.append(Sheet(vehicle, run_name, f"Route {vehicle}: {totals['vehicle_type']}", table, totals, schools, svg))
    return sheets


def _place(run: Run, kinds: list[str], refs: list[str], stop) -> tuple[str, str, str]:
    """A stop's name, the kind of place it is and its pick-up point id; never a home's coordinates."""
    location = int(stop.location)
    kind = kinds[location] if location < len(kinds) else ""
    name = run.place_names[location] if location < len(run.place_names) else ""
    if kind == "anywhere":
        return "first pick-up (no depot)", kind, ""
    if kind == "home":
        return name or "the pupil's home (street on the council's list)", kind, ""
    return name or f"{stop.lat:.5f}, {stop.lon:.5f}", kind, refs[location] if kind == "stop" else ""


def _row(stop, requests: dict, names: dict[str, str], run_name: str, place: tuple[str, str, str]) -> dict:
    req = requests.get(stop.request_id)
    at, kind, stop_id = place
    needs = []
    if req is not None:
        needs += ["wheelchair"] * bool(req.wheelchairs) + ["assistant"] * req.needs_assistant + ["travels alone"] * req.travel_alone
    if kind == "home" and stop.stop_kind == home_stop_kind(run_name):
        needs.append("door to door")
    school = names.get(str(stop.group), str(stop.group)) if stop.group else ""
    return {"order": stop.sequence, "time": stop.departure if stop.stop_kind == "start" else stop.arrival,
            "action": ACTIONS.get(stop.stop_kind, stop.stop_kind), "at": at,
            "stop_id": stop_id,
            "pupils": stop.pupils, "needs": ", ".join(needs), "school": school, "load": stop.seats_load,
            "wheelchairs": stop.wheelchair_load, "ride_min": stop.ride_minutes}


# ------------------------------------------------------------------------------ the page


def sheet_page(sheet: Sheet) -> str:
    """A4 page: title, totals, map, the running order, the note on addresses."""
    t = sheet.totals
    e = html.escape
    direction = "Morning run, to school" if to_school(sheet.run) else "Afternoon run, home from school"
    meta = (f"{e(direction)} &middot; depot {e(str(t['depot']) or 'none')} &middot; leaves {e(str(t['leaves']))}, "
            f"back {e(str(t['back']))} &middot; schools: {e('; '.join(sheet.schools))}")
    assistant = "yes, aboard" if t["assistant"] else "no"
    totals = (f"<table class='totals'><tr><td>Miles<br><b>{t['miles']}</b></td><td>Minutes<br><b>{t['minutes']}</b></td>"
              f"<td>Pupils<br><b>{t['pupils']}</b></td><td>Stops<br><b>{t['stops']}</b></td>"
              f"<td>Seats needed<br><b>{t['seats_needed']}</b> of {t['seats']}</td>"
              f"<td>Wheelchair spaces needed<br><b>{t['wheelchairs_needed']}</b> of {t['wheelchair_spaces']}</td>"
              f"<td>Passenger assistant<br><b>{assistant}</b></td></tr></table>")
    body = _stops_table(sheet.table)
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{e(sheet.title)}</title>"
            f"<style>{SHEET_STYLE}</style></head><body><h1>{e(sheet.title)}</h1><div class='meta'>{meta}</div>"
            f"{totals}{sheet.svg}{body}<p class='note'>{e(ADDRESS_NOTE)} Pupils are shown by pseudonymous id only; "
            f"the school holds the contact details.</p><p class='noprint'><a href='index.html'>All route sheets</a></p>"
            f"</body></html>")


def _stops_table(table: pd.DataFrame) -> str:
    e = html.escape
    head = "".join(f"<th>{e(c.replace('_', ' '))}</th>" for c in table.columns)
    rows = []
    for row in table.itertuples(index=False):
        cells = []
        for column, value in zip(table.columns, row, strict=True):
            text = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
            door = column == "at" and "door to door" in str(row.needs)
            cells.append(f"<td class='door'>{e(text)}</td>" if door else f"<td>{e(text)}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table id='stops'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def index_page(scenario: str, sheets: list[Sheet]) -> str:
    """route_sheets/index.html: every vehicle run with its totals and schools."""
    e = html.escape
    rows = []
    for s in sheets:
        t = s.totals
        needs = f"{t['seats_needed']} seats, {t['wheelchairs_needed']} wheelchair" + (", assistant" if t["assistant"] else "")
        rows.append(f"<tr><td><a href='{e(s.vehicle)}.html'>{e(s.vehicle)}</a> (<a href='{e(s.vehicle)}.csv'>csv</a>)</td>"
                    f"<td>{e(str(t['vehicle_type']))}</td><td>{e('; '.join(s.schools))}</td><td>{t['stops']}</td>"
                    f"<td>{t['pupils']}</td><td>{t['miles']}</td><td>{t['minutes']}</td><td>{e(needs)}</td></tr>")
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Route sheets: {e(scenario)}</title>"
            f"<style>{SHEET_STYLE}</style></head><body><h1>Route sheets: {e(scenario)}</h1>"
            f"<p class='meta'>One page per vehicle run, to print on A4, and a CSV of the same running order for "
            f"operators' systems. {e(ADDRESS_NOTE)}</p><table><thead><tr><th>route</th><th>vehicle</th><th>schools</th>"
            f"<th>stops</th><th>pupils</th><th>miles</th><th>minutes</th><th>needs</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></body></html>")


# ------------------------------------------------------------------------------ the map


SVG_WIDTH, SVG_HEIGHT, SVG_PAD, SVG_FOOT = 640, 320, 22, 26  # the footer holds the scale bar and the key


def route_svg(line: list, stops: pd.DataFrame, run_name: str) -> str:
    """The route's line and its stops numbered in order, on a plain background with a scale bar (no tiles)."""
    points = stops[["lon", "lat"]].to_numpy(float)
    path = np.asarray(line, dtype=float).reshape(-1, 2) if len(line) else points
    everything = np.vstack([path, points])
    everything = everything[np.isfinite(everything).all(axis=1)]
    if not len(everything):
        return ""
    lat0 = float(np.mean(everything[:, 1]))
    kx = math.cos(math.radians(lat0)) * 111_195.0  # metres per degree east
    ky = 111_195.0
    xs, ys = everything[:, 0] * kx, everything[:, 1] * ky
    width, height = SVG_WIDTH - 2 * SVG_PAD - 20, SVG_HEIGHT - 2 * SVG_PAD - SVG_FOOT  # 20: room for the north arrow
    span = max(xs.max() - xs.min(), (ys.max() - ys.min()) * width / height, 200.0)
    scale = width / span  # pixels per metre
    cx, cy = (xs.max() + xs.min()) / 2, (ys.max() + ys.min()) / 2

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return SVG_PAD + width / 2 + (lon * kx - cx) * scale, SVG_PAD + height / 2 - (lat * ky - cy) * scale

    simple = shapely.simplify(shapely.LineString([xy(*p) for p in path]), 0.7) if len(path) >= 2 else None
    parts = [f"<polyline points='{' '.join(f'{x:.1f},{y:.1f}' for x, y in simple.coords)}' fill='none' "
             f"stroke='#1f5fbf' stroke-width='3' stroke-linejoin='round' stroke-opacity='0.85'/>"] if simple is not None else []
    parts += _markers(stops, run_name, xy)
    parts.append(_footer(scale))
    return (f"<svg class='map' viewBox='0 0 {SVG_WIDTH} {SVG_HEIGHT}' xmlns='http://www.w3.org/2000/svg' role='img' "
            f"aria-label='Map of the route'>{''.join(parts)}<text x='{SVG_WIDTH - 14}' y='20' font-size='13' "
            f"text-anchor='middle' font-weight='bold'>N</text><path d='M{SVG_WIDTH - 14} 24 l-5 12 h10 z' fill='#333'/></svg>")


def _markers(stops: pd.DataFrame, run_name: str, xy) -> list[str]:
    """Depot squares, school squares and numbered circles at pick-ups (drop-offs in the afternoon)."""
    out = []
    for s in stops.itertuples(index=False):
        if not (np.isfinite(s.lat) and np.isfinite(s.lon)):
            continue
        x, y = xy(s.lon, s.lat)
        if s.stop_kind in ("start", "end"):
            out.append(f"<rect x='{x - 5:.1f}' y='{y - 5:.1f}' width='10' height='10' fill='#555'/>")
        elif s.stop_kind == school_stop_kind(run_name):
            out.append(f"<rect x='{x - 8:.1f}' y='{y - 8:.1f}' width='16' height='16' fill='#ffd700' stroke='#000'/>"
                       f"<text x='{x:.1f}' y='{y + 4:.1f}' font-size='10' text-anchor='middle'>S</text>")
        else:
            out.append(f"<circle cx='{x:.1f}' cy='{y:.1f}' r='9' fill='#fff' stroke='#d62728' stroke-width='2'/>"
                       f"<text x='{x:.1f}' y='{y + 4:.1f}' font-size='10' text-anchor='middle'>{int(s.sequence)}</text>")
    return out


def _footer(pixels_per_m: float) -> str:
    """A bar of a round number of miles about a fifth of the map wide, and the key to the markers."""
    target_m = (SVG_WIDTH / 5) / pixels_per_m
    choices = [(m * 1609.344, f"{m:g} mile{'s' if m != 1 else ''}") for m in (0.1, 0.25, 0.5, 1, 2, 5, 10, 20)]
    metres, label = min(choices, key=lambda c: abs(math.log(c[0] / target_m)))
    width = metres * pixels_per_m
    y = SVG_HEIGHT - 12
    key_x = SVG_WIDTH - 330
    return (f"<path d='M{SVG_PAD} {y} h{width:.1f}' stroke='#333' stroke-width='3'/>"
            f"<text x='{SVG_PAD + width + 6:.1f}' y='{y + 4}' font-size='11'>{label}</text>"
            f"<rect x='{key_x}' y='{y - 5}' width='10' height='10' fill='#555'/>"
            f"<text x='{key_x + 14}' y='{y + 4}' font-size='11'>depot</text>"
            f"<circle cx='{key_x + 62}' cy='{y}' r='6' fill='#fff' stroke='#d62728' stroke-width='2'/>"
            f"<text x='{key_x + 72}' y='{y + 4}' font-size='11'>stop (its order on the sheet)</text>"
            f"<rect x='{key_x + 240}' y='{y - 6}' width='12' height='12' fill='#ffd700' stroke='#000'/>"
            f"<text x='{key_x + 256}' y='{y + 4}' font-size='11'>school</text>")
