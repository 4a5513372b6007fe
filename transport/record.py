"""`Run`: the frozen, in-memory record of everything one scenario run produced.

Costs, reports, maps and compare take a `Run`; none of them reads back a file the run
wrote. `transport.runfiles` writes a `Run` to its folder once, at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from transport.budget import Costs
from transport.demand import Demand
from transport.inputs import Inputs
from transport.optimise.problem import RoutingProblem
from transport.optimise.solution import Solution
from transport.scenarios import Scenario
from transport.stops import StopPlan


@dataclass(frozen=True)
class Run:
    """Inputs, decisions, routes and prices of one scenario, as the steps made them."""

    scenario: Scenario
    inputs: Inputs
    moves: pd.DataFrame  # schemas.MOVES: pupils a new provision moved
    eligibility: pd.DataFrame  # schemas.ELIGIBILITY
    stops: StopPlan  # pick-up points: each pupil's, the stops themselves, who has none in reach
    demand: Demand
    time_s: np.ndarray  # drive seconds between demand.locations
    distance_m: np.ndarray
    problems: dict[str, RoutingProblem]  # by run, AM and PM
    solutions: dict[str, Solution]
    costs: Costs
    routes_geojson: dict = field(default_factory=dict)  # each vehicle run drawn along the roads it uses
    summary: dict = field(default_factory=dict)
    timings_s: dict[str, float] = field(default_factory=dict)
    place_names: tuple[str, ...] = ()  # a name for each of demand.locations (a home: street and town only)

    @property
    def name(self) -> str:
        return self.scenario.name

    @property
    def pupils(self) -> pd.DataFrame:
        return self.inputs.pupils

    @property
    def schools(self) -> pd.DataFrame:
        return self.inputs.schools

    @property
    def vehicles(self) -> pd.DataFrame:
        return self.inputs.vehicles
