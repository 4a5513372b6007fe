"""Statutory and policy eligibility for free home-to-school transport, with the reason.

Distances are the shortest walking route on the OSM walk graph from home to school
(Education Act 1996 Sch 35B; DfE guidance 2024). Each pupil gets one stable reason code
from `transport.outcomes` and a plain-English sentence a parent can be shown.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from transport.matrix import route_lines, travel_matrices
from transport.outcomes import ELIGIBILITY_REASONS, ELIGIBLE_CODES
from transport.policy import Policy, age_phase
from transport.schemas import ELIGIBILITY
from transport.units import METRES_PER_MILE, m_to_miles

log = logging.getLogger(__name__)

#: A route within this many metres of a statutory limit counts as "not more than" it: the
#: measurement is no finer than this.
DISTANCE_TOLERANCE_M = 1.0


@dataclass(frozen=True, slots=True)
class WalkDistances:
    """Walking metres from each pupil (rows) to each school (columns)."""

    metres: np.ndarray
    school_urns: list[str]

    def to(self, pupil: int, urn: str) -> float:
        return float(self.metres[pupil, self.school_urns.index(urn)])


def assess_eligibility(pupils: pd.DataFrame, schools: pd.DataFrame, walk: nx.MultiDiGraph, policy: Policy) -> pd.DataFrame:
    """One row per pupil: eligible, reason code and sentence, walking distances."""
    distances = walk_distances(pupils, schools, walk)
    return decide(pupils, schools, distances, policy)


def walk_distances(pupils: pd.DataFrame, schools: pd.DataFrame, walk: nx.MultiDiGraph) -> WalkDistances:
    """Shortest walking routes, computed from the schools (the walk graph runs both ways)."""
    lats = np.concatenate([schools["lat"].to_numpy(float), pupils["lat"].to_numpy(float)])
    lons = np.concatenate([schools["lon"].to_numpy(float), pupils["lon"].to_numpy(float)])
    labels = [f"school {u}" for u in schools["urn"]] + [f"pupil {p}" for p in pupils["pupil_id"]]
    n_schools = len(schools)
    m = travel_matrices(walk, lats, lons, weight="length", labels=labels, origins=np.arange(n_schools))
    return WalkDistances(metres=m.distance_m[:, n_schools:].T.copy(), school_urns=list(schools["urn"].astype(str)))


def decide(pupils: pd.DataFrame, schools: pd.DataFrame, distances: WalkDistances, policy: Policy) -> pd.DataFrame:
    """Apply the rules in statutory order; pure, so it is tested on hand-made distances."""
    by_urn = schools.set_index(schools["urn"].astype(str))
    rows = [_decide_one(i, pupil, by_urn, distances, policy) for i, pupil in enumerate(pupils.itertuples(index=False))]
    return ELIGIBILITY.frame(rows)


#: The school phases that can take a pupil of each phase of age.
SUITABLE_PHASES = {"primary": {"primary", "all-through"}, "secondary": {"secondary", "all-through"},
                   "post-16": {"post-16", "secondary", "all-through"}}


def _suitable_urns(age: int, by_urn: pd.DataFrame) -> list[str]:
    """Mainstream schools whose phase fits the pupil's age."""
    phases = SUITABLE_PHASES[age_phase(age)]
    mask = by_urn["phase"].isin(phases) & (by_urn["type"] == "mainstream")
    return list(by_urn.index[mask])


def _decide_one(i: int, pupil, by_urn: pd.DataFrame, distances: WalkDistances, policy: Policy) -> dict:
    age = int(pupil.age)
    urn = str(pupil.school_urn)
    metres = distances.to(i, urn)
    miles = m_to_miles(metres)
    suitable = sorted(_suitable_urns(age, by_urn), key=lambda u: distances.to(i, u))
    nearest = suitable[0] if suitable else urn
    nearest_m = distances.to(i, nearest)
    needs = {n for n in str(pupil.send_need).split(";") if n}
    send = (policy.ehcp_qualifies and bool(pupil.ehcp)) or bool(pupil.wheelchair) or bool(needs & set(policy.send_needs_qualifying))
    limit_miles = policy.walking_limit_miles(age)
    facts = {"miles": miles, "limit": _fmt(limit_miles), "age": age, "nearest": nearest, "nearest_miles": m_to_miles(nearest_m)}

    def over(limit: float) -> bool:
        return metres > limit * METRES_PER_MILE + DISTANCE_TOLERANCE_M

    is_nearest = (not policy.nearest_suitable_school_rule) or urn == nearest or metres <= nearest_m + DISTANCE_TOLERANCE_M
    school_type = by_urn.loc[urn, "type"] if urn in by_urn.index else "mainstream"
    if school_type != "mainstream" and bool(pupil.ehcp):
        is_nearest = True  # the EHCP names the school

    youngest = 4 if policy.include_reception else policy.compulsory_age_min
    if age < youngest:
        code = "BELOW_COMPULSORY_AGE"
    elif age > policy.compulsory_age_max:
        if policy.post16 in ("send_only", "distance") and send:
            code = "POST16_SEND"
        elif policy.post16 == "distance" and over(policy.statutory_walking_distance_8_plus_miles) and is_nearest:
            code, facts["limit"] = "POST16_DISTANCE", _fmt(policy.statutory_walking_distance_8_plus_miles)
        else:
            code = "POST16_NOT_COVERED"
    elif send and policy.send_eligible_regardless_of_distance:
        code = "SEND_MOBILITY"
    elif bool(pupil.unsafe_route) and policy.unsafe_route_qualifies and is_nearest:
        code = "UNSAFE_ROUTE"
    elif over(limit_miles) and is_nearest:
        code = "DISTANCE_UNDER_8" if age < policy.distance_age_threshold else "DISTANCE_8_PLUS"
    elif bool(pupil.low_income) and (low := _low_income(i, pupil, age, urn, metres, suitable, by_urn, distances, policy)):
        code = low
    elif over(limit_miles):
        code = "NOT_NEAREST_SUITABLE"
    else:
        code = "WITHIN_WALKING_DISTANCE"
    return {
        "pupil_id": pupil.pupil_id,
        "school_urn": urn,
        "age": age,
        "eligible": code in ELIGIBLE_CODES,
        "reason_code": code,
        "reason": ELIGIBILITY_REASONS[code].format(**facts),
        "walk_distance_m": round(metres, 1),
        "walk_distance_miles": round(miles, 3),
        "nearest_suitable_urn": nearest,
        "nearest_suitable_distance_m": round(nearest_m, 1),
        "door_to_door": bool(send),
    }


def _low_income(i: int, pupil, age: int, urn: str, metres: float, suitable: list[str], by_urn: pd.DataFrame,
                distances: WalkDistances, policy: Policy) -> str | None:
    """Extended rights for pupils from low-income families (Sch 35B paras 9-14)."""
    mile = METRES_PER_MILE
    tol = DISTANCE_TOLERANCE_M
    if policy.low_income_primary_age_min <= age <= policy.low_income_primary_age_max:
        nearest = suitable and metres <= distances.to(i, suitable[0]) + tol
        if nearest and metres > policy.low_income_primary_miles * mile + tol:
            return "LOW_INCOME_PRIMARY"
        return None
    if policy.low_income_primary_age_max < age <= policy.compulsory_age_max:
        three = suitable[: policy.low_income_nearest_schools]
        cutoff = distances.to(i, three[-1]) + tol if three else -1.0
        low, high = policy.low_income_secondary_min_miles * mile, policy.low_income_secondary_max_miles * mile
        if (urn in three or metres <= cutoff) and low + tol < metres <= high + tol:
            return "LOW_INCOME_SECONDARY"
        preferred = str(pupil.religious_preference_urn or "")
        if preferred and preferred == urn:
            character = by_urn.loc[urn, "religious_character"] if urn in by_urn.index else ""
            same_faith = [u for u in suitable if character and by_urn.loc[u, "religious_character"] == character] or [urn]
            nearest_faith = min(same_faith, key=lambda u: distances.to(i, u))
            low_r, high_r = policy.religious_min_miles * mile, policy.religious_max_miles * mile
            if metres <= distances.to(i, nearest_faith) + tol and low_r + tol < metres <= high_r + tol:
                return "LOW_INCOME_RELIGIOUS"
    return None


def _fmt(miles: float) -> str:
    return f"{miles:g}"


def summarise(eligibility: pd.DataFrame) -> pd.DataFrame:
    """Pupils and share by reason code, eligible first."""
    counts = eligibility.groupby(["eligible", "reason_code"]).size().rename("pupils").reset_index()
    counts["share"] = (counts["pupils"] / len(eligibility)).round(4)
    return counts.sort_values(["eligible", "pupils"], ascending=[False, False]).reset_index(drop=True)


def walking_route_geojson(walk: nx.MultiDiGraph, home: tuple[float, float], school: tuple[float, float],
                          properties: dict, path: Path) -> Path:
    """The measured walking route as a GeoJSON LineString, so an officer can show a parent.

    Drawn with the same snapping and the same shortest route as the distance was measured.
    """
    (line,) = route_lines(walk, [(home, school)], weight="length")
    feature = {"type": "Feature", "geometry": {"type": "LineString", "coordinates": np.asarray(line).tolist()}, "properties": properties}
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}, indent=1), encoding="utf-8")
    return path
