"""Statutory eligibility (Education Act 1996 Sch 35B, s8, s509AA, s508F), checked by hand.

Each row of the statute table is one pupil with hand-set walking (and road) distances to the
schools of a small made-up area, and the reason code a transport officer would give by hand.
Each case is named after the paragraph it tests. Every school not named in a row is 40 miles
away, so it never affects "nearest". Ages are on the assessment date (default 1 September
2025). 1 mile = 1609.344 m. Limits are "not more than": exactly on a limit is within it, and
the measuring tolerance (1 m) only ever goes the child's way.

The end-to-end tests build the fixture town with 1-mile blocks and measure routes on it.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.osm_fixture import EARTH_RADIUS_M, NODES, lat_lon, write_town
from transport.eligibility import (
    DISTANCE_TOLERANCE_M,
    WalkDistances,
    actions,
    assess_eligibility,
    decide,
    summarise,
    walk_distances,
    walking_route_geojson,
)
from transport.matrix import travel_matrices
from transport.network import load_network
from transport.outcomes import DISCRETIONARY_CODES, ELIGIBILITY_REASONS, ELIGIBLE_CODES
from transport.policy import Policy, age_on

MILE = 1609.344
FAR = 40 * MILE

# ------------------------------------------------------------------------ the made-up area

PRIMARY = "100001"
PRIMARY_2 = "100002"
ALL_THROUGH = "100003"
SECONDARY_1 = "200001"
SECONDARY_2 = "200002"
SECONDARY_3 = "200003"
SECONDARY_4 = "200004"
CATHOLIC = "200005"
CATHOLIC_2 = "200006"
BOYS = "200007"
SPECIAL = "300001"
SPECIAL_2 = "300002"
COLLEGE = "400001"
COLLEGE_2 = "400002"

SCHOOLS = pd.DataFrame(
    [
        # urn, name, phase, type, religious_character, sex, sixth_form, needs_served
        (PRIMARY, "Brook Primary", "primary", "mainstream", "", "mixed", False, ""),
        (PRIMARY_2, "Hill Primary", "primary", "mainstream", "", "mixed", False, ""),
        (ALL_THROUGH, "Castle All-through", "all-through", "mainstream", "", "mixed", False, ""),
        (SECONDARY_1, "North Academy", "secondary", "mainstream", "", "mixed", False, ""),
        (SECONDARY_2, "South Academy", "secondary", "mainstream", "", "mixed", False, ""),
        (SECONDARY_3, "East Academy", "secondary", "mainstream", "", "mixed", False, ""),
        (SECONDARY_4, "West Academy", "secondary", "mainstream", "", "mixed", False, ""),
        (CATHOLIC, "St Mary's Catholic", "secondary", "mainstream", "Roman Catholic", "mixed", False, ""),
        (CATHOLIC_2, "St Joseph's Catholic", "secondary", "mainstream", "Roman Catholic", "mixed", False, ""),
        (BOYS, "King's Boys' School", "secondary", "mainstream", "", "boys", False, ""),
        (SPECIAL, "Oak Special School", "all-through", "special", "", "mixed", True, ""),
        (SPECIAL_2, "Ash Special School", "all-through", "special", "", "mixed", True, "PMLD"),
        (COLLEGE, "Town Sixth Form College", "post-16", "mainstream", "", "mixed", True, ""),
        (COLLEGE_2, "County College", "post-16", "mainstream", "", "mixed", True, ""),
    ],
    columns=["urn", "name", "phase", "type", "religious_character", "sex", "sixth_form", "needs_served"],
).assign(lat=52.66, lon=-0.73, start_s=31500, finish_s=54900, places=500.0, sen_places=0.0)
URNS = list(SCHOOLS["urn"])


def miles(x: float) -> float:
    return x * MILE


def pupils_frame(rows: list[dict], policy: Policy | None = None) -> pd.DataFrame:
    """Pupils as `read_pupils` returns them; rows give the fields that matter (`born` sets the date of birth)."""
    base = {
        "lat": 52.66, "lon": -0.73, "ehcp": False, "wheelchair": False, "passenger_assistant": False,
        "travel_alone": False, "low_income": False, "unsafe_route": False, "send_need": "", "max_ride_minutes": None,
        "religion_preference": "", "avoid_with": "", "cannot_walk": None, "named_on_preference": False, "sex": "",
        "refused_at": "", "date_of_birth": None,
    }
    day = (policy or Policy()).assessed_on
    out = []
    for i, row in enumerate(rows):
        row = dict(row)
        born = row.pop("born", None)
        if born:
            row["date_of_birth"] = dt.date.fromisoformat(born)
            row["age"] = age_on(row["date_of_birth"], day)
        out.append({"pupil_id": f"P{i + 1:03d}", **base, **row})
    return pd.DataFrame(out)


@dataclass(frozen=True)
class Case:
    """One pupil: age, school attended, walking metres to the schools named, expected outcome.

    `road` gives road metres where they differ from walking; `schools` edits school columns.
    """

    age: int
    school: str
    walk: dict[str, float]
    code: str
    pupil: dict = field(default_factory=dict)
    policy: dict = field(default_factory=dict)
    road: dict[str, float] = field(default_factory=dict)
    schools: dict[str, dict] = field(default_factory=dict)

    @property
    def eligible(self) -> bool:
        return self.code in ELIGIBLE_CODES_BY_HAND

    def distances_row(self) -> list[float]:
        return [self.walk.get(urn, FAR) for urn in URNS]

    def road_row(self) -> list[float]:
        return [self.road.get(urn, self.walk.get(urn, FAR)) for urn in URNS]


#: Written out by hand from outcomes.py's sentences, not imported, so the mapping is checked too.
ELIGIBLE_CODES_BY_HAND = {
    "SEND_MOBILITY", "POST16_SEND", "UNSAFE_ROUTE", "DISTANCE_UNDER_8", "DISTANCE_8_PLUS", "POST16_DISTANCE",
    "LOW_INCOME_PRIMARY", "LOW_INCOME_SECONDARY", "LOW_INCOME_RELIGIOUS", "NO_PLACE_AT_NEARER_SCHOOL",
    "ADULT_LEARNER_19_25", "SEND_PRESUMED_DISCRETIONARY", "RECEPTION_DISCRETIONARY",
}

FOUR_SECONDARIES = {SECONDARY_1: miles(1.0), SECONDARY_2: miles(2.5), SECONDARY_3: miles(5.0), SECONDARY_4: miles(5.5)}
NEAR_SECONDARIES = {SECONDARY_1: miles(1.0), SECONDARY_2: miles(1.5), SECONDARY_3: miles(2.0), SECONDARY_4: miles(2.5)}
PLAN = {"ehcp": True, "send_need": "ASD"}
CANNOT_WALK = {"cannot_walk": True}
RC = {"low_income": True, "religion_preference": "Roman Catholic"}
HALF_METRE = 0.5

CASES = [
    # --- paras 2-3: statutory walking distance, under 8 more than 2 miles, 8 and over more than 3 miles
    pytest.param(Case(7, PRIMARY, {PRIMARY: miles(2)}, "WITHIN_WALKING_DISTANCE"),
                 id="sch35B_para3_aged_7_walking_exactly_2_miles_is_not_more_than_the_limit"),
    pytest.param(Case(7, PRIMARY, {PRIMARY: miles(2) + HALF_METRE}, "DISTANCE_UNDER_8"),
                 id="sch35B_para3_aged_7_walking_2_miles_and_half_a_metre_is_more_than_the_limit"),
    pytest.param(Case(7, PRIMARY, {PRIMARY: miles(2) + DISTANCE_TOLERANCE_M}, "DISTANCE_UNDER_8"),
                 id="sch35B_para3_aged_7_walking_2_miles_and_1_metre_tolerance_goes_the_childs_way"),
    pytest.param(Case(5, PRIMARY, {PRIMARY: miles(1)}, "WITHIN_WALKING_DISTANCE"),
                 id="sch35B_para3_aged_5_walking_1_mile_is_not_eligible"),
    pytest.param(Case(7, PRIMARY, {PRIMARY: miles(2.5)}, "DISTANCE_UNDER_8"),
                 id="sch35B_para3_aged_7_walking_2_5_miles_is_eligible"),
    pytest.param(Case(8, PRIMARY, {PRIMARY: miles(2.5)}, "WITHIN_WALKING_DISTANCE"),
                 id="sch35B_para3_aged_8_walking_2_5_miles_is_not_eligible"),
    pytest.param(Case(8, PRIMARY, {PRIMARY: miles(3)}, "WITHIN_WALKING_DISTANCE"),
                 id="sch35B_para3_aged_8_walking_exactly_3_miles_is_not_more_than_the_limit"),
    pytest.param(Case(8, PRIMARY, {PRIMARY: miles(3) + HALF_METRE}, "DISTANCE_8_PLUS"),
                 id="sch35B_para3_aged_8_walking_3_miles_and_half_a_metre_is_eligible"),
    pytest.param(Case(15, SECONDARY_1, {SECONDARY_1: miles(3) + 5}, "DISTANCE_8_PLUS"),
                 id="sch35B_para3_aged_15_is_of_compulsory_age_and_eligible_over_3_miles"),
    # --- paras 2-5: the nearest suitable school (phase, type, sex, a place, not refused)
    pytest.param(Case(6, PRIMARY_2, {PRIMARY: miles(1), PRIMARY_2: miles(2.5)}, "NOT_NEAREST_SUITABLE"),
                 id="sch35B_para3_aged_6_attending_a_further_school_by_preference_is_not_eligible"),
    pytest.param(Case(9, PRIMARY_2, {PRIMARY: miles(3.5), PRIMARY_2: miles(4)}, "NOT_NEAREST_SUITABLE"),
                 id="sch35B_para3_aged_9_at_a_further_school_is_not_eligible_even_when_the_nearest_is_beyond_3_miles"),
    pytest.param(Case(6, PRIMARY_2, {PRIMARY: miles(0.5), PRIMARY_2: miles(1.5)}, "WITHIN_WALKING_DISTANCE"),
                 id="sch35B_para3_aged_6_at_a_further_school_within_2_miles_is_within_walking_distance"),
    pytest.param(Case(6, PRIMARY_2, {PRIMARY: miles(2.5) - 0.5, PRIMARY_2: miles(2.5)}, "DISTANCE_UNDER_8"),
                 id="sch35B_para3_aged_6_at_a_school_tied_within_a_metre_with_the_nearest_is_eligible"),
    pytest.param(Case(6, PRIMARY_2, {PRIMARY: miles(2.5) - 2, PRIMARY_2: miles(2.5)}, "NOT_NEAREST_SUITABLE"),
                 id="sch35B_para3_aged_6_at_a_school_2_metres_further_than_the_nearest_is_not_eligible"),
    pytest.param(Case(6, PRIMARY_2, {PRIMARY: miles(1), PRIMARY_2: miles(2.5)}, "DISTANCE_UNDER_8",
                      policy={"nearest_suitable_school_rule": False}),
                 id="local_policy_aged_6_at_a_further_school_is_eligible_when_the_council_drops_the_nearest_rule"),
    pytest.param(Case(6, PRIMARY, {PRIMARY: miles(2.5), SECONDARY_1: miles(0.5), SPECIAL: miles(0.5)}, "DISTANCE_UNDER_8"),
                 id="sch35B_para3_secondary_and_special_schools_are_not_suitable_for_a_mainstream_primary_pupil"),
    pytest.param(Case(6, PRIMARY, {PRIMARY: miles(2.5), ALL_THROUGH: miles(1)}, "NOT_NEAREST_SUITABLE"),
                 id="sch35B_para3_a_nearer_all_through_school_is_suitable_for_a_primary_pupil"),
    pytest.param(Case(6, PRIMARY_2, {PRIMARY: miles(1), PRIMARY_2: miles(2.5)}, "NO_PLACE_AT_NEARER_SCHOOL",
                      schools={PRIMARY: {"places": 0.0}}),
                 id="sch35B_para3_a_nearer_school_with_no_place_is_not_available"),
    pytest.param(Case(6, PRIMARY_2, {PRIMARY: miles(1), PRIMARY_2: miles(2.5)}, "NO_PLACE_AT_NEARER_SCHOOL",
                      pupil={"refused_at": PRIMARY}),
                 id="sch35B_para3_a_nearer_school_that_refused_the_pupil_is_not_available"),
    pytest.param(Case(6, PRIMARY_2, {PRIMARY: miles(1), PRIMARY_2: miles(1.5)}, "WITHIN_WALKING_DISTANCE",
                      pupil={"refused_at": PRIMARY}),
                 id="sch35B_para3_refused_at_a_nearer_school_and_within_walking_distance_is_not_eligible"),
    pytest.param(Case(12, SECONDARY_1, {BOYS: miles(1), SECONDARY_1: miles(4)}, "DISTANCE_8_PLUS", pupil={"sex": "F"}),
                 id="sch35B_para3_a_nearer_boys_school_is_not_suitable_for_a_girl"),
    pytest.param(Case(12, SECONDARY_1, {BOYS: miles(1), SECONDARY_1: miles(4)}, "NOT_NEAREST_SUITABLE", pupil={"sex": "M"}),
                 id="sch35B_para3_a_nearer_boys_school_is_suitable_for_a_boy"),
    pytest.param(Case(12, SECONDARY_1, {BOYS: miles(1), SECONDARY_1: miles(4)}, "DISTANCE_8_PLUS"),
                 id="sch35B_para3_a_single_sex_school_never_counts_as_nearer_when_the_pupils_sex_is_not_known"),
    pytest.param(Case(12, SECONDARY_1, {SECONDARY_2: float("nan"), SECONDARY_1: miles(4)}, "DISTANCE_8_PLUS"),
                 id="sch35B_para3_a_school_whose_route_was_not_measured_is_not_taken_as_nearer"),
    pytest.param(Case(12, SECONDARY_1, {SECONDARY_1: float("nan")}, "ROUTE_NOT_MEASURED"),
                 id="sch35B_para3_a_school_attended_beyond_the_network_is_reported_not_guessed"),
    # --- paras 2 and 6: SEN, disability or mobility, by an individual assessment; an EHC plan alone is not eligibility
    pytest.param(Case(9, PRIMARY, {PRIMARY: miles(0.2)}, "SEND_MOBILITY", pupil={**PLAN, **CANNOT_WALK}),
                 id="sch35B_para2_assessed_unable_to_walk_living_0_2_miles_away_is_eligible"),
    pytest.param(Case(9, PRIMARY, {PRIMARY: miles(0.2)}, "SEND_ASSESSMENT_NEEDED", pupil=PLAN),
                 id="sch35B_para2_ehc_plan_and_no_assessment_is_not_eligible_yet"),
    pytest.param(Case(9, PRIMARY, {PRIMARY: miles(1)}, "WITHIN_WALKING_DISTANCE", pupil={**PLAN, "cannot_walk": False}),
                 id="sch35B_para2_ehc_plan_assessed_able_to_walk_is_assessed_on_distance"),
    pytest.param(Case(9, PRIMARY, {PRIMARY: miles(3) + HALF_METRE}, "DISTANCE_8_PLUS", pupil=PLAN),
                 id="sch35B_para3_ehc_plan_not_yet_assessed_but_over_3_miles_is_eligible_on_distance"),
    pytest.param(Case(9, PRIMARY, {PRIMARY: miles(0.2)}, "SEND_PRESUMED_DISCRETIONARY", pupil=PLAN,
                      policy={"presume_ehcp_cannot_walk": True}),
                 id="local_policy_ehc_plan_presumed_unable_to_walk_is_a_discretionary_decision"),
    pytest.param(Case(9, PRIMARY, {PRIMARY: miles(0.2)}, "SEND_MOBILITY", pupil={**PLAN, **CANNOT_WALK},
                      policy={"presume_ehcp_cannot_walk": True}),
                 id="sch35B_para2_an_assessment_wins_over_the_local_presumption"),
    pytest.param(Case(12, SECONDARY_1, {SECONDARY_1: 100.0}, "SEND_ASSESSMENT_NEEDED", pupil={"wheelchair": True}),
                 id="sch35B_para2_wheelchair_user_not_yet_assessed_needs_an_assessment"),
    pytest.param(Case(12, SECONDARY_1, {SECONDARY_1: 100.0}, "SEND_MOBILITY", pupil={"wheelchair": True, **CANNOT_WALK}),
                 id="sch35B_para2_wheelchair_user_assessed_unable_to_walk_100_metres_away_is_eligible"),
    pytest.param(Case(9, PRIMARY, {PRIMARY: miles(1)}, "WITHIN_WALKING_DISTANCE", pupil={"send_need": "ASD"}),
                 id="sch35B_para2_autism_only_and_no_plan_is_assessed_on_distance"),
    pytest.param(Case(9, PRIMARY, {PRIMARY: miles(1)}, "WITHIN_WALKING_DISTANCE", pupil={"wheelchair": True, **CANNOT_WALK},
                      policy={"send_eligible_regardless_of_distance": False}),
                 id="local_policy_wheelchair_user_is_assessed_on_distance_when_the_policy_says_so"),
    pytest.param(Case(13, SECONDARY_4, {**FOUR_SECONDARIES, SECONDARY_4: miles(9)}, "SEND_NOT_NEAREST_SUITABLE",
                      pupil={"send_need": "PD", **CANNOT_WALK}),
                 id="sch35B_para2_mobility_need_and_no_plan_at_the_fourth_nearest_school_9_miles_away_is_not_eligible"),
    pytest.param(Case(10, SPECIAL, {SPECIAL: miles(4), PRIMARY: miles(1)}, "SEND_MOBILITY", pupil={**PLAN, **CANNOT_WALK}),
                 id="guidance_the_school_named_in_the_plan_is_the_nearest_suitable_school"),
    pytest.param(Case(10, SPECIAL, {SPECIAL: miles(4), PRIMARY: miles(1)}, "DISTANCE_8_PLUS",
                      pupil={**PLAN, "cannot_walk": False}),
                 id="guidance_plan_naming_a_special_school_4_miles_away_is_eligible_on_distance"),
    pytest.param(Case(10, SPECIAL, {SPECIAL: miles(4), PRIMARY: miles(1)}, "NOT_NEAREST_SUITABLE"),
                 id="sch35B_para3_pupil_without_a_plan_at_a_special_school_is_held_to_the_nearest_rule"),
    pytest.param(Case(10, SPECIAL, {SPECIAL: miles(4), SPECIAL_2: miles(2), PRIMARY: miles(1)}, "PARENTAL_PREFERENCE",
                      pupil={"ehcp": True, "send_need": "PMLD", **CANNOT_WALK, "named_on_preference": True}),
                 id="guidance_plan_named_at_parents_preference_with_a_nearer_suitable_special_school_is_not_eligible"),
    pytest.param(Case(10, SPECIAL, {SPECIAL: miles(4), SPECIAL_2: miles(2), PRIMARY: miles(1)}, "SEND_MOBILITY",
                      pupil={**PLAN, **CANNOT_WALK, "named_on_preference": True}),
                 id="guidance_a_nearer_special_school_that_does_not_meet_the_need_is_not_suitable"),
    pytest.param(Case(10, PRIMARY_2, {PRIMARY: miles(1), PRIMARY_2: miles(3.5)}, "PARENTAL_PREFERENCE",
                      pupil={**PLAN, "named_on_preference": True}),
                 id="guidance_mainstream_school_named_at_parents_preference_is_not_eligible_on_distance"),
    pytest.param(Case(10, PRIMARY_2, {PRIMARY: miles(4), PRIMARY_2: miles(3.5)}, "DISTANCE_8_PLUS",
                      pupil={**PLAN, "cannot_walk": False, "named_on_preference": True}),
                 id="guidance_named_at_preference_but_no_nearer_suitable_school_is_decided_as_usual"),
    # --- paras 2-5: unsafe walking route, only to the nearest suitable school
    pytest.param(Case(9, PRIMARY, {PRIMARY: miles(0.5)}, "UNSAFE_ROUTE", pupil={"unsafe_route": True}),
                 id="sch35B_para2_unsafe_route_of_half_a_mile_to_the_nearest_school_is_eligible"),
    pytest.param(Case(9, PRIMARY_2, {PRIMARY: miles(0.5), PRIMARY_2: miles(1)}, "NOT_NEAREST_SUITABLE",
                      pupil={"unsafe_route": True}),
                 id="sch35B_para2_unsafe_route_to_a_school_that_is_not_the_nearest_is_not_nearest_suitable"),
    pytest.param(Case(9, PRIMARY, {PRIMARY: miles(0.5)}, "WITHIN_WALKING_DISTANCE", pupil={"unsafe_route": True},
                      policy={"unsafe_route_qualifies": False}),
                 id="local_policy_unsafe_route_does_not_qualify_when_the_policy_turns_it_off"),
    # --- para 9: extended rights, low income, 8 to 10, nearest suitable school more than 2 miles
    pytest.param(Case(8, PRIMARY, {PRIMARY: miles(2.5)}, "LOW_INCOME_PRIMARY", pupil={"low_income": True}),
                 id="sch35B_para9_low_income_aged_8_nearest_school_2_5_miles_away_is_eligible"),
    pytest.param(Case(10, PRIMARY, {PRIMARY: miles(2)}, "WITHIN_WALKING_DISTANCE", pupil={"low_income": True}),
                 id="sch35B_para9_low_income_aged_10_walking_exactly_2_miles_is_not_eligible"),
    pytest.param(Case(10, PRIMARY, {PRIMARY: miles(2) + HALF_METRE}, "LOW_INCOME_PRIMARY", pupil={"low_income": True}),
                 id="sch35B_para9_low_income_aged_10_walking_2_miles_and_half_a_metre_is_eligible"),
    pytest.param(Case(9, PRIMARY_2, {PRIMARY: miles(1), PRIMARY_2: miles(2.5)}, "WITHIN_WALKING_DISTANCE",
                      pupil={"low_income": True}),
                 id="sch35B_para9_low_income_aged_9_at_a_further_school_2_5_miles_away_is_not_eligible"),
    pytest.param(Case(7, PRIMARY, {PRIMARY: miles(1.9)}, "WITHIN_WALKING_DISTANCE", pupil={"low_income": True}),
                 id="sch35B_para9_low_income_aged_7_has_no_extended_right"),
    # --- para 11: low income, 11 to 16, one of the three nearest suitable schools, over 2 and not more than 6 miles
    pytest.param(Case(11, SECONDARY_1, {SECONDARY_1: miles(2.5)}, "LOW_INCOME_SECONDARY", pupil={"low_income": True}),
                 id="sch35B_para11_low_income_aged_11_at_nearest_school_2_5_miles_away_is_eligible"),
    pytest.param(Case(12, SECONDARY_1, {SECONDARY_1: miles(2)}, "WITHIN_WALKING_DISTANCE", pupil={"low_income": True}),
                 id="sch35B_para11_low_income_aged_12_walking_exactly_2_miles_is_not_eligible"),
    pytest.param(Case(13, SECONDARY_2, FOUR_SECONDARIES, "LOW_INCOME_SECONDARY", pupil={"low_income": True}),
                 id="sch35B_para11_low_income_aged_13_at_second_nearest_school_is_eligible"),
    pytest.param(Case(13, SECONDARY_3, FOUR_SECONDARIES, "LOW_INCOME_SECONDARY", pupil={"low_income": True}),
                 id="sch35B_para11_low_income_aged_13_at_third_nearest_school_5_miles_away_is_eligible"),
    pytest.param(Case(13, SECONDARY_4, FOUR_SECONDARIES, "NOT_NEAREST_SUITABLE", pupil={"low_income": True}),
                 id="sch35B_para11_low_income_aged_13_at_fourth_nearest_school_is_not_eligible"),
    pytest.param(Case(13, SECONDARY_3, FOUR_SECONDARIES, "NOT_NEAREST_SUITABLE"),
                 id="sch35B_para11_not_on_low_income_at_third_nearest_school_is_not_eligible"),
    pytest.param(Case(15, SECONDARY_2, {SECONDARY_1: miles(1), SECONDARY_2: miles(6)}, "LOW_INCOME_SECONDARY",
                      pupil={"low_income": True}),
                 id="sch35B_para11_low_income_school_exactly_6_miles_by_road_is_not_more_than_the_limit"),
    pytest.param(Case(15, SECONDARY_2, {SECONDARY_1: miles(1), SECONDARY_2: miles(5.5)}, "LOW_INCOME_SECONDARY",
                      pupil={"low_income": True}, road={SECONDARY_2: miles(6) + DISTANCE_TOLERANCE_M}),
                 id="sch35B_para11_low_income_6_miles_and_1_metre_by_road_tolerance_goes_the_childs_way"),
    pytest.param(Case(15, SECONDARY_2, {SECONDARY_1: miles(1), SECONDARY_2: miles(5.5)}, "NOT_NEAREST_SUITABLE",
                      pupil={"low_income": True}, road={SECONDARY_2: miles(6) + 5}),
                 id="sch35B_para11_low_income_walking_5_5_miles_but_6_miles_and_5_metres_by_road_is_not_eligible"),
    pytest.param(Case(15, SECONDARY_2, {SECONDARY_1: miles(1), SECONDARY_2: miles(5.5)}, "LOW_INCOME_SECONDARY",
                      pupil={"low_income": True}, road={SECONDARY_2: miles(6) + 5},
                      policy={"extended_rights_upper_measure": "walk"}),
                 id="sch35B_para11_low_income_upper_limit_walked_when_the_policy_measures_it_on_foot"),
    # --- para 12: low income, religion or belief, nearest school of that character, over 2 and not more than 15 miles
    pytest.param(Case(14, CATHOLIC, {**NEAR_SECONDARIES, CATHOLIC: miles(10)}, "LOW_INCOME_RELIGIOUS", pupil=RC),
                 id="sch35B_para12_low_income_aged_14_at_nearest_catholic_school_10_miles_away_is_eligible"),
    pytest.param(Case(14, CATHOLIC, {**NEAR_SECONDARIES, CATHOLIC: miles(15)}, "LOW_INCOME_RELIGIOUS", pupil=RC),
                 id="sch35B_para12_low_income_nearest_catholic_school_exactly_15_miles_away_is_eligible"),
    pytest.param(Case(14, CATHOLIC, {**NEAR_SECONDARIES, CATHOLIC: miles(15) + 5}, "NOT_NEAREST_SUITABLE", pupil=RC),
                 id="sch35B_para12_low_income_catholic_school_15_miles_and_5_metres_away_is_not_eligible"),
    pytest.param(Case(14, CATHOLIC, {**NEAR_SECONDARIES, CATHOLIC: miles(14.5)}, "NOT_NEAREST_SUITABLE", pupil=RC,
                      road={CATHOLIC: miles(15.2)}),
                 id="sch35B_para12_low_income_walking_14_5_miles_but_15_2_by_road_is_not_eligible"),
    pytest.param(Case(14, CATHOLIC, {**NEAR_SECONDARIES, CATHOLIC: miles(10), CATHOLIC_2: miles(8)}, "NOT_NEAREST_SUITABLE",
                      pupil=RC),
                 id="sch35B_para12_low_income_passing_a_nearer_catholic_school_is_not_eligible"),
    pytest.param(Case(14, CATHOLIC, {**NEAR_SECONDARIES, CATHOLIC: miles(10), CATHOLIC_2: miles(8)}, "LOW_INCOME_RELIGIOUS",
                      pupil={**RC, "refused_at": CATHOLIC_2}),
                 id="sch35B_para12_a_nearer_catholic_school_that_refused_the_pupil_does_not_count"),
    pytest.param(Case(14, CATHOLIC, {**NEAR_SECONDARIES, CATHOLIC: miles(10)}, "NOT_NEAREST_SUITABLE",
                      pupil={"religion_preference": "Roman Catholic"}),
                 id="sch35B_para12_not_on_low_income_at_catholic_school_is_not_eligible"),
    pytest.param(Case(14, CATHOLIC, {**NEAR_SECONDARIES, CATHOLIC: miles(10)}, "NOT_NEAREST_SUITABLE",
                      pupil={"low_income": True}),
                 id="sch35B_para12_low_income_with_no_stated_religion_or_belief_is_not_eligible"),
    pytest.param(Case(14, SECONDARY_4, {**NEAR_SECONDARIES, SECONDARY_4: miles(10)}, "NOT_NEAREST_SUITABLE", pupil=RC),
                 id="sch35B_para12_a_preferred_school_without_that_religious_character_is_not_accepted"),
    # --- s8 and discretion: compulsory school age; Reception
    pytest.param(Case(4, PRIMARY, {PRIMARY: miles(2.5)}, "RECEPTION_DISCRETIONARY"),
                 id="s8_reception_aged_4_over_2_miles_is_a_discretionary_decision_when_reception_is_included"),
    pytest.param(Case(4, PRIMARY, {PRIMARY: miles(1)}, "WITHIN_WALKING_DISTANCE"),
                 id="s8_reception_aged_4_within_2_miles_is_within_walking_distance"),
    pytest.param(Case(4, PRIMARY, {PRIMARY: miles(2.5)}, "BELOW_COMPULSORY_AGE", policy={"include_reception": False}),
                 id="s8_reception_aged_4_is_below_compulsory_age_when_reception_is_excluded"),
    pytest.param(Case(3, PRIMARY, {PRIMARY: miles(5)}, "BELOW_COMPULSORY_AGE"),
                 id="s8_nursery_aged_3_is_below_compulsory_age"),
    pytest.param(Case(0, PRIMARY, {PRIMARY: miles(2.5)}, "DISTANCE_UNDER_8", pupil={"born": "2020-08-31"}),
                 id="s8_born_31_august_2020_is_of_compulsory_age_from_31_august_2025"),
    pytest.param(Case(0, PRIMARY, {PRIMARY: miles(2.5)}, "RECEPTION_DISCRETIONARY", pupil={"born": "2020-09-01"}),
                 id="s8_born_1_september_2020_is_5_on_1_september_but_compulsory_only_from_31_december"),
    # --- s509AA: the council's post-16 transport policy statement
    pytest.param(Case(16, COLLEGE, {COLLEGE: miles(1)}, "POST16_SEND", pupil={**PLAN, **CANNOT_WALK}),
                 id="s509AA_send_only_policy_student_assessed_unable_to_walk_is_eligible"),
    pytest.param(Case(16, COLLEGE, {COLLEGE: miles(1)}, "SEND_ASSESSMENT_NEEDED", pupil=PLAN),
                 id="s509AA_send_only_policy_plan_not_yet_assessed_needs_an_assessment"),
    pytest.param(Case(16, COLLEGE, {COLLEGE: miles(5)}, "POST16_NOT_COVERED"),
                 id="s509AA_send_only_policy_student_without_send_5_miles_away_is_not_covered"),
    pytest.param(Case(17, COLLEGE, {COLLEGE: miles(5)}, "POST16_NOT_COVERED", pupil={**PLAN, **CANNOT_WALK},
                      policy={"post16": "none"}),
                 id="s509AA_no_post16_transport_covers_nobody"),
    pytest.param(Case(16, COLLEGE, {COLLEGE: miles(3) + HALF_METRE}, "POST16_DISTANCE", policy={"post16": "distance"}),
                 id="s509AA_distance_policy_3_miles_and_half_a_metre_from_nearest_college_is_eligible"),
    pytest.param(Case(17, COLLEGE, {COLLEGE: miles(3)}, "POST16_NOT_COVERED", policy={"post16": "distance"}),
                 id="s509AA_distance_policy_exactly_3_miles_from_nearest_college_is_not_covered"),
    pytest.param(Case(16, COLLEGE_2, {COLLEGE: miles(1), COLLEGE_2: miles(8)}, "NOT_NEAREST_SUITABLE",
                      policy={"post16": "distance"}),
                 id="s509AA_distance_policy_student_at_a_further_college_is_not_eligible"),
    pytest.param(Case(16, COLLEGE, {SECONDARY_1: miles(1), COLLEGE: miles(4)}, "POST16_DISTANCE",
                      policy={"post16": "distance"}),
                 id="s509AA_an_11_to_16_school_is_not_post16_provision_so_the_college_is_the_nearest"),
    pytest.param(Case(16, COLLEGE, {SECONDARY_1: miles(1), COLLEGE: miles(4)}, "NOT_NEAREST_SUITABLE",
                      policy={"post16": "distance"}, schools={SECONDARY_1: {"sixth_form": True}}),
                 id="s509AA_a_nearer_school_sixth_form_is_post16_provision"),
    pytest.param(Case(17, SECONDARY_2, {SECONDARY_2: miles(4), COLLEGE: miles(5)}, "POST16_DISTANCE",
                      policy={"post16": "distance"}),
                 id="s509AA_the_school_a_student_attends_offers_post16_even_when_the_file_does_not_say_so"),
    pytest.param(Case(16, COLLEGE, {COLLEGE: miles(2)}, "POST16_NOT_COVERED", pupil={**PLAN, **CANNOT_WALK},
                      policy={"post16_send_min_miles": 3}),
                 id="s509AA_send_only_over_3_miles_policy_student_2_miles_away_is_not_covered"),
    pytest.param(Case(16, COLLEGE, {COLLEGE: miles(3) + HALF_METRE}, "POST16_SEND", pupil={**PLAN, **CANNOT_WALK},
                      policy={"post16_send_min_miles": 3}),
                 id="s509AA_send_only_over_3_miles_policy_student_just_over_3_miles_away_is_eligible"),
    # --- s508F: adult learners aged 19 to 25 with an EHC plan
    pytest.param(Case(20, COLLEGE, {COLLEGE: miles(2)}, "ADULT_LEARNER_19_25", pupil={**PLAN, **CANNOT_WALK}),
                 id="s508F_adult_learner_aged_20_with_a_plan_assessed_as_needing_transport_is_eligible"),
    pytest.param(Case(20, COLLEGE, {COLLEGE: miles(2)}, "SEND_ASSESSMENT_NEEDED", pupil=PLAN),
                 id="s508F_adult_learner_with_a_plan_not_yet_assessed_needs_an_assessment"),
    pytest.param(Case(20, COLLEGE, {COLLEGE: miles(8)}, "POST16_NOT_COVERED"),
                 id="s508F_adult_learner_without_a_plan_is_not_covered"),
]


def _schools_for(cases: list[Case]) -> pd.DataFrame:
    schools = SCHOOLS.copy()
    for case in cases:
        for urn, edits in case.schools.items():
            for column, value in edits.items():
                schools.loc[schools["urn"] == urn, column] = value
    return schools


def _decide_cases(cases: list[Case], policy: Policy) -> pd.DataFrame:
    pupils = pupils_frame([{"age": c.age, "school_urn": c.school, **c.pupil} for c in cases], policy)
    metres = np.array([c.distances_row() for c in cases], dtype=float).reshape(len(cases), len(URNS))
    road = np.array([c.road_row() for c in cases], dtype=float).reshape(len(cases), len(URNS))
    distances = WalkDistances(metres=metres, school_urns=URNS, road_metres=road)
    return decide(pupils, _schools_for(cases), distances, policy)


@pytest.mark.parametrize("case", CASES)
def test_statutory_outcome(case: Case) -> None:
    out = _decide_cases([case], Policy(**case.policy)).iloc[0]
    assert (out["reason_code"], bool(out["eligible"])) == (case.code, case.eligible)


def test_every_reason_code_is_covered_by_the_table() -> None:
    covered = {p.values[0].code for p in CASES}
    assert covered == set(ELIGIBILITY_REASONS)


def test_every_case_is_named_after_the_law_it_tests() -> None:
    prefixes = ("sch35B_para", "s8_", "s509AA_", "s508F_", "guidance_", "local_policy_")
    assert [p.id for p in CASES if not p.id.startswith(prefixes)] == []


def test_eligible_codes_are_exactly_the_ones_a_parent_is_told_are_eligible() -> None:
    said_eligible = {code for code, text in ELIGIBILITY_REASONS.items() if text.startswith("Eligible")}
    assert said_eligible == set(ELIGIBLE_CODES) == ELIGIBLE_CODES_BY_HAND


def test_discretionary_decisions_say_so_to_the_parent() -> None:
    assert all("discretionary" in ELIGIBILITY_REASONS[c] or "post-16" in ELIGIBILITY_REASONS[c] for c in DISCRETIONARY_CODES)


def test_many_pupils_decided_together_match_one_at_a_time() -> None:
    """Row i of the distances is pupil i: a batch must not mix pupils up."""
    default = [p.values[0] for p in CASES if not p.values[0].policy and not p.values[0].schools]
    out = _decide_cases(default, Policy())
    assert list(out["reason_code"]) == [c.code for c in default]


# ------------------------------------------------------------------ age by date: birthdays in the year

BIRTHDAYS = [
    # born, walk miles, low income, (code on 1 Sep 2025, changes_on, code after, eligible after)
    pytest.param("2017-10-15", 2.5, False, ("DISTANCE_UNDER_8", "2025-10-15", "WITHIN_WALKING_DISTANCE", False),
                 id="sch35B_para3_8th_birthday_in_october_ends_the_under_8_distance_right"),
    pytest.param("2017-10-15", 3.5, False, ("DISTANCE_UNDER_8", "2025-10-15", "DISTANCE_8_PLUS", True),
                 id="sch35B_para3_8th_birthday_over_3_miles_changes_the_ground_not_the_right"),
    pytest.param("2017-10-15", 2.5, True, ("DISTANCE_UNDER_8", "2025-10-15", "LOW_INCOME_PRIMARY", True),
                 id="sch35B_para9_8th_birthday_on_low_income_keeps_the_right_on_extended_grounds"),
    pytest.param("2014-11-20", 2.5, True, ("LOW_INCOME_PRIMARY", "2025-11-20", "LOW_INCOME_SECONDARY", True),
                 id="sch35B_para11_11th_birthday_of_a_year_6_pupil_moves_the_right_to_the_11_to_16_band"),
    pytest.param("2014-11-20", 6.5, True, ("DISTANCE_8_PLUS", "", "", None),
                 id="sch35B_para11_11th_birthday_beyond_6_miles_keeps_the_distance_right"),
    pytest.param("2020-10-15", 2.5, False, ("RECEPTION_DISCRETIONARY", "2025-12-31", "DISTANCE_UNDER_8", True),
                 id="s8_reception_pupil_becomes_of_compulsory_age_on_31_december_after_the_5th_birthday"),
    pytest.param("2010-03-01", 4.0, False, ("DISTANCE_8_PLUS", "2026-06-27", "POST16_NOT_COVERED", False),
                 id="s8_compulsory_school_age_ends_on_the_last_friday_in_june_of_year_11"),
    pytest.param("2016-03-01", 4.0, False, ("DISTANCE_8_PLUS", "", "", None),
                 id="sch35B_para3_no_birthday_in_the_year_changes_the_decision"),
]


@pytest.mark.parametrize(("born", "walk", "low_income", "expected"), BIRTHDAYS)
def test_a_birthday_in_the_school_year_dates_the_change_and_gives_the_decision_after(
        born: str, walk: float, low_income: bool, expected: tuple) -> None:
    school = PRIMARY if born > "2014-09-01" else SECONDARY_1
    case = Case(0, school, {school: miles(walk)}, "", pupil={"born": born, "low_income": low_income})
    out = _decide_cases([case], Policy()).iloc[0]
    after = None if out["eligible_after"] is None or out["eligible_after"] != out["eligible_after"] else bool(out["eligible_after"])
    assert (out["reason_code"], out["changes_on"], out["reason_code_after"], after) == expected


def test_11th_birthday_opens_the_three_nearest_schools_right_to_a_year_6_pupil_at_the_second_nearest() -> None:
    case = Case(0, PRIMARY_2, {PRIMARY: miles(1), PRIMARY_2: miles(2.5)}, "", pupil={"born": "2014-11-20", "low_income": True})
    out = _decide_cases([case], Policy()).iloc[0]
    assert (out["reason_code"], out["changes_on"], out["reason_code_after"]) == (
        "WITHIN_WALKING_DISTANCE", "2025-11-20", "LOW_INCOME_SECONDARY")


def test_one_reason_for_not_being_eligible_giving_way_to_another_is_not_a_change() -> None:
    """Year 11 within walking distance: after the last Friday in June they are over compulsory age, still not eligible."""
    case = Case(0, SECONDARY_1, {SECONDARY_1: miles(1)}, "", pupil={"born": "2010-03-01"})
    out = _decide_cases([case], Policy()).iloc[0]
    assert (out["reason_code"], out["changes_on"], out["reason_code_after"]) == ("WITHIN_WALKING_DISTANCE", "", "")


def test_include_reception_off_makes_a_reception_pupil_eligible_only_from_compulsory_school_age() -> None:
    case = Case(0, PRIMARY, {PRIMARY: miles(2.5)}, "", pupil={"born": "2020-10-15"})
    out = _decide_cases([case], Policy(include_reception=False)).iloc[0]
    year = np.busday_count(dt.date(2025, 9, 1), dt.date(2026, 8, 1))
    share = np.busday_count(dt.date(2025, 12, 31), dt.date(2026, 8, 1)) / year
    assert (out["reason_code"], out["changes_on"], out["reason_code_after"], out["eligible_share_of_year"]) == (
        "BELOW_COMPULSORY_AGE", "2025-12-31", "DISTANCE_UNDER_8", round(share, 4))


@pytest.mark.parametrize(("born", "share"), [("2017-10-15", (dt.date(2025, 10, 15), True)), ("2016-03-01", None)])
def test_share_of_the_year_counts_the_weekdays_before_the_change(born: str, share) -> None:
    """Eligible under 8 at 2.5 miles until the 8th birthday: the share is the weekdays before it."""
    case = Case(0, PRIMARY, {PRIMARY: miles(2.5)}, "", pupil={"born": born})
    out = _decide_cases([case], Policy()).iloc[0]
    year = np.busday_count(dt.date(2025, 9, 1), dt.date(2026, 8, 1))
    expected = 0.0 if share is None else round(np.busday_count(dt.date(2025, 9, 1), share[0]) / year, 4)
    assert out["eligible_share_of_year"] == expected


def test_a_later_assessment_date_takes_the_age_on_it_and_counts_the_rest_of_the_year() -> None:
    policy = Policy(assessment_date=dt.date(2026, 1, 5))
    case = Case(0, PRIMARY, {PRIMARY: miles(2.5)}, "", pupil={"born": "2018-03-10"})
    out = _decide_cases([case], policy).iloc[0]
    year = np.busday_count(dt.date(2025, 9, 1), dt.date(2026, 8, 1))
    before = np.busday_count(dt.date(2026, 1, 5), dt.date(2026, 3, 10))
    assert (out["age"], out["assessed_on"], out["changes_on"], out["eligible_share_of_year"]) == (
        7, "2026-01-05", "2026-03-10", round(before / year, 4))


def test_an_assessment_date_outside_the_academic_year_is_refused() -> None:
    with pytest.raises(ValueError, match="outside the academic year"):
        Policy(academic_year_start=2025, assessment_date=dt.date(2025, 8, 31))


# ------------------------------------------------------------------ sentences, columns, actions


@pytest.mark.parametrize(
    ("age", "walk_m", "text"),
    [
        (6, miles(2.5), "more than 2 miles (2.50 miles)"),
        (9, miles(3) + 5, "more than 3 miles (3.00 miles)"),
        (9, miles(1.25), "walking distance of 3 miles (1.25 miles)"),
        (6, miles(1.75), "walking distance of 2 miles (1.75 miles)"),
    ],
)
def test_reason_sentence_gives_the_limit_and_the_miles_walked(age: int, walk_m: float, text: str) -> None:
    out = _decide_cases([Case(age, PRIMARY, {PRIMARY: walk_m}, "")], Policy()).iloc[0]
    assert text in out["reason"]


def test_reason_sentence_for_low_income_names_the_three_nearest_and_both_measures() -> None:
    case = Case(13, SECONDARY_2, FOUR_SECONDARIES, "", pupil={"low_income": True}, road={SECONDARY_2: miles(2.75)})
    reason = _decide_cases([case], Policy()).iloc[0]["reason"]
    assert (f"({SECONDARY_1}, {SECONDARY_2}, {SECONDARY_3})" in reason, "walking (2.50 miles)" in reason,
            "road route (2.75 miles)" in reason) == (True, True, True)


def test_not_nearest_sentence_names_the_nearer_school_and_its_miles() -> None:
    case = Case(6, PRIMARY_2, {PRIMARY: miles(1), PRIMARY_2: miles(2.5)}, "")
    assert f"({PRIMARY}, 1.00 miles)" in _decide_cases([case], Policy()).iloc[0]["reason"]


def test_below_compulsory_age_sentence_gives_the_age_on_the_assessment_date() -> None:
    case = Case(3, PRIMARY, {PRIMARY: miles(5)}, "")
    assert "(3 on 1 September 2025)" in _decide_cases([case], Policy()).iloc[0]["reason"]


@pytest.mark.parametrize(("low_income", "text"), [(False, "contributes £500 a year"), (True, "")])
def test_post16_sentence_states_the_contribution_unless_exempt(low_income: bool, text: str) -> None:
    case = Case(16, COLLEGE, {COLLEGE: miles(5)}, "", pupil={"low_income": low_income})
    reason = _decide_cases([case], Policy(post16="distance", post16_contribution_gbp_per_year=500)).iloc[0]["reason"]
    assert reason.startswith("Eligible") and (text in reason if text else "contributes" not in reason)


def test_output_reports_the_walk_the_nearest_suitable_school_and_the_decisive_routes() -> None:
    case = Case(6, PRIMARY_2, {PRIMARY: miles(1), PRIMARY_2: miles(2.5), ALL_THROUGH: miles(1.5)}, "")
    out = _decide_cases([case], Policy()).iloc[0]
    assert (out["walk_distance_m"], out["walk_distance_miles"], out["nearest_suitable_urn"],
            out["nearest_suitable_distance_m"], out["decisive_urns"]) == (
        round(miles(2.5), 1), 2.5, PRIMARY, round(miles(1), 1), f"{PRIMARY_2};{PRIMARY}")


def test_extended_rights_decisive_routes_are_the_three_nearest_schools() -> None:
    case = Case(13, SECONDARY_3, FOUR_SECONDARIES, "", pupil={"low_income": True})
    assert _decide_cases([case], Policy()).iloc[0]["decisive_urns"] == f"{SECONDARY_3};{SECONDARY_1};{SECONDARY_2}"


@pytest.mark.parametrize(
    ("pupil", "door_to_door"),
    [({"wheelchair": True}, True), ({"ehcp": True}, False), ({"ehcp": True, "cannot_walk": True}, True),
     ({"ehcp": True, "cannot_walk": False}, False), ({"send_need": "VI"}, True), ({"passenger_assistant": True}, True),
     ({"low_income": True}, False)],
)
def test_door_to_door_comes_from_the_assessment_and_the_needs_not_the_plan_alone(pupil: dict, door_to_door: bool) -> None:
    out = _decide_cases([Case(9, PRIMARY, {PRIMARY: miles(4)}, "", pupil=pupil)], Policy()).iloc[0]
    assert bool(out["door_to_door"]) is door_to_door


def test_presumed_plans_are_collected_door_to_door() -> None:
    case = Case(9, PRIMARY, {PRIMARY: miles(0.5)}, "", pupil={"ehcp": True})
    assert bool(_decide_cases([case], Policy(presume_ehcp_cannot_walk=True)).iloc[0]["door_to_door"])


def test_officers_are_given_an_action_for_each_decision_that_waits_for_them() -> None:
    cases = [Case(9, PRIMARY, {PRIMARY: miles(0.2)}, "", pupil=PLAN), Case(9, PRIMARY, {PRIMARY: miles(4)}, ""),
             Case(12, SECONDARY_1, {SECONDARY_1: float("nan")}, "")]
    todo = actions(_decide_cases(cases, Policy()))
    assert (todo["pupil_id"].tolist(), todo["reason_code"].tolist(), todo["action"].str.len().gt(20).all()) == (
        ["P001", "P003"], ["SEND_ASSESSMENT_NEEDED", "ROUTE_NOT_MEASURED"], True)


def test_summary_counts_pupils_by_reason_eligible_first() -> None:
    cases = [Case(6, PRIMARY, {PRIMARY: miles(2.5)}, ""), Case(6, PRIMARY, {PRIMARY: miles(3)}, ""),
             Case(6, PRIMARY, {PRIMARY: miles(1)}, "")]
    summary = summarise(_decide_cases(cases, Policy()))
    assert summary[["eligible", "reason_code", "pupils"]].values.tolist() == [
        [True, "DISTANCE_UNDER_8", 2], [False, "WITHIN_WALKING_DISTANCE", 1]
    ]


def test_no_pupils_gives_an_empty_table_with_the_usual_columns() -> None:
    no_pupils = pupils_frame([{"age": 6, "school_urn": PRIMARY}]).iloc[:0]
    out = decide(no_pupils, SCHOOLS, WalkDistances(metres=np.zeros((0, len(URNS))), school_urns=URNS), Policy())
    assert {"pupil_id", "eligible", "reason_code", "reason", "walk_distance_m", "changes_on"} <= set(out.columns)


def test_low_income_pupil_aged_9_at_either_of_two_equally_near_schools_2_5_miles_away_is_eligible() -> None:
    case = Case(9, PRIMARY_2, {PRIMARY: miles(2.5), PRIMARY_2: miles(2.5)}, "LOW_INCOME_PRIMARY",
                pupil={"low_income": True})
    assert _decide_cases([case], Policy()).iloc[0]["reason_code"] == "LOW_INCOME_PRIMARY"


def test_places_count_the_pupils_of_the_file_at_the_school() -> None:
    """A school with 2 places and 2 pupils of the file is full for a third pupil nearer to it."""
    cases = [Case(6, PRIMARY, {PRIMARY: miles(0.5)}, ""), Case(6, PRIMARY, {PRIMARY: miles(0.5)}, ""),
             Case(6, PRIMARY_2, {PRIMARY: miles(1), PRIMARY_2: miles(2.5)}, "", schools={PRIMARY: {"places": 2.0}})]
    assert _decide_cases(cases, Policy()).iloc[2]["reason_code"] == "NO_PLACE_AT_NEARER_SCHOOL"


# ------------------------------------------------------------------ end to end on the town

BLOCK_M = MILE  # every block of the fixture town is one mile
SCALE = BLOCK_M / 100.0


def _at(x_blocks: float, y_blocks: float) -> tuple[float, float]:
    return lat_lon(x_blocks * BLOCK_M, y_blocks * BLOCK_M)


def _node(name: str) -> tuple[float, float]:
    x, y = NODES[name]
    return lat_lon(x * SCALE, y * SCALE)


def _great_circle(p: tuple[float, float], q: tuple[float, float]) -> float:
    """osmnx's haversine (R = 6,371,009 m) between two (lat, lon) points."""
    (la1, lo1), (la2, lo2) = (tuple(map(math.radians, p)), tuple(map(math.radians, q)))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def _route(*points: str | tuple[float, float]) -> float:
    """Length of a route through junctions (by name) or points, leg by leg.

    Legs are measured between the fixture's own coordinates: the north row is about 0.5 m
    per mile shorter than the south row (the fixture places every row's longitudes at the
    origin's latitude), which matters at 1 m precision when blocks are a mile.
    """
    pts = [_node(p) if isinstance(p, str) else p for p in points]
    return sum(_great_circle(a, b) for a, b in zip(pts[:-1], pts[1:], strict=True))


@pytest.fixture(scope="module")
def mile_town(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_town(tmp_path_factory.mktemp("mile-town"), BLOCK_M)


@pytest.fixture(scope="module")
def mile_walk(mile_town: Path):
    return load_network(mile_town, "walk")


def _schools_at(places: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """{urn: (junction, phase)} -> a schools table."""
    rows = [(urn, f"School at {node}", *_node(node), phase) for urn, (node, phase) in places.items()]
    frame = pd.DataFrame(rows, columns=["urn", "name", "lat", "lon", "phase"])
    return frame.assign(type="mainstream", start_s=31500, finish_s=54900, religious_character="", places=300.0,
                        sen_places=0.0, needs_served="")


def _pupils_at(rows: list[tuple[tuple[float, float], int, str]]) -> pd.DataFrame:
    return pupils_frame([{"lat": lat, "lon": lon, "age": age, "school_urn": urn} for (lat, lon), age, urn in rows])


def test_walking_distances_on_the_town_match_the_routes_worked_out_by_hand(mile_walk) -> None:
    schools = _schools_at({PRIMARY: ("A", "primary")})
    mid_ef = _at(1.5, 1)
    pupils = _pupils_at([(_node("C"), 7, PRIMARY), (_node("F"), 7, PRIMARY), (_node("E"), 7, PRIMARY), (mid_ef, 6, PRIMARY)])
    by_hand = [
        _route("A", "B", "C"),
        min(_route("A", "B", "C", "F"), _route("A", "D", "E", "F"), _route("A", "B", "E", "F")),
        min(_route("A", "D", "E"), _route("A", "B", "E")),
        min(_route("A", "D", "E", mid_ef), _route("A", "B", "E", mid_ef)),
    ]
    measured = walk_distances(pupils, schools, mile_walk).metres[:, 0]
    assert measured == pytest.approx(by_hand, abs=1.0)


def test_town_pupils_are_assessed_on_the_walking_route(mile_walk) -> None:
    """School at A. C is 2 miles, F 3 miles, halfway along E-F 2.5 miles."""
    schools = _schools_at({PRIMARY: ("A", "primary")})
    pupils = _pupils_at([
        (_node("C"), 7, PRIMARY),  # exactly 2 miles, under 8: not more than 2 miles
        (_node("F"), 7, PRIMARY),  # 3 miles, under 8
        (_node("F"), 8, PRIMARY),  # 3 miles (1 m short), aged 8: not more than 3 miles
        (_at(1.5, 1), 6, PRIMARY),  # 2.5 miles, under 8
    ])
    out = assess_eligibility(pupils, schools, mile_walk, Policy())
    assert list(out["reason_code"]) == ["WITHIN_WALKING_DISTANCE", "DISTANCE_UNDER_8", "WITHIN_WALKING_DISTANCE",
                                        "DISTANCE_UNDER_8"]


def test_town_pupil_walks_the_footway_that_cars_cannot_use(mile_town: Path, mile_walk) -> None:
    """School at B, pupil at E: 1 mile over School Path on foot, 3 miles by road (B-A-D-E)."""
    schools = _schools_at({PRIMARY_2: ("B", "primary")})
    pupils = _pupils_at([(_node("E"), 6, PRIMARY_2)])
    out = assess_eligibility(pupils, schools, mile_walk, Policy()).iloc[0]
    (lat_b, lon_b), (lat_e, lon_e) = _node("B"), _node("E")
    by_road = travel_matrices(load_network(mile_town, "drive"), [lat_b, lat_e], [lon_b, lon_e], weight="length").distance_m[0, 1]
    assert (out["walk_distance_m"], out["reason_code"], round(by_road / MILE, 2)) == (
        pytest.approx(_route("B", "E"), abs=1.0), "WITHIN_WALKING_DISTANCE", 3.0
    )


def test_town_pupil_at_a_further_school_is_not_eligible(mile_walk) -> None:
    """Schools at A and B; a pupil aged 6 at F attends A (3 miles) though B is 2 miles."""
    schools = _schools_at({PRIMARY: ("A", "primary"), PRIMARY_2: ("B", "primary")})
    pupils = _pupils_at([(_node("F"), 6, PRIMARY), (_node("F"), 6, PRIMARY_2)])
    out = assess_eligibility(pupils, schools, mile_walk, Policy())
    assert out[["reason_code", "nearest_suitable_urn"]].values.tolist() == [
        ["NOT_NEAREST_SUITABLE", PRIMARY_2], ["WITHIN_WALKING_DISTANCE", PRIMARY_2]
    ]


def test_walking_route_geojson_writes_the_footway_as_a_linestring(mile_walk, tmp_path: Path) -> None:
    home, school = _node("E"), _node("B")
    path = walking_route_geojson(mile_walk, home, school, {"pupil_id": "P001"}, tmp_path / "route.geojson")
    feature = json.loads(path.read_text(encoding="utf-8"))["features"][0]
    coords = feature["geometry"]["coordinates"]
    # the footway runs due south from E to B, so every point has B's (and E's) longitude (to 7 cm)
    assert (feature["geometry"]["type"], feature["properties"], coords[0], coords[-1], {round(c[0], 6) for c in coords}) == (
        "LineString", {"pupil_id": "P001"}, [home[1], home[0]], [school[1], school[0]], {round(school[1], 6)}
    )


def test_walking_route_geojson_draws_the_route_that_was_measured(mile_walk, tmp_path: Path) -> None:
    """Home on North Street 0.4 miles east of D: 1.4 miles to A via D; the nearest graph node is E."""
    home, school = _at(0.4, 1), _node("A")
    schools = _schools_at({PRIMARY: ("A", "primary")})
    measured = walk_distances(_pupils_at([(home, 6, PRIMARY)]), schools, mile_walk).metres[0, 0]
    path = walking_route_geojson(mile_walk, home, school, {}, tmp_path / "route.geojson")
    coords = json.loads(path.read_text(encoding="utf-8"))["features"][0]["geometry"]["coordinates"]
    drawn = sum(_great_circle((a[1], a[0]), (b[1], b[0])) for a, b in zip(coords[:-1], coords[1:], strict=True))
    assert (round(measured / MILE, 2), drawn) == (1.4, pytest.approx(measured, abs=5.0))


# ------------------------------------------------------------------ the command line, on a hand-made file

def _cli(*args: str, cwd: Path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "TRANSPORT_DATA_DIR"}
    return subprocess.run([sys.executable, "-m", "transport.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def _write_eligibility_case(folder: Path, pupil_edits: dict[tuple[int, str], str] | None = None) -> Path:
    """The mile town: primaries at A and C, a post-16 college at F, and a school far beyond the network.

    Pupils (assessed on 5 January 2026): P1 at F attends A (3 miles, 1 m short) after C refused them,
    aged 7 until 10 March 2026; P2 has a plan and no assessment; P3 attends the school beyond the
    network (decided on estimated distances: a nearer primary exists, and an officer is asked to
    measure); P4 has a plan and is assessed unable to walk.
    """
    from tests.osm_fixture import town_xml

    (folder / "town.osm").write_text(town_xml(block_m=MILE), encoding="utf-8")
    a, c, f = _node("A"), _node("C"), _node("F")
    pd.DataFrame([
        {"urn": "910001", "name": "A Primary", "lat": a[0], "lon": a[1], "phase": "primary", "type": "mainstream"},
        {"urn": "910002", "name": "C Primary", "lat": c[0], "lon": c[1], "phase": "primary", "type": "mainstream"},
        {"urn": "910003", "name": "F College", "lat": f[0], "lon": f[1], "phase": "post-16", "type": "mainstream"},
        {"urn": "910004", "name": "Over The Border Primary", "lat": 52.9, "lon": -1.2, "phase": "primary",
         "type": "mainstream"},
    ]).assign(start_time="08:50", finish_time="15:15", sex="mixed", sixth_form="").to_csv(folder / "schools.csv", index=False)
    rows = [
        {"pupil_id": "P1", "at": "F", "date_of_birth": "2018-03-10", "school_urn": "910001", "refused_at": "910002", "sex": "F"},
        {"pupil_id": "P2", "at": "A", "date_of_birth": "2017-05-01", "school_urn": "910001", "ehcp": "yes", "send_need": "ASD"},
        {"pupil_id": "P3", "at": "A", "date_of_birth": "2017-05-01", "school_urn": "910004"},
        {"pupil_id": "P4", "at": "D", "date_of_birth": "2016-05-01", "school_urn": "910001", "ehcp": "yes", "cannot_walk": "yes",
         "named_on_preference": "no", "send_need": "PD"},
    ]
    frame = pd.DataFrame([{**r, "lat": _node(r["at"])[0], "lon": _node(r["at"])[1]} for r in rows]).drop(columns="at")
    frame = frame.reindex(columns=["pupil_id", "lat", "lon", "date_of_birth", "school_urn", "ehcp", "cannot_walk",
                                   "named_on_preference", "sex", "refused_at", "religion_preference", "send_need"]).astype(object).fillna("")
    for (row, column), text in (pupil_edits or {}).items():
        frame.loc[row - 2, column] = text
    frame.to_csv(folder / "pupils.csv", index=False)
    pd.DataFrame([{"vehicle_type": "taxi", "seats": 4, "wheelchair_spaces": 0, "daily_price_gbp": 40, "price_per_mile_gbp": 2.0,
                   "available": 5}]).to_csv(folder / "vehicles.csv", index=False)
    (folder / "scenario.toml").write_text(
        'name = "mile-town"\n[data]\nnetwork = "town.osm"\nschools = "schools.csv"\npupils = "pupils.csv"\n'
        'vehicles = "vehicles.csv"\ncontracts = ""\n[policy]\nacademic_year_start = 2025\nassessment_date = 2026-01-05\n',
        encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def eligibility_run(tmp_path_factory: pytest.TempPathFactory):
    folder = _write_eligibility_case(tmp_path_factory.mktemp("cli-eligibility"))
    done = _cli("eligibility", "scenario.toml", "--out", "out", "--explain", "P1", cwd=folder)
    return folder, done


def test_a_hand_made_pupils_file_with_the_new_columns_runs_through_transport_eligibility(eligibility_run) -> None:
    folder, done = eligibility_run
    out = pd.read_csv(folder / "out" / "eligibility.csv", dtype={"school_urn": str}, keep_default_na=False)
    got = out.set_index("pupil_id")[["age", "assessed_on", "reason_code", "changes_on", "reason_code_after"]]
    assert (done.returncode, got.to_dict("index")) == (0, {
        "P1": {"age": 7, "assessed_on": "2026-01-05", "reason_code": "NO_PLACE_AT_NEARER_SCHOOL", "changes_on": "2026-03-10",
               "reason_code_after": "WITHIN_WALKING_DISTANCE"},
        "P2": {"age": 8, "assessed_on": "2026-01-05", "reason_code": "SEND_ASSESSMENT_NEEDED", "changes_on": "",
               "reason_code_after": ""},
        "P3": {"age": 8, "assessed_on": "2026-01-05", "reason_code": "NOT_NEAREST_SUITABLE", "changes_on": "",
               "reason_code_after": ""},
        "P4": {"age": 9, "assessed_on": "2026-01-05", "reason_code": "SEND_MOBILITY", "changes_on": "", "reason_code_after": ""},
    })


def test_transport_eligibility_lists_the_decisions_waiting_for_an_officer(eligibility_run) -> None:
    folder, _ = eligibility_run
    todo = pd.read_csv(folder / "out" / "eligibility_actions.csv")
    assert todo[["pupil_id", "reason_code"]].values.tolist() == [["P2", "SEND_ASSESSMENT_NEEDED"], ["P3", "ROUTE_ESTIMATED"]]


def test_explain_draws_the_decisive_routes_and_names_the_points_and_the_date_of_change(eligibility_run) -> None:
    folder, done = eligibility_run
    features = json.loads((folder / "out" / "walking_route_P1.geojson").read_text(encoding="utf-8"))["features"]
    drawn = {f["properties"]["school_urn"]: f["properties"]["walk_distance_m"] for f in features}
    assert (sorted(drawn), drawn["910002"] == pytest.approx(_route("F", "C"), abs=1.0),
            "Home measured from" in done.stdout, "School 910002 (C Primary" in done.stdout,
            "From 2026-03-10" in done.stdout) == (["910001", "910002"], True, True, True, True)


@pytest.mark.parametrize(
    ("edits", "row", "column"),
    [
        pytest.param({(3, "cannot_walk"): "maybe"}, 3, "cannot_walk", id="cannot_walk_not_yes_or_no"),
        pytest.param({(2, "named_on_preference"): "mum chose"}, 2, "named_on_preference", id="named_on_preference_not_yes_or_no"),
        pytest.param({(4, "refused_at"): "999999"}, 4, "refused_at", id="refused_at_unknown_school"),
        pytest.param({(2, "sex"): "unknown"}, 2, "sex", id="sex_not_f_or_m"),
        pytest.param({(5, "religion_preference"): "Jedi"}, 5, "religion_preference", id="religion_no_school_has"),
        pytest.param({(2, "date_of_birth"): "2018-13-01"}, 2, "date_of_birth", id="date_of_birth_not_a_date"),
    ],
)
def test_bad_values_in_the_new_columns_exit_2_with_file_row_and_column(tmp_path: Path, edits: dict, row: int,
                                                                       column: str) -> None:
    folder = _write_eligibility_case(tmp_path, edits)
    done = _cli("eligibility", "scenario.toml", "--out", "out", cwd=folder)
    assert (done.returncode, f"pupils.csv row {row}, column '{column}'" in done.stderr, "Traceback" in done.stderr) == (
        2, True, False), done.stderr


@pytest.mark.parametrize(("measure", "expected"), [("road", miles(2.75)), ("walk", miles(2.5))])
def test_upper_distance_is_the_route_the_policy_measures_upper_limits_by(measure: str, expected: float) -> None:
    case = Case(13, SECONDARY_2, FOUR_SECONDARIES, "", pupil={"low_income": True}, road={SECONDARY_2: miles(2.75)})
    out = _decide_cases([case], Policy(extended_rights_upper_measure=measure)).iloc[0]
    assert out["upper_distance_m"] == round(expected, 1)


def test_upper_distance_is_left_empty_where_the_road_route_was_not_measured() -> None:
    pupils = pupils_frame([{"age": 13, "school_urn": SECONDARY_1}])
    metres = np.array([Case(13, SECONDARY_1, {SECONDARY_1: miles(3.5)}, "").distances_row()])
    out = decide(pupils, SCHOOLS, WalkDistances(metres=metres, school_urns=URNS, road_metres=np.full_like(metres, np.nan)),
                 Policy()).iloc[0]
    assert (out["reason_code"], math.isnan(out["upper_distance_m"])) == ("DISTANCE_8_PLUS", True)


def test_transport_eligibility_reports_a_school_beyond_the_network_by_urn(eligibility_run) -> None:
    _, done = eligibility_run
    assert "beyond the network" in done.stderr and "910004" in done.stderr


def test_an_assessment_date_outside_the_academic_year_exits_2_naming_the_setting(tmp_path: Path) -> None:
    folder = _write_eligibility_case(tmp_path)
    text = (folder / "scenario.toml").read_text(encoding="utf-8").replace("2026-01-05", "2024-01-05")
    (folder / "scenario.toml").write_text(text, encoding="utf-8")
    done = _cli("eligibility", "scenario.toml", "--out", "out", cwd=folder)
    assert (done.returncode, "assessment_date 2024-01-05 is outside the academic year" in done.stderr,
            "Traceback" in done.stderr) == (2, True, False)
