"""Read a `Solution` out of a solved model: timed visits, loads and costs per route."""

from __future__ import annotations

from transport.optimise.model import BuiltModel
from transport.optimise.problem import RoutingProblem
from transport.optimise.solution import Route, Solution, Unserved, Visit


def extract(problem: RoutingProblem, built: BuiltModel, assignment, strategy: str, seconds: float) -> Solution:
    """Every used vehicle's route, and every request on none as unserved (reasons added later)."""
    routing = built.routing
    routes: list[Route] = []
    served: set[int] = set()
    for v in range(len(built.vehicle_type)):
        if routing.IsEnd(assignment.Value(routing.NextVar(routing.Start(v)))):
            continue
        routes.append(_route(problem, built, assignment, v, served))
    unserved = tuple(
        Unserved(req.request_id, "SOLVER_LEFT_UNSERVED", "") for r, req in enumerate(problem.requests) if r not in served
    )
    return Solution(tuple(routes), unserved, int(assignment.ObjectiveValue()), "OK", seconds, strategy,
                    {"search_seconds": round(seconds, 2)})


def _route(problem: RoutingProblem, built: BuiltModel, assignment, v: int, served: set[int]) -> Route:
    routing, manager = built.routing, built.manager
    vt = problem.vehicle_types[built.vehicle_type[v]]
    visits: list[Visit] = []
    previous_departure = previous_location = None
    seats = wheels = metres = 0
    index = routing.Start(v)
    while True:
        node = manager.IndexToNode(index)
        location = int(built.node_location[node])
        start_service = assignment.Value(built.time.CumulVar(index))
        arrival = start_service if previous_departure is None else previous_departure + int(problem.time_s[previous_location, location])
        r = built.node_request[node]
        request = problem.requests[r] if r >= 0 else None
        if request is not None:
            served.add(r)
            sign = 1 if built.node_kind[node] == "pickup" or request.pickup is None else -1
            seats += sign * request.seats
            wheels += sign * request.wheelchairs
        if previous_location is not None:
            metres += int(problem.distance_m[previous_location, location])
        label = "start" if routing.IsStart(index) else "end" if routing.IsEnd(index) else built.node_kind[node]
        departure = start_service + int(built.node_service[node])
        visits.append(Visit(location, label, request.request_id if request else "", int(min(arrival, start_service)),
                            int(start_service), int(departure), seats, wheels))
        if routing.IsEnd(index):
            break
        previous_departure, previous_location = departure, location
        index = assignment.Value(routing.NextVar(index))
    cost = vt.fixed_cost + (metres * vt.cost_per_km + 500) // 1000
    if problem.span_cost_per_s:
        cost += problem.span_cost_per_s * (visits[-1].service_start_s - visits[0].service_start_s)
    return Route(v, vt.name, tuple(visits), metres, int(cost))
