"""Today's contracts: the council's current arrangements, read and validated.

One row per contract: a vehicle route, a mileage allowance, a travel pass or a personal
transport budget, with the pupils it carries as ';'-joined pseudonymous ids, and when it ends.
Pricing them is `transport.costs`' job.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from transport.errors import Problem, ProblemCollector
from transport.inputs import IDENTIFIER, IDENTIFIER_FIX, numbers_column, read_table
from transport.schemas import CONTRACTS

#: Contract kinds that are not a vehicle route.
MILEAGE_ALLOWANCE = "mileage_allowance"
TRAVEL_PASS = "travel_pass"
PERSONAL_BUDGET = "ptb"
#: Kinds priced by the year rather than by the day.
ANNUAL_KINDS = (TRAVEL_PASS, PERSONAL_BUDGET)
#: Every kind that is not a catalogue vehicle.
PERSONAL_KINDS = (MILEAGE_ALLOWANCE, TRAVEL_PASS, PERSONAL_BUDGET)
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}


def read_contracts(path: str | Path, known_pupils: set[str], known_schools: set[str],
                   vehicle_types: set[str] | None = None) -> pd.DataFrame:
    """Today's contracts from a CSV file (see `schemas.CONTRACTS`)."""
    return parse_contracts(read_table(path), Path(path).name, known_pupils, known_schools, vehicle_types)


def parse_contracts(frame: pd.DataFrame, name: str, known_pupils: set[str], known_schools: set[str],
                    vehicle_types: set[str] | None = None) -> pd.DataFrame:
    """Validate a contracts table read as text; every bad row is reported with its row and column.

    `vehicle_types` are the catalogue's types; a contract names one of them, or is a mileage
    allowance or a travel pass.
    """
    problems = ProblemCollector()
    for column in CONTRACTS.required:
        if column not in frame.columns:
            problems.add(Problem(name, "required column is missing", column=column, fix=f"Add a '{column}' column"))
    problems.raise_if_any()
    out = frame.copy()
    seen: dict[str, int] = {}
    prices = []
    kinds = None if vehicle_types is None else vehicle_types | set(PERSONAL_KINDS)
    for r, row in zip(frame.index, frame.itertuples(index=False), strict=True):
        _reference(name, r, row, seen, problems)
        prices.append(_day_price(name, r, row, problems))
        if str(row.passenger_assistant).strip().lower() not in _YES | _NO | {""}:
            problems.add(Problem(name, "not yes or no", r, "passenger_assistant", row.passenger_assistant))
        if row.school_urn and row.school_urn not in known_schools:
            problems.add(Problem(name, "unknown school URN", r, "school_urn", row.school_urn))
        _kind(name, r, row, kinds, problems)
        _pupils(name, r, row, known_pupils, problems)
    optional = {c.name: numbers_column(frame, name, CONTRACTS, c.name, problems)
                for c in CONTRACTS.columns if c.dtype in ("float", "int") and not c.required}
    included = [_assistant_included(name, r, frame, problems) for r in frame.index]
    ends = [_end_date(name, r, frame, problems) for r in frame.index]
    problems.raise_if_any()
    out["daily_price_gbp"] = prices
    out["passenger_assistant"] = out["passenger_assistant"].str.strip().str.lower().isin(_YES)
    for column, values in optional.items():
        out[column] = [np.nan if v is None else v for v in values]
    out["notice_days"] = [None if v is None else int(v) for v in optional["notice_days"]]
    out["assistant_included"] = included
    out["end_date"] = ends
    out["pupil_list"] = out["pupils"].map(pupil_ids)
    return out


def _reference(name: str, r: int, row: object, seen: dict[str, int], problems: ProblemCollector) -> None:
    """A contract reference: given, usable, and not used twice."""
    if not row.route_ref:
        problems.add(Problem(name, "empty", r, "route_ref", fix="Every contract needs a route reference"))
    elif not IDENTIFIER.fullmatch(row.route_ref):
        problems.add(Problem(name, "not a usable reference", r, "route_ref", row.route_ref, IDENTIFIER_FIX))
    elif row.route_ref in seen:
        problems.add(Problem(name, f"duplicate route reference (also on row {seen[row.route_ref]})", r, "route_ref", row.route_ref))
    else:
        seen[row.route_ref] = r


def _kind(name: str, r: int, row: object, kinds: set[str] | None, problems: ProblemCollector) -> None:
    """A catalogue vehicle or a personal arrangement, with what that kind needs to be priced."""
    kind = str(row.vehicle_type).strip()
    if kind == MILEAGE_ALLOWANCE and not str(getattr(row, "miles_per_day", "")).strip():
        problems.add(Problem(name, "a mileage allowance needs the miles driven a day", r, "miles_per_day",
                             getattr(row, "miles_per_day", ""), "Give the daily return-trip miles, e.g. 24"))
    if kind == PERSONAL_BUDGET and not str(getattr(row, "annual_price_gbp", "")).strip():
        problems.add(Problem(name, "a personal transport budget needs its annual amount", r, "annual_price_gbp",
                             getattr(row, "annual_price_gbp", ""), "Give the budget paid a year, e.g. 3200"))
    if kinds is not None and kind not in kinds:
        problems.add(Problem(name, "not a vehicle type of the catalogue", r, "vehicle_type", row.vehicle_type,
                             f"Use one of {', '.join(sorted(kinds))}"))


def _pupils(name: str, r: int, row: object, known_pupils: set[str], problems: ProblemCollector) -> None:
    """The pupils carried: at least one, each once, each in the pupils file."""
    ids = pupil_ids(row.pupils)
    repeated = sorted({p for p in ids if ids.count(p) > 1})
    if repeated:
        problems.add(Problem(name, f"pupil(s) listed twice on one contract: {', '.join(repeated[:10])}", r, "pupils",
                             row.pupils, "List each pupil once"))
    if not ids:
        problems.add(Problem(name, "no pupils", r, "pupils", fix="List the pupils carried, ';'-separated"))
    unknown = [p for p in ids if p not in known_pupils]
    if unknown:
        problems.add(Problem(name, f"{len(unknown)} pupil id(s) not in the pupils file: {', '.join(unknown[:10])}", r, "pupils",
                             row.pupils, "Check the pseudonymous ids match the pupils file"))


def _assistant_included(name: str, r: int, frame: pd.DataFrame, problems: ProblemCollector) -> bool:
    """Whether the assistant is paid within the day price: yes unless stated no, or unless an
    assistant day price is given (a separate price means a separate payment)."""
    text = str(frame.at[r, "assistant_included"]).strip().lower() if "assistant_included" in frame else ""
    priced = "assistant_daily_gbp" in frame and bool(str(frame.at[r, "assistant_daily_gbp"]).strip())
    if text not in _YES | _NO | {""}:
        problems.add(Problem(name, "not yes or no", r, "assistant_included", frame.at[r, "assistant_included"]))
        return True
    if text in _YES and priced:
        problems.add(Problem(name, "the assistant is included in the day price but also given a day price of their own", r,
                             "assistant_included", frame.at[r, "assistant_included"],
                             "Set assistant_included = no to pay assistant_daily_gbp on top, or clear assistant_daily_gbp"))
    return text in _YES or (not text and not priced)


def _end_date(name: str, r: int, frame: pd.DataFrame, problems: ProblemCollector) -> dt.date | None:
    """The contract's last day, when given."""
    text = str(frame.at[r, "end_date"]).strip() if "end_date" in frame else ""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        problems.add(Problem(name, "not a date", r, "end_date", text, "Use YYYY-MM-DD, e.g. 2026-07-31"))
        return None


def pupil_ids(cell: object) -> list[str]:
    """The ';'-joined pupil ids of one contract cell."""
    return [p.strip() for p in str(cell if cell is not None else "").split(";") if p.strip()]


def _day_price(name: str, r: int, row: object, problems: ProblemCollector) -> float:
    """The day price of one contract row. Mileage allowances are priced by the mile, and passes
    and personal transport budgets may carry an annual amount instead, so for those an empty
    day price is 0."""
    text = str(row.daily_price_gbp).strip()
    kind = str(row.vehicle_type).strip()
    annual = bool(str(getattr(row, "annual_price_gbp", "")).strip())
    if not text and (kind == MILEAGE_ALLOWANCE or (kind in ANNUAL_KINDS and annual)):
        return 0.0
    try:
        value = float(text)
        if not np.isfinite(value) or value < 0:
            raise ValueError
    except ValueError:
        problems.add(Problem(name, "not a price in pounds", r, "daily_price_gbp", row.daily_price_gbp, "Give the day price, e.g. 84.50"))
        return np.nan
    return value
