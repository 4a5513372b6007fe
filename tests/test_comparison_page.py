"""The comparison a council decides from: payback on hand-made numbers, the vehicle runs that
differ from the base, and comparison.html opened in headless Chromium (as tests/test_maps_browser.py
opens the map) for a comparison of the hand-made town.
"""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote, urlparse

import numpy as np
import pandas as pd
import pytest

from tests.conftest import ARTIFACTS, CHROMIUM, DRIVER, NO_BROWSER, headless_chromium
from transport.compare import Payback, payback, payback_columns, scenario_payback
from transport.differences import by_route, pupils_affected
from transport.optimise.problem import Request, RoutingProblem, VehicleType
from transport.optimise.solution import Route, Solution, Visit
from transport.schemas import PRICED_ROUTES

# ------------------------------------------------------------------------------ payback on hand-made numbers


def test_payback_is_interpolated_in_the_year_the_cumulative_net_saving_reaches_the_capital() -> None:
    # 30 + 30 + 30 = 90 after three years; the last 10 of 100 is half of year 4's 20
    result = payback(100, [30, 30, 30, 20, 20])
    assert result.years == pytest.approx(3.5)
    assert "year 4" in result.reason


def test_payback_past_the_horizon_goes_on_at_the_last_years_net_saving() -> None:
    # 10 + 20 = 30 in the forecast's two years; the other 70 at 20 a year takes 3.5 more
    assert payback(100, [10, 20]).years == pytest.approx(5.5)


def test_payback_is_never_when_the_last_years_net_saving_is_not_positive() -> None:
    result = payback(100, [40, 30, -5])
    assert math.isinf(result.years)
    assert result.reason.startswith("never")
    assert math.isinf(payback(100, [0, 0, 0]).years)


def test_no_capital_cost_is_nothing_to_pay_back() -> None:
    assert payback(0, [10, 10]) == Payback(None, "no capital cost to pay back")


def _run(name: str, forecast_p50: list[float], annual: float, capital: float = 0.0, revenue: float = 0.0,
         opens_year: int | None = None) -> SimpleNamespace:
    """What payback reads of a run: its P50 forecast by year (year 0 first) and its new provision."""
    provision = (SimpleNamespace(capital_cost_gbp=capital, revenue_cost_gbp_per_year=revenue, opens_year=opens_year),)
    forecast = [{"financial_year": f"{2025 + k}-{(26 + k) % 100:02d}", "p50_gbp": v} for k, v in enumerate(forecast_p50)]
    scenario = SimpleNamespace(name=name, new_provision=provision if capital or revenue else (),
                               policy=SimpleNamespace(academic_year_start=2025), forecast=SimpleNamespace(years=len(forecast_p50) - 1))
    return SimpleNamespace(name=name, scenario=scenario, costs=SimpleNamespace(figures={"first_year": 2025}),
                           summary={"annual_cost_gbp": annual, "budget": {"forecast": forecast}})


def test_a_scenario_pays_back_from_the_forecasts_difference_less_the_revenue_cost() -> None:
    """Base 1,000 growing 100 a year; the scenario 200 a year less from year 1 and 250 from year 2;
    its places cost 50 a year from 1 April of year 1 (opens_year 2025: open before year 1 starts)."""
    base = _run("base", [1000, 1100, 1200, 1300], 1000)
    unit = _run("unit", [1000, 900, 950, 1050], 800, capital=500, revenue=50, opens_year=2025)
    result = scenario_payback(base, unit)
    # net 150, 200, 200: 350 after two years, the other 150 is three quarters of year 3
    assert result.years == pytest.approx(2.75)
    assert "2028-29" in result.reason


def test_a_scenario_whose_places_cost_more_than_it_saves_never_pays_back() -> None:
    base = _run("base", [1000, 1000, 1000], 1000)
    unit = _run("unit", [1000, 960, 960], 960, capital=500, revenue=60, opens_year=2025)
    result = scenario_payback(base, unit)
    assert math.isinf(result.years) and "not positive" in result.reason


def test_with_repeats_payback_has_its_lowest_and_highest_over_the_seeds() -> None:
    """Seed 0's search saves 100 a year, seed 1's 80, seed 2's 125: payback 5, 6.25 and 4 years."""
    repeated = [[_run("base", [1000] * 4, 1000), _run("unit", [1000] + [1000 - s] * 3, 1000 - s, capital=500)]
                for s in (100, 80, 125)]
    columns = payback_columns(repeated)
    assert columns["payback_years"] == [None, 5.0]
    assert columns["payback_years_low"] == [None, 4.0]
    assert columns["payback_years_high"] == [None, 6.2]  # 6.25 rounded to a tenth
    assert columns["payback_note"][0] == "the base"
    single = payback_columns(repeated[:1])
    assert single["payback_years_low"] == [None, None] and single["payback_years_high"] == [None, None]


# ------------------------------------------------------------------------------ vehicle runs that differ


NAMES = ("depot:D", "school:S", "home:P1", "home:P2", "home:P3", "stop:52.1,-0.7")


def _routing_run(name: str, runs: list[tuple[str, list[tuple[str, str]]]], pupils: dict[str, tuple[bool, str]]) -> SimpleNamespace:
    """A run with AM routes: each (vehicle type, [(pupil, home location name)]) picks its pupils up
    in order and takes them to school; each route is priced 1,000 a year times its number."""
    requests = tuple(Request(request_id=f"R-{pid}", pickup=NAMES.index(home), delivery=1, members=(pid,), group="S")
                     for _, stops in runs for pid, home in stops)
    routes, priced = [], []
    for number, (vtype, stops) in enumerate(runs, start=1):
        visits = (Visit(0, "start"), *(Visit(NAMES.index(home), "pickup", f"R-{pid}") for pid, home in stops),
                  *(Visit(1, "delivery", f"R-{pid}") for pid, _ in stops), Visit(0, "end"))
        routes.append(Route(number - 1, vtype, visits, 0, 0))
        priced.append({"route_ref": f"AM-{number:03d}", "run": "AM", "vehicle_type": vtype, "annual_gbp": 1000.0 * number})
    n = len(NAMES)
    problem = RoutingProblem(np.zeros((n, n), dtype=np.int64), np.zeros((n, n), dtype=np.int64), requests,
                             (VehicleType(catalogue_type="taxi", seats=4), VehicleType(catalogue_type="minibus", seats=8)),
                             location_names=NAMES)
    budget = pd.DataFrame([{"pupil_id": pid, "needs_transport": needs, "school_urn": urn} for pid, (needs, urn) in pupils.items()])
    return SimpleNamespace(name=name, problems={"AM": problem}, solutions={"AM": Solution(tuple(routes), (), 0, "OK", 0.0)},
                           place_names=tuple(n.split(":")[1] for n in NAMES),
                           costs=SimpleNamespace(optimised=SimpleNamespace(routes=PRICED_ROUTES.frame(priced)), pupils=budget))


def test_the_runs_that_differ_are_found_by_content_not_by_number() -> None:
    """The scenario keeps the base's taxi for P1 (numbered 2nd, not 1st), puts P2 and P3 on one
    minibus instead of two taxis; every other run is the same by content."""
    everyone = {p: (True, "S") for p in ("P1", "P2", "P3")}
    base = _routing_run("base", [("taxi", [("P1", "home:P1")]), ("taxi", [("P2", "home:P2")]),
                                 ("taxi", [("P3", "home:P3")])], everyone)
    scenario = _routing_run("merged", [("minibus", [("P2", "home:P2"), ("P3", "home:P3")]),
                                       ("taxi", [("P1", "home:P1")])], everyone)
    table = by_route([base, scenario])
    assert set(table["scenario"]) == {"merged"}
    added, removed = table[table["only_in"] == "scenario"], table[table["only_in"] == "base"]
    assert list(added["route_ref"]) == ["AM-001"] and list(added["pupils"]) == ["P2;P3"]
    assert list(added["places"]) == ["D > P2 > P3 > S > S > D"]
    assert sorted(removed["route_ref"]) == ["AM-002", "AM-003"]
    assert table["change_gbp"].sum() == pytest.approx(1000 - 2000 - 3000)
    assert pupils_affected(base, scenario, table) == 2
    assert by_route([base, base]).empty


def test_the_same_pupils_in_another_order_are_a_different_run() -> None:
    everyone = {p: (True, "S") for p in ("P2", "P3")}
    base = _routing_run("base", [("minibus", [("P2", "home:P2"), ("P3", "home:P3")])], everyone)
    other = _routing_run("other", [("minibus", [("P3", "home:P3"), ("P2", "home:P2")])], everyone)
    table = by_route([base, other])
    assert sorted(table["only_in"]) == ["base", "scenario"]


def test_pupils_who_gain_or_lose_transport_or_move_school_are_affected() -> None:
    base = _routing_run("base", [("taxi", [("P1", "home:P1")])], {"P1": (True, "S"), "P2": (True, "S"), "P3": (False, "S")})
    scenario = _routing_run("s", [("taxi", [("P1", "home:P1")])], {"P1": (True, "S"), "P2": (True, "NEW"), "P3": (True, "S")})
    assert pupils_affected(base, scenario, by_route([base, scenario])) == 2


# ------------------------------------------------------------------------------ the page in headless Chromium

HOSTILE = "<script>window.__pwned = 1</script><img src=x onerror='window.__pwned = 2'>"


@pytest.fixture(scope="module")
def compared_town(tmp_path_factory: pytest.TempPathFactory):
    """The hand-made town compared three ways, twice over seeds, 1 s searches: the base, a unit
    whose description and name are hostile markup, and one more SEND pupil (dearer)."""
    from tests.conftest import _at, write_town_case
    from transport.compare import compare

    folder = write_town_case(tmp_path_factory.mktemp("comparison-page"))
    unit = (folder / "unit.toml").read_text(encoding="utf-8")
    unit = unit.replace('name = "town-unit"\n', f'name = "town-unit"\ndescription = "A unit {HOSTILE.replace(chr(39), "")}"\n')
    unit = unit.replace('name = "Valley SEMH unit"', 'name = "Unit <script>window.__pwned = 3</script>"')
    (folder / "unit.toml").write_text(unit, encoding="utf-8")
    pupils = pd.read_csv(folder / "pupils.csv", dtype=str)
    lat, lon = _at(1.5, 1)
    extra = pupils.iloc[[0]].assign(pupil_id="P5", lat=str(lat), lon=str(lon))
    pd.concat([pupils, extra]).to_csv(folder / "pupils_more.csv", index=False)
    (folder / "more.toml").write_text('name = "town-more"\nbase = "baseline.toml"\ndescription = "One more pupil"\n'
                                      '[data]\npupils = "pupils_more.csv"\n', encoding="utf-8")
    out = folder / "compare"
    result = compare([folder / "baseline.toml", folder / "unit.toml", folder / "more.toml"], out, time_limit_s=1,
                     repeats=2, parallel=False, map_first=True)
    return result, out


def test_the_comparison_writes_where_the_money_moves(compared_town) -> None:
    result, out = compared_town
    table = pd.read_csv(out / "comparison.csv").set_index("scenario")
    assert table.at["town-unit", "change_vs_base_gbp"] < 0 < table.at["town-more", "change_vs_base_gbp"]
    assert table.at["town-unit", "payback_years"] > 0 and "capital cost" in table.at["town-unit", "payback_note"]
    assert table.at["town-unit", "payback_years_low"] <= table.at["town-unit", "payback_years"] <= table.at["town-unit", "payback_years_high"]
    assert table.at["town-unit", "pupils_affected"] >= 2
    schools = pd.read_csv(out / "comparison_by_school.csv", dtype={"school_urn": str})
    unit = schools[schools["scenario"] == "town-unit"].set_index("school_urn")
    assert unit.at["NEW-1", "pupils_change_vs_base"] == 2 and unit.at["NEW-1", "change_vs_base_gbp"] > 0
    routes = pd.read_csv(out / "comparison_by_route.csv")
    for name in ("town-unit", "town-more"):
        mine = routes[routes["scenario"] == name]
        assert mine["change_gbp"].sum() == pytest.approx(table.at[name, "change_vs_base_gbp"], abs=1.0)


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium at A4 landscape's width (96 dpi)."""
    if not (CHROMIUM and DRIVER):
        pytest.skip(NO_BROWSER)
    yield from headless_chromium("--hide-scrollbars", "--window-size=1123,794")


def test_the_page_opens_offline_with_a_card_per_scenario_and_escaped_text(browser, compared_town) -> None:
    _, out = compared_town
    page = (out / "comparison.html").read_text(encoding="utf-8")
    assert "@page { size: A4 landscape" in page
    assert "http://" not in page and "https://" not in page and " src=" not in page.replace("&lt;img src=", "")
    browser.get_log("browser")
    browser.set_window_size(1123, 794)
    browser.get((out / "comparison.html").resolve().as_uri())
    severe = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert severe == []
    assert browser.execute_script("return window.__pwned") is None
    cards = browser.find_elements("css selector", ".card")
    assert [c.get_attribute("data-scenario") for c in cards] == ["town", "town-unit", "town-more"]
    assert "<script>window.__pwned = 1</script>" in cards[1].text
    assert "Payback:" in cards[1].text and "a year, saving" in cards[1].text and "a year, extra cost" in cards[2].text
    assert "Unit <script>window.__pwned = 3</script>" in browser.find_element("css selector", "table.schools").text
    bars = browser.find_elements("css selector", "svg rect.bar")
    assert bars and {b.get_attribute("data-scenario") for b in bars} == {"town", "town-unit", "town-more"}
    assert all(float(b.get_attribute("width")) > 0 for b in bars if b.get_attribute("data-mode") == "taxi")
    assert len(browser.find_elements("css selector", "figure.forecast polyline.p50")) == 3
    assert browser.execute_script("return document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    hrefs = [a.get_attribute("href") for a in browser.find_elements("css selector", "a")]
    assert any(h.endswith("/town/map.html") for h in hrefs) and not any(h.endswith("/town-unit/map.html") for h in hrefs)
    assert any(h.endswith("/comparison_map.html") for h in hrefs)
    for href in hrefs:
        assert Path(unquote(urlparse(href).path)).is_file(), href
    browser.set_window_size(1123, browser.execute_script("return document.documentElement.scrollHeight") + 120)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "comparison.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 5_000


# ------------------------------------------------------------------------------ the page's words and numbers


def test_figures_read_as_money_and_years() -> None:
    from transport.comparison_page import gbp, payback_words, signed_gbp

    assert gbp(3963960.0) == "£3,963,960" and gbp(None) == "–" and gbp(float("nan")) == "–"
    assert signed_gbp(-6459.33) == "−£6,459" and signed_gbp(12.0) == "+£12" and signed_gbp(0.2) == "£0"
    row = pd.Series({"payback_years": 5.0, "payback_years_low": 4.0, "payback_years_high": 6.2, "repeats": 3})
    assert payback_words(row) == "5.0 years (4.0 years to 6.2 years over 3 seeds)"
    never = row.copy()
    never["payback_years_high"] = float("inf")
    assert payback_words(never) == "5.0 years (4.0 years to never over 3 seeds)"
    assert payback_words(pd.Series({"payback_years": None, "payback_note": "no capital cost to pay back"})) == "nothing to pay back"


def test_a_card_says_when_a_change_is_within_the_search_noise() -> None:
    from transport.comparison_page import _card

    row = pd.Series({"scenario": "s", "description": "<b>x</b>", "annual_cost_gbp": 1000.0, "change_vs_base_gbp": -40.0,
                     "pupils_affected": 3, "payback_years": None, "payback_note": "no capital cost to pay back",
                     "change_within_search_noise": True, "change_spread_gbp": 55.0, "repeats": 3})
    card = _card(row, 1, {"s": "#000"})
    assert "Within search noise" in card and "£55" in card and "−£40" in card and "saving" in card
    assert "<b>x</b>" not in card and "&lt;b&gt;x&lt;/b&gt;" in card
    clear = row.copy()
    clear["change_within_search_noise"] = False
    assert "Within search noise" not in _card(clear, 1, {"s": "#000"}) and "Larger than the search's noise" in _card(clear, 1, {"s": "#000"})


def test_the_demo_names_each_scenarios_change_and_payback() -> None:
    from transport.demo import _scenario_lines

    rows = [("base", 0.0, None, "the base"), ("unit", -13007.43, float("inf"), "never"),
            ("post16", 1020488.1, None, "no capital cost to pay back"), ("hub", -50000.0, 6.46, "capital")]
    table = pd.DataFrame([{"scenario": n, "change_vs_base_gbp": c, "payback_years": y, "payback_note": note, "repeats": 1,
                           "payback_years_low": None, "payback_years_high": None} for n, c, y, note in rows])
    lines = _scenario_lines(table)
    assert "--repeats" in lines[0] and len(lines) == 4
    assert lines[1] == "  unit: −£13,007 a year against the baseline; payback never"
    assert lines[2] == "  post16: +£1,020,488 a year against the baseline; no capital cost to pay back"
    assert lines[3] == "  hub: −£50,000 a year against the baseline; payback 6.5 years"
