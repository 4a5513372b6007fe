"""Shared test set-up: a private cache, the project's own fixtures, and ../shared/data when present."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from tests.osm_fixture import lat_lon, town_xml, write_town

ROOT = Path(__file__).resolve().parent.parent
#: Debian's chromium and chromium-driver, for the tests that open pages in a browser.
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
NO_BROWSER = "needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)"
#: Screenshots the browser tests keep.
ARTIFACTS = ROOT / "test-artifacts" / "browser"


def headless_chromium(*flags: str) -> Iterator:
    """A headless Chromium session (selenium) with the browser's console log kept; closed after."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", *flags):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
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


MILE = 1609.344


def _at(x_miles: float, y_miles: float) -> tuple[float, float]:
    return lat_lon(x_miles * MILE, y_miles * MILE)


SCHOOL_NAME_HOSTILE = "Valley Academy <script>window.__pwned = 1</script> `${window.__pwned = 2}` \" ' & P\\x \\u"


def write_town_case(folder: Path, school_name: str = SCHOOL_NAME_HOSTILE) -> Path:
    """The hand-worked town of tests/test_pipeline_e2e.py: its network, schools, pupils, vehicles
    and two scenarios (baseline.toml, and unit.toml opening a 2-place SEMH unit); returns the folder."""
    (folder / "town.osm").write_text(town_xml(block_m=MILE), encoding="utf-8")
    f_lat, f_lon = _at(2, 1)
    b_lat, b_lon = _at(1, 0)
    pd.DataFrame([
        {"urn": "900001", "name": "Hilltop School", "lat": f_lat, "lon": f_lon, "phase": "all-through", "type": "special",
         "start_time": "09:15", "finish_time": "15:00"},
        {"urn": "900002", "name": school_name, "lat": b_lat, "lon": b_lon, "phase": "secondary", "type": "mainstream",
         "start_time": "09:15", "finish_time": "15:00"},
    ]).to_csv(folder / "schools.csv", index=False)
    homes = {"P1": (0, 0), "P2": (0, 1), "P3": (2, 0), "P4": (0.5, 0)}
    pd.DataFrame([
        {"pupil_id": pid, "lat": _at(*xy)[0], "lon": _at(*xy)[1], "age": 12, "school_urn": "900001", "ehcp": "yes",
         "cannot_walk": "yes", "send_need": "SEMH", "travel_alone": "yes"} for pid, xy in homes.items()
    ]).to_csv(folder / "pupils.csv", index=False)
    d_lat, d_lon = _at(0, 0)
    pd.DataFrame([{"vehicle_type": "taxi", "seats": 4, "wheelchair_spaces": 0, "daily_price_gbp": 40, "price_per_mile_gbp": 2.0,
                   "available": 10, "depot": "Depot A", "depot_lat": d_lat, "depot_lon": d_lon}]).to_csv(folder / "vehicles.csv", index=False)
    (folder / "baseline.toml").write_text(
        'name = "town"\n'
        '[data]\nnetwork = "town.osm"\nschools = "schools.csv"\npupils = "pupils.csv"\nvehicles = "vehicles.csv"\ncontracts = ""\n'
        '[policy]\nboarding_minutes = 15\nboarding_minutes_wheelchair = 15\n'
        '[optimise]\ntime_limit_s = 3\nworkers = 1\n', encoding="utf-8")
    (folder / "unit.toml").write_text(
        'name = "town-unit"\nbase = "baseline.toml"\n'
        '[[new_provision]]\nname = "Valley SEMH unit"\nurn = "NEW-1"\nat_school = "900002"\nplaces = 2\n'
        'needs = ["SEMH"]\nphase = "secondary"\ncapital_cost_gbp = 50000\n', encoding="utf-8")
    return folder


def assert_checked(problem, solution, locations=None):
    """The independent checker passes `solution` of `problem`; returns the solution."""
    from transport.check import check_run, format_report
    from transport.runfiles import encode_run

    violations = check_run(encode_run("AM", problem, solution, locations))
    assert not violations, format_report(violations)
    return solution


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


def vehicles(available: int = 6) -> pd.DataFrame:
    """A small catalogue at one depot: taxis (`available` of them) and three wheelchair taxis."""
    lat, lon = lat_lon(-500, 0)
    return pd.DataFrame([{"vehicle_type": "taxi", "seats": 4, "wheelchair_spaces": 0, "daily_price_gbp": 40.0,
                          "price_per_mile_gbp": 1.6, "available": available, "depot": "Oakham", "depot_lat": lat,
                          "depot_lon": lon},
                         {"vehicle_type": "wheelchair_taxi", "seats": 3, "wheelchair_spaces": 1, "daily_price_gbp": 60.0,
                          "price_per_mile_gbp": 2.0, "available": 3, "depot": "Oakham", "depot_lat": lat, "depot_lon": lon}])


FORMULA = re.compile(r"^\s*[=+\-@\t\r]")
NUMBER = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$")


def formula_cells(folder: Path) -> list[str]:
    """Every cell of every CSV and XLSX under `folder` that a spreadsheet would run as a formula,
    except the budget workbook's own formulas (`transport.workbook.own_formula`: in its formula
    columns, its functions and sheets only, no text from an input)."""
    from openpyxl import load_workbook

    from transport.workbook import own_formula

    found = []
    for path in folder.rglob("*.csv"):
        for row in pd.read_csv(path, dtype=str, keep_default_na=False, header=None).itertuples(index=False):
            found += [f"{path.name}: {cell!r}" for cell in row if FORMULA.match(cell) and not NUMBER.match(cell)]
    for path in folder.rglob("*.xlsx"):
        book = load_workbook(path)
        for sheet in book.worksheets:
            headers = [c.value for c in sheet[1]] if sheet.max_row else []
            for row in sheet.iter_rows():
                for cell in row:
                    header = headers[cell.column - 1] if cell.column <= len(headers) else None
                    if cell.data_type == "f" and path.name == "budget.xlsx" and own_formula(
                            sheet.title, str(header), str(cell.value), set(book.sheetnames)):
                        continue
                    if cell.data_type == "f" or (isinstance(cell.value, str) and FORMULA.match(cell.value)
                                                 and not NUMBER.match(cell.value)):
                        found.append(f"{path.name}/{sheet.title}: {cell.value!r}")
    return found
