"""Unit conversions and the solver's integer scaling, each constant defined once.

OR-Tools works in integers. Inside the solver, time is whole seconds, distance whole
metres and money whole pence. Nothing outside `transport.optimise` sees scaled values.
"""

from __future__ import annotations

import math

#: International mile (Weights and Measures Act 1985): 1,609.344 metres.
METRES_PER_MILE = 1609.344
#: The same mile in kilometres (a speed in mph times this is km/h).
KM_PER_MILE = 1.609344
#: km/h in one metre per second.
KPH_PER_METRE_PER_S = 3.6
SECONDS_PER_MINUTE = 60
SECONDS_PER_HOUR = 3600

#: Money in the solver is whole pence.
PENCE_PER_POUND = 100


def miles_to_m(miles: float) -> float:
    return miles * METRES_PER_MILE


def m_to_miles(metres: float) -> float:
    return metres / METRES_PER_MILE


def mph_to_metres_per_s(mph: float) -> float:
    return mph * KM_PER_MILE / KPH_PER_METRE_PER_S


def kph_to_mph(kph: float) -> float:
    return kph / KM_PER_MILE


def minutes_to_s(minutes: float) -> int:
    return int(round(minutes * SECONDS_PER_MINUTE))


def gbp_to_pence(gbp: float) -> int:
    return int(round(gbp * PENCE_PER_POUND))


def pence_to_gbp(pence: float) -> float:
    return pence / PENCE_PER_POUND


def gbp_per_mile_to_pence_per_km(gbp_per_mile: float) -> int:
    """A catalogue's price per mile as the solver's whole pence per kilometre."""
    return round(gbp_to_pence(gbp_per_mile) / KM_PER_MILE)


def clock_to_s(text: str) -> int:
    """'08:45' (or '08:45:00') -> seconds after midnight."""
    parts = str(text).strip().split(":")
    if len(parts) not in (2, 3) or not all(p.strip().isdigit() for p in parts):
        raise ValueError(f"not a time of day: {text!r}")
    h, m = int(parts[0]), int(parts[1])
    if not (0 <= h < 24 and 0 <= m < 60) or (len(parts) == 3 and not 0 <= int(parts[2]) < 60):
        raise ValueError(f"not a time of day: {text!r}")
    return h * SECONDS_PER_HOUR + m * SECONDS_PER_MINUTE


def s_to_clock(seconds: float) -> str:
    total = int(round(seconds))
    return f"{total // SECONDS_PER_HOUR:02d}:{(total % SECONDS_PER_HOUR) // SECONDS_PER_MINUTE:02d}"


def is_finite_number(value: object) -> bool:
    """True for an int or float that is neither NaN nor infinite (booleans are not numbers)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
