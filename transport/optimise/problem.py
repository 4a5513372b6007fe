"""What the optimiser is asked: requests, a fleet, and the matrices between locations.

Everything is in solver units (see `transport.units`): whole seconds, whole metres, whole
pence. Pupils, pick-up points and benchmark customers all arrive here as `Request`s, so the
benchmarks exercise exactly the model the councils' runs use.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True, slots=True)
class Request:
    """Carry `seats` passengers (and `wheelchairs` of them in wheelchairs) from pickup to delivery.

    `pickup=None` means the load starts aboard at the vehicle's start (a delivery from the
    depot, as in VRPTW benchmarks); `delivery=None` means it stays aboard to the vehicle's end.
    Windows are (earliest, latest) start of service, in seconds after midnight.
    """

    request_id: str
    pickup: int | None
    delivery: int | None
    seats: int = 1
    wheelchairs: int = 0
    pickup_window: tuple[int, int] | None = None
    delivery_window: tuple[int, int] | None = None
    max_ride_s: int | None = None
    pickup_service_s: int = 0
    delivery_service_s: int = 0
    needs_assistant: bool = False
    travel_alone: bool = False
    members: tuple[str, ...] = ()
    group: str = ""  # e.g. the school: used when mixing groups is not allowed
    partition: str = ""  # requests in different partitions are routed separately, sharing the fleet

    @property
    def is_pair(self) -> bool:
        return self.pickup is not None and self.delivery is not None


@dataclass(frozen=True, slots=True)
class VehicleType:
    """A kind of vehicle (and crew) that can be hired, priced in pence."""

    name: str
    seats: int
    wheelchair_spaces: int = 0
    count: int = 1
    fixed_cost: int = 0  # pence per day (or per run) when used
    cost_per_km: int = 0  # pence per kilometre driven
    has_assistant: bool = False
    start: int = 0  # location index
    end: int = 0
    max_duration_s: int | None = None
    base_type: str = ""  # the catalogue type this variant was made from


@dataclass(frozen=True, slots=True)
class RoutingProblem:
    """A complete, solver-independent routing question."""

    time_s: np.ndarray  # int64, [location, location], travel time without service
    distance_m: np.ndarray  # int64
    requests: tuple[Request, ...]
    vehicle_types: tuple[VehicleType, ...]
    incompatible: tuple[tuple[str, str], ...] = ()
    horizon_s: int = 24 * 3600
    unserved_penalty: int = 10_000_000  # pence: far above any vehicle's cost, so serving always wins
    span_cost_per_s: int = 0  # small secondary term: pence per second a vehicle is out
    allow_mixing_groups: bool = True
    location_names: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        n = self.time_s.shape[0]
        if self.time_s.shape != (n, n) or self.distance_m.shape != (n, n):
            raise ValueError("time and distance matrices must be square and the same size")
