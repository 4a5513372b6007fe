"""The council's home-to-school transport policy: statutory defaults plus local choices.

Every number here is a field with its source; a scenario's `[policy]` table overrides
them. Statutory values: Education Act 1996 s508B and Schedule 35B; DfE statutory guidance
"Travel to school for children of compulsory school age" (2024).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from transport.units import minutes_to_s

SEND_NEEDS = ("ASD", "SEMH", "SLCN", "MLD", "SLD", "PMLD", "PD", "VI", "HI", "MSI", "SPLD", "OTH", "NSA")

#: Ages (on the assessment date) each phase of school serves: Reception to Year 6 is primary,
#: Years 7 to 11 secondary, Years 12 and 13 post-16.
PHASE_AGES: dict[str, tuple[int, int]] = {"primary": (4, 10), "secondary": (11, 15), "all-through": (4, 18),
                                          "post-16": (16, 18)}


def age_phase(age: int) -> Literal["primary", "secondary", "post-16"]:
    """The phase a pupil of this age (at the start of the school year) belongs to."""
    if age <= PHASE_AGES["primary"][1]:
        return "primary"
    if age <= PHASE_AGES["secondary"][1]:
        return "secondary"
    return "post-16"


#: The school year's teaching ends with the summer term; August has no school days. Shares of
#: the year and dates of change are counted from 1 September to this day (month, day).
SCHOOL_YEAR_LAST_DAY = (7, 31)
#: Compulsory school age starts on the first of these days (month, day) on or after the 5th
#: birthday: the Education (Start of Compulsory School Age) Order 1998, under s8(2).
COMPULSORY_START_DAYS = ((3, 31), (8, 31), (12, 31))


def anniversary(born: dt.date, years: int) -> dt.date:
    """The day a person born on `born` attains `years` (29 February birthdays fall on 1 March)."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return dt.date(born.year + years, 3, 1)


def age_on(born: dt.date, day: dt.date) -> int:
    """Age in whole years on `day`."""
    years = day.year - born.year
    return years if anniversary(born, years) <= day else years - 1


def compulsory_school_age_starts(born: dt.date) -> dt.date:
    """The prescribed day (31 March, 31 August or 31 December) on or after the 5th birthday (s8(2))."""
    fifth = anniversary(born, 5)
    days = [dt.date(y, m, d) for y in (fifth.year, fifth.year + 1) for m, d in COMPULSORY_START_DAYS]
    return min(day for day in days if day >= fifth)


def compulsory_school_age_ends(born: dt.date) -> dt.date:
    """The last Friday in June of the school year (September to August) in which the child turns 16 (s8(3))."""
    sixteenth = anniversary(born, 16)
    year = sixteenth.year + 1 if sixteenth.month >= 9 else sixteenth.year
    last = dt.date(year, 6, 30)
    return last - dt.timedelta(days=(last.weekday() - 4) % 7)


def school_year_age(born: dt.date, academic_year_start: int) -> int:
    """Age at 31 August before the school year starts: it sets the year group and so the phase."""
    return age_on(born, dt.date(academic_year_start, 8, 31))


class Policy(BaseModel):
    """Eligibility and service rules. Distances in miles as the statute states them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    academic_year_start: int = Field(2025, description="Calendar year in which the academic year starts (1 September); year groups are set by age at 31 August before it.")
    assessment_date: dt.date | None = Field(None, description="The day decisions are made on: ages are taken on it, and changes in the year (8th and 11th birthdays, compulsory school age) are dated from it. Default 1 September of the academic year.")
    compulsory_age_min: int = Field(5, description="Youngest age of compulsory school age when a pupil has no date of birth (with one, it starts on the 31 March, 31 August or 31 December after the 5th birthday: s8(2)).")
    compulsory_age_max: int = Field(15, description="Oldest age still of compulsory school age when a pupil has no date of birth (with one, it ends on the last Friday in June of the school year in which the child turns 16: s8(3)).")
    include_reception: bool = Field(True, description="Discretionary: Reception pupils below compulsory school age are decided as if of compulsory age, as most councils do; those decisions are labelled discretionary.")
    statutory_walking_distance_under_8_miles: float = Field(2.0, description="Under 8: eligible beyond this walking distance. Sch 35B para 2.")
    statutory_walking_distance_8_plus_miles: float = Field(3.0, description="8 and over: eligible beyond this walking distance. Sch 35B para 3.")
    distance_age_threshold: int = Field(8, description="Age from which the longer walking distance applies; it changes on the 8th birthday. Sch 35B para 3.")
    low_income_primary_age_min: int = Field(8, description="Extended rights, low income: lower age of the primary band (Sch 35B para 9).")
    low_income_primary_age_max: int = Field(10, description="Extended rights, low income: oldest age in the primary band (under 11; the secondary band starts on the 11th birthday).")
    low_income_primary_miles: float = Field(2.0, description="Extended rights, low income, 8-11: nearest suitable school over this distance.")
    low_income_secondary_min_miles: float = Field(2.0, description="Extended rights, low income, 11-16: lower bound.")
    low_income_secondary_max_miles: float = Field(6.0, description="Extended rights, low income, 11-16: upper bound, 'not more than' (Sch 35B para 11).")
    low_income_nearest_schools: int = Field(3, description="Extended rights, low income, 11-16: one of this many nearest suitable schools (by walking route).")
    religious_min_miles: float = Field(2.0, description="Extended rights, low income, religion or belief: lower bound (Sch 35B para 12).")
    religious_max_miles: float = Field(15.0, description="Extended rights, low income, religion or belief: upper bound, 'not more than' (Sch 35B para 12).")
    extended_rights_upper_measure: Literal["road", "walk"] = Field("road", description="How the upper limits of extended rights (6 and 15 miles) are measured: along the road route, as councils publish, or the walking route. Lower limits are always walked.")
    send_eligible_regardless_of_distance: bool = Field(True, description="A pupil assessed as unable to walk because of SEN, disability or mobility is eligible whatever the distance (Sch 35B paras 2, 6).")
    send_needs_qualifying: tuple[str, ...] = Field(("PMLD", "SLD", "PD", "VI", "MSI"), description="Mobility and sensory needs that call for an assessment of walking, and collection from home, without an EHC plan.")
    presume_ehcp_cannot_walk: bool = Field(False, description="Discretionary local policy: a pupil with an EHC plan and no assessment yet is presumed unable to walk; those decisions are labelled discretionary. The statute needs an individual assessment (Sch 35B para 2).")
    unsafe_route_qualifies: bool = Field(True, description="A pupil whose walking route to the nearest suitable school is assessed unsafe is eligible whatever the distance (Sch 35B paras 2-5).")
    nearest_suitable_school_rule: bool = Field(True, description="Distance eligibility only to the nearest suitable school with a place (the school an EHC plan names counts as it, unless named at the parents' preference).")
    post16: Literal["none", "send_only", "distance"] = Field("send_only", description="The council's post-16 transport policy statement (s509AA): none, SEND students only, or SEND students and others beyond post16_distance_miles.")
    post16_distance_miles: float = Field(3.0, ge=0, description="Post-16 'distance' policy: students without SEND are covered beyond this walking distance.")
    post16_send_min_miles: float = Field(0.0, ge=0, description="Post-16 SEND students are covered only beyond this walking distance (0: whatever the distance; Redcar and Cleveland from 2025: 3).")
    post16_nearest_provision: bool = Field(True, description="Post-16 transport only to the nearest school or college offering post-16 education that suits the student.")
    post16_contribution_gbp_per_year: float = Field(0.0, ge=0, description="Contribution a post-16 student's family pays a year for transport the policy provides (Rutland charged £339, consulting on £500, in 2016).")
    post16_contribution_low_income_exempt: bool = Field(True, description="Students from low-income families pay no post-16 contribution.")
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
    pickup_point_excluded_road_classes: tuple[str, ...] = Field(
        ("motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link"),
        description="Road classes (OSM highway=*) a pick-up point is never on, not even at a bus stop or lay-by: traffic "
                    "there is fast and heavy, so pupils waiting and boarding at the kerb are at risk. Roundabouts, "
                    "mini-roundabouts and traffic signals are never pick-up points either.")
    pickup_point_road_classes: tuple[str, ...] = Field(
        ("residential", "unclassified", "tertiary", "tertiary_link", "living_street"),
        description="Where no bus stop is in reach, a pick-up point is a junction or lay-by on these quieter roads "
                    "(a junction only when every road meeting there is one of them or a service road), where a "
                    "vehicle can stop at the kerb.")

    @model_validator(mode="after")
    def _assessment_date_in_the_academic_year(self) -> Policy:
        start, end = dt.date(self.academic_year_start, 9, 1), dt.date(self.academic_year_start + 1, 8, 31)
        if self.assessment_date is not None and not start <= self.assessment_date <= end:
            raise ValueError(f"assessment_date {self.assessment_date} is outside the academic year {start} to {end}; "
                             "set academic_year_start to the year it starts in")
        return self

    @property
    def assessed_on(self) -> dt.date:
        """The assessment date: as set, else 1 September of the academic year."""
        return self.assessment_date or dt.date(self.academic_year_start, 9, 1)

    @property
    def school_year(self) -> tuple[dt.date, dt.date]:
        """The school year's first and last days (1 September to the end of the summer term)."""
        month, day = SCHOOL_YEAR_LAST_DAY
        return dt.date(self.academic_year_start, 9, 1), dt.date(self.academic_year_start + 1, month, day)

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
