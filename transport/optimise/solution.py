"""What the optimiser answers: routes with timed visits, and who was left unserved and why."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Visit:
    """One stop on a route: arrive, serve, leave; loads are after the stop is served."""

    location: int
    kind: str  # start, pickup, delivery, end
    request_id: str = ""
    arrival_s: int = 0
    service_start_s: int = 0
    departure_s: int = 0
    seats_load: int = 0
    wheelchair_load: int = 0


@dataclass(frozen=True, slots=True)
class Route:
    vehicle: int
    vehicle_type: str
    visits: tuple[Visit, ...]
    distance_m: int
    cost: int  # pence: fixed + distance + span
    partition: str = ""  # the partition of requests it was searched in


@dataclass(frozen=True, slots=True)
class Unserved:
    request_id: str
    reason_code: str
    detail: str


@dataclass(frozen=True, slots=True)
class Solution:
    routes: tuple[Route, ...]
    unserved: tuple[Unserved, ...]
    objective: int
    status: str
    solve_seconds: float
    strategy: str = ""
    stats: dict = field(default_factory=dict)

    @property
    def vehicles_used(self) -> int:
        return len(self.routes)

    @property
    def total_distance_m(self) -> int:
        return sum(r.distance_m for r in self.routes)


def rides_s(solution: Solution) -> dict[str, int]:
    """Each delivered request's ride: service start at the delivery minus departure from its pickup."""
    rides: dict[str, int] = {}
    for route in solution.routes:
        boarded: dict[str, int] = {}
        for visit in route.visits:
            if visit.kind == "pickup":
                boarded[visit.request_id] = visit.departure_s
            elif visit.kind == "delivery" and visit.request_id in boarded:
                rides[visit.request_id] = visit.service_start_s - boarded[visit.request_id]
    return rides
