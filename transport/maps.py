"""HTML route maps (folium) that work with no internet.

Leaflet itself is inlined from the XStatic-Leaflet package, so the page carries what it
needs; the road network is drawn as a light base layer for when map tiles cannot load.
Every vehicle run is its own toggleable layer, drawn along the roads it uses. Pupils appear
only as pseudonymous ids; all text from input files is escaped.
"""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import TYPE_CHECKING

import folium
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from branca.element import Element

from transport.journeys import home_stop_kind, to_school
from transport.matrix import route_lines

if TYPE_CHECKING:
    from transport.record import Run
from transport.runfiles import routes_frame

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#bcbd22", "#7f7f7f",
           "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d", "#31a354", "#756bb1", "#636363"]


def esc(text: object) -> str:
    """Escape text for HTML that folium places inside JavaScript template literals.

    html.escape is not enough there: a backtick would end the literal, `${...}` would run,
    and a backslash would start an escape that can make the whole script a syntax error.
    """
    return html.escape(str(text)).replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


# folium builds popups with `$(html)[0]` (jQuery). The page carries no jQuery, so this shim
# turns the markup into DOM nodes, which is all those popups need.
JQUERY_SHIM = """window.$ = window.$ || function (markup) {
  var t = document.createElement('template'); t.innerHTML = String(markup).trim(); return Array.from(t.content.childNodes);
};"""


def _leaflet_assets() -> tuple[str, str]:
    import xstatic.pkg.leaflet as leaflet

    base = Path(leaflet.BASE_DIR)
    css = (base / "leaflet.css").read_text(encoding="utf-8")
    # the stylesheet's icons become data URIs, so the page needs no files beside it
    for image in sorted((base / "images").glob("*.png")):
        data = base64.b64encode(image.read_bytes()).decode("ascii")
        css = css.replace(f"images/{image.name}", f"data:image/png;base64,{data}")
    return (base / "leaflet.js").read_text(encoding="utf-8"), css


def offline_map(center: tuple[float, float], zoom: int = 11) -> folium.Map:
    """A folium map whose Leaflet is inlined and which loads nothing from the internet by default."""
    fmap = folium.Map(location=list(center), zoom_start=zoom, tiles=None, control_scale=True, prefer_canvas=True)
    fmap.default_js = []
    fmap.default_css = []
    js, css = _leaflet_assets()
    root = fmap.get_root()
    root.header.add_child(Element(f"<style>{css}</style>"), name="leaflet_css_inline", index=0)
    root.header.add_child(Element(f"<script>{js}</script>"), name="leaflet_js_inline", index=0)
    root.header.add_child(Element(f"<style>{PANEL_CSS}</style>"), name="panel_css")
    root.header.add_child(Element(f"<script>{JQUERY_SHIM}</script>"), name="jquery_shim")
    folium.TileLayer("OpenStreetMap", name="OpenStreetMap tiles (online)", show=False, overlay=False, control=True).add_to(fmap)
    return fmap


PANEL_CSS = """
.transport-panel { position: absolute; z-index: 1000; background: rgba(255,255,255,0.93); padding: 8px 12px;
  border-radius: 6px; box-shadow: 0 1px 4px rgba(0,0,0,0.3); font: 13px/1.4 system-ui, sans-serif; }
.transport-headline { top: 10px; left: 60px; }
.transport-legend { bottom: 24px; left: 10px; max-height: 40vh; overflow-y: auto; }
.transport-legend span.swatch { display: inline-block; width: 14px; height: 4px; margin-right: 6px; vertical-align: middle; }
table.timetable { border-collapse: collapse; font-size: 12px; }
table.timetable td, table.timetable th { border: 1px solid #ccc; padding: 2px 4px; }
"""


def road_base_layer(drive: nx.MultiDiGraph, tolerance_deg: float = 0.00008) -> folium.FeatureGroup:
    """The road network as a light grey layer: a base map that needs no tiles."""
    lines = []
    for u, v, data in drive.edges(data=True):
        if u > v and drive.has_edge(v, u):
            continue  # draw each two-way road once
        geom = data.get("geometry") or shapely.LineString([(drive.nodes[u]["x"], drive.nodes[u]["y"]), (drive.nodes[v]["x"], drive.nodes[v]["y"])])
        lines.append(shapely.simplify(geom, tolerance_deg))
    multi = shapely.MultiLineString(lines)
    coords = [[[round(x, 5), round(y, 5)] for x, y in line.coords] for line in multi.geoms]
    layer = folium.FeatureGroup(name="Road network", show=True, control=True)
    folium.GeoJson({"type": "Feature", "geometry": {"type": "MultiLineString", "coordinates": coords}, "properties": {}},
                   style_function=lambda _: {"color": "#b8b8b8", "weight": 1, "opacity": 0.8}, interactive=False).add_to(layer)
    return layer


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


def write_route_map(run: Run, folder: Path, drive: nx.MultiDiGraph) -> Path:
    """map.html: one layer per vehicle run, schools, unserved pupils, legend, headline."""
    collection = run.routes_geojson
    schools = run.schools
    fmap = offline_map((float(schools["lat"].median()), float(schools["lon"].median())))
    road_base_layer(drive).add_to(fmap)
    add_runs(fmap, run, collection, label_prefix="")
    add_schools(fmap, schools, {p.urn for p in run.scenario.new_provision})
    add_unserved(fmap, run)
    legend = [(f["properties"]["vehicle"], _colour(i)) for i, f in enumerate(collection["features"])]
    add_panels(fmap, f"{run.name}: home-to-school transport", run.summary, legend)
    folium.LayerControl(collapsed=True).add_to(fmap)
    path = folder / "map.html"
    fmap.save(str(path))
    return path


def add_runs(fmap: folium.Map, run: Run, collection: dict, label_prefix: str, show: bool = True,
             parent: folium.FeatureGroup | None = None) -> int:
    names = dict(zip(run.schools["urn"].astype(str), run.schools["name"], strict=True))
    prices = {(r.run, r.route_ref): r.annual_gbp for r in run.costs.optimised.routes.itertuples(index=False)}
    frames = {name: routes_frame(name, run.problems[name], s, run.demand.locations) for name, s in run.solutions.items()}
    for i, feature in enumerate(collection["features"]):
        props = feature["properties"]
        stops = frames[props["run"]]
        stops = stops[stops["vehicle"] == props["vehicle"]]
        colour = _colour(i)
        group = folium.FeatureGroup(name=esc(f"{label_prefix}{props['vehicle']} ({props['catalogue_type']})"), show=show)
        popup = _timetable(props, stops, names, prices.get((props["run"], props["vehicle"])))
        folium.PolyLine([(c[1], c[0]) for c in feature["geometry"]["coordinates"]], color=colour, weight=4, opacity=0.85,
                        popup=folium.Popup(popup, max_width=460)).add_to(group)
        for s in stops.itertuples(index=False):
            if s.stop_kind == home_stop_kind(props["run"]):
                folium.CircleMarker((s.lat, s.lon), radius=4, color=colour, fill=True, fill_opacity=0.9,
                                    tooltip=esc(f"{props['vehicle']} {s.arrival}: {s.pupils}")).add_to(group)
        group.add_to(parent if parent is not None else fmap)
    return len(collection["features"])


def _timetable(props: dict, stops: pd.DataFrame, names: dict[str, str], annual_gbp: float | None) -> str:
    rows = []
    for s in stops.itertuples(index=False):
        what = {"start": "depot", "end": "depot", "pickup": "pick up", "delivery": "drop off"}.get(s.stop_kind, s.stop_kind)
        school = names.get(str(s.group), "") if s.group else ""
        ride = "" if pd.isna(s.ride_minutes) else s.ride_minutes
        rows.append(f"<tr><td>{esc(str(s.arrival))}</td><td>{esc(what)}</td><td>{esc(str(s.pupils))}</td>"
                    f"<td>{esc(str(school))}</td><td>{esc(str(ride))}</td></tr>")
    price = f"; annual £{annual_gbp:,.0f}" if annual_gbp is not None else ""
    head = (f"<b>{esc(props['vehicle'])}</b>: {esc(props['catalogue_type'])}"
            f"{' with passenger assistant' if props['has_assistant'] else ''}{esc(price)}")
    return (f"<div>{head}<table class='timetable'><tr><th>time</th><th>stop</th><th>pupils</th><th>school</th>"
            f"<th>ride min</th></tr>{''.join(rows)}</table></div>")


def add_schools(fmap: folium.Map, schools: pd.DataFrame, highlight: set[str]) -> None:
    layer = folium.FeatureGroup(name="Schools", show=True)
    for s in schools.itertuples(index=False):
        new = str(s.urn) in highlight
        folium.CircleMarker((s.lat, s.lon), radius=9 if new else 7, color="#000" if not new else "#e6007e", weight=3 if new else 2,
                            fill=True, fill_color="#ffd700" if not new else "#e6007e", fill_opacity=0.95,
                            tooltip=esc(f"{s.name} ({s.phase}, {s.type}){' NEW PROVISION' if new else ''}")).add_to(layer)
    layer.add_to(fmap)


def add_unserved(fmap: folium.Map, run: Run) -> None:
    """A cross where each unserved pupil (or pick-up point group) waits, with the reason."""
    layer = folium.FeatureGroup(name="Unserved pupils", show=True)
    locations = run.demand.locations
    for run_name, solution in run.solutions.items():
        requests = {r.request_id: r for r in run.problems[run_name].requests}
        for u in solution.unserved:
            req = requests.get(u.request_id)
            where = None if req is None else req.pickup if to_school(run_name) else req.delivery
            if where is None:
                continue
            loc = locations.iloc[int(where)]
            folium.Marker((loc["lat"], loc["lon"]), tooltip=esc(f"{run_name} unserved {';'.join(req.members)}: {u.detail}"),
                          icon=folium.DivIcon(html="<div style='font-size:18px;color:#d00'>&#10006;</div>")).add_to(layer)
    layer.add_to(fmap)


def add_panels(fmap: folium.Map, title: str, summary: dict, legend: list[tuple[str, str]]) -> None:
    cost = summary.get("annual_cost_gbp")
    vehicles = {run: sum(v.values()) for run, v in summary.get("vehicles_by_type", {}).items()}
    lines = [f"<b>{esc(title)}</b>",
             f"Pupils transported: {summary.get('pupils_transported', '?')} of {summary.get('pupils_eligible', '?')} eligible",
             "Vehicles: " + ", ".join(f"{esc(run)} {n}" for run, n in vehicles.items())]
    if cost is not None:
        lines.append(f"Annual cost: £{cost:,.0f}")
    if "as_is_annual_cost_gbp" in summary:
        lines.append(f"Today's arrangements: £{summary['as_is_annual_cost_gbp']:,.0f}")
    unserved = sum(summary.get("requests_unserved", {}).values()) if isinstance(summary.get("requests_unserved"), dict) else 0
    lines.append(f"Unserved requests: {unserved}")
    headline = "<div class='transport-panel transport-headline'>" + "<br>".join(lines) + "</div>"
    items = "".join(f"<div><span class='swatch' style='background:{c}'></span>{esc(name)}</div>" for name, c in legend[:400])
    legend_html = (f"<div class='transport-panel transport-legend'><b>Vehicle runs</b>{items}"
                   "<div><span class='swatch' style='background:#ffd700;height:10px;width:10px;border-radius:5px'></span>school</div>"
                   "<div><span style='color:#d00'>&#10006;</span> unserved pupil</div></div>")
    fmap.get_root().html.add_child(Element(headline + legend_html))


def _colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def write_comparison_map(runs: list[Run], drive: nx.MultiDiGraph, path: Path) -> Path:
    """Two or more scenarios' routes as switchable layer groups; new provision highlighted."""
    schools = pd.concat([r.schools for r in runs]).drop_duplicates("urn")
    fmap = offline_map((float(schools["lat"].median()), float(schools["lon"].median())))
    road_base_layer(drive).add_to(fmap)
    legend = []
    for k, run in enumerate(runs):
        collection = run.routes_geojson
        group = folium.FeatureGroup(name=esc(f"Scenario: {run.name} ({len(collection['features'])} vehicle runs)"), show=k == 0)
        add_runs(fmap, run, collection, label_prefix=f"{run.name}: ", show=True, parent=group)
        group.add_to(fmap)
        legend.append((f"{run.name}: {len(collection['features'])} runs", _colour(k)))
    add_schools(fmap, schools, {p.urn for r in runs for p in r.scenario.new_provision})
    add_panels(fmap, "Scenario comparison", {}, legend)
    folium.LayerControl(collapsed=False).add_to(fmap)
    fmap.save(str(path))
    return path
