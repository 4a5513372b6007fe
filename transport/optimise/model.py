"""Build the OR-Tools routing model for a `RoutingProblem`.

Nodes: one per distinct vehicle start/end location, then each request's pickup and
delivery. Dimensions: `time` (travel plus service at the node left, waiting allowed),
`seats`, `wheelchairs`, and `solo` (a pupil who must travel alone adds the whole
capacity, so nobody else can be aboard at the same time). Integer units throughout.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.constraint_solver import pywrapcp

from transport.optimise.problem import RoutingProblem

SOLO_CAPACITY = 1000


@dataclass
class BuiltModel:
    """The OR-Tools objects, kept together so that nothing leaks out of this package."""

    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel
    time: pywrapcp.RoutingDimension
    seats: pywrapcp.RoutingDimension
    wheelchairs: pywrapcp.RoutingDimension
    node_location: np.ndarray
    node_service: np.ndarray
    node_kind: list[str]
    node_request: list[int]  # request position, -1 for depots
    vehicle_type: list[int]  # per vehicle: index into problem.vehicle_types
    pickup_node: dict[int, int]
    delivery_node: dict[int, int]


def build_model(problem: RoutingProblem, *, for_timing: bool = False) -> BuiltModel:
    """The routing model. With `for_timing` the ride limits are constraints on the cumul
    variables instead of node precedences: too slow to search with, but the finalizer then
    times each stop as late as its route allows (with the precedences it leaves vehicles
    setting off at midnight and waiting at stops with pupils aboard, legal but long rides).
    `retime` reads the routes a search found into it."""
    locations: list[int] = []
    kinds: list[str] = []
    service: list[int] = []
    owner: list[int] = []

    def add_node(location: int, kind: str, service_s: int, request: int) -> int:
        locations.append(location)
        kinds.append(kind)
        service.append(service_s)
        owner.append(request)
        return len(locations) - 1

    depot_node: dict[int, int] = {}
    for vt in problem.vehicle_types:
        for loc in (vt.start, vt.end):
            if loc not in depot_node:
                depot_node[loc] = add_node(loc, "depot", 0, -1)
    pickup_node: dict[int, int] = {}
    delivery_node: dict[int, int] = {}
    for r, req in enumerate(problem.requests):
        if req.pickup is not None:
            pickup_node[r] = add_node(req.pickup, "pickup", req.pickup_service_s, r)
        if req.delivery is not None:
            delivery_node[r] = add_node(req.delivery, "delivery", req.delivery_service_s, r)
    vehicle_type: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    for t, vt in enumerate(problem.vehicle_types):
        for _ in range(vt.count):
            vehicle_type.append(t)
            starts.append(depot_node[vt.start])
            ends.append(depot_node[vt.end])
    node_location = np.asarray(locations, dtype=np.int64)
    node_service = np.asarray(service, dtype=np.int64)
    manager = pywrapcp.RoutingIndexManager(len(locations), len(vehicle_type), starts, ends)
    routing = pywrapcp.RoutingModel(manager)
    solver = routing.solver()

    # time: travel from i to j plus the service time at i
    travel = problem.time_s[np.ix_(node_location, node_location)] + node_service[:, None]
    time_cb = routing.RegisterTransitMatrix(travel.astype(np.int64).tolist())
    routing.AddDimension(time_cb, problem.horizon_s, problem.horizon_s, False, "time")
    time = routing.GetDimensionOrDie("time")

    # cost: price per km by vehicle type, and a fixed price when the vehicle is used
    metres = problem.distance_m[np.ix_(node_location, node_location)].astype(np.int64)
    cost_cb: dict[int, int] = {}
    for v, t in enumerate(vehicle_type):
        vt = problem.vehicle_types[t]
        if vt.cost_per_km not in cost_cb:
            cost_cb[vt.cost_per_km] = routing.RegisterTransitMatrix(((metres * vt.cost_per_km + 500) // 1000).tolist())
        routing.SetArcCostEvaluatorOfVehicle(cost_cb[vt.cost_per_km], v)
        routing.SetFixedCostOfVehicle(int(vt.fixed_cost), v)
        if problem.span_cost_per_s:
            time.SetSpanCostCoefficientForVehicle(int(problem.span_cost_per_s), v)
        if vt.max_duration_s:
            time.SetSpanUpperBoundForVehicle(int(vt.max_duration_s), v)

    seats_demand = np.zeros(len(locations), dtype=np.int64)
    wheel_demand = np.zeros(len(locations), dtype=np.int64)
    solo_demand = np.zeros(len(locations), dtype=np.int64)
    for r, req in enumerate(problem.requests):
        solo = SOLO_CAPACITY if req.travel_alone else 1
        if r in pickup_node:
            p = pickup_node[r]
            seats_demand[p], wheel_demand[p], solo_demand[p] = req.seats, req.wheelchairs, solo
            if r in delivery_node:
                d = delivery_node[r]
                seats_demand[d], wheel_demand[d], solo_demand[d] = -req.seats, -req.wheelchairs, -solo
        else:  # loaded at the depot: counts towards capacity as it is delivered (VRP semantics)
            d = delivery_node[r]
            seats_demand[d], wheel_demand[d], solo_demand[d] = req.seats, req.wheelchairs, 0
    seat_caps = [max(0, problem.vehicle_types[t].seats - (1 if problem.vehicle_types[t].has_assistant else 0)) for t in vehicle_type]
    wheel_caps = [problem.vehicle_types[t].wheelchair_spaces for t in vehicle_type]
    seats = _capacity(routing, seats_demand, seat_caps, "seats")
    wheelchairs = _capacity(routing, wheel_demand, wheel_caps, "wheelchairs")
    if any(req.travel_alone for req in problem.requests):
        _capacity(routing, solo_demand, [SOLO_CAPACITY] * len(vehicle_type), "solo")

    assistant_vehicles = [v for v, t in enumerate(vehicle_type) if problem.vehicle_types[t].has_assistant]
    for r, req in enumerate(problem.requests):
        p_node = pickup_node.get(r)
        d_node = delivery_node.get(r)
        nodes = [n for n in (p_node, d_node) if n is not None]
        for n in nodes:
            routing.AddDisjunction([manager.NodeToIndex(n)], problem.unserved_penalty)
        if p_node is not None and d_node is not None:
            pi, di = manager.NodeToIndex(p_node), manager.NodeToIndex(d_node)
            routing.AddPickupAndDelivery(pi, di)  # pickup first
            solver.Add(routing.VehicleVar(pi) == routing.VehicleVar(di))  # and on the same vehicle
            # Time between them as node precedences of the time dimension, which the routing
            # library's own filters check during the search: the same bounds as generic
            # constraints on the cumul variables made coach-sized insertion 25x slower.
            if not for_timing:
                time.AddNodePrecedence(pi, di, req.pickup_service_s)  # drop-off after boarding
                if req.max_ride_s is not None:  # ride = drop-off start - pickup end <= limit
                    time.AddNodePrecedence(di, pi, -(int(req.max_ride_s) + req.pickup_service_s))
            else:
                solver.Add(time.CumulVar(pi) + req.pickup_service_s <= time.CumulVar(di))
                if req.max_ride_s is not None:
                    solver.Add(time.CumulVar(di) - time.CumulVar(pi) - req.pickup_service_s <= int(req.max_ride_s))
        if req.pickup_window and p_node is not None:
            time.CumulVar(manager.NodeToIndex(p_node)).SetRange(int(req.pickup_window[0]), int(req.pickup_window[1]))
        if req.delivery_window and d_node is not None:
            time.CumulVar(manager.NodeToIndex(d_node)).SetRange(int(req.delivery_window[0]), int(req.delivery_window[1]))
        if req.needs_assistant:
            # (SetAllowedVehiclesForIndex rejects Python lists in this OR-Tools build: a member
            # constraint says the same; -1 keeps the request optional)
            for n in nodes:
                solver.Add(solver.MemberCt(routing.VehicleVar(manager.NodeToIndex(n)), [*assistant_vehicles, -1]))
    position = {req.request_id: r for r, req in enumerate(problem.requests)}
    for a, b in problem.incompatible:
        if a in position and b in position:
            na = pickup_node.get(position[a], delivery_node.get(position[a]))
            nb = pickup_node.get(position[b], delivery_node.get(position[b]))
            va, vb = routing.VehicleVar(manager.NodeToIndex(na)), routing.VehicleVar(manager.NodeToIndex(nb))
            # never on the same vehicle (stricter than "not aboard together", and simple to check)
            solver.Add(solver.IsDifferentVar(va, vb) + solver.IsEqualCstVar(va, -1) >= 1)
    for v in range(len(vehicle_type)):
        routing.AddVariableMinimizedByFinalizer(time.CumulVar(routing.End(v)))
        routing.AddVariableMaximizedByFinalizer(time.CumulVar(routing.Start(v)))
    return BuiltModel(manager, routing, time, seats, wheelchairs, node_location, node_service, kinds, owner,
                      vehicle_type, pickup_node, delivery_node)


def _capacity(routing: pywrapcp.RoutingModel, demand: np.ndarray, caps: list[int], name: str) -> pywrapcp.RoutingDimension:
    callback = routing.RegisterUnaryTransitVector(demand.tolist())
    routing.AddDimensionWithVehicleCapacity(callback, 0, [int(c) for c in caps], True, name)
    return routing.GetDimensionOrDie(name)


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


def retime(problem: RoutingProblem, built: BuiltModel, assignment):
    """The same routes in the timing model (see `build_model`), or None if it rejects or
    changes them. Reading routes in runs the model's finalizer, which does the timing."""
    timing = build_model(problem, for_timing=True)
    routes = routes_of(built, assignment)
    timed = timing.routing.ReadAssignmentFromRoutes(routes, True)
    if timed is None or routes_of(timing, timed) != routes:
        return None
    return timing, timed
