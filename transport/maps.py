"""HTML route maps you can find things on, that work with no internet.

Leaflet is inlined from the XStatic-Leaflet package and the road network is drawn as a light
base layer, so the page needs nothing beside it. What the map shows travels as one JSON
block (`<script type="application/json">`, with every character that could end it escaped)
that a small script draws: vehicle runs grouped by school and by vehicle type (ticking a
school shows or hides all its runs), a search box that finds a run by its id, pick-up points
with their names and the pupils' schools, and unserved pupils on a layer of their own. The
controls are written here as escaped HTML; the script builds popups from text nodes only, so
no text from an input file is ever parsed as markup. Pupils appear only by pseudonymous id.
"""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
import pandas as pd
import shapely

from transport.journeys import home_stop_kind, to_school
from transport.matrix import route_lines
from transport.runfiles import routes_frame
from transport.units import m_to_miles

if TYPE_CHECKING:
    from transport.record import Run

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#bcbd22", "#7f7f7f",
           "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d", "#31a354", "#756bb1", "#636363"]
ACTIONS = {"start": "leave depot", "end": "back at depot", "pickup": "pick up", "delivery": "drop off"}
#: Coordinates on the map are rounded to this many decimal places (about a metre).
DECIMALS = 5


def _leaflet_assets() -> tuple[str, str]:
    import xstatic.pkg.leaflet as leaflet

    base = Path(leaflet.BASE_DIR)
    css = (base / "leaflet.css").read_text(encoding="utf-8")
    # the stylesheet's icons become data URIs, so the page needs no files beside it
    for image in sorted((base / "images").glob("*.png")):
        data = base64.b64encode(image.read_bytes()).decode("ascii")
        css = css.replace(f"images/{image.name}", f"data:image/png;base64,{data}")
    return (base / "leaflet.js").read_text(encoding="utf-8"), css


def script_json(data: object) -> str:
    """JSON that can sit inside a <script> element: nothing in it can close the element or start markup."""
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027"), ("`", "\\u0060"),
                       ("$", "\\u0024")):
        text = text.replace(char, code)
    return text


# ------------------------------------------------------------------------------ routes as lines


def route_geojson(run: Run, drive: nx.MultiDiGraph) -> dict:
    """Each vehicle run as a LineString along the roads it uses (routes.geojson)."""
    lat, lon = run.demand.locations["lat"].to_numpy(float), run.demand.locations["lon"].to_numpy(float)
    features = []
    for run_name, solution in run.solutions.items():
        types = {vt.name: vt for vt in run.problems[run_name].vehicle_types}
        legs, owners = [], []
        for number, route in enumerate(solution.routes, start=1):
            pts = [(float(lat[v.location]), float(lon[v.location])) for v in route.visits]
            for a, b in zip(pts[:-1], pts[1:], strict=True):
                if a != b:
                    legs.append((a, b))
                    owners.append(number)
        by_route: dict[int, list] = {}
        for owner, line in zip(owners, route_lines(drive, legs) if legs else [], strict=True):
            by_route.setdefault(owner, []).append(np.round(line, 6))
        by_route = {k: np.vstack(parts).tolist() for k, parts in by_route.items()}
        for number, route in enumerate(solution.routes, start=1):
            first = route.visits[0].location
            vt = types[route.vehicle_type]
            coords = by_route.get(number) or [[float(lon[first]), float(lat[first])]] * 2
            features.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": coords},
                             "properties": {"vehicle": f"{run_name}-{number:03d}", "run": run_name, "vehicle_type": vt.name,
                                            "catalogue_type": vt.catalogue_type, "has_assistant": vt.has_assistant,
                                            "stops": sum(v.kind in ("pickup", "delivery") for v in route.visits)}})
    return {"type": "FeatureCollection", "features": features}


def write_routes_geojson(run: Run, folder: Path) -> Path:
    path = folder / "routes.geojson"
    path.write_text(json.dumps(run.routes_geojson), encoding="utf-8")
    return path


# ------------------------------------------------------------------------------ what the map shows


def _flat(lats, lons) -> list[float]:
    """[lat, lon, lat, lon, ...] rounded: half the size of a list of pairs."""
    return np.round(np.column_stack([np.asarray(lats, float), np.asarray(lons, float)]), DECIMALS).ravel().tolist()


def road_lines(drive: nx.MultiDiGraph, tolerance_deg: float = 0.00008) -> list[list[float]]:
    """The road network, each two-way road once, simplified: a base map that needs no tiles."""
    lines = []
    for u, v, data in drive.edges(data=True):
        if u > v and drive.has_edge(v, u):
            continue
        geom = data.get("geometry") or shapely.LineString([(drive.nodes[u]["x"], drive.nodes[u]["y"]),
                                                          (drive.nodes[v]["x"], drive.nodes[v]["y"])])
        lines.append(geom)
    simple = shapely.simplify(np.array(lines, dtype=object), tolerance_deg) if lines else []
    out = []
    for line in simple:
        coords = shapely.get_coordinates(line)
        out.append(_flat(coords[:, 1], coords[:, 0]))
    return out


def _annual_prices(run: Run) -> dict[tuple[str, str], float]:
    """Each vehicle run's annual price, where the costs give one."""
    routes = getattr(getattr(run.costs, "optimised", None), "routes", None)
    if routes is None or not {"run", "route_ref", "annual_gbp"} <= set(routes.columns):
        return {}
    return {(str(r), str(ref)): float(gbp) for r, ref, gbp in zip(routes["run"], routes["route_ref"], routes["annual_gbp"],
                                                                   strict=True)}


def map_runs(run: Run, scenario: int, colours: dict[str, str]) -> list[dict]:
    """Every vehicle run: its line, schools (most pupils first), vehicle, totals and timetable with named stops."""
    lines = {f["properties"]["vehicle"]: f["geometry"]["coordinates"] for f in run.routes_geojson.get("features", [])}
    names = dict(zip(run.schools["urn"].astype(str), run.schools["name"].astype(str), strict=True))
    kinds = run.demand.locations["kind"].tolist()
    prices = _annual_prices(run)
    out = []
    for run_name, solution in run.solutions.items():
        problem = run.problems[run_name]
        members = {r.request_id: r.members for r in problem.requests}
        types = {vt.name: vt for vt in problem.vehicle_types}
        frame = routes_frame(run_name, problem, solution, run.demand.locations)
        for route, (vehicle, stops) in zip(solution.routes, frame.groupby("vehicle", sort=True), strict=True):
            vt = types[route.vehicle_type]
            picked = stops[stops["stop_kind"] == home_stop_kind(run_name)]
            by_school = picked.assign(n=[len(members.get(r, ())) for r in picked["request_id"]]).groupby("group")["n"].sum()
            line = np.asarray(lines.get(vehicle) or stops[["lon", "lat"]].to_numpy(float), dtype=float).reshape(-1, 2)
            schools = [str(u) for u in by_school.sort_values(ascending=False, kind="stable").index]
            out.append({"id": vehicle, "scenario": scenario, "run": run_name, "type": vt.catalogue_type.replace("_", " "),
                        "assistant": bool(vt.has_assistant), "schools": schools,
                        "colour": colours.get(schools[0], PALETTE[0]) if schools else PALETTE[0],
                        "line": _flat(line[:, 1], line[:, 0]), "miles": round(m_to_miles(route.distance_m), 1),
                        "minutes": round((int(stops["arrival_s"].iat[-1]) - int(stops["departure_s"].iat[0])) / 60),
                        "pupils": int(by_school.sum()), "gbp": round(prices[(run_name, vehicle)]) if (run_name, vehicle) in prices
                        else None, "stops": _timetable(run, run_name, stops, kinds, names)})
    return out


def _timetable(run: Run, run_name: str, stops: pd.DataFrame, kinds: list[str], names: dict[str, str]) -> list[dict]:
    """The stops of one vehicle run as the popup lists them: time, what happens, where (by name), who."""
    rows = []
    for s in stops.itertuples(index=False):
        place = run.place_names[s.location] if s.location < len(run.place_names) else ""
        rows.append({"t": s.departure if s.stop_kind == "start" else s.arrival, "what": ACTIONS.get(s.stop_kind, s.stop_kind),
                     "at": place, "pupils": s.pupils, "school": names.get(str(s.group), "") if s.group else "",
                     "ride": None if pd.isna(s.ride_minutes) else float(s.ride_minutes),
                     "lat": round(float(s.lat), DECIMALS), "lon": round(float(s.lon), DECIMALS),
                     "boards": s.stop_kind == home_stop_kind(run_name), "home": kinds[s.location] == "home"})
    return rows


def map_stops(run: Run, scenario: int) -> list[dict]:
    """The pick-up points: name, where, the schools and pupils they serve, the furthest walk."""
    return [{"id": p.stop_id, "name": p.name, "lat": round(float(p.lat), DECIMALS), "lon": round(float(p.lon), DECIMALS),
             "schools": p.schools, "by_school": p.pupils_by_school, "pupils": int(p.pupils), "kind": p.kind.replace("_", " "),
             "walk": float(p.furthest_walk_m), "scenario": scenario} for p in run.stops.points.itertuples(index=False)]


def map_unserved(run: Run, scenario: int) -> list[dict]:
    """Where each request no vehicle took waits (home or pick-up point), with the reason."""
    locations = run.demand.locations
    out = []
    for run_name, solution in run.solutions.items():
        requests = {r.request_id: r for r in run.problems[run_name].requests}
        for u in solution.unserved:
            req = requests.get(u.request_id)
            where = None if req is None else req.pickup if to_school(run_name) else req.delivery
            if where is None:
                continue
            loc = locations.iloc[int(where)]
            out.append({"lat": round(float(loc["lat"]), DECIMALS), "lon": round(float(loc["lon"]), DECIMALS),
                        "run": run_name, "pupils": ";".join(req.members), "reason": u.detail, "scenario": scenario})
    return out


def map_data(runs: list[Run], drive: nx.MultiDiGraph, title: str) -> dict:
    """Everything one map page draws, for one run or several scenarios side by side."""
    schools = pd.concat([r.schools for r in runs]).drop_duplicates("urn").reset_index(drop=True)
    highlight = {p.urn for r in runs for p in r.scenario.new_provision}
    colours = {str(u): PALETTE[i % len(PALETTE)] for i, u in enumerate(schools["urn"])}
    return {
        "title": title,
        "center": [round(float(schools["lat"].median()), DECIMALS), round(float(schools["lon"].median()), DECIMALS)],
        "scenarios": [r.name for r in runs],
        "schools": [{"urn": str(s.urn), "name": str(s.name), "lat": round(float(s.lat), DECIMALS),
                     "lon": round(float(s.lon), DECIMALS), "colour": colours[str(s.urn)], "new": str(s.urn) in highlight,
                     "about": f"{s.phase}, {s.type}"} for s in schools.itertuples(index=False)],
        "runs": [r for k, run in enumerate(runs) for r in map_runs(run, k, colours)],
        "stops": [s for k, run in enumerate(runs) for s in map_stops(run, k)],
        "unserved": [u for k, run in enumerate(runs) for u in map_unserved(run, k)],
        "roads": road_lines(drive),
    }


# ------------------------------------------------------------------------------ the page


def _headline(run: Run) -> list[str]:
    """The run's headline in a few plain lines (escaped)."""
    s = run.summary
    vehicles = {name: sum(v.values()) for name, v in s.get("vehicles_by_type", {}).items()}
    lines = [f"Pupils transported: {s.get('pupils_transported', '?')} of {s.get('pupils_needing_transport', '?')} "
             "who need a vehicle",
             "Vehicles: " + ", ".join(f"{name} {n}" for name, n in vehicles.items())]
    if s.get("annual_cost_gbp") is not None:
        lines.append(f"Annual cost: £{s['annual_cost_gbp']:,.0f}")
    if s.get("as_is_annual_cost_gbp") is not None:
        lines.append(f"Today's arrangements: £{s['as_is_annual_cost_gbp']:,.0f}")
    lines.append(f"Pick-up points: {s.get('pickup_points', 0)}; unserved requests: "
                 f"{sum(s.get('requests_unserved', {}).values())}")
    return [html.escape(line) for line in lines]


def _panel(data: dict, headline: list[str]) -> str:
    """The controls, as escaped HTML: search, scenarios, schools, vehicle types, morning and afternoon."""
    e = html.escape
    count: dict[tuple[int, str], int] = {}
    for r in data["runs"]:
        for urn in r["schools"]:
            count[(r["scenario"], urn)] = count.get((r["scenario"], urn), 0) + 1
    schools = "".join(
        f"<label class='row'><input type='checkbox' data-school='{e(s['urn'])}' checked>"
        f"<span class='swatch' style='background:{e(s['colour'])}'></span>{e(s['name'])}"
        f"{' (new provision)' if s['new'] else ''} <span class='count'>{count.get((0, s['urn']), 0)} runs</span></label>"
        for s in data["schools"] if any(u == s["urn"] for (_, u) in count))
    types = sorted({r["type"] for r in data["runs"]})
    vehicles = "".join(f"<label class='row'><input type='checkbox' data-type='{e(t)}' checked>{e(t)}</label>" for t in types)
    ids = sorted({r["id"] for r in data["runs"]})
    scenarios = "" if len(data["scenarios"]) < 2 else "<div class='block'><b>Scenario</b>" + "".join(
        f"<label class='row'><input type='radio' name='scenario' value='{k}'{' checked' if k == 0 else ''}>{e(name)}</label>"
        for k, name in enumerate(data["scenarios"])) + "</div>"
    return (f"<div class='transport-panel' id='controls'><b>{e(data['title'])}</b><div class='headline'>"
            f"{'<br>'.join(headline)}</div>"
            "<div class='block'><input id='run-search' type='search' list='run-ids' autocomplete='off' "
            "placeholder='Find a run, e.g. AM-001' aria-label='Find a run by its id'>"
            f"<datalist id='run-ids'>{''.join(f'<option value={chr(39)}{e(i)}{chr(39)}>' for i in ids)}</datalist>"
            "<div id='search-result' role='status'></div></div>"
            f"{scenarios}<div class='block'><b>Runs</b> <label><input type='checkbox' data-run='AM' checked>morning</label> "
            "<label><input type='checkbox' data-run='PM' checked>afternoon</label></div>"
            f"<div class='block'><b>Vehicle types</b>{vehicles}</div>"
            "<div class='block'><b>Schools</b> <button type='button' id='schools-all'>all</button> "
            f"<button type='button' id='schools-none'>none</button>{schools}</div>"
            "<div class='block key'><span class='dot stop'></span>pick-up point &nbsp; <span class='dot home'></span>"
            "door-to-door pick-up &nbsp; <span class='cross'>&#10006;</span> unserved</div></div>")


PAGE_CSS = """
html, body, #map { height: 100%; margin: 0; }
.transport-panel { position: absolute; z-index: 1000; top: 10px; left: 54px; width: 320px; max-height: calc(100% - 40px);
  overflow-y: auto; background: rgba(255,255,255,0.95); padding: 8px 12px; border-radius: 6px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.3); font: 13px/1.4 system-ui, sans-serif; }
.transport-panel .block { margin-top: 8px; }
.transport-panel label.row { display: block; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.transport-panel .count { color: #666; font-size: 11px; }
.transport-panel input[type=search] { width: 100%; box-sizing: border-box; padding: 4px; }
.transport-panel .swatch { display: inline-block; width: 14px; height: 5px; margin: 0 6px 2px 2px; vertical-align: middle; }
.transport-panel .dot { display: inline-block; width: 9px; height: 9px; border-radius: 50%; border: 2px solid #222; }
.transport-panel .dot.home { border-color: #1f77b4; background: #1f77b4; width: 6px; height: 6px; }
.transport-panel .cross { color: #d00; }
#search-result { color: #444; font-size: 12px; min-height: 1em; }
table.timetable { border-collapse: collapse; font-size: 12px; margin-top: 4px; }
table.timetable td, table.timetable th { border: 1px solid #ccc; padding: 2px 4px; text-align: left; overflow-wrap: anywhere; }
#search-result table.timetable { font-size: 11px; width: 100%; }
path.found { stroke-width: 9; }
"""


def map_page(data: dict, headline: list[str]) -> str:
    """The whole page: Leaflet inlined, the controls, the data as JSON and the script that draws it."""
    js, css = _leaflet_assets()
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(data['title'])}</title>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<style>{css}</style><style>{PAGE_CSS}</style><script>{js}</script></head><body>"
            f"<div id='map'></div>{_panel(data, headline)}"
            f"<script type='application/json' id='transport-data'>{script_json(data)}</script>"
            f"<script>{MAP_SCRIPT}</script></body></html>")


def write_route_map(run: Run, folder: Path, drive: nx.MultiDiGraph) -> Path:
    """map.html: the run's vehicle runs by school and vehicle type, pick-up points, schools, unserved pupils."""
    path = folder / "map.html"
    data = map_data([run], drive, f"{run.name}: home-to-school transport")
    path.write_text(map_page(data, _headline(run)), encoding="utf-8")
    return path


def write_comparison_map(runs: list[Run], drive: nx.MultiDiGraph, path: Path) -> Path:
    """Two or more scenarios' routes on one map, one scenario shown at a time; new provision highlighted."""
    data = map_data(runs, drive, "Scenario comparison")
    lines = [html.escape(f"{r.name}: £{r.summary['annual_cost_gbp']:,.0f} a year, {len(r.routes_geojson.get('features', []))} "
                         "vehicle runs") for r in runs if r.summary.get("annual_cost_gbp") is not None]
    path.write_text(map_page(data, lines), encoding="utf-8")
    return path


#: The script that draws the page (kept beside this module so it reads as JavaScript).
MAP_SCRIPT = Path(__file__).with_name("map.js").read_text(encoding="utf-8")
