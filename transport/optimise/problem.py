"""What the optimiser is asked: requests, a fleet, and the matrices between locations.

Everything is in solver units (see `transport.units`): whole seconds, whole metres, whole
pence. Pupils, pick-up points and benchmark customers all arrive here as `Request`s, so the
benchmarks exercise exactly the model the councils' runs use.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True, slots=True, kw_only=True)
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
    group: str = ""  # the school: vehicles carry one group's requests when mixing is not allowed
    partition: str = ""  # requests in different partitions are routed separately, sharing the fleet

    @property
    def is_pair(self) -> bool:
        return self.pickup is not None and self.delivery is not None

    @property
    def is_door_to_door(self) -> bool:
        """A single pupil collected from home (a pick-up point request carries a group)."""
        return self.members == (self.request_id,)


@dataclass(frozen=True, slots=True, kw_only=True)
class VehicleType:
    """A kind of vehicle (and crew) that can be hired, priced in pence.

    A variant of a catalogue row: the same type at the same depot, with or without a
    passenger assistant. Its `name` is built here and nowhere else. Variants with the same
    `pool` are the same vehicles (an assistant is hired separately and rides in whichever
    vehicle needs one), so together they use at most `pool_size` vehicles.
    """

    catalogue_type: str
    seats: int
    wheelchair_spaces: int = 0
    count: int = 1
    fixed_cost: int = 0  # pence per day (or per run) when used
    cost_per_km: int = 0  # pence per kilometre driven
    has_assistant: bool = False
    depot: str = ""
    start: int = 0  # location index
    end: int = 0
    max_duration_s: int | None = None
    pool: str = ""  # the catalogue row (type@depot) whose vehicles this variant draws on
    pool_size: int | None = None  # vehicles of the pool, all variants together

    @property
    def name(self) -> str:
        return self.catalogue_type + (f"@{self.depot}" if self.depot else "") + ("+PA" if self.has_assistant else "")

    @property
    def usable_seats(self) -> int:
        """Seats for pupils: a passenger assistant takes one."""
        return max(0, self.seats - (1 if self.has_assistant else 0))

    def can_carry(self, request: Request) -> bool:
        """Whether this vehicle could carry the request on its own (seats, wheelchairs, assistant)."""
        return (request.seats <= self.usable_seats and request.wheelchairs <= self.wheelchair_spaces
                and (self.has_assistant or not request.needs_assistant))


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
    location_names: tuple[str, ...] = field(default=())
    assistants_available: int | None = None  # passenger assistants that can be hired for this run

    def pools(self) -> dict[str, int]:
        """Vehicles available by pool (the variants of one catalogue row together); a variant
        with no pool is a pool of its own, named by the variant."""
        sizes: dict[str, int] = {}
        for vt in self.vehicle_types:
            key = vt.pool or vt.name
            sizes[key] = sizes.get(key, 0) + vt.count if vt.pool_size is None else vt.pool_size
        return sizes

    def __post_init__(self) -> None:
        n = self.time_s.shape[0]
        if self.time_s.shape != (n, n) or self.distance_m.shape != (n, n):
            raise ValueError("time and distance matrices must be square and the same size")


def solver_matrix(values: np.ndarray) -> np.ndarray:
    """A float matrix (seconds or metres) in the solver's whole units; unreachable pairs get 10^9."""
    out = np.rint(np.nan_to_num(values, nan=1e9, posinf=1e9)).astype(np.int64)
    return np.minimum(out, 10**9)
