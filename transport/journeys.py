"""The two runs of a school day and which way each goes: one home for the AM/PM direction."""

from __future__ import annotations

from typing import Literal

Run = Literal["AM", "PM"]
RUNS: tuple[Run, ...] = ("AM", "PM")


def to_school(run: str) -> bool:
    """The morning run goes from home (or pick-up point) to school; the afternoon run back."""
    return run == "AM"


def home_stop_kind(run: str) -> str:
    """The kind of stop made at a pupil's home or pick-up point on this run."""
    return "pickup" if to_school(run) else "delivery"


def school_stop_kind(run: str) -> str:
    """The kind of stop made at the school on this run."""
    return "delivery" if to_school(run) else "pickup"
