"""Travel matrices: snapped points, partial edges, one-way streets, and agreement with networkx."""

from __future__ import annotations

import warnings
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from tests.osm_fixture import NODES, lat_lon
from transport.errors import InputError
from transport.matrix import SnapWarning, travel_matrices
from transport.network import load_network


def _points(*positions: tuple[float, float]) -> tuple[list[float], list[float]]:
    coords = [lat_lon(x, y) for x, y in positions]
    return [c[0] for c in coords], [c[1] for c in coords]


def _along(a: str, b: str, metres: float) -> tuple[float, float]:
    """A point `metres` from junction a towards junction b."""
    (xa, ya), (xb, yb) = NODES[a], NODES[b]
    share = metres / 100.0
    return xa + (xb - xa) * share, ya + (yb - ya) * share


def test_partial_edges_count_from_mid_block_points(town_osm: Path) -> None:
    """P is 50 m east of A on South Street; Q is 50 m east of E on North Street.
    Shortest drive either way round the block is 50 + 100 + 100 + 50 = 300 m."""
    drive = load_network(town_osm, "drive")
    lats, lons = _points(_along("A", "B", 50), _along("E", "F", 50))
    m = travel_matrices(drive, lats, lons, weight="length")
    assert m.distance_m[0, 1] == pytest.approx(300.0, abs=0.05)


def test_two_points_on_one_road_reach_each_other_directly(town_osm: Path) -> None:
    drive = load_network(town_osm, "drive")
    lats, lons = _points(_along("A", "B", 20), _along("A", "B", 70))
    m = travel_matrices(drive, lats, lons, weight="length")
    assert m.distance_m[0, 1] == pytest.approx(50.0, abs=0.05)
    assert m.distance_m[1, 0] == pytest.approx(50.0, abs=0.05)


def test_point_on_one_way_street_must_drive_on_and_round(town_osm: Path) -> None:
    """R is 30 m north of C on East Lane (one-way northbound). R -> C by car: 70 m to F,
    then F-E-D-A-B-C 500 m = 570 m. C -> R: 30 m. On foot R -> C is 30 m."""
    lats, lons = _points(_along("C", "F", 30), NODES["C"])
    drive = travel_matrices(load_network(town_osm, "drive"), lats, lons, weight="length")
    assert drive.distance_m[0, 1] == pytest.approx(570.0, abs=0.05)
    assert drive.distance_m[1, 0] == pytest.approx(30.0, abs=0.05)
    walk = travel_matrices(load_network(town_osm, "walk"), lats, lons, weight="length")
    assert walk.distance_m[0, 1] == pytest.approx(30.0, abs=0.05)


def test_time_and_distance_describe_the_same_route(town_osm: Path) -> None:
    drive = load_network(town_osm, "drive")
    lats, lons = _points(NODES["F"], NODES["C"])
    m = travel_matrices(drive, lats, lons)
    assert m.distance_m[0, 1] == pytest.approx(500.0, abs=0.05)
    assert m.time_s[0, 1] > m.distance_m[0, 1] / 25  # no faster than 90 km/h through a village


def test_diagonal_is_zero_and_snap_distance_reported(town_osm: Path) -> None:
    drive = load_network(town_osm, "drive")
    lats, lons = _points((50, 30), (150, -20))  # 30 m north of South Street; 20 m south of it
    m = travel_matrices(drive, lats, lons, weight="length")
    assert np.allclose(np.diag(m.distance_m), 0.0)
    assert m.snap_distance_m == pytest.approx([30.0, 20.0], abs=0.5)


def test_point_far_from_roads_warns(town_osm: Path) -> None:
    drive = load_network(town_osm, "drive")
    lats, lons = _points((100, 800))
    with pytest.warns(SnapWarning, match="700 m from the nearest road"):
        travel_matrices(drive, lats, lons, labels=["pupil P1"])


def test_points_that_cannot_be_snapped_are_all_listed(town_osm: Path) -> None:
    drive = load_network(town_osm, "drive")
    lats, lons = _points((0, 0), (0, 9000))
    lats.append(float("nan"))
    lons.append(0.0)
    with pytest.raises(InputError) as err, warnings.catch_warnings():
        warnings.simplefilter("ignore", SnapWarning)
        travel_matrices(drive, lats, lons, labels=["home A", "home B", "home C"])
    report = err.value.report()
    assert "home B is 8.9 km from the nearest road" in report
    assert "home C has no usable coordinates" in report
    assert "home A" not in report


def test_rutland_matrix_agrees_with_networkx_to_the_metre(rutland_drive: nx.MultiDiGraph) -> None:
    """Points placed on random junctions: matrix time and distance equal networkx's fastest path."""
    graph = rutland_drive
    nodes = list(graph.nodes)
    rng = np.random.default_rng(7)
    picked = [nodes[i] for i in rng.choice(len(nodes), 25, replace=False)]
    lats = [graph.nodes[n]["y"] for n in picked]
    lons = [graph.nodes[n]["x"] for n in picked]
    m = travel_matrices(graph, lats, lons)
    for i, source in enumerate(picked):
        times, paths = nx.single_source_dijkstra(graph, source, weight="travel_time")
        for j, target in enumerate(picked):
            assert m.time_s[i, j] == pytest.approx(times[target], abs=0.01)
            path = paths[target]
            metres = sum(min(e["length"] for e in graph[a][b].values()) for a, b in zip(path, path[1:], strict=False))
            assert m.distance_m[i, j] == pytest.approx(metres, abs=1.0)


def test_rutland_walk_distances_agree_with_networkx(rutland_walk: nx.MultiDiGraph) -> None:
    graph = rutland_walk
    nodes = list(graph.nodes)
    rng = np.random.default_rng(3)
    picked = [nodes[i] for i in rng.choice(len(nodes), 15, replace=False)]
    m = travel_matrices(graph, [graph.nodes[n]["y"] for n in picked], [graph.nodes[n]["x"] for n in picked], weight="length")
    for i, source in enumerate(picked):
        lengths = nx.single_source_dijkstra_path_length(graph, source, weight="length")
        for j, target in enumerate(picked):
            assert m.distance_m[i, j] == pytest.approx(lengths[target], abs=1.0)


def test_matrix_is_cached_by_content(town_osm: Path) -> None:
    drive = load_network(town_osm, "drive")
    lats, lons = _points((10, 0), (190, 100))
    first = travel_matrices(drive, lats, lons)
    second = travel_matrices(drive, lats, lons)
    assert np.array_equal(first.time_s, second.time_s)
