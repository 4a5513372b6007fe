"""Today's contracts: the council's current arrangements, read and validated.

One row per contract: a vehicle route, a mileage allowance or a travel pass, with the
pupils it carries as ';'-joined pseudonymous ids. Pricing them is `transport.costs`' job.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from transport.errors import Problem, ProblemCollector
from transport.inputs import IDENTIFIER, IDENTIFIER_FIX, numbers_column, read_table
from transport.schemas import CONTRACTS

#: Contract kinds that are not a vehicle route.
MILEAGE_ALLOWANCE = "mileage_allowance"
TRAVEL_PASS = "travel_pass"


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
    for r, row in zip(frame.index, frame.itertuples(index=False), strict=True):
        if not row.route_ref:
            problems.add(Problem(name, "empty", r, "route_ref", fix="Every contract needs a route reference"))
        elif not IDENTIFIER.fullmatch(row.route_ref):
            problems.add(Problem(name, "not a usable reference", r, "route_ref", row.route_ref, IDENTIFIER_FIX))
        elif row.route_ref in seen:
            problems.add(Problem(name, f"duplicate route reference (also on row {seen[row.route_ref]})", r, "route_ref", row.route_ref))
        else:
            seen[row.route_ref] = r
        prices.append(_day_price(name, r, row, problems))
        if str(row.passenger_assistant).strip().lower() not in {"yes", "no", "y", "n", "true", "false", "1", "0", ""}:
            problems.add(Problem(name, "not yes or no", r, "passenger_assistant", row.passenger_assistant))
        if row.school_urn and row.school_urn not in known_schools:
            problems.add(Problem(name, "unknown school URN", r, "school_urn", row.school_urn))
        if str(row.vehicle_type).strip() == MILEAGE_ALLOWANCE and not str(getattr(row, "miles_per_day", "")).strip():
            problems.add(Problem(name, "a mileage allowance needs the miles driven a day", r, "miles_per_day",
                                 getattr(row, "miles_per_day", ""), "Give the daily return-trip miles, e.g. 24"))
        kind = str(row.vehicle_type).strip()
        if vehicle_types is not None and kind not in vehicle_types | {MILEAGE_ALLOWANCE, TRAVEL_PASS}:
            problems.add(Problem(name, "not a vehicle type of the catalogue", r, "vehicle_type", row.vehicle_type,
                                 f"Use one of {', '.join(sorted(vehicle_types | {MILEAGE_ALLOWANCE, TRAVEL_PASS}))}"))
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
    optional = {c.name: numbers_column(frame, name, CONTRACTS, c.name, problems)
                for c in CONTRACTS.columns if c.dtype == "float" and not c.required}
    problems.raise_if_any()
    out["daily_price_gbp"] = prices
    out["passenger_assistant"] = out["passenger_assistant"].str.strip().str.lower().isin({"yes", "y", "true", "1"})
    for column, values in optional.items():
        out[column] = [np.nan if v is None else v for v in values]
    out["pupil_list"] = out["pupils"].map(pupil_ids)
    return out


def pupil_ids(cell: object) -> list[str]:
    """The ';'-joined pupil ids of one contract cell."""
    return [p.strip() for p in str(cell if cell is not None else "").split(";") if p.strip()]


def _day_price(name: str, r: int, row: object, problems: ProblemCollector) -> float:
    """The day price of one contract row. Mileage allowances are priced by the mile and
    travel passes may carry an annual price instead, so for those an empty day price is 0."""
    text = str(row.daily_price_gbp).strip()
    kind = str(row.vehicle_type).strip()
    if not text and (kind == MILEAGE_ALLOWANCE or (kind == TRAVEL_PASS and str(getattr(row, "annual_price_gbp", "")).strip())):
        return 0.0
    try:
        value = float(text)
        if not np.isfinite(value) or value < 0:
            raise ValueError
    except ValueError:
        problems.add(Problem(name, "not a price in pounds", r, "daily_price_gbp", row.daily_price_gbp, "Give the day price, e.g. 84.50"))
        return np.nan
    return value
