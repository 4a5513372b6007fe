"""Bounding boxes: the network's area for location checks, and Great Britain itself."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Bounds:
    """A box in WGS84 degrees (west, south, east, north)."""

    west: float
    south: float
    east: float
    north: float

    def contains(self, lat: float, lon: float) -> bool:
        return self.south <= lat <= self.north and self.west <= lon <= self.east

    @classmethod
    def around(cls, lats: Iterable[float], lons: Iterable[float], margin_deg: float = 0.05) -> Bounds:
        la, lo = list(lats), list(lons)
        return cls(min(lo) - margin_deg, min(la) - margin_deg, max(lo) + margin_deg, max(la) + margin_deg)


#: Great Britain and its islands, generously: a home or school outside is not in GB, and a
#: network inside is measured on the British National Grid.
GREAT_BRITAIN = Bounds(west=-8.7, south=49.8, east=1.9, north=60.95)
