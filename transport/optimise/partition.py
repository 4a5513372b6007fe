"""Solve a run in partitions that share one fleet, side by side.

Requests carry a partition key (door to door or pick-up point, by cluster of nearby
schools). A first pass finds how many vehicles of each catalogue row (and how many
assistants) each partition's first solution would use on its own, and allocates the shared
counts between partitions in proportion; the partitions are then searched independently,
in processes or on a Dask cluster, so the routes never depend on the order they were solved
in. Vehicles left over after the searches are offered to any request still unserved, and
each request left unserved is explained with the rule that binds.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time as clock

import numpy as np

from transport.optimise.diagnose import explain_unserved, impossible
from transport.optimise.problem import Request, RoutingProblem, VehicleType
from transport.optimise.reuse import (
    ASSISTANTS,
    Base,
    pool_usage,
    request_signature,
    same_partition,
    translated,
)
from transport.optimise.search import (
    SMALL_PROBLEM,
    SearchConfig,
    SolveOptions,
    best_of,
    nothing_to_route,
    portfolio,
    search,
    search_tasks,
    seeded_order,
    servable_part,
)
from transport.optimise.solution import Route, Solution, Unserved
from transport.optimise.tasks import run_tasks

log = logging.getLogger(__name__)

#: Each partition gets a share of the time in proportion to its requests, at least this.
MIN_PARTITION_SECONDS = 1.0
#: The search that tries to place a leftover request on a free vehicle of its own.
REPAIR_SECONDS = 0.3


def solve(problem: RoutingProblem, options: SolveOptions | None = None, base: Base | None = None) -> Solution:
    """Routes for every partition, found side by side with the fleet allocated between them.

    With a `base` (the base scenario's same run) a partition whose requests and fleet are the
    base's keeps the base's routes, and a changed one starts from the base's routes for the
    requests it still has.
    """
    options = options or SolveOptions()
    started = clock.perf_counter()
    parts = _partitions(problem)
    kept, kept_unserved, allocation = _kept(problem, parts, base)
    changed = {key: part for key, part in parts.items() if key not in kept}
    left = _left_after(problem, allocation)
    solutions: dict[str, Solution] = {key: Solution(routes, kept_unserved[key], _cost(problem, routes, kept_unserved[key]), "OK",
                                                    0.0, "kept", {}) for key, routes in kept.items()}
    if changed:
        if base is not None:
            shares, firsts = _from_base(problem, changed, base, left), {}
        elif len(changed) > 1:
            shares, firsts = _allocate(problem, changed, options, left)
        else:
            shares, firsts = {k: left for k in changed}, {}
        allocation |= shares
        starts = {key: _base_start(problem, base, key) or firsts.get(key, (None, None)) for key in changed}
        solutions |= _search_partitions(problem, changed, shares, starts, options, started)
    if kept:
        log.info("  %d of %d partitions unchanged from the base: their routes kept", len(kept), len(parts))
    merged = _merged({key: solutions[key] for key in parts}, started)
    finished = _finish(problem, merged, options, started)
    finished.stats["allocation"] = _held(problem, finished, allocation)
    return finished


def _held(problem: RoutingProblem, solution: Solution, allocation: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """Each partition's share of the fleet, raised to what its routes use (a leftover vehicle
    given to one of its requests counts towards it), so a scenario keeping it keeps them all."""
    held = {key: dict(share) for key, share in allocation.items()}
    for key in {r.partition for r in solution.routes}:
        used = _usage(problem, dataclasses.replace(solution, routes=tuple(r for r in solution.routes if r.partition == key)))
        share = held.setdefault(key, {})
        for pool, n in used.items():
            share[pool] = max(share.get(pool, 0), n)
    return held


def _search_partitions(problem: RoutingProblem, parts: dict[str, tuple[Request, ...]], shares: dict[str, dict[str, int]],
                       starts: dict[str, tuple[Solution | None, SearchConfig | None]], options: SolveOptions,
                       started: float) -> dict[str, Solution]:
    """Each partition searched with its share of the fleet, side by side; a partition's search of
    the configuration its start came from begins there."""
    subs = {key: sub_problem(problem, part, shares[key]) for key, part in parts.items()}
    budget = _search_budget(options, started)
    servables = {key: servable_part(sub, problem.vehicle_types) for key, sub in subs.items()}
    from_base = {key for key in subs if starts.get(key, (None, None))[0] is not None and starts[key][1] is None}
    load = {key: (1.0 if key in from_base else sum(o.time_limit_s for _, o in search_tasks(
        servable, dataclasses.replace(options, time_limit_s=1.0)))) / max(1, options.workers)
        for key, (servable, _) in servables.items() if servable}
    limits = _time_limits({key: len(subs[key].requests) for key in load}, load, budget)
    plans, tasks, labels = {}, [], []
    for key, (servable, unserved) in servables.items():
        limit = limits.get(key, 0.0)
        configs = search_tasks(servable, dataclasses.replace(options, time_limit_s=limit)) if servable else []
        if key in from_base and configs:  # a base's routes: one search from them, all the time
            configs = [(configs[0][0], dataclasses.replace(configs[0][1], time_limit_s=limit))]
        plans[key] = (servable, unserved, [c for c, _ in configs], len(tasks), len(configs))
        start, start_config = starts.get(key, (None, None))
        tasks += [(search, (servable, config, share, start if start_config in (None, config) else None))
                  for config, share in configs]
        labels += [f"partition {key or 'all'}"] * len(configs)
    log.info("  %d searches of %d partitions, %.0f s of search each process (%s)", len(tasks), len(parts), budget,
             "Dask" if options.scheduler is not None else f"{options.workers} processes")
    results = run_tasks(tasks, options.workers, options.scheduler, labels)
    log.info("  searches done (%.1f s)", clock.perf_counter() - started)
    solutions = {}
    for key, (servable, unserved, configs, first, count) in plans.items():
        solutions[key] = (best_of(servable, unserved, configs, results[first:first + count], started) if servable
                          else nothing_to_route(subs[key], unserved, started))
        log.info("  partition %s: %d requests, %d vehicles, %d unserved", key or "all", len(parts[key]),
                 solutions[key].vehicles_used, len(solutions[key].unserved))
    return solutions


def _time_limits(sizes: dict[str, int], load: dict[str, float], budget_s: float) -> dict[str, float]:
    """Each partition's time limit, in proportion to its requests and at least a floor, such that
    the searches together fit the budget: `load` is how many seconds of each process one second
    of a partition's limit takes (its searches side by side, or in turn, over the processes).
    The floor is MIN_PARTITION_SECONDS, lowered when many partitions would overrun the budget."""
    if not sizes:
        return {}
    floor = min(MIN_PARTITION_SECONDS, budget_s / sum(load.values()))
    limits: dict[str, float] = {}
    free = set(sizes)
    while free:
        left = budget_s - sum(limits[k] * load[k] for k in limits)
        scale = left / sum(sizes[k] * load[k] for k in free)
        low = {k for k in free if scale * sizes[k] < floor}
        if not low:
            limits |= {k: scale * sizes[k] for k in free}
            break
        limits |= dict.fromkeys(low, floor)
        free -= low
    return limits


def _kept(problem: RoutingProblem, parts: dict[str, tuple[Request, ...]], base: Base | None
          ) -> tuple[dict[str, tuple[Route, ...]], dict[str, tuple[Unserved, ...]], dict[str, dict[str, int]]]:
    """Partitions the same as the base's: their routes and unserved requests (in this problem's
    terms), and the share of the fleet they keep."""
    kept, unserved, allocation = {}, {}, {}
    if base is None:
        return kept, unserved, allocation
    for key, part in parts.items():
        share = base.allocation(key)
        base_part = tuple(r for r in base.problem.requests if r.partition == key)
        if share is None or not base_part:
            continue
        fleet = useful_fleet(part, problem.vehicle_types, share, problem.time_s)
        base_fleet = useful_fleet(base_part, base.problem.vehicle_types, share, base.problem.time_s)
        if not same_partition(base, base_part, base_fleet, problem, part, fleet):
            continue
        routes = translated(base.problem, base.routes(key), problem)
        served = {v.request_id for r in routes for v in r.visits if v.request_id}
        left = {u.request_id for u in base.solution.unserved} & {r.request_id for r in base_part}
        ids = {r.request_id: t.request_id for r, t in zip(sorted(base_part, key=lambda r: request_signature(base.problem, r)),
                                                          sorted(part, key=lambda r: request_signature(problem, r)), strict=True)}
        if served | {ids[i] for i in left} != {r.request_id for r in part}:
            continue  # carried incompletely: search it instead
        kept[key] = tuple(dataclasses.replace(r, partition=key) for r in routes)
        unserved[key] = tuple(dataclasses.replace(u, request_id=ids[u.request_id]) for u in base.solution.unserved
                              if u.request_id in left)
        allocation[key] = dict(share)
    return kept, unserved, allocation


def _from_base(problem: RoutingProblem, changed: dict[str, tuple[Request, ...]], base: Base,
               left: dict[str, int]) -> dict[str, dict[str, int]]:
    """The changed partitions' shares when a base ran first: each asks for the base's share for it
    grown with its requests (a new partition asks for none), and what the base's partitions left
    over beyond the asks is split between them in proportion to their requests."""
    before = {key: sum(r.partition == key for r in base.problem.requests) for key in changed}
    growth = {key: max(1.0, len(part) / before[key]) if before[key] else 1.0 for key, part in changed.items()}
    held = {key: base.allocation(key) or {} for key in changed}
    shares: dict[str, dict[str, int]] = {key: {} for key in changed}
    for pool, n in left.items():
        asked = {key: math.ceil(share.get(pool, 0) * growth[key]) for key, share in held.items()}
        if sum(asked.values()) >= n:  # the base's shares alone take the pool: split it in their proportion
            split = _split(n, asked)
        else:
            extra = _split(n - sum(asked.values()), {key: len(part) for key, part in changed.items()})
            split = {key: asked[key] + extra[key] for key in changed}
        for key in changed:
            shares[key][pool] = split[key]
    return shares


def _left_after(problem: RoutingProblem, allocation: dict[str, dict[str, int]]) -> dict[str, int]:
    """The pools (and assistants) not held by the partitions kept from the base."""
    left = dict(problem.pools())
    if problem.assistants_available is not None:
        left[ASSISTANTS] = problem.assistants_available
    for share in allocation.values():
        for pool, n in share.items():
            if pool in left:
                left[pool] = max(0, left[pool] - n)
    return left


def _base_start(problem: RoutingProblem, base: Base | None, key: str) -> tuple[Solution, None] | None:
    """The base's routes for a changed partition, for the requests it still has: where its search starts."""
    if base is None:
        return None
    routes = translated(base.problem, base.routes(key), problem)
    return (Solution(routes, (), 0, "OK", 0.0, "base"), None) if routes else None


def _cost(problem: RoutingProblem, routes: tuple[Route, ...], unserved: tuple[Unserved, ...]) -> int:
    by_id = {r.request_id: r for r in problem.requests}
    nodes = sum((by_id[u.request_id].pickup is not None) + (by_id[u.request_id].delivery is not None) for u in unserved)
    return sum(r.cost for r in routes) + problem.unserved_penalty * nodes


def _partitions(problem: RoutingProblem) -> dict[str, tuple[Request, ...]]:
    """Requests by partition key, largest partition first."""
    keys = sorted({r.partition for r in problem.requests}, key=lambda k: (-sum(r.partition == k for r in problem.requests), k))
    return {k: tuple(r for r in problem.requests if r.partition == k) for k in keys}


def _search_budget(options: SolveOptions, started: float) -> float:
    """Seconds per process left for the searches: the run's limit, less the first pass (under a
    work limit the shares stay fixed, so that reruns give each partition the same cap)."""
    if options.solution_limit:
        return options.time_limit_s
    return max(MIN_PARTITION_SECONDS, options.time_limit_s - (clock.perf_counter() - started))


def sub_problem(problem: RoutingProblem, part: tuple[Request, ...], counts: dict[str, int]) -> RoutingProblem:
    """A partition's requests, with the vehicles of its share (`counts` by pool) that could serve them."""
    ids = {r.request_id for r in part}
    return dataclasses.replace(problem, requests=part, vehicle_types=useful_fleet(part, problem.vehicle_types, counts, problem.time_s),
                               incompatible=tuple(p for p in problem.incompatible if p[0] in ids and p[1] in ids),
                               assistants_available=counts.get(ASSISTANTS, problem.assistants_available))


# --------------------------------------------------------------------------- the fleet between partitions


def _allocate(problem: RoutingProblem, parts: dict[str, tuple[Request, ...]], options: SolveOptions, sizes: dict[str, int]
              ) -> tuple[dict[str, dict[str, int]], dict[str, tuple[Solution | None, SearchConfig | None]]]:
    """Each partition's share of every pool (and of the assistants), from what its first
    solution alone with the whole fleet would use: all it asks for when the pool suffices, the
    slack split in proportion; else the pool split in proportion to what each asks. The first
    solutions are returned too: each partition's search of that configuration starts from its own."""
    alone = {key: sub_problem(problem, part, sizes) for key, part in parts.items()}
    firsts = []
    for key, sub in alone.items():
        servable, _ = servable_part(sub, problem.vehicle_types)
        firsts.append((key, servable))
    first_options = dataclasses.replace(options, solution_limit=1, time_limit_s=0.1)
    configs = {key: _placing(portfolio(sub), options.seed) for key, sub in firsts if sub}
    tasks = [(search, (sub, configs[key], first_options)) for key, sub in firsts if sub]
    results = iter(run_tasks(tasks, options.workers, options.scheduler))
    solutions = {key: (next(results), configs[key]) if sub else (None, None) for key, sub in firsts}
    asked = {key: _usage(sub, solutions[key][0]) if sub else {} for key, sub in firsts}
    return _shares(sizes, parts, asked), solutions


def _placing(configs: tuple[SearchConfig, ...], seed: int) -> SearchConfig:
    """The first configuration in the seed's order whose first solution places every request it
    can: Christofides leaves pickup-and-delivery pairs for the local search to place, which says
    nothing about how many vehicles a partition needs."""
    ordered = seeded_order(configs, seed)
    return next((c for c in ordered if c.first_solution != "CHRISTOFIDES"), ordered[0])


def _shares(sizes: dict[str, int], parts: dict[str, tuple], asked: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    shares: dict[str, dict[str, int]] = {key: {} for key in parts}
    for pool, size in sizes.items():
        split = _split(size, {key: asked[key].get(pool, 0) for key in parts})
        for key in parts:
            shares[key][pool] = split[key]
    return shares


def _split(size: int, asked: dict[str, int]) -> dict[str, int]:
    """Whole shares of `size` in proportion to what each asked (largest remainders, ties by key):
    when the pool covers every ask, each gets its ask plus a proportional share of the slack."""
    total = sum(asked.values())
    if total == 0:
        return dict.fromkeys(asked, 0)
    exact = {k: size * a / total for k, a in asked.items()} if total > size else {
        k: a + (size - total) * a / total for k, a in asked.items()}
    shares = {k: math.floor(v) for k, v in exact.items()}
    left = size - sum(shares.values())
    for k in sorted(asked, key=lambda k: (-(exact[k] - shares[k]), k))[:max(0, left)]:
        if asked[k]:
            shares[k] += 1
    return shares


def _usage(problem: RoutingProblem, solution: Solution | None) -> dict[str, int]:
    """Vehicles of each pool, and assistants, a solution uses."""
    return {} if solution is None else pool_usage(problem, solution.routes) or {}


def useful_fleet(part: tuple[Request, ...], types: tuple[VehicleType, ...], counts: dict[str, int],
                 time_s: np.ndarray | None = None) -> tuple[VehicleType, ...]:
    """The vehicles of each pool this partition may use (`counts`) that could serve something in
    it, no more than it could use.

    A catalogue type offered from several depots is taken from the nearest depot first, and
    from farther depots only as far as the nearer ones run short of vehicles that fit.
    Scarce vehicles (wheelchair spaces, passenger assistants) are offered only for the pupils
    who need them, so that they are not spent on pupils any taxi could carry.
    """
    need_pa = any(r.needs_assistant for r in part)
    smallest = min(r.seats for r in part)
    stops = [n for r in part for n in (r.pickup, r.delivery) if n is not None]
    candidates = []
    for vt in types:
        available = counts.get(vt.pool or vt.name, vt.count)
        if available <= 0 or vt.usable_seats < smallest or (vt.has_assistant and not need_pa):
            continue
        fitting = [r for r in part if vt.can_carry(r)]
        if vt.wheelchair_spaces or vt.has_assistant:
            fitting = [r for r in fitting if (vt.wheelchair_spaces and r.wheelchairs) or (vt.has_assistant and r.needs_assistant)]
        if fitting:
            reach = float(time_s[vt.start, stops].mean()) if time_s is not None and stops else 0.0
            candidates.append((vt, len(fitting), reach, available))
    out = []
    offered: dict[tuple, int] = {}
    for vt, fits, _, available in sorted(candidates, key=lambda c: c[2]):
        variant = (vt.catalogue_type, vt.seats, vt.wheelchair_spaces, vt.has_assistant)
        room = fits - offered.get(variant, 0)
        if room <= 0:
            continue
        count = min(vt.count, available, room)
        offered[variant] = offered.get(variant, 0) + count
        out.append(dataclasses.replace(vt, count=count, pool_size=available if vt.pool else vt.pool_size))
    order = {t.name: i for i, t in enumerate(types)}
    return tuple(sorted(out, key=lambda vt: order[vt.name]))


# --------------------------------------------------------------------------- one solution, leftovers served


def _merged(solutions: dict[str, Solution], started: float) -> Solution:
    routes: list[Route] = []
    unserved: list[Unserved] = []
    statuses, stopped_by = [], set()
    for key, solution in solutions.items():
        routes += [dataclasses.replace(route, vehicle=len(routes) + k, partition=key) for k, route in enumerate(solution.routes)]
        unserved += solution.unserved
        statuses.append(f"{key or 'all'}:{solution.status}")
        stopped_by.add(str(solution.stats.get("stopped_by", "")))
    status = "OK" if all(s.endswith(":OK") for s in statuses) else ";".join(statuses)
    objective = sum(s.objective for s in solutions.values())
    only = next(iter(solutions.values())).stats if len(solutions) == 1 else {}  # one partition: its search's own account
    return Solution(tuple(routes), tuple(unserved), objective, status, clock.perf_counter() - started,
                    "partitioned" if len(solutions) > 1 else next(iter(solutions.values())).strategy,
                    {**only, "partitions": statuses, "stopped_by": ";".join(sorted(stopped_by - {""}))})


def _finish(problem: RoutingProblem, solution: Solution, options: SolveOptions, started: float) -> Solution:
    """Offer vehicles nobody used to the requests still unserved, then say why each one left is."""
    free = _free(problem, solution)
    routes = list(solution.routes)
    unserved: list[Unserved] = []
    by_id = {r.request_id: r for r in problem.requests}
    for u in solution.unserved:
        req = by_id[u.request_id]
        route = None if impossible(problem, req, problem.vehicle_types) else _alone(problem, req, free, options)
        if route is None:
            unserved.append(u)
            continue
        routes.append(dataclasses.replace(route, vehicle=len(routes), partition=req.partition))
        _take(problem, route, free)
    reasons = tuple(explain_unserved(problem, by_id[u.request_id], free) for u in unserved)
    stats = {**solution.stats, "repaired": len(solution.unserved) - len(unserved)}
    if not routes[len(solution.routes):]:
        return dataclasses.replace(solution, unserved=reasons, stats=stats, solve_seconds=clock.perf_counter() - started)
    nodes = sum((by_id[u.request_id].pickup is not None) + (by_id[u.request_id].delivery is not None) for u in unserved)
    objective = sum(r.cost for r in routes) + problem.unserved_penalty * nodes
    return dataclasses.replace(solution, routes=tuple(routes), unserved=reasons, objective=int(objective), stats=stats,
                               solve_seconds=clock.perf_counter() - started)


def _free(problem: RoutingProblem, solution: Solution) -> dict[str, int]:
    free = problem.pools()
    if problem.assistants_available is not None:
        free[ASSISTANTS] = problem.assistants_available
    for route in solution.routes:
        _take(problem, route, free)
    return free


def _take(problem: RoutingProblem, route: Route, free: dict[str, int]) -> None:
    vt = next(t for t in problem.vehicle_types if t.name == route.vehicle_type)
    free[vt.pool or vt.name] -= 1
    if vt.has_assistant and ASSISTANTS in free:
        free[ASSISTANTS] -= 1


def _alone(problem: RoutingProblem, req: Request, free: dict[str, int], options: SolveOptions) -> Route | None:
    """A route for `req` on a vehicle nobody uses, if one can carry it alone within its limits."""
    if req.needs_assistant and free.get(ASSISTANTS, 1) <= 0:
        return None
    fleet = tuple(dataclasses.replace(vt, count=1, pool_size=1) for vt in problem.vehicle_types
                  if free.get(vt.pool or vt.name, 0) > 0 and vt.can_carry(req))
    if not fleet:
        return None
    one = dataclasses.replace(problem, requests=(req,), vehicle_types=fleet, incompatible=(), assistants_available=None)
    config = SearchConfig("PARALLEL_CHEAPEST_INSERTION", "GUIDED_LOCAL_SEARCH", False)
    found = search(one, config, dataclasses.replace(options, time_limit_s=REPAIR_SECONDS, solution_limit=None))
    return found.routes[0] if found is not None and found.routes and not found.unserved else None


__all__ = ["SMALL_PROBLEM", "solve", "sub_problem", "useful_fleet"]
