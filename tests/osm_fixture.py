"""A tiny hand-made OSM town, written as OSM XML by the tests themselves.

Six junctions on a grid with 100 m blocks, placed so that every block is exactly 100 m by
osmnx's great-circle formula (R = 6,371,009 m):

    D ---- E ---- F          north row (y = 1)
    |      :      ^
    |  footway    | one-way C -> F (northbound only)
    |      :      |
    A ---- B ---- C          south row (y = 0)

    G ---- H                 a stub 1 km east, not connected to the town

Drive distances worked out by hand: A->F 300 m (A-B-C-F); F->C 500 m (F-E-D-A-B-C, as
C-F is one-way); B->E 300 m (B-A-D-E; the footway is not drivable). Walk: B->E 100 m
over the footway; F->C 100 m (one-way does not bind walkers).
"""

from __future__ import annotations

import math
from pathlib import Path

EARTH_RADIUS_M = 6_371_009.0
ORIGIN_LAT = 52.66
ORIGIN_LON = -0.73


def lat_lon(x_m: float, y_m: float) -> tuple[float, float]:
    """Coordinates of a point x metres east (along ORIGIN_LAT) and y metres north of the origin."""
    lat = ORIGIN_LAT + math.degrees(y_m / EARTH_RADIUS_M)
    # along a parallel, great-circle distance d needs dlon = 2 asin(sin(d / 2R) / cos(lat))
    sign = 1 if x_m >= 0 else -1
    dlon = 2 * math.asin(math.sin(abs(x_m) / (2 * EARTH_RADIUS_M)) / math.cos(math.radians(ORIGIN_LAT)))
    return lat, ORIGIN_LON + sign * math.degrees(dlon)


NODES = {
    "A": (0, 0), "B": (100, 0), "C": (200, 0),
    "D": (0, 100), "E": (100, 100), "F": (200, 100),
    "G": (1200, 0), "H": (1300, 0),
}
NODE_IDS = {name: i + 1 for i, name in enumerate(NODES)}


def town_xml(block_m: float = 100.0, extra_ways: list[tuple[list[str], dict[str, str]]] | None = None,
             extra_nodes: list[tuple[float, float, dict[str, str]]] | None = None) -> str:
    """OSM XML for the town; `block_m` scales every block (eligibility tests use miles).
    `extra_nodes` are tagged points on no way (bus stops), at (x, y) in the grid's units."""
    scale = block_m / 100.0
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="transport-tests">']
    for name, (x, y) in NODES.items():
        lat, lon = lat_lon(x * scale, y * scale)
        lines.append(f'  <node id="{NODE_IDS[name]}" version="1" lat="{lat:.9f}" lon="{lon:.9f}"/>')
    for k, (x, y, tags) in enumerate(extra_nodes or [], start=1000):
        lat, lon = lat_lon(x * scale, y * scale)
        lines.append(f'  <node id="{k}" version="1" lat="{lat:.9f}" lon="{lon:.9f}">')
        lines += [f'    <tag k="{key}" v="{value}"/>' for key, value in tags.items()]
        lines.append("  </node>")
    ways: list[tuple[list[str], dict[str, str]]] = [
        (["A", "B", "C"], {"highway": "residential", "name": "South Street", "maxspeed": "30 mph"}),
        (["D", "E", "F"], {"highway": "residential", "name": "North Street"}),
        (["A", "D"], {"highway": "residential", "name": "West Lane"}),
        (["C", "F"], {"highway": "residential", "name": "East Lane", "oneway": "yes"}),
        (["B", "E"], {"highway": "footway", "name": "School Path"}),
        (["G", "H"], {"highway": "residential", "name": "Stub Road"}),
        # a building outline: must never become a road
        (["A", "B", "E", "D", "A"], {"building": "yes"}),
    ] + list(extra_ways or [])
    for i, (refs, tags) in enumerate(ways, start=100):
        lines.append(f'  <way id="{i}" version="1">')
        lines += [f'    <nd ref="{NODE_IDS[r]}"/>' for r in refs]
        lines += [f'    <tag k="{k}" v="{v}"/>' for k, v in tags.items()]
        lines.append("  </way>")
    lines.append("</osm>")
    return "\n".join(lines) + "\n"


def write_town(directory: Path, block_m: float = 100.0) -> Path:
    path = directory / f"town-{int(block_m)}.osm"
    path.write_text(town_xml(block_m), encoding="utf-8")
    return path
