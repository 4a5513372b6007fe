"""The map and route sheets opened in real headless Chromium (Debian's), with no internet.

The town of tests/osm_fixture.py with a road between B and E (so B and E are junctions), its
four SEMH pupils travelling alone to Hilltop School, three mainstream pupils by E walking to a
pick-up point for Valley Academy (whose name is hostile markup), one by D with no pick-up point
in reach, and one whose five-minute ride limit no vehicle can meet (unserved). Screenshots are
kept in test-artifacts/browser/ (ignored by git). Skips with the reason when chromium or
chromedriver is not installed (`.ci/run` installs them).
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import (
    ARTIFACTS,
    CHROMIUM,
    DRIVER,
    MILE,
    NO_BROWSER,
    headless_chromium,
    write_town_case,
)
from tests.osm_fixture import lat_lon, town_xml
from transport.pipeline import run_and_write
from transport.scenarios import load_scenario

pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER), reason=NO_BROWSER)
HILLTOP, VALLEY = "900001", "900002"


def _home(pid: str, x_miles: float, y_miles: float, **extra) -> dict:
    lat, lon = lat_lon(x_miles * MILE, y_miles * MILE)
    return {"pupil_id": pid, "lat": lat, "lon": lon, "age": 12, **extra}


@pytest.fixture(scope="module")
def town_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = write_town_case(tmp_path_factory.mktemp("browser-case"))
    (folder / "town.osm").write_text(town_xml(block_m=MILE, extra_ways=[(["B", "E"], {"highway": "residential",
                                                                                     "name": "Middle Road"})]), encoding="utf-8")
    pupils = pd.read_csv(folder / "pupils.csv", dtype=str)
    more = [_home("M1", 1.04, 1.0, school_urn=VALLEY), _home("M2", 0.96, 1.01, school_urn=VALLEY),
            _home("M3", 1.0, 0.96, school_urn=VALLEY), _home("M4", 0.0, 1.02, school_urn=VALLEY),
            _home("U1", 0.0, 0.02, school_urn=HILLTOP, ehcp="yes", cannot_walk="yes", send_need="SEMH",
                  max_ride_minutes=5)]
    pd.concat([pupils, pd.DataFrame(more).astype(str)]).to_csv(folder / "pupils.csv", index=False)
    (folder / "baseline.toml").write_text(
        'name = "town"\n'
        '[data]\nnetwork = "town.osm"\nschools = "schools.csv"\npupils = "pupils.csv"\nvehicles = "vehicles.csv"\ncontracts = ""\n'
        '[policy]\nboarding_minutes = 15\nboarding_minutes_wheelchair = 15\nstatutory_walking_distance_8_plus_miles = 0.5\n'
        '[optimise]\ntime_limit_s = 3\nworkers = 1\n', encoding="utf-8")
    run_and_write(load_scenario(folder / "baseline.toml"), folder / "out")
    return folder / "out"


@pytest.fixture(scope="module")
def browser():
    yield from headless_chromium("--window-size=1280,900")


def _open(browser, page: Path) -> list[dict]:
    browser.get_log("browser")  # clear anything left from an earlier page
    browser.get(page.resolve().as_uri())
    browser.implicitly_wait(2)
    return [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def _shot(browser, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    browser.save_screenshot(str(path))
    assert path.stat().st_size > 5_000
    return path


def _vehicles(out: Path) -> pd.DataFrame:
    """Each vehicle run and the schools it carries pupils of, from the run's own files."""
    routes = pd.read_csv(out / "routes.csv", dtype=str)
    stops = routes[routes["stop_kind"].isin(["pickup", "delivery"])]
    return stops.groupby("vehicle")["group"].agg(lambda g: frozenset(g)).rename("schools").reset_index()


def _drawn_runs(browser) -> set[str]:
    """Vehicle runs whose line is in the page now (Leaflet's SVG paths, class run-<scenario>-<id>)."""
    classes = browser.execute_script(
        "return Array.from(document.querySelectorAll('path.transport-run')).map(p => p.getAttribute('class'))")
    return {m.group(1) for c in classes if (m := re.search(r"run-\d+-(\S+)", c))}


def _popup_text(browser) -> str:
    """The open popup's text, once Leaflet has panned it into view."""
    from selenium.webdriver.support.ui import WebDriverWait

    def shown(driver):
        found = driver.find_elements("css selector", ".leaflet-popup-content")
        return found[0].text if found and found[0].rect["y"] >= 0 and found[0].text else False

    return WebDriverWait(browser, 5).until(shown)


# ------------------------------------------------------------------------------ the map


def test_the_map_loads_offline_with_every_layer(browser, town_out: Path) -> None:
    errors = _open(browser, town_out / "map.html")
    assert errors == []
    assert browser.execute_script("return typeof L") == "object"  # Leaflet came from the page itself
    fetched = browser.execute_script("return performance.getEntriesByType('resource').map(r => r.name)")
    assert all(name.startswith(("file:", "data:")) for name in fetched), fetched
    labels = browser.execute_script(
        "return Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label')).map(e => e.textContent.trim())")
    assert {"Pick-up points", "Unserved pupils", "Schools", "Road network"} <= set(labels)
    assert _drawn_runs(browser) == set(_vehicles(town_out)["vehicle"])
    assert browser.execute_script("return window.__pwned === undefined")
    _shot(browser, "map.png")


def test_runs_are_grouped_by_school_and_unticking_a_school_hides_its_runs(browser, town_out: Path) -> None:
    _open(browser, town_out / "map.html")
    vehicles = _vehicles(town_out)
    labels = browser.execute_script(
        "return Array.from(document.querySelectorAll('input[data-school]')).map(b => [b.dataset.school, b.parentNode.textContent])")
    assert {urn for urn, _ in labels} == {HILLTOP, VALLEY}
    assert any("<script>window.__pwned" in text for _, text in labels)  # the hostile name shown as text, not run
    hilltop_only = set(vehicles.loc[vehicles["schools"] == frozenset({HILLTOP}), "vehicle"])
    assert len(hilltop_only) >= 8 and _drawn_runs(browser) >= hilltop_only
    browser.find_element("css selector", f"input[data-school='{HILLTOP}']").click()
    after = _drawn_runs(browser)
    assert after.isdisjoint(hilltop_only)
    assert after == set(vehicles["vehicle"]) - hilltop_only and after
    _shot(browser, "map-without-hilltop.png")
    browser.find_element("css selector", f"input[data-school='{HILLTOP}']").click()
    assert _drawn_runs(browser) == set(vehicles["vehicle"])
    browser.find_element("css selector", "input[data-run='PM']").click()
    assert all(v.startswith("AM-") for v in _drawn_runs(browser))


def test_the_search_box_finds_a_run_by_its_id(browser, town_out: Path) -> None:
    from selenium.webdriver.common.keys import Keys

    _open(browser, town_out / "map.html")
    vehicles = _vehicles(town_out)
    wanted = vehicles.loc[vehicles["schools"] == frozenset({VALLEY}), "vehicle"].iloc[-1]
    box = browser.find_element("css selector", "#run-search")
    box.send_keys(wanted.lower(), Keys.ENTER)
    found = browser.find_element("css selector", "#search-result").text
    stop_name = pd.read_csv(town_out / "stops.csv")["name"].iat[0]
    assert found.startswith(f"Found {wanted}") and stop_name in found  # its timetable, stops by name
    width = browser.execute_script(f"return document.querySelector('path.run-0-{wanted}').getAttribute('stroke-width')")
    assert width == "9"
    routes = pd.read_csv(town_out / "routes.csv")
    mine = routes[routes["vehicle"] == wanted]
    inside = browser.execute_script(
        "var b = window.transportMap.map.getBounds(); return arguments[0].every(p => b.contains(p))",
        mine[["lat", "lon"]].values.tolist())
    assert inside
    _shot(browser, "map-search.png")
    box.clear()
    box.send_keys("XX-999", Keys.ENTER)
    assert browser.find_element("css selector", "#search-result").text == "No run XX-999"


def test_pick_up_points_show_their_names_and_the_pupils_schools(browser, town_out: Path) -> None:
    _open(browser, town_out / "map.html")
    stops = pd.read_csv(town_out / "stops.csv")
    assert len(stops) >= 1 and (stops["name"].str.len() > 0).all()
    assert browser.execute_script("return document.querySelectorAll('path.transport-stop').length") == len(stops)
    assert sorted(browser.execute_script("return window.transportMap.stopNames()")) == sorted(stops["name"])
    browser.execute_script("window.transportMap.map.setView(arguments[0], 15, {animate: false})", [stops["lat"].iat[0], stops["lon"].iat[0]])
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 5).until(lambda b: b.execute_script(  # drawn where the new view puts it
        "var p = document.querySelector('path.transport-stop'), r = p.getBoundingClientRect();"
        "return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === p;"))
    # a click event on the marker itself: Selenium's pointer may land on the road canvas while Leaflet redraws
    browser.execute_script("var p = document.querySelector('path.transport-stop'), r = p.getBoundingClientRect();"
                           "p.dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true, view: window,"
                           " clientX: r.x + r.width / 2, clientY: r.y + r.height / 2}));")
    popup = _popup_text(browser)
    assert stops["name"].iat[0] in popup and "Valley Academy <script>window.__pwned = 1</script>" in popup
    assert browser.execute_script("return window.__pwned === undefined")
    _shot(browser, "map-stop.png")


def test_unserved_pupils_have_a_layer_of_their_own(browser, town_out: Path) -> None:
    _open(browser, town_out / "map.html")
    unserved = sum(len(pd.read_csv(town_out / "runs" / r / "unserved.csv")) for r in ("AM", "PM"))
    assert unserved >= 1
    count = "return document.querySelectorAll('.transport-unserved').length"
    assert browser.execute_script(count) == unserved
    labels = browser.find_elements("css selector", ".leaflet-control-layers-overlays label")
    next(label for label in labels if label.text.strip() == "Unserved pupils").click()
    assert browser.execute_script(count) == 0
    assert _drawn_runs(browser) == set(_vehicles(town_out)["vehicle"])  # the runs stay


# ------------------------------------------------------------------------------ route sheets


def test_every_stop_on_every_route_sheet_is_named(browser, town_out: Path) -> None:
    stop_names = set(pd.read_csv(town_out / "stops.csv")["name"])
    seen_stop = seen_door = False
    for sheet in sorted((town_out / "route_sheets").glob("[AP]M-*.html")):
        assert _open(browser, sheet) == []
        rows = browser.execute_script(
            "return Array.from(document.querySelectorAll('#stops tbody tr')).map(r => Array.from(r.cells).map(c => c.textContent))")
        table = pd.read_csv(sheet.with_suffix(".csv"), dtype=str, keep_default_na=False)
        assert len(rows) == len(table) >= 3
        header = browser.execute_script("return Array.from(document.querySelectorAll('#stops thead th')).map(c => c.textContent)")
        at = header.index("at")
        for row, csv_row in zip(rows, table.itertuples(index=False), strict=True):
            assert row[at].strip() and row[at] == csv_row.at
            assert not re.search(r"\d+\.\d{4,}", row[at]), "a stop given by coordinates"
            if "door to door" in csv_row.needs:
                seen_door = True
                assert not re.search(r"\d", row[at]) and row[at] in ("South Street", "West Lane", "North Street", "East Lane")
            seen_stop |= row[at] in stop_names
        assert browser.execute_script("return window.__pwned === undefined")
    assert seen_stop and seen_door


def test_a_route_sheet_has_its_totals_and_map_and_prints_on_a4(browser, town_out: Path) -> None:
    routes = pd.read_csv(town_out / "routes.csv", dtype=str)
    valley = routes.loc[(routes["group"] == VALLEY) & (routes["stop_kind"] == "pickup"), "vehicle"].iloc[0]
    sheet = town_out / "route_sheets" / f"{valley}.html"
    assert _open(browser, sheet) == []
    totals = browser.find_element("css selector", "table.totals").text
    for label in ("Miles", "Minutes", "Pupils", "Seats needed", "Wheelchair spaces needed", "Passenger assistant"):
        assert label in totals
    mine = routes[(routes["vehicle"] == valley) & (routes["stop_kind"] == "pickup")]
    pupils = {p for cell in mine["pupils"] for p in cell.split(";")}
    assert re.search(rf"Pupils\s+{len(pupils)}\b", totals)
    assert browser.execute_script("return document.querySelectorAll('svg.map polyline').length") == 1
    assert browser.execute_script("return document.querySelectorAll('svg.map circle').length") >= 1
    assert "council's own passenger list" in browser.find_element("css selector", "p.note").text
    _shot(browser, "route-sheet.png")
    pdf = base64.b64decode(browser.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True})["data"])
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert boxes and all(abs(float(w) - 595.3) < 2 and abs(float(h) - 841.9) < 2 for w, h in boxes)  # A4 in points
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "route-sheet.pdf").write_bytes(pdf)
