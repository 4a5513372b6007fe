"""Unit conversions and the solver's integer scaling, each constant defined once.

OR-Tools works in integers. Inside the solver, time is whole seconds, distance whole
metres and money whole pence. Nothing outside `transport.optimise` sees scaled values.
"""

from __future__ import annotations

METRES_PER_MILE = 1609.344
KPH_PER_MPH = 1.609344
SECONDS_PER_MINUTE = 60

#: Money in the solver is whole pence.
PENCE_PER_POUND = 100


def miles_to_m(miles: float) -> float:
    return miles * METRES_PER_MILE


def m_to_miles(metres: float) -> float:
    return metres / METRES_PER_MILE


def minutes_to_s(minutes: float) -> int:
    return int(round(minutes * SECONDS_PER_MINUTE))


def gbp_to_pence(gbp: float) -> int:
    return int(round(gbp * PENCE_PER_POUND))


def clock_to_s(text: str) -> int:
    """'08:45' -> seconds after midnight."""
    hours, minutes = str(text).strip().split(":")[:2]
    h, m = int(hours), int(minutes)
    if not (0 <= h < 24 and 0 <= m < 60):
        raise ValueError(f"not a time of day: {text!r}")
    return h * 3600 + m * 60


def s_to_clock(seconds: float) -> str:
    total = int(round(seconds))
    return f"{total // 3600:02d}:{(total % 3600) // 60:02d}"
