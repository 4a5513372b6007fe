"""Where the money moves between scenarios: each school's cost beside the base's, and the
vehicle runs a scenario has that its base does not (and the other way round).

Both come from the runs in memory: the by-school figures are sums of each run's budget pupil
table (`transport.budget.breakdown`), and vehicle runs are compared by what they do (run,
vehicle, and each stop's place and pupils in order), never by their numbers, which each
search assigns afresh.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd

from transport.budget import breakdown
from transport.record import Run
from transport.schemas import COMPARISON_BY_ROUTE, COMPARISON_BY_SCHOOL

#: Pounds below which two annual figures are the same (they are sums of shares in pence).
SAME_GBP = 0.005


def by_school(runs: list[Run]) -> pd.DataFrame:
    """Per scenario and school: pupils transported and annual optimised cost, and the change from
    the base (runs[0]); a school with no pupils in either is left out (schemas.COMPARISON_BY_SCHOOL)."""
    base = _school_costs(runs[0])
    rows = []
    for run in runs:
        ours = _school_costs(run)
        for urn in sorted(set(ours) | set(base)):
            name, pupils, gbp = ours.get(urn, (base.get(urn, ("", 0, 0.0))[0], 0, 0.0))
            _, base_pupils, base_gbp = base.get(urn, (name, 0, 0.0))
            rows.append({"scenario": run.name, "school_urn": urn, "school_name": name, "pupils_transported": pupils,
                         "optimised_annual_gbp": round(gbp, 2), "pupils_change_vs_base": pupils - base_pupils,
                         "change_vs_base_gbp": round(gbp - base_gbp, 2)})
    table = COMPARISON_BY_SCHOOL.frame(rows)
    order = {run.name: k for k, run in enumerate(runs)}
    table = table.assign(_order=table["scenario"].map(order), _size=-table["change_vs_base_gbp"].abs())
    return table.sort_values(["_order", "_size", "school_urn"], kind="stable").drop(columns=["_order", "_size"]).reset_index(drop=True)


def _school_costs(run: Run) -> dict[str, tuple[str, int, float]]:
    """URN -> (name, pupils with a cost in the optimised plan, their annual cost)."""
    table = breakdown(run.costs.pupils, "school", run.schools)
    return {str(r.school_urn): ("" if pd.isna(r.name) else str(r.name), int(r.optimised_pupils), float(r.optimised_annual_gbp))
            for r in table.itertuples(index=False) if r.optimised_pupils or r.optimised_annual_gbp}


def vehicle_runs(run: Run) -> list[dict]:
    """Every vehicle run of `run`: its content key (what it does), reference, vehicle, pupils, places and price."""
    prices = dict(zip(run.costs.optimised.routes["route_ref"], run.costs.optimised.routes["annual_gbp"], strict=True))
    out = []
    for name in sorted(run.solutions):
        problem = run.problems[name]
        members = {r.request_id: r.members for r in problem.requests}
        places = problem.location_names or tuple(str(k) for k in range(len(problem.time_s)))
        for number, route in enumerate(run.solutions[name].routes, start=1):
            ref = f"{name}-{number:03d}"  # as transport.costs.price_optimised numbers them
            stops = tuple((v.kind, members.get(v.request_id, ()), places[v.location]) for v in route.visits)
            pupils = list(dict.fromkeys(p for _, ms, _ in stops for p in ms))
            out.append({"key": (name, route.vehicle_type, stops), "run": name, "route_ref": ref,
                        "vehicle_type": route.vehicle_type, "pupils": ";".join(pupils),
                        "places": " > ".join(_place(run, v.location) for v in route.visits),
                        "annual_gbp": round(float(prices.get(ref, 0.0)), 2)})
    return out


def _place(run: Run, location: int) -> str:
    return run.place_names[location] if location < len(run.place_names) else str(location)


def by_route(runs: list[Run]) -> pd.DataFrame:
    """For each scenario after the base: its vehicle runs the base does not have, and the base's
    it does not have, each with its annual price (schemas.COMPARISON_BY_ROUTE)."""
    base = vehicle_runs(runs[0])
    rows = []
    for run in runs[1:]:
        ours = vehicle_runs(run)
        for only_in, these, others, sign in (("scenario", ours, base, 1), ("base", base, ours, -1)):
            for route in _not_in(these, others):
                rows.append({"scenario": run.name, "only_in": only_in, **{k: v for k, v in route.items() if k != "key"},
                             "change_gbp": sign * route["annual_gbp"]})
    return COMPARISON_BY_ROUTE.ordered(COMPARISON_BY_ROUTE.frame(rows))


def _not_in(these: list[dict], others: list[dict]) -> list[dict]:
    """The runs of `these` with no run of the same content left in `others` (each counted once)."""
    left = Counter(r["key"] for r in others)
    out = []
    for route in these:
        if left[route["key"]]:
            left[route["key"]] -= 1
        else:
            out.append(route)
    return out


def pupils_affected(base: Run, run: Run, routes: pd.DataFrame) -> int:
    """Pupils whose transport differs from the base's: on a vehicle run that differs (`routes`, this
    scenario's rows of `by_route`), needing transport in one and not the other, or at another school."""
    pupils = {p for ids in routes["pupils"] for p in str(ids).split(";") if p}
    ours, theirs = (r.costs.pupils.set_index("pupil_id") for r in (run, base))
    needing = set(ours.index[ours["needs_transport"]]) ^ set(theirs.index[theirs["needs_transport"]])
    both = ours.index.intersection(theirs.index)
    moved = set(both[ours.loc[both, "school_urn"].astype(str) != theirs.loc[both, "school_urn"].astype(str)])
    return len(pupils | needing | moved)
