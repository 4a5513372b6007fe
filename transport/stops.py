"""Pick-up points for mainstream pupils who walk to a stop: safe places with names.

Candidates come from OpenStreetMap: first the area's bus stops, then junctions and lay-bys
on quiet roads (`Policy.pickup_point_road_classes`). Nothing on an excluded road class
(`Policy.pickup_point_excluded_road_classes`: trunk and primary roads), on a roundabout, at a
mini-roundabout or at traffic signals is ever a candidate; each candidate is checked where
the routing matrix will place it (snapped to its nearest road), so the vehicle stops where
the check was made.

Each pupil's walk to every candidate within the policy's limit is measured on the walk
graph. Pupils of all schools are covered together, so one stop serves every school whose
pupils walk to it: bus stops first (greedily, the one that serves most pupils still without
a stop, ties to the shorter walks), then junctions and lay-bys for pupils no bus stop
reaches. Stops that others make redundant are dropped and each pupil walks to the nearest
stop chosen. A pupil with no candidate in reach is collected from home, and counted.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from transport.matrix import snap_points, travel_matrices
from transport.network import OsmFeatures
from transport.policy import Policy
from transport.schemas import PICKUP_POINTS, STOPS
from transport.units import miles_to_m

#: A bus stop or lay-by further than this from a drivable road is not somewhere a vehicle stops.
MAX_FROM_ROAD_M = 40.0
#: A stop closer than this to a roundabout, a mini-roundabout, traffic signals or an excluded road
#: is at it (on a roundabout's approach, where slip lanes fork, or in a main road junction's mouth).
HAZARD_CLEARANCE_M = 25.0
#: Walks are measured for this many homes at a time, so memory stays small in a county.
HOMES_PER_PASS = 600
#: A settlement within this distance names a stop plainly ("Ketton"); further, "near Ketton".
LOCALITY_NEAR_M = 1500.0
LOCALITY_MAX_M = 6000.0
#: Candidates by preference: bus stops first, then junctions and lay-bys together.
TIERS = {"bus_stop": 0, "junction": 1, "layby": 1}
#: Road classes from the busiest to the quietest, to name the main road at a junction first.
ROAD_RANK = ("motorway", "trunk", "primary", "secondary", "tertiary", "unclassified", "residential", "living_street",
             "service", "road")
ROUNDABOUTS = frozenset({"roundabout", "circular"})
EARTH_M = 6_371_009.0


@dataclass(frozen=True)
class StopPlan:
    """Where each pupil who walks boards, the stops themselves, and who has no stop in reach."""

    pupils: pd.DataFrame  # schemas.PICKUP_POINTS: each pupil who walks to a stop
    points: pd.DataFrame  # schemas.STOPS: one row per stop
    from_home: tuple[str, ...] = ()  # may walk to a stop, but none is in reach: collected from home


@dataclass(frozen=True)
class _Candidates:
    """Safe places a vehicle may stop, in a fixed order (bus stops, junctions, lay-bys; by OSM id)."""

    kind: np.ndarray  # str: bus_stop, junction or layby
    osm_id: np.ndarray  # int
    lat: np.ndarray
    lon: np.ndarray
    label: list[str]  # the OSM name of a bus stop or lay-by
    street: list[str]  # the street a bus stop's NaPTAN record gives
    road_class: list[str]  # of the road it is on (set by `_safe`)

    def __len__(self) -> int:
        return len(self.kind)

    def take(self, keep: np.ndarray) -> _Candidates:
        idx = np.flatnonzero(keep) if keep.dtype == bool else keep
        return _Candidates(self.kind[idx], self.osm_id[idx], self.lat[idx], self.lon[idx], [self.label[i] for i in idx],
                           [self.street[i] for i in idx], [self.road_class[i] for i in idx])


def plan_pickup_points(pupils: pd.DataFrame, drive: nx.MultiDiGraph, walk: nx.MultiDiGraph, policy: Policy,
                       features: OsmFeatures | None = None, school_names: Mapping[str, str] | None = None) -> StopPlan:
    """Stops for the pupils who may walk to one (pupil_id, school_urn, lat, lon), shared between schools."""
    if pupils.empty:
        return StopPlan(PICKUP_POINTS.frame(), STOPS.frame())
    features = features or OsmFeatures()
    limit_m = miles_to_m(policy.pickup_point_max_walk_miles)
    pupils = pupils.reset_index(drop=True)
    home_lat, home_lon = pupils["lat"].to_numpy(float), pupils["lon"].to_numpy(float)
    raw = _raw_candidates(drive, features, policy)
    near = _within(raw.lat, raw.lon, home_lat, home_lon, limit_m)
    candidates = _safe(raw.take(near), drive, features, policy)
    reach = _walks(walk, home_lat, home_lon, candidates, limit_m)
    chosen, assigned = _cover(reach, np.array([TIERS[k] for k in candidates.kind]), len(pupils))
    namer = namer_for(drive, features)
    return _plan(pupils, candidates, chosen, assigned, reach, namer, school_names or {})


# ------------------------------------------------------------------------------ candidates


def _raw_candidates(drive: nx.MultiDiGraph, features: OsmFeatures, policy: Policy) -> _Candidates:
    """Bus stops and lay-bys from the extract, and junctions of quiet roads only, before the snap check."""
    rows: list[tuple[str, int, float, float, str, str]] = []
    for point in features.bus_stops:
        rows.append(("bus_stop", point.osm_id, point.lat, point.lon, point.name, point.street))
    quiet = set(policy.pickup_point_road_classes)
    classes: dict = {}
    neighbours: dict = {}
    for u, v, data in drive.edges(data=True):
        kind = "roundabout" if _roundabout(data) else _road_class(data)
        for a, b in ((u, v), (v, u)):
            classes.setdefault(a, set()).add(kind)
            if a != b:
                neighbours.setdefault(a, set()).add(b)
    for node, found in classes.items():
        if len(neighbours.get(node, ())) >= 3 and node not in features.unsafe_nodes and found <= quiet | {"service"} \
                and found & quiet:
            rows.append(("junction", int(node), drive.nodes[node]["y"], drive.nodes[node]["x"], "", ""))
    for point in features.laybys:
        rows.append(("layby", point.osm_id, point.lat, point.lon, point.name, ""))
    rows.sort(key=lambda r: (r[0] != "bus_stop", r[0], r[1]))
    return _Candidates(np.array([r[0] for r in rows], dtype=object), np.array([r[1] for r in rows], dtype=np.int64),
                       np.array([r[2] for r in rows], dtype=float), np.array([r[3] for r in rows], dtype=float),
                       [r[4] for r in rows], [r[5] for r in rows], [""] * len(rows))


def _safe(found: _Candidates, drive: nx.MultiDiGraph, features: OsmFeatures, policy: Policy) -> _Candidates:
    """The candidates whose road, where the routing matrix snaps them, is one a vehicle may stop on:
    never an excluded class or a roundabout, within reach of the road and clear of every hazard
    (`HAZARD_CLEARANCE_M`); lay-bys and junctions on the quiet classes only. Each keeps its road's class."""
    if not len(found):
        return found
    snapped = snap_points(drive, found.lat, found.lon, warn_snap_m=np.inf, max_snap_m=np.inf)
    nodes = list(drive.nodes)
    excluded, quiet = set(policy.pickup_point_excluded_road_classes), set(policy.pickup_point_road_classes)
    clear = _clear_of_hazards(found, drive, features, excluded)
    keep = np.zeros(len(found), dtype=bool)
    road_class = list(found.road_class)
    for i in np.flatnonzero(clear & (snapped.snap_distance_m <= MAX_FROM_ROAD_M)):
        data = _edge(drive, nodes[snapped.edge_u[i]], nodes[snapped.edge_v[i]])
        highway = _road_class(data)
        allowed = quiet | {"service"} if found.kind[i] == "junction" else quiet if found.kind[i] == "layby" else None
        if highway in excluded or _roundabout(data) or (allowed is not None and highway not in allowed):
            continue
        keep[i] = True
        road_class[i] = highway
    return _Candidates(found.kind, found.osm_id, found.lat, found.lon, found.label, found.street, road_class).take(keep)


def _clear_of_hazards(found: _Candidates, drive: nx.MultiDiGraph, features: OsmFeatures, excluded: set[str]) -> np.ndarray:
    """Candidates further than HAZARD_CLEARANCE_M from every roundabout, excluded road and unsafe junction node."""
    lat0 = float(np.mean(found.lat))
    hazards = []
    for u, v, data in drive.edges(data=True):
        if _roundabout(data) or _road_class(data) in excluded:
            geom = data.get("geometry")
            hazards.append(np.asarray(geom.coords) if geom is not None else np.array(
                [[drive.nodes[u]["x"], drive.nodes[u]["y"]], [drive.nodes[v]["x"], drive.nodes[v]["y"]]]))
    hazards += [np.array([[drive.nodes[n]["x"], drive.nodes[n]["y"]]] * 2) for n in features.unsafe_nodes if n in drive]
    if not hazards:
        return np.ones(len(found), dtype=bool)
    tree = shapely.STRtree([shapely.LineString(_flat(h[:, 1], h[:, 0], lat0)) for h in hazards])
    near, _ = tree.query(shapely.points(_flat(found.lat, found.lon, lat0)), predicate="dwithin", distance=HAZARD_CLEARANCE_M)
    clear = np.ones(len(found), dtype=bool)
    clear[near] = False
    return clear


def _incident(drive: nx.MultiDiGraph, node) -> list[dict]:
    return [d for _, _, d in drive.out_edges(node, data=True)] + [d for _, _, d in drive.in_edges(node, data=True)]


def _edge(drive: nx.MultiDiGraph, u, v) -> dict:
    """The quickest of the parallel edges u -> v (the one the matrix uses)."""
    return min(drive.get_edge_data(u, v).values(), key=lambda d: d.get("travel_time", 0.0))


def _road_class(data: Mapping) -> str:
    value = data.get("highway", "road")
    return str(value[0] if isinstance(value, list) else value)


def _roundabout(data: Mapping) -> bool:
    value = data.get("junction")
    return bool(set(value if isinstance(value, list) else [value]) & ROUNDABOUTS)


def _within(c_lat: np.ndarray, c_lon: np.ndarray, lat: np.ndarray, lon: np.ndarray, metres: float) -> np.ndarray:
    """Candidates within `metres` in a straight line of some home: no walk can be shorter than that."""
    if not len(c_lat):
        return np.zeros(0, dtype=bool)
    lat0 = float(np.mean(lat))
    tree = cKDTree(_flat(lat, lon, lat0))
    dist, _ = tree.query(_flat(c_lat, c_lon, lat0), distance_upper_bound=metres * 1.01 + 5.0)
    return np.isfinite(dist)


def _flat(lat: np.ndarray, lon: np.ndarray, lat0: float) -> np.ndarray:
    """Metres on a local flat projection (good to a fraction of a per cent across a county)."""
    return np.column_stack([np.radians(lon) * EARTH_M * math.cos(math.radians(lat0)), np.radians(lat) * EARTH_M])


# ------------------------------------------------------------------------------ walks and the cover


@dataclass(frozen=True)
class _Reach:
    """Walks within the limit: for each candidate, the homes in reach (row numbers) and the metres."""

    homes: list[np.ndarray]
    metres: list[np.ndarray]


def _walks(walk: nx.MultiDiGraph, lat: np.ndarray, lon: np.ndarray, candidates: _Candidates, limit_m: float) -> _Reach:
    """Walking metres from each home to each candidate within the limit, a spatial batch of homes at a time."""
    pairs: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    order = np.lexsort((lon, np.floor(lat * 50)))  # bands about 2 km tall, west to east in each
    for start in range(0, len(order), HOMES_PER_PASS):
        batch = order[start:start + HOMES_PER_PASS]
        near = np.flatnonzero(_within(candidates.lat, candidates.lon, lat[batch], lon[batch], limit_m))
        if not len(near):
            continue
        m = travel_matrices(walk, np.concatenate([lat[batch], candidates.lat[near]]),
                            np.concatenate([lon[batch], candidates.lon[near]]), weight="length",
                            origins=np.arange(len(batch)), limit=limit_m, warn_snap_m=np.inf)
        metres = m.distance_m[:, len(batch):]
        home, cand = np.nonzero(metres <= limit_m)
        pairs.append((batch[home], near[cand], metres[home, cand]))
    homes = np.concatenate([p[0] for p in pairs]) if pairs else np.zeros(0, dtype=int)
    cands = np.concatenate([p[1] for p in pairs]) if pairs else np.zeros(0, dtype=int)
    metres = np.concatenate([p[2] for p in pairs]) if pairs else np.zeros(0)
    by = np.argsort(cands, kind="stable")
    bounds = np.searchsorted(cands[by], np.arange(len(candidates) + 1))
    return _Reach([homes[by[a:b]] for a, b in zip(bounds[:-1], bounds[1:], strict=True)],
                  [metres[by[a:b]] for a, b in zip(bounds[:-1], bounds[1:], strict=True)])


def _cover(reach: _Reach, tier: np.ndarray, n_homes: int) -> tuple[list[int], np.ndarray]:
    """Stops chosen tier by tier, redundant ones dropped, each moved where its pupils walk least, and
    each home sent to its nearest chosen stop.

    Returns the stops (candidate numbers, in the order chosen) and each home's candidate (-1: none in reach).
    """
    uncovered = np.ones(n_homes, dtype=bool)
    chosen: list[int] = []
    for level in sorted(set(tier.tolist())):
        chosen += _greedy(reach, np.flatnonzero(tier == level), uncovered)
    chosen = _without_redundant(reach, chosen, tier, n_homes)
    chosen = _moved_closer(reach, chosen, _nearest(reach, chosen, n_homes), tier, n_homes)
    assigned = _nearest(reach, chosen, n_homes)
    used = set(assigned[assigned >= 0].tolist())
    return [j for j in chosen if j in used], assigned


def _nearest(reach: _Reach, chosen: list[int], n_homes: int) -> np.ndarray:
    """Each home's nearest chosen stop by walk (-1: none in reach)."""
    best = np.full(n_homes, np.inf)
    assigned = np.full(n_homes, -1)
    for j in chosen:
        closer = reach.metres[j] < best[reach.homes[j]]
        best[reach.homes[j][closer]] = reach.metres[j][closer]
        assigned[reach.homes[j][closer]] = j
    return assigned


def _moved_closer(reach: _Reach, chosen: list[int], assigned: np.ndarray, tier: np.ndarray, n_homes: int) -> list[int]:
    """Each stop moved to the candidate (of the same or a preferred kind) that every pupil using it can walk to,
    with the least walking in all: the cover fixes how many stops there are, this shortens the walks."""
    walks: list[dict[int, float]] = [{} for _ in range(n_homes)]
    for c, (homes, metres) in enumerate(zip(reach.homes, reach.metres, strict=True)):
        for h, m in zip(homes.tolist(), metres.tolist(), strict=True):
            walks[h][c] = m
    taken = set(chosen)
    moved = []
    for j in chosen:
        homes = np.flatnonzero(assigned == j).tolist()
        best, least = j, sum(walks[h][j] for h in homes)
        if homes:
            for c in sorted(set(walks[homes[0]]).intersection(*(walks[h] for h in homes[1:])) - taken):
                total = sum(walks[h][c] for h in homes)
                if tier[c] <= tier[j] and total < least - 1e-6:
                    best, least = c, total
        taken.discard(j)
        taken.add(best)
        moved.append(best)
    return moved


def _greedy(reach: _Reach, allowed: np.ndarray, uncovered: np.ndarray) -> list[int]:
    """Lazy greedy set cover: the candidate serving most homes still uncovered (then the least walking) first."""
    heap = [(-len(reach.homes[j]), float(reach.metres[j].sum()), int(j)) for j in allowed if len(reach.homes[j])]
    heapq.heapify(heap)
    chosen = []
    while heap:
        _, _, j = heapq.heappop(heap)
        open_ = uncovered[reach.homes[j]]
        gain = int(open_.sum())
        if gain == 0:
            continue
        key = (-gain, float(reach.metres[j][open_].sum()), j)
        if heap and key > heap[0]:
            heapq.heappush(heap, key)  # its gain fell since it was queued: look at it again in its place
            continue
        chosen.append(j)
        uncovered[reach.homes[j][open_]] = False
    return chosen


def _without_redundant(reach: _Reach, chosen: list[int], tier: np.ndarray, n_homes: int) -> list[int]:
    """Drop a stop when every home in its reach has another chosen stop of the same or a preferred kind in reach;
    later kinds and the smallest stops are looked at first."""
    by_tier = {level: np.zeros(n_homes, dtype=int) for level in set(tier.tolist())}
    for j in chosen:
        by_tier[tier[j]][reach.homes[j]] += 1
    kept = set(chosen)
    for j in sorted(chosen, key=lambda j: (-tier[j], len(reach.homes[j]), j)):
        homes = reach.homes[j]
        others = sum(by_tier[level][homes] for level in by_tier if level <= tier[j]) - 1
        if (others >= 1).all():
            kept.discard(j)
            by_tier[tier[j]][homes] -= 1
    return [j for j in chosen if j in kept]


# ------------------------------------------------------------------------------ the plan


def _plan(pupils: pd.DataFrame, candidates: _Candidates, chosen: list[int], assigned: np.ndarray, reach: _Reach,
          namer: Namer, school_names: Mapping[str, str]) -> StopPlan:
    """The tables: each pupil's stop and walk, and each stop with its name and the pupils it serves."""
    stop_id = {j: f"S{k:04d}" for k, j in enumerate(chosen, start=1)}
    walk_of = {(int(h), j): float(m) for j in chosen for h, m in zip(reach.homes[j], reach.metres[j], strict=True)}
    rows = []
    for h in np.flatnonzero(assigned >= 0):
        j = int(assigned[h])
        rows.append({"pupil_id": pupils["pupil_id"].iat[h], "school_urn": str(pupils["school_urn"].iat[h]),
                     "stop_id": stop_id[j], "stop_lat": candidates.lat[j], "stop_lon": candidates.lon[j],
                     "walk_to_stop_m": round(walk_of[(int(h), j)], 1)})
    table = PICKUP_POINTS.frame(rows)
    by_stop = dict(tuple(table.groupby("stop_id")))
    points = []
    for j in chosen:
        mine = by_stop[stop_id[j]]
        counts = mine.groupby("school_urn").size().sort_index()
        name, road, road_class = namer.stop_name(candidates, j)
        points.append({"stop_id": stop_id[j], "name": name, "kind": candidates.kind[j], "road": road,
                       "road_class": road_class, "locality": namer.locality(candidates.lat[j], candidates.lon[j]),
                       "lat": round(float(candidates.lat[j]), 6), "lon": round(float(candidates.lon[j]), 6),
                       "osm_id": int(candidates.osm_id[j]), "pupils": len(mine),
                       "schools": "; ".join(school_names.get(u, u) for u in counts.index),
                       "pupils_by_school": "; ".join(f"{u}: {n}" for u, n in counts.items()),
                       "furthest_walk_m": round(float(mine["walk_to_stop_m"].max()), 1),
                       "mean_walk_m": round(float(mine["walk_to_stop_m"].mean()), 1)})
    from_home = tuple(pupils["pupil_id"].iloc[np.flatnonzero(assigned < 0)])
    return StopPlan(table, STOPS.frame(points), from_home)


# ------------------------------------------------------------------------------ names


class Namer:
    """Names of places from OSM: the street a point is on, the town or village it is in, a junction's roads."""

    def __init__(self, drive: nx.MultiDiGraph, features: OsmFeatures) -> None:
        self.drive = drive
        self.lat0 = float(np.mean([d["y"] for _, d in drive.nodes(data=True)])) if len(drive) else 0.0
        places = features.places
        self.places = [p.name for p in places]
        self.place_tree = cKDTree(_flat(np.array([p.lat for p in places]), np.array([p.lon for p in places]), self.lat0)) \
            if places else None
        named = [(u, v, d) for u, v, d in drive.edges(data=True) if _street(d)]
        self.street_names = [_street(d) for _, _, d in named]
        lines = np.array([d.get("geometry") or shapely.LineString(
            [(drive.nodes[u]["x"], drive.nodes[u]["y"]), (drive.nodes[v]["x"], drive.nodes[v]["y"])]) for u, v, d in named],
            dtype=object)
        flat = shapely.transform(lines, lambda c: _flat(c[:, 1], c[:, 0], self.lat0)) if len(lines) else lines
        self.street_tree = shapely.STRtree(flat) if len(lines) else None

    def locality(self, lat: float, lon: float) -> str:
        """The nearest town or village: plainly within LOCALITY_NEAR_M, 'near ...' within LOCALITY_MAX_M."""
        if self.place_tree is None:
            return ""
        dist, i = self.place_tree.query(_flat(np.array([lat]), np.array([lon]), self.lat0)[0])
        if dist > LOCALITY_MAX_M:
            return ""
        return self.places[i] if dist <= LOCALITY_NEAR_M else f"near {self.places[i]}"

    def street(self, lat: float, lon: float, within_m: float = 300.0) -> str:
        """The nearest named road (an unnamed drive or lane leads to it), or '' when none is near."""
        if self.street_tree is None:
            return ""
        point = shapely.Point(_flat(np.array([lat]), np.array([lon]), self.lat0)[0])
        found = self.street_tree.query_nearest(point, max_distance=within_m)
        return self.street_names[int(found[0])] if len(found) else ""

    def address(self, lat: float, lon: float, unnamed: str = "an unnamed road") -> str:
        """Street and town, never a house number: how a door-to-door stop is shown to an operator."""
        parts = [self.street(lat, lon) or unnamed, self.locality(lat, lon)]
        return ", ".join(p for p in parts if p)

    def junction_roads(self, node) -> tuple[str, str]:
        """The roads meeting at a junction, the busiest first ('High Street / Mill Lane'), and the busiest one's class."""
        roads: dict[str, int] = {}
        busiest = None
        for data in _incident(self.drive, node):
            rank = _rank(_road_class(data))
            busiest = rank if busiest is None else min(busiest, rank)
            name = _street(data)
            if name:
                roads[name] = min(rank, roads.get(name, rank))
        names = sorted(roads, key=lambda n: (roads[n], n))[:2]
        return " / ".join(names), ROAD_RANK[busiest if busiest is not None else len(ROAD_RANK) - 1]

    def stop_name(self, candidates: _Candidates, j: int) -> tuple[str, str, str]:
        """A stop's name as a driver would look for it, the road it is on, and that road's class
        (at a junction, the busiest road meeting there)."""
        lat, lon, kind, own = float(candidates.lat[j]), float(candidates.lon[j]), candidates.kind[j], candidates.label[j]
        road_class = candidates.road_class[j]
        if kind == "junction":
            road, road_class = self.junction_roads(int(candidates.osm_id[j]))
            road = road or f"an unnamed {road_class} road"
            label = f"Junction of {road}" if " / " in road else f"{road} (junction)"
        else:
            street = candidates.street[j] if kind == "bus_stop" else ""
            road = street or self.street(lat, lon, within_m=2 * MAX_FROM_ROAD_M) or f"an unnamed {road_class} road"
            what = "bus stop" if kind == "bus_stop" else "lay-by"
            label = (f"{own} {what}" if own == road else f"{own} {what} on {road}") if own else f"{what.capitalize()} on {road}"
        return ", ".join(p for p in (label, self.locality(lat, lon)) if p), road, road_class


def _street(data: Mapping) -> str:
    value = data.get("name") or data.get("ref") or ""
    return str(value[0] if isinstance(value, list) else value)


def _rank(highway: str) -> int:
    base = highway.removesuffix("_link")
    return ROAD_RANK.index(base) if base in ROAD_RANK else len(ROAD_RANK) - 1


def namer_for(drive: nx.MultiDiGraph, features: OsmFeatures) -> Namer:
    """One namer per graph and extract (kept on the graph, as the matrix keeps its edge table)."""
    cache = drive.graph.setdefault("_namers", {})
    key = id(features)
    if key not in cache:
        cache.clear()
        cache[key] = Namer(drive, features)
    return cache[key]


def place_names(locations: pd.DataFrame, plan: StopPlan, schools: pd.DataFrame, namer: Namer) -> tuple[str, ...]:
    """A name for every place a vehicle stops, in locations order: the stop's name, the school's, the
    depot's, and for a home the street and town only (the house number stays with the council)."""
    stops = dict(zip(plan.points["stop_id"], plan.points["name"], strict=True))
    by_urn = dict(zip(schools["urn"].astype(str), schools["name"].astype(str), strict=True))
    names = []
    for row in locations.itertuples(index=False):
        if row.kind == "stop":
            names.append(stops.get(row.ref, str(row.ref)))
        elif row.kind == "school":
            names.append(by_urn.get(str(row.ref), str(row.ref)))
        elif row.kind == "depot":
            depot = str(row.ref) if "depot" in str(row.ref).lower() else f"{row.ref} depot"
            names.append(", ".join(p for p in (depot, namer.address(row.lat, row.lon, unnamed="")) if p))
        elif row.kind == "home":
            names.append(namer.address(row.lat, row.lon))
        else:
            names.append("")
    return tuple(names)


def stops_geojson(points: pd.DataFrame) -> dict:
    """stops.geojson: each pick-up point as a Point with its stops.csv row as properties."""
    features = []
    for row in points.to_dict("records"):
        properties = {k: (v.item() if isinstance(v, np.generic) else v) for k, v in row.items() if k not in ("lat", "lon")}
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
                         "properties": properties})
    return {"type": "FeatureCollection", "features": features}
