"""Snap points to a network and compute many-to-many travel-time and distance matrices.

Each point is snapped to its nearest edge and projected onto it; the partial edge lengths
from the point to the edge's ends count in every journey. The matrix is computed in one
vectorised pass: every point becomes two virtual nodes (one it can only leave from, one it
can only arrive at) joined to its edge's end nodes, and scipy's multi-source Dijkstra runs
from all the "leave" nodes at once. A second quantity (distance along the fastest route, or
time along the shortest walk) is summed along each shortest-path tree by pointer jumping, so
the two matrices describe the same routes. Results are cached by content hash.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import numpy as np
import osmnx as ox
import pandas as pd
import pyproj
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from transport.datadir import cache_dir
from transport.errors import InputError, Problem

log = logging.getLogger(__name__)

#: Points further than this from any road are warned about (probably mislocated).
DEFAULT_WARN_SNAP_M = 500.0
#: Points further than this cannot be served from this network at all.
DEFAULT_MAX_SNAP_M = 5000.0
_MIN_WEIGHT = 1e-9  # keeps zero-length links as edges in the sparse graph
_AT_NODE_M = 2.0  # a point this close to a junction is taken to be at it
MATRIX_CACHE_VERSION = 3


class SnapWarning(UserWarning):
    """A point lies further from the network than is plausible for a home or school."""


@dataclass(frozen=True, slots=True)
class Snapped:
    """Where each point joins the network: an edge (by node index), how far along, how far off."""

    edge_u: np.ndarray  # int, node index
    edge_v: np.ndarray
    fraction: np.ndarray  # 0 at u, 1 at v
    snap_distance_m: np.ndarray
    has_reverse: np.ndarray  # bool: the edge can be travelled v -> u as well
    edge_index: np.ndarray  # row in the edge table


@dataclass(frozen=True, slots=True)
class Matrices:
    """`time_s[i, j]` and `distance_m[i, j]` from point i to point j along one route."""

    time_s: np.ndarray
    distance_m: np.ndarray
    snap_distance_m: np.ndarray


@dataclass(frozen=True, slots=True)
class _EdgeTable:
    nodes: list
    u: np.ndarray
    v: np.ndarray
    primary: np.ndarray
    secondary: np.ndarray
    geometry: np.ndarray  # shapely LineStrings in a metric CRS
    geometry_ll: np.ndarray  # the same lines in lon/lat
    reverse_of: np.ndarray  # index of the twin edge v->u, or -1


def travel_matrices(
    graph: nx.MultiDiGraph,
    lats: np.ndarray | list[float],
    lons: np.ndarray | list[float],
    *,
    weight: str = "travel_time",
    labels: list[str] | None = None,
    origins: np.ndarray | list[int] | None = None,
    warn_snap_m: float = DEFAULT_WARN_SNAP_M,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    use_cache: bool = True,
    limit: float | None = None,
) -> Matrices:
    """Matrices between points, optimising `weight` ('travel_time' or 'length').

    Rows are all points, or only `origins` (indices) when given: row k is then from point
    origins[k] to every point. The other quantity is measured along the same routes. With a
    `limit` (in the optimised quantity) the search stops there, and longer routes are inf:
    asking only what lies within a walk is much faster than measuring the whole area.
    Raises InputError naming the points that cannot be snapped (not finite, or further than
    `max_snap_m` from any road).
    """
    lats = np.asarray(lats, dtype=float)
    lons = np.asarray(lons, dtype=float)
    origin_idx = np.arange(len(lats)) if origins is None else np.asarray(origins, dtype=int)
    key = _matrix_key(graph, lats, lons, f"{weight}|{origin_idx.tobytes().hex() if origins is not None else 'all'}"
                      + ("" if limit is None else f"|limit {limit}"))
    cached = cache_dir() / "matrices" / f"{key}.npz"
    if use_cache and key and cached.is_file():
        try:
            with np.load(cached) as data:
                return Matrices(data["time_s"], data["distance_m"], data["snap_distance_m"])
        except Exception as exc:  # noqa: BLE001 - a damaged cache file is recomputed whatever the damage
            log.warning("The cached matrix %s cannot be read (%s); computing it again", cached.name, exc)
    edges = _edge_table(graph, weight)
    snapped = snap_points(graph, lats, lons, labels=labels, warn_snap_m=warn_snap_m, max_snap_m=max_snap_m, edges=edges)
    primary, secondary = _many_to_many(edges, snapped, "length" if weight == "length" else "travel_time", origin_idx, limit)
    if weight == "length":
        distance, time_s = primary, secondary
    else:
        time_s, distance = primary, secondary
    result = Matrices(time_s=time_s, distance_m=distance, snap_distance_m=snapped.snap_distance_m)
    if use_cache and key:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_name(cached.stem + ".tmp.npz")
        np.savez(tmp, time_s=time_s, distance_m=distance, snap_distance_m=snapped.snap_distance_m)
        Path(tmp).replace(cached)
    return result


def snap_points(
    graph: nx.MultiDiGraph,
    lats: np.ndarray,
    lons: np.ndarray,
    *,
    labels: list[str] | None = None,
    warn_snap_m: float = DEFAULT_WARN_SNAP_M,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    weight: str = "travel_time",
    edges: _EdgeTable | None = None,
) -> Snapped:
    """Snap each point to its nearest edge, projected onto the edge's geometry."""
    edges = edges or _edge_table(graph, weight)
    lats = np.asarray(lats, dtype=float)
    lons = np.asarray(lons, dtype=float)
    labels = labels or [f"point {i + 1}" for i in range(len(lats))]
    bad = ~(np.isfinite(lats) & np.isfinite(lons))
    problems = [
        Problem(file="locations", message=f"{labels[i]} has no usable coordinates", value=f"{lats[i]}, {lons[i]}")
        for i in np.flatnonzero(bad)
    ]
    x, y = _to_metric(graph).transform(np.where(bad, 0.0, lons), np.where(bad, 0.0, lats))
    points = shapely.points(x, y)
    tree = shapely.STRtree(edges.geometry)
    (point_idx, edge_idx), dist = tree.query_nearest(points, return_distance=True, all_matches=False)
    # query_nearest returns one row per point (ties broken arbitrarily but deterministically).
    order = np.argsort(point_idx, kind="stable")
    edge_idx, dist = edge_idx[order], dist[order]
    far = (dist > max_snap_m) & ~bad
    problems += [
        Problem(
            file="locations",
            message=f"{labels[i]} is {dist[i] / 1000:.1f} km from the nearest road in the network",
            value=f"{lats[i]:.5f}, {lons[i]:.5f}",
            fix="Check the coordinates (swapped lat/lon? outside the area?) or use a larger network extract",
        )
        for i in np.flatnonzero(far)
    ]
    if problems:
        raise InputError(problems)
    for i in np.flatnonzero(dist > warn_snap_m):
        warnings.warn(
            f"{labels[i]} is {dist[i]:.0f} m from the nearest road; its journeys start from that road",
            SnapWarning,
            stacklevel=2,
        )
    geoms = edges.geometry[edge_idx]
    fraction = _true_fractions(geoms, edges.geometry_ll[edge_idx], points)
    # Put both directions of a two-way road in one orientation so that two points on the
    # same road see each other directly rather than via the road's end nodes.
    twin = edges.reverse_of[edge_idx]
    flip = (twin >= 0) & (twin < edge_idx)
    edge_idx = np.where(flip, twin, edge_idx)
    fraction = np.where(flip, 1.0 - fraction, fraction)
    return Snapped(
        edge_u=edges.u[edge_idx],
        edge_v=edges.v[edge_idx],
        fraction=fraction,
        snap_distance_m=dist,
        has_reverse=edges.reverse_of[edge_idx] >= 0,
        edge_index=edge_idx,
    )


def _true_fractions(lines_m: np.ndarray, lines_ll: np.ndarray, points_m: np.ndarray) -> np.ndarray:
    """How far along its edge each point lies, as a share of the edge's OSM length (all points at once).

    The projection onto the edge is found in metres on the map grid, but a grid metre is not
    quite an OSM (great-circle) metre and differs by direction, so the position is found
    segment by segment on the grid and re-weighted by each segment's great-circle length.
    """
    if len(points_m) == 0:
        return np.zeros(0)
    along = shapely.line_locate_point(lines_m, points_m)
    xy, line = shapely.get_coordinates(lines_m, return_index=True)
    ll = shapely.get_coordinates(lines_ll)
    inside = line[1:] == line[:-1]  # consecutive coordinates of one line make a segment
    seg = np.where(inside, np.hypot(*(xy[1:] - xy[:-1]).T), 0.0)
    true = np.where(inside, ox.distance.great_circle(ll[:-1, 1], ll[:-1, 0], ll[1:, 1], ll[1:, 0]), 0.0)
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    cum_true = np.concatenate([[0.0], np.cumsum(true)])
    first = np.searchsorted(line, np.arange(len(points_m)))
    last = np.searchsorted(line, np.arange(len(points_m)), side="right") - 1
    i = np.clip(np.searchsorted(cum, cum[first] + along, side="right") - 1, first, np.maximum(first, last - 1))
    length = np.where(i < last, seg[np.minimum(i, len(seg) - 1)], 0.0)
    t = np.where(length > 0, np.clip((cum[first] + along - cum[i]) / np.where(length > 0, length, 1.0), 0.0, 1.0), 0.0)
    total_m, total_true = cum[last] - cum[first], cum_true[last] - cum_true[first]
    step = np.where(i < last, true[np.minimum(i, len(true) - 1)], 0.0)
    share = np.where(total_true > 0, (cum_true[i] - cum_true[first] + t * step) / np.where(total_true > 0, total_true, 1.0),
                     along / np.where(total_m > 0, total_m, 1.0))
    return np.where(total_m > 0, np.clip(share, 0.0, 1.0), 0.0)


def _many_to_many(
    edges: _EdgeTable, snapped: Snapped, primary_name: str, origins: np.ndarray, limit: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    n_nodes = len(edges.nodes)
    n = len(snapped.fraction)
    out_node = n_nodes + np.arange(n)
    in_node = n_nodes + n + np.arange(n)
    pair = _pair_index(edges)
    idx = pair[snapped.edge_u, snapped.edge_v]
    w, s = edges.primary[idx], edges.secondary[idx]
    f = snapped.fraction
    rows = [edges.u, out_node, snapped.edge_u]
    cols = [edges.v, snapped.edge_v, in_node]
    prim = [edges.primary, (1 - f) * w, f * w]
    sec = [edges.secondary, (1 - f) * s, f * s]
    rev = np.flatnonzero(snapped.has_reverse)
    if len(rev):
        ridx = pair[snapped.edge_v[rev], snapped.edge_u[rev]]
        wr, sr, fr = edges.primary[ridx], edges.secondary[ridx], f[rev]
        rows += [out_node[rev], snapped.edge_v[rev]]
        cols += [snapped.edge_u[rev], in_node[rev]]
        prim += [fr * wr, (1 - fr) * wr]
        sec += [fr * sr, (1 - fr) * sr]
    # A point at the very start of a one-way edge stands on the junction itself: it may leave
    # by any road from there (and likewise arrive from any road at the edge's end).
    metres = shapely.length(edges.geometry[idx])
    at_start = np.flatnonzero(~snapped.has_reverse & (f * metres <= _AT_NODE_M))
    at_end = np.flatnonzero(~snapped.has_reverse & ((1 - f) * metres <= _AT_NODE_M))
    rows += [out_node[at_start], snapped.edge_v[at_end]]
    cols += [snapped.edge_u[at_start], in_node[at_end]]
    prim += [f[at_start] * w[at_start], (1 - f[at_end]) * w[at_end]]
    sec += [f[at_start] * s[at_start], (1 - f[at_end]) * s[at_end]]
    # Points on the same edge reach each other along it without visiting either end.
    same = _same_edge_pairs(snapped)
    if len(same):
        a, b = same[:, 0], same[:, 1]
        ia = pair[snapped.edge_u[a], snapped.edge_v[a]]
        forward = f[b] >= f[a]
        rows.append(out_node[a[forward]])
        cols.append(in_node[b[forward]])
        prim.append((f[b] - f[a])[forward] * edges.primary[ia[forward]])
        sec.append((f[b] - f[a])[forward] * edges.secondary[ia[forward]])
        back = ~forward & snapped.has_reverse[a]
        if back.any():
            rb = pair[snapped.edge_v[a[back]], snapped.edge_u[a[back]]]
            rows.append(out_node[a[back]])
            cols.append(in_node[b[back]])
            prim.append((f[a] - f[b])[back] * edges.primary[rb])
            sec.append((f[a] - f[b])[back] * edges.secondary[rb])
    rows.append(out_node)
    cols.append(in_node)
    prim.append(np.zeros(n))
    sec.append(np.zeros(n))
    frame = pd.DataFrame(
        {"r": np.concatenate(rows), "c": np.concatenate(cols), "p": np.concatenate(prim), "s": np.concatenate(sec)}
    )
    frame = frame.sort_values(["p", "s"], kind="stable").drop_duplicates(["r", "c"])
    scale_p, scale_s = _SCALES[primary_name]
    combined = np.round(frame["p"].to_numpy() * scale_p) * _SECONDARY_RANGE + np.round(frame["s"].to_numpy() * scale_s)
    total = n_nodes + 2 * n
    csgraph = _csr(frame["r"].to_numpy(), frame["c"].to_numpy(), combined, total)
    packed_limit = np.inf if limit is None else (np.round(limit * scale_p) + 1) * _SECONDARY_RANGE
    packed = _parallel_dijkstra(csgraph, out_node[origins], packed_limit)[:, in_node]
    return _unpack(packed, scale_p, scale_s)


# Both quantities travel through one Dijkstra as one exact integer held in a float64:
# primary * 2**27 + secondary. The search minimises the primary quantity and breaks ties by
# the secondary, and the secondary is then the value along that same route. Time is held in
# milliseconds (2**26 ms is 18.6 hours) and distance in centimetres (2**27 cm is 1,342 km);
# along a walk, time is held in deciseconds. Every sum stays below 2**53, so it is exact.
_SECONDARY_BITS = 27
_SECONDARY_RANGE = float(2**_SECONDARY_BITS)
_PRIMARY_LIMIT = float(2 ** (53 - _SECONDARY_BITS))
_SCALES = {"travel_time": (1000.0, 100.0), "length": (100.0, 10.0)}


def _unpack(packed: np.ndarray, scale_p: float, scale_s: float) -> tuple[np.ndarray, np.ndarray]:
    finite = np.isfinite(packed)
    values = np.where(finite, packed, 0.0)
    high = np.floor((values + 0.5) / _SECONDARY_RANGE)
    if (high >= _PRIMARY_LIMIT).any():
        raise InputError("the area is too large for exact matrices (a journey over 18 hours or 1,342 km)")
    low = np.round(values - high * _SECONDARY_RANGE)
    primary = np.where(finite, high / scale_p, np.inf)
    secondary = np.where(finite, low / scale_s, np.inf)
    return primary, secondary


def _parallel_dijkstra(csgraph: csr_matrix, sources: np.ndarray, limit: float = np.inf) -> np.ndarray:
    """Multi-source Dijkstra, split across the machine's cores (scipy releases the GIL)."""
    workers = max(1, min(os.cpu_count() or 1, 4, len(sources) // 200))
    if workers == 1:
        return dijkstra(csgraph, directed=True, indices=sources, limit=limit)
    chunks = np.array_split(sources, workers)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        parts = list(pool.map(lambda idx: dijkstra(csgraph, directed=True, indices=idx, limit=limit), chunks))
    return np.vstack(parts)


def _same_edge_pairs(snapped: Snapped) -> np.ndarray:
    frame = pd.DataFrame({"u": snapped.edge_u, "v": snapped.edge_v, "i": np.arange(len(snapped.edge_u))})
    groups = frame.groupby(["u", "v"])["i"].apply(np.asarray)
    pairs = [np.array(np.meshgrid(g, g)).T.reshape(-1, 2) for g in groups if len(g) > 1]
    if not pairs:
        return np.empty((0, 2), dtype=int)
    out = np.concatenate(pairs)
    return out[out[:, 0] != out[:, 1]]


def _pair_index(edges: _EdgeTable):
    """Lookup (u, v) -> row of the cheapest edge between them, as a sparse matrix."""
    n = len(edges.nodes)
    lookup = csr_matrix((np.arange(len(edges.u)) + 1, (edges.u, edges.v)), shape=(n, n))

    class _Lookup:
        def __getitem__(self, key):
            u, v = key
            return np.asarray(lookup[u, v]).ravel().astype(int) - 1

    return _Lookup()


def _csr(u: np.ndarray, v: np.ndarray, w: np.ndarray, n: int) -> csr_matrix:
    return csr_matrix((np.maximum(w, _MIN_WEIGHT), (u, v)), shape=(n, n))


def _edge_table(graph: nx.MultiDiGraph, weight: str) -> _EdgeTable:
    """The cheapest edge between each ordered node pair, with its geometry in metres."""
    cache = graph.graph.setdefault("_edge_tables", {})
    if weight in cache:
        return cache[weight]
    other = "length" if weight != "length" else "travel_time"
    nodes = list(graph.nodes)
    index = {node: i for i, node in enumerate(nodes)}
    records = []
    for u, v, data in graph.edges(data=True):
        if weight not in data:
            raise InputError(f"the network has edges without '{weight}': rebuild it with transport.network")
        records.append((index[u], index[v], float(data[weight]), float(data.get(other, 0.0)), data.get("geometry")))
    frame = pd.DataFrame(records, columns=["u", "v", "p", "s", "geometry"])
    frame = frame.sort_values("p", kind="stable").drop_duplicates(["u", "v"]).reset_index(drop=True)
    xs = np.array([d["x"] for _, d in graph.nodes(data=True)])
    ys = np.array([d["y"] for _, d in graph.nodes(data=True)])
    lines = []
    for u, v, geom in zip(frame["u"], frame["v"], frame["geometry"], strict=True):
        lines.append(geom if geom is not None else shapely.LineString([(xs[u], ys[u]), (xs[v], ys[v])]))
    metric = _to_metric(graph)
    geometry_ll = np.array(lines, dtype=object)
    geometry = shapely.transform(geometry_ll, lambda c: np.column_stack(metric.transform(c[:, 0], c[:, 1])))
    u, v = frame["u"].to_numpy(), frame["v"].to_numpy()
    position = {(a, b): i for i, (a, b) in enumerate(zip(u, v, strict=True))}
    primary = frame["p"].to_numpy()
    reverse_of = np.array(
        [
            j if (j := position.get((b, a), -1)) >= 0 and a != b and abs(primary[j] - primary[i]) <= 1e-6 * max(1.0, primary[i])
            or (j >= 0 and a != b and abs(shapely.length(geometry[j]) - shapely.length(geometry[i])) < 1.0)
            else -1
            for i, (a, b) in enumerate(zip(u, v, strict=True))
        ]
    )
    table = _EdgeTable(nodes, u, v, primary, frame["s"].to_numpy(), geometry, geometry_ll, reverse_of)
    cache[weight] = table
    return table


def _to_metric(graph: nx.MultiDiGraph) -> pyproj.Transformer:
    """British National Grid in Great Britain, else the local UTM zone."""
    cached = graph.graph.get("_metric_transformer")
    if cached is not None:
        return cached
    xs = [d["x"] for _, d in graph.nodes(data=True)]
    ys = [d["y"] for _, d in graph.nodes(data=True)]
    lon, lat = float(np.mean(xs)), float(np.mean(ys))
    if -8.7 <= lon <= 1.9 and 49.8 <= lat <= 60.9:
        crs = "EPSG:27700"
    else:
        zone = int((lon + 180) // 6) + 1
        crs = f"EPSG:{32600 + zone if lat >= 0 else 32700 + zone}"
    transformer = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    graph.graph["_metric_transformer"] = transformer
    return transformer


def _matrix_key(graph: nx.MultiDiGraph, lats: np.ndarray, lons: np.ndarray, weight: str) -> str | None:
    fingerprint = graph.graph.get("fingerprint")
    if not fingerprint:
        return None
    digest = hashlib.sha256(f"{fingerprint}|{weight}|{MATRIX_CACHE_VERSION}".encode())
    digest.update(np.ascontiguousarray(lats).tobytes())
    digest.update(np.ascontiguousarray(lons).tobytes())
    return digest.hexdigest()[:32]


def nearest_nodes(graph: nx.MultiDiGraph, lats: np.ndarray | list[float], lons: np.ndarray | list[float]) -> list:
    """The graph node nearest each point, measured on the map grid (a KD-tree, no scikit-learn)."""
    from scipy.spatial import cKDTree

    tree = graph.graph.get("_node_tree")
    nodes = list(graph.nodes)
    metric = _to_metric(graph)
    if tree is None:
        x, y = metric.transform([d["x"] for _, d in graph.nodes(data=True)], [d["y"] for _, d in graph.nodes(data=True)])
        tree = cKDTree(np.column_stack([x, y]))
        graph.graph["_node_tree"] = tree
    px, py = metric.transform(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
    _, idx = tree.query(np.column_stack([np.atleast_1d(px), np.atleast_1d(py)]))
    return [nodes[i] for i in np.atleast_1d(idx)]


def substring(line_ll: shapely.LineString, start: float, end: float, normalized: bool = True) -> shapely.LineString:
    """The part of a lon/lat line between two shares of its great-circle length (reversed if end < start).

    shapely's own substring measures in degrees, which on a lon/lat line weights east-west
    segments more than north-south ones; OSM lengths (and our fractions) are metres.
    """
    coords = np.asarray(line_ll.coords)
    seg = ox.distance.great_circle(coords[:-1, 1], coords[:-1, 0], coords[1:, 1], coords[1:, 0])
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    total = cum[-1]
    lo, hi = sorted((start, end))

    def point(share: float) -> np.ndarray:
        target = share * total
        i = int(np.clip(np.searchsorted(cum, target, side="right") - 1, 0, len(seg) - 1))
        t = 0.0 if seg[i] == 0 else (target - cum[i]) / seg[i]
        return coords[i] + (coords[i + 1] - coords[i]) * float(np.clip(t, 0.0, 1.0))

    inner = [c for c, at in zip(coords[1:-1], cum[1:-1], strict=True) if lo * total < at < hi * total]
    part = [point(lo), *inner, point(hi)]
    if end < start:
        part.reverse()
    return shapely.LineString(part)


def route_lines(
    graph: nx.MultiDiGraph, legs: list[tuple[tuple[float, float], tuple[float, float]]], weight: str = "travel_time"
) -> list[np.ndarray]:
    """The road geometry (an array of lon, lat rows) of the best route for each leg ((lat, lon) -> (lat, lon)).

    Uses the same snapping and edge choice as `travel_matrices`, so the line drawn is the
    route measured; all legs are searched in one multi-source Dijkstra, each distinct leg once.
    """
    if not legs:
        return []
    unique = list(dict.fromkeys(legs))
    if len(unique) < len(legs):
        drawn = dict(zip(unique, route_lines(graph, unique, weight), strict=True))
        return [drawn[leg] for leg in legs]
    edges = _edge_table(graph, weight)
    lats = np.array([p[0] for leg in legs for p in leg], dtype=float)
    lons = np.array([p[1] for leg in legs for p in leg], dtype=float)
    snapped = snap_points(graph, lats, lons, weight=weight, edges=edges, max_snap_m=1e9, warn_snap_m=1e9)
    row_of = {(int(a), int(b)): i for i, (a, b) in enumerate(zip(edges.u, edges.v, strict=True))}
    n_nodes = len(edges.nodes)
    csgraph = _csr(edges.u, edges.v, edges.primary, n_nodes)

    @functools.cache
    def exits(k: int) -> list[tuple[int, float, object]]:
        e, f = snapped.edge_index[k], snapped.fraction[k]
        line = edges.geometry_ll[e]
        out = [(int(snapped.edge_v[k]), (1 - f) * edges.primary[e], substring(line, f, 1.0, normalized=True))]
        if snapped.has_reverse[k]:
            r = edges.reverse_of[e]
            out.append((int(snapped.edge_u[k]), f * edges.primary[r], substring(line, f, 0.0, normalized=True)))
        return out

    @functools.cache
    def entries(k: int) -> list[tuple[int, float, object]]:
        e, f = snapped.edge_index[k], snapped.fraction[k]
        line = edges.geometry_ll[e]
        out = [(int(snapped.edge_u[k]), f * edges.primary[e], substring(line, 0.0, f, normalized=True))]
        if snapped.has_reverse[k]:
            r = edges.reverse_of[e]
            out.append((int(snapped.edge_v[k]), (1 - f) * edges.primary[r], substring(line, 1.0, f, normalized=True)))
        return out

    @functools.cache
    def edge_coords(e: int) -> np.ndarray:
        return shapely.get_coordinates(edges.geometry_ll[e])

    sources = sorted({node for k in range(0, len(lats), 2) for node, _, _ in exits(k)})
    row = {node: i for i, node in enumerate(sources)}
    dist, pred = dijkstra(csgraph, directed=True, indices=sources, return_predecessors=True)
    lines: list[np.ndarray] = []
    for leg in range(len(legs)):
        a, b = 2 * leg, 2 * leg + 1
        best: tuple[float, list] | None = None
        if snapped.edge_index[a] == snapped.edge_index[b] and snapped.fraction[b] >= snapped.fraction[a]:
            e = snapped.edge_index[a]
            cost = (snapped.fraction[b] - snapped.fraction[a]) * edges.primary[e]
            best = (cost, shapely.get_coordinates(substring(edges.geometry_ll[e], snapped.fraction[a], snapped.fraction[b])))
        for x_node, x_cost, x_line in exits(a):
            for y_node, y_cost, y_line in entries(b):
                total = x_cost + dist[row[x_node], y_node] + y_cost
                if not np.isfinite(total) or (best is not None and total >= best[0]):
                    continue
                path = [y_node]
                while path[-1] != x_node:
                    path.append(int(pred[row[x_node], path[-1]]))
                path.reverse()
                pieces = [shapely.get_coordinates(x_line)]
                pieces += [edge_coords(row_of[(u, v)]) for u, v in zip(path[:-1], path[1:], strict=True)]
                pieces.append(shapely.get_coordinates(y_line))
                best = (total, np.concatenate(pieces))
        middle = np.empty((0, 2)) if best is None else best[1]
        lines.append(np.vstack([[lons[a], lats[a]], middle, [lons[b], lats[b]]]))
    return lines
