"""Real OpenStreetMap road and path networks: a `drive` graph for vehicles, a `walk` graph
for statutory walking distances, and the extract's named points pick-up points are chosen
and named from (bus stops, lay-bys, towns and villages).

Sources are a local `.osm`, `.osm.bz2` or `.osm.pbf` extract (the offline default), a saved
`.graphml`, or, only when the caller allows the network, a place name or bounding box
fetched through osmnx. osmnx reads OSM XML but not PBF, and on a full extract it would make
edges of buildings and fences, so every local source is first filtered with pyosmium to the
highway ways a network needs. Built graphs are cached on disk, keyed by the source's
content hash and the build settings, so the second run is fast.
"""

from __future__ import annotations

import hashlib
import json
import logging
import pickle
import re
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

import networkx as nx
import osmium
import osmnx as ox

from transport.datadir import cache_dir
from transport.errors import InputError, Problem
from transport.units import kph_to_mph, mph_to_metres_per_s

log = logging.getLogger(__name__)

NetworkKind = Literal["drive", "walk"]
CACHE_VERSION = 4

# Road classes a vehicle may use. Service roads are kept (school drives, estate roads) but
# not car parks, private drives or emergency accesses.
DRIVE_HIGHWAYS = frozenset(
    {
        "motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link",
        "secondary", "secondary_link", "tertiary", "tertiary_link", "unclassified",
        "residential", "living_street", "service", "road", "busway",
    }
)
DRIVE_EXCLUDED_SERVICE = frozenset({"parking_aisle", "driveway", "emergency_access", "private", "drive-through"})
NO_ACCESS = frozenset({"no", "private"})

# Ways a pupil may walk along: footways, paths, bridleways, pavements (mapped as the road
# or as sidewalk ways) and ordinary roads. Motorways and ways signed foot=no are excluded.
WALK_EXCLUDED_HIGHWAYS = frozenset(
    {
        "motorway", "motorway_link", "bus_guideway", "busway", "raceway", "construction",
        "proposed", "planned", "abandoned", "razed", "escape", "platform", "elevator",
    }
)

# UK speed limits by road class where `maxspeed` is missing, in mph: national speed limit
# (60 single / 70 dual and motorway) on rural main roads, 30 in built-up areas, lower on
# minor roads where free-flowing traffic rarely reaches the limit.
# Source: Highway Code rule 124 (speed limits); class choices are this project's assumption.
UK_DEFAULT_SPEED_MPH: Mapping[str, float] = {
    "motorway": 70, "motorway_link": 40, "trunk": 60, "trunk_link": 40,
    "primary": 50, "primary_link": 30, "secondary": 45, "secondary_link": 30,
    "tertiary": 40, "tertiary_link": 30, "unclassified": 30, "residential": 25,
    "living_street": 10, "service": 10, "road": 20, "busway": 30,
}

# School runs happen in the morning and afternoon peaks. Travel time on each class is the
# free-flow time multiplied by this factor. Defaults follow the pattern of DfT's average
# speed statistics (CGN0501: local A roads are roughly a fifth slower in the weekday morning
# peak than overnight; motorways less affected, urban minor roads more): an assumption,
# configurable per run.
DEFAULT_PEAK_FACTOR: Mapping[str, float] = {
    "motorway": 1.10, "motorway_link": 1.15, "trunk": 1.15, "trunk_link": 1.2,
    "primary": 1.25, "primary_link": 1.25, "secondary": 1.25, "secondary_link": 1.25,
    "tertiary": 1.2, "tertiary_link": 1.2, "unclassified": 1.15, "residential": 1.2,
    "living_street": 1.1, "service": 1.1, "road": 1.2, "busway": 1.1,
}

# A pupil's walking pace, used only to show walking times; statutory tests use distance.
WALK_SPEED_KPH = 4.8

# Places a stop is named after ("Church Street, Ketton"): settlements and their parts, not
# farms, single houses or named fields (OSM's `locality` names a wood or a field as often as a hamlet).
LOCALITY_PLACES = frozenset({"city", "town", "village", "hamlet", "suburb", "quarter", "neighbourhood"})
# Lay-bys: parking beside the carriageway, off the running lane (OSM's `parking=layby` and
# `parking=street_side`), and rest areas.
LAYBY_TAGS = (("parking", "layby"), ("parking", "lay_by"), ("parking", "street_side"), ("highway", "rest_area"))
# Junction nodes no vehicle should stop at: mini-roundabouts (roundabouts drawn as a point)
# and traffic signals (a stopped vehicle blocks the junction and the pedestrian phase).
UNSAFE_JUNCTION_NODES = frozenset({"mini_roundabout", "traffic_signals"})
FEATURES_CACHE_VERSION = 1


@dataclass(frozen=True, slots=True)
class NetworkSettings:
    """How a graph is built: speeds where OSM has none, and the peak-time slowdown."""

    default_speed_mph: Mapping[str, float] = field(default_factory=lambda: dict(UK_DEFAULT_SPEED_MPH))
    peak_factor: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_PEAK_FACTOR))
    fallback_speed_mph: float = 20.0

    def key(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, default=dict)


@dataclass(frozen=True, slots=True)
class NetworkInfo:
    """Headline facts about a built graph, for `transport network info`."""

    kind: str
    nodes: int
    edges: int
    road_km: float
    largest_component_share: float
    bbox: tuple[float, float, float, float]  # west, south, east, north
    build_seconds: float
    from_cache: bool


# ---------------------------------------------------------------------------- entry point


def load_network(
    source: str | Path,
    kind: NetworkKind = "drive",
    settings: NetworkSettings | None = None,
    *,
    use_cache: bool = True,
) -> nx.MultiDiGraph:
    """Build (or load from cache) the drive or walk graph of a local OSM file or graphml."""
    graph, _ = load_network_with_info(source, kind, settings, use_cache=use_cache)
    return graph


def load_network_with_info(
    source: str | Path,
    kind: NetworkKind = "drive",
    settings: NetworkSettings | None = None,
    *,
    use_cache: bool = True,
) -> tuple[nx.MultiDiGraph, NetworkInfo]:
    settings = settings or NetworkSettings()
    if kind not in ("drive", "walk"):
        raise InputError(f"unknown network kind {kind!r}: use 'drive' or 'walk'")
    path = _check_source_file(Path(source))
    started = time.perf_counter()
    key = _cache_key(path, kind, settings)
    cached = cache_dir() / "graphs" / f"{key}.pkl"
    loaded = _read_cache(cached) if use_cache else None
    if loaded is not None:
        graph, component_share = loaded
        from_cache = True
    else:
        graph, component_share = _build(path, kind, settings)
        if use_cache:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_suffix(".tmp")
            with tmp.open("wb") as fh:
                pickle.dump((graph, component_share), fh, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(cached)
        from_cache = False
    graph.graph["fingerprint"] = key
    info = describe(graph, kind, time.perf_counter() - started, component_share, from_cache)
    return graph, info


def _read_cache(path: Path) -> tuple[nx.MultiDiGraph, float] | None:
    """A cached graph, or None when there is none or it cannot be read (it is then rebuilt)."""
    if not path.is_file():
        return None
    try:
        with path.open("rb") as fh:
            graph, component_share = pickle.load(fh)
        if not isinstance(graph, nx.MultiDiGraph):
            raise TypeError("not a graph")
        return graph, component_share
    except Exception as exc:  # noqa: BLE001 - a damaged cache file is rebuilt whatever the damage
        log.warning("The cached network %s cannot be read (%s); rebuilding it", path.name, _one_line(exc))
        return None


def describe(
    graph: nx.MultiDiGraph, kind: str, build_seconds: float, component_share: float, from_cache: bool
) -> NetworkInfo:
    xs = [d["x"] for _, d in graph.nodes(data=True)]
    ys = [d["y"] for _, d in graph.nodes(data=True)]
    metres = sum(d.get("length", 0.0) for _, _, d in graph.edges(data=True))
    if kind == "drive":
        # A two-way road appears as two directed edges: count each road once.
        metres = sum(
            d.get("length", 0.0) * (0.5 if graph.has_edge(v, u) else 1.0) for u, v, d in graph.edges(data=True)
        )
    else:
        metres /= 2  # walk graphs are built bidirectional
    bbox = (min(xs), min(ys), max(xs), max(ys)) if xs else (0.0, 0.0, 0.0, 0.0)
    return NetworkInfo(
        kind=kind,
        nodes=graph.number_of_nodes(),
        edges=graph.number_of_edges(),
        road_km=round(float(metres) / 1000, 1),
        largest_component_share=round(component_share, 4),
        bbox=tuple(round(v, 5) for v in bbox),  # type: ignore[arg-type]
        build_seconds=round(build_seconds, 2),
        from_cache=from_cache,
    )


# ---------------------------------------------------------------------------- building


def _check_source_file(path: Path) -> Path:
    if not path.exists():
        raise InputError(Problem(file=str(path), message="file not found", fix="Check the path"))
    if not path.is_file():
        raise InputError(Problem(file=str(path), message="is not a file"))
    if path.stat().st_size == 0:
        raise InputError(Problem(file=str(path), message="file is empty", fix="Give an OSM extract (.osm, .osm.bz2, .osm.pbf) or a .graphml"))
    if not _source_format(path):
        raise InputError(
            Problem(
                file=str(path),
                message="unknown network file type",
                fix="Give an OSM extract (.osm, .osm.bz2, .osm.pbf) or a .graphml",
            )
        )
    return path


def _source_format(path: Path) -> str | None:
    name = path.name.lower()
    for suffix in (".osm.pbf", ".osm.bz2", ".osm.gz", ".osm", ".pbf", ".graphml"):
        if name.endswith(suffix):
            return suffix
    return None


def _cache_key(path: Path, kind: str, settings: NetworkSettings) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    digest.update(f"|{kind}|{settings.key()}|{CACHE_VERSION}".encode())
    return digest.hexdigest()[:32]


def _build(path: Path, kind: NetworkKind, settings: NetworkSettings) -> tuple[nx.MultiDiGraph, float]:
    if _source_format(path) == ".graphml":
        try:
            raw = ox.load_graphml(path)
        except Exception as exc:  # noqa: BLE001 - any parse failure is the user's file
            raise InputError(Problem(file=str(path), message=f"not a readable GraphML file ({_one_line(exc)})")) from None
        return _finish(raw, kind, settings)
    keep = _keep_drive_way if kind == "drive" else _keep_walk_way
    with tempfile.TemporaryDirectory(prefix="transport-osm-") as tmp:
        filtered = Path(tmp) / f"{kind}.osm"
        ways = _filter_highways(path, filtered, keep)
        if ways == 0:
            raise InputError(
                Problem(file=str(path), message=f"contains no {kind} ways (no usable highway=* ways)",
                        fix="Check that the file is an OpenStreetMap extract of a populated area")
            )
        try:
            raw = ox.graph_from_xml(filtered, bidirectional=(kind == "walk"), simplify=False, retain_all=True)
        except Exception as exc:  # noqa: BLE001
            raise InputError(Problem(file=str(path), message=f"could not build a graph ({_one_line(exc)})")) from None
    return _finish(raw, kind, settings)


def _filter_highways(source: Path, target: Path, keep: Callable[[Mapping[str, str]], bool]) -> int:
    """Copy the highway ways `keep` accepts, with the nodes they use, into an OSM XML file."""
    count = 0
    try:
        with osmium.BackReferenceWriter(str(target), ref_src=str(source), overwrite=True) as writer:
            for obj in osmium.FileProcessor(str(source), osmium.osm.WAY).with_filter(osmium.filter.KeyFilter("highway")):
                if keep(dict(obj.tags)):
                    writer.add_way(obj)
                    count += 1
    except (RuntimeError, ValueError, OSError) as exc:
        raise InputError(
            Problem(file=str(source), message=f"not a readable OSM file ({_one_line(exc)})",
                    fix="Check the file is a complete .osm, .osm.bz2 or .osm.pbf extract (a truncated download fails like this)")
        ) from None
    return count


def _keep_drive_way(tags: Mapping[str, str]) -> bool:
    if tags.get("highway") not in DRIVE_HIGHWAYS:
        return False
    if tags.get("area") == "yes":
        return False
    if tags.get("service") in DRIVE_EXCLUDED_SERVICE:
        return False
    return all(tags.get(key) not in NO_ACCESS for key in ("access", "motor_vehicle", "motorcar", "vehicle"))


def _keep_walk_way(tags: Mapping[str, str]) -> bool:
    highway = tags.get("highway", "")
    if highway in WALK_EXCLUDED_HIGHWAYS:
        return False
    if tags.get("foot") in NO_ACCESS or tags.get("access") in NO_ACCESS and tags.get("foot") not in ("yes", "designated", "permissive"):
        return False
    return tags.get("area") != "yes"


def _finish(raw: nx.MultiDiGraph, kind: NetworkKind, settings: NetworkSettings) -> tuple[nx.MultiDiGraph, float]:
    """Times per OSM segment, then simplify (summing times), then the largest strong component.

    Speeds are set before simplification so that a merged edge's time is the sum of its
    parts, each at its own limit; edges of different road classes are never merged, so the
    class (and its peak factor) and speed stay uniform along every edge, so a share of its
    length is the same share of its time.
    """
    if raw.number_of_nodes() == 0:
        raise InputError("the network has no nodes")
    for _, _, data in raw.edges(data=True):
        highway = _first(data.get("highway")) or "road"
        data["highway"] = highway
        if kind == "drive":
            speed_mph = _parse_maxspeed_mph(data.get("maxspeed"), highway, settings)
            factor = settings.peak_factor.get(highway, 1.2)
            data["travel_time"] = float(data["length"]) / mph_to_metres_per_s(speed_mph) * factor
        else:
            data["travel_time"] = float(data["length"]) / (WALK_SPEED_KPH / 3.6)
    if not raw.graph.get("simplified"):
        raw = ox.simplify_graph(raw, edge_attrs_differ=["highway", "maxspeed"], edge_attr_aggs={"length": sum, "travel_time": sum})
    total = raw.number_of_nodes()
    graph = ox.truncate.largest_component(raw, strongly=True)
    share = graph.number_of_nodes() / total
    for _, _, data in graph.edges(data=True):
        data["length"] = float(data["length"])
        data["travel_time"] = float(data["travel_time"])
        # the average speed over the edge, free of the peak factor only for display
        data["speed_kph"] = round(data["length"] / max(data["travel_time"], 1e-9) * 3.6, 2)
    graph.graph["kind"] = kind
    graph.graph["crs"] = "epsg:4326"
    return graph, share


_MPH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*mph\s*$", re.I)
_KPH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:km/h|kmh|kph)?\s*$", re.I)
_NATIONAL = {"gb:nsl_single": 60.0, "gb:nsl_dual": 70.0, "gb:motorway": 70.0, "uk:nsl_single": 60.0, "uk:nsl_dual": 70.0}


def _parse_maxspeed_mph(value: object, highway: str, settings: NetworkSettings) -> float:
    """OSM `maxspeed` to mph: '30 mph', '48', 'national', 'GB:nsl_single', 'GB:zone20', lists."""
    default = settings.default_speed_mph.get(highway, settings.fallback_speed_mph)
    values = value if isinstance(value, list) else [value]
    parsed: list[float] = []
    for item in values:
        if item is None:
            continue
        for part in str(item).split(";"):
            text = part.strip().lower()
            if not text:
                continue
            if text in _NATIONAL:
                parsed.append(_NATIONAL[text])
            elif text == "national":
                parsed.append(70.0 if highway.startswith(("motorway", "trunk")) else 60.0)
            elif text.startswith("gb:zone"):
                digits = re.sub(r"\D", "", text)
                if digits:
                    parsed.append(float(digits))
            elif m := _MPH.match(text):
                parsed.append(float(m.group(1)))
            elif m := _KPH.match(text):
                parsed.append(kph_to_mph(float(m.group(1))))
    if not parsed:
        return float(default)
    # A limit is a ceiling: on a national-limit lane the class default is the better guess.
    return float(min(min(parsed), max(default, 20.0)) if min(parsed) >= 60 else min(parsed))


def _first(value: object) -> str | None:
    if isinstance(value, list):
        return str(value[0]) if value else None
    return None if value is None else str(value)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


# ---------------------------------------------------------------------------- named points


@dataclass(frozen=True, slots=True)
class OsmPoint:
    """A tagged point of the extract (a way is placed at the mean of its nodes)."""

    osm_id: int
    name: str
    lat: float
    lon: float
    kind: str  # bus_stop, layby, or the place= value
    street: str = ""  # NaPTAN's street for a bus stop, when tagged


@dataclass(frozen=True, slots=True)
class OsmFeatures:
    """What pick-up points are chosen from and named after, besides the road graph."""

    bus_stops: tuple[OsmPoint, ...] = ()
    laybys: tuple[OsmPoint, ...] = ()
    places: tuple[OsmPoint, ...] = ()
    unsafe_nodes: frozenset[int] = frozenset()  # OSM node ids of mini-roundabouts and signals


def load_features(source: str | Path, *, use_cache: bool = True) -> OsmFeatures:
    """Bus stops, lay-bys, named settlements and unsafe junction nodes of a local extract
    (cached like the graphs). A .graphml source has none: stops are then junctions, named by street."""
    path = _check_source_file(Path(source))
    if _source_format(path) == ".graphml":
        return OsmFeatures()
    cached = cache_dir() / "features" / f"{_cache_key(path, f'features{FEATURES_CACHE_VERSION}', NetworkSettings())}.pkl"
    if use_cache and cached.is_file():
        try:
            with cached.open("rb") as fh:
                features = pickle.load(fh)
            if isinstance(features, OsmFeatures):
                return features
        except Exception as exc:  # noqa: BLE001 - a damaged cache file is rebuilt whatever the damage
            log.warning("The cached points %s cannot be read (%s); reading the extract again", cached.name, _one_line(exc))
    features = _read_features(path)
    if use_cache:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(features, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(cached)
    return features


def _read_features(path: Path) -> OsmFeatures:
    """One pass over the extract's tagged nodes and ways (ways need node locations for their centre)."""
    wanted = osmium.filter.TagFilter(("highway", "bus_stop"), *LAYBY_TAGS,
                                     *(("highway", v) for v in UNSAFE_JUNCTION_NODES),
                                     *(("place", v) for v in LOCALITY_PLACES))
    bus, lay, places, unsafe = [], [], [], set()
    try:
        for obj in osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY).with_locations().with_filter(wanted):
            tags = dict(obj.tags)
            if obj.is_node() and tags.get("highway") in UNSAFE_JUNCTION_NODES:
                unsafe.add(obj.id)
                continue
            where = _centre(obj)
            if where is None:
                continue
            name = tags.get("name") or tags.get("naptan:CommonName") or ""
            if tags.get("highway") == "bus_stop" and obj.is_node():
                bus.append(OsmPoint(obj.id, name, *where, "bus_stop", tags.get("naptan:Street", "")))
            elif tags.get("place") in LOCALITY_PLACES:
                if name and obj.is_node():
                    places.append(OsmPoint(obj.id, name, *where, tags["place"]))
            else:
                lay.append(OsmPoint(obj.id, name, *where, "layby"))
    except (RuntimeError, ValueError, OSError) as exc:
        raise InputError(Problem(file=str(path), message=f"not a readable OSM file ({_one_line(exc)})")) from None
    return OsmFeatures(tuple(bus), tuple(lay), tuple(places), frozenset(unsafe))


def _centre(obj) -> tuple[float, float] | None:
    """A node's location, or the mean of a way's node locations (None when they are unknown)."""
    if obj.is_node():
        return (obj.location.lat, obj.location.lon) if obj.location.valid() else None
    points = [(n.lat, n.lon) for n in obj.nodes if n.location.valid()]
    if not points:
        return None
    return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)
