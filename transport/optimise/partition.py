"""Solve a run in partitions that share one fleet.

Requests carry a partition key (door to door or pick-up point, by cluster of nearby
schools). Each partition is searched in turn, largest first, with the vehicles the earlier
ones left, and the routes are put together into one `Solution`.
"""

from __future__ import annotations

import dataclasses
import logging
import time as clock

import numpy as np

from transport.optimise.problem import Request, RoutingProblem, VehicleType
from transport.optimise.search import SolveOptions, solve_one
from transport.optimise.solution import Route, Solution, Unserved

log = logging.getLogger(__name__)

#: Each partition gets a share of the time still left in proportion to its requests, at least this.
MIN_PARTITION_SECONDS = 1.0


def solve(problem: RoutingProblem, options: SolveOptions | None = None) -> Solution:
    """Solve each partition in turn (largest first), each taking the vehicles the others left."""
    options = options or SolveOptions()
    started = clock.perf_counter()
    keys = sorted({r.partition for r in problem.requests}, key=lambda k: (-sum(r.partition == k for r in problem.requests), k))
    if len(keys) <= 1:
        return solve_one(problem, options)
    remaining = {vt.name: vt.count for vt in problem.vehicle_types}
    routes: list[Route] = []
    unserved: list[Unserved] = []
    objective = 0
    statuses = []
    stopped_by: set[str] = set()
    total = left = len(problem.requests)
    for key in keys:
        part = tuple(r for r in problem.requests if r.partition == key)
        fleet = useful_fleet(part, problem.vehicle_types, remaining, problem.time_s)
        ids = {r.request_id for r in part}
        sub = dataclasses.replace(problem, requests=part, vehicle_types=fleet,
                                  incompatible=tuple(p for p in problem.incompatible if p[0] in ids and p[1] in ids))
        if options.solution_limit:  # fixed shares, so that reruns give each partition the same cap
            limit = max(MIN_PARTITION_SECONDS, options.time_limit_s * len(part) / total)
        else:  # a share of the time still left: a partition running over (a first solution is
            # never cut short) is made up by the later ones instead of overrunning the whole run
            budget = options.time_limit_s - (clock.perf_counter() - started)
            limit = max(MIN_PARTITION_SECONDS, budget * len(part) / left)
        left -= len(part)
        solution = solve_one(sub, dataclasses.replace(options, time_limit_s=limit), catalogue=problem.vehicle_types)
        offset = len(routes)
        for k, route in enumerate(solution.routes):
            routes.append(dataclasses.replace(route, vehicle=offset + k))
            remaining[route.vehicle_type] -= 1
        unserved += solution.unserved
        objective += solution.objective
        statuses.append(f"{key or 'all'}:{solution.status}")
        stopped_by.add(str(solution.stats.get("stopped_by", "")))
        log.info("  partition %s: %d requests, %d vehicles, %d unserved (%.1f s)", key or "all", len(part),
                 solution.vehicles_used, len(solution.unserved), solution.solve_seconds)
    status = "OK" if all(s.endswith(":OK") for s in statuses) else ";".join(statuses)
    return Solution(tuple(routes), tuple(unserved), objective, status, clock.perf_counter() - started,
                    "partitioned", {"partitions": statuses, "stopped_by": ";".join(sorted(stopped_by - {""}))})


def useful_fleet(part: tuple[Request, ...], types: tuple[VehicleType, ...], remaining: dict[str, int],
                 time_s: np.ndarray | None = None) -> tuple[VehicleType, ...]:
    """The vehicles still free that could serve something in this partition, no more than it could use.

    A catalogue type offered from several depots is taken from the nearest depot first, and
    from farther depots only as far as the nearer ones run short of vehicles that fit:
    offering every depot's full count multiplies the fleet, and the first solution's work
    with it. Scarce vehicles (wheelchair spaces, passenger assistants) are offered only for
    the pupils who need them: otherwise the first partitions spend them on pupils any taxi
    could carry, and later partitions are left with dearer substitutes.
    """
    need_pa = any(r.needs_assistant for r in part)
    smallest = min(r.seats for r in part)
    stops = [n for r in part for n in (r.pickup, r.delivery) if n is not None]
    candidates = []
    for vt in types:
        if remaining[vt.name] <= 0 or vt.usable_seats < smallest or (vt.has_assistant and not need_pa):
            continue
        fitting = [r for r in part if vt.can_carry(r)]
        if vt.wheelchair_spaces or vt.has_assistant:
            fitting = [r for r in fitting if (vt.wheelchair_spaces and r.wheelchairs) or (vt.has_assistant and r.needs_assistant)]
        if fitting:
            reach = float(time_s[vt.start, stops].mean()) if time_s is not None and stops else 0.0
            candidates.append((vt, len(fitting), reach))
    out = []
    offered: dict[tuple, int] = {}
    for vt, fits, _ in sorted(candidates, key=lambda c: c[2]):
        variant = (vt.catalogue_type, vt.seats, vt.wheelchair_spaces, vt.has_assistant)
        room = fits - offered.get(variant, 0)
        if room <= 0:
            continue
        count = min(remaining[vt.name], room)
        offered[variant] = offered.get(variant, 0) + count
        out.append(dataclasses.replace(vt, count=count))
    order = {t.name: i for i, t in enumerate(types)}
    return tuple(sorted(out, key=lambda vt: order[vt.name]))
