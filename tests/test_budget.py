"""The budget a finance partner signs, on the hand-made town with hand-made contracts.

The town (tests/osm_fixture.py, 1-mile blocks): depot A; Hilltop special school at F. Seven
pupils with EHC plans, aged 9 to 15, travelling alone, and today's contracts (190 school days; an assistant
paid on top costs the derived 80.184 a day):

    C1  taxi, P1, £90.00 a day, assistant INCLUDED, ends 31 July 2026     90 x 190        = 17,100.00
    C2  taxi, P2, £80.00 a day, assistant NOT included, ends 31 July 2027
                                                   80 x 190 + 80.184 x 190 = 15,200 + 15,234.96 = 30,434.96
    C3  taxi, P3 and P4, £100.00 a day, ends 31 July 2026, 30 days' notice  100 x 190      = 19,000.00
    O1  taxi, P5 to a special school 55 km north, beyond the network, £210 a day: an out-of-area
        placement                                                       210 x 190      = 39,900.00
    MA1 mileage allowance, P6, 40 miles a day                          0.45 x 40 x 190 =  3,420.00
    PB1 personal transport budget, P7, £3,200 a year                                    =  3,200.00
                                                                       arrangements     113,054.96
    the transport team, fixed                                                            20,000.00
    baseline                                                                           133,054.96
    budget line 100,000.00 -> realignment 33,054.96

P6 may ride at most 5 minutes and lives 3 miles from school: no vehicle can take them within
their limit, so the optimised plan keeps their £3,420 allowance, flagged, never £0. Year 0 is
2025-26; year 1 (2026-27) starts on 1 April 2026, the earliest any saving can land.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from tests.conftest import _at, write_town_case
from tests.formula_eval import Book
from transport.mtfs import landed_share
from transport.pipeline import run_and_write
from transport.scenarios import load_scenario

ARRANGEMENTS = 17_100.00 + 30_434.96 + 19_000.00 + 39_900.00 + 3_420.00 + 3_200.00
STAFF = 20_000.00
BASELINE = ARRANGEMENTS + STAFF
FAR = (53.16, -0.73)  # 55 km north of the town: beyond its network
SCHOOL_DAYS = 190
HOSTILE = '=HYPERLINK("http://example.invalid","x")'  # an operator's name, as text in a contracts file


def contract(ref: str, kind: str, pupils: str, school: str = "900001", day: str = "", pa: str = "no", included: str = "",
             miles: str = "", annual: str = "", end: str = "", notice: str = "") -> dict[str, str]:
    return {"route_ref": ref, "operator": "Acme" if kind not in ("mileage_allowance", "ptb") else "", "vehicle_type": kind,
            "daily_price_gbp": day, "passenger_assistant": pa, "pupils": pupils, "school_urn": school,
            "assistant_included": included, "assistant_daily_gbp": "", "miles_per_day": miles, "annual_price_gbp": annual,
            "end_date": end, "notice_days": notice}


CONTRACTS = [
    contract("C1", "taxi", "P1", day="90.00", pa="yes", included="yes", end="2026-07-31"),
    contract("C2", "taxi", "P2", day="80.00", pa="yes", included="no", end="2027-07-31"),
    dict(contract("C3", "taxi", "P3;P4", day="100.00", end="2026-07-31", notice="30"), operator=HOSTILE),
    contract("O1", "taxi", "P5", school="900009", day="210.00", end="2026-07-31"),
    contract("MA1", "mileage_allowance", "P6", miles="40"),
    contract("PB1", "ptb", "P7", annual="3200"),
]


def write_budget_town(folder: Path) -> Path:
    """The town with the far school, three more pupils, today's contracts and a [budget] table."""
    write_town_case(folder)
    schools = pd.read_csv(folder / "schools.csv", dtype=str)
    far = {"urn": "900009", "name": "Far Special School", "lat": FAR[0], "lon": FAR[1], "phase": "all-through",
           "type": "special", "start_time": "09:15", "finish_time": "15:00"}
    pd.concat([schools, pd.DataFrame([far])]).to_csv(folder / "schools.csv", index=False)
    pupils = pd.read_csv(folder / "pupils.csv", dtype=str)
    extra = []
    for pid, xy, school, limit, age in (("P5", (0, 1), "900009", "", 9), ("P6", (0, 0), "900001", "5", 15),
                                        ("P7", (1, 1), "900001", "", 14)):
        lat, lon = _at(*xy)
        extra.append({"pupil_id": pid, "lat": lat, "lon": lon, "age": age, "school_urn": school, "ehcp": "yes", "cannot_walk": "yes",
                      "send_need": "SEMH", "travel_alone": "yes", "max_ride_minutes": limit})
    pd.concat([pupils, pd.DataFrame(extra)]).to_csv(folder / "pupils.csv", index=False)
    pd.DataFrame(CONTRACTS).to_csv(folder / "contracts.csv", index=False)
    text = (folder / "baseline.toml").read_text(encoding="utf-8").replace('contracts = ""', 'contracts = "contracts.csv"')
    text += "[budget]\ncurrent_gbp = 100000\nstaff_overhead_gbp = 20000\nfirst_year = 2025\n"
    (folder / "baseline.toml").write_text(text, encoding="utf-8")
    (folder / "dearer.toml").write_text('name = "dearer"\nbase = "baseline.toml"\n[costs]\nprice_multiplier = 1.1\n',
                                        encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory):
    folder = write_budget_town(tmp_path_factory.mktemp("budget-town"))
    result = run_and_write(load_scenario(folder / "baseline.toml"), folder / "out", write_map=False)
    return result, folder / "out"


@pytest.fixture(scope="module")
def lines(town) -> pd.DataFrame:
    return pd.read_csv(town[1] / "budget" / "pupils.csv", dtype={"pupil_id": str, "flag": str}, keep_default_na=False,
                       na_values=[""]).set_index("pupil_id")


# --------------------------------------------------------------------------- the baseline and realignment


def test_the_baseline_is_todays_arrangements_priced_by_hand_plus_the_team(town) -> None:
    budget = town[0].summary["budget"]
    assert budget["baseline_annual_gbp"] == pytest.approx(BASELINE, abs=0.01)
    assert budget["current_budget_gbp"] == 100_000.00
    assert budget["realignment_gbp"] == pytest.approx(BASELINE - 100_000.00, abs=0.01)


def test_an_assistant_in_the_day_price_is_not_counted_again(lines: pd.DataFrame) -> None:
    """C1 includes its assistant: 90 x 190 and nothing more. C2 does not: 80.184 x 190 on top."""
    assert lines.at["P1", "today_annual_gbp"] == pytest.approx(17_100.00, abs=0.01)
    assert lines.at["P1", "today_assistant_gbp"] == 0
    assert lines.at["P2", "today_annual_gbp"] == pytest.approx(30_434.96, abs=0.01)
    assert lines.at["P2", "today_assistant_gbp"] == pytest.approx(80.184 * SCHOOL_DAYS, abs=0.01)


def test_a_personal_transport_budget_costs_its_annual_amount(lines: pd.DataFrame) -> None:
    assert (lines.at["P7", "today_mode"], lines.at["P7", "today_annual_gbp"]) == ("ptb", 3_200.00)


def test_an_out_of_area_placement_is_priced_from_its_contract_and_never_routed(town, lines: pd.DataFrame) -> None:
    result, _ = town
    assert lines.at["P5", "today_annual_gbp"] == pytest.approx(39_900.00)
    assert lines.at["P5", "optimised_annual_gbp"] == pytest.approx(39_900.00)
    assert "OUT_OF_AREA" in lines.at["P5", "flag"]
    routed = {m for problem in result.problems.values() for r in problem.requests for m in r.members}
    assert "P5" not in routed and "P5" not in set(result.demand.pupils["pupil_id"])


def test_a_pupil_no_vehicle_can_take_keeps_todays_allowance_never_zero(town, lines: pd.DataFrame) -> None:
    """P6's 5-minute limit is shorter than the 3-mile drive: unserved on both runs, so the
    optimised plan keeps the £3,420 allowance (0.45 x 40 x 190), flagged."""
    result, _ = town
    unserved = {m for run, s in result.solutions.items() for u in s.unserved
                for r in result.problems[run].requests if r.request_id == u.request_id for m in r.members}
    assert "P6" in unserved
    assert lines.at["P6", "today_annual_gbp"] == pytest.approx(3_420.00)
    assert lines.at["P6", "optimised_annual_gbp"] == pytest.approx(3_420.00)
    assert "UNROUTED_KEEPS_TODAY" in lines.at["P6", "flag"]


def test_every_pupil_needing_transport_has_a_positive_cost_under_both_plans(town, lines: pd.DataFrame) -> None:
    needing = lines[lines["needs_transport"]]
    assert sorted(needing.index) == [f"P{i}" for i in range(1, 8)]
    assert (needing["today_annual_gbp"] > 0).all() and (needing["optimised_annual_gbp"] > 0).all()
    budget = town[0].summary["budget"]
    assert budget["pupils_costed"] == budget["pupils_needing_transport"] == 7
    assert needing["basis"].str.contains("riders").any()  # the sharing rule is stated row by row


def test_the_pupil_table_adds_up_to_both_plans(town, lines: pd.DataFrame) -> None:
    budget = town[0].summary["budget"]
    assert lines["today_annual_gbp"].sum() + STAFF == pytest.approx(budget["baseline_annual_gbp"], abs=0.01)
    assert lines["optimised_annual_gbp"].sum() + STAFF == pytest.approx(budget["optimised_annual_gbp"], abs=0.01)
    routes = pd.read_csv(town[1] / "budget" / "optimised_runs_priced.csv")
    kept = 3_420.00 + 39_900.00  # P6's allowance and P5's placement
    assert lines["optimised_annual_gbp"].sum() == pytest.approx(routes["annual_gbp"].sum() + kept, abs=0.01)


@pytest.mark.parametrize("by", ["school", "need", "mode", "operator"])
def test_every_breakdown_is_a_sum_of_the_pupil_table_for_both_plans(town, lines: pd.DataFrame, by: str) -> None:
    table = pd.read_csv(town[1] / "budget" / f"by_{by}.csv")
    assert table["today_annual_gbp"].sum() == pytest.approx(lines["today_annual_gbp"].sum(), abs=0.01)
    assert table["optimised_annual_gbp"].sum() == pytest.approx(lines["optimised_annual_gbp"].sum(), abs=0.01)


def test_price_multiplier_scales_a_real_contracts_file(town, tmp_path: Path) -> None:
    """x1.1 on operators' day prices (C1, C2's vehicle, C3, O1); not the allowance, the budget or
    the assistant's pay: 1.1 x (17,100 + 15,200 + 19,000 + 39,900) + 15,234.96 + 3,420 + 3,200."""
    from transport.pipeline import run

    folder = town[1].parent
    dearer = run(load_scenario(folder / "dearer.toml")).summary["budget"]
    expected = 1.1 * (17_100 + 15_200 + 19_000 + 39_900) + 15_234.96 + 3_420 + 3_200 + STAFF
    assert dearer["baseline_annual_gbp"] == pytest.approx(expected, abs=0.01)


# --------------------------------------------------------------------------- the overhead


def test_the_team_is_a_fixed_cost_that_does_not_move_with_route_savings(town) -> None:
    """Raising the team's cost by £5,000 raises both plans by exactly £5,000: the saving, every
    pupil's line and the savings plan are unchanged."""
    from transport.budget import cost_run

    result, _ = town
    spec = result.scenario
    more = spec.model_copy(update={"budget": spec.budget.model_copy(update={"staff_overhead_gbp": STAFF + 5_000})})
    args = (result.inputs, result.eligibility, result.demand, result.problems, result.solutions, result.time_s,
            result.distance_m, result.moves)
    beyond = {"900009"}
    before, after = cost_run(spec, *args, beyond=beyond), cost_run(more, *args, beyond=beyond)
    assert after.figures["baseline_gbp"] - before.figures["baseline_gbp"] == pytest.approx(5_000)
    assert after.figures["optimised_gbp"] - before.figures["optimised_gbp"] == pytest.approx(5_000)
    pd.testing.assert_frame_equal(after.pupils, before.pupils)
    pd.testing.assert_frame_equal(after.savings.plan, before.savings.plan)


# --------------------------------------------------------------------------- the savings plan


@pytest.fixture(scope="module")
def plan(town) -> pd.DataFrame:
    return pd.read_csv(town[1] / "budget" / "savings_plan.csv", keep_default_na=False, na_values=[""]).set_index("route_ref")


@pytest.fixture(scope="module")
def by_year(town) -> pd.DataFrame:
    return pd.read_csv(town[1] / "budget" / "savings_by_year.csv")


def test_a_contract_ending_next_year_saves_from_then_not_before(plan: pd.DataFrame, by_year: pd.DataFrame) -> None:
    """C1 ends 31 July 2026, in year 1 (2026-27): re-let from 1 August, so 2026-27 takes the school
    days from then (September to March, 122 of 190) and 2027-28 the whole year; year 0 takes none."""
    assert (plan.at["C1", "relet_from"], plan.at["C1", "first_year"]) == ("2026-08-01", "2026-27")
    share = by_year[by_year["route_ref"] == "C1"].set_index("financial_year")["landed_share"]
    assert share["2026-27"] == pytest.approx(122 / 190)
    assert share["2027-28"] == 1.0
    assert "2025-26" not in share.index


def test_a_contract_ending_the_year_after_saves_nothing_before_it_ends(plan: pd.DataFrame, by_year: pd.DataFrame) -> None:
    share = by_year[by_year["route_ref"] == "C2"].set_index("financial_year")["landed_share"]
    assert share["2026-27"] == 0.0 and share["2027-28"] == pytest.approx(122 / 190)
    assert plan.at["C2", "first_year"] == "2027-28"


def test_a_notice_period_lets_a_contract_go_before_its_end(plan: pd.DataFrame) -> None:
    """C3: 30 days' notice served on 1 April 2026 ends it on 1 May, before its July end date."""
    assert plan.at["C3", "relet_from"] == "2026-05-01"


def test_the_out_of_area_placement_is_kept_with_no_saving(plan: pd.DataFrame) -> None:
    assert plan.at["O1", "annual_saving_gbp"] == 0 and "OUT_OF_AREA" in plan.at["O1", "flag"]


def test_the_savings_plan_adds_up_to_baseline_minus_optimised(town, plan: pd.DataFrame) -> None:
    budget = town[0].summary["budget"]
    assert plan["annual_saving_gbp"].sum() == pytest.approx(budget["baseline_annual_gbp"] - budget["optimised_annual_gbp"], abs=0.01)


def test_savings_by_year_count_only_contracts_re_let_by_then(town, by_year: pd.DataFrame) -> None:
    saved = by_year.groupby("financial_year")["saving_gbp"].sum()
    later_only = by_year[by_year["route_ref"] == "C2"].set_index("financial_year")["saving_gbp"]
    assert later_only["2026-27"] == 0
    assert saved["2027-28"] >= saved["2026-27"]


def test_landed_share_counts_school_days_from_the_day_of_re_letting() -> None:
    assert landed_share(dt.date(2026, 4, 1), 2026) == 1.0
    assert landed_share(dt.date(2026, 9, 1), 2026) == pytest.approx(122 / 190)
    assert landed_share(dt.date(2027, 4, 1), 2026) == 0.0
    assert landed_share(None, 2026) == 0.0


# --------------------------------------------------------------------------- summary.json and the workbook


def test_summary_json_carries_the_budget_object(town) -> None:
    budget = json.loads((town[1] / "summary.json").read_text())["budget"]
    assert set(budget) == {"baseline_annual_gbp", "optimised_annual_gbp", "current_budget_gbp", "realignment_gbp",
                           "pupils_costed", "pupils_needing_transport", "forecast"}
    years = [row["financial_year"] for row in budget["forecast"]]
    assert years == ["2025-26", "2026-27", "2027-28", "2028-29", "2029-30", "2030-31"]
    assert set(budget["forecast"][0]) == {"financial_year", "p10_gbp", "p50_gbp", "p90_gbp", "savings_gbp"}
    assert budget["forecast"][0]["p50_gbp"] == budget["baseline_annual_gbp"]
    assert all(r["p10_gbp"] <= r["p50_gbp"] <= r["p90_gbp"] for r in budget["forecast"])


@pytest.fixture(scope="module")
def book(town):
    return load_workbook(town[1] / "budget.xlsx")


def test_the_summary_sheet_is_read_first_and_opens_with_the_realignment(book) -> None:
    assert book.sheetnames[0] == "summary"
    first = [c.value for c in book["summary"][2]]
    assert first[0].startswith("Realignment")
    assert book["summary"]._charts, "the summary carries the chart of the forecast band"


def test_the_forecast_cells_are_formulas_over_the_assumptions_sheet(book) -> None:
    sheet = book["forecast"]
    headers = [c.value for c in sheet[1]]
    for header in ("send_cost_gbp", "mainstream_cost_gbp", "staff_overhead_gbp", "central_gbp", "p50_gbp"):
        column = headers.index(header) + 1
        for row in range(2, sheet.max_row + 1):
            cell = sheet.cell(row, column)
            assert cell.data_type == "f", (header, row)
    costs = [sheet.cell(r, headers.index("send_cost_gbp") + 1).value for r in range(2, sheet.max_row + 1)]
    assert all("'assumptions'!" in f for f in costs)


def test_the_workbooks_formulas_give_the_runs_figures(town, book) -> None:
    """Evaluated, the live formulas reproduce summary.json: baseline, realignment, optimised plan and
    each year's P50 and savings."""
    budget = town[0].summary["budget"]
    live = Book(book)
    summary = {book["summary"].cell(r, 1).value: r for r in range(2, book["summary"].max_row + 1)}
    value = {line: live.cell("summary", r, 2) for line, r in summary.items()}
    assert value["Actual annual cost of today's arrangements (baseline)"] == pytest.approx(budget["baseline_annual_gbp"], abs=0.01)
    assert value["Realignment: today's actual cost minus the budget line"] == pytest.approx(budget["realignment_gbp"], abs=0.01)
    assert value["Optimised plan, annual cost"] == pytest.approx(budget["optimised_annual_gbp"], abs=0.01)
    assert value["SEND cost per pupil (pre-16) today"] == pytest.approx(
        town[0].summary["send_pre16_cost_per_pupil_today_gbp"], abs=0.01)
    assert value["Pupils costed under both plans"] == budget["pupils_costed"]
    headers = [c.value for c in book["forecast"][1]]
    for k, row in enumerate(budget["forecast"]):
        assert live.cell("forecast", k + 2, headers.index("p50_gbp") + 1) == pytest.approx(row["p50_gbp"], rel=1e-9, abs=0.01)
        assert live.cell("forecast", k + 2, headers.index("savings_gbp") + 1) == pytest.approx(row["savings_gbp"], abs=0.01)


def test_changing_an_assumption_in_the_workbook_moves_the_forecast(town, book) -> None:
    """Contract inflation from 5% to 10% on the assumptions sheet: the last year's central path
    follows the same arithmetic in Python."""
    from transport.mtfs import central_path

    result, _ = town
    rows = {book["assumptions"].cell(r, 1).value: r for r in range(2, book["assumptions"].max_row + 1)}
    book["assumptions"].cell(rows["contract_inflation"], 2).value = 0.10
    live = Book(book)
    headers = [c.value for c in book["forecast"][1]]
    years = result.scenario.forecast.years
    outlook = result.costs.outlook
    rates = {k: np.full(years, getattr(result.scenario.forecast, k)) for k in
             ("ehcp_growth", "mainstream_growth", "assistant_pay_inflation")} | {"contract_inflation": np.full(years, 0.10)}
    expected = central_path(outlook.cohort.demand_gbp, outlook.assistant_share, STAFF, outlook.savings_gbp, rates)
    got = live.cell("forecast", years + 2, headers.index("central_gbp") + 1)
    assert got == pytest.approx(expected["central_gbp"][-1], rel=1e-9)
    assert got > result.costs.outlook.table["central_gbp"].iat[-1]


def test_every_formula_is_the_workbooks_own_and_a_hostile_operator_stays_text(town, book) -> None:
    from tests.conftest import formula_cells

    assert formula_cells(town[1]) == []
    operators = {c.value for c in book["by operator"]["A"]}
    assert "'" + HOSTILE in operators


def test_money_is_in_pounds_and_headers_are_frozen(book) -> None:
    sheet = book["pupils"]
    headers = [c.value for c in sheet[1]]
    assert sheet.freeze_panes == "A2"
    assert sheet.cell(2, headers.index("today_annual_gbp") + 1).number_format.startswith('"£"')


# --------------------------------------------------------------------------- placements' eligibility


def test_a_pupil_at_a_school_beyond_the_network_is_assessed_on_estimated_distances(town) -> None:
    elig = town[0].eligibility.set_index("pupil_id")
    assert bool(elig.at["P5", "eligible"]) and "estimated" in elig.at["P5", "reason"]


def test_solo_estimate_prices_a_pupil_on_no_contract(town) -> None:
    """Without P7's budget the pupil is an in-year starter: today's cost is the cheapest taxi alone
    (£40 a day plus £2 a mile over depot-home-school-depot twice), flagged, never £0."""
    from transport.budget import cost_run

    result, _ = town
    contracts = result.costs.contracts[result.costs.contracts["route_ref"] != "PB1"].reset_index(drop=True)
    inputs = dataclasses.replace(result.inputs, contracts=contracts)
    costs = cost_run(result.scenario, inputs, result.eligibility, result.demand, result.problems, result.solutions,
                     result.time_s, result.distance_m, result.moves, {"900009"})
    p7 = costs.pupils.set_index("pupil_id").loc["P7"]
    assert p7["today_mode"] == "solo_estimate" and "NO_CONTRACT_TODAY" in p7["flag"]
    home = int(result.demand.pupils.set_index("pupil_id").at["P7", "location"])
    locs = result.demand.locations
    depot = int(locs.loc[locs["kind"] == "depot", "location"].iat[0])
    school = int(locs.loc[(locs["kind"] == "school") & (locs["ref"] == "900001"), "location"].iat[0])
    d = result.distance_m
    metres = d[depot, home] + d[home, school] + d[school, depot] + d[depot, school] + d[school, home] + d[home, depot]
    assert p7["today_annual_gbp"] == pytest.approx((40 + 2.0 * metres / 1609.344) * SCHOOL_DAYS, abs=0.01)


def test_a_pupil_no_vehicle_can_carry_is_not_costed_and_not_counted_in_cost_per_pupil(town) -> None:
    """P7 in a wheelchair with no contract, where the catalogue has no wheelchair space: no solo
    estimate exists, so the pupil is flagged NOT_COSTED (never £0) and cost per pupil divides by
    the pupils costed only."""
    from transport.budget import cost_run

    result, _ = town
    pupils = result.inputs.pupils.assign(wheelchair=result.inputs.pupils["pupil_id"].eq("P7"))
    contracts = result.costs.contracts[result.costs.contracts["route_ref"] != "PB1"].reset_index(drop=True)
    inputs = dataclasses.replace(result.inputs, pupils=pupils, contracts=contracts)
    costs = cost_run(result.scenario, inputs, result.eligibility, result.demand, result.problems, result.solutions,
                     result.time_s, result.distance_m, result.moves, {"900009"})
    line = costs.pupils.set_index("pupil_id").loc["P7"]
    assert np.isnan(line["today_annual_gbp"]) and "NOT_COSTED" in line["flag"]
    budget = costs.headline["budget"]
    assert (budget["pupils_costed"], budget["pupils_needing_transport"]) == (6, 7)
    costed = costs.pupils[costs.pupils["needs_transport"] & (costs.pupils["today_annual_gbp"] > 0)]
    expected = costed["optimised_annual_gbp"].sum() / 6
    assert costs.headline["cost_per_transported_pupil_gbp"] == pytest.approx(expected, abs=0.01)
