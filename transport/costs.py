"""Annual cost of a transport plan, today's contracts as a baseline, and the budget ahead.

Pricing is the same for both sides of the comparison, so as-is and optimised can be set
side by side line by line: contract day prices (fixed plus per mile, dead mileage
included), passenger assistants (paid hours times rate with on-costs), mileage allowances,
and a management overhead, annualised over the school days. Everything is priced from the
run in memory: the problems asked and the solutions found.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from transport.contracts import MILEAGE_ALLOWANCE, TRAVEL_PASS
from transport.fleet import RUNS_PER_DAY
from transport.optimise.problem import RoutingProblem
from transport.optimise.solution import Solution
from transport.outcomes import CONTRACT_FLAGS
from transport.scenarios import CostSettings, Forecast
from transport.schemas import CONTRACT_FLAGS as FLAGS_TABLE
from transport.schemas import PRICED_ROUTES, PUPIL_COSTS, RIDE_SHARES, breakdown_table
from transport.units import m_to_miles

#: England, pre-16 SEND home-to-school transport, spend per user 2025-26 (DfE data collection,
#: via shared/data/README.md): the figure a run's SEND cost per pupil is compared with.
NATIONAL_SEND_GBP_PER_USER = 8800.0


@dataclass(frozen=True, slots=True)
class PlanCost:
    """Cost lines of a plan, per route and per pupil, all annual in pounds."""

    routes: pd.DataFrame  # schemas.PRICED_ROUTES
    pupils: pd.DataFrame  # schemas.PUPIL_COSTS (or its first columns)
    overhead_gbp: float

    @property
    def contract_gbp(self) -> float:
        return float(self.routes["annual_gbp"].sum())

    @property
    def total_gbp(self) -> float:
        return self.contract_gbp + self.overhead_gbp


def vehicle_run_gbp(daily_price_gbp: float, price_per_mile_gbp: float, distance_m: float, school_days: int) -> float:
    """A year of one run (AM or PM) of a vehicle: half the day price, plus its price per mile over
    every mile driven, depot to depot, on each school day."""
    return (daily_price_gbp / RUNS_PER_DAY + price_per_mile_gbp * m_to_miles(distance_m)) * school_days


def price_optimised(problems: dict[str, RoutingProblem], solutions: dict[str, Solution], vehicles: pd.DataFrame,
                    pupils: pd.DataFrame, settings: CostSettings) -> PlanCost:
    """Price the optimiser's AM and PM routes.

    An assistant costs paid hours times the hourly rate with on-costs, per run. Each pupil
    carries an equal share of the runs they ride.
    """
    rows, members_rows = [], []
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
            share = (vehicle_gbp + assistant_gbp) / max(1, len(aboard))
            members_rows += [{"pupil_id": p, "route_ref": ref, "run": run, "vehicle_type": row["vehicle_type"], "annual_gbp": share}
                             for p in aboard]
    routes_cost = PRICED_ROUTES.frame(rows)
    per_pupil = _per_pupil(RIDE_SHARES.frame(members_rows), pupils)
    return PlanCost(routes_cost, per_pupil, settings.management_overhead_share * float(routes_cost["annual_gbp"].sum()))


def _per_pupil(members: pd.DataFrame, pupils: pd.DataFrame) -> pd.DataFrame:
    """Each pupil's share of the routes they ride (an equal share of each route's cost)."""
    if members.empty:
        return PUPIL_COSTS.frame()
    grouped = members.groupby("pupil_id").agg(annual_gbp=("annual_gbp", "sum"), vehicle_type=("vehicle_type", "first")).reset_index()
    info = pupils.set_index("pupil_id")
    grouped["school_urn"] = grouped["pupil_id"].map(info["school_urn"])
    need = info["send_need"].where(info["send_need"].astype(str) != "", "none")
    grouped["need"] = grouped["pupil_id"].map(need).fillna("none")
    if "mode" in info:
        grouped["mode"] = grouped["pupil_id"].map(info["mode"]).map({"door": "door_to_door", "stop": "pickup_point"}).fillna("door_to_door")
    else:
        grouped["mode"] = "door_to_door"
    return PUPIL_COSTS.ordered(grouped)


# --------------------------------------------------------------------------- as-is contracts


def price_contracts(contracts: pd.DataFrame, settings: CostSettings) -> PlanCost:
    """Today's annual cost, reproduced from the contracts as they are priced."""
    days = settings.school_days
    rows = []
    members = []
    for c in contracts.itertuples(index=False):
        kind = str(c.vehicle_type)
        assistant_daily = c.assistant_daily_gbp if np.isfinite(c.assistant_daily_gbp) else settings.assistant_daily_gbp
        if kind == MILEAGE_ALLOWANCE:
            miles = c.miles_per_day if np.isfinite(c.miles_per_day) else 0.0
            vehicle = 0.0
            mileage = settings.mileage_allowance_gbp_per_mile * miles * days
        elif kind == TRAVEL_PASS:
            vehicle = c.annual_price_gbp if np.isfinite(c.annual_price_gbp) else c.daily_price_gbp * days
            mileage = 0.0
        else:
            vehicle = c.daily_price_gbp * days
            mileage = 0.0
        assistant = assistant_daily * days if c.passenger_assistant else 0.0
        total = vehicle + assistant + mileage
        rows.append({"route_ref": c.route_ref, "run": "AM+PM", "vehicle_type": kind, "depot": c.operator, "has_assistant": c.passenger_assistant,
                     "pupils": len(c.pupil_list), "miles_per_day": c.miles_per_day, "vehicle_gbp": vehicle, "assistant_gbp": assistant,
                     "mileage_gbp": mileage, "annual_gbp": total})
        for p in c.pupil_list:
            members.append({"pupil_id": p, "route_ref": c.route_ref, "run": "AM+PM", "vehicle_type": kind,
                            "annual_gbp": total / max(1, len(c.pupil_list))})
    routes = PRICED_ROUTES.frame(rows)
    members_frame = RIDE_SHARES.frame(members)
    return PlanCost(routes, members_frame, settings.management_overhead_share * float(routes["annual_gbp"].sum()))


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


# --------------------------------------------------------------------------- budget tables


def breakdown(cost: PlanCost, pupils: pd.DataFrame, by: str) -> pd.DataFrame:
    """Annual cost and pupils by school, need, vehicle type or mode."""
    per = cost.pupils.copy()
    if per.empty:
        return breakdown_table(by).frame()
    info = pupils.set_index("pupil_id")
    if by == "school_urn" and "school_urn" not in per:
        per["school_urn"] = per["pupil_id"].map(info["school_urn"])
    if by == "need" and "need" not in per:
        per["need"] = per["pupil_id"].map(info["send_need"]).replace("", "none").fillna("none")
    if by == "mode" and "mode" not in per:
        per["mode"] = "door_to_door"
    table = per.groupby(by).agg(pupils=("pupil_id", "nunique"), annual_gbp=("annual_gbp", "sum")).reset_index()
    table["gbp_per_pupil"] = table["annual_gbp"] / table["pupils"]
    return table.sort_values("annual_gbp", ascending=False).round(2).reset_index(drop=True)


def forecast(cost: PlanCost, send_share: float, assumptions: Forecast) -> pd.DataFrame:
    """Annual cost for the coming years with P10/P50/P90 bands from a seeded Monte Carlo.

    SEND cost grows with EHC plans, mainstream cost with transported mainstream pupils, and
    both with contract price inflation. Each simulated path draws one rate per assumption
    per year from a normal distribution around the P50 assumption.
    """
    rng = np.random.default_rng(assumptions.seed)
    base = cost.total_gbp
    send0, main0 = base * send_share, base * (1 - send_share)
    n, years = assumptions.simulations, assumptions.years
    ehcp = rng.normal(assumptions.ehcp_growth, assumptions.ehcp_growth_sd, (n, years))
    main = rng.normal(assumptions.mainstream_growth, assumptions.mainstream_growth_sd, (n, years))
    infl = rng.normal(assumptions.price_inflation, assumptions.price_inflation_sd, (n, years))
    send_path = send0 * np.cumprod((1 + ehcp) * (1 + infl), axis=1)
    main_path = main0 * np.cumprod((1 + main) * (1 + infl), axis=1)
    total = send_path + main_path
    central = (send0 * ((1 + assumptions.ehcp_growth) * (1 + assumptions.price_inflation)) ** np.arange(1, years + 1)
               + main0 * ((1 + assumptions.mainstream_growth) * (1 + assumptions.price_inflation)) ** np.arange(1, years + 1))
    rows = [{"year": 0, "central_gbp": base, "p10_gbp": base, "p50_gbp": base, "p90_gbp": base}]
    for y in range(years):
        rows.append({"year": y + 1, "central_gbp": central[y], "p10_gbp": float(np.percentile(total[:, y], 10)),
                     "p50_gbp": float(np.percentile(total[:, y], 50)), "p90_gbp": float(np.percentile(total[:, y], 90))})
    return pd.DataFrame(rows).round(0)


def assumptions_table(settings: CostSettings, assumptions: Forecast) -> pd.DataFrame:
    """Every assumption that drives a figure, with its value and meaning, for the budget file."""
    rows = []
    for model in (settings, assumptions):
        for name, spec in type(model).model_fields.items():
            rows.append({"assumption": name, "value": getattr(model, name), "meaning": spec.description or ""})
    rows.append({"assumption": "assistant_daily_gbp", "value": round(settings.assistant_daily_gbp, 2),
                 "meaning": "Derived: hourly rate x (1 + on-costs) x paid hours per run x 2 runs."})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- one run priced


@dataclass(frozen=True)
class Costs:
    """A run priced: the optimised plan, today's contracts (when known), flags, forecast, budget tables."""

    optimised: PlanCost
    as_is: PlanCost | None
    contracts: pd.DataFrame | None
    flags: pd.DataFrame
    forecast: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    headline: dict = field(default_factory=dict)
    generated: dict[str, pd.DataFrame] = field(default_factory=dict)  # the demo's synthetic contracts, as written


def cost_run(scenario, inputs, eligibility: pd.DataFrame, demand, problems: dict[str, RoutingProblem],
             solutions: dict[str, Solution], distance_m: np.ndarray) -> Costs:
    """Price the optimised plan and today's contracts (read, or synthesised for the demo)."""
    settings = scenario.costs
    people = inputs.pupils.merge(demand.pupils[["pupil_id", "mode"]], on="pupil_id", how="left")
    optimised = price_optimised(problems, solutions, inputs.vehicles, people, settings)
    contracts, generated = inputs.contracts, {}
    if scenario.data.contracts == "synthetic":
        generated["contracts.csv"], contracts = _synthetic_contracts(scenario, inputs, eligibility, demand, distance_m)
    as_is = price_contracts(contracts, settings) if contracts is not None else None
    flags = flag_contracts(contracts, eligibility) if contracts is not None else FLAGS_TABLE.frame()
    send_ids = set(demand.pupils.loc[demand.pupils["mode"] == "door", "pupil_id"])
    send_cost = float(optimised.pupils.loc[optimised.pupils["pupil_id"].isin(send_ids), "annual_gbp"].sum())
    send_share = send_cost / optimised.contract_gbp if optimised.contract_gbp else 0.0
    outlook = forecast(optimised, send_share, scenario.forecast)
    headline = _headline(optimised, as_is, flags, outlook, settings, send_cost, len(send_ids), len(demand.pupils))
    tables = budget_tables(optimised, as_is, flags, outlook, people, inputs.schools, settings, scenario.forecast)
    return Costs(optimised, as_is, contracts, flags, outlook, tables, headline, generated)


def _synthetic_contracts(scenario, inputs, eligibility: pd.DataFrame, demand,
                         distance_m: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The demo's today: contracts bought the wasteful way, then aged (see `transport.synth`)."""
    from transport.contracts import parse_contracts
    from transport.inputs import as_text
    from transport.synth import age_contracts, synthesise_contracts

    # a pupil collected from home only because no safe pick-up point is in reach rides today's bus from the gate
    walkers = eligibility.loc[~eligibility["door_to_door"] & (eligibility["reason_code"] != "UNSAFE_ROUTE"), "pupil_id"]
    routed = demand.pupils.assign(mode=demand.pupils["mode"].mask(demand.pupils["pupil_id"].isin(walkers), "stop"))
    bought = synthesise_contracts(routed, inputs.pupils, demand.locations, distance_m, inputs.vehicles,
                                  seed=scenario.synthetic.seed)
    seats = inputs.vehicles.drop_duplicates("vehicle_type").set_index("vehicle_type")["seats"].astype(int).to_dict()
    aged = age_contracts(bought, eligibility, seats, seed=scenario.synthetic.seed)
    return aged, parse_contracts(as_text(aged), "contracts.csv (synthetic)", set(inputs.pupils["pupil_id"]),
                                 set(inputs.schools["urn"].astype(str)), set(inputs.vehicles["vehicle_type"]))


def _headline(optimised: PlanCost, as_is: PlanCost | None, flags: pd.DataFrame, outlook: pd.DataFrame,
              settings: CostSettings, send_cost: float, send_pupils: int, transported: int) -> dict:
    """The cost figures of `summary.json`."""
    per = max(1, transported)
    headline = {
        "annual_cost_gbp": round(optimised.total_gbp, 2),
        "annual_contract_gbp": round(optimised.contract_gbp, 2),
        "annual_overhead_gbp": round(optimised.overhead_gbp, 2),
        "cost_per_transported_pupil_gbp": round(optimised.total_gbp / per, 2),
        "send_cost_per_pupil_gbp": round(send_cost * (1 + settings.management_overhead_share) / max(1, send_pupils), 2),
        "national_send_cost_per_user_gbp": NATIONAL_SEND_GBP_PER_USER,
        "annual_cost_by_mode_gbp": {m: round(float(v), 2) for m, v in optimised.pupils.groupby("mode")["annual_gbp"].sum().items()},
        "assistant_cost_gbp": round(float(optimised.routes["assistant_gbp"].sum()), 2),
        "forecast": outlook.to_dict(orient="records"),
    }
    if as_is is not None:
        headline["as_is_annual_cost_gbp"] = round(as_is.total_gbp, 2)
        headline["saving_vs_as_is_gbp"] = round(as_is.total_gbp - optimised.total_gbp, 2)
        headline["contracts_flagged"] = int((flags["flag"] == "NOT_ELIGIBLE").sum())
        headline["eligible_pupils_without_contract"] = int((flags["flag"] == "NO_CONTRACT").sum())
    return headline


def budget_tables(optimised: PlanCost, as_is: PlanCost | None, flags: pd.DataFrame, outlook: pd.DataFrame,
                  people: pd.DataFrame, schools: pd.DataFrame, settings: CostSettings, assumptions: Forecast) -> dict[str, pd.DataFrame]:
    """The budget workbook's sheets, in order."""
    from transport.schemas import BUDGET_LINES

    lines = [("Optimised plan: contracts", optimised.contract_gbp), ("Optimised plan: management overhead", optimised.overhead_gbp),
             ("Optimised plan: total", optimised.total_gbp)]
    if as_is is not None:
        lines += [("As-is contracts: contracts", as_is.contract_gbp), ("As-is contracts: management overhead", as_is.overhead_gbp),
                  ("As-is contracts: total", as_is.total_gbp), ("Saving: as-is minus optimised", as_is.total_gbp - optimised.total_gbp)]
    names = schools[["urn", "name"]].rename(columns={"urn": "school_urn"})
    return {
        "summary": BUDGET_LINES.frame({"line": k, "annual_gbp": v} for k, v in lines).round(2),
        "by school": breakdown(optimised, people, "school_urn").merge(names, on="school_urn", how="left"),
        "by need": breakdown(optimised, people, "need"),
        "by vehicle type": breakdown(optimised, people, "vehicle_type"),
        "by mode": breakdown(optimised, people, "mode"),
        "forecast": outlook,
        "assumptions": assumptions_table(settings, assumptions),
        "contracts flagged": flags,
    }
