"""Where reference data lives: a data directory laid out like `../shared/data`.

Order of search: an explicit `--data-dir`, then `TRANSPORT_DATA_DIR`, then the user cache
(`~/.cache/transport/data`, or `TRANSPORT_CACHE_DIR/data`). Large extracts are never kept
in the repository. `fetch_area` is the one online path, for users who lack the file.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from transport.errors import InputError, Problem


def cache_dir() -> Path:
    """The user cache for built graphs, matrices and fetched data."""
    root = os.environ.get("TRANSPORT_CACHE_DIR")
    path = Path(root) if root else Path.home() / ".cache" / "transport"
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_dirs(explicit: str | Path | None = None) -> list[Path]:
    """Candidate data directories, most specific first."""
    dirs: list[Path] = []
    if explicit:
        dirs.append(Path(explicit))
    env = os.environ.get("TRANSPORT_DATA_DIR")
    if env:
        dirs.append(Path(env))
    dirs.append(cache_dir() / "data")
    return dirs


@dataclass(frozen=True, slots=True)
class Area:
    """A demo area: the reference files it needs, relative to a data directory."""

    name: str
    osm_files: tuple[str, ...]
    schools_file: str
    osm_schools_file: str | None
    postcodes_file: str
    download_url: str
    boundary_file: str | None = None
    lad_code: str | None = None


AREAS: dict[str, Area] = {
    "rutland": Area(
        name="rutland",
        osm_files=("osm/rutland-2022-07.osm.pbf", "osm/rutland-latest.osm.pbf"),
        schools_file="schools/gias-2025-07_rutland.csv",
        osm_schools_file="schools/osm-schools_rutland-2022-07.csv",
        postcodes_file="postcodes/codepoint-open-2025-05_rutland_E06000017.csv",
        download_url="https://download.geofabrik.de/europe/united-kingdom/england/rutland-latest.osm.pbf",
        boundary_file="boundaries/lad-2017_redcar-middlesbrough-rutland.geojson",
        lad_code="E06000017",
    ),
}


def find_data_file(relative: str | tuple[str, ...], data_dir: str | Path | None = None) -> Path:
    """Return the first existing file among the candidates, or explain where to put it."""
    candidates = (relative,) if isinstance(relative, str) else relative
    searched = []
    for base in data_dirs(data_dir):
        for rel in candidates:
            path = base / rel
            searched.append(str(path))
            if path.is_file():
                return path
    raise InputError(
        Problem(
            file=candidates[0],
            message="reference data file not found; looked in " + ", ".join(searched),
            fix=(
                f"Put the file at {data_dirs(data_dir)[0] / candidates[0]} (or set TRANSPORT_DATA_DIR "
                "to a folder laid out like shared/data), or run 'transport data fetch rutland' when online"
            ),
        )
    )


def area_osm_file(area: str = "rutland", data_dir: str | Path | None = None) -> Path:
    return find_data_file(AREAS[area].osm_files, data_dir)


def fetch_area(area: str = "rutland", timeout_s: float = 60.0) -> Path:
    """Download the current OSM extract for a demo area into the user cache."""
    if area not in AREAS:
        raise InputError(f"unknown area {area!r}; known areas: {', '.join(AREAS)}")
    spec = AREAS[area]
    target = cache_dir() / "data" / "osm" / f"{area}-latest.osm.pbf"
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with (urllib.request.urlopen(spec.download_url, timeout=timeout_s) as response,  # noqa: S310
              tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as tmp):
            shutil.copyfileobj(response, tmp)
        Path(tmp.name).replace(target)
    except OSError as exc:
        raise InputError(
            Problem(
                file=spec.download_url,
                message=f"could not download the {area} extract ({exc})",
                fix=f"When offline, copy {spec.osm_files[0]} from a machine that has it to {target.parent}/",
            )
        ) from None
    return target
