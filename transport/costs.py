"""Annual cost of a transport plan, today's contracts as a baseline, and the budget ahead.

Pricing is the same for both sides of the comparison, so as-is and optimised can be set
side by side line by line: contract day prices (fixed plus per mile, dead mileage
included), passenger assistants (paid hours times rate with on-costs), mileage allowances,
and a management overhead, annualised over the school days.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from transport.errors import Problem, ProblemCollector
from transport.inputs import ROW_OFFSET, read_table
from transport.scenarios import CostSettings, Forecast
from transport.units import METRES_PER_MILE

CONTRACT_COLUMNS = ["route_ref", "operator", "vehicle_type", "daily_price_gbp", "passenger_assistant", "pupils", "school_urn"]
ROUTE_COST_COLUMNS = ["route_ref", "run", "vehicle_type", "depot", "has_assistant", "pupils", "miles_per_day",
                      "vehicle_gbp", "assistant_gbp", "mileage_gbp", "annual_gbp"]
MODES = ("door_to_door", "pickup_point", "mileage_allowance", "travel_pass")


@dataclass(frozen=True, slots=True)
class PlanCost:
    """Cost lines of a plan, per route and per pupil, all annual in pounds."""

    routes: pd.DataFrame  # route_ref, vehicle_type, has_assistant, pupils, vehicle_gbp, assistant_gbp, mileage_gbp, annual_gbp
    pupils: pd.DataFrame  # pupil_id, school_urn, need, mode, vehicle_type, annual_gbp
    overhead_gbp: float

    @property
    def contract_gbp(self) -> float:
        return float(self.routes["annual_gbp"].sum())

    @property
    def total_gbp(self) -> float:
        return self.contract_gbp + self.overhead_gbp


def price_optimised(run_dir: Path, vehicles: pd.DataFrame, pupils: pd.DataFrame, settings: CostSettings) -> PlanCost:
    """Price the optimiser's AM and PM routes from their files.

    Each run carries half the vehicle's day price (a contract covers both runs), plus the
    catalogue's price per mile over every mile driven, depot to depot. An assistant costs
    paid hours times the hourly rate with on-costs, per run.
    """
    rows = []
    members_rows = []
    catalogue = vehicles.assign(label=[f"{t}@{d}" if str(d) else t for t, d in zip(vehicles["vehicle_type"], vehicles["depot"], strict=True)])
    price = catalogue.drop_duplicates("label").set_index("label")
    for run in sorted(p.name for p in (run_dir / "runs").iterdir() if (p / "routes.csv").is_file()):
        routes = pd.read_csv(run_dir / "runs" / run / "routes.csv", dtype={"pupils": str, "request_id": str, "group": str})
        if routes.empty:
            continue
        matrix = np.load(run_dir / "runs" / run / "matrix.npz")
        distance = matrix["distance_m"]
        for vehicle, stops in routes.groupby("vehicle", sort=True):
            stops = stops.sort_values("sequence")
            vtype = str(stops["vehicle_type"].iat[0])
            label = vtype.removesuffix("+PA")
            row = price.loc[label]
            locs = stops["location"].to_numpy(int)
            miles = float(distance[locs[:-1], locs[1:]].sum()) / METRES_PER_MILE
            vehicle_gbp = (row["daily_price_gbp"] / 2 + row["price_per_mile_gbp"] * miles) * settings.school_days
            has_pa = bool(stops["has_assistant"].iat[0])
            assistant_gbp = settings.assistant_daily_gbp / 2 * settings.school_days if has_pa else 0.0
            aboard = [p for cell in stops["pupils"].dropna() for p in str(cell).split(";") if p]
            aboard = list(dict.fromkeys(aboard))
            rows.append({"route_ref": vehicle, "run": run, "vehicle_type": row["vehicle_type"], "depot": row["depot"],
                         "has_assistant": has_pa, "pupils": len(aboard), "miles_per_day": round(miles, 2),
                         "vehicle_gbp": vehicle_gbp, "assistant_gbp": assistant_gbp, "mileage_gbp": 0.0,
                         "annual_gbp": vehicle_gbp + assistant_gbp})
            share = (vehicle_gbp + assistant_gbp) / max(1, len(aboard))
            for p in aboard:
                members_rows.append({"pupil_id": p, "route_ref": vehicle, "run": run, "vehicle_type": row["vehicle_type"], "annual_gbp": share})
    routes_cost = pd.DataFrame(rows, columns=ROUTE_COST_COLUMNS)
    per_pupil = _per_pupil(pd.DataFrame(members_rows, columns=["pupil_id", "route_ref", "run", "vehicle_type", "annual_gbp"]), pupils)
    return PlanCost(routes_cost, per_pupil, settings.management_overhead_share * float(routes_cost["annual_gbp"].sum()))


def _per_pupil(members: pd.DataFrame, pupils: pd.DataFrame) -> pd.DataFrame:
    """Each pupil's share of the routes they ride (an equal share of each route's cost)."""
    if members.empty:
        return pd.DataFrame(columns=["pupil_id", "school_urn", "need", "mode", "vehicle_type", "annual_gbp"])
    grouped = members.groupby("pupil_id").agg(annual_gbp=("annual_gbp", "sum"), vehicle_type=("vehicle_type", "first")).reset_index()
    info = pupils.set_index("pupil_id")
    grouped["school_urn"] = grouped["pupil_id"].map(info["school_urn"])
    need = info["send_need"].where(info["send_need"].astype(str) != "", "none")
    grouped["need"] = grouped["pupil_id"].map(need).fillna("none")
    if "mode" in info:
        grouped["mode"] = grouped["pupil_id"].map(info["mode"]).map({"door": "door_to_door", "stop": "pickup_point"}).fillna("door_to_door")
    else:
        grouped["mode"] = "door_to_door"
    return grouped[["pupil_id", "school_urn", "need", "mode", "vehicle_type", "annual_gbp"]]


# --------------------------------------------------------------------------- as-is contracts


def read_contracts(path: str | Path, known_pupils: set[str], known_schools: set[str]) -> pd.DataFrame:
    """Current contracts: route_ref, operator, vehicle_type, daily_price_gbp, passenger_assistant,
    pupils (';'-joined ids), school_urn; optional assistant_daily_gbp, miles_per_day (for
    mileage allowances), annual_price_gbp (for travel passes)."""
    name = Path(path).name
    frame = read_table(path)
    problems = ProblemCollector()
    for column in CONTRACT_COLUMNS:
        if column not in frame.columns:
            problems.add(Problem(name, "required column is missing", column=column, fix=f"Add a '{column}' column"))
    problems.raise_if_any()
    out = frame.copy()
    seen: dict[str, int] = {}
    prices = []
    for i, row in enumerate(frame.itertuples(index=False)):
        r = i + ROW_OFFSET
        if not row.route_ref:
            problems.add(Problem(name, "empty", r, "route_ref", fix="Every contract needs a route reference"))
        elif row.route_ref in seen:
            problems.add(Problem(name, f"duplicate route reference (also on row {seen[row.route_ref]})", r, "route_ref", row.route_ref))
        else:
            seen[row.route_ref] = r
        prices.append(_day_price(name, r, row, problems))
        if str(row.passenger_assistant).strip().lower() not in {"yes", "no", "y", "n", "true", "false", "1", "0", ""}:
            problems.add(Problem(name, "not yes or no", r, "passenger_assistant", row.passenger_assistant))
        if row.school_urn and row.school_urn not in known_schools:
            problems.add(Problem(name, "unknown school URN", r, "school_urn", row.school_urn))
        if str(row.vehicle_type).strip() == "mileage_allowance" and not _is_amount(getattr(row, "miles_per_day", "")):
            problems.add(Problem(name, "a mileage allowance needs the miles driven a day", r, "miles_per_day",
                                 getattr(row, "miles_per_day", ""), "Give the daily return-trip miles, e.g. 24"))
        unknown = [p for p in _pupil_ids(row.pupils) if p not in known_pupils]
        if unknown:
            problems.add(Problem(name, f"{len(unknown)} pupil id(s) not in the pupils file: {', '.join(unknown[:10])}", r, "pupils",
                                 row.pupils, "Check the pseudonymous ids match the pupils file"))
    problems.raise_if_any()
    out["daily_price_gbp"] = prices
    out["passenger_assistant"] = out["passenger_assistant"].str.strip().str.lower().isin({"yes", "y", "true", "1"})
    for optional in ("assistant_daily_gbp", "miles_per_day", "annual_price_gbp"):
        out[optional] = pd.to_numeric(out.get(optional, pd.Series([""] * len(out))), errors="coerce")
    out["pupil_list"] = out["pupils"].map(_pupil_ids)
    return out


def _pupil_ids(cell: object) -> list[str]:
    """The ';'-joined pupil ids of one contract cell."""
    return [p.strip() for p in str(cell if cell is not None else "").split(";") if p.strip()]


def _is_amount(text: object) -> bool:
    """True when the cell holds a finite, non-negative number."""
    try:
        value = float(str(text).strip())
    except ValueError:
        return False
    return bool(np.isfinite(value) and value >= 0)


def _day_price(name: str, r: int, row: object, problems: ProblemCollector) -> float:
    """The day price of one contract row. Mileage allowances are priced by the mile and
    travel passes may carry an annual price instead, so for those an empty day price is 0."""
    text = str(row.daily_price_gbp).strip()
    kind = str(row.vehicle_type).strip()
    if not text and (kind == "mileage_allowance" or (kind == "travel_pass" and str(getattr(row, "annual_price_gbp", "")).strip())):
        return 0.0
    try:
        value = float(text)
        if not np.isfinite(value) or value < 0:
            raise ValueError
    except ValueError:
        problems.add(Problem(name, "not a price in pounds", r, "daily_price_gbp", row.daily_price_gbp, "Give the day price, e.g. 84.50"))
        return np.nan
    return value


def price_contracts(contracts: pd.DataFrame, settings: CostSettings) -> PlanCost:
    """Today's annual cost, reproduced from the contracts as they are priced."""
    days = settings.school_days
    rows = []
    members = []
    for c in contracts.itertuples(index=False):
        kind = str(c.vehicle_type)
        assistant_daily = c.assistant_daily_gbp if np.isfinite(c.assistant_daily_gbp) else settings.assistant_daily_gbp
        if kind == "mileage_allowance":
            miles = c.miles_per_day if np.isfinite(c.miles_per_day) else 0.0
            vehicle = 0.0
            mileage = settings.mileage_allowance_gbp_per_mile * miles * days
        elif kind == "travel_pass":
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
    routes = pd.DataFrame(rows, columns=ROUTE_COST_COLUMNS)
    members_frame = pd.DataFrame(members, columns=["pupil_id", "route_ref", "run", "vehicle_type", "annual_gbp"])
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
        flagged.append({"route_ref": "", "pupil_id": p, "flag": "NO_CONTRACT", "detail": "eligible pupil with no current contract"})
    return pd.DataFrame(flagged, columns=["route_ref", "pupil_id", "flag", "detail"])


# --------------------------------------------------------------------------- budget tables


def breakdown(cost: PlanCost, pupils: pd.DataFrame, by: str) -> pd.DataFrame:
    """Annual cost and pupils by school, need, vehicle type or mode."""
    per = cost.pupils.copy()
    if per.empty:
        return pd.DataFrame(columns=[by, "pupils", "annual_gbp", "gbp_per_pupil"])
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
        for name, field in type(model).model_fields.items():
            rows.append({"assumption": name, "value": getattr(model, name), "meaning": field.description or ""})
    rows.append({"assumption": "assistant_daily_gbp", "value": round(settings.assistant_daily_gbp, 2),
                 "meaning": "Derived: hourly rate x (1 + on-costs) x paid hours per run x 2 runs."})
    return pd.DataFrame(rows)
