"""Why a request is unserved: checked before the search (no vehicle could ever serve it) and
after it (the search left it out and no free vehicle could take it alone), naming the rule
that binds and what would serve the pupil."""

from __future__ import annotations

from transport.optimise.problem import Request, RoutingProblem, VehicleType
from transport.optimise.solution import Unserved
from transport.outcomes import UNSERVED_REASONS

FLEET_EXHAUSTED = ("Every vehicle in the catalogue that could carry this request is already used on other routes; "
                   "raise 'available' in the vehicle catalogue.")


def prefilter(problem: RoutingProblem, catalogue: tuple[VehicleType, ...] | None = None) -> tuple[list[int], list[Unserved]]:
    """Split requests into those some vehicle could serve alone, and the rest with reasons.

    `catalogue` is the whole fleet when `problem` has only the vehicles other partitions left,
    so that a request no remaining vehicle can take is explained as the fleet running out.
    """
    servable: list[int] = []
    unserved: list[Unserved] = []
    types = problem.vehicle_types
    for i, req in enumerate(problem.requests):
        reason = impossible(problem, req, types)
        if reason and catalogue is not None and not impossible(problem, req, catalogue):
            reason = ("NO_VEHICLE_AVAILABLE", FLEET_EXHAUSTED)
        if reason:
            unserved.append(Unserved(req.request_id, *reason))
        else:
            servable.append(i)
    return servable, unserved


def impossible(problem: RoutingProblem, req: Request, types: tuple[VehicleType, ...]) -> tuple[str, str] | None:
    """(code, sentence) when no vehicle of `types` could serve `req` even alone, else None."""
    if req.wheelchairs > 0 and not any(t.wheelchair_spaces >= req.wheelchairs for t in types):
        return "NO_WHEELCHAIR_VEHICLE", UNSERVED_REASONS["NO_WHEELCHAIR_VEHICLE"]
    fits = [t for t in types if t.wheelchair_spaces >= req.wheelchairs and t.usable_seats >= req.seats]
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


def explain_left(problem: RoutingProblem, request_id: str) -> Unserved:
    """A request the search left out."""
    req = next(r for r in problem.requests if r.request_id == request_id)
    if req.wheelchairs and sum(t.count for t in problem.vehicle_types if t.wheelchair_spaces) <= 0:
        return Unserved(request_id, "NO_WHEELCHAIR_VEHICLE", UNSERVED_REASONS["NO_WHEELCHAIR_VEHICLE"])
    if not problem.vehicle_types:
        return Unserved(request_id, "NO_VEHICLE_AVAILABLE", UNSERVED_REASONS["NO_VEHICLE_AVAILABLE"])
    return Unserved(request_id, "SOLVER_LEFT_UNSERVED", UNSERVED_REASONS["SOLVER_LEFT_UNSERVED"])


def explain_unserved(problem: RoutingProblem, req: Request, free: dict[str, int]) -> Unserved:
    """The binding cause for a request left unserved after every free vehicle was offered to it.

    `free` holds the vehicles of each pool (and the assistants, under 'assistants') that no
    route uses. Checked in turn: a vehicle type that could ever carry it, its window and ride
    limit, the vehicles of the kind it needs, the assistants, and last the trip alone.
    """
    reason = impossible(problem, req, problem.vehicle_types)
    if reason:
        return Unserved(req.request_id, *reason)
    suitable = [vt for vt in problem.vehicle_types if vt.can_carry(req)]
    pools = {vt.pool or vt.name: vt for vt in suitable}
    if all(free.get(pool, 0) <= 0 for pool in pools):
        sizes = problem.pools()
        total = sum(sizes.get(pool, vt.count) for pool, vt in pools.items())
        kinds = ", ".join(sorted({vt.catalogue_type for vt in suitable}))
        return Unserved(req.request_id, "NO_VEHICLE_AVAILABLE",
                        f"All {total} vehicles that could carry this pupil ({kinds}) are in use on other routes; add "
                        f"vehicles of that kind ('available' in the vehicle catalogue) to serve them.")
    if req.needs_assistant and free.get("assistants", 1) <= 0:
        return Unserved(req.request_id, "NO_ASSISTANT_AVAILABLE",
                        f"All {problem.assistants_available} passenger assistants are in use on other routes; raise "
                        f"[costs] assistants_available to serve this pupil.")
    return Unserved(req.request_id, "TIME_WINDOW",
                    "No free vehicle can make this trip alone within its limits (the bell window, the ride limit, the "
                    "vehicle's time out of its depot), and no route had room for it; widen the window or add a vehicle "
                    "based nearer.")
