"""Build the OR-Tools routing model for a `RoutingProblem`: the model the search runs on.

Nodes: one per distinct vehicle start/end location, then each request's pickup and
delivery. Dimensions: `time` (travel plus service at the node left, waiting allowed),
`seats`, `wheelchairs`, and `solo` (a pupil who must travel alone adds the whole
capacity, so nobody else can be aboard at the same time). Integer units throughout.

Ride limits are stated as node precedences of the time dimension, which the routing
library's own filters check during the search (generic constraints on the cumul variables
made coach-sized insertion 25 times slower). `transport.optimise.timing` builds the same
model with the limits stated the other way, to time the routes found.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from ortools.constraint_solver import pywrapcp

from transport.optimise.problem import Request, RoutingProblem

SOLO_CAPACITY = 1000
TIME, SEATS, WHEELCHAIRS, SOLO = "time", "seats", "wheelchairs", "solo"


@dataclass
class BuiltModel:
    """The OR-Tools objects, kept together so that nothing leaks out of this package."""

    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel
    time: pywrapcp.RoutingDimension
    node_location: np.ndarray
    node_service: np.ndarray
    node_kind: list[str]
    node_request: list[int]  # request position, -1 for depots
    vehicle_type: list[int]  # per vehicle: index into problem.vehicle_types
    pickup_node: dict[int, int]
    delivery_node: dict[int, int]


@dataclass
class _Nodes:
    location: list[int]
    kind: list[str]
    service: list[int]
    owner: list[int]
    depot: dict[int, int]
    pickup: dict[int, int]
    delivery: dict[int, int]

    def add(self, location: int, kind: str, service_s: int, request: int) -> int:
        self.location.append(location)
        self.kind.append(kind)
        self.service.append(service_s)
        self.owner.append(request)
        return len(self.location) - 1


#: States one request's ride limit on a model: (model, pickup index, delivery index, request).
RideLimit = Callable[[BuiltModel, int, int, Request], None]


def precedence_ride_limit(built: BuiltModel, pickup: int, delivery: int, req: Request) -> None:
    """Drop-off after boarding, and the ride no longer than its limit, as node precedences."""
    built.time.AddNodePrecedence(pickup, delivery, req.pickup_service_s)
    if req.max_ride_s is not None:  # ride = drop-off start - pickup end <= limit
        built.time.AddNodePrecedence(delivery, pickup, -(int(req.max_ride_s) + req.pickup_service_s))


def build_model(problem: RoutingProblem, ride_limit: RideLimit = precedence_ride_limit) -> BuiltModel:
    """The routing model the search runs on; `ride_limit` states each request's ride limit."""
    nodes = _nodes(problem)
    vehicle_type, starts, ends = _vehicles(problem, nodes)
    manager = pywrapcp.RoutingIndexManager(len(nodes.location), len(vehicle_type), starts, ends)
    routing = pywrapcp.RoutingModel(manager)
    node_location = np.asarray(nodes.location, dtype=np.int64)
    node_service = np.asarray(nodes.service, dtype=np.int64)
    # time: travel from i to j plus the service time at i
    travel = problem.time_s[np.ix_(node_location, node_location)] + node_service[:, None]
    time_cb = routing.RegisterTransitMatrix(travel.astype(np.int64).tolist())
    routing.AddDimension(time_cb, problem.horizon_s, problem.horizon_s, False, TIME)
    built = BuiltModel(manager, routing, routing.GetDimensionOrDie(TIME), node_location, node_service, nodes.kind,
                       nodes.owner, vehicle_type, nodes.pickup, nodes.delivery)
    _add_costs(problem, built)
    _add_capacities(problem, built)
    _add_requests(problem, built, ride_limit)
    _add_incompatible(problem, built)
    _add_shared_counts(problem, built)
    for v in range(len(vehicle_type)):
        routing.AddVariableMinimizedByFinalizer(built.time.CumulVar(routing.End(v)))
        routing.AddVariableMaximizedByFinalizer(built.time.CumulVar(routing.Start(v)))
    return built


def _nodes(problem: RoutingProblem) -> _Nodes:
    nodes = _Nodes([], [], [], [], {}, {}, {})
    for vt in problem.vehicle_types:
        for loc in (vt.start, vt.end):
            if loc not in nodes.depot:
                nodes.depot[loc] = nodes.add(loc, "depot", 0, -1)
    for r, req in enumerate(problem.requests):
        if req.pickup is not None:
            nodes.pickup[r] = nodes.add(req.pickup, "pickup", req.pickup_service_s, r)
        if req.delivery is not None:
            nodes.delivery[r] = nodes.add(req.delivery, "delivery", req.delivery_service_s, r)
    return nodes


def _vehicles(problem: RoutingProblem, nodes: _Nodes) -> tuple[list[int], list[int], list[int]]:
    vehicle_type: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    for t, vt in enumerate(problem.vehicle_types):
        for _ in range(vt.count):
            vehicle_type.append(t)
            starts.append(nodes.depot[vt.start])
            ends.append(nodes.depot[vt.end])
    return vehicle_type, starts, ends


def _add_costs(problem: RoutingProblem, built: BuiltModel) -> None:
    """Price per km by vehicle type, a fixed price when the vehicle is used, an optional span price."""
    routing = built.routing
    metres = problem.distance_m[np.ix_(built.node_location, built.node_location)].astype(np.int64)
    cost_cb: dict[int, int] = {}
    for v, t in enumerate(built.vehicle_type):
        vt = problem.vehicle_types[t]
        if vt.cost_per_km not in cost_cb:
            cost_cb[vt.cost_per_km] = routing.RegisterTransitMatrix(((metres * vt.cost_per_km + 500) // 1000).tolist())
        routing.SetArcCostEvaluatorOfVehicle(cost_cb[vt.cost_per_km], v)
        routing.SetFixedCostOfVehicle(int(vt.fixed_cost), v)
        if problem.span_cost_per_s:
            built.time.SetSpanCostCoefficientForVehicle(int(problem.span_cost_per_s), v)
        if vt.max_duration_s:
            built.time.SetSpanUpperBoundForVehicle(int(vt.max_duration_s), v)


def _add_capacities(problem: RoutingProblem, built: BuiltModel) -> None:
    n = len(built.node_location)
    seats, wheels, solo = (np.zeros(n, dtype=np.int64) for _ in range(3))
    for r, req in enumerate(problem.requests):
        alone = SOLO_CAPACITY if req.travel_alone else 1
        if r in built.pickup_node:
            p = built.pickup_node[r]
            seats[p], wheels[p], solo[p] = req.seats, req.wheelchairs, alone
            if r in built.delivery_node:
                d = built.delivery_node[r]
                seats[d], wheels[d], solo[d] = -req.seats, -req.wheelchairs, -alone
        else:  # loaded at the depot: counts towards capacity as it is delivered (VRP semantics)
            d = built.delivery_node[r]
            seats[d], wheels[d], solo[d] = req.seats, req.wheelchairs, 0
    types = [problem.vehicle_types[t] for t in built.vehicle_type]
    _capacity(built.routing, seats, [vt.usable_seats for vt in types], SEATS)
    _capacity(built.routing, wheels, [vt.wheelchair_spaces for vt in types], WHEELCHAIRS)
    if any(req.travel_alone for req in problem.requests):
        _capacity(built.routing, solo, [SOLO_CAPACITY] * len(types), SOLO)


def _capacity(routing: pywrapcp.RoutingModel, demand: np.ndarray, caps: list[int], name: str) -> None:
    callback = routing.RegisterUnaryTransitVector(demand.tolist())
    routing.AddDimensionWithVehicleCapacity(callback, 0, [int(c) for c in caps], True, name)


def _add_requests(problem: RoutingProblem, built: BuiltModel, ride_limit: RideLimit) -> None:
    """Each request optional at a penalty, paired, windowed, ride-limited, assistant-bound."""
    routing, manager, solver = built.routing, built.manager, built.routing.solver()
    assistant_vehicles = [v for v, t in enumerate(built.vehicle_type) if problem.vehicle_types[t].has_assistant]
    for r, req in enumerate(problem.requests):
        p_node, d_node = built.pickup_node.get(r), built.delivery_node.get(r)
        nodes = [n for n in (p_node, d_node) if n is not None]
        for n in nodes:
            routing.AddDisjunction([manager.NodeToIndex(n)], problem.unserved_penalty)
        if p_node is not None and d_node is not None:
            pi, di = manager.NodeToIndex(p_node), manager.NodeToIndex(d_node)
            routing.AddPickupAndDelivery(pi, di)  # pickup first
            solver.Add(routing.VehicleVar(pi) == routing.VehicleVar(di))  # and on the same vehicle
            ride_limit(built, pi, di, req)
        if req.pickup_window and p_node is not None:
            built.time.CumulVar(manager.NodeToIndex(p_node)).SetRange(int(req.pickup_window[0]), int(req.pickup_window[1]))
        if req.delivery_window and d_node is not None:
            built.time.CumulVar(manager.NodeToIndex(d_node)).SetRange(int(req.delivery_window[0]), int(req.delivery_window[1]))
        if req.needs_assistant:
            # (SetAllowedVehiclesForIndex rejects Python lists in this OR-Tools build: a member
            # constraint says the same; -1 keeps the request optional)
            for n in nodes:
                solver.Add(solver.MemberCt(routing.VehicleVar(manager.NodeToIndex(n)), [*assistant_vehicles, -1]))


def _add_incompatible(problem: RoutingProblem, built: BuiltModel) -> None:
    """Requests that must never share a vehicle (stricter than "not aboard together", and simple to check)."""
    routing, manager, solver = built.routing, built.manager, built.routing.solver()
    position = {req.request_id: r for r, req in enumerate(problem.requests)}
    for a, b in problem.incompatible:
        if a in position and b in position:
            na = built.pickup_node.get(position[a], built.delivery_node.get(position[a]))
            nb = built.pickup_node.get(position[b], built.delivery_node.get(position[b]))
            va, vb = routing.VehicleVar(manager.NodeToIndex(na)), routing.VehicleVar(manager.NodeToIndex(nb))
            solver.Add(solver.IsDifferentVar(va, vb) + solver.IsEqualCstVar(va, -1) >= 1)


def _add_shared_counts(problem: RoutingProblem, built: BuiltModel) -> None:
    """A catalogue row's vehicles, with or without an assistant, are one count; assistants are another."""
    routing, solver = built.routing, built.routing.solver()
    types = problem.vehicle_types
    by_pool: dict[str, list[int]] = {}
    for v, t in enumerate(built.vehicle_type):
        by_pool.setdefault(types[t].pool or types[t].name, []).append(v)
    for pool, vehicles in by_pool.items():
        size = problem.pools()[pool]
        if len(vehicles) > size:
            solver.Add(solver.Sum([routing.ActiveVehicleVar(v) for v in vehicles]) <= size)
    assisted = [v for v, t in enumerate(built.vehicle_type) if types[t].has_assistant]
    if problem.assistants_available is not None and len(assisted) > problem.assistants_available:
        solver.Add(solver.Sum([routing.ActiveVehicleVar(v) for v in assisted]) <= problem.assistants_available)


def routes_from(problem: RoutingProblem, built: BuiltModel, solution) -> list[list[int]] | None:
    """A `Solution`'s routes as solver indices of this model, each on a vehicle of the same variant
    while this model has one free (and its pool and the assistants allow); None if none fit."""
    position = {r.request_id: k for k, r in enumerate(problem.requests)}
    types = problem.vehicle_types
    vehicles_of: dict[str, list[int]] = {}
    for v, t in enumerate(built.vehicle_type):
        vehicles_of.setdefault(types[t].name, []).append(v)
    pools_left = problem.pools()
    assistants_left = problem.assistants_available
    routes: list[list[int]] = [[] for _ in built.vehicle_type]
    placed = False
    for route in solution.routes:
        free = vehicles_of.get(route.vehicle_type)
        if not free:
            continue
        vt = types[built.vehicle_type[free[0]]]
        pool = vt.pool or vt.name
        if pools_left.get(pool, 0) <= 0 or (vt.has_assistant and assistants_left is not None and assistants_left <= 0):
            continue
        indices = []
        for visit in route.visits:
            r = position.get(visit.request_id)
            if r is not None and visit.kind in ("pickup", "delivery"):
                node = built.pickup_node.get(r) if visit.kind == "pickup" else built.delivery_node.get(r)
                if node is not None:
                    indices.append(built.manager.NodeToIndex(node))
        if indices:
            routes[free.pop(0)] = indices
            pools_left[pool] -= 1
            if vt.has_assistant and assistants_left is not None:
                assistants_left -= 1
            placed = True
    return routes if placed else None


def routes_of(built: BuiltModel, assignment) -> list[list[int]]:
    """Each vehicle's visits in order (no start or end) as solver indices, the numbering
    ReadAssignmentFromRoutes takes (it differs from node numbers when an end depot is no
    vehicle's start, as in Cordeau's instances)."""
    routing, out = built.routing, []
    for v in range(routing.vehicles()):
        indices, index = [], assignment.Value(routing.NextVar(routing.Start(v)))
        while not routing.IsEnd(index):
            indices.append(index)
            index = assignment.Value(routing.NextVar(index))
        out.append(indices)
    return out
