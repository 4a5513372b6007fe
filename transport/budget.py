"""The budget a finance partner can sign: today's actual cost, every pupil costed, savings phased.

The baseline is the actual annual cost of today's arrangements for the current cohort: today's
contracts (the assistant counted once), mileage allowances, passes, personal transport
budgets, out-of-area placements (priced from their contracts, never routed) and in-year
starters on no contract (the catalogue's solo estimate, flagged), plus the transport team as
a fixed cost. Realignment is the baseline minus today's budget line. Every pupil needing
transport is costed under both plans in one table (budget/pupils.csv); every breakdown is a
sum of it. The savings plan (`transport.savings`) and the MTFS forecast (`transport.mtfs`)
start from that table.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from transport.costs import (
    NATIONAL_SEND_GBP_PER_USER,
    SHARING_RULE,
    PlanCost,
    flag_contracts,
    price_contracts,
    price_optimised,
    solo_price,
)
from transport.mtfs import Outlook, forecast, roll_forward, segment_of
from transport.optimise.problem import RoutingProblem
from transport.optimise.solution import Solution, rides_s
from transport.placements import road_m
from transport.savings import Savings, savings_plan
from transport.schemas import BUDGET_PUPILS, MOVES, breakdown_table

log = logging.getLogger(__name__)

#: Arrangement names for pupils with no contract.
SOLO_ESTIMATE = "solo_estimate"
NONE = "none"


@dataclass(frozen=True)
class Costs:
    """A run priced and budgeted: both plans, every pupil, the savings plan and the forecast."""

    optimised: PlanCost
    as_is: PlanCost | None  # today's contracts priced (None when there are none)
    contracts: pd.DataFrame | None
    flags: pd.DataFrame  # schemas.CONTRACT_FLAGS
    pupils: pd.DataFrame  # schemas.BUDGET_PUPILS
    savings: Savings
    outlook: Outlook
    figures: dict = field(default_factory=dict)  # baseline, optimised, budget line, overhead, first year
    headline: dict = field(default_factory=dict)  # summary.json's cost figures
    generated: dict[str, pd.DataFrame] = field(default_factory=dict)  # the demo's synthetic contracts, as written


@dataclass(frozen=True)
class Context:
    """What pricing a pupil needs from the run: boarding and school locations, the matrices,
    depots, the catalogue, and where pupils and schools are."""

    board: dict[str, int]  # pupil -> location (home or pick-up point)
    school_loc: dict[str, int]  # URN -> location
    depots: dict[str, int]  # depot name -> location
    time_s: np.ndarray
    distance_m: np.ndarray
    vehicles: pd.DataFrame
    pupils: pd.DataFrame  # inputs.pupils, by pupil_id
    schools: pd.DataFrame  # inputs.schools, by URN


def share_of_year(eligibility: pd.DataFrame) -> dict[str, float]:
    """Each pupil's part of the year eligible: eligibility's eligible_share_of_year, 1 when absent."""
    if "eligible_share_of_year" not in eligibility:
        return dict.fromkeys(eligibility["pupil_id"], 1.0)
    values = pd.to_numeric(eligibility["eligible_share_of_year"], errors="coerce").fillna(1.0).clip(0, 1)
    return dict(zip(eligibility["pupil_id"], values, strict=True))


def cost_run(scenario, inputs, eligibility: pd.DataFrame, demand, problems: dict[str, RoutingProblem],
             solutions: dict[str, Solution], time_s: np.ndarray, distance_m: np.ndarray,
             moves: pd.DataFrame | None = None, beyond: set[str] = frozenset(), today: Costs | None = None) -> Costs:
    """Price both plans, cost every pupil, and build the savings plan and the forecast. `today`,
    the same run priced before with other routes, gives the demo's synthetic contracts as made
    then (they depend on the pupils, not on the routes)."""
    from transport.mtfs import financial_year

    settings, moves = scenario.costs, MOVES.frame() if moves is None else moves
    shares = share_of_year(eligibility)
    eligible = set(eligibility.loc[eligibility["eligible"].astype(bool), "pupil_id"])
    people = demand.pupils[["pupil_id"]].assign(share_of_year=demand.pupils["pupil_id"].map(shares).fillna(1.0))
    optimised = price_optimised(problems, solutions, inputs.vehicles, people, settings)
    contracts, generated = inputs.contracts, {}
    if scenario.data.contracts == "synthetic" and today is not None:
        generated, contracts = dict(today.generated), today.contracts
    elif scenario.data.contracts == "synthetic":
        from transport.today import synthetic_today

        generated["contracts.csv"], contracts = synthetic_today(scenario, inputs, eligibility, demand, problems, moves, beyond)
    weights = {p: (shares.get(p, 1.0) if p in eligible else 1.0) for p in inputs.pupils["pupil_id"]}
    as_is = price_contracts(contracts, settings, beyond, weights) if contracts is not None else None
    if contracts is None:
        log.warning("No contracts file: today's cost of every pupil is the catalogue's solo estimate")
    context = _context(inputs, demand, time_s, distance_m)
    lines = pupil_lines(eligible, shares, as_is, optimised, problems, solutions, context, moves, beyond, settings,
                        contracts, scenario.policy)
    first_year = scenario.budget.first_year or scenario.policy.academic_year_start
    openings = _openings(scenario, moves, first_year)
    run_refs = set(optimised.routes["route_ref"])
    plan = savings_plan(lines, as_is.shares if as_is is not None else _no_shares(), as_is.routes if as_is else None,
                        run_refs, openings, first_year, scenario.forecast.years)
    overhead = scenario.budget.staff_overhead_gbp
    baseline = float(lines["today_annual_gbp"].sum()) + overhead
    cohort = roll_forward(inputs.pupils, lines, scenario.forecast.years, scenario.forecast.intake_change, first_year)
    outlook = forecast(cohort, _assistant_share(lines, inputs.pupils), overhead, plan.by_year(scenario.forecast.years),
                       scenario.forecast, first_year, baseline)
    figures = {"baseline_gbp": baseline, "optimised_gbp": float(lines["optimised_annual_gbp"].sum()) + overhead,
               "current_budget_gbp": scenario.budget.current_gbp, "staff_overhead_gbp": overhead, "first_year": first_year,
               "first_financial_year": financial_year(first_year)}
    costs = Costs(optimised, as_is, contracts, flag_contracts(contracts, eligibility) if contracts is not None else
                  _no_flags(), lines, plan, outlook, figures, {}, generated)
    return _with_headline(costs, inputs.pupils)


def _no_shares() -> pd.DataFrame:
    from transport.schemas import RIDE_SHARES

    return RIDE_SHARES.frame()


def _no_flags() -> pd.DataFrame:
    from transport.schemas import CONTRACT_FLAGS

    return CONTRACT_FLAGS.frame()


def _openings(scenario, moves: pd.DataFrame, first_year: int) -> dict[str, dt.date]:
    """Pupil -> the September day the new provision they move to opens (default: year 1's)."""
    opens = {p.urn: dt.date(p.opens_year or first_year + 1, 9, 1) for p in scenario.new_provision}
    return {m.pupil_id: opens[m.to_urn] for m in moves.itertuples(index=False) if m.to_urn in opens}


def _context(inputs, demand, time_s: np.ndarray, distance_m: np.ndarray) -> Context:
    locations = demand.locations
    return Context(board=dict(zip(demand.pupils["pupil_id"], demand.pupils["location"].astype(int), strict=True)),
                   school_loc={str(r.ref): int(r.location) for r in locations[locations["kind"] == "school"].itertuples()},
                   depots={str(r.ref): int(r.location) for r in locations[locations["kind"] == "depot"].itertuples()},
                   time_s=time_s, distance_m=distance_m, vehicles=inputs.vehicles,
                   pupils=inputs.pupils.set_index("pupil_id"), schools=inputs.schools.set_index(inputs.schools["urn"].astype(str)))


# --------------------------------------------------------------------------- solo estimates and rides


def solo_estimate(pupil_id: str, urn: str, context: Context, settings) -> dict | None:
    """The catalogue's solo estimate for one pupil to school `urn`: over the network's distances
    when both are on it, else over estimated road distances (a school beyond the network)."""
    pupil = context.pupils.loc[pupil_id]
    if pupil_id in context.board and urn in context.school_loc:
        home, school, d = context.board[pupil_id], context.school_loc[urn], context.distance_m
        metres = {}
        for row in context.vehicles.itertuples(index=False):
            depot = context.depots.get(str(row.depot or "depot")) if np.isfinite(row.depot_lat) else None
            metres[str(row.depot)] = (float(d[home, school] + d[school, home]) if depot is None else
                                      float(d[depot, home] + d[home, school] + d[school, depot]
                                            + d[depot, school] + d[school, home] + d[home, depot]))
    else:
        school = context.schools.loc[urn]
        to_school = float(road_m(pupil["lat"], pupil["lon"], school["lat"], school["lon"]))
        metres = {}
        for row in context.vehicles.itertuples(index=False):
            if not np.isfinite(row.depot_lat):
                metres[str(row.depot)] = 2 * to_school
                continue
            to_home = float(road_m(row.depot_lat, row.depot_lon, pupil["lat"], pupil["lon"]))
            back = float(road_m(school["lat"], school["lon"], row.depot_lat, row.depot_lon))
            metres[str(row.depot)] = 2 * (to_home + to_school + back)
    return solo_price(metres, context.vehicles, bool(pupil.get("wheelchair", False)),
                      bool(pupil.get("passenger_assistant", False)), settings)


def rides_today(contracts: pd.DataFrame | None, context: Context, boarding_s: float) -> dict[str, float]:
    """Estimated morning ride today, minutes: a contract's pick-ups taken farthest from school first,
    each pupil riding from their pick-up to school (boarding time at each later stop); a mileage
    allowance drives straight to school. Contracts to schools beyond the network are not estimated."""
    from transport.contracts import ANNUAL_KINDS, MILEAGE_ALLOWANCE

    rides: dict[str, float] = {}
    if contracts is None:
        return rides
    t = context.time_s
    for c in contracts.itertuples(index=False):
        school = context.school_loc.get(str(c.school_urn))
        riders = [p for p in c.pupil_list if p in context.board]
        if school is None or not riders or c.vehicle_type in ANNUAL_KINDS:
            continue
        stops = sorted(dict.fromkeys(context.board[p] for p in riders), key=lambda s: -t[s, school])
        if c.vehicle_type == MILEAGE_ALLOWANCE:
            stops = stops[:1]
        ahead = {}
        for i, s in enumerate(stops):
            ahead[s] = sum(float(t[a, b]) + boarding_s for a, b in zip(stops[i:-1], stops[i + 1:], strict=True)) + float(t[stops[-1], school])
        for p in riders:
            rides.setdefault(p, round(ahead[context.board[p]] / 60, 1))
    return rides


def rides_optimised(problems: dict[str, RoutingProblem], solutions: dict[str, Solution]) -> dict[str, float]:
    """Morning ride on the optimised run, minutes, by pupil."""
    if "AM" not in solutions:
        return {}
    members = {r.request_id: r.members for r in problems["AM"].requests}
    return {p: round(s / 60, 1) for rid, s in rides_s(solutions["AM"]).items() for p in members.get(rid, ())}


def unserved_by_run(problems: dict[str, RoutingProblem], solutions: dict[str, Solution]) -> dict[str, set[str]]:
    """Pupils each run left unserved."""
    out = {}
    for run, solution in solutions.items():
        members = {r.request_id: r.members for r in problems[run].requests}
        out[run] = {p for u in solution.unserved for p in members.get(u.request_id, ())}
    return out


# --------------------------------------------------------------------------- every pupil, both plans


def _grouped(shares: pd.DataFrame) -> dict[str, list[dict]]:
    """Each pupil's shares summed by run (largest share first): cost, assistant part, references,
    the kind and operator of the largest share, and the basis in words."""
    groups: dict[tuple[str, str], dict] = {}
    for rec in sorted(shares.to_dict("records"), key=lambda r: -r["annual_gbp"]):
        group = groups.setdefault((rec["pupil_id"], rec["run"]), {
            "pupil_id": rec["pupil_id"], "run": rec["run"], "annual_gbp": 0.0, "assistant_gbp": 0.0, "refs": [],
            "kind": rec["vehicle_type"], "operator": rec["operator"], "basis": []})
        group["annual_gbp"] += rec["annual_gbp"]
        group["assistant_gbp"] += rec["assistant_gbp"]
        group["refs"].append(rec["route_ref"])
        group["basis"].append(f"{rec['route_ref']} (£{rec['annual_gbp']:,.0f} a year, its price shared by {rec['riders']:g} riders)")
    by_pupil: dict[str, list[dict]] = {}
    for (pid, _), group in sorted(groups.items(), key=lambda item: item[0]):
        by_pupil.setdefault(pid, []).append(dict(group, refs=";".join(group["refs"]), basis="; ".join(group["basis"])))
    return by_pupil


def pupil_lines(eligible: set[str], shares: dict[str, float], as_is: PlanCost | None, optimised: PlanCost,
                problems: dict[str, RoutingProblem], solutions: dict[str, Solution], context: Context,
                moves: pd.DataFrame, beyond: set[str], settings, contracts: pd.DataFrame | None, policy) -> pd.DataFrame:
    """One row per pupil needing transport, and per pupil carried today who does not (schemas.BUDGET_PUPILS)."""
    today = _grouped(as_is.shares if as_is is not None else _no_shares())
    plan = _grouped(optimised.shares)
    runs = sorted(solutions)
    unserved = unserved_by_run(problems, solutions)
    ride_today = rides_today(contracts, context, policy.boarding_minutes * 60)
    ride_optimised = rides_optimised(problems, solutions)
    moved_from = dict(zip(moves["pupil_id"], moves["from_urn"].astype(str), strict=True))
    info = context.pupils.assign(segment=segment_of(context.pupils.reset_index()).to_numpy()).to_dict("index")
    rows = []
    for pid in sorted(eligible | set(today)):
        pupil = info[pid]
        placed = str(pupil["school_urn"]) in beyond
        row = {"pupil_id": pid, "needs_transport": pid in eligible, "send": pupil["segment"] == "send", "age": pupil["age"],
               "today_school_urn": moved_from.get(pid, str(pupil["school_urn"])), "school_urn": str(pupil["school_urn"]),
               "need": str(pupil.get("send_need", "") or "") or NONE, "share_of_year": shares.get(pid, 1.0) if pid in eligible else 1.0,
               "ride_today_min": ride_today.get(pid), "ride_optimised_min": ride_optimised.get(pid)}
        flags = ["MOVED_TO_NEW_PROVISION"] if pid in moved_from else []
        fallback = _today_part(pid, today.get(pid, []), row, flags, context, settings, placed)
        if row["needs_transport"]:
            missing = [r for r in runs if placed or pid in unserved.get(r, set()) or r not in {x["run"] for x in plan.get(pid, [])}]
            served = [] if placed else [x for x in plan.get(pid, []) if x["run"] not in missing]
            if missing and fallback["kind"] == "solo" and row["school_urn"] != row["today_school_urn"]:
                fallback = _today_part(pid, [], dict(row, today_school_urn=row["school_urn"]), [], context, settings, placed)
            _optimised_part(served, missing, runs, fallback, row, flags, placed)
        else:
            row.update(optimised_mode=NONE, optimised_refs="", optimised_operator="", optimised_annual_gbp=0.0,
                       optimised_assistant_gbp=0.0, optimised_basis="not eligible: no transport")
            flags.append("NOT_ELIGIBLE_CARRIED")
        row["change_gbp"] = row["optimised_annual_gbp"] - row["today_annual_gbp"]
        row["flag"] = ";".join(dict.fromkeys(flags))
        row["basis"] = f"Today: {row.pop('today_basis')}. Optimised: {row.pop('optimised_basis')}."
        rows.append(row)
    return BUDGET_PUPILS.frame(rows)


def _today_part(pid: str, shares: list[dict], row: dict, flags: list[str], context: Context, settings, placed: bool) -> dict:
    """Today's cost of one pupil: their contract shares, else the solo estimate (flagged). Returns
    the arrangement the optimised plan falls back on for a run it does not serve."""
    if shares:
        row.update(today_mode=shares[0]["kind"], today_refs=";".join(s["refs"] for s in shares),
                   today_operator=shares[0]["operator"], today_annual_gbp=float(sum(s["annual_gbp"] for s in shares)),
                   today_assistant_gbp=float(sum(s["assistant_gbp"] for s in shares)),
                   today_basis="share of " + "; ".join(s["basis"] for s in shares))
        if placed:
            flags.append("OUT_OF_AREA")
        return {"mode": row["today_mode"], "refs": row["today_refs"], "operator": row["today_operator"],
                "annual_gbp": row["today_annual_gbp"], "assistant_gbp": row["today_assistant_gbp"], "kind": "today"}
    estimate = solo_estimate(pid, row["today_school_urn"], context, settings) if row["needs_transport"] else None
    share = row["share_of_year"]
    if estimate is None:
        row.update(today_mode=NONE, today_refs="", today_operator="", today_annual_gbp=np.nan, today_assistant_gbp=np.nan,
                   today_basis="no contract, and no catalogue vehicle can carry the pupil alone")
        flags.append("NOT_COSTED")
        return {"mode": NONE, "refs": "", "operator": "", "annual_gbp": np.nan, "assistant_gbp": np.nan, "kind": "none"}
    row.update(today_mode=SOLO_ESTIMATE, today_refs="", today_operator=f"{estimate['depot']} ({estimate['vehicle_type']})",
               today_annual_gbp=estimate["annual_gbp"] * share, today_assistant_gbp=estimate["assistant_gbp"] * share,
               today_basis=(f"no contract: solo {estimate['vehicle_type']} from {estimate['depot']}, "
                            f"{estimate['miles_per_day']:.1f} miles a day, x {share:.2f} of the year"))
    flags.append("OUT_OF_AREA_NO_CONTRACT" if placed else "NO_CONTRACT_TODAY")
    return {"mode": SOLO_ESTIMATE, "refs": "", "operator": row["today_operator"], "annual_gbp": row["today_annual_gbp"],
            "assistant_gbp": row["today_assistant_gbp"], "kind": "solo"}


def _optimised_part(served: list[dict], missing: list[str], runs: list[str], fallback: dict, row: dict, flags: list[str],
                    placed: bool) -> None:
    """The optimised plan's cost of one pupil needing transport: their shares of the runs that
    serve them; for each run that does not (every run, for a placement), its part of today's
    arrangement or of the solo estimate."""
    part = len(missing) / len(runs) if runs else 1.0
    if missing and not placed:
        flags.append("UNROUTED_KEEPS_TODAY" if fallback["kind"] == "today" else "UNROUTED_SOLO_ESTIMATE")
    refs = [s["refs"] for s in served] + ([fallback["refs"]] if missing and fallback["refs"] else [])
    first = served[0] if served else None
    row.update(optimised_mode=first["kind"] if first else fallback["mode"], optimised_refs=";".join(refs),
               optimised_operator=first["operator"] if first else fallback["operator"],
               optimised_annual_gbp=sum(s["annual_gbp"] for s in served) + (fallback["annual_gbp"] * part if missing else 0.0),
               optimised_assistant_gbp=sum(s["assistant_gbp"] for s in served) + (fallback["assistant_gbp"] * part if missing else 0.0))
    parts = ["share of " + "; ".join(s["basis"] for s in served)] if served else []
    if missing:
        kept = "keeps today's arrangement" if fallback["kind"] == "today" else "solo estimate"
        parts.append(kept + ("" if placed or not runs else f" for {len(missing)} of {len(runs)} runs"))
    row["optimised_basis"] = "; ".join(parts)


# --------------------------------------------------------------------------- breakdowns and headline


def _assistant_share(lines: pd.DataFrame, pupils: pd.DataFrame) -> dict[str, float]:
    """Each segment's share of today's cost that pays assistants on top of day prices."""
    seg = lines["send"].map({True: "send", False: "mainstream"})
    out = {}
    for segment in ("send", "mainstream"):
        total = float(lines.loc[seg == segment, "today_annual_gbp"].sum())
        out[segment] = float(lines.loc[seg == segment, "today_assistant_gbp"].sum()) / total if total else 0.0
    return out


BREAKDOWNS = {"school": ("today_school_urn", "school_urn"), "need": ("need", "need"), "mode": ("today_mode", "optimised_mode"),
              "operator": ("today_operator", "optimised_operator")}


def breakdown(lines: pd.DataFrame, by: str, schools: pd.DataFrame | None = None) -> pd.DataFrame:
    """Annual cost and pupils by school, need, mode or operator: today's beside the optimised plan's,
    each a sum of budget/pupils.csv."""
    today_col, plan_col = BREAKDOWNS[by]
    name = "school_urn" if by == "school" else by
    today = lines[lines["today_annual_gbp"].fillna(0) > 0].groupby(today_col).agg(
        today_pupils=("pupil_id", "size"), today_annual_gbp=("today_annual_gbp", "sum"))
    plan = lines[lines["optimised_annual_gbp"].fillna(0) > 0].groupby(plan_col).agg(
        optimised_pupils=("pupil_id", "size"), optimised_annual_gbp=("optimised_annual_gbp", "sum"))
    table = today.join(plan, how="outer").fillna(0.0).rename_axis(name).reset_index()
    table["change_gbp"] = table["optimised_annual_gbp"] - table["today_annual_gbp"]
    extra = ()
    if by == "school" and schools is not None:
        from transport.schemas import SCHOOLS_USED

        names = schools.assign(school_urn=schools["urn"].astype(str))[["school_urn", "name"]]
        table = table.merge(names, on="school_urn", how="left")
        extra = (SCHOOLS_USED.column("name"),)
    spec = breakdown_table(name, extra)
    table = table.astype({"today_pupils": int, "optimised_pupils": int})
    return spec.ordered(table.sort_values("today_annual_gbp", ascending=False).reset_index(drop=True))


def per_pupil(lines: pd.DataFrame, column: str) -> float:
    """Cost per pupil costed in `column`: pupils with no cost are left out of both the sum and the count."""
    costed = lines[lines[column] > 0]
    return float(costed[column].sum()) / len(costed) if len(costed) else 0.0


def _with_headline(costs: Costs, pupils: pd.DataFrame) -> Costs:
    """summary.json's cost figures, and its `budget` object."""
    lines, figures, table = costs.pupils, costs.figures, costs.outlook.table
    needing = lines[lines["needs_transport"]]
    costed = needing[(needing["today_annual_gbp"] > 0) & (needing["optimised_annual_gbp"] > 0)]
    send_pre16 = needing[needing["send"] & (needing["age"] <= 15)]
    budget_line = figures["current_budget_gbp"]
    budget = {
        "baseline_annual_gbp": round(figures["baseline_gbp"], 2),
        "optimised_annual_gbp": round(figures["optimised_gbp"], 2),
        "current_budget_gbp": None if budget_line is None else round(float(budget_line), 2),
        "realignment_gbp": None if budget_line is None else round(figures["baseline_gbp"] - float(budget_line), 2),
        "pupils_costed": int(len(costed)),
        "pupils_needing_transport": int(len(needing)),
        "forecast": [{"financial_year": r.financial_year, "p10_gbp": round(r.p10_gbp, 2), "p50_gbp": round(r.p50_gbp, 2),
                      "p90_gbp": round(r.p90_gbp, 2), "savings_gbp": round(r.savings_gbp, 2)} for r in table.itertuples(index=False)],
    }
    per = max(1, len(costed))
    headline = {
        "annual_cost_gbp": round(figures["optimised_gbp"], 2),
        "annual_contract_gbp": round(float(lines["optimised_annual_gbp"].sum()), 2),
        "annual_overhead_gbp": round(figures["staff_overhead_gbp"], 2),
        "cost_per_transported_pupil_gbp": round(float(costed["optimised_annual_gbp"].sum()) / per, 2),
        "as_is_annual_cost_gbp": round(figures["baseline_gbp"], 2),
        "saving_vs_as_is_gbp": round(figures["baseline_gbp"] - figures["optimised_gbp"], 2),
        "send_pre16_cost_per_pupil_today_gbp": round(per_pupil(send_pre16, "today_annual_gbp"), 2),
        "send_pre16_cost_per_pupil_optimised_gbp": round(per_pupil(send_pre16, "optimised_annual_gbp"), 2),
        "national_send_cost_per_user_gbp": NATIONAL_SEND_GBP_PER_USER,
        "assistant_cost_gbp": round(float(costs.optimised.routes["assistant_gbp"].sum()), 2),
        "contracts_flagged": int((costs.flags["flag"] == "NOT_ELIGIBLE").sum()),
        "eligible_pupils_without_contract": int((costs.flags["flag"] == "NO_CONTRACT").sum()),
        "sharing_rule": SHARING_RULE,
        "budget": budget,
    }
    from dataclasses import replace

    return replace(costs, headline=headline)


# --------------------------------------------------------------------------- the summary, read first

PUBLISHED_SAVINGS = ("Published re-optimisation savings are 5-15% of contract spend (QRoutes: 10-15% on Kent County "
                     "Council's contracts).")


def summary_lines(costs: Costs, years: int) -> list[tuple[str, str, object, str]]:
    """The summary's lines in the order they are read: (key, line, value, note). Realignment first."""
    f, lines, table = costs.figures, costs.pupils, costs.outlook.table
    needing = lines[lines["needs_transport"]]
    send = needing[needing["send"] & (needing["age"] <= 15)]
    budget_line = f["current_budget_gbp"]
    saving = f["baseline_gbp"] - f["optimised_gbp"]
    out = [
        ("realignment", "Realignment: today's actual cost minus the budget line",
         None if budget_line is None else f["baseline_gbp"] - budget_line,
         "Positive: the budget line is short of what today's arrangements cost by this much." if budget_line is not None
         else "No budget line given ([budget] current_gbp)."),
        ("current_budget", "Current budget line", budget_line, "Scenario [budget] current_gbp."),
        ("baseline", "Actual annual cost of today's arrangements (baseline)", f["baseline_gbp"],
         "Today's contracts (the assistant counted once), mileage allowances, passes, personal transport budgets, "
         "out-of-area placements (from their contracts, never routed) and starters on no contract (the catalogue's solo "
         "estimate, flagged), plus the transport team: the sum of budget/pupils.csv's today column plus the team."),
        ("arrangements_today", "  of which transport arrangements", f["baseline_gbp"] - f["staff_overhead_gbp"],
         "Sum of today_annual_gbp in budget/pupils.csv."),
        ("staff", "  of which the transport team (fixed)", f["staff_overhead_gbp"],
         "Scenario [budget] staff_overhead_gbp: the same in both plans; it does not move with route savings."),
        ("optimised", "Optimised plan, annual cost", f["optimised_gbp"],
         "Sum of optimised_annual_gbp in budget/pupils.csv (shares of the optimised runs; a pupil no run serves keeps "
         "today's arrangement or the solo estimate) plus the transport team."),
        ("saving", "Full-year saving: baseline minus optimised plan", saving,
         "At today's prices, once every contract is re-let; when each lands is in the savings plan."),
        ("saving_share", "Full-year saving as a share of the baseline", saving / f["baseline_gbp"] if f["baseline_gbp"] else 0.0,
         PUBLISHED_SAVINGS),
        ("needing", "Pupils needing transport", int(len(needing)), "Eligible in this scenario (budget/pupils.csv)."),
        ("costed", "Pupils costed under both plans", int(((needing["today_annual_gbp"] > 0) & (needing["optimised_annual_gbp"] > 0)).sum()),
         "With a positive cost today and in the optimised plan."),
        ("send_today", "SEND cost per pupil (pre-16) today", per_pupil(send, "today_annual_gbp"),
         f"England £{NATIONAL_SEND_GBP_PER_USER:,.0f} per pre-16 SEND user, all modes (DfE home-to-school travel data "
         "collection 2025-26); transport arrangements only, without the team."),
        ("send_optimised", "SEND cost per pupil (pre-16), optimised plan", per_pupil(send, "optimised_annual_gbp"),
         "The same pupils in the optimised plan."),
    ]
    for row in table.itertuples(index=False):
        if row.year >= 1:
            out.append((f"savings_{row.year}", f"Savings landed in {row.financial_year}", row.savings_gbp,
                        "Only contracts that can be re-let by then, pro rata by school days; grown with demand and prices."))
    last = table.iloc[-1]
    for q in ("p50", "p10", "p90"):
        out.append((f"{q}_final", f"Forecast {last['financial_year']} ({years} years on): {q.upper()}", last[f"{q}_gbp"],
                    "From the Monte Carlo over the uncertain rates on the assumptions sheet."))
    return out


def assumption_notes(costs: Costs, scenario) -> dict[str, tuple[object, str, str, str]]:
    """The model's fixed rules and reference figures, for the assumptions sheet beside the settings."""
    from transport.mtfs import SCHOOL_DAYS_BY_MONTH
    from transport.placements import ESTIMATED_SPEED_KMH, ROAD_FACTOR

    share = costs.outlook.assistant_share
    months = ", ".join(f"{m}: {d}" for m, d in SCHOOL_DAYS_BY_MONTH.items())
    return {
        "first_financial_year": (costs.figures["first_year"], "year", f"Year 0 is {costs.figures['first_financial_year']}: "
                                 "the baseline, today's arrangements at today's prices.", "Scenario [budget] first_year, or the "
                                 "policy's academic year start."),
        "assistant_share_send": (share.get("send", 0.0), "share", "SEND cost today that pays assistants on top of day prices "
                                 "(grows with assistant pay inflation; the rest with contract inflation).", "budget/pupils.csv."),
        "assistant_share_mainstream": (share.get("mainstream", 0.0), "share", "The same for mainstream pupils.",
                                       "budget/pupils.csv."),
        "sharing_rule": ("", "", SHARING_RULE, "This model."),
        "solo_estimate": ("", "", "A pupil on no contract (or not served by an optimised run) is priced at the cheapest catalogue "
                          "vehicle that carries them alone, from the cheapest depot, over depot-home-school-depot twice a day, "
                          "plus an assistant at the derived rate when they need one.", "data/vehicles.csv and [costs]."),
        "relet_rule": ("", "", "A contract can be re-let the day after its end date, or after notice served on the first day of "
                       "year 1 if sooner, never before year 1, nor before new provision its pupils move to opens (September). "
                       "Savings land pro rata by school days from then.", "transport/savings.py."),
        "school_days_by_month": (months, "days", "Pupil days by month (April to March) for landing savings part way through a "
                                 "year.", "Assumption: typical English term dates, no school in August."),
        "cohort_roll_forward": ("", "", "Each year every pupil is a year older: Year 11 leavers take the post-16 take-up, pupils "
                                "moving to secondary at 11 the secondary take-up and cost, a Reception intake joins; take-up and "
                                "cost per transported pupil by segment and phase are today's.", "Today's cohort (budget/cohort.csv)."),
        "road_factor": (ROAD_FACTOR, "ratio", "Road distance per straight-line distance where the network does not reach (schools "
                        "beyond it).", "Assumption: typical of English roads between towns (1.2 to 1.4)."),
        "estimated_speed_kmh": (ESTIMATED_SPEED_KMH, "km/h", "Speed of journeys estimated off the network.", "Assumption."),
        "national_send_gbp_per_user": (NATIONAL_SEND_GBP_PER_USER, "£/year", "England, pre-16 SEND home-to-school transport, "
                                       "spend per user, all modes.", "DfE home-to-school travel data collection 2025-26."),
        "published_savings": ("5-15%", "share", PUBLISHED_SAVINGS, "QRoutes, on Kent County Council's contracts."),
    }


def budget_tables(costs: Costs, schools: pd.DataFrame, scenario) -> dict[str, pd.DataFrame]:
    """Every table of the budget, as budget/<name>.csv holds it (the workbook's sheets, as values)."""
    from transport.mtfs import assumptions_table
    from transport.schemas import BUDGET_LINES

    years = scenario.forecast.years
    tables = {"summary": BUDGET_LINES.frame({"line": line, "value": value, "note": note}
                                            for _, line, value, note in summary_lines(costs, years)),
              "pupils": costs.pupils}
    tables |= {f"by_{by}": breakdown(costs.pupils, by, schools if by == "school" else None) for by in BREAKDOWNS}
    tables |= {"savings_plan": costs.savings.plan, "savings_by_year": costs.savings.phasing, "forecast": costs.outlook.table,
               "cohort": costs.outlook.cohort.base, "cohort_projection": costs.outlook.cohort.projection,
               "assumptions": assumptions_table(scenario, assumption_notes(costs, scenario)),
               "optimised_runs_priced": costs.optimised.routes, "contracts_flagged": costs.flags}
    if costs.as_is is not None:
        tables["today_contracts_priced"] = costs.as_is.routes
    return tables
