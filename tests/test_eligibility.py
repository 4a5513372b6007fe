"""Statutory eligibility (Education Act 1996 Sch 35B), checked by hand.

Each row of the table is one pupil with hand-set walking distances to the schools of a
small made-up area, and the reason code a transport officer would give by hand. Every
school not named in a row is 40 miles away, so it never affects "nearest". Ages are at 31
August. 1 mile = 1609.344 m; a route within 1 m of a limit counts as "not more than" it.

The end-to-end tests build the fixture town with 1-mile blocks and measure routes on it.
"""

from __future__ import annotations

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
    assess_eligibility,
    decide,
    summarise,
    walk_distances,
    walking_route_geojson,
)
from transport.matrix import travel_matrices
from transport.network import load_network
from transport.outcomes import ELIGIBILITY_REASONS, ELIGIBLE_CODES
from transport.policy import Policy

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
SPECIAL = "300001"
COLLEGE = "400001"
COLLEGE_2 = "400002"

SCHOOLS = pd.DataFrame(
    [
        # urn, name, phase, type, religious_character
        (PRIMARY, "Brook Primary", "primary", "mainstream", ""),
        (PRIMARY_2, "Hill Primary", "primary", "mainstream", ""),
        (ALL_THROUGH, "Castle All-through", "all-through", "mainstream", ""),
        (SECONDARY_1, "North Academy", "secondary", "mainstream", ""),
        (SECONDARY_2, "South Academy", "secondary", "mainstream", ""),
        (SECONDARY_3, "East Academy", "secondary", "mainstream", ""),
        (SECONDARY_4, "West Academy", "secondary", "mainstream", ""),
        (CATHOLIC, "St Mary's Catholic", "secondary", "mainstream", "Roman Catholic"),
        (CATHOLIC_2, "St Joseph's Catholic", "secondary", "mainstream", "Roman Catholic"),
        (SPECIAL, "Oak Special School", "all-through", "special", ""),
        (COLLEGE, "Town Sixth Form College", "post-16", "mainstream", ""),
        (COLLEGE_2, "County College", "post-16", "mainstream", ""),
    ],
    columns=["urn", "name", "phase", "type", "religious_character"],
).assign(lat=52.66, lon=-0.73, start_s=31500, finish_s=54900, places=500.0, sen_places=0.0, needs_served="")
URNS = list(SCHOOLS["urn"])


def miles(x: float) -> float:
    return x * MILE


def pupils_frame(rows: list[dict]) -> pd.DataFrame:
    """Pupils as `read_pupils` returns them; rows give the fields that matter."""
    base = {
        "lat": 52.66, "lon": -0.73, "ehcp": False, "wheelchair": False, "passenger_assistant": False,
        "travel_alone": False, "low_income": False, "unsafe_route": False, "send_need": "", "max_ride_minutes": None,
        "religious_preference_urn": "", "avoid_with": "",
    }
    frame = pd.DataFrame([{"pupil_id": f"P{i + 1:03d}", **base, **row} for i, row in enumerate(rows)])
    columns = ["pupil_id", "lat", "lon", "age", "school_urn", "ehcp", "wheelchair", "passenger_assistant", "travel_alone",
               "low_income", "unsafe_route", "send_need", "max_ride_minutes", "religious_preference_urn", "avoid_with"]
    return frame[columns]


@dataclass(frozen=True)
class Case:
    """One pupil: age, school attended, walking metres to the schools named, expected outcome."""

    age: int
    school: str
    walk: dict[str, float]
    code: str
    pupil: dict = field(default_factory=dict)
    policy: dict = field(default_factory=dict)

    @property
    def eligible(self) -> bool:
        return self.code in ELIGIBLE_CODES_BY_HAND

    def distances_row(self) -> list[float]:
        return [self.walk.get(urn, FAR) for urn in URNS]


#: Written out by hand from outcomes.py's sentences, not imported, so the mapping is checked too.
ELIGIBLE_CODES_BY_HAND = {
    "SEND_MOBILITY", "POST16_SEND", "UNSAFE_ROUTE", "DISTANCE_UNDER_8", "DISTANCE_8_PLUS", "POST16_DISTANCE",
    "LOW_INCOME_PRIMARY", "LOW_INCOME_SECONDARY", "LOW_INCOME_RELIGIOUS",
}

FOUR_SECONDARIES = {SECONDARY_1: miles(1.0), SECONDARY_2: miles(2.5), SECONDARY_3: miles(5.0), SECONDARY_4: miles(5.5)}
NEAR_SECONDARIES = {SECONDARY_1: miles(1.0), SECONDARY_2: miles(1.5), SECONDARY_3: miles(2.0), SECONDARY_4: miles(2.5)}

CASES = [
    # --- statutory walking distance: under 8, more than 2 miles to the nearest suitable school
    pytest.param(Case(7, PRIMARY, {PRIMARY: miles(2)}, "WITHIN_WALKING_DISTANCE"),
                 id="pupil_aged_7_walking_exactly_2_miles_is_not_eligible"),
    pytest.param(Case(7, PRIMARY, {PRIMARY: miles(2) + DISTANCE_TOLERANCE_M}, "WITHIN_WALKING_DISTANCE"),
                 id="pupil_aged_7_walking_2_miles_and_1_metre_is_within_the_measuring_tolerance"),
    pytest.param(Case(7, PRIMARY, {PRIMARY: miles(2) + 5}, "DISTANCE_UNDER_8"),
                 id="pupil_aged_7_walking_2_miles_and_5_metres_is_eligible"),
    pytest.param(Case(5, PRIMARY, {PRIMARY: miles(1)}, "WITHIN_WALKING_DISTANCE"),
                 id="pupil_aged_5_walking_1_mile_is_not_eligible"),
    pytest.param(Case(7, PRIMARY, {PRIMARY: miles(2.5)}, "DISTANCE_UNDER_8"),
                 id="pupil_aged_7_at_31_august_walking_2_5_miles_is_eligible"),
    # --- statutory walking distance: 8 and over, more than 3 miles
    pytest.param(Case(8, PRIMARY, {PRIMARY: miles(2.5)}, "WITHIN_WALKING_DISTANCE"),
                 id="pupil_aged_8_at_31_august_walking_2_5_miles_is_not_eligible"),
    pytest.param(Case(8, PRIMARY, {PRIMARY: miles(2.9)}, "WITHIN_WALKING_DISTANCE"),
                 id="pupil_aged_8_walking_2_9_miles_is_not_eligible"),
    pytest.param(Case(8, PRIMARY, {PRIMARY: miles(3)}, "WITHIN_WALKING_DISTANCE"),
                 id="pupil_aged_8_walking_exactly_3_miles_is_not_eligible"),
    pytest.param(Case(8, PRIMARY, {PRIMARY: miles(3) + 5}, "DISTANCE_8_PLUS"),
                 id="pupil_aged_8_walking_3_miles_and_5_metres_is_eligible"),
    pytest.param(Case(14, SECONDARY_1, {SECONDARY_1: miles(3)}, "WITHIN_WALKING_DISTANCE"),
                 id="pupil_aged_14_walking_exactly_3_miles_is_not_eligible"),
    pytest.param(Case(15, SECONDARY_1, {SECONDARY_1: miles(3) + 5}, "DISTANCE_8_PLUS"),
                 id="pupil_aged_15_is_of_compulsory_age_and_eligible_over_3_miles"),
    # --- nearest suitable school
    pytest.param(Case(6, PRIMARY_2, {PRIMARY: miles(1), PRIMARY_2: miles(2.5)}, "NOT_NEAREST_SUITABLE"),
                 id="pupil_aged_6_attending_a_further_school_by_preference_is_not_eligible"),
    pytest.param(Case(9, PRIMARY_2, {PRIMARY: miles(3.5), PRIMARY_2: miles(4)}, "NOT_NEAREST_SUITABLE"),
                 id="pupil_aged_9_at_a_further_school_is_not_eligible_even_when_the_nearest_is_beyond_3_miles"),
    pytest.param(Case(6, PRIMARY_2, {PRIMARY: miles(0.5), PRIMARY_2: miles(1.5)}, "WITHIN_WALKING_DISTANCE"),
                 id="pupil_aged_6_at_a_further_school_within_2_miles_is_within_walking_distance"),
    pytest.param(Case(6, PRIMARY_2, {PRIMARY: miles(2.5) - 0.5, PRIMARY_2: miles(2.5)}, "DISTANCE_UNDER_8"),
                 id="pupil_aged_6_at_a_school_tied_within_a_metre_with_the_nearest_is_eligible"),
    pytest.param(Case(6, PRIMARY_2, {PRIMARY: miles(1), PRIMARY_2: miles(2.5)}, "DISTANCE_UNDER_8",
                      policy={"nearest_suitable_school_rule": False}),
                 id="pupil_aged_6_at_a_further_school_is_eligible_when_the_council_drops_the_nearest_rule"),
    pytest.param(Case(6, PRIMARY, {PRIMARY: miles(2.5), SECONDARY_1: miles(0.5), SPECIAL: miles(0.5)}, "DISTANCE_UNDER_8"),
                 id="secondary_and_special_schools_are_not_suitable_for_a_mainstream_primary_pupil"),
    pytest.param(Case(6, PRIMARY, {PRIMARY: miles(2.5), ALL_THROUGH: miles(1)}, "NOT_NEAREST_SUITABLE"),
                 id="a_nearer_all_through_school_is_suitable_for_a_primary_pupil"),
    pytest.param(Case(10, SPECIAL, {SPECIAL: miles(4), PRIMARY: miles(1)}, "DISTANCE_8_PLUS",
                      pupil={"ehcp": True}, policy={"ehcp_qualifies": False}),
                 id="pupil_with_ehcp_at_special_school_is_exempt_from_the_nearest_rule"),
    pytest.param(Case(10, SPECIAL, {SPECIAL: miles(4), PRIMARY: miles(1)}, "NOT_NEAREST_SUITABLE"),
                 id="pupil_without_ehcp_at_special_school_is_held_to_the_nearest_rule"),
    # --- SEND, disability or mobility: cannot reasonably be expected to walk, whatever the distance
    pytest.param(Case(9, PRIMARY, {PRIMARY: miles(0.2)}, "SEND_MOBILITY", pupil={"ehcp": True}),
                 id="pupil_with_ehcp_living_0_2_miles_away_is_eligible"),
    pytest.param(Case(12, SECONDARY_1, {SECONDARY_1: 100.0}, "SEND_MOBILITY", pupil={"wheelchair": True}),
                 id="wheelchair_user_living_100_metres_away_is_eligible"),
    pytest.param(Case(9, PRIMARY, {PRIMARY: miles(1)}, "SEND_MOBILITY", pupil={"send_need": "ASD;PD"}),
                 id="pupil_with_physical_disability_and_no_ehcp_is_eligible"),
    pytest.param(Case(9, PRIMARY, {PRIMARY: miles(1)}, "WITHIN_WALKING_DISTANCE", pupil={"send_need": "ASD"}),
                 id="pupil_with_autism_only_and_no_ehcp_is_assessed_on_distance"),
    pytest.param(Case(9, PRIMARY, {PRIMARY: miles(1)}, "WITHIN_WALKING_DISTANCE", pupil={"ehcp": True},
                      policy={"ehcp_qualifies": False}),
                 id="pupil_with_ehcp_is_assessed_on_distance_when_the_policy_does_not_count_every_ehcp"),
    pytest.param(Case(9, PRIMARY, {PRIMARY: miles(1)}, "WITHIN_WALKING_DISTANCE", pupil={"wheelchair": True},
                      policy={"send_eligible_regardless_of_distance": False}),
                 id="wheelchair_user_is_assessed_on_distance_when_the_policy_says_so"),
    # --- unsafe route to the nearest suitable school, whatever the distance
    pytest.param(Case(9, PRIMARY, {PRIMARY: miles(0.5)}, "UNSAFE_ROUTE", pupil={"unsafe_route": True}),
                 id="pupil_aged_9_with_an_unsafe_route_of_half_a_mile_is_eligible"),
    pytest.param(Case(9, PRIMARY_2, {PRIMARY: miles(0.5), PRIMARY_2: miles(1)}, "WITHIN_WALKING_DISTANCE",
                      pupil={"unsafe_route": True}),
                 id="unsafe_route_to_a_school_that_is_not_the_nearest_does_not_qualify"),
    pytest.param(Case(9, PRIMARY, {PRIMARY: miles(0.5)}, "WITHIN_WALKING_DISTANCE", pupil={"unsafe_route": True},
                      policy={"unsafe_route_qualifies": False}),
                 id="unsafe_route_does_not_qualify_when_the_policy_turns_it_off"),
    # --- extended rights, low income, 8 to 10: nearest suitable school more than 2 miles
    pytest.param(Case(8, PRIMARY, {PRIMARY: miles(2.5)}, "LOW_INCOME_PRIMARY", pupil={"low_income": True}),
                 id="low_income_pupil_aged_8_with_nearest_suitable_school_2_5_miles_away_is_eligible"),
    pytest.param(Case(8, PRIMARY, {PRIMARY: miles(2.5)}, "WITHIN_WALKING_DISTANCE"),
                 id="pupil_aged_8_not_on_low_income_walking_2_5_miles_is_not_eligible"),
    pytest.param(Case(10, PRIMARY, {PRIMARY: miles(2)}, "WITHIN_WALKING_DISTANCE", pupil={"low_income": True}),
                 id="low_income_pupil_aged_10_walking_exactly_2_miles_is_not_eligible"),
    pytest.param(Case(10, PRIMARY, {PRIMARY: miles(2) + 5}, "LOW_INCOME_PRIMARY", pupil={"low_income": True}),
                 id="low_income_pupil_aged_10_walking_2_miles_and_5_metres_is_eligible"),
    pytest.param(Case(9, PRIMARY_2, {PRIMARY: miles(1), PRIMARY_2: miles(2.5)}, "WITHIN_WALKING_DISTANCE",
                      pupil={"low_income": True}),
                 id="low_income_pupil_aged_9_at_a_further_school_2_5_miles_away_is_not_eligible"),
    pytest.param(Case(7, PRIMARY, {PRIMARY: miles(1.9)}, "WITHIN_WALKING_DISTANCE", pupil={"low_income": True}),
                 id="low_income_pupil_aged_7_has_no_extended_right_under_2_miles"),
    # --- extended rights, low income, 11 to 15: one of the three nearest suitable schools, 2 to 6 miles
    pytest.param(Case(11, SECONDARY_1, {SECONDARY_1: miles(2.5)}, "LOW_INCOME_SECONDARY", pupil={"low_income": True}),
                 id="low_income_pupil_aged_11_at_nearest_school_2_5_miles_away_is_eligible"),
    pytest.param(Case(12, SECONDARY_1, {SECONDARY_1: miles(2)}, "WITHIN_WALKING_DISTANCE", pupil={"low_income": True}),
                 id="low_income_pupil_aged_12_walking_exactly_2_miles_is_not_eligible"),
    pytest.param(Case(13, SECONDARY_2, FOUR_SECONDARIES, "LOW_INCOME_SECONDARY", pupil={"low_income": True}),
                 id="low_income_pupil_aged_13_at_second_nearest_school_2_5_miles_away_is_eligible"),
    pytest.param(Case(13, SECONDARY_3, FOUR_SECONDARIES, "LOW_INCOME_SECONDARY", pupil={"low_income": True}),
                 id="low_income_pupil_aged_13_at_third_nearest_school_5_miles_away_is_eligible"),
    pytest.param(Case(13, SECONDARY_4, FOUR_SECONDARIES, "NOT_NEAREST_SUITABLE", pupil={"low_income": True}),
                 id="low_income_pupil_aged_13_at_fourth_nearest_school_5_5_miles_away_is_not_eligible"),
    pytest.param(Case(13, SECONDARY_3, FOUR_SECONDARIES, "NOT_NEAREST_SUITABLE"),
                 id="pupil_aged_13_not_on_low_income_at_third_nearest_school_is_not_eligible"),
    pytest.param(Case(15, SECONDARY_2, {SECONDARY_1: miles(1), SECONDARY_2: miles(6)}, "LOW_INCOME_SECONDARY",
                      pupil={"low_income": True}),
                 id="low_income_pupil_aged_15_at_second_nearest_school_exactly_6_miles_away_is_eligible"),
    pytest.param(Case(15, SECONDARY_2, {SECONDARY_1: miles(1), SECONDARY_2: miles(6) + 5}, "NOT_NEAREST_SUITABLE",
                      pupil={"low_income": True}),
                 id="low_income_pupil_aged_15_at_second_nearest_school_6_miles_and_5_metres_away_is_not_eligible"),
    # --- extended rights, low income, religion or belief: nearest such school, 2 to 15 miles
    pytest.param(Case(14, CATHOLIC, {**NEAR_SECONDARIES, CATHOLIC: miles(10)}, "LOW_INCOME_RELIGIOUS",
                      pupil={"low_income": True, "religious_preference_urn": CATHOLIC}),
                 id="low_income_pupil_aged_14_at_nearest_catholic_school_10_miles_away_is_eligible"),
    pytest.param(Case(14, CATHOLIC, {**NEAR_SECONDARIES, CATHOLIC: miles(15)}, "LOW_INCOME_RELIGIOUS",
                      pupil={"low_income": True, "religious_preference_urn": CATHOLIC}),
                 id="low_income_pupil_aged_14_at_nearest_catholic_school_exactly_15_miles_away_is_eligible"),
    pytest.param(Case(14, CATHOLIC, {**NEAR_SECONDARIES, CATHOLIC: miles(15) + 5}, "NOT_NEAREST_SUITABLE",
                      pupil={"low_income": True, "religious_preference_urn": CATHOLIC}),
                 id="low_income_pupil_aged_14_at_catholic_school_15_miles_and_5_metres_away_is_not_eligible"),
    pytest.param(Case(14, CATHOLIC, {**NEAR_SECONDARIES, CATHOLIC: miles(10), CATHOLIC_2: miles(8)}, "NOT_NEAREST_SUITABLE",
                      pupil={"low_income": True, "religious_preference_urn": CATHOLIC}),
                 id="low_income_pupil_aged_14_passing_a_nearer_catholic_school_is_not_eligible"),
    pytest.param(Case(14, CATHOLIC, {**NEAR_SECONDARIES, CATHOLIC: miles(10)}, "NOT_NEAREST_SUITABLE",
                      pupil={"religious_preference_urn": CATHOLIC}),
                 id="pupil_aged_14_not_on_low_income_at_catholic_school_10_miles_away_is_not_eligible"),
    pytest.param(Case(14, CATHOLIC, {**NEAR_SECONDARIES, CATHOLIC: miles(10)}, "NOT_NEAREST_SUITABLE",
                      pupil={"low_income": True}),
                 id="low_income_pupil_aged_14_with_no_stated_religious_preference_is_not_eligible"),
    # --- age: compulsory school age, reception
    pytest.param(Case(4, PRIMARY, {PRIMARY: miles(2.5)}, "DISTANCE_UNDER_8"),
                 id="reception_pupil_aged_4_walking_2_5_miles_is_eligible_when_reception_is_included"),
    pytest.param(Case(4, PRIMARY, {PRIMARY: miles(2.5)}, "BELOW_COMPULSORY_AGE", policy={"include_reception": False}),
                 id="reception_pupil_aged_4_is_below_compulsory_age_when_reception_is_excluded"),
    pytest.param(Case(4, PRIMARY, {PRIMARY: miles(0.5)}, "BELOW_COMPULSORY_AGE", pupil={"ehcp": True},
                      policy={"include_reception": False}),
                 id="reception_pupil_aged_4_with_ehcp_is_below_compulsory_age_when_reception_is_excluded"),
    pytest.param(Case(3, PRIMARY, {PRIMARY: miles(5)}, "BELOW_COMPULSORY_AGE"),
                 id="nursery_pupil_aged_3_is_below_compulsory_age"),
    # --- post-16: discretionary, one row per policy value
    pytest.param(Case(16, COLLEGE, {COLLEGE: miles(1)}, "POST16_SEND", pupil={"ehcp": True}),
                 id="post16_pupil_with_ehcp_is_eligible_under_send_only_policy"),
    pytest.param(Case(16, COLLEGE, {COLLEGE: miles(5)}, "POST16_NOT_COVERED"),
                 id="post16_pupil_without_send_5_miles_away_is_not_covered_by_send_only_policy"),
    pytest.param(Case(17, COLLEGE, {COLLEGE: miles(5)}, "POST16_NOT_COVERED", pupil={"ehcp": True},
                      policy={"post16": "none"}),
                 id="post16_pupil_with_ehcp_is_not_covered_when_the_policy_is_none"),
    pytest.param(Case(16, COLLEGE, {COLLEGE: miles(3) + 5}, "POST16_DISTANCE", policy={"post16": "distance"}),
                 id="post16_pupil_3_miles_and_5_metres_from_nearest_college_is_eligible_under_distance_policy"),
    pytest.param(Case(17, COLLEGE, {COLLEGE: miles(3)}, "POST16_NOT_COVERED", policy={"post16": "distance"}),
                 id="post16_pupil_exactly_3_miles_from_nearest_college_is_not_covered_under_distance_policy"),
    pytest.param(Case(16, COLLEGE_2, {COLLEGE: miles(1), COLLEGE_2: miles(8)}, "POST16_NOT_COVERED",
                      policy={"post16": "distance"}),
                 id="post16_pupil_at_a_further_college_is_not_covered_under_distance_policy"),
    pytest.param(Case(16, SECONDARY_1, {SECONDARY_1: miles(4), COLLEGE: miles(5)}, "POST16_DISTANCE",
                      policy={"post16": "distance"}),
                 id="post16_pupil_in_a_school_sixth_form_4_miles_away_is_eligible_under_distance_policy"),
]


def _decide_cases(cases: list[Case], policy: Policy) -> pd.DataFrame:
    pupils = pupils_frame([{"age": c.age, "school_urn": c.school, **c.pupil} for c in cases])
    metres = np.array([c.distances_row() for c in cases], dtype=float)
    return decide(pupils, SCHOOLS, WalkDistances(metres=metres, school_urns=URNS), policy)


@pytest.mark.parametrize("case", CASES)
def test_statutory_outcome(case: Case) -> None:
    out = _decide_cases([case], Policy(**case.policy)).iloc[0]
    assert (out["reason_code"], bool(out["eligible"])) == (case.code, case.eligible)


def test_every_reason_code_is_covered_by_the_table() -> None:
    covered = {p.values[0].code for p in CASES}
    assert covered == set(ELIGIBILITY_REASONS)


def test_eligible_codes_are_exactly_the_ones_a_parent_is_told_are_eligible() -> None:
    said_eligible = {code for code, text in ELIGIBILITY_REASONS.items() if text.startswith("Eligible")}
    assert said_eligible == set(ELIGIBLE_CODES) == ELIGIBLE_CODES_BY_HAND


def test_many_pupils_decided_together_match_one_at_a_time() -> None:
    """Row i of the distances is pupil i: a batch must not mix pupils up."""
    default = [p.values[0] for p in CASES if not p.values[0].policy]
    out = _decide_cases(default, Policy())
    assert list(out["reason_code"]) == [c.code for c in default]


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


def test_reason_sentence_for_low_income_gives_the_miles_walked() -> None:
    case = Case(13, SECONDARY_2, FOUR_SECONDARIES, "", pupil={"low_income": True})
    assert "(2.50 miles)" in _decide_cases([case], Policy()).iloc[0]["reason"]


def test_not_nearest_sentence_names_the_nearer_school_and_its_miles() -> None:
    case = Case(6, PRIMARY_2, {PRIMARY: miles(1), PRIMARY_2: miles(2.5)}, "")
    assert f"({PRIMARY}, 1.00 miles)" in _decide_cases([case], Policy()).iloc[0]["reason"]


def test_below_compulsory_age_sentence_gives_the_age() -> None:
    case = Case(3, PRIMARY, {PRIMARY: miles(5)}, "")
    assert "(3 at 31 August)" in _decide_cases([case], Policy()).iloc[0]["reason"]


def test_output_reports_the_walk_and_the_nearest_suitable_school() -> None:
    case = Case(6, PRIMARY_2, {PRIMARY: miles(1), PRIMARY_2: miles(2.5), ALL_THROUGH: miles(1.5)}, "")
    out = _decide_cases([case], Policy()).iloc[0]
    assert (out["walk_distance_m"], out["walk_distance_miles"], out["nearest_suitable_urn"], out["nearest_suitable_distance_m"]) == (
        round(miles(2.5), 1), 2.5, PRIMARY, round(miles(1), 1)
    )


@pytest.mark.parametrize(
    ("pupil", "door_to_door"),
    [({"wheelchair": True}, True), ({"ehcp": True}, True), ({"send_need": "VI"}, True), ({"low_income": True}, False)],
)
def test_send_pupils_are_marked_door_to_door(pupil: dict, door_to_door: bool) -> None:
    out = _decide_cases([Case(9, PRIMARY, {PRIMARY: miles(4)}, "", pupil=pupil)], Policy()).iloc[0]
    assert bool(out["door_to_door"]) is door_to_door


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
    assert {"pupil_id", "eligible", "reason_code", "reason", "walk_distance_m"} <= set(out.columns)


def test_low_income_pupil_aged_9_at_either_of_two_equally_near_schools_2_5_miles_away_is_eligible() -> None:
    case = Case(9, PRIMARY_2, {PRIMARY: miles(2.5), PRIMARY_2: miles(2.5)}, "LOW_INCOME_PRIMARY",
                pupil={"low_income": True})
    assert _decide_cases([case], Policy()).iloc[0]["reason_code"] == "LOW_INCOME_PRIMARY"


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
