"""`summary.json`: a run's headline figures for scripts, from the run in memory."""

from __future__ import annotations

import numpy as np

from transport.eligibility import summarise
from transport.optimise.solution import rides_s
from transport.record import Run

SCHEMA_VERSION = 2


def summarise_run(run: Run) -> dict:
    """Pupils at each stage, vehicles, ride times, how each search ended, and the cost headline."""
    elig, transported = run.eligibility, run.demand.pupils
    needing = set(transported["pupil_id"])
    left_out = {m for name, solution in run.solutions.items() for u in solution.unserved
                for m in _members(run, name, u.request_id)} & needing
    by_reason = summarise(elig)
    summary = {
        "schema_version": SCHEMA_VERSION,
        "status": "complete",
        "scenario": run.name,
        "pupils_assessed": int(len(elig)),
        "pupils_eligible": int(elig["eligible"].sum()),
        "pupils_needing_transport": len(needing),
        # served on both the morning and the afternoon run; the rest are listed in runs/*/unserved.csv
        "pupils_transported": len(needing) - len(left_out),
        "pupils_unserved": len(left_out),
        "pupils_door_to_door": int((transported["mode"] == "door").sum()),
        "pickup_points": int(transported.loc[transported["mode"] == "stop", "stop_id"].nunique()),
        "pickup_points_shared": int((run.stops.points["pupils_by_school"].str.count(":") > 1).sum()),
        # could walk to a pick-up point, but no safe one is within the policy's walk: collected from home
        "pupils_from_home_no_pickup_point": len(run.stops.from_home),
        "walk_to_stop_m": walk_statistics(transported),
        "requests_unserved": {name: len(s.unserved) for name, s in run.solutions.items()},
        "eligibility_by_reason": {r.reason_code: int(r.pupils) for r in by_reason.itertuples(index=False)},
        "vehicles_by_type": vehicles_by_type(run),
        "ride_minutes": ride_statistics(run),
        "solver": {name: {"status": s.status, "seconds": round(s.solve_seconds, 1), "strategy": s.strategy,
                          "stopped_by": s.stats.get("stopped_by", ""), "objective_pence": s.objective}
                   for name, s in run.solutions.items()},
    }
    return summary | run.costs.headline | {"timings_s": dict(run.timings_s)}


def _members(run: Run, name: str, request_id: str) -> tuple[str, ...]:
    for req in run.problems[name].requests:
        if req.request_id == request_id:
            return req.members
    return ()


def vehicles_by_type(run: Run) -> dict[str, dict[str, int]]:
    """Vehicles used on each run by catalogue type ('+PA' with an assistant); depots are not a type."""
    out: dict[str, dict[str, int]] = {}
    for name, solution in run.solutions.items():
        types = {vt.name: vt for vt in run.problems[name].vehicle_types}
        counts = out.setdefault(name, {})
        for route in solution.routes:
            vt = types[route.vehicle_type]
            label = vt.catalogue_type + ("+PA" if vt.has_assistant else "")
            counts[label] = counts.get(label, 0) + 1
    return {name: counts for name, counts in out.items() if counts}


def ride_statistics(run: Run) -> dict:
    """Mean, median, 90th percentile and longest ride, in minutes, over both runs."""
    minutes = [round(s / 60, 1) for name in run.solutions for s in rides_s(run.solutions[name]).values()]
    if not minutes:
        return {}
    arr = np.asarray(minutes, dtype=float)
    return {"mean": round(float(arr.mean()), 1), "p50": round(float(np.percentile(arr, 50)), 1),
            "p90": round(float(np.percentile(arr, 90)), 1), "max": round(float(arr.max()), 1)}


def walk_statistics(transported) -> dict:
    """Mean and longest walk to a pick-up point, in metres, over the pupils who walk to one."""
    metres = transported.loc[transported["mode"] == "stop", "walk_to_stop_m"].astype(float)
    return {"mean": round(float(metres.mean()), 1), "max": round(float(metres.max()), 1)} if len(metres) else {}
