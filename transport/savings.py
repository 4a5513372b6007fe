"""The savings plan: per contract today, what replaces it, what it saves, and when it can land.

A contract's saving is its pupils' cost today minus their cost in the optimised plan (each
pupil's optimised cost split over their contracts in proportion to today's shares), so the
plan adds up to the baseline minus the optimised plan. It lands only when the contract can be
re-let: the day after its end date, or after notice served on the first day of year 1 if that
is sooner, never before year 1 (year 0 is the baseline), and not before any new provision its
pupils move to opens. A contract with neither an end date nor a notice period is counted in no
year. Savings by financial year count only what has landed by then, pro rata by school days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from transport.mtfs import SEGMENTS, financial_year, financial_year_of, landed_share, year_start
from transport.schemas import SAVINGS_PHASING, SAVINGS_PLAN


@dataclass(frozen=True)
class Savings:
    """The plan (one row per contract, and one for pupils on no contract) and its phasing."""

    plan: pd.DataFrame  # schemas.SAVINGS_PLAN
    phasing: pd.DataFrame  # schemas.SAVINGS_PHASING

    def by_year(self, years: int) -> dict[str, np.ndarray]:
        """Landed savings at today's prices by segment, years 0..N (year 0 is always 0)."""
        out = {}
        for segment in SEGMENTS:
            mine = self.phasing[self.phasing["segment"] == segment]
            out[segment] = mine.groupby("year")["saving_gbp"].sum().reindex(range(years + 1), fill_value=0.0).to_numpy(float)
        return out


def relet_date(end_date: dt.date | None, notice_days: int | None, plan_start: dt.date) -> dt.date | None:
    """The first day a contract can be re-let (None when neither its end nor a notice is known)."""
    candidates = []
    if end_date is not None and not pd.isna(end_date):
        candidates.append(end_date + dt.timedelta(days=1))
    if notice_days is not None and not pd.isna(notice_days):
        candidates.append(plan_start + dt.timedelta(days=int(notice_days)))
    return max(plan_start, min(candidates)) if candidates else None


def savings_plan(lines: pd.DataFrame, today_shares: pd.DataFrame, contracts: pd.DataFrame | None, run_refs: set[str],
                 openings: dict[str, dt.date], first_year: int, years: int) -> Savings:
    """The plan from the budget's pupil lines and today's shares. `contracts`: today's contracts
    priced (schemas.CONTRACTS_PRICED); `run_refs`: the optimised runs; `openings`: pupil -> the
    day the new provision they move to opens."""
    plan_start = year_start(first_year, 1)
    shares = today_shares.merge(lines, on="pupil_id")
    part = np.where(shares["today_annual_gbp"] > 0, shares["annual_gbp"] / shares["today_annual_gbp"].where(shares["today_annual_gbp"] > 0, 1), 0)
    shares = shares.assign(optimised_part=shares["optimised_annual_gbp"] * part)
    priced = contracts.set_index("route_ref") if contracts is not None and len(contracts) else None
    rows = [_contract_row(ref, group, priced.loc[ref] if priced is not None else None, run_refs, openings, plan_start,
                          first_year) for ref, group in shares.groupby("route_ref", sort=False)]
    loose = lines[lines["needs_transport"] & lines["today_refs"].eq("")]
    if len(loose):
        rows.append(_no_contract_row(loose, run_refs, plan_start, first_year))
    plan = SAVINGS_PLAN.frame(rows)
    phasing = []
    for row in plan.itertuples(index=False):
        relet = None if row.relet_from in ("", None) or pd.isna(row.relet_from) else row.relet_from
        for k in range(1, years + 1):
            share = landed_share(relet, first_year + k)
            phasing.append({"route_ref": row.route_ref, "segment": row.segment, "financial_year": financial_year(first_year + k),
                            "year": k, "landed_share": share, "saving_gbp": row.annual_saving_gbp * share})
    return Savings(plan, SAVINGS_PHASING.frame(phasing))


def _runs(refs: pd.Series, run_refs: set[str]) -> list[str]:
    """The optimised runs among ';'-joined references."""
    return sorted({r for cell in refs for r in str(cell).split(";") if r in run_refs})


def _contract_row(ref: str, group: pd.DataFrame, contract: pd.Series | None, run_refs: set[str],
                  openings: dict[str, dt.date], plan_start: dt.date, first_year: int) -> dict:
    """One contract's line of the plan."""
    today, optimised = float(group["annual_gbp"].sum()), float(group["optimised_part"].sum())
    end = contract["end_date"] if contract is not None else None
    notice = contract["notice_days"] if contract is not None else None
    out_of_area = bool(contract["out_of_area"]) if contract is not None else False
    moved = [openings[p] for p in group["pupil_id"] if p in openings]
    flags = []
    relet = relet_date(end, notice, plan_start)
    if relet is not None and moved:
        relet = max([relet, *moved])
    if out_of_area and not moved:
        flags, relet, optimised = ["OUT_OF_AREA"], None, today
    elif relet is None:
        flags.append("NO_END_DATE")
    if today - optimised < -0.005:
        flags.append("COSTS_MORE")
    if not group["needs_transport"].astype(bool).all():
        flags.append("NOT_ELIGIBLE_CARRIED")
    return _row(ref, contract, group, today, optimised, _runs(group["optimised_refs"], run_refs), end, notice, relet,
                first_year, flags)


def _no_contract_row(loose: pd.DataFrame, run_refs: set[str], plan_start: dt.date, first_year: int) -> dict:
    """Pupils on no contract today: their solo estimate today against the optimised plan."""
    today, optimised = float(loose["today_annual_gbp"].sum()), float(loose["optimised_annual_gbp"].sum())
    flags = ["NO_CONTRACT"] + (["COSTS_MORE"] if today - optimised < -0.005 else [])
    return _row("", None, loose, today, optimised, _runs(loose["optimised_refs"], run_refs), None, None, plan_start,
                first_year, flags)


def _row(ref: str, contract: pd.Series | None, group: pd.DataFrame, today: float, optimised: float, runs: list[str],
         end, notice, relet: dt.date | None, first_year: int, flags: list[str]) -> dict:
    """A line of the plan with its action in words."""
    saving = today - optimised
    ride_today = group["ride_today_min"].astype(float).mean()
    ride_optimised = group["ride_optimised_min"].astype(float).mean()
    segment = "send" if group["send"].astype(bool).mean() >= 0.5 else "mainstream"
    first = financial_year(financial_year_of(relet)) if relet is not None else ""
    if "OUT_OF_AREA" in flags:
        action = "Keep: an out-of-area placement, priced from its contract."
    elif relet is None:
        action = "Find the contract's end date or notice period: until then the saving is in no year."
    elif "COSTS_MORE" in flags:
        action = f"Review before re-letting: its pupils cost £{-saving:,.0f} a year more on the optimised runs."
    elif not ref:
        action = f"Arrange these pupils on the optimised runs from {relet.isoformat()}."
    else:
        action = f"Re-let from {relet.isoformat()} as the optimised runs listed: saves £{saving:,.0f} a full year."
    return {"route_ref": ref, "operator": "" if contract is None else contract["operator"],
            "vehicle_type": "solo_estimate" if contract is None else contract["vehicle_type"],
            "school_urn": "" if contract is None else contract["school_urn"], "segment": segment, "pupils": len(group),
            "today_annual_gbp": today, "replacement_runs": ";".join(runs), "optimised_annual_gbp": optimised,
            "annual_saving_gbp": saving, "end_date": end, "notice_days": notice, "relet_from": relet, "first_year": first,
            "ride_today_min": None if np.isnan(ride_today) else round(float(ride_today), 1),
            "ride_optimised_min": None if np.isnan(ride_optimised) else round(float(ride_optimised), 1),
            "ride_change_min": None if np.isnan(ride_today) or np.isnan(ride_optimised) else round(float(ride_optimised - ride_today), 1),
            "flag": ";".join(dict.fromkeys(flags)), "action": action}
