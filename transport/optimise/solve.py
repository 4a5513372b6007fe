"""Search for routes, using both cores, and explain every request left unserved.

Requests that no vehicle could ever serve (a direct journey longer than the ride limit, a
wheelchair with no wheelchair vehicle, ...) are diagnosed before the search and kept out
of it. The rest go to OR-Tools; every request is optional with a large penalty, so a run
always returns routes. With `workers=2`, two differently configured searches run in
separate processes and the cheaper answer is kept.
"""

from __future__ import annotations

import dataclasses
import logging
import time as clock
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np

from transport.optimise.problem import Request, RoutingProblem
from transport.optimise.solution import Route, Solution, Unserved, Visit
from transport.outcomes import UNSERVED_REASONS

log = logging.getLogger(__name__)

#: Large-neighbourhood operators that OR-Tools leaves off by default: remove nodes close to
#: one another (or the most expensive chain of arcs) and re-insert them cheapest first.
EXTRA_OPERATORS: tuple[str, ...] = (
    "use_global_cheapest_insertion_close_nodes_lns",
    "use_local_cheapest_insertion_close_nodes_lns",
    "use_global_cheapest_insertion_expensive_chain_lns",
    "use_local_cheapest_insertion_expensive_chain_lns",
)


@dataclass(frozen=True, slots=True)
class SearchConfig:
    """One search worker's configuration."""

    first_solution: str
    metaheuristic: str
    extra_lns: bool
    #: guided local search keeps its arc penalties per vehicle class instead of one set for all
    penalise_by_vehicle_class: bool = False

    @property
    def label(self) -> str:
        return (f"{self.first_solution}+{self.metaheuristic}" + ("+LNS" if self.extra_lns else "")
                + ("+class-penalties" if self.penalise_by_vehicle_class else ""))


#: Search portfolios, in the order workers take them (the seed rotates the order).
#: - Parallel cheapest insertion copes with tight time windows and ride limits where
#:   path-cheapest-arc often finds nothing: always one of the two workers.
#: - When every vehicle has a fixed price (school contracts, Li & Lim's vehicles-first
#:   objective) the extra LNS operators pay off (Li & Lim lrc201 at 30 s: 10.8% -> 5.2% gap),
#:   and so does a second worker that starts from Christofides, leaving most pairs unplaced
#:   for the local search to build routes from (it once was the only worker to find bus
#:   runs on pick-up point partitions; the insertion workers now also try bus-run starts,
#:   see `_bus_run_starts`), while the same start loses on door-to-door partitions, hence both.
#: - When distance alone is priced (Cordeau's dial-a-ride) both of those slow the search
#:   down, so plain GLS leads.
#: - When every request is a delivery loaded at the depot (Solomon's VRPTW, no pupil run)
#:   a savings start and guided local search that keeps its penalties per vehicle class
#:   serve best: on 12 Solomon instances at 30 s, one process each, (savings, local
#:   cheapest insertion) beat the old pair of insertion workers on 10; as a pair it beats
#:   VROOM on 8 (bench/results/solver.md and solver-solomon-more.md).
#:   Savings is no use with pickup-and-delivery pairs: it leaves them all unplaced; and
#:   class penalties did not help the pupils' runs (Rutland baseline at 30 s: £3.44m a year
#:   with them, £3.37m without).
#: Small problems try every configuration of the portfolio in turn; the last one placed a
#: Cordeau a2-16 request that the insertion workers left out at short limits.
PRICED_VEHICLES: tuple[SearchConfig, ...] = (
    SearchConfig("PARALLEL_CHEAPEST_INSERTION", "GUIDED_LOCAL_SEARCH", True),
    SearchConfig("CHRISTOFIDES", "GUIDED_LOCAL_SEARCH", True),
    SearchConfig("LOCAL_CHEAPEST_INSERTION", "GUIDED_LOCAL_SEARCH", True),
)
DISTANCE_ONLY: tuple[SearchConfig, ...] = (
    SearchConfig("PARALLEL_CHEAPEST_INSERTION", "GUIDED_LOCAL_SEARCH", False),
    SearchConfig("PARALLEL_CHEAPEST_INSERTION", "GUIDED_LOCAL_SEARCH", True),
    SearchConfig("LOCAL_CHEAPEST_INSERTION", "GUIDED_LOCAL_SEARCH", True),
)
DEPOT_DELIVERIES: tuple[SearchConfig, ...] = (
    SearchConfig("SAVINGS", "GUIDED_LOCAL_SEARCH", False, penalise_by_vehicle_class=True),
    SearchConfig("LOCAL_CHEAPEST_INSERTION", "GUIDED_LOCAL_SEARCH", False, penalise_by_vehicle_class=True),
    SearchConfig("PARALLEL_CHEAPEST_INSERTION", "GUIDED_LOCAL_SEARCH", False),
)


def portfolio(problem: RoutingProblem) -> tuple[SearchConfig, ...]:
    """The search configurations that suit this problem's objective and shape (see above)."""
    if any(vt.fixed_cost > 0 for vt in problem.vehicle_types):
        return PRICED_VEHICLES
    if all(r.pickup is None for r in problem.requests):
        return DEPOT_DELIVERIES
    return DISTANCE_ONLY


#: Each partition gets a share of the time still left in proportion to its requests, at least this.
MIN_PARTITION_SECONDS = 1.0
#: The first solution is never cut short by the time limit; this only guards against a hang.
FIRST_SOLUTION_CAP_S = 600
#: Local search gets at least this long after the first solution.
MIN_SEARCH_SECONDS = 0.2
#: Below this many requests one search process is enough.
SMALL_PROBLEM = 25


@dataclass(frozen=True, slots=True)
class SolveOptions:
    time_limit_s: float = 30.0
    workers: int = 2
    seed: int = 0  # picks the strategy pair each worker runs: same seed and limit, same configuration
    solution_limit: int | None = None  # a deterministic work limit; when set, the same inputs give the same routes
    log_search: bool = False


def solve(problem: RoutingProblem, options: SolveOptions | None = None) -> Solution:
    """Solve each partition in turn (largest first), each taking the vehicles the others left."""
    options = options or SolveOptions()
    started = clock.perf_counter()
    keys = sorted({r.partition for r in problem.requests}, key=lambda k: (-sum(r.partition == k for r in problem.requests), k))
    if len(keys) <= 1:
        return _solve_one(problem, options)
    remaining = {vt.name: vt.count for vt in problem.vehicle_types}
    routes: list[Route] = []
    unserved: list[Unserved] = []
    objective = 0
    statuses = []
    stopped_by: set[str] = set()
    total = left = len(problem.requests)
    for key in keys:
        part = tuple(r for r in problem.requests if r.partition == key)
        fleet = _useful_fleet(part, problem.vehicle_types, remaining, problem.time_s)
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
        solution = _solve_one(sub, dataclasses.replace(options, time_limit_s=limit), catalogue=problem.vehicle_types)
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


def _useful_fleet(part: tuple[Request, ...], types, remaining: dict[str, int], time_s: np.ndarray | None = None):
    """The vehicles still free that could serve something in this partition, no more than it could use.

    A catalogue type offered from several depots is taken from the nearest depot first, and
    from farther depots only as far as the nearer ones run short of vehicles that fit:
    offering every depot's full count multiplied the fleet, and the first solution's work
    with it (a 5x cohort stalled for minutes on one partition). Scarce vehicles (wheelchair
    spaces, passenger assistants) are offered only for the pupils who need them: otherwise the
    first partitions spent them on pupils any taxi could carry, and later partitions were left
    with dearer substitutes (the same pupils cost up to a third more or less depending on the
    order partitions were solved in).
    """
    need_pa = any(r.needs_assistant for r in part)
    smallest = min(r.seats for r in part)
    stops = [n for r in part for n in (r.pickup, r.delivery) if n is not None]
    candidates = []
    for vt in types:
        usable = vt.seats - (1 if vt.has_assistant else 0)
        if remaining[vt.name] <= 0 or usable < smallest or (vt.has_assistant and not need_pa):
            continue
        fitting = [r for r in part if r.seats <= usable and r.wheelchairs <= vt.wheelchair_spaces
                   and (vt.has_assistant or not r.needs_assistant)]
        if vt.wheelchair_spaces or vt.has_assistant:
            fitting = [r for r in fitting if (vt.wheelchair_spaces and r.wheelchairs) or (vt.has_assistant and r.needs_assistant)]
        fits = len(fitting)
        if fits:
            reach = float(time_s[vt.start, stops].mean()) if time_s is not None and stops else 0.0
            candidates.append((vt, fits, reach))
    out = []
    offered: dict[tuple, int] = {}
    for vt, fits, _ in sorted(candidates, key=lambda c: c[2]):
        variant = (vt.base_type or vt.name, vt.seats, vt.wheelchair_spaces, vt.has_assistant)
        room = fits - offered.get(variant, 0)
        if room <= 0:
            continue
        count = min(remaining[vt.name], room)
        offered[variant] = offered.get(variant, 0) + count
        out.append(dataclasses.replace(vt, count=count))
    order = {t.name: i for i, t in enumerate(types)}
    return tuple(sorted(out, key=lambda vt: order[vt.name]))


def _solve_one(problem: RoutingProblem, options: SolveOptions, catalogue: tuple | None = None) -> Solution:
    """One search (or a portfolio of them) over one set of requests. `catalogue` is the whole
    fleet when `problem` has only the vehicles other partitions left, so that a request no
    remaining vehicle can take is explained as the fleet running out, not as missing types."""
    started = clock.perf_counter()
    servable, unserved = _prefilter(problem, catalogue)
    if not servable:
        return Solution((), tuple(unserved), len(unserved) * problem.unserved_penalty, "NOTHING_TO_ROUTE",
                        clock.perf_counter() - started)
    sub = dataclasses.replace(problem, requests=tuple(problem.requests[i] for i in servable))
    strategies = portfolio(sub)
    # a second process is not worth starting for a handful of requests: small problems try
    # every configuration in turn instead (one may leave a request out that another serves)
    small = len(sub.requests) < SMALL_PROBLEM
    count = len(strategies) if small else max(1, min(options.workers, len(strategies)))
    configs = [strategies[(options.seed + k) % len(strategies)] for k in range(count)]
    if small or count == 1:
        share = dataclasses.replace(options, time_limit_s=options.time_limit_s / count)
        results = [_search(sub, config, share) for config in configs]
    else:
        with ProcessPoolExecutor(max_workers=count) as pool:
            results = list(pool.map(_search, [sub] * count, configs, [options] * count))
    found = [r for r in results if r is not None]
    if not found:
        reasons = tuple(Unserved(r.request_id, "SOLVER_LEFT_UNSERVED", UNSERVED_REASONS["SOLVER_LEFT_UNSERVED"]) for r in sub.requests)
        return Solution((), tuple(unserved) + reasons, 0, "NO_SOLUTION_FOUND", clock.perf_counter() - started)
    best = min(found, key=lambda s: (len(s.unserved), s.objective))
    extra = tuple(_explain_left(sub, u.request_id) for u in best.unserved)
    return dataclasses.replace(
        best,
        unserved=tuple(unserved) + extra,
        solve_seconds=clock.perf_counter() - started,
        stats={**best.stats, "strategies": [c.label for c in configs],
               "objectives": [s.objective if s else None for s in results]},
    )


def _search(problem: RoutingProblem, config: SearchConfig, options: SolveOptions) -> Solution | None:
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    from transport.optimise.model import build_model, retime

    started = clock.perf_counter()
    built = build_model(problem)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, config.first_solution)
    params.local_search_metaheuristic = getattr(routing_enums_pb2.LocalSearchMetaheuristic, config.metaheuristic)
    params.guided_local_search_penalize_with_vehicle_classes = config.penalise_by_vehicle_class
    if config.extra_lns:
        for name in EXTRA_OPERATORS:
            setattr(params.local_search_operators, name, 3)  # OptionalBoolean.BOOL_TRUE
    params.log_search = options.log_search
    # Phase 1: the first solution runs to completion, whatever the time limit: cut short it
    # leaves requests out that any vehicle could take (seen on the demo at 6 s a run).
    first_params = pywrapcp.DefaultRoutingSearchParameters()
    first_params.CopyFrom(params)
    first_params.solution_limit = 1
    first_params.time_limit.FromSeconds(FIRST_SOLUTION_CAP_S)
    first = built.routing.SolveWithParameters(first_params)
    start = config.first_solution
    if config.first_solution in INSERTION_STARTS:
        # the extra starts may take a share of the limit; under a work limit (reproducible
        # runs) they always run to completion, so that the same inputs give the same start
        cap = FIRST_SOLUTION_CAP_S if options.solution_limit else min(
            options.time_limit_s, max(BUS_START_MIN_S, BUS_START_SHARE * options.time_limit_s))
        best = None if first is None else first.ObjectiveValue()
        chosen = None
        for label, routes, objective in _bus_run_starts(problem, first_params, cap):
            if best is None or objective < best:
                best, chosen, start = objective, routes, label
        if chosen is not None:  # read in last: an assignment held by the model is overwritten by the next read
            first = built.routing.ReadAssignmentFromRoutes(chosen, True)
    if first is None:
        log.info("search %s found no first solution", config.label)
        return None
    first_seconds = clock.perf_counter() - started
    # Phase 2: improve it for the rest of the time (or the deterministic solution limit).
    remaining = max(MIN_SEARCH_SECONDS, options.time_limit_s - first_seconds)
    params.time_limit.FromMilliseconds(int(remaining * 1000))
    if options.solution_limit:
        params.solution_limit = options.solution_limit
    search_started = clock.perf_counter()
    assignment = built.routing.SolveFromAssignmentWithParameters(first, params) or first
    # which limit ended the search: only a work limit makes the routes reproducible
    stopped_by = "time_limit" if clock.perf_counter() - search_started >= remaining - 0.05 else (
        "solution_limit" if options.solution_limit else "local_optimum")
    status = built.routing.status()
    timed = retime(problem, built, assignment)
    if timed is None:  # not expected: the same limits, stated the other way
        log.warning("search %s: the routes could not be retimed; vehicles may wait at stops with pupils aboard",
                    config.label)
    else:
        built, assignment = timed
    solution = _extract(problem, built, assignment, config.label, clock.perf_counter() - started)
    solution.stats["routing_status"] = _STATUS.get(status, str(status))
    solution.stats["first_solution_seconds"] = round(first_seconds, 2)
    solution.stats["start"] = start
    solution.stats["stopped_by"] = stopped_by
    return solution


#: First-solution strategies that commit pupils to vehicles one insertion at a time.
INSERTION_STARTS = frozenset({"PARALLEL_CHEAPEST_INSERTION", "LOCAL_CHEAPEST_INSERTION", "SEQUENTIAL_CHEAPEST_INSERTION"})


#: The bus-run starts together may take this share of a search's time limit (at least the
#: minimum): they take milliseconds on pick-up point partitions, but seconds on hundreds of
#: door-to-door pupils with only minibuses, where a start cut short is simply not used.
BUS_START_SHARE = 0.25
BUS_START_MIN_S = 0.5


def _bus_run_starts(problem: RoutingProblem, first_params, cap_s: float) -> list[tuple[str, list[list[int]], int]]:
    """Other first solutions, built as a bus run is planned: the largest vehicles first.

    Insertion fills whichever vehicle is cheapest for the next stop, so a pick-up point
    partition starts as many taxis and minibuses (one stop costs less in a taxi than in a
    coach). Merging them into a coach means emptying each small vehicle, which no single local
    search move does, and the search stays there whatever the time limit (Rutland, Casterton
    College's stops: £2,420 a run). From a start with the largest vehicles it takes one move to
    hand a stop to a smaller vehicle, and the search does (the same stops: £1,405 after 1.2 s).
    Two such starts: only the largest type; and every type with the smaller ones priced at half
    an unserved request, for when other partitions have taken most of the largest vehicles.
    Returns (label, routes as solver indices of `problem`'s model, objective in that model);
    the caller keeps whichever start is cheapest, so door-to-door partitions keep theirs.
    """
    from transport.optimise.model import build_model

    types = problem.vehicle_types
    largest = max(vt.seats for vt in types)
    if all(vt.seats == largest for vt in types) or not any(vt.fixed_cost for vt in types):
        return []
    only_largest = tuple(vt for vt in types if vt.seats == largest)
    largest_first = tuple(vt if vt.seats == largest else dataclasses.replace(vt, fixed_cost=problem.unserved_penalty // 2)
                          for vt in types)
    deadline = clock.perf_counter() + cap_s
    starts = []
    for label, fleet in (("largest vehicles only", only_largest), ("largest vehicles first", largest_first)):
        left = deadline - clock.perf_counter()
        if left < 0.05:
            break
        capped = type(first_params)()
        capped.CopyFrom(first_params)
        capped.time_limit.FromMilliseconds(int(left * 1000))
        priced = build_model(problem)  # a fresh model each, so no start's assignment overwrites another's
        routes = _first_routes_with_fleet(dataclasses.replace(problem, vehicle_types=fleet), problem, priced, capped)
        if routes is None:
            continue
        loaded = priced.routing.ReadAssignmentFromRoutes(routes, True)
        if loaded is not None:
            starts.append((label, routes, loaded.ObjectiveValue()))
    return starts


def _first_routes_with_fleet(variant: RoutingProblem, problem: RoutingProblem, target, first_params) -> list[list[int]] | None:
    """The first solution of `variant` (same requests, a different fleet or prices) as routes of
    `target`, the model of `problem`: each route goes to a vehicle of the same catalogue type."""
    from transport.optimise.model import build_model, routes_of

    model = build_model(variant)
    found = model.routing.SolveWithParameters(first_params)
    if found is None:
        return None
    vehicles_of: dict[str, list[int]] = {}
    for v, t in enumerate(target.vehicle_type):
        vehicles_of.setdefault(problem.vehicle_types[t].name, []).append(v)
    routes: list[list[int]] = [[] for _ in target.vehicle_type]
    for v, indices in enumerate(routes_of(model, found)):
        if not indices:
            continue
        mapped = []
        for index in indices:
            node = model.manager.IndexToNode(index)
            r = model.node_request[node]  # the same requests in the same order in both models
            mapped.append(target.manager.NodeToIndex(
                target.pickup_node[r] if model.node_kind[node] == "pickup" else target.delivery_node[r]))
        routes[vehicles_of[variant.vehicle_types[model.vehicle_type[v]].name].pop(0)] = mapped
    return routes


_STATUS = {0: "NOT_SOLVED", 1: "SUCCESS", 2: "PARTIAL_SUCCESS_LOCAL_OPTIMUM_NOT_REACHED", 3: "FAIL", 4: "FAIL_TIMEOUT",
           5: "INVALID", 6: "INFEASIBLE", 7: "OPTIMAL"}


def _extract(problem: RoutingProblem, built, assignment, strategy: str, seconds: float) -> Solution:
    routing, manager = built.routing, built.manager
    routes: list[Route] = []
    served: set[int] = set()
    for v in range(len(built.vehicle_type)):
        index = routing.Start(v)
        if routing.IsEnd(assignment.Value(routing.NextVar(index))):
            continue
        vt = problem.vehicle_types[built.vehicle_type[v]]
        visits: list[Visit] = []
        previous_departure = None
        previous_location = None
        seats = wheels = 0
        metres = 0
        while True:
            node = manager.IndexToNode(index)
            location = int(built.node_location[node])
            start_service = assignment.Value(built.time.CumulVar(index))
            arrival = start_service if previous_departure is None else previous_departure + int(problem.time_s[previous_location, location])
            kind = built.node_kind[node]
            r = built.node_request[node]
            request: Request | None = problem.requests[r] if r >= 0 else None
            if request is not None:
                served.add(r)
                sign = 1 if kind == "pickup" or request.pickup is None else -1
                seats += sign * request.seats
                wheels += sign * request.wheelchairs
            if previous_location is not None:
                metres += int(problem.distance_m[previous_location, location])
            is_start = routing.IsStart(index)
            is_end = routing.IsEnd(index)
            label = "start" if is_start else "end" if is_end else kind
            departure = start_service + int(built.node_service[node])
            visits.append(Visit(location, label, request.request_id if request else "", int(min(arrival, start_service)),
                                int(start_service), int(departure), seats, wheels))
            if is_end:
                break
            previous_departure, previous_location = departure, location
            index = assignment.Value(routing.NextVar(index))
        cost = vt.fixed_cost + (metres * vt.cost_per_km + 500) // 1000
        if problem.span_cost_per_s:
            cost += problem.span_cost_per_s * (visits[-1].service_start_s - visits[0].service_start_s)
        routes.append(Route(v, vt.name, tuple(visits), metres, int(cost)))
    unserved = tuple(
        Unserved(req.request_id, "SOLVER_LEFT_UNSERVED", "") for r, req in enumerate(problem.requests) if r not in served
    )
    return Solution(tuple(routes), unserved, int(assignment.ObjectiveValue()), "OK", seconds, strategy, {"search_seconds": round(seconds, 2)})


# --------------------------------------------------------------------------- diagnosis


def _prefilter(problem: RoutingProblem, catalogue: tuple | None = None) -> tuple[list[int], list[Unserved]]:
    """Split requests into those some vehicle could serve alone, and the rest with reasons."""
    servable: list[int] = []
    unserved: list[Unserved] = []
    types = problem.vehicle_types
    for i, req in enumerate(problem.requests):
        reason = _impossible(problem, req, types)
        if reason and catalogue is not None and not _impossible(problem, req, catalogue):
            reason = ("NO_VEHICLE_AVAILABLE", FLEET_EXHAUSTED)
        if reason:
            unserved.append(Unserved(req.request_id, *reason))
        else:
            servable.append(i)
    return servable, unserved


FLEET_EXHAUSTED = ("Every vehicle in the catalogue that could carry this request is already used on other routes; "
                   "raise 'available' in the vehicle catalogue.")


def _impossible(problem: RoutingProblem, req: Request, types) -> tuple[str, str] | None:
    if req.wheelchairs > 0 and not any(t.wheelchair_spaces >= req.wheelchairs for t in types):
        return "NO_WHEELCHAIR_VEHICLE", UNSERVED_REASONS["NO_WHEELCHAIR_VEHICLE"]
    fits = [t for t in types if t.wheelchair_spaces >= req.wheelchairs and t.seats - (1 if t.has_assistant else 0) >= req.seats]
    if req.needs_assistant:
        fits = [t for t in fits if t.has_assistant]
        if not fits:
            return "NO_ASSISTANT_VEHICLE", UNSERVED_REASONS["NO_ASSISTANT_VEHICLE"]
    if not fits:
        return "NO_VEHICLE_AVAILABLE", f"No vehicle type has {req.seats} seats and {req.wheelchairs} wheelchair spaces."
    if req.is_pair:
        direct = int(problem.time_s[req.pickup, req.delivery])
        if req.max_ride_s is not None and direct > req.max_ride_s:
            return "RIDE_TIME_TOO_LONG", UNSERVED_REASONS["RIDE_TIME_TOO_LONG"].format(direct_min=direct / 60, limit_min=req.max_ride_s / 60)
        if req.pickup_window and req.delivery_window:
            earliest = req.pickup_window[0] + req.pickup_service_s + direct
            if earliest > req.delivery_window[1]:
                return "TIME_WINDOW", UNSERVED_REASONS["TIME_WINDOW"]
    # vehicles may set off at any time, so reaching the first stop is never late
    return None


def _explain_left(problem: RoutingProblem, request_id: str) -> Unserved:
    """A request the search left out: say why as precisely as the data allows."""
    req = next(r for r in problem.requests if r.request_id == request_id)
    total = {t.name: t.count for t in problem.vehicle_types}
    detail = UNSERVED_REASONS["SOLVER_LEFT_UNSERVED"]
    if req.wheelchairs and sum(t.count for t in problem.vehicle_types if t.wheelchair_spaces) <= 0:
        return Unserved(request_id, "NO_WHEELCHAIR_VEHICLE", UNSERVED_REASONS["NO_WHEELCHAIR_VEHICLE"])
    if not total:
        return Unserved(request_id, "NO_VEHICLE_AVAILABLE", UNSERVED_REASONS["NO_VEHICLE_AVAILABLE"])
    return Unserved(request_id, "SOLVER_LEFT_UNSERVED", detail)


def as_int_matrix(values: np.ndarray) -> np.ndarray:
    """Round a float matrix (seconds or metres) to the solver's whole units."""
    out = np.rint(np.nan_to_num(values, nan=1e9, posinf=1e9)).astype(np.int64)
    return np.minimum(out, 10**9)
