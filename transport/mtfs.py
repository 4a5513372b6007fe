"""The medium-term financial strategy (MTFS) forecast: financial years from today's actual cost.

Year 0 is the baseline: the actual cost of today's arrangements for the current cohort. Each
later year rolls the cohort forward a year by cohort survival (every pupil a year older, as many
staying on at 16 or joining at 11 as today's ages show; those staying on take the post-16
take-up, those at 11 the secondary take-up and cost; a Reception intake joins), grows SEND
demand with EHC plans and mainstream demand with its own rate, prices operators' contracts and
assistants' pay with separate inflation rates, and takes off the savings that have landed by
then (`transport.savings`). P10/P50/P90 come from a seeded Monte Carlo over the uncertain
rates. The same arithmetic is written as live formulas in the workbook (`transport.workbook`),
so the two agree.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from transport.policy import age_phase
from transport.scenarios import Forecast
from transport.schemas import COHORT, COHORT_PROJECTION, FORECAST

SEGMENTS = ("send", "mainstream")

#: Pupil days in each month of a typical English school year (three terms, 190 days; an
#: assumption from the usual term dates: no school in August, Easter in April), April first.
SCHOOL_DAYS_BY_MONTH: dict[int, int] = {4: 13, 5: 19, 6: 20, 7: 16, 8: 0, 9: 19, 10: 18, 11: 20, 12: 15, 1: 18, 2: 15, 3: 17}
FINANCIAL_YEAR_MONTHS = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)


def financial_year(start_year: int) -> str:
    """The label of the financial year starting on 1 April of `start_year`, e.g. 2026-27."""
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def year_start(first_year: int, k: int) -> dt.date:
    """1 April of year k (year 0 starts on 1 April of `first_year`)."""
    return dt.date(first_year + k, 4, 1)


def financial_year_of(day: dt.date) -> int:
    """The calendar year in which the financial year holding `day` starts."""
    return day.year if day.month >= 4 else day.year - 1


def landed_share(relet: dt.date | None, fy_start_year: int) -> float:
    """Share of the financial year's school days on or after `relet` (0 when it never comes)."""
    if relet is None:
        return 0.0
    total = sum(SCHOOL_DAYS_BY_MONTH.values())
    landed = 0.0
    for month in FINANCIAL_YEAR_MONTHS:
        year = fy_start_year if month >= 4 else fy_start_year + 1
        days = calendar.monthrange(year, month)[1]
        first, last = dt.date(year, month, 1), dt.date(year, month, days)
        if relet <= first:
            landed += SCHOOL_DAYS_BY_MONTH[month]
        elif relet <= last:
            landed += SCHOOL_DAYS_BY_MONTH[month] * (days - relet.day + 1) / days
    return landed / total


# --------------------------------------------------------------------------- the cohort rolled forward


@dataclass(frozen=True)
class Cohort:
    """Today's cohort by segment and age, and its roll-forward."""

    base: pd.DataFrame  # schemas.COHORT
    projection: pd.DataFrame  # schemas.COHORT_PROJECTION
    demand_gbp: dict[str, np.ndarray]  # segment -> cost at today's prices, years 0..N


def segment_of(pupils: pd.DataFrame) -> pd.Series:
    """'send' for a pupil with an EHC plan or a SEND need, else 'mainstream'."""
    need = pupils["send_need"].fillna("").astype(str).str.len().gt(0) if "send_need" in pupils else False
    ehcp = pupils["ehcp"].astype(bool) if "ehcp" in pupils else False
    return pd.Series(np.where(ehcp | need, "send", "mainstream"), index=pupils.index)


def roll_forward(cohort: pd.DataFrame, lines: pd.DataFrame, years: int, intake_change: float, first_year: int) -> Cohort:
    """Take-up and cost per transported pupil by segment and phase from today's lines (budget
    pupils with a cost today), applied to the cohort aged a year at a time."""
    people = cohort[["pupil_id", "age"]].assign(segment=segment_of(cohort).to_numpy())
    carried = lines.loc[lines["today_annual_gbp"].fillna(0) > 0, ["pupil_id", "today_annual_gbp"]]
    people = people.merge(carried, on="pupil_id", how="left")
    people["phase"] = people["age"].map(age_phase)
    ages = range(int(people["age"].min()), int(people["age"].max()) + 1) if len(people) else range(0)
    rows, projection, demand = [], [], {}
    for segment in SEGMENTS:
        mine = people[people["segment"] == segment]
        counts = mine.groupby("age").size().reindex(ages, fill_value=0).to_numpy(float)
        by_phase = mine.groupby("phase").agg(n=("pupil_id", "size"), t=("today_annual_gbp", "count"),
                                             c=("today_annual_gbp", "sum"))
        take_up, unit = [], []
        for age in ages:
            ph = by_phase.loc[age_phase(age)] if age_phase(age) in by_phase.index else None
            take_up.append(float(ph["t"] / ph["n"]) if ph is not None and ph["n"] else 0.0)
            unit.append(float(ph["c"] / ph["t"]) if ph is not None and ph["t"] else 0.0)
            carried_here = int(mine.loc[mine["age"] == age, "today_annual_gbp"].count())
            rows.append({"segment": segment, "age": age, "pupils": int(counts[len(take_up) - 1]), "transported": carried_here,
                         "take_up": take_up[-1], "gbp_per_transported": unit[-1]})
        path = _aged(counts, years, intake_change)
        demand[segment] = path @ (np.array(take_up) * np.array(unit)) if len(ages) else np.zeros(years + 1)
        projection += [{"segment": segment, "age": age, "year": k, "financial_year": financial_year(first_year + k),
                        "pupils": float(path[k, i])} for k in range(years + 1) for i, age in enumerate(ages)]
    return Cohort(COHORT.frame(rows), COHORT_PROJECTION.frame(projection), demand)


def _aged(counts: np.ndarray, years: int, intake_change: float) -> np.ndarray:
    """Pupils by age (columns) for years 0..N (rows) by cohort survival, the method school place
    planners use: each year's pupils of an age are last year's a year younger times today's
    ratio between the two ages (pupils who stay on into the sixth form, or join at 11 from
    outside the area); an age with nobody a year younger today keeps today's count. The
    youngest age is the Reception intake, changing by `intake_change` a year; the oldest leaves.
    With a flat intake the cohort keeps today's shape."""
    path = np.zeros((years + 1, len(counts)))
    path[0] = counts
    younger = counts[:-1]
    ratio = np.divide(counts[1:], younger, out=np.zeros_like(younger, dtype=float), where=younger > 0)
    for k in range(1, years + 1):
        path[k, 1:] = np.where(younger > 0, path[k - 1, :-1] * ratio, counts[1:])
        if len(counts):
            path[k, 0] = counts[0] * (1 + intake_change) ** k
    return path


# --------------------------------------------------------------------------- the forecast


@dataclass(frozen=True)
class Outlook:
    """The forecast table, and the Monte Carlo's bands as ratios to the central path (which the
    workbook applies to its live central path)."""

    cohort: Cohort
    table: pd.DataFrame  # schemas.FORECAST
    band_ratios: pd.DataFrame  # year, p10, p50, p90: Monte Carlo percentile / central path
    assistant_share: dict[str, float] = field(default_factory=dict)
    savings_gbp: dict[str, np.ndarray] = field(default_factory=dict)  # landed savings at today's prices


def central_path(demand: dict[str, np.ndarray], assistant_share: dict[str, float], overhead_gbp: float,
                 savings: dict[str, np.ndarray], rates: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The forecast's lines for one set of yearly rates (arrays over years 1..N; year 0 has none).

    segment cost(k) = demand(k) x growth(k) x ((1 - a) x contract prices(k) + a x pay(k)),
    a = the segment's share of cost paying assistants on top of day prices; savings(k) = cost(k)
    x landed savings(k) / demand(0); overhead(k) = overhead x pay(k).
    """
    def index(r: np.ndarray) -> np.ndarray:
        return np.concatenate([np.ones(r.shape[:-1] + (1,)), np.cumprod(1 + r, axis=-1)], axis=-1)

    contract, pay = index(rates["contract_inflation"]), index(rates["assistant_pay_inflation"])
    out = {"staff_overhead_gbp": overhead_gbp * pay}
    gross = out["staff_overhead_gbp"].copy()
    saved = np.zeros_like(gross)
    for segment, growth_key in (("send", "ehcp_growth"), ("mainstream", "mainstream_growth")):
        a = assistant_share.get(segment, 0.0)
        cost = demand[segment] * index(rates[growth_key]) * ((1 - a) * contract + a * pay)
        base = demand[segment][0]
        out[f"{segment}_cost_gbp"] = cost
        gross = gross + cost
        saved = saved + (cost * savings[segment] / base if base else 0.0)
    out.update(gross_gbp=gross, savings_gbp=saved, central_gbp=gross - saved)
    return out


RATES = (("ehcp_growth", "ehcp_growth_sd"), ("mainstream_growth", "mainstream_growth_sd"),
         ("contract_inflation", "contract_inflation_sd"), ("assistant_pay_inflation", "assistant_pay_inflation_sd"))


def forecast(cohort: Cohort, assistant_share: dict[str, float], overhead_gbp: float, savings: dict[str, np.ndarray],
             assumptions: Forecast, first_year: int, baseline_gbp: float) -> Outlook:
    """The forecast for years 0..N with P10/P50/P90 from the Monte Carlo; year 0 is the baseline."""
    years = assumptions.years
    central_rates = {key: np.full(years, getattr(assumptions, key)) for key, _ in RATES}
    central = central_path(cohort.demand_gbp, assistant_share, overhead_gbp, savings, central_rates)
    rng = np.random.default_rng(assumptions.seed)
    n = assumptions.simulations
    drawn = {key: rng.normal(getattr(assumptions, key), getattr(assumptions, sd), (n, years)) for key, sd in RATES}
    paths = central_path(cohort.demand_gbp, assistant_share, overhead_gbp, savings, drawn)["central_gbp"]
    bands = {q: np.percentile(paths, q, axis=0) for q in (10, 50, 90)}
    ratios = {q: np.where(central["central_gbp"] != 0, bands[q] / np.where(central["central_gbp"] != 0,
                                                                          central["central_gbp"], 1), 1.0) for q in bands}
    for q in ratios:
        ratios[q][0] = 1.0
    rows = []
    for k in range(years + 1):
        row = {"financial_year": financial_year(first_year + k), "year": k,
               "send_demand_gbp": cohort.demand_gbp["send"][k], "mainstream_demand_gbp": cohort.demand_gbp["mainstream"][k]}
        row.update({name: float(values[k]) for name, values in central.items()})
        row.update({f"p{q}_gbp": float(central["central_gbp"][k] * ratios[q][k]) for q in ratios})
        rows.append(row)
    table = FORECAST.frame(rows)
    for column in ["central_gbp", *(f"p{q}_gbp" for q in ratios)]:
        table.loc[0, column] = baseline_gbp  # year 0 is the baseline itself, to the penny
    band = pd.DataFrame({"year": range(years + 1), **{f"p{q}": ratios[q] for q in ratios}})
    return Outlook(cohort, table, band, dict(assistant_share), dict(savings))


# --------------------------------------------------------------------------- every assumption, with its source

#: Where each setting's value comes from (the scenario's own value is shown beside it).
SOURCES: dict[str, str] = {
    "current_gbp": "The council's home-to-school transport budget line (scenario [budget] current_gbp).",
    "staff_overhead_gbp": "The transport team and contract management, a fixed cost a year (scenario [budget] staff_overhead_gbp); "
                          "it does not move with route savings.",
    "first_year": "Scenario [budget] first_year, or the policy's academic year start.",
    "school_days": "190 pupil days in an English school year.",
    "assistant_hourly_gbp": "Assumption near the 2025 NJC pay spine for school support staff.",
    "assistant_on_cost_share": "Assumption: employer National Insurance and pension.",
    "assistant_paid_hours_per_run": "Assumption: a minimum call-out plus travel to the vehicle.",
    "assistant_daily_gbp": "Derived: hourly rate x (1 + on-costs) x paid hours per run x 2 runs.",
    "mileage_allowance_gbp_per_mile": "Typical council policy: 45p a mile (the HMRC approved rate), two return trips a day.",
    "price_multiplier": "Scenario [costs] price_multiplier (1 = today's prices).",
    "ehcp_growth": "DfE, Education, health and care plans (2025): 638,700 plans in January 2025, up 10.8% on 2024 (11.5% the "
                   "year before); DfE, Special educational needs in England 2024/25: pupils with a plan up 11.1% to 5.3% of pupils.",
    "ehcp_growth_sd": "Assumption: one county's growth varies more than England's; covers the national 9% to 12% of recent years.",
    "mainstream_growth": "Assumption: no change beyond the cohort's ageing; set it from the council's pupil place planning.",
    "mainstream_growth_sd": "Assumption.",
    "intake_change": "Assumption: a flat Reception intake; set it from the council's school place planning (SCAP) forecast.",
    "contract_inflation": "Assumption: operators' prices have risen faster than CPI (fuel, drivers' pay, driver shortages; "
                          "LGA and County Councils Network, Understanding the drivers for rising demand and associated costs "
                          "for home-to-school transport, 2024).",
    "contract_inflation_sd": "Assumption.",
    "assistant_pay_inflation": "NJC for Local Government Services pay award 2025-26: 3.2% from 1 April 2025.",
    "assistant_pay_inflation_sd": "Assumption: NJC awards ranged from 1.75% (2021) to 6.4% (2023, lower pay points).",
    "simulations": "Monte Carlo draws (scenario [forecast]).",
    "seed": "Monte Carlo seed: the same seed gives the same bands.",
    "years": "The MTFS horizon (scenario [forecast] years).",
}

#: Units of the settings, for the assumptions sheet.
UNITS = {"current_gbp": "£/year", "staff_overhead_gbp": "£/year", "school_days": "days", "assistant_hourly_gbp": "£/hour",
         "assistant_daily_gbp": "£/day", "assistant_paid_hours_per_run": "hours", "mileage_allowance_gbp_per_mile": "£/mile",
         "years": "years", "first_year": "year"}


def assumptions_table(scenario, notes: dict[str, tuple[object, str, str, str]]) -> pd.DataFrame:
    """Every setting behind a figure (costs, budget, forecast) with its unit, meaning and source,
    then `notes`: key -> (value, unit, meaning, source) for the model's fixed rules and references."""
    from transport.schemas import ASSUMPTIONS

    rows = []
    for model in (scenario.budget, scenario.costs, scenario.forecast):
        for name, spec in type(model).model_fields.items():
            value = getattr(model, name)
            unit = UNITS.get(name, "share a year" if ("growth" in name or "inflation" in name or name == "intake_change") else "")
            rows.append({"assumption": name, "value": "" if value is None else value, "unit": unit,
                         "meaning": spec.description or "", "source": SOURCES.get(name, "Scenario setting.")})
    rows.append({"assumption": "assistant_daily_gbp", "value": round(scenario.costs.assistant_daily_gbp, 4), "unit": "£/day",
                 "meaning": "A passenger assistant's day, both runs.", "source": SOURCES["assistant_daily_gbp"]})
    rows += [{"assumption": key, "value": value, "unit": unit, "meaning": meaning, "source": source}
             for key, (value, unit, meaning, source) in notes.items()]
    return ASSUMPTIONS.frame(rows)
