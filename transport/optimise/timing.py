"""Time the routes a search found: leave as late and arrive as early as the windows allow.

With ride limits as node precedences (see `model`) the routing library's finalizer sends
vehicles out at midnight to wait at stops with pupils aboard: legal, but long rides. The
timing model states the same limits as constraints on the cumul variables (too slow to
search with), and reading the found routes into it runs its finalizer, which times each
stop as late as its route allows.
"""

from __future__ import annotations

from transport.optimise.model import BuiltModel, build_model, routes_of
from transport.optimise.problem import Request, RoutingProblem


def cumul_ride_limit(built: BuiltModel, pickup: int, delivery: int, req: Request) -> None:
    """Drop-off after boarding, and the ride no longer than its limit, on the cumul variables."""
    solver, time = built.routing.solver(), built.time
    solver.Add(time.CumulVar(pickup) + req.pickup_service_s <= time.CumulVar(delivery))
    if req.max_ride_s is not None:
        solver.Add(time.CumulVar(delivery) - time.CumulVar(pickup) - req.pickup_service_s <= int(req.max_ride_s))


def retime(problem: RoutingProblem, built: BuiltModel, assignment) -> tuple[BuiltModel, object] | None:
    """The same routes in the timing model, or None if it rejects or changes them."""
    timing = build_model(problem, ride_limit=cumul_ride_limit)
    routes = routes_of(built, assignment)
    timed = timing.routing.ReadAssignmentFromRoutes(routes, True)
    if timed is None or routes_of(timing, timed) != routes:
        return None
    return timing, timed
