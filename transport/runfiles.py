"""The files one optimiser run leaves behind, which `transport.check` re-reads on its own.

Per run (AM or PM) in `DIR/runs/<run>/`:
  locations.csv   location, kind (depot/school/home/stop/anywhere), ref, lat, lon
  matrix.npz      time_s and distance_m between locations (int64, the solver's values)
  fleet.csv       one row per vehicle-type variant: name, base_type, seats, wheelchair_spaces,
                  has_assistant, count, fixed_cost_pence, cost_per_km_pence, start, end
  requests.csv    one row per request: request_id, members (';'-joined pupil ids), group,
                  pickup, delivery (location or empty), seats, wheelchairs, windows
                  (pickup_earliest_s ... delivery_latest_s, empty when none), max_ride_s,
                  pickup_service_s, delivery_service_s, needs_assistant, travel_alone
  incompatible.csv  a, b: request ids that must never share a vehicle
  routes.csv      one row per stop (see ROUTE_COLUMNS)
  unserved.csv    request_id, members, reason_code, reason
  solution.json   status, objective, solve seconds, strategy
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd

from transport.optimise.problem import RoutingProblem
from transport.optimise.solution import Solution
from transport.units import s_to_clock

ROUTE_COLUMNS = [
    "run", "vehicle", "vehicle_type", "base_type", "has_assistant", "sequence", "stop_kind", "request_id", "pupils",
    "group", "location", "lat", "lon", "arrival_s", "service_start_s", "departure_s", "arrival", "departure",
    "seats_load", "wheelchair_load", "ride_minutes",
]


def write_run(directory: Path, run: str, problem: RoutingProblem, solution: Solution, locations: pd.DataFrame) -> Path:
    """Write everything needed to re-check a run without the solver."""
    directory.mkdir(parents=True, exist_ok=True)
    locations.to_csv(directory / "locations.csv", index=False)
    np.savez_compressed(directory / "matrix.npz", time_s=problem.time_s, distance_m=problem.distance_m)
    pd.DataFrame(
        [{"name": vt.name, "base_type": vt.base_type or vt.name, "seats": vt.seats, "wheelchair_spaces": vt.wheelchair_spaces,
          "has_assistant": vt.has_assistant, "count": vt.count, "fixed_cost_pence": vt.fixed_cost,
          "cost_per_km_pence": vt.cost_per_km, "start": vt.start, "end": vt.end,
          "max_duration_s": vt.max_duration_s if vt.max_duration_s else ""} for vt in problem.vehicle_types]
    ).to_csv(directory / "fleet.csv", index=False)
    requests_frame(problem).to_csv(directory / "requests.csv", index=False)
    pd.DataFrame(problem.incompatible, columns=["a", "b"]).to_csv(directory / "incompatible.csv", index=False)
    routes_frame(run, problem, solution, locations).to_csv(directory / "routes.csv", index=False)
    members = {r.request_id: ";".join(r.members) for r in problem.requests}
    pd.DataFrame(
        [{"request_id": u.request_id, "members": members.get(u.request_id, ""), "reason_code": u.reason_code, "reason": u.detail}
         for u in solution.unserved],
        columns=["request_id", "members", "reason_code", "reason"],
    ).to_csv(directory / "unserved.csv", index=False)
    summary = {"run": run, "status": solution.status, "objective": solution.objective, "solve_seconds": round(solution.solve_seconds, 2),
               "strategy": solution.strategy, "vehicles_used": solution.vehicles_used, "distance_m": solution.total_distance_m,
               "stats": solution.stats}
    (directory / "solution.json").write_text(json.dumps(summary, indent=2, default=str), encoding="utf-8")
    return directory


def requests_frame(problem: RoutingProblem) -> pd.DataFrame:
    rows = []
    for r in problem.requests:
        pw = r.pickup_window or (None, None)
        dw = r.delivery_window or (None, None)
        rows.append({
            "request_id": r.request_id, "members": ";".join(r.members), "group": r.group,
            "pickup": r.pickup, "delivery": r.delivery, "seats": r.seats, "wheelchairs": r.wheelchairs,
            "pickup_earliest_s": pw[0], "pickup_latest_s": pw[1], "delivery_earliest_s": dw[0], "delivery_latest_s": dw[1],
            "max_ride_s": r.max_ride_s, "pickup_service_s": r.pickup_service_s, "delivery_service_s": r.delivery_service_s,
            "needs_assistant": r.needs_assistant, "travel_alone": r.travel_alone,
        })
    return pd.DataFrame(rows, columns=[
        "request_id", "members", "group", "pickup", "delivery", "seats", "wheelchairs", "pickup_earliest_s", "pickup_latest_s",
        "delivery_earliest_s", "delivery_latest_s", "max_ride_s", "pickup_service_s", "delivery_service_s", "needs_assistant",
        "travel_alone"]).astype({"pickup": "Int64", "delivery": "Int64", "pickup_earliest_s": "Int64", "pickup_latest_s": "Int64",
                                 "delivery_earliest_s": "Int64", "delivery_latest_s": "Int64", "max_ride_s": "Int64"})


def routes_frame(run: str, problem: RoutingProblem, solution: Solution, locations: pd.DataFrame) -> pd.DataFrame:
    by_id = {r.request_id: r for r in problem.requests}
    types = {vt.name: vt for vt in problem.vehicle_types}
    lat = locations["lat"].to_numpy(float)
    lon = locations["lon"].to_numpy(float)
    rows = []
    for number, route in enumerate(solution.routes, start=1):
        vt = types[route.vehicle_type]
        vehicle = f"{run}-{number:03d}"
        boarded: dict[str, int] = {}
        for seq, visit in enumerate(route.visits):
            req = by_id.get(visit.request_id)
            ride = ""
            if req is not None and visit.kind == "pickup":
                boarded[req.request_id] = visit.departure_s
            elif req is not None and visit.kind == "delivery" and req.request_id in boarded:
                ride = round((visit.service_start_s - boarded[req.request_id]) / 60, 1)
            rows.append({
                "run": run, "vehicle": vehicle, "vehicle_type": vt.name, "base_type": vt.base_type or vt.name,
                "has_assistant": vt.has_assistant, "sequence": seq, "stop_kind": visit.kind, "request_id": visit.request_id,
                "pupils": ";".join(req.members) if req else "", "group": req.group if req else "", "location": visit.location,
                "lat": round(float(lat[visit.location]), 6), "lon": round(float(lon[visit.location]), 6),
                "arrival_s": visit.arrival_s, "service_start_s": visit.service_start_s, "departure_s": visit.departure_s,
                "arrival": s_to_clock(visit.arrival_s), "departure": s_to_clock(visit.departure_s),
                "seats_load": visit.seats_load, "wheelchair_load": visit.wheelchair_load, "ride_minutes": ride,
            })
    return pd.DataFrame(rows, columns=ROUTE_COLUMNS)


def solution_dict(solution: Solution) -> dict:
    return asdict(solution)
