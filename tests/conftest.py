"""Shared test set-up: a private cache, the project's own fixtures, and ../shared/data when present."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.osm_fixture import write_town

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("TRANSPORT_SHARED_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Graphs and matrices are cached in a folder of this test session, never the user's."""
    keep = os.environ.get("TRANSPORT_TEST_CACHE")
    os.environ["TRANSPORT_CACHE_DIR"] = keep or str(tmp_path_factory.mktemp("cache"))


def shared_file(relative: str) -> Path:
    """A file of ../shared/data, or skip the test saying what is missing."""
    path = SHARED_DATA / relative
    if not path.is_file():
        pytest.skip(f"needs {relative} from the shared reference data ({SHARED_DATA} is absent)")
    return path


@pytest.fixture(scope="session")
def town_osm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_town(tmp_path_factory.mktemp("town"))


@pytest.fixture(scope="session")
def rutland_pbf() -> Path:
    return shared_file("osm/rutland-2022-07.osm.pbf")


@pytest.fixture(scope="session")
def rutland_drive(rutland_pbf: Path):
    from transport.network import load_network

    return load_network(rutland_pbf, "drive")


@pytest.fixture(scope="session")
def rutland_walk(rutland_pbf: Path):
    from transport.network import load_network

    return load_network(rutland_pbf, "walk")
