"""The vehicle catalogue as the solver's fleet: each row with and without a passenger assistant.

Prices are in the solver's pence. A contract's day price covers the morning and the
afternoon run, so each run carries half of it; the price per mile becomes pence per km.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from transport.optimise.problem import Request, VehicleType
from transport.units import gbp_per_mile_to_pence_per_km, gbp_to_pence

RUNS_PER_DAY = 2


@dataclass(frozen=True, slots=True)
class FleetPrices:
    """What turns the catalogue into solver costs besides the catalogue itself."""

    assistant_daily_gbp: float  # the derived rate, CostSettings.assistant_daily_gbp
    assistants_available: int | None = None  # a limit on assistants that can be hired, when there is one


def fleet(vehicles: pd.DataFrame, locations: pd.DataFrame, requests: tuple[Request, ...], prices: FleetPrices,
          max_vehicles_per_row: int | None = None) -> tuple[VehicleType, ...]:
    """Vehicle variants for one run: each catalogue row without an assistant and, when some
    request needs one, with one (a seat fewer, the assistant's day price added). Both variants
    draw on the row's one `available` count (the vehicle's `pool`)."""
    depot_loc = {(r.lat, r.lon): int(r.location) for r in locations[locations["kind"] == "depot"].itertuples(index=False)}
    anywhere = locations.index[locations["kind"] == "anywhere"]
    need_pa = any(r.needs_assistant for r in requests)
    cap = max_vehicles_per_row or len(requests)
    types: list[VehicleType] = []
    for row in vehicles.itertuples(index=False):
        start = depot_loc.get((row.depot_lat, row.depot_lon), int(anywhere[0]) if len(anywhere) else 0)
        available = int(row.available)
        common = {"catalogue_type": row.vehicle_type, "depot": str(row.depot), "seats": int(row.seats),
                  "wheelchair_spaces": int(row.wheelchair_spaces), "cost_per_km": gbp_per_mile_to_pence_per_km(row.price_per_mile_gbp),
                  "start": start, "end": start, "pool_size": available}
        common["pool"] = VehicleType(**common).name
        types.append(VehicleType(**common, count=min(available, cap), has_assistant=False,
                                 fixed_cost=gbp_to_pence(row.daily_price_gbp / RUNS_PER_DAY)))
        with_pa = min(available, cap, prices.assistants_available if prices.assistants_available is not None else available)
        if need_pa and with_pa > 0 and row.seats > 1:
            types.append(VehicleType(**common, count=with_pa, has_assistant=True,
                                     fixed_cost=gbp_to_pence((row.daily_price_gbp + prices.assistant_daily_gbp) / RUNS_PER_DAY)))
    return tuple(t for t in types if t.count > 0)
