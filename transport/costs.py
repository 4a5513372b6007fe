"""Pricing: the annual cost of each optimised run and of each of today's contracts.

Both sides are priced with the same settings, so as-is and optimised can be set side by
side line by line: contract day prices (fixed plus per mile, dead mileage included),
passenger assistants (paid hours times rate with on-costs, unless the contract's day price
includes them), mileage allowances, travel passes and personal transport budgets,
annualised over the school days. Each run's or contract's price is shared among its riders,
each weighted by the part of the year they ride (equal shares when all ride all year). The
budget built from these prices is `transport.budget`'s job.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from transport.contracts import ANNUAL_KINDS, MILEAGE_ALLOWANCE, PERSONAL_BUDGET
from transport.fleet import RUNS_PER_DAY
from transport.optimise.problem import RoutingProblem
from transport.optimise.solution import Solution
from transport.outcomes import CONTRACT_FLAGS
from transport.scenarios import CostSettings
from transport.schemas import CONTRACT_FLAGS as FLAGS_TABLE
from transport.schemas import CONTRACTS_PRICED, PRICED_ROUTES, RIDE_SHARES
from transport.units import m_to_miles

#: England, pre-16 SEND home-to-school transport, spend per user 2025-26 (DfE data collection,
#: via shared/data/README.md): the figure a run's SEND cost per pupil is compared with.
NATIONAL_SEND_GBP_PER_USER = 8800.0

#: How a price is shared among the pupils it carries, as the budget states it.
SHARING_RULE = ("Each run's or contract's annual price is shared among the pupils it carries, each weighted by the part "
                "of the year they are eligible (equal shares when all ride all year); a pupil's cost is the sum of "
                "their shares of the morning and afternoon runs.")


@dataclass(frozen=True, slots=True)
class PlanCost:
    """A plan's priced lines (runs or contracts) and each rider's share of them, annual pounds."""

    routes: pd.DataFrame  # schemas.PRICED_ROUTES (optimised runs) or schemas.CONTRACTS_PRICED (today's)
    shares: pd.DataFrame  # schemas.RIDE_SHARES

    @property
    def contract_gbp(self) -> float:
        return float(self.routes["annual_gbp"].sum())

    @property
    def pupils(self) -> pd.DataFrame:
        """Each rider's shares summed over every run or contract they ride: pupil_id, annual_gbp, assistant_gbp."""
        return self.shares.groupby("pupil_id", as_index=False)[["annual_gbp", "assistant_gbp"]].sum()


def vehicle_run_gbp(daily_price_gbp: float, price_per_mile_gbp: float, distance_m: float, school_days: int) -> float:
    """A year of one run (AM or PM) of a vehicle: half the day price, plus its price per mile over
    every mile driven, depot to depot, on each school day."""
    return (daily_price_gbp / RUNS_PER_DAY + price_per_mile_gbp * m_to_miles(distance_m)) * school_days


def shared(ref: str, run: str, kind: str, operator: str, riders: list[str], total_gbp: float, assistant_gbp: float,
           weights: Mapping[str, float]) -> list[dict]:
    """Each rider's share of one priced run or contract (see SHARING_RULE)."""
    w = np.array([float(weights.get(p, 1.0)) for p in riders], dtype=float)
    if not len(w):
        return []
    if w.sum() <= 0:
        w = np.ones(len(riders))
    part = w / w.sum()
    return [{"pupil_id": p, "route_ref": ref, "run": run, "vehicle_type": kind, "operator": operator, "riders": round(float(w.sum()), 4),
             "annual_gbp": total_gbp * f, "assistant_gbp": assistant_gbp * f} for p, f in zip(riders, part, strict=True)]


def price_optimised(problems: dict[str, RoutingProblem], solutions: dict[str, Solution], vehicles: pd.DataFrame,
                    pupils: pd.DataFrame, settings: CostSettings) -> PlanCost:
    """Price the optimiser's AM and PM routes.

    An assistant costs paid hours times the hourly rate with on-costs, per run. Riders share a
    run's price by SHARING_RULE, weighted by `pupils`' share_of_year column where it has one.
    """
    weights = dict(zip(pupils["pupil_id"], pupils["share_of_year"], strict=True)) if "share_of_year" in pupils else {}
    rows, shares = [], []
    price: dict[tuple[str, str], dict] = {}
    for row in vehicles.to_dict("records"):
        price.setdefault((row["vehicle_type"], str(row["depot"])), row)
    for run in sorted(solutions):
        problem, solution = problems[run], solutions[run]
        types = {vt.name: vt for vt in problem.vehicle_types}
        requests = {r.request_id: r for r in problem.requests}
        for number, route in enumerate(solution.routes, start=1):
            vt = types[route.vehicle_type]
            row = price[(vt.catalogue_type, vt.depot)]
            locs = np.array([v.location for v in route.visits])
            metres = float(problem.distance_m[locs[:-1], locs[1:]].sum())
            vehicle_gbp = vehicle_run_gbp(row["daily_price_gbp"], row["price_per_mile_gbp"], metres, settings.school_days)
            assistant_gbp = settings.assistant_daily_gbp / RUNS_PER_DAY * settings.school_days if vt.has_assistant else 0.0
            aboard = list(dict.fromkeys(p for v in route.visits if v.request_id in requests for p in requests[v.request_id].members))
            ref = f"{run}-{number:03d}"
            rows.append({"route_ref": ref, "run": run, "vehicle_type": row["vehicle_type"], "depot": row["depot"],
                         "has_assistant": vt.has_assistant, "pupils": len(aboard), "miles_per_day": round(m_to_miles(metres), 2),
                         "vehicle_gbp": vehicle_gbp, "assistant_gbp": assistant_gbp, "mileage_gbp": 0.0,
                         "annual_gbp": vehicle_gbp + assistant_gbp})
            shares += shared(ref, run, row["vehicle_type"], str(row["depot"]), aboard, vehicle_gbp + assistant_gbp, assistant_gbp,
                             weights)
    return PlanCost(PRICED_ROUTES.frame(rows), RIDE_SHARES.frame(shares))


# --------------------------------------------------------------------------- as-is contracts


def price_contracts(contracts: pd.DataFrame, settings: CostSettings, out_of_area: set[str] = frozenset(),
                    weights: Mapping[str, float] | None = None) -> PlanCost:
    """Today's annual cost, reproduced from the contracts as they are priced.

    Operators' prices (day prices, travel passes) are scaled by the price multiplier; mileage
    allowances, personal transport budgets and assistants' pay are the council's own rates and
    are not. An assistant costs extra only when the day price does not include them.
    `out_of_area`: URNs of schools beyond the road network (their contracts are placements).
    """
    days = settings.school_days
    rows, shares = [], []
    for c in contracts.itertuples(index=False):
        kind = str(c.vehicle_type)
        vehicle, mileage = _vehicle_and_mileage(c, kind, settings)
        paid_on_top = bool(c.passenger_assistant) and not bool(getattr(c, "assistant_included", True))
        daily = c.assistant_daily_gbp if np.isfinite(c.assistant_daily_gbp) else settings.assistant_daily_gbp
        assistant = daily * days if paid_on_top else 0.0
        total = vehicle + assistant + mileage
        rows.append({"route_ref": c.route_ref, "operator": c.operator, "vehicle_type": kind, "school_urn": c.school_urn,
                     "out_of_area": str(c.school_urn) in out_of_area, "pupils": len(c.pupil_list),
                     "has_assistant": c.passenger_assistant, "assistant_included": bool(getattr(c, "assistant_included", True)),
                     "miles_per_day": c.miles_per_day, "vehicle_gbp": vehicle, "assistant_gbp": assistant, "mileage_gbp": mileage,
                     "annual_gbp": total, "end_date": getattr(c, "end_date", None), "notice_days": getattr(c, "notice_days", None)})
        shares += shared(c.route_ref, "AM+PM", kind, str(c.operator or kind), list(c.pupil_list), total, assistant, weights or {})
    return PlanCost(CONTRACTS_PRICED.frame(rows), RIDE_SHARES.frame(shares))


def _vehicle_and_mileage(c, kind: str, settings: CostSettings) -> tuple[float, float]:
    """A contract's price a year besides any assistant: (operator's price, mileage allowance)."""
    days, scale = settings.school_days, settings.price_multiplier
    if kind == MILEAGE_ALLOWANCE:
        miles = c.miles_per_day if np.isfinite(c.miles_per_day) else 0.0
        return 0.0, settings.mileage_allowance_gbp_per_mile * miles * days
    if kind in ANNUAL_KINDS:
        annual = c.annual_price_gbp if np.isfinite(c.annual_price_gbp) else c.daily_price_gbp * days
        return annual * (1.0 if kind == PERSONAL_BUDGET else scale), 0.0
    return c.daily_price_gbp * days * scale, 0.0


def solo_price(metres_per_day: Mapping[str, float], vehicles: pd.DataFrame, wheelchair: bool, assistant: bool,
               settings: CostSettings) -> dict | None:
    """The catalogue's solo estimate: the cheapest vehicle that can carry the pupil alone (a
    wheelchair space, a seat for an assistant), from the depot whose day (`metres_per_day`:
    depot -> home -> school -> depot and back, by depot name) prices lowest; a year of it, plus
    an assistant at the derived rate when one is needed. None when no vehicle fits."""
    days = settings.school_days
    fits = vehicles[(vehicles["seats"] >= 1 + int(assistant)) & (vehicles["wheelchair_spaces"] >= int(wheelchair))]
    best = None
    for row in fits.itertuples(index=False):
        metres = metres_per_day.get(str(row.depot), metres_per_day.get("", None))
        if metres is None or not np.isfinite(metres):
            continue
        day = row.daily_price_gbp + row.price_per_mile_gbp * m_to_miles(metres)
        if best is None or day < best["day_gbp"]:
            best = {"vehicle_type": row.vehicle_type, "depot": str(row.depot), "day_gbp": day, "miles_per_day": m_to_miles(metres)}
    if best is None:
        return None
    best["assistant_gbp"] = settings.assistant_daily_gbp * days if assistant else 0.0
    best["annual_gbp"] = best["day_gbp"] * days + best["assistant_gbp"]
    return best


def flag_contracts(contracts: pd.DataFrame, eligibility: pd.DataFrame) -> pd.DataFrame:
    """Contracts carrying pupils no longer eligible, and eligible pupils with no contract."""
    eligible = set(eligibility.loc[eligibility["eligible"], "pupil_id"])
    flagged = []
    carried = set()
    for c in contracts.itertuples(index=False):
        carried.update(c.pupil_list)
        gone = [p for p in c.pupil_list if p not in eligible]
        if gone:
            flagged.append({"route_ref": c.route_ref, "pupil_id": ";".join(gone), "flag": "NOT_ELIGIBLE",
                            "detail": f"{len(gone)} of {len(c.pupil_list)} pupils on this contract are not eligible now"})
    for p in sorted(eligible - carried):
        flagged.append({"route_ref": "", "pupil_id": p, "flag": "NO_CONTRACT", "detail": CONTRACT_FLAGS["NO_CONTRACT"]})
    holders: dict[str, list[str]] = {}
    for c in contracts.itertuples(index=False):
        for p in c.pupil_list:
            holders.setdefault(p, []).append(c.route_ref)
    for p, refs in sorted(holders.items()):
        if len(refs) > 1:
            flagged.append({"route_ref": ";".join(refs), "pupil_id": p, "flag": "ON_TWO_CONTRACTS",
                            "detail": f"{CONTRACT_FLAGS['ON_TWO_CONTRACTS'].rstrip('.')} ({', '.join(refs)})."})
    return FLAGS_TABLE.frame(flagged)
