"""Pick-up points: safe places a vehicle can stop, named from OpenStreetMap, shared between schools.

A hand-made village (Ketton, coordinates in metres east and north of the fixture origin):

    Top Road     (0,600) ----------- M (400,600) ---------- (800,600)      M: a mini-roundabout
                                     |     lay-by (200,606) on Top Road
                 Mill Lane           |                        Church Street
                                     |                          |
    Cross Street              J1 (400,300) ---- "Chapel" ---- J2 (800,300)  bus stop beside it at (600,308)
                                     |                          |
    A6003 (primary) (0,0) ---- P1 (400,0) -- "Market Place" -- P2 (800,0) ---- roundabout R (1200..1300)
                                             bus stop (600,8)                      |
                                                                 Station Road (tertiary) to (1700,0), a dead end

J1 and J2 are junctions of three quiet roads each; M is one too but is a mini-roundabout; the
A6003's junctions and the roundabout are never pick-up points, nor is the bus stop beside the A6003.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.osm_fixture import lat_lon
from transport.matrix import snap_points, travel_matrices
from transport.network import OsmFeatures, load_features, load_network
from transport.policy import Policy
from transport.stops import plan_pickup_points
from transport.units import miles_to_m

NODES = {
    "W": (0, 0), "P1": (400, 0), "P2": (800, 0), "R1": (1200, 0), "R2": (1250, 50), "R3": (1300, 0), "R4": (1250, -50),
    "S1": (1700, 0), "J1": (400, 300), "J2": (800, 300), "T0": (0, 600), "M": (400, 600), "T2": (800, 600),
    "N1": (400, 900), "RC": (1250, 400), "X1": (1700, 300),
}
WAYS = [
    (["W", "P1", "P2", "R1"], {"highway": "primary", "name": "Stamford Road", "ref": "A6003"}),
    (["R1", "R2", "R3", "R4", "R1"], {"highway": "tertiary", "junction": "roundabout"}),
    (["R3", "S1"], {"highway": "tertiary", "name": "Station Road"}),
    (["R2", "RC"], {"highway": "residential", "name": "Ring Close"}),
    (["P1", "J1", "M", "N1"], {"highway": "residential", "name": "Mill Lane"}),
    (["P2", "J2", "T2"], {"highway": "residential", "name": "Church Street"}),
    (["J1", "J2"], {"highway": "residential", "name": "Cross Street"}),
    (["T0", "M", "T2"], {"highway": "unclassified", "name": "Top Road"}),
    (["S1", "X1"], {"highway": "track"}),
]
POINTS = [  # id, (x, y), tags
    (901, (600, 8), {"highway": "bus_stop", "name": "Market Place"}),
    (902, (600, 308), {"highway": "bus_stop", "name": "Chapel", "naptan:Street": "Cross Street"}),
    (903, (200, 606), {"amenity": "parking", "parking": "layby"}),
    (904, (600, 450), {"place": "village", "name": "Ketton"}),
]
MINI_ROUNDABOUT = "M"


def village_xml() -> str:
    ids = {name: i + 1 for i, name in enumerate(NODES)}
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="transport-tests">']
    for name, (x, y) in NODES.items():
        lat, lon = lat_lon(x, y)
        tag = '<tag k="highway" v="mini_roundabout"/>' if name == MINI_ROUNDABOUT else ""
        lines.append(f'  <node id="{ids[name]}" version="1" lat="{lat:.9f}" lon="{lon:.9f}">{tag}</node>')
    for osm_id, (x, y), tags in POINTS:
        lat, lon = lat_lon(x, y)
        body = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
        lines.append(f'  <node id="{osm_id}" version="1" lat="{lat:.9f}" lon="{lon:.9f}">{body}</node>')
    for i, (refs, tags) in enumerate(WAYS, start=100):
        lines.append(f'  <way id="{i}" version="1">' + "".join(f'<nd ref="{ids[r]}"/>' for r in refs)
                     + "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items()) + "</way>")
    lines.append("</osm>")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def village(tmp_path_factory: pytest.TempPathFactory) -> dict:
    path = tmp_path_factory.mktemp("village") / "ketton.osm"
    path.write_text(village_xml(), encoding="utf-8")
    return {"drive": load_network(path, "drive"), "walk": load_network(path, "walk"), "features": load_features(path)}


def pupils_at(rows: list[tuple[str, str, float, float]]) -> pd.DataFrame:
    return pd.DataFrame([{"pupil_id": pid, "school_urn": urn, "lat": lat_lon(x, y)[0], "lon": lat_lon(x, y)[1]}
                         for pid, urn, x, y in rows])


def on_road(drive, lats, lons) -> list[dict]:
    """The road each point is on where the routing matrix snaps it (the edge's OSM tags)."""
    snapped = snap_points(drive, np.asarray(lats, float), np.asarray(lons, float), warn_snap_m=np.inf, max_snap_m=np.inf)
    nodes = list(drive.nodes)
    return [min(drive.get_edge_data(nodes[u], nodes[v]).values(), key=lambda d: d["travel_time"])
            for u, v in zip(snapped.edge_u, snapped.edge_v, strict=True)]


def test_the_extract_gives_its_bus_stops_lay_by_village_and_mini_roundabout(village: dict) -> None:
    features = village["features"]
    assert sorted(p.name for p in features.bus_stops) == ["Chapel", "Market Place"]
    assert [p.kind for p in features.laybys] == ["layby"]
    assert [p.name for p in features.places] == ["Ketton"]
    assert list(NODES).index(MINI_ROUNDABOUT) + 1 in features.unsafe_nodes


def test_pupils_of_two_schools_beside_one_bus_stop_share_it_and_it_appears_once(village: dict) -> None:
    pupils = pupils_at([("A1", "100001", 590, 330), ("B1", "100002", 620, 325), ("B2", "100002", 560, 280)])
    plan = plan_pickup_points(pupils, village["drive"], village["walk"], Policy(), village["features"],
                              {"100001": "Ketton Primary", "100002": "Casterton College"})
    assert plan.pupils["stop_id"].nunique() == 1 and len(plan.points) == 1
    stop = plan.points.iloc[0]
    assert stop["kind"] == "bus_stop" and stop["osm_id"] == 902
    assert stop["name"] == "Chapel bus stop on Cross Street, Ketton"
    assert stop["pupils_by_school"] == "100001: 1; 100002: 2"
    assert stop["schools"] == "Ketton Primary; Casterton College"
    assert stop["pupils"] == 3 and stop["furthest_walk_m"] == plan.pupils["walk_to_stop_m"].max()


def test_no_pick_up_point_is_on_the_primary_road_its_bus_stop_or_the_roundabout(village: dict) -> None:
    """Pupils along the A6003 and round the roundabout: their stops are on the quiet roads behind."""
    pupils = pupils_at([("P1", "100001", 600, 20), ("P2", "100001", 420, 40), ("P3", "100001", 790, 30),
                        ("P4", "100001", 1180, 30), ("P5", "100001", 1250, 120)])
    plan = plan_pickup_points(pupils, village["drive"], village["walk"], Policy(), village["features"])
    assert len(plan.points) > 0
    assert 901 not in set(plan.points["osm_id"])  # Market Place is on the A6003
    for road in on_road(village["drive"], plan.points["lat"], plan.points["lon"]):
        assert road["highway"] not in ("primary", "trunk") and road.get("junction") != "roundabout"
    assert not plan.points["road_class"].isin(Policy().pickup_point_excluded_road_classes).any()


def test_a_mini_roundabout_is_never_a_pick_up_point(village: dict) -> None:
    """Two pupils within a few metres of the mini-roundabout M and a 0.1-mile walk: nothing else is in reach,
    so they are collected from home; the same junction untagged would have been their stop."""
    import dataclasses

    pupils = pupils_at([("T1", "100001", 400, 640), ("T2", "100001", 440, 600)])
    policy = Policy(pickup_point_max_walk_miles=0.1)
    plan = plan_pickup_points(pupils, village["drive"], village["walk"], policy, village["features"])
    assert plan.from_home == ("T1", "T2") and plan.points.empty
    untagged = dataclasses.replace(village["features"], unsafe_nodes=frozenset())
    control = plan_pickup_points(pupils, village["drive"], village["walk"], policy, untagged)
    assert list(control.points["kind"]) == ["junction"]
    assert control.points["osm_id"].iat[0] == list(NODES).index(MINI_ROUNDABOUT) + 1


def test_a_lay_by_on_a_quiet_road_is_a_pick_up_point(village: dict) -> None:
    """Pupils on Top Road with a 0.3-mile walk (the Chapel bus stop is beyond it): the lay-by serves them."""
    pupils = pupils_at([("T1", "100001", 150, 620), ("T2", "100001", 380, 640), ("T3", "100001", 250, 590)])
    plan = plan_pickup_points(pupils, village["drive"], village["walk"], Policy(pickup_point_max_walk_miles=0.3),
                              village["features"])
    assert list(plan.points["kind"]) == ["layby"]
    assert plan.points["name"].iat[0] == "Lay-by on Top Road, Ketton"


def test_a_pupil_with_no_safe_stop_in_walking_distance_is_collected_from_home_and_counted(village: dict) -> None:
    """Beside the track beyond Station Road's dead end: the roundabout and the A6003 are the only junctions in reach."""
    pupils = pupils_at([("F1", "100001", 1690, 250), ("A1", "100001", 590, 330)])
    plan = plan_pickup_points(pupils, village["drive"], village["walk"], Policy(), village["features"])
    assert plan.from_home == ("F1",)
    assert list(plan.pupils["pupil_id"]) == ["A1"]


def test_walks_are_measured_on_the_walk_graph_within_the_policy_limit(village: dict) -> None:
    pupils = pupils_at([("A1", "100001", 420, 500), ("A2", "100001", 780, 150), ("A3", "100002", 700, 320)])
    policy = Policy(pickup_point_max_walk_miles=0.3)
    plan = plan_pickup_points(pupils, village["drive"], village["walk"], policy, village["features"])
    assert (plan.pupils["walk_to_stop_m"] <= miles_to_m(0.3)).all()
    for row in plan.pupils.itertuples(index=False):
        home = pupils.set_index("pupil_id").loc[row.pupil_id]
        m = travel_matrices(village["walk"], [home["lat"], row.stop_lat], [home["lon"], row.stop_lon], weight="length")
        assert row.walk_to_stop_m == pytest.approx(m.distance_m[0, 1], abs=0.1)


def test_the_policy_decides_which_road_classes_are_excluded(village: dict) -> None:
    """Excluding residential roads as well takes the Chapel bus stop and the junctions of Cross Street away:
    both pupils walk to the lay-by on the unclassified Top Road."""
    pupils = pupils_at([("A1", "100001", 590, 330), ("T1", "100001", 150, 620)])
    policy = Policy(pickup_point_excluded_road_classes=("primary", "trunk", "residential"))
    plan = plan_pickup_points(pupils, village["drive"], village["walk"], policy, village["features"])
    assert list(plan.points["kind"]) == ["layby"] and plan.points["pupils"].iat[0] == 2
    for road in on_road(village["drive"], plan.points["lat"], plan.points["lon"]):
        assert road["highway"] not in ("primary", "residential")


def test_junctions_are_named_by_the_roads_that_meet_there(village: dict) -> None:
    """With no bus stops or lay-bys in the extract, pupils beside J1 board at the junction itself."""
    pupils = pupils_at([("A1", "100001", 400, 330), ("A2", "100001", 420, 280)])
    plan = plan_pickup_points(pupils, village["drive"], village["walk"], Policy(),
                              OsmFeatures(places=village["features"].places))
    assert list(plan.points["kind"]) == ["junction"]
    assert plan.points["name"].iat[0] == "Junction of Cross Street / Mill Lane, Ketton"
    assert plan.points["road_class"].iat[0] == "residential"


# ------------------------------------------------------------------------------ the demo area (Rutland)


@pytest.fixture(scope="module")
def rutland(rutland_pbf, rutland_drive, rutland_walk) -> dict:
    """1,500 pupils of the demo's synthetic cohort at mainstream schools, all walking to a stop."""
    from tests.conftest import SHARED_DATA
    from transport.synth import demo_schools, synthesise_cohort

    schools = demo_schools("rutland", SHARED_DATA)
    pupils = synthesise_cohort(schools.astype(str), "rutland", SHARED_DATA, seed=2026)
    mainstream = set(schools.loc[schools["type"] == "mainstream", "urn"].astype(str))
    walkers = pupils[pupils["school_urn"].astype(str).isin(mainstream)].sample(1500, random_state=18)
    features = load_features(rutland_pbf)
    names = dict(zip(schools["urn"].astype(str), schools["name"], strict=True))
    plan = plan_pickup_points(walkers, rutland_drive, rutland_walk, Policy(), features, names)
    return {"plan": plan, "pupils": walkers, "schools": schools, "drive": rutland_drive, "pbf": rutland_pbf}


def _raw_ways(pbf, wanted) -> list:
    """(tags, lon/lat line) of each way of the raw extract whose tags `wanted` accepts."""
    import osmium
    import shapely

    out = []
    for way in osmium.FileProcessor(str(pbf), osmium.osm.NODE | osmium.osm.WAY).with_locations():
        tags = dict(way.tags)
        if way.is_way() and wanted(tags):
            coords = [(n.lon, n.lat) for n in way.nodes if n.location.valid()]
            if len(coords) >= 2:
                out.append((tags, shapely.LineString(coords)))
    return out


def test_on_the_demo_area_no_pick_up_point_is_on_a_trunk_or_primary_road_or_a_roundabout(rutland: dict) -> None:
    """Checked twice: on the road the routing matrix snaps each stop to, and against the raw extract's ways
    (the nearest drivable way to each stop, and every roundabout's outline)."""
    import shapely

    from tests.osm_fixture import ORIGIN_LAT

    points = rutland["plan"].points
    assert len(points) >= 30
    fast = ("trunk", "trunk_link", "primary", "primary_link", "motorway", "motorway_link")
    for road in on_road(rutland["drive"], points["lat"], points["lon"]):
        assert road["highway"] not in fast and road.get("junction") not in ("roundabout", "circular")
    drivable = _raw_ways(rutland["pbf"], lambda t: t.get("highway") in fast + (
        "secondary", "secondary_link", "tertiary", "tertiary_link", "unclassified", "residential", "living_street", "service"))
    lines = np.array([line for _, line in drivable], dtype=object)
    scale = np.cos(np.radians(ORIGIN_LAT))
    flat = shapely.transform(lines, lambda c: np.column_stack([c[:, 0] * scale, c[:, 1]]) * 111_195.0)
    tree = shapely.STRtree(flat)
    stops = shapely.points(np.column_stack([points["lon"] * scale, points["lat"]]) * 111_195.0)
    nearest = tree.query_nearest(stops, all_matches=False)[1]
    for k in nearest:
        tags = drivable[int(k)][0]
        assert tags["highway"] not in fast, tags
    rings = [i for i, (tags, _) in enumerate(drivable) if tags.get("junction") in ("roundabout", "circular")]
    assert rings, "the demo extract has roundabouts to keep away from"
    assert shapely.distance(stops[:, None], flat[rings][None, :]).min() > 15.0


def test_on_the_demo_area_a_stop_serving_two_schools_appears_once(rutland: dict) -> None:
    """Stops are shared between schools: one row, one place, one location the vehicles visit, a request per school."""
    from transport.demand import build_demand

    plan = rutland["plan"]
    points = plan.points
    assert points["stop_id"].is_unique
    assert not points.duplicated(["lat", "lon"]).any()
    shared = points[points["pupils_by_school"].str.count(":") >= 2]
    assert len(shared) >= 5
    stop = shared.iloc[0]
    urns = set(plan.pupils.loc[plan.pupils["stop_id"] == stop["stop_id"], "school_urn"])
    assert len(urns) >= 2
    walkers = rutland["pupils"]
    decided = pd.DataFrame({"pupil_id": walkers["pupil_id"], "eligible": True, "door_to_door": False,
                            "reason_code": "DISTANCE_8_PLUS", "age": 12})
    from tests.conftest import vehicles

    schools = rutland["schools"].assign(start_s=9 * 3600, finish_s=15 * 3600)
    demand = build_demand(walkers.assign(age=12, max_ride_minutes=None), decided, schools, vehicles(), Policy(),
                          plan.pupils)
    locations = demand.locations
    at_stop = locations[(locations["kind"] == "stop") & (locations["ref"] == stop["stop_id"])]
    assert len(at_stop) == 1
    groups = {r.group for r in demand.requests["AM"] if r.pickup == int(at_stop["location"].iat[0])}
    assert groups == urns


def test_on_the_demo_area_every_stop_is_named_and_walks_are_within_the_limit(rutland: dict) -> None:
    plan = rutland["plan"]
    assert (plan.points["name"].str.len() > 5).all()
    assert plan.points["locality"].str.len().gt(0).mean() > 0.9
    assert (plan.pupils["walk_to_stop_m"] <= miles_to_m(Policy().pickup_point_max_walk_miles)).all()
    assert len(plan.pupils) + len(plan.from_home) == len(rutland["pupils"])
    assert (plan.points["pupils"].sum()) == len(plan.pupils)
