"""Networks built from OSM files: what is kept, what is dropped, speeds and bad files."""

from __future__ import annotations

import bz2
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

from tests.conftest import shared_file
from tests.osm_fixture import NODE_IDS, NODES, lat_lon
from transport.errors import InputError
from transport.matrix import travel_matrices
from transport.network import NetworkSettings, _parse_maxspeed_mph, load_network, load_network_with_info


def _dist(graph: nx.MultiDiGraph, a: str, b: str) -> float:
    """Shortest distance between two junctions of the fixture town, in metres."""
    (lat_a, lon_a), (lat_b, lon_b) = lat_lon(*NODES[a]), lat_lon(*NODES[b])
    return float(travel_matrices(graph, [lat_a, lat_b], [lon_a, lon_b], weight="length").distance_m[0, 1])


def test_drive_graph_respects_one_way_street(town_osm: Path) -> None:
    drive = load_network(town_osm, "drive")
    assert _dist(drive, "A", "F") == pytest.approx(300.0, abs=0.01)
    assert _dist(drive, "F", "C") == pytest.approx(500.0, abs=0.01)


def test_drive_graph_cannot_use_the_footpath(town_osm: Path) -> None:
    drive = load_network(town_osm, "drive")
    assert _dist(drive, "B", "E") == pytest.approx(300.0, abs=0.01)


def test_walk_graph_uses_the_footpath_and_ignores_one_way(town_osm: Path) -> None:
    walk = load_network(town_osm, "walk")
    assert _dist(walk, "B", "E") == pytest.approx(100.0, abs=0.01)
    assert _dist(walk, "F", "C") == pytest.approx(100.0, abs=0.01)


def test_disconnected_stub_and_buildings_are_dropped(town_osm: Path) -> None:
    for kind in ("drive", "walk"):
        graph = load_network(town_osm, kind)
        assert NODE_IDS["G"] not in graph and NODE_IDS["H"] not in graph
        assert all(d["highway"] != "building" for _, _, d in graph.edges(data=True))


def _street(graph: nx.MultiDiGraph, name: str) -> dict:
    return next(d for _, _, d in graph.edges(data=True) if name in (d["name"] if isinstance(d["name"], list) else [d["name"]]))


def _time_s(graph: nx.MultiDiGraph, a: str, b: str) -> float:
    (lat_a, lon_a), (lat_b, lon_b) = lat_lon(*NODES[a]), lat_lon(*NODES[b])
    return float(travel_matrices(graph, [lat_a, lat_b], [lon_a, lon_b]).time_s[0, 1])


def test_speeds_come_from_maxspeed_or_uk_default_with_peak_factor(town_osm: Path) -> None:
    """A->C runs along South Street (30 mph signed); D->F along North Street (no maxspeed)."""
    settings = NetworkSettings()
    drive = load_network(town_osm, "drive", settings)
    peak = settings.peak_factor["residential"]
    assert _time_s(drive, "A", "C") == pytest.approx(200 / (30 * 0.44704) * peak, abs=0.01)
    default_mph = settings.default_speed_mph["residential"]
    assert _time_s(drive, "D", "F") == pytest.approx(200 / (default_mph * 0.44704) * peak, abs=0.01)


def test_peak_factor_is_configurable(town_osm: Path) -> None:
    slow = NetworkSettings(peak_factor={"residential": 2.0})
    drive = load_network(town_osm, "drive", slow)
    assert _time_s(drive, "A", "C") == pytest.approx(200 / (30 * 0.44704) * 2.0, abs=0.01)


@pytest.mark.parametrize(
    ("value", "highway", "mph"),
    [("30 mph", "residential", 30), ("48", "residential", 48 / 1.609344), ("GB:zone20", "residential", 20),
     (["20 mph", "30 mph"], "residential", 20), (None, "primary", 50), ("national", "unclassified", 30),
     ("GB:nsl_single", "primary", 50), ("national", "motorway", 70)],
)
def test_maxspeed_parsing(value: object, highway: str, mph: float) -> None:
    assert _parse_maxspeed_mph(value, highway, NetworkSettings()) == pytest.approx(mph, abs=0.01)


def test_second_build_comes_from_cache(town_osm: Path) -> None:
    load_network(town_osm, "drive")
    _, info = load_network_with_info(town_osm, "drive")
    assert info.from_cache


def test_bz2_source_matches_plain_xml(town_osm: Path, tmp_path: Path) -> None:
    packed = tmp_path / "town.osm.bz2"
    packed.write_bytes(bz2.compress(town_osm.read_bytes()))
    assert _dist(load_network(packed, "drive"), "F", "C") == pytest.approx(500.0, abs=0.01)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.osm", None, "file not found"),
        ("empty.osm.pbf", b"", "file is empty"),
        ("notes.osm", b"this is not OSM data\n", "not a readable OSM file"),
        ("roads.csv", b"a,b\n1,2\n", "unknown network file type"),
    ],
)
def test_bad_network_files_give_a_clear_error(tmp_path: Path, name: str, content: bytes | None, message: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError, match=message) as err:
        load_network(path, "drive")
    assert str(path) in err.value.report()


def test_truncated_pbf_gives_a_clear_error(tmp_path: Path) -> None:
    source = shared_file("osm/oakham-2022-07.osm.pbf")
    cut = tmp_path / "cut.osm.pbf"
    cut.write_bytes(source.read_bytes()[: source.stat().st_size // 2])
    with pytest.raises(InputError, match="not a readable OSM file"):
        load_network(cut, "drive")


def test_cli_bad_file_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.osm"
    bad.write_text("nonsense")
    result = subprocess.run(
        [sys.executable, "-m", "transport.cli", "network", "info", str(bad)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert str(bad) in result.stderr


def test_oakham_extract_builds_a_connected_drive_graph() -> None:
    source = shared_file("osm/oakham-2022-07.osm.pbf")
    graph, info = load_network_with_info(source, "drive")
    assert 900 < info.nodes < 1400
    assert nx.is_strongly_connected(graph)
    assert info.largest_component_share > 0.9
    assert all("building" not in d for _, _, d in graph.edges(data=True))


def test_cli_network_info_on_oakham() -> None:
    source = shared_file("osm/oakham-2022-07.osm.pbf")
    result = subprocess.run(
        [sys.executable, "-m", "transport.cli", "network", "info", str(source)], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert "nodes" in result.stdout and "km" in result.stdout
