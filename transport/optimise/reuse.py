"""What a scenario keeps of its base's routes, and what the base learns back.

Two runs name their places differently (a pupil added shifts every later location index, and
pick-up points are numbered per run), so routes are carried between them by content: a
location by its name (`RoutingProblem.location_names`), a request by what it asks (its
pupils, places, windows, limits and needs), a vehicle by its variant.

- A partition whose requests and fleet are the same as the base's keeps the base's routes.
- A changed partition starts from the base's routes for the requests it still has.
- Afterwards each side is `offered` the other's routes: carried across (a stop with other
  pupils keeps its place), `projected` into the taker's timing model so every carried route
  is re-timed, re-checked and re-priced there, and `completed` by a short search where they
  lack some of the taker's requests. The cheaper plan is kept, within the whole run's fleet.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass

from transport.optimise.problem import Request, RoutingProblem, VehicleType
from transport.optimise.solution import Route, Solution

#: The key of the passenger assistants hired, beside the pools, in a fleet share or usage.
ASSISTANTS = "assistants"
#: A completion's time grows with the requests it must insert: `completion_s` for up to five,
#: in proportion beyond, up to this many times it.
COMPLETION_MAX_FACTOR = 3.0


@dataclass(frozen=True)
class Base:
    """The base scenario's problem and solution for the same run (AM or PM)."""

    problem: RoutingProblem
    solution: Solution

    def allocation(self, key: str) -> dict[str, int] | None:
        return self.solution.stats.get("allocation", {}).get(key)

    def routes(self, key: str) -> tuple[Route, ...]:
        return tuple(r for r in self.solution.routes if r.partition == key)


def request_signature(problem: RoutingProblem, req: Request) -> tuple:
    """What a request asks, with its places by name: equal in two runs when the pupils, the
    places and every limit are the same."""
    names = problem.location_names
    place = (lambda i: None if i is None else names[i]) if names else (lambda i: i)
    return (req.members, place(req.pickup), place(req.delivery), req.seats, req.wheelchairs, req.pickup_window,
            req.delivery_window, req.max_ride_s, req.pickup_service_s, req.delivery_service_s, req.needs_assistant,
            req.travel_alone, req.group)


def fleet_signature(problem: RoutingProblem, fleet: tuple[VehicleType, ...]) -> list[tuple]:
    """The vehicles offered, with their depots by name."""
    names = problem.location_names
    where = (lambda i: names[i]) if names else (lambda i: i)
    return sorted((vt.name, vt.seats, vt.wheelchair_spaces, vt.count, vt.fixed_cost, vt.cost_per_km, vt.max_duration_s,
                   vt.pool_size, where(vt.start), where(vt.end)) for vt in fleet)


def same_partition(base: Base, base_part: tuple[Request, ...], base_fleet: tuple[VehicleType, ...],
                   problem: RoutingProblem, part: tuple[Request, ...], fleet: tuple[VehicleType, ...]) -> bool:
    """The same requests (by content) and the same fleet: the base's routes stand as they are."""
    if len(part) != len(base_part):
        return False
    ours = sorted(request_signature(problem, r) for r in part)
    theirs = sorted(request_signature(base.problem, r) for r in base_part)
    return ours == theirs and fleet_signature(problem, fleet) == fleet_signature(base.problem, base_fleet)


def place_signature(problem: RoutingProblem, req: Request) -> tuple:
    """Where and when a request is served, whoever it carries: a pick-up point's request with a
    pupil more or fewer in another run has the same place signature."""
    names = problem.location_names
    place = (lambda i: None if i is None else names[i]) if names else (lambda i: i)
    return (place(req.pickup), place(req.delivery), req.pickup_window, req.delivery_window, req.needs_assistant,
            req.travel_alone, req.group, req.is_door_to_door)


def translated(source: RoutingProblem, routes: tuple[Route, ...], target: RoutingProblem,
               by_place: bool = False) -> tuple[Route, ...]:
    """`routes` of `source` in `target`'s terms: request ids and location indices by content.

    A request is matched by what it asks (`request_signature`). `by_place`: one with no such
    match takes an unmatched request of the same place signature (the same stop with other
    pupils), so its visits keep their place in the route; its loads may no longer fit, so such
    routes must be re-timed and re-checked (`projected`) before they are used.
    Visits of requests `target` does not have are dropped (a route left empty is dropped too);
    times and loads are kept, so a route carried whole is exactly the base's."""
    ids = {request_signature(target, r): r for r in target.requests}
    rename = {r.request_id: ids.get(request_signature(source, r)) for r in source.requests}
    if by_place:
        taken = {r.request_id for r in rename.values() if r is not None}
        spare: dict[tuple, list[Request]] = {}
        for r in target.requests:
            if r.request_id not in taken:
                spare.setdefault(place_signature(target, r), []).append(r)
        for r in source.requests:
            if rename[r.request_id] is None and spare.get(place := place_signature(source, r)):
                rename[r.request_id] = spare[place].pop(0)
    index = {name: k for k, name in enumerate(target.location_names)}
    out = []
    for route in routes:
        visits = []
        for v in route.visits:
            if v.kind in ("pickup", "delivery"):  # two places may share a name: the request says which it is
                mine = rename.get(v.request_id)
                if mine is None:
                    continue
                visits.append(dataclasses.replace(v, location=mine.pickup if v.kind == "pickup" else mine.delivery,
                                                  request_id=mine.request_id))
                continue
            location = index.get(source.location_names[v.location]) if source.location_names else v.location
            if location is None:
                break
            visits.append(dataclasses.replace(v, location=location))
        else:
            if any(v.kind in ("pickup", "delivery") for v in visits):
                out.append(dataclasses.replace(route, visits=tuple(visits)))
    return tuple(out)


def projected(problem: RoutingProblem, routes: tuple[Route, ...]) -> tuple[Route, ...] | None:
    """`routes` (already in `problem`'s terms) read into `problem`'s timing model and extracted
    again, so that each is timed and priced as `problem` would; None if the model rejects them."""
    from transport.optimise.extract import extract
    from transport.optimise.model import build_model, routes_from
    from transport.optimise.timing import cumul_ride_limit

    ids = {v.request_id for r in routes for v in r.visits if v.request_id}
    problem = dataclasses.replace(problem, requests=tuple(r for r in problem.requests if r.request_id in ids),
                                  incompatible=tuple(p for p in problem.incompatible if p[0] in ids and p[1] in ids))
    built = build_model(problem, ride_limit=cumul_ride_limit)  # only these routes' requests: each route is timed alone
    indices = routes_from(problem, built, Solution(routes, (), 0, "OK", 0.0))
    stops = sum(v.kind in ("pickup", "delivery") for r in routes for v in r.visits)
    if indices is None or sum(map(len, indices)) != stops:  # a route found no vehicle of its kind here
        return None
    assignment = built.routing.ReadAssignmentFromRoutes(indices, True)
    if assignment is None:
        return None
    return extract(problem, built, assignment, "projected", 0.0).routes


def cost(routes: tuple[Route, ...]) -> int:
    return sum(r.cost for r in routes)



Plan = tuple[str, set[str], "tuple[Route, ...] | None"]  # partition, requests the target serves there, routes offered


def offered(target: Base, source: Base, completion_s: float = 0.0, workers: int = 1) -> Solution | None:
    """`target`'s solution with each partition replaced by `source`'s routes for it where those,
    carried into `target`'s terms and re-timed there, serve every request `target` serves in it,
    keep the run within its fleet, and cost less; None when nothing is better.

    With `completion_s`, routes that lack some of `target`'s requests (pupils the source does
    not have, or pick-up points with other pupils) are completed first: searched in `target`'s
    partition from those routes, so the missing requests are inserted into them, for that long
    (longer for more than five missing, see COMPLETION_MAX_FACTOR).

    A base is offered its scenarios' routes (what each scenario's search found), and a scenario
    its improved base's: each figure is the cheapest plan any search of the comparison found.
    """
    return offered_all([(target, [source])], completion_s, workers)[0]


def offered_all(offers: list[tuple[Base, list[Base]]], completion_s: float = 0.0, workers: int = 1) -> list[Solution | None]:
    """`offered` for each target and its sources (for each partition the cheapest of their routes
    that the fleet allows), with every completion searched in one batch side by side."""
    from transport.optimise.tasks import run_tasks

    planned = [[_plans(target, source, completion_s) for source in sources] for target, sources in offers]
    batch = [(k, key, served, args) for k, per_source in enumerate(planned) for _, completions in per_source
             for key, served, args in completions]
    done = run_tasks([(completed, args) for *_, args in batch], workers,
                     labels=[f"partition {key} (completing another scenario's routes)" for _, key, _, _ in batch]) if batch else []
    plans = [[plan for ready, _ in per_source for plan in ready] for per_source in planned]
    for (k, key, served, _), timed in zip(batch, done, strict=True):
        plans[k].append((key, served, timed))
    return [_applied(target, mine) for (target, _), mine in zip(offers, plans, strict=True)]


def _plans(target: Base, source: Base, completion_s: float) -> tuple[list[Plan], list[tuple[str, set[str], tuple]]]:
    """Per partition: `source`'s routes re-timed in `target` where they serve all it serves; else
    the arguments of their completion (when `completion_s` is given)."""
    plans: list[Plan] = []
    completions: list[tuple[str, set[str], tuple]] = []
    for key in sorted({r.partition for r in target.solution.routes} | set(target.solution.stats.get("allocation", {}))):
        mine = target.routes(key)
        candidate = translated(source.problem, source.routes(key), target.problem, by_place=True)
        served = _ids(mine)
        if not candidate or _same(candidate, mine):
            continue
        timed = projected(target.problem, candidate)
        if timed is None:  # a stop's other pupils no longer fit: carried by exact requests only
            candidate = translated(source.problem, source.routes(key), target.problem)
            timed = projected(target.problem, candidate) if candidate else None
        if timed is not None and served <= _ids(timed):
            plans.append((key, served, timed))
        elif completion_s > 0 and timed and (sub := _partition_problem(target, key)) is not None:
            missing = len({r.request_id for r in sub.requests} - _ids(timed))
            completions.append((key, served, (sub, timed, completion_s * min(COMPLETION_MAX_FACTOR, max(1.0, missing / 5)))))
    return plans, completions


def _applied(target: Base, plans: list[Plan]) -> Solution | None:
    """`target`'s solution with each planned partition's routes where they serve all it serves there,
    cost less and keep the whole run within its fleet; None when none does."""
    routes = list(target.solution.routes)
    unserved = list(target.solution.unserved)
    better = False
    allocation = {key: dict(share) for key, share in target.solution.stats.get("allocation", {}).items()}
    for key, served, timed in sorted(plans, key=lambda plan: (plan[0], cost(plan[2]) if plan[2] is not None else 0)):
        mine = [r for r in routes if r.partition == key]
        if timed is None or not served <= _ids(timed) or cost(timed) >= cost(tuple(mine)):
            continue
        trial = [r for r in routes if r.partition != key] + [dataclasses.replace(r, partition=key) for r in timed]
        if not _within_fleet(target.problem, trial):  # the whole run within the fleet, whatever the partition's share
            continue
        routes = trial
        unserved = [u for u in unserved if u.request_id not in _ids(timed)]
        share = allocation.setdefault(key, {})
        for pool, n in (pool_usage(target.problem, timed) or {}).items():
            share[pool] = max(share.get(pool, 0), n)
        better = True
    if not better:
        return None
    routes = [dataclasses.replace(r, vehicle=k) for k, r in enumerate(routes)]
    by_id = {r.request_id: r for r in target.problem.requests}
    nodes = sum((by_id[u.request_id].pickup is not None) + (by_id[u.request_id].delivery is not None) for u in unserved)
    objective = cost(tuple(routes)) + target.problem.unserved_penalty * nodes
    return dataclasses.replace(target.solution, routes=tuple(routes), unserved=tuple(unserved), objective=int(objective),
                               stats={**target.solution.stats, "allocation": allocation, "offered_from": "another scenario"})


def _ids(routes) -> set[str]:
    return {v.request_id for r in routes for v in r.visits if v.request_id}


def _partition_problem(target: Base, key: str) -> RoutingProblem | None:
    """`target`'s requests in partition `key` that some vehicle could serve, with the vehicles
    (and assistants) its other partitions' routes leave free."""
    from transport.optimise.partition import sub_problem
    from transport.optimise.search import servable_part

    part = tuple(r for r in target.problem.requests if r.partition == key)
    if not part:
        return None
    used = pool_usage(target.problem, [r for r in target.solution.routes if r.partition != key]) or {}
    free = {pool: max(0, n - used.get(pool, 0)) for pool, n in target.problem.pools().items()}
    if target.problem.assistants_available is not None:
        free[ASSISTANTS] = max(0, target.problem.assistants_available - used.get(ASSISTANTS, 0))
    return servable_part(sub_problem(target.problem, part, free), target.problem.vehicle_types)[0]


def completed(problem: RoutingProblem, routes: tuple[Route, ...], limit_s: float) -> tuple[Route, ...] | None:
    """`routes` (in `problem`'s terms, lacking some of its requests) searched from for `limit_s`
    by the portfolio's lead configuration, which inserts the missing requests and improves."""
    from transport.optimise.search import SolveOptions, portfolio, search

    found = search(problem, portfolio(problem)[0], SolveOptions(time_limit_s=limit_s, workers=1),
                   Solution(routes, (), 0, "OK", 0.0, "another scenario"))
    return None if found is None else found.routes


def _same(routes: tuple[Route, ...], others: tuple[Route, ...]) -> bool:
    """The same vehicles calling at the same places for the same requests in the same order."""
    def plan(rs: tuple[Route, ...]) -> list[tuple]:
        return sorted((r.vehicle_type, tuple((v.kind, v.request_id, v.location) for v in r.visits)) for r in rs)
    return plan(routes) == plan(others)


def pool_usage(problem: RoutingProblem, routes) -> dict[str, int] | None:
    """Vehicles of each pool (and assistants) the routes use; None if one's type is not offered."""
    types = {vt.name: vt for vt in problem.vehicle_types}
    used: dict[str, int] = {}
    for route in routes:
        vt = types.get(route.vehicle_type)
        if vt is None:
            return None
        used[vt.pool or vt.name] = used.get(vt.pool or vt.name, 0) + 1
        if vt.has_assistant:
            used[ASSISTANTS] = used.get(ASSISTANTS, 0) + 1
    return used


def _within_fleet(problem: RoutingProblem, routes: list[Route]) -> bool:
    """All the routes together use no more of each pool (and assistants) than the run has."""
    used = pool_usage(problem, routes)
    if used is None:
        return False
    limits = {**problem.pools(), ASSISTANTS: problem.assistants_available}
    counts = {vt.name: vt.count for vt in problem.vehicle_types}
    variants = Counter(r.vehicle_type for r in routes)
    return (all(limits.get(pool) is None or n <= limits[pool] for pool, n in used.items())
            and all(n <= counts[name] for name, n in variants.items()))


__all__ = ["Base", "cost", "offered", "offered_all", "pool_usage", "projected", "same_partition", "translated"]
