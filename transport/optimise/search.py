"""One search over one set of requests: a portfolio of configurations, their first solutions
(with bus-run starts), the improvement phase and the timing of the routes found.

Requests that no vehicle could ever serve are diagnosed before the search and kept out of
it. The rest go to OR-Tools; every request is optional with a large penalty, so a search
always returns routes. With `workers=2`, two differently configured searches run in
separate processes and the better answer is kept.
"""

from __future__ import annotations

import dataclasses
import logging
import time as clock
from dataclasses import dataclass

from transport.optimise import fewer_routes, ruin_recreate
from transport.optimise.diagnose import explain_left, prefilter
from transport.optimise.problem import RoutingProblem, VehicleType
from transport.optimise.solution import Solution, Unserved
from transport.outcomes import ROUTING_STATUSES, UNSERVED_REASONS

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
class SolveOptions:
    time_limit_s: float = 30.0
    workers: int = 2
    seed: int = 0  # picks the configuration each worker runs: same seed and limit, same configuration
    solution_limit: int | None = None  # a deterministic work limit; when set, the same inputs give the same routes
    log_search: bool = False
    scheduler: str | None = None  # a dask.distributed address ('' for a local cluster) to search partitions on


@dataclass(frozen=True, slots=True)
class SearchConfig:
    """One search worker's configuration."""

    first_solution: str
    metaheuristic: str
    extra_lns: bool
    #: guided local search keeps its arc penalties per vehicle class instead of one set for all
    penalise_by_vehicle_class: bool = False
    #: OR-Tools' local search operators switched on beyond its defaults (names as in its parameters)
    operators: tuple[str, ...] = ()
    #: how strongly guided local search's arc penalties weigh against cost (OR-Tools' default 0.1)
    gls_lambda: float = 0.1
    #: empty routes by ejection chains before the search, where `fewer_routes.applies`
    fewer_routes: bool = False
    #: shorten the routes by ruin and recreate before the search, where `fewer_routes.covers`
    shorter_routes: bool = False

    @property
    def label(self) -> str:
        return (f"{self.first_solution}+{self.metaheuristic}" + ("+LNS" if self.extra_lns else "")
                + ("+class-penalties" if self.penalise_by_vehicle_class else "")
                + "".join(f"+{name.removeprefix('use_')}" for name in self.operators)
                + (f"+lambda-{self.gls_lambda:g}" if self.gls_lambda != 0.1 else "")
                + ("+fewer-routes" if self.fewer_routes else "")
                + ("+ruin-recreate" if self.shorter_routes else ""))


#: Search portfolios, in the order workers take them (the seed rotates all but the first).
#: - Parallel cheapest insertion copes with tight time windows and ride limits where
#:   path-cheapest-arc often finds nothing: always one of the two workers.
#: - When every vehicle has a fixed price (school contracts, Li & Lim's vehicles-first
#:   objective) the extra LNS operators pay off, and so does a worker that starts from
#:   Christofides and leaves most pairs for the local search to place, which builds long bus
#:   runs on pick-up point partitions; it does worse on door-to-door partitions, hence both.
#: - When distance alone is priced (Cordeau's dial-a-ride) both of those slow the search
#:   down, so plain guided local search leads.
#: - When every request is a delivery loaded at the depot (Solomon's VRPTW; no pupil run has
#:   this shape) a savings start and guided local search with penalties per vehicle class
#:   serve best. Savings leaves pickup-and-delivery pairs unplaced, so pairs never get it.
#:   There, exchanging route tails (cross exchange), moving a visit next to its nearest
#:   neighbours, and arc penalties two or three times OR-Tools' default weight more than
#:   halved the savings search's distance gap on the eight Solomon instances it did worst on
#:   (3.4% to 1.6% at 30 s, one process); the same change made the insertion start worse, so
#:   it keeps the defaults. Measurements: bench/results/solver-sample-seed{1,2}.md (seed 2
#:   held out from the choice). The savings search then shortens its routes by ruin and
#:   recreate before guided local search: on the six seed-1 instances where VROOM was shorter
#:   the gap fell from 1.7% to 0.5% on average, and five of the six became no worse than VROOM.
#: - The lead search empties routes by ejection chains before guided local search where the
#:   fleet is one vehicle type (`fewer_routes`): on Li & Lim's instances OR-Tools' moves alone
#:   kept more vehicles than the best known on 19 of 56; from the same start the ejection
#:   chains reached the best-known count on 16 of those 19. Ruin and recreate then shortens the
#:   routes (`shorter_routes`): guided local search from routes just emptied stalled 10 to 27%
#:   above the best-known distance on lr203, lr206, lr209 and lrc208, where ruin and recreate
#:   reached it (bench/results/solver-lilim-all.md).
#: Small problems try every configuration of the portfolio in turn: one may place a request
#: that another leaves out at short limits. Measurements: bench/results/solver.md.
PRICED_VEHICLES: tuple[SearchConfig, ...] = (
    SearchConfig("PARALLEL_CHEAPEST_INSERTION", "GUIDED_LOCAL_SEARCH", True, fewer_routes=True, shorter_routes=True),
    SearchConfig("CHRISTOFIDES", "GUIDED_LOCAL_SEARCH", True),
    SearchConfig("LOCAL_CHEAPEST_INSERTION", "GUIDED_LOCAL_SEARCH", True),
)
DISTANCE_ONLY: tuple[SearchConfig, ...] = (
    SearchConfig("PARALLEL_CHEAPEST_INSERTION", "GUIDED_LOCAL_SEARCH", False),
    SearchConfig("PARALLEL_CHEAPEST_INSERTION", "GUIDED_LOCAL_SEARCH", True),
    SearchConfig("LOCAL_CHEAPEST_INSERTION", "GUIDED_LOCAL_SEARCH", True),
)
#: Operators OR-Tools leaves off that pay off on depot deliveries (see above).
TAIL_EXCHANGES = ("use_cross_exchange", "use_relocate_neighbors")
DEPOT_DELIVERIES: tuple[SearchConfig, ...] = (
    SearchConfig("SAVINGS", "GUIDED_LOCAL_SEARCH", False, penalise_by_vehicle_class=True,
                 operators=TAIL_EXCHANGES, gls_lambda=0.3, shorter_routes=True),
    SearchConfig("SAVINGS", "GUIDED_LOCAL_SEARCH", False, penalise_by_vehicle_class=True,
                 operators=TAIL_EXCHANGES, gls_lambda=0.2),
    SearchConfig("LOCAL_CHEAPEST_INSERTION", "GUIDED_LOCAL_SEARCH", False, penalise_by_vehicle_class=True),
)

#: The first solution is never cut short by the time limit; this only guards against a hang.
FIRST_SOLUTION_CAP_S = 600
#: Local search gets at least this long after the first solution.
MIN_SEARCH_SECONDS = 0.2
#: Below this many requests one search process is enough.
SMALL_PROBLEM = 25
#: First-solution strategies that commit pupils to vehicles one insertion at a time.
INSERTION_STARTS = frozenset({"PARALLEL_CHEAPEST_INSERTION", "LOCAL_CHEAPEST_INSERTION", "SEQUENTIAL_CHEAPEST_INSERTION"})
#: The bus-run starts together may take this share of a search's time limit (at least the
#: minimum): milliseconds on pick-up point partitions, but seconds on hundreds of
#: door-to-door pupils with only minibuses, where a start cut short is simply not used.
BUS_START_SHARE = 0.25
BUS_START_MIN_S = 0.5
#: Emptying routes (`fewer_routes`) may take this share of the time left after the first
#: solution; under a work limit it takes `FEWER_ROUTES_STEPS` pool steps per request instead,
#: so that the same inputs give the same routes.
FEWER_ROUTES_SHARE = 0.25
FEWER_ROUTES_STEPS = 20
#: Ruin and recreate (`ruin_recreate`) then takes this share of the time left, and guided local
#: search the rest; under a work limit it takes `SHORTER_ROUTES_RUINS` ruins per request, at
#: most `SHORTER_ROUTES_MAX_RUINS` (a ruin costs more the more stops there are to try).
SHORTER_ROUTES_SHARE = 0.7
SHORTER_ROUTES_RUINS = 50
SHORTER_ROUTES_MAX_RUINS = 5_000


def portfolio(problem: RoutingProblem) -> tuple[SearchConfig, ...]:
    """The search configurations that suit this problem's objective and shape (see above)."""
    if any(vt.fixed_cost > 0 for vt in problem.vehicle_types):
        return PRICED_VEHICLES
    if all(r.pickup is None for r in problem.requests):
        return DEPOT_DELIVERIES
    return DISTANCE_ONLY


def solve_one(problem: RoutingProblem, options: SolveOptions, catalogue: tuple[VehicleType, ...] | None = None) -> Solution:
    """One search (or a portfolio of them) over one set of requests; see `diagnose.prefilter` for `catalogue`."""
    from transport.optimise.tasks import run_tasks

    started = clock.perf_counter()
    sub, unserved = servable_part(problem, catalogue)
    if sub is None:
        return nothing_to_route(problem, unserved, started)
    tasks = search_tasks(sub, options)
    workers = 1 if len(sub.requests) < SMALL_PROBLEM else options.workers
    results = run_tasks([(search, (sub, config, share)) for config, share in tasks], workers, options.scheduler)
    return best_of(sub, unserved, [c for c, _ in tasks], results, started)


def servable_part(problem: RoutingProblem, catalogue: tuple[VehicleType, ...] | None = None
                  ) -> tuple[RoutingProblem | None, list[Unserved]]:
    """The requests some vehicle could serve alone (None when there are none), and the others explained."""
    servable, unserved = prefilter(problem, catalogue)
    if not servable:
        return None, unserved
    return dataclasses.replace(problem, requests=tuple(problem.requests[i] for i in servable)), unserved


def nothing_to_route(problem: RoutingProblem, unserved: list[Unserved], started: float) -> Solution:
    return Solution((), tuple(unserved), len(unserved) * problem.unserved_penalty, "NOTHING_TO_ROUTE",
                    clock.perf_counter() - started)


def seeded_order(strategies: tuple[SearchConfig, ...], seed: int) -> list[SearchConfig]:
    """The portfolio in the order processes take it: its lead configuration always first (with
    one process, the seed never swaps the search that serves pupil runs best for a weaker one),
    the others rotated by the seed."""
    rest = strategies[1:]
    return [strategies[0], *(rest[(seed + k) % len(rest)] for k in range(len(rest)))]


def search_tasks(problem: RoutingProblem, options: SolveOptions) -> list[tuple[SearchConfig, SolveOptions]]:
    """The configurations to search and each one's time: `workers` of the portfolio side by side,
    or, for a handful of requests, every configuration in turn sharing the time (one may leave a
    request out that another serves, and a second process is not worth starting)."""
    strategies = portfolio(problem)
    small = len(problem.requests) < SMALL_PROBLEM
    count = len(strategies) if small else max(1, min(options.workers, len(strategies)))
    configs = seeded_order(strategies, options.seed)[:count]
    share = options.time_limit_s / count if small or count == 1 else options.time_limit_s
    return [(config, dataclasses.replace(options, time_limit_s=share)) for config in configs]


def best_of(problem: RoutingProblem, unserved: list[Unserved], configs: list[SearchConfig],
            results: list[Solution | None], started: float) -> Solution:
    """The search that served most (then cheapest), with every request it left out explained."""
    found = [r for r in results if r is not None]
    if not found:
        reasons = tuple(Unserved(r.request_id, "SOLVER_LEFT_UNSERVED", UNSERVED_REASONS["SOLVER_LEFT_UNSERVED"])
                        for r in problem.requests)
        return Solution((), tuple(unserved) + reasons, 0, "NO_SOLUTION_FOUND", clock.perf_counter() - started)
    best = min(found, key=lambda s: (len(s.unserved), s.objective))
    extra = tuple(explain_left(problem, u.request_id) for u in best.unserved)
    return dataclasses.replace(
        best, unserved=tuple(unserved) + extra, solve_seconds=clock.perf_counter() - started,
        stats={**best.stats, "strategies": [c.label for c in configs], "objectives": [s.objective if s else None for s in results]})


def _parameters(config: SearchConfig, options: SolveOptions):
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, config.first_solution)
    params.local_search_metaheuristic = getattr(routing_enums_pb2.LocalSearchMetaheuristic, config.metaheuristic)
    params.guided_local_search_penalize_with_vehicle_classes = config.penalise_by_vehicle_class
    params.guided_local_search_lambda_coefficient = config.gls_lambda
    for name in config.operators + (EXTRA_OPERATORS if config.extra_lns else ()):
        setattr(params.local_search_operators, name, 3)  # OptionalBoolean.BOOL_TRUE
    params.log_search = options.log_search
    return params


def search(problem: RoutingProblem, config: SearchConfig, options: SolveOptions, start: Solution | None = None) -> Solution | None:
    """One configured search: a complete first solution (or `start`, routes already found for
    these requests), then improvement within the limits."""
    from ortools.constraint_solver import pywrapcp

    from transport.optimise.extract import extract
    from transport.optimise.model import build_model
    from transport.optimise.timing import retime

    started = clock.perf_counter()
    built = build_model(problem)
    params = _parameters(config, options)
    # Phase 1: the first solution runs to completion, whatever the time limit: cut short it
    # leaves out requests that any vehicle could take.
    first_params = pywrapcp.DefaultRoutingSearchParameters()
    first_params.CopyFrom(params)
    first_params.solution_limit = 1
    first_params.time_limit.FromSeconds(FIRST_SOLUTION_CAP_S)
    first = _given_start(problem, built, start)
    if first is not None:
        start_label = "given"
    else:
        first = built.routing.SolveWithParameters(first_params)
        first, start_label = _best_start(problem, built, first, config, options, first_params)
    if first is None:
        log.info("search %s found no first solution", config.label)
        return None
    first_seconds = clock.perf_counter() - started
    own_moves = None
    empty = config.fewer_routes and fewer_routes.applies(problem)
    # a search asked for its first solution only (the fleet allocation's) has no use for shorter routes
    shorten = config.shorter_routes and fewer_routes.covers(problem) and options.solution_limit != 1
    if empty or shorten:
        first, own_moves = _own_moves_start(problem, built, first, options, first_seconds, empty, shorten)
    # Phase 2: improve it for the rest of the time (or the deterministic solution limit).
    remaining = max(MIN_SEARCH_SECONDS, options.time_limit_s - (clock.perf_counter() - started))
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
    solution = extract(problem, built, assignment, config.label, clock.perf_counter() - started)
    solution.stats.update(routing_status=ROUTING_STATUSES.get(status, str(status)), first_solution_seconds=round(first_seconds, 2),
                          start=start_label, stopped_by=stopped_by)
    if own_moves is not None:
        solution.stats["own_moves"] = own_moves
    return solution


def _own_moves_start(problem: RoutingProblem, built, first, options: SolveOptions, spent_s: float,
                     empty: bool, shorten: bool):
    """The first solution with as many routes emptied as `fewer_routes` manages in its share of
    the time (when `empty`), then shortened by ruin and recreate in its share (when `shorten`),
    and what was done: routes and length before and after, seconds."""
    from transport.optimise.model import routes_of

    began = clock.perf_counter()
    manager = built.manager
    routes = [r for r in ([manager.IndexToNode(i) for i in route] for route in routes_of(built, first)) if r]
    nodes = fewer_routes.nodes_of(problem, built)
    deterministic = bool(options.solution_limit)
    found = routes
    if empty:
        if deterministic:
            seconds, steps = float(FIRST_SOLUTION_CAP_S), FEWER_ROUTES_STEPS * len(problem.requests)
        else:
            seconds, steps = FEWER_ROUTES_SHARE * max(0.0, options.time_limit_s - spent_s), None
        found = fewer_routes.fewer_routes(nodes, found, seconds, seed=options.seed, max_steps=steps)
    emptied = clock.perf_counter()
    if shorten:
        if deterministic:
            seconds = float(FIRST_SOLUTION_CAP_S)
            iterations = min(SHORTER_ROUTES_MAX_RUINS, SHORTER_ROUTES_RUINS * len(problem.requests))
        else:
            left = options.time_limit_s - (emptied - began) - spent_s
            seconds, iterations = SHORTER_ROUTES_SHARE * max(0.0, left), None
        found = ruin_recreate.shorter_routes(nodes, found, seconds, seed=options.seed, max_iterations=iterations,
                                             routes_first=problem.vehicle_types[0].fixed_cost > 0)
    length = ruin_recreate.total_length(nodes, routes)
    report = {"routes_before": len(routes), "routes_after": len(routes), "length_before": length,
              "length_after": length, "emptying_seconds": round(emptied - began, 2), "seconds": 0.0}
    indices = [[manager.NodeToIndex(n) for n in r] for r in found]
    indices += [[] for _ in range(built.routing.vehicles() - len(indices))]
    read = built.routing.ReadAssignmentFromRoutes(indices, True)
    if read is None:  # not expected: every route passed the same constraints in `route_ok`
        log.warning("own moves: OR-Tools rejected the %d routes found; the search keeps its first solution", len(found))
    else:
        first = read
        report.update(routes_after=len(found), length_after=ruin_recreate.total_length(nodes, found))
    report["seconds"] = round(clock.perf_counter() - began, 2)
    return first, report


def _given_start(problem: RoutingProblem, built, start: Solution | None):
    """`start`'s routes read into this model, or None. A route whose variant (or pool, or the
    assistants) has no vehicle left here is dropped: its requests are left for the search."""
    if start is None:
        return None
    from transport.optimise.model import routes_from

    routes = routes_from(problem, built, start)
    return built.routing.ReadAssignmentFromRoutes(routes, True) if routes is not None else None


def _best_start(problem: RoutingProblem, built, first, config: SearchConfig, options: SolveOptions, first_params):
    """The cheaper of the configured first solution and the bus-run starts (insertion searches only)."""
    start = config.first_solution
    if config.first_solution not in INSERTION_STARTS:
        return first, start
    # the extra starts may take a share of the limit; under a work limit (reproducible runs)
    # they always run to completion, so that the same inputs give the same start
    cap = FIRST_SOLUTION_CAP_S if options.solution_limit else min(
        options.time_limit_s, max(BUS_START_MIN_S, BUS_START_SHARE * options.time_limit_s))
    best = None if first is None else first.ObjectiveValue()
    chosen = None
    for label, routes, objective in bus_run_starts(problem, first_params, cap):
        if best is None or objective < best:
            best, chosen, start = objective, routes, label
    if chosen is not None:  # read in last: an assignment held by the model is overwritten by the next read
        first = built.routing.ReadAssignmentFromRoutes(chosen, True)
    return first, start


def bus_run_starts(problem: RoutingProblem, first_params, cap_s: float) -> list[tuple[str, list[list[int]], int]]:
    """Other first solutions, built as a bus run is planned: the largest vehicles first.

    Insertion fills whichever vehicle is cheapest for the next stop, so a pick-up point
    partition starts as many taxis and minibuses (one stop costs less in a taxi than in a
    coach). Merging them into a coach means emptying each small vehicle, which no single local
    search move does, so the search stays there whatever the time limit. From a start with the
    largest vehicles it takes one move to hand a stop to a smaller vehicle, and the search does.
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
    `target`, the model of `problem`: each route goes to a vehicle of the same variant."""
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
