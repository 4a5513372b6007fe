"""The map and route sheets opened in real headless Chromium (Debian's), with no internet.

Skips with the reason when chromium/chromedriver are not installed (`.ci/run` installs them).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import write_town_case
from transport.pipeline import run_and_write
from transport.scenarios import load_scenario

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)")


@pytest.fixture(scope="module")
def town_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = write_town_case(tmp_path_factory.mktemp("browser-case"))
    run_and_write(load_scenario(folder / "baseline.toml"), folder / "out")
    return folder / "out"


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _open(browser, page: Path) -> list[dict]:
    browser.get_log("browser")  # clear anything left from an earlier page
    browser.get(page.resolve().as_uri())
    browser.implicitly_wait(2)
    return [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def test_map_loads_without_script_errors_and_has_one_layer_per_vehicle_run(browser, town_out: Path, tmp_path: Path) -> None:
    errors = _open(browser, town_out / "map.html")
    assert errors == []
    assert browser.execute_script("return typeof L") == "object"  # Leaflet came from the page itself
    labels = browser.execute_script(
        "return Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label')).map(e => e.textContent.trim())")
    vehicles = set()
    for run_name in ("AM", "PM"):
        vehicles |= set(pd.read_csv(town_out / "runs" / run_name / "routes.csv")["vehicle"])
    run_layers = [label for label in labels if label.split(" ")[0] in vehicles]
    assert len(run_layers) == len(vehicles) > 0
    assert {"Road network", "Schools", "Unserved pupils"} <= set(labels)
    assert browser.execute_script("return document.querySelectorAll('path.leaflet-interactive, .leaflet-overlay-pane canvas').length") > 0
    assert browser.execute_script("return window.__pwned === undefined")
    shot = tmp_path / "map.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000


def test_route_sheet_loads_and_lists_every_stop(browser, town_out: Path, tmp_path: Path) -> None:
    sheet = sorted((town_out / "route_sheets").glob("AM-*.html"))[0]
    errors = _open(browser, sheet)
    assert errors == []
    rows = browser.execute_script("return document.querySelectorAll('table tbody tr').length")
    stops = pd.read_csv(sheet.with_suffix(".csv"))
    assert rows == len(stops) >= 3
    assert "P" in browser.execute_script("return document.body.innerText")
    assert browser.execute_script("return window.__pwned === undefined")
    shot = tmp_path / "sheet.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 5_000
