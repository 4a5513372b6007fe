"""Costs: today's contracts priced by hand, bad contract rows, flags, the forecast, and the
optimised plan priced from its own run files.

Default cost settings (transport.scenarios.CostSettings): 190 school days and a passenger
assistant at 12.85 an hour x 1.30 on-costs x 2.4 paid hours a run x 2 runs = £80.184 a day,
paid on top of a contract's day price only when the day price does not include the assistant;
parents' mileage allowance 45p a mile. The transport team is a fixed cost of the budget
(tests/test_budget.py), not a share of these prices.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from tests.conftest import write_town_case
from transport.contracts import read_contracts
from transport.costs import PlanCost, flag_contracts, price_contracts, price_optimised
from transport.errors import InputError
from transport.mtfs import Cohort, central_path, forecast
from transport.scenarios import CostSettings, Forecast, load_scenario

METRES_PER_MILE = 1609.344
DAYS = 190

PUPILS = {f"P{i}" for i in range(1, 10)}
SCHOOLS = {"900001", "900002"}

def contract(route_ref: str, vehicle_type: str = "taxi", daily_price_gbp: str = "84.50", passenger_assistant: str = "no",
             pupils: str = "P1", school_urn: str = "900001", operator: str = "Acme Taxis", assistant_daily_gbp: str = "",
             miles_per_day: str = "", annual_price_gbp: str = "", assistant_included: str = "", end_date: str = "",
             notice_days: str = "") -> dict[str, str]:
    return {"route_ref": route_ref, "operator": operator, "vehicle_type": vehicle_type, "daily_price_gbp": daily_price_gbp,
            "passenger_assistant": passenger_assistant, "pupils": pupils, "school_urn": school_urn,
            "assistant_included": assistant_included, "assistant_daily_gbp": assistant_daily_gbp, "miles_per_day": miles_per_day,
            "annual_price_gbp": annual_price_gbp, "end_date": end_date, "notice_days": notice_days}


COLUMNS = list(contract("X"))


def write_contracts(folder: Path, rows: list[dict[str, str]], drop: tuple[str, ...] = ()) -> Path:
    path = folder / "contracts.csv"
    frame = pd.DataFrame(rows, columns=COLUMNS).drop(columns=list(drop))
    frame.to_csv(path, index=False)
    return path


TODAY = [
    contract("T1", "taxi", "84.50", "no", "P1"),
    contract("M1", "minibus", "212.40", "yes", "P2;P3;P4", operator="Rural Coaches", assistant_included="no"),
    contract("W1", "wheelchair_taxi", "150.00", "yes", "P5", assistant_daily_gbp="95.00"),
    contract("MA1", "mileage_allowance", "0", "no", "P6", "900002", operator="", miles_per_day="24"),
    contract("TP1", "travel_pass", "0", "no", "P7", "900002", operator="", annual_price_gbp="650"),
]


def problems_of(exc: pytest.ExceptionInfo[InputError]) -> list[tuple[str, int | None, str | None]]:
    return [(p.file, p.row, p.column) for p in exc.value.problems]


# --------------------------------------------------------------------------- today's contracts, priced


@pytest.fixture
def today(tmp_path: Path) -> PlanCost:
    return price_contracts(read_contracts(write_contracts(tmp_path, TODAY), PUPILS, SCHOOLS), CostSettings())


def test_each_contract_is_priced_by_hand(today: PlanCost) -> None:
    """Per contract, a year of 190 days:

    T1  solo taxi           84.50 x 190                                  = 16,055.00
    M1  shared minibus + PA 212.40 x 190 = 40,356.00; PA not in the day price: 80.184 x 190
                                                                 = 15,234.96 -> 55,590.96
    W1  wheelchair taxi     150.00 x 190 = 28,500.00; its own PA price 95.00 x 190 = 18,050.00
                                                                         -> 46,550.00
    MA1 mileage allowance   0.45 x 24 miles x 190                        =  2,052.00
    TP1 travel pass         the annual price                             =    650.00
    """
    annual = {r.route_ref: round(r.annual_gbp, 2) for r in today.routes.itertuples(index=False)}
    assert annual == {"T1": 16055.00, "M1": 55590.96, "W1": 46550.00, "MA1": 2052.00, "TP1": 650.00}


def test_annual_total_to_the_penny(today: PlanCost) -> None:
    """Contracts 16,055.00 + 55,590.96 + 46,550.00 + 2,052.00 + 650.00 = £120,897.96."""
    assert round(today.contract_gbp, 2) == 120897.96


def test_assistant_day_rate_is_pay_times_on_costs_times_paid_hours_for_two_runs() -> None:
    """12.85 x 1.30 x 2.4 x 2 = £80.184 a day."""
    assert CostSettings().assistant_daily_gbp == pytest.approx(80.184, abs=1e-9)


def test_each_line_splits_into_vehicle_assistant_and_mileage(today: PlanCost) -> None:
    """M1: 40,356.00 vehicle + 15,234.96 assistant; MA1: 2,052.00 mileage and nothing else."""
    lines = today.routes.set_index("route_ref")
    assert (lines["vehicle_gbp"] + lines["assistant_gbp"] + lines["mileage_gbp"]).round(2).equals(lines["annual_gbp"].round(2))
    assert (round(lines.at["M1", "vehicle_gbp"], 2), round(lines.at["M1", "assistant_gbp"], 2)) == (40356.00, 15234.96)
    assert (lines.at["MA1", "vehicle_gbp"], lines.at["MA1", "assistant_gbp"], round(lines.at["MA1", "mileage_gbp"], 2)) == (0.0, 0.0, 2052.00)


def test_each_pupil_carries_an_equal_share_of_their_contract(today: PlanCost) -> None:
    """M1 carries three pupils: 55,590.96 / 3 = 18,530.32 each."""
    share = today.shares.set_index("pupil_id")["annual_gbp"].round(2)
    assert share[["P2", "P3", "P4"]].tolist() == [18530.32] * 3
    assert round(float(today.shares["annual_gbp"].sum()), 2) == round(today.contract_gbp, 2)


def _by_hand(frame: pd.DataFrame, days: int = DAYS, pa_daily: float = 12.85 * 1.3 * 2.4 * 2) -> float:
    """sum(day price x days) + assistants + mileage allowances + travel passes, from the raw file."""
    num = {c: pd.to_numeric(frame[c], errors="coerce") for c in ("daily_price_gbp", "assistant_daily_gbp", "miles_per_day", "annual_price_gbp")}
    kind = frame["vehicle_type"]
    day_priced = ~kind.isin(["mileage_allowance", "travel_pass"])
    vehicles = (num["daily_price_gbp"][day_priced] * days).sum()
    passes = num["annual_price_gbp"][kind == "travel_pass"].fillna(num["daily_price_gbp"] * days).sum()
    allowances = (0.45 * num["miles_per_day"][kind == "mileage_allowance"].fillna(0) * days).sum()
    included = frame["assistant_included"].str.lower().eq("yes") | (frame["assistant_included"].eq("")
                                                                      & num["assistant_daily_gbp"].isna())
    with_pa = (frame["passenger_assistant"].str.lower() == "yes") & ~included
    assistants = (num["assistant_daily_gbp"].fillna(pa_daily)[with_pa] * days).sum()
    return float(vehicles + passes + allowances + assistants)


def test_as_is_import_reproduces_its_own_total(tmp_path: Path, today: PlanCost) -> None:
    """The priced routes add up to the contracts as written: 120,897.96."""
    raw = pd.read_csv(write_contracts(tmp_path, TODAY), dtype=str, keep_default_na=False)
    assert round(float(today.routes["annual_gbp"].sum()), 2) == round(_by_hand(raw), 2) == 120897.96


contract_rows = st.lists(
    st.tuples(st.integers(0, 60000), st.booleans(), st.sampled_from(["", "yes", "no"]),
              st.sampled_from(["taxi", "minibus", "wheelchair_taxi"])),
    min_size=1, max_size=25,
)


@settings(max_examples=40, deadline=None)
@given(contract_rows)
def test_any_set_of_day_priced_contracts_reproduces_its_own_total(rows: list[tuple[int, bool, str, str]]) -> None:
    """For day-priced contracts, the total is sum(day price x 190) + 80.184 x 190 per assistant
    not included in the day price (assistant_included = no; empty means yes), to the penny
    (prices drawn as whole pence, up to £600 a day)."""
    written = [contract(f"R{i}", kind, f"{pence / 100:.2f}", "yes" if pa else "no", f"P{1 + i % 9}", assistant_included=inc)
               for i, (pence, pa, inc, kind) in enumerate(rows)]
    with tempfile.TemporaryDirectory() as folder:
        path = write_contracts(Path(folder), written)
        cost = price_contracts(read_contracts(path, PUPILS, SCHOOLS), CostSettings())
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    on_top = sum(pa and inc == "no" for _, pa, inc, _ in rows)
    expected = sum(pence for pence, *_ in rows) / 100 * DAYS + on_top * 80.184 * DAYS
    assert round(cost.contract_gbp, 2) == round(expected, 2) == round(_by_hand(raw), 2)


def test_a_contracts_file_with_no_rows_costs_nothing(tmp_path: Path) -> None:
    """A header-only contracts file is a valid (empty) baseline: £0.00."""
    cost = price_contracts(read_contracts(write_contracts(tmp_path, []), PUPILS, SCHOOLS), CostSettings())
    assert cost.contract_gbp == 0.0


# --------------------------------------------------------------------------- bad contract rows


@pytest.mark.parametrize("price", ["eighty", "-5", "nan", "inf", ""])
def test_a_bad_price_is_reported_with_file_row_and_column(tmp_path: Path, price: str) -> None:
    path = write_contracts(tmp_path, [contract("T1"), contract("T2", daily_price_gbp=price)])
    with pytest.raises(InputError, match="row 3, column 'daily_price_gbp': not a price in pounds"):
        read_contracts(path, PUPILS, SCHOOLS)


def test_a_duplicate_route_ref_names_both_rows(tmp_path: Path) -> None:
    path = write_contracts(tmp_path, [contract("T1"), contract("T2"), contract("T1")])
    with pytest.raises(InputError, match=r"row 4, column 'route_ref': duplicate route reference \(also on row 2\)") as exc:
        read_contracts(path, PUPILS, SCHOOLS)
    assert problems_of(exc) == [("contracts.csv", 4, "route_ref")]


def test_an_answer_that_is_not_yes_or_no_is_reported(tmp_path: Path) -> None:
    path = write_contracts(tmp_path, [contract("T1", passenger_assistant="maybe")])
    with pytest.raises(InputError, match="row 2, column 'passenger_assistant': not yes or no") as exc:
        read_contracts(path, PUPILS, SCHOOLS)
    assert problems_of(exc) == [("contracts.csv", 2, "passenger_assistant")]


def test_an_unknown_school_urn_is_reported(tmp_path: Path) -> None:
    path = write_contracts(tmp_path, [contract("T1"), contract("T2", school_urn="123456")])
    with pytest.raises(InputError, match=r"row 3, column 'school_urn': unknown school URN \(found '123456'\)") as exc:
        read_contracts(path, PUPILS, SCHOOLS)
    assert problems_of(exc) == [("contracts.csv", 3, "school_urn")]


def test_every_missing_column_is_reported(tmp_path: Path) -> None:
    path = write_contracts(tmp_path, [contract("T1")], drop=("passenger_assistant", "school_urn"))
    with pytest.raises(InputError, match="column 'passenger_assistant': required column is missing") as exc:
        read_contracts(path, PUPILS, SCHOOLS)
    assert problems_of(exc) == [("contracts.csv", None, "passenger_assistant"), ("contracts.csv", None, "school_urn")]


def test_unknown_pupil_ids_are_listed(tmp_path: Path) -> None:
    path = write_contracts(tmp_path, [contract("T1", pupils="P1;P98"), contract("T2", pupils="P99")])
    with pytest.raises(InputError, match="not in the pupils file: P98 ") as exc:
        read_contracts(path, PUPILS, SCHOOLS)
    assert problems_of(exc) == [("contracts.csv", 2, "pupils"), ("contracts.csv", 3, "pupils")]


def test_unknown_pupil_ids_name_their_row(tmp_path: Path) -> None:
    path = write_contracts(tmp_path, [contract("T1"), contract("T2", pupils="P99")])
    with pytest.raises(InputError) as exc:
        read_contracts(path, PUPILS, SCHOOLS)
    assert problems_of(exc) == [("contracts.csv", 3, "pupils")]


def test_several_bad_rows_are_reported_together(tmp_path: Path) -> None:
    path = write_contracts(tmp_path, [
        contract("T1", daily_price_gbp="eighty"),    # row 2
        contract("T1"),                              # row 3: duplicate
        contract("T3", passenger_assistant="maybe"),  # row 4
        contract("T4", school_urn="123456"),          # row 5
    ])
    with pytest.raises(InputError, match="row 2") as exc:
        read_contracts(path, PUPILS, SCHOOLS)
    assert problems_of(exc) == [("contracts.csv", 2, "daily_price_gbp"), ("contracts.csv", 3, "route_ref"),
                                ("contracts.csv", 4, "passenger_assistant"), ("contracts.csv", 5, "school_urn")]


def test_unknown_pupils_are_reported_together_with_bad_rows(tmp_path: Path) -> None:
    path = write_contracts(tmp_path, [contract("T1", daily_price_gbp="eighty"), contract("T2", pupils="P99")])
    with pytest.raises(InputError) as exc:
        read_contracts(path, PUPILS, SCHOOLS)
    assert {p.column for p in exc.value.problems} == {"daily_price_gbp", "pupils"}


# --------------------------------------------------------------------------- flags


@pytest.fixture
def flags(tmp_path: Path) -> pd.DataFrame:
    """T1 carries P1, who is no longer eligible; M1 carries P2 and P3, both eligible; P4 is
    eligible and on no contract."""
    contracts = read_contracts(write_contracts(tmp_path, [contract("T1", pupils="P1"), contract("M1", "minibus", pupils="P2;P3")]),
                               PUPILS, SCHOOLS)
    eligibility = pd.DataFrame({"pupil_id": ["P1", "P2", "P3", "P4", "P5"], "eligible": [False, True, True, True, False]})
    return flag_contracts(contracts, eligibility)


def test_a_contract_carrying_a_pupil_no_longer_eligible_is_flagged(flags: pd.DataFrame) -> None:
    not_eligible = flags[flags["flag"] == "NOT_ELIGIBLE"]
    assert not_eligible[["route_ref", "pupil_id"]].values.tolist() == [["T1", "P1"]]


def test_an_eligible_pupil_on_no_contract_is_flagged(flags: pd.DataFrame) -> None:
    no_contract = flags[flags["flag"] == "NO_CONTRACT"]
    assert no_contract[["route_ref", "pupil_id"]].values.tolist() == [["", "P4"]]


# --------------------------------------------------------------------------- forecast


def demand(send: float = 60000.0, mainstream: float = 40000.0, years: int = 3) -> Cohort:
    """A cohort whose cost at today's prices stays flat, so growth and inflation alone move the forecast."""
    return Cohort(pd.DataFrame(), pd.DataFrame(), {"send": np.full(years + 1, send), "mainstream": np.full(years + 1, mainstream)})


CERTAIN = Forecast(years=3, ehcp_growth=0.10, ehcp_growth_sd=0.0, mainstream_growth=0.0, mainstream_growth_sd=0.0,
                   contract_inflation=0.05, contract_inflation_sd=0.0, assistant_pay_inflation=0.03,
                   assistant_pay_inflation_sd=0.0, simulations=100, seed=7)
SHARE = {"send": 0.25, "mainstream": 0.0}
NO_SAVINGS = {"send": np.zeros(4), "mainstream": np.zeros(4)}


def test_forecast_central_path_is_the_hand_formula() -> None:
    """SEND 60,000 (a quarter of it assistants' pay), mainstream 40,000, the team 5,000: year 0 is
    105,000. Year 1: SEND 60,000 x 1.10 x (0.75 x 1.05 + 0.25 x 1.03) = 68,970; mainstream
    40,000 x 1.05 = 42,000; the team 5,000 x 1.03 = 5,150 -> 116,120. Year 2: SEND 60,000 x 1.21 x
    (0.75 x 1.1025 + 0.25 x 1.0609) = 79,286.46; mainstream 44,100; team 5,304.50 -> 128,690.96."""
    table = forecast(demand(), SHARE, 5000.0, NO_SAVINGS, CERTAIN, 2026, 105000.0).table
    assert table["financial_year"].tolist() == ["2026-27", "2027-28", "2028-29", "2029-30"]
    assert table["central_gbp"].round(2).tolist()[:3] == [105000.00, 116120.00, 128690.96]


def test_savings_landed_come_off_as_a_share_of_the_segments_cost() -> None:
    """Year 1 landed SEND savings of 6,000 at today's prices (a tenth of SEND demand) take a tenth
    off year 1's SEND cost: 68,970 x 0.1 = 6,897 -> 116,120 - 6,897 = 109,223."""
    savings = {"send": np.array([0.0, 6000.0, 6000.0, 6000.0]), "mainstream": np.zeros(4)}
    table = forecast(demand(), SHARE, 5000.0, savings, CERTAIN, 2026, 105000.0).table
    assert round(table.at[1, "savings_gbp"], 2) == 6897.00
    assert round(table.at[1, "central_gbp"], 2) == 109223.00


def test_forecast_without_uncertainty_has_bands_equal_to_the_central_path() -> None:
    table = forecast(demand(), SHARE, 5000.0, NO_SAVINGS, CERTAIN, 2026, 105000.0).table
    for band in ("p10_gbp", "p50_gbp", "p90_gbp"):
        assert table[band].round(6).tolist() == table["central_gbp"].round(6).tolist(), band


UNCERTAIN = Forecast(years=5, simulations=2000, seed=11)  # default rates and standard deviations


def test_forecast_median_follows_the_central_path() -> None:
    """Rates are drawn around their P50 assumptions, so the simulated median stays within half a
    per cent of the central path (a misapplied rate moves it by more)."""
    table = forecast(demand(years=5), SHARE, 5000.0, {k: np.zeros(6) for k in SHARE}, UNCERTAIN, 2026, 105000.0).table
    drift = (table["p50_gbp"] - table["central_gbp"]).abs() / table["central_gbp"]
    assert drift.max() < 0.005, drift.tolist()


def test_forecast_band_has_the_width_the_stated_uncertainty_gives() -> None:
    """Year 1, to first order: SEND 60,000 varies with EHC plan growth (sd 0.04), mainstream 40,000
    with its growth (sd 0.02), both with contract inflation (sd 0.02, shared; SEND's assistants
    with pay, sd 0.01) and the team 5,000 with pay. sd = sqrt((60,000 x 0.04)^2 + (40,000 x 0.02)^2
    + ((45,000 + 40,000) x 0.02)^2 + ((15,000 + 5,000) x 0.01)^2) = sqrt(5.76e6 + 0.64e6 + 2.89e6
    + 0.04e6) = 3,055; P90 - P10 = 2 x 1.2816 x 3,055 = 7,830; and wider every year after."""
    table = forecast(demand(years=5), SHARE, 5000.0, {k: np.zeros(6) for k in SHARE}, UNCERTAIN, 2026, 105000.0).table
    width = (table["p90_gbp"] - table["p10_gbp"]).tolist()
    assert width[0] == 0
    assert width[1] == pytest.approx(7830, rel=0.1)
    assert all(later > earlier for earlier, later in zip(width[1:], width[2:], strict=False))


def test_forecast_with_the_same_seed_gives_the_same_numbers() -> None:
    args = (demand(years=5), SHARE, 5000.0, {k: np.zeros(6) for k in SHARE}, UNCERTAIN, 2026, 105000.0)
    assert forecast(*args).table.equals(forecast(*args).table)


def test_year_0_is_the_baseline_to_the_penny() -> None:
    table = forecast(demand(), SHARE, 5000.0, NO_SAVINGS, UNCERTAIN.model_copy(update={"years": 3}), 2026, 105000.0).table
    assert table.loc[0, ["central_gbp", "p10_gbp", "p50_gbp", "p90_gbp"]].tolist() == [105000.0] * 4


def test_the_cohort_rolls_forward_a_year_at_a_time_by_cohort_survival() -> None:
    """Mainstream pupils aged 14 (1, transported), 15 (3, transported) and 16 (2, one transported at
    £1,000): secondary take-up 4/4 at £2,000, post-16 take-up 1/2 at £1,000; today 3 pupils are 15
    for each 14-year-old, and 2 stay on at 16 for every 3 aged 15. Year 0: 2,000 + 6,000 + 1,000 =
    9,000. With the intake up 10% a year: year 1 has 1.1 aged 14, 1 x 3 = 3 aged 15 and 3 x 2/3 = 2
    aged 16 (2,200 + 6,000 + 1,000 = 9,200); year 2 has 1.21, 1.1 x 3 = 3.3 and 2 (2,420 + 6,600 +
    1,000 = 10,020). With a flat intake every year is year 0: the cohort keeps today's shape, so
    Year 11s do not all stay on into a sixth form that today takes two in three of them."""
    from transport.mtfs import roll_forward

    cohort = pd.DataFrame({"pupil_id": list("ABCDEF"), "age": [14, 15, 15, 15, 16, 16], "ehcp": False, "send_need": ""})
    lines = pd.DataFrame({"pupil_id": list("ABCDE"), "today_annual_gbp": [2000.0, 2000.0, 2000.0, 2000.0, 1000.0]})
    rolled = roll_forward(cohort, lines, 2, 0.10, 2026)
    assert rolled.demand_gbp["mainstream"].round(6).tolist() == [9000.0, 9200.0, 10020.0]
    assert rolled.demand_gbp["send"].tolist() == [0.0, 0.0, 0.0]
    assert roll_forward(cohort, lines, 3, 0.0, 2026).demand_gbp["mainstream"].tolist() == [9000.0] * 4


def test_an_age_nobody_is_a_year_younger_than_today_keeps_todays_count() -> None:
    from transport.mtfs import _aged

    assert _aged(np.array([2.0, 0.0, 5.0]), 2, 0.0).tolist() == [[2.0, 0.0, 5.0]] * 3


def test_central_path_prices_assistants_with_pay_and_the_rest_with_contracts() -> None:
    rates = {"ehcp_growth": np.zeros(1), "mainstream_growth": np.zeros(1), "contract_inflation": np.array([0.10]),
             "assistant_pay_inflation": np.array([0.0])}
    out = central_path({"send": np.array([100.0, 100.0]), "mainstream": np.zeros(2)}, {"send": 0.5}, 0.0,
                       {"send": np.zeros(2), "mainstream": np.zeros(2)}, rates)
    assert out["central_gbp"].round(6).tolist() == [100.0, 105.0]


# --------------------------------------------------------------------------- the optimised plan, priced from its files


@pytest.fixture(scope="module")
def town_run(tmp_path_factory: pytest.TempPathFactory):
    from transport.pipeline import run_and_write

    folder = write_town_case(tmp_path_factory.mktemp("town-costs"))
    return run_and_write(load_scenario(folder / "baseline.toml"), folder / "out"), folder / "out"


def _miles_from_files(out_dir: Path) -> dict[str, float]:
    """Each vehicle's miles, stop to stop in sequence, from runs/<run>/matrix.npz and routes.csv."""
    miles = {}
    for run_dir in sorted((out_dir / "runs").iterdir()):
        distance = np.load(run_dir / "matrix.npz")["distance_m"]
        routes = pd.read_csv(run_dir / "routes.csv")
        for vehicle, stops in routes.groupby("vehicle"):
            loc = stops.sort_values("sequence")["location"].tolist()
            metres = sum(int(distance[a, b]) for a, b in zip(loc[:-1], loc[1:], strict=True))
            miles[vehicle] = metres / METRES_PER_MILE
    return miles


def test_matrix_miles_match_the_hand_worked_town(town_run) -> None:
    town_run, out_dir = town_run
    """Depot A, solo taxis (see tests/test_pipeline_e2e.py): AM 6 miles each (24 in all);
    PM P1 6, P2 6 (A-B-C-F, F-E-D, D-A), P4 7, P3 10 (F-E-D-A-B-C as C-F is one-way, then C-A) = 29.
    The matrix holds whole metres, so each route is within 0.01 mile of the hand figure."""
    miles = _miles_from_files(out_dir)
    am = sorted(v for k, v in miles.items() if k.startswith("AM"))
    pm = sorted(v for k, v in miles.items() if k.startswith("PM"))
    assert am == pytest.approx([6, 6, 6, 6], abs=0.01)
    assert pm == pytest.approx([6, 6, 7, 10], abs=0.01)


def test_each_optimised_route_costs_half_the_day_price_plus_its_miles(town_run) -> None:
    """A run carries half the taxi's £40 day price (a contract covers both runs) plus £2.00 a
    mile, over 190 days: (40 / 2 + 2.00 x miles) x 190; e.g. 6 miles -> £6,080 a year. The miles
    are read from the files the run wrote, the prices from the run in memory."""
    town_run, out_dir = town_run
    people = town_run.pupils.merge(town_run.demand.pupils[["pupil_id", "mode"]], on="pupil_id", how="left")
    cost = price_optimised(town_run.problems, town_run.solutions, town_run.vehicles, people, town_run.scenario.costs)
    miles = _miles_from_files(out_dir)
    priced = {r.route_ref: round(r.annual_gbp, 2) for r in cost.routes.itertuples(index=False)}
    by_hand = {vehicle: round((40 / 2 + 2.00 * m) * DAYS, 2) for vehicle, m in miles.items()}
    assert len(by_hand) == 8
    assert priced == by_hand
    assert not cost.routes["has_assistant"].any()


def test_the_budget_workbook_has_every_sheet(town_run) -> None:
    workbook = load_workbook(town_run[1] / "budget.xlsx", read_only=True)
    assert workbook.sheetnames == ["summary", "pupils", "by school", "by need", "by mode", "by operator", "savings plan",
                                   "savings by year", "forecast", "cohort", "assumptions", "optimised runs", "contracts flagged"]


def test_mileage_allowances_and_passes_need_no_day_price(tmp_path: Path) -> None:
    """An allowance is priced by the mile and a pass by the year: 0.45 x 10 x 190 = 855.00 and 480.00."""
    path = write_contracts(tmp_path, [contract("MA1", "mileage_allowance", "", pupils="P1", operator="", miles_per_day="10"),
                                      contract("TP1", "travel_pass", "", pupils="P2", operator="", annual_price_gbp="480")])
    cost = price_contracts(read_contracts(path, PUPILS, SCHOOLS), CostSettings())
    assert round(cost.contract_gbp, 2) == 855.00 + 480.00


def test_a_mileage_allowance_without_miles_is_an_error_not_zero(tmp_path: Path) -> None:
    path = write_contracts(tmp_path, [contract("MA1", "mileage_allowance", "0", pupils="P1", operator="")])
    with pytest.raises(InputError) as exc:
        read_contracts(path, PUPILS, SCHOOLS)
    assert problems_of(exc) == [("contracts.csv", 2, "miles_per_day")]


def test_aged_demo_contracts_carry_stale_seats_and_miss_joiners() -> None:
    """The demo's contracts, some months on: a not-eligible pupil still holds a bus seat
    (flagged NOT_ELIGIBLE) and an eligible joiner has no contract (flagged NO_CONTRACT)."""
    from transport.synth import age_contracts

    bought = pd.DataFrame([contract("B1", "minibus", "150", pupils=";".join(f"E{i}" for i in range(10)), school_urn="900001")],
                          columns=COLUMNS)
    eligibility = pd.DataFrame({"pupil_id": [f"E{i}" for i in range(10)] + ["N1"], "school_urn": ["900001"] * 11,
                                "eligible": [True] * 10 + [False]})
    aged = age_contracts(bought, eligibility, {"minibus": 16}, seed=3, stale_share=1.0, joiner_share=0.1)
    riders = aged.at[0, "pupils"].split(";")
    assert "N1" in riders and len(riders) == 10
    aged["pupil_list"] = aged["pupils"].str.split(";")
    flags = flag_contracts(aged, eligibility)
    assert sorted(flags["flag"]) == ["NOT_ELIGIBLE", "NO_CONTRACT"]
    assert flags.loc[flags["flag"] == "NO_CONTRACT", "pupil_id"].iat[0] not in riders


# --------------------------------------------------------------------------- assistants, budgets, end dates


def test_an_assistant_is_paid_on_top_only_when_the_day_price_does_not_include_them(tmp_path: Path) -> None:
    """£100 a day with an assistant: included (stated, or by default) 19,000.00; not included at the
    derived rate 19,000 + 80.184 x 190 = 34,234.96; not included at its own £95, given the price
    alone, 19,000 + 18,050 = 37,050.00."""
    path = write_contracts(tmp_path, [contract("IN", "minibus", "100", "yes", "P1", assistant_included="yes"),
                                      contract("DEF", "minibus", "100", "yes", "P2"),
                                      contract("OUT", "minibus", "100", "yes", "P3", assistant_included="no"),
                                      contract("OWN", "minibus", "100", "yes", "P4", assistant_daily_gbp="95")])
    annual = price_contracts(read_contracts(path, PUPILS, SCHOOLS), CostSettings()).routes.set_index("route_ref")["annual_gbp"]
    assert annual.round(2).to_dict() == {"IN": 19000.00, "DEF": 19000.00, "OUT": 34234.96, "OWN": 37050.00}


def test_an_assistant_price_on_a_contract_that_includes_the_assistant_is_an_error(tmp_path: Path) -> None:
    path = write_contracts(tmp_path, [contract("T1", pupils="P1", passenger_assistant="yes", assistant_included="yes",
                                               assistant_daily_gbp="95")])
    with pytest.raises(InputError, match="included in the day price but also given a day price") as exc:
        read_contracts(path, PUPILS, SCHOOLS)
    assert problems_of(exc) == [("contracts.csv", 2, "assistant_included")]


def test_a_personal_transport_budget_is_its_annual_amount_and_needs_one(tmp_path: Path) -> None:
    path = write_contracts(tmp_path, [contract("PB1", "ptb", "", pupils="P1", operator="", annual_price_gbp="3200")])
    assert price_contracts(read_contracts(path, PUPILS, SCHOOLS), CostSettings(price_multiplier=1.5)).contract_gbp == 3200.0
    bad = write_contracts(tmp_path, [contract("PB2", "ptb", "", pupils="P1", operator="")])
    with pytest.raises(InputError) as exc:
        read_contracts(bad, PUPILS, SCHOOLS)
    assert ("contracts.csv", 2, "annual_price_gbp") in problems_of(exc)


def test_the_price_multiplier_scales_day_prices_and_passes_not_allowances_or_assistants(tmp_path: Path) -> None:
    """x1.1: 84.50 x 190 x 1.1 = 17,660.50; pass 650 x 1.1 = 715.00; allowance 0.45 x 24 x 190 =
    2,052.00 and an assistant 80.184 x 190 = 15,234.96 unchanged."""
    path = write_contracts(tmp_path, [contract("T1", pupils="P1"), contract("TP", "travel_pass", "0", pupils="P2",
                                                                           annual_price_gbp="650"),
                                      contract("MA", "mileage_allowance", "", pupils="P3", miles_per_day="24"),
                                      contract("PA", "taxi", "0", "yes", "P4", assistant_included="no")])
    annual = price_contracts(read_contracts(path, PUPILS, SCHOOLS), CostSettings(price_multiplier=1.1)).routes
    assert annual.set_index("route_ref")["annual_gbp"].round(2).to_dict() == {"T1": 17660.50, "TP": 715.00, "MA": 2052.00,
                                                                             "PA": 15234.96}


@pytest.mark.parametrize(("column", "value"), [("end_date", "31/07/2026"), ("notice_days", "-5"), ("notice_days", "2.5"),
                                               ("assistant_included", "maybe")])
def test_a_bad_end_date_notice_or_answer_is_reported_where_it_is(tmp_path: Path, column: str, value: str) -> None:
    path = write_contracts(tmp_path, [contract("T1"), contract("T2", pupils="P2", **{column: value})])
    with pytest.raises(InputError) as exc:
        read_contracts(path, PUPILS, SCHOOLS)
    assert problems_of(exc) == [("contracts.csv", 3, column)]


def test_end_dates_and_notice_are_read(tmp_path: Path) -> None:
    import datetime as dt

    path = write_contracts(tmp_path, [contract("T1", end_date="2026-07-31", notice_days="30")])
    read = read_contracts(path, PUPILS, SCHOOLS)
    assert (read["end_date"].iat[0], read["notice_days"].iat[0]) == (dt.date(2026, 7, 31), 30)


def test_riders_share_a_run_equally_weighted_by_their_part_of_the_year() -> None:
    """One taxi run (£40 a day, £2 a mile) from the depot to a home 1,609.344 m (a mile) away, on
    to school a mile further and back to the depot (3 miles): (40 / 2 + 2 x 3) x 190 = £4,940 a
    year. A and B ride it all year: £2,470 each. With B eligible for half the year, A carries
    two thirds (£3,293.33) and B one third (£1,646.67)."""
    from transport.optimise.problem import Request, RoutingProblem, VehicleType
    from transport.optimise.solution import Route, Solution, Visit

    mile = 1609.344
    d = np.array([[0, mile, 2 * mile], [mile, 0, mile], [mile, mile, 0]])
    taxi = VehicleType(catalogue_type="taxi", seats=4, depot="D", start=0, end=0)
    requests = tuple(Request(request_id=p, pickup=1, delivery=2, members=(p,)) for p in "AB")
    problem = RoutingProblem(time_s=d.astype(np.int64), distance_m=d, requests=requests, vehicle_types=(taxi,))
    visits = (Visit(0, "start"), Visit(1, "pickup", "A"), Visit(1, "pickup", "B"), Visit(2, "delivery", "A"),
              Visit(2, "delivery", "B"), Visit(0, "end"))
    solution = Solution((Route(0, taxi.name, visits, 0, 0),), (), 0, "OK", 0.0)
    vehicles = pd.DataFrame([{"vehicle_type": "taxi", "depot": "D", "daily_price_gbp": 40.0, "price_per_mile_gbp": 2.0}])
    for shares, expected in (({"A": 1.0, "B": 1.0}, {"A": 2470.00, "B": 2470.00}),
                             ({"A": 1.0, "B": 0.5}, {"A": 3293.33, "B": 1646.67})):
        people = pd.DataFrame({"pupil_id": list(shares), "share_of_year": list(shares.values())})
        cost = price_optimised({"AM": problem}, {"AM": solution}, vehicles, people, CostSettings())
        assert round(cost.contract_gbp, 2) == 4940.00
        assert cost.pupils.set_index("pupil_id")["annual_gbp"].round(2).to_dict() == expected
