"""The council's home-to-school transport policy: statutory defaults plus local choices.

Every number here is a field with its source; a scenario's `[policy]` table overrides
them. Statutory values: Education Act 1996 s508B and Schedule 35B; DfE statutory guidance
"Travel to school for children of compulsory school age" (2024).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from transport.units import minutes_to_s

SEND_NEEDS = ("ASD", "SEMH", "SLCN", "MLD", "SLD", "PMLD", "PD", "VI", "HI", "MSI", "SPLD", "OTH", "NSA")

#: Ages (on the assessment date) each phase of school serves: Reception to Year 6 is primary,
#: Years 7 to 11 secondary, Years 12 and 13 post-16.
PHASE_AGES: dict[str, tuple[int, int]] = {"primary": (4, 10), "secondary": (11, 15), "all-through": (4, 18),
                                          "post-16": (16, 18)}


def age_phase(age: int) -> Literal["primary", "secondary", "post-16"]:
    """The phase a pupil of this age belongs to."""
    if age <= PHASE_AGES["primary"][1]:
        return "primary"
    if age <= PHASE_AGES["secondary"][1]:
        return "secondary"
    return "post-16"


class Policy(BaseModel):
    """Eligibility and service rules. Distances in miles as the statute states them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    academic_year_start: int = Field(2025, description="Calendar year in which the academic year starts; ages are taken at 31 August of it.")
    compulsory_age_min: int = Field(5, description="Youngest age (at 31 August) of compulsory school age. Statute: 5.")
    compulsory_age_max: int = Field(15, description="Oldest age at 31 August still of compulsory school age (Year 11 pupils are 15). Statute: 15.")
    include_reception: bool = Field(True, description="Discretionary: treat reception pupils (4 at 31 August) as of compulsory age, as most councils do.")
    statutory_walking_distance_under_8_miles: float = Field(2.0, description="Under 8: eligible beyond this walking distance. Sch 35B para 2.")
    statutory_walking_distance_8_plus_miles: float = Field(3.0, description="8 and over: eligible beyond this walking distance. Sch 35B para 3.")
    distance_age_threshold: int = Field(8, description="Age at 31 August from which the longer walking distance applies.")
    low_income_primary_age_min: int = Field(8, description="Extended rights, low income: lower age of the primary band (Sch 35B para 9).")
    low_income_primary_age_max: int = Field(10, description="Extended rights, low income: oldest age at 31 August in the primary band (under 11).")
    low_income_primary_miles: float = Field(2.0, description="Extended rights, low income, 8-11: nearest suitable school over this distance.")
    low_income_secondary_min_miles: float = Field(2.0, description="Extended rights, low income, 11-16: lower bound.")
    low_income_secondary_max_miles: float = Field(6.0, description="Extended rights, low income, 11-16: upper bound.")
    low_income_nearest_schools: int = Field(3, description="Extended rights, low income, 11-16: one of this many nearest suitable schools.")
    religious_min_miles: float = Field(2.0, description="Extended rights, low income, religion or belief: lower bound.")
    religious_max_miles: float = Field(15.0, description="Extended rights, low income, religion or belief: upper bound.")
    send_eligible_regardless_of_distance: bool = Field(True, description="A pupil with an EHCP or a listed need who cannot reasonably walk is eligible whatever the distance.")
    send_needs_qualifying: tuple[str, ...] = Field(("PMLD", "SLD", "PD", "VI", "MSI"), description="Needs that qualify without an EHCP (mobility or sensory needs).")
    ehcp_qualifies: bool = Field(True, description="Every pupil with an EHCP is assessed as unable to walk (the common local policy).")
    unsafe_route_qualifies: bool = Field(True, description="A pupil whose walking route is assessed unsafe is eligible whatever the distance.")
    nearest_suitable_school_rule: bool = Field(True, description="Distance eligibility only to the nearest suitable school, unless an EHCP names the school.")
    post16: Literal["none", "send_only", "distance"] = Field("send_only", description="Discretionary post-16 transport: none, SEND pupils only, or SEND pupils and others by the 3-mile rule.")
    max_ride_minutes_primary: float = Field(45, description="Maximum journey each way, primary age. DfE guidance best practice.")
    max_ride_minutes_secondary: float = Field(75, description="Maximum journey each way, secondary age. DfE guidance best practice.")
    arrive_before_start_min_minutes: float = Field(5, description="Vehicles arrive at least this long before the bell.")
    arrive_before_start_max_minutes: float = Field(20, description="...and no earlier than this before the bell.")
    depart_after_finish_min_minutes: float = Field(5, description="Afternoon runs leave at least this long after the bell.")
    depart_after_finish_max_minutes: float = Field(25, description="...and no later than this after it.")
    boarding_minutes: float = Field(1.0, description="Time to board or alight, per pupil.")
    boarding_minutes_wheelchair: float = Field(4.0, description="Time to board or alight in a wheelchair (clamps and ramp).")
    stop_dwell_minutes: float = Field(1.0, description="Time a vehicle stands at a pick-up point, plus boarding below.")
    stop_boarding_minutes_per_pupil: float = Field(0.25, description="Boarding time per pupil at a pick-up point or when alighting at school from a shared vehicle.")
    stop_group_max_pupils: int = Field(16, description="Pupils of one school at one pick-up point are split into groups of at most this many, so groups can share vehicles.")
    mixed_school_vehicles: bool = Field(True, description="Pupils of different schools may share a vehicle.")
    pickup_point_max_walk_miles: float = Field(0.5, description="Mainstream pupils walk at most this far to a pick-up point.")

    def max_ride_s(self, ages: Iterable[int], overrides_minutes: Iterable[float | None] = ()) -> int:
        """The longest ride for pupils travelling together: the primary limit when any of them is
        of primary age, else the secondary one, and never more than a limit set for a pupil."""
        youngest = min(int(a) for a in ages)
        minutes = self.max_ride_minutes_primary if age_phase(youngest) == "primary" else self.max_ride_minutes_secondary
        given = [float(m) for m in overrides_minutes if m is not None and m == m]
        if given:
            minutes = min(minutes, min(given))
        return minutes_to_s(minutes)

    def walking_limit_miles(self, age: int) -> float:
        return (
            self.statutory_walking_distance_under_8_miles
            if age < self.distance_age_threshold
            else self.statutory_walking_distance_8_plus_miles
        )
