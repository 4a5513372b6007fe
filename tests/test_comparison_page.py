"""The comparison a council decides from: payback on hand-made numbers, the vehicle runs that
differ from the base, and comparison.html opened in headless Chromium (as tests/test_maps_browser.py
opens the map) for a comparison of the hand-made town.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

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
