"""Statutory and policy eligibility for free home-to-school transport, with the reason.

Education Act 1996 s508B and Schedule 35B, s8 (compulsory school age), s509AA (post-16) and
s508F (adult learners); DfE guidance *Travel to school for children of compulsory school age*
(2024). Each pupil gets one stable reason code from `transport.outcomes` and a sentence a
parent can be shown, decided on the policy's assessment date; where a birthday changes the
decision later in the school year, the date and the decision after it are given too.

Lower limits (2 and 3 miles) are measured along the walking route; the upper limits of
extended rights (6 and 15 miles) along the road route or the walking route, as the policy
says. Limits are "not more than": a route is over a limit only when longer than it, and where
the measurement's own tolerance could decide, it goes the child's way.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from transport.matrix import DEFAULT_WARN_SNAP_M, route_lines, snap_points, travel_matrices
from transport.outcomes import ELIGIBILITY_ACTIONS, ELIGIBILITY_REASONS, ELIGIBLE_CODES
from transport.policy import (
    PHASE_AGES,
    Policy,
    age_on,
    age_phase,
    anniversary,
    compulsory_school_age_ends,
    compulsory_school_age_starts,
    school_year_age,
)
from transport.schemas import ELIGIBILITY
from transport.schemas import ELIGIBILITY_ACTIONS as ACTIONS_TABLE
from transport.units import METRES_PER_MILE, m_to_miles

log = logging.getLogger(__name__)

#: Routes are measured no finer than this. Where it could decide (a tie with the nearest school,
#: an upper limit), it goes the child's way; a lower limit is passed only by a longer route.
DISTANCE_TOLERANCE_M = 1.0
#: A school further than this from the network's nearest path is beyond the extract: its routes
#: are not measured (reported as such), never guessed.
SCHOOL_MAX_SNAP_M = DEFAULT_WARN_SNAP_M


@dataclass(frozen=True, slots=True)
class WalkDistances:
    """Route metres from each pupil (rows) to each school (columns); NaN where not measured.

    `road_metres`, when given, holds the road routes the extended rights' upper limits use.
    """

    metres: np.ndarray
    school_urns: list[str]
    road_metres: np.ndarray | None = None

    def to(self, pupil: int, urn: str) -> float:
        return float(self.metres[pupil, self.school_urns.index(urn)])

    def upper(self, pupil: int, urn: str) -> float:
        """The route for upper limits: by road where measured, else the walking route."""
        if self.road_metres is not None:
            road = float(self.road_metres[pupil, self.school_urns.index(urn)])
            if np.isfinite(road):
                return road
        return self.to(pupil, urn)


def assess_eligibility(pupils: pd.DataFrame, schools: pd.DataFrame, walk: nx.MultiDiGraph, policy: Policy,
                       drive: nx.MultiDiGraph | None = None) -> pd.DataFrame:
    """One row per pupil: eligible, reason code and sentence, routes measured, changes in the year."""
    distances = walk_distances(pupils, schools, walk)
    if policy.extended_rights_upper_measure == "road":
        if drive is None:
            log.warning("No road network given: the extended rights' upper limits are measured along the walking route")
        else:
            rows = np.flatnonzero(pupils["low_income"].astype(bool).to_numpy()) if "low_income" in pupils else []
            distances = dataclasses.replace(distances, road_metres=route_metres(pupils, schools, drive, rows))
    return decide(pupils, schools, distances, policy)


def walk_distances(pupils: pd.DataFrame, schools: pd.DataFrame, walk: nx.MultiDiGraph) -> WalkDistances:
    """Shortest walking routes, computed from the schools (the walk graph runs both ways)."""
    return WalkDistances(metres=route_metres(pupils, schools, walk), school_urns=list(schools["urn"].astype(str)))


def route_metres(pupils: pd.DataFrame, schools: pd.DataFrame, graph: nx.MultiDiGraph,
                 rows: np.ndarray | list[int] | None = None) -> np.ndarray:
    """Shortest routes from each school the network reaches to the pupils' homes (`rows`, default
    all); NaN for the other pupils and for schools beyond the network, which are logged by name."""
    rows = np.arange(len(pupils)) if rows is None else np.asarray(rows, dtype=int)
    out = np.full((len(pupils), len(schools)), np.nan)
    reached = schools_reached(schools, graph)
    beyond = schools.loc[~reached, "urn"].astype(str).tolist()
    if beyond:
        log.warning("%d school(s) lie beyond the network and their routes cannot be measured: %s", len(beyond),
                    ", ".join(beyond))
    if len(rows) == 0 or not reached.any():
        return out
    inside = schools[reached]
    chosen = pupils.iloc[rows]
    lats = np.concatenate([inside["lat"].to_numpy(float), chosen["lat"].to_numpy(float)])
    lons = np.concatenate([inside["lon"].to_numpy(float), chosen["lon"].to_numpy(float)])
    labels = [f"school {u}" for u in inside["urn"]] + [f"pupil {p}" for p in chosen["pupil_id"]]
    n = len(inside)
    m = travel_matrices(graph, lats, lons, weight="length", labels=labels, origins=np.arange(n))
    metres = m.distance_m[:, n:].T
    out[np.ix_(rows, np.flatnonzero(reached))] = np.where(np.isfinite(metres), metres, np.nan)
    return out


def schools_reached(schools: pd.DataFrame, graph: nx.MultiDiGraph) -> np.ndarray:
    """Which schools lie within SCHOOL_MAX_SNAP_M of the network (schools across the boundary may not)."""
    if schools.empty:
        return np.zeros(0, dtype=bool)
    snapped = snap_points(graph, schools["lat"].to_numpy(float), schools["lon"].to_numpy(float),
                          warn_snap_m=np.inf, max_snap_m=np.inf, weight="length")
    return snapped.snap_distance_m <= SCHOOL_MAX_SNAP_M


# ------------------------------------------------------------------------------ the decision


@dataclass(frozen=True, slots=True)
class _Pupil:
    """What the rules read about one pupil."""

    row: int
    pupil_id: str
    urn: str
    age: int
    born: dt.date | None
    school_age: int
    plan: bool
    cannot_walk: bool | None
    on_preference: bool
    sex: str
    refused: frozenset[str]
    religion: str
    low_income: bool
    unsafe: bool
    needs: frozenset[str]
    wheelchair: bool
    door_needs: bool

    def age_on(self, day: dt.date) -> int:
        return age_on(self.born, day) if self.born else self.age


@dataclass(frozen=True)
class _Area:
    """The schools as the rules see them (arrays in the distances' column order), and the routes."""

    schools: pd.DataFrame  # indexed by URN, with defaults for optional columns
    distances: WalkDistances
    policy: Policy
    urns: list[str]
    column: dict[str, int]
    phase: np.ndarray
    type: np.ndarray
    sex: np.ndarray
    sixth_form: np.ndarray
    needs_served: list[frozenset[str]]
    character: np.ndarray  # religious character, lower case
    full: np.ndarray  # the pupils file already fills the school's places
    masks: dict = field(default_factory=dict)  # suitable schools by the pupil facts that decide it (many pupils share one)

    def walk(self, p: _Pupil, urn: str) -> float:
        return float(self.distances.metres[p.row, self.column[urn]])

    def upper(self, p: _Pupil, urn: str) -> float:
        """The route for upper limits: by road where the policy says so and it was measured, else walking."""
        if self.distances.road_metres is not None and self.policy.extended_rights_upper_measure == "road":
            road = float(self.distances.road_metres[p.row, self.column[urn]])
            if np.isfinite(road):
                return road
        return self.walk(p, urn)

    def upper_measured(self, p: _Pupil, urn: str) -> float:
        """The route as the policy's upper-limit measure gives it, NaN where that was not measured."""
        if self.policy.extended_rights_upper_measure == "walk":
            return self.walk(p, urn)
        road = self.distances.road_metres
        return float(road[p.row, self.column[urn]]) if road is not None else np.nan


@dataclass(frozen=True)
class _Outcome:
    """One decision: the code, what its sentence says, and the schools whose routes decided."""

    code: str
    facts: dict = field(default_factory=dict)
    decisive: tuple[str, ...] = ()
    nearest: str = ""


def decide(pupils: pd.DataFrame, schools: pd.DataFrame, distances: WalkDistances, policy: Policy) -> pd.DataFrame:
    """Apply the rules in statutory order; pure, so it is tested on hand-made distances."""
    area = _area(pupils, schools, distances, policy)
    rows = [_decide_pupil(_pupil(i, row, policy), area) for i, row in enumerate(pupils.to_dict("records"))]
    return ELIGIBILITY.frame(rows)


def _area(pupils: pd.DataFrame, schools: pd.DataFrame, distances: WalkDistances, policy: Policy) -> _Area:
    by_urn = schools.set_index(schools["urn"].astype(str))
    defaults = {"sex": "mixed", "sixth_form": False, "places": np.nan, "needs_served": "", "religious_character": ""}
    for column, value in defaults.items():
        by_urn[column] = by_urn[column].fillna(value) if column in by_urn else value
    by_urn["sixth_form"] = by_urn["sixth_form"].astype(bool) | (by_urn["phase"] == "post-16")
    roll = pupils["school_urn"].astype(str).value_counts() if len(pupils) else pd.Series(dtype=int)
    places = pd.to_numeric(by_urn["places"], errors="coerce")
    by_urn["full"] = [bool(np.isfinite(cap) and roll.get(u, 0) >= cap) for u, cap in places.items()]
    cols = by_urn.reindex(distances.school_urns)
    return _Area(
        schools=by_urn, distances=distances, policy=policy, urns=list(distances.school_urns),
        column={u: k for k, u in enumerate(distances.school_urns)}, phase=cols["phase"].to_numpy(str),
        type=cols["type"].to_numpy(str), sex=cols["sex"].astype(str).str.lower().to_numpy(),
        sixth_form=cols["sixth_form"].fillna(False).to_numpy(bool),
        needs_served=[frozenset(n for n in str(t).split(";") if n) for t in cols["needs_served"].fillna("")],
        character=cols["religious_character"].fillna("").astype(str).str.strip().str.lower().to_numpy(),
        full=cols["full"].fillna(False).to_numpy(bool),
    )


def _yes_no(value: object) -> bool | None:
    """A parsed yes/no cell (or a hand-made one): True, False, or None when blank."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, str):
        text = value.strip().lower()
        return None if not text else text in ("yes", "y", "true", "t", "1")
    return bool(value)


def _pupil(i: int, row: dict, policy: Policy) -> _Pupil:
    """One row of the pupils table as the rules read it; columns a hand-made table lacks are blank."""

    def flag(name: str) -> bool:
        return bool(_yes_no(row.get(name)))

    born = row.get("date_of_birth")
    born = (born.date() if isinstance(born, dt.datetime) else born) if isinstance(born, dt.date) else None
    assessed = _yes_no(row.get("cannot_walk"))
    needs = frozenset(n for n in str(row.get("send_need") or "").split(";") if n)
    door = (assessed is True or flag("wheelchair") or flag("passenger_assistant") or flag("travel_alone")
            or bool(needs & set(policy.send_needs_qualifying)))
    return _Pupil(
        row=i, pupil_id=str(row["pupil_id"]), urn=str(row["school_urn"]), age=int(row["age"]), born=born,
        school_age=school_year_age(born, policy.academic_year_start) if born else int(row["age"]),
        plan=flag("ehcp"), cannot_walk=assessed, on_preference=flag("named_on_preference"), sex=str(row.get("sex") or ""),
        refused=frozenset(u for u in str(row.get("refused_at") or "").split(";") if u),
        religion=str(row.get("religion_preference") or "").strip(), low_income=flag("low_income"),
        unsafe=flag("unsafe_route"), needs=needs, wheelchair=flag("wheelchair"), door_needs=door,
    )


def _decide_pupil(p: _Pupil, area: _Area) -> dict:
    """The decision on the assessment date, the first change with age later in the year, and the
    share of the year's weekdays in which the pupil is eligible."""
    policy = area.policy
    first_day, last_day = policy.assessed_on, policy.school_year[1]
    timeline = [(first_day, _decide_on(p, first_day, area))]
    timeline += [(day, _decide_on(p, day, area)) for day in _age_events(p, policy) if first_day < day <= last_day]
    first = timeline[0][1]
    change = next(((day, o) for day, o in timeline[1:] if _changes(first, o)), None)
    walk_m = area.walk(p, p.urn) if p.urn in area.column else np.nan
    upper_m = area.upper_measured(p, p.urn) if p.urn in area.column else np.nan
    nearest_m = area.walk(p, first.nearest) if first.nearest else np.nan
    facts = _facts(p, first_day, area) | {"nearest": first.nearest, "nearest_miles": m_to_miles(nearest_m)} | first.facts
    return {
        "pupil_id": p.pupil_id, "school_urn": p.urn, "age": p.age, "assessed_on": first_day.isoformat(),
        "eligible": first.code in ELIGIBLE_CODES, "reason_code": first.code,
        "reason": ELIGIBILITY_REASONS[first.code].format(**facts),
        "walk_distance_m": _round(walk_m, 1), "walk_distance_miles": _round(m_to_miles(walk_m), 3),
        "upper_distance_m": _round(upper_m, 1), "nearest_suitable_urn": first.nearest,
        "nearest_suitable_distance_m": _round(nearest_m, 1), "decisive_urns": ";".join(dict.fromkeys(first.decisive)),
        "door_to_door": p.door_needs or _walking(p, policy) == "presumed",
        "changes_on": change[0].isoformat() if change else "",
        "eligible_after": (change[1].code in ELIGIBLE_CODES) if change else None,
        "reason_code_after": change[1].code if change else "",
        "eligible_share_of_year": _eligible_share(timeline, policy),
        "distances_estimated": False,
    }


def _changes(before: _Outcome, after: _Outcome) -> bool:
    """A change a parent and the budget need to know of: eligible or not, or the ground of eligibility.
    One reason for not being eligible giving way to another is no change."""
    eligible = before.code in ELIGIBLE_CODES, after.code in ELIGIBLE_CODES
    return eligible[0] != eligible[1] or (eligible[0] and before.code != after.code)


def _age_events(p: _Pupil, policy: Policy) -> list[dt.date]:
    """Days on which the rules that take an age can change: compulsory school age starts, the 8th
    and 11th birthdays, and the day after compulsory school age ends."""
    if p.born is None:
        return []
    days = {compulsory_school_age_starts(p.born), compulsory_school_age_ends(p.born) + dt.timedelta(days=1),
            anniversary(p.born, policy.distance_age_threshold), anniversary(p.born, policy.low_income_primary_age_max + 1)}
    return sorted(days)


def _eligible_share(timeline: list[tuple[dt.date, _Outcome]], policy: Policy) -> float:
    """Weekdays eligible from the assessment date to the end of the school year, over the year's weekdays."""
    start, end = policy.school_year
    year = int(np.busday_count(start, end + dt.timedelta(days=1)))
    bounds = [day for day, _ in timeline[1:]] + [end + dt.timedelta(days=1)]
    eligible = sum(int(np.busday_count(max(day, start), max(until, start)))
                   for (day, outcome), until in zip(timeline, bounds, strict=True) if outcome.code in ELIGIBLE_CODES)
    return round(eligible / year, 4) if year else 0.0


def _decide_on(p: _Pupil, day: dt.date, area: _Area) -> _Outcome:
    """The decision on one day: by the pupil's stage of education on it."""
    policy = area.policy
    if p.urn not in area.column or not np.isfinite(area.walk(p, p.urn)):
        return _Outcome("ROUTE_NOT_MEASURED", decisive=(p.urn,))
    stage = _stage(p, day, policy)
    if stage == "below":
        if not policy.include_reception or p.school_age < PHASE_AGES["primary"][0]:
            return _Outcome("BELOW_COMPULSORY_AGE", {"age": p.age_on(day)}, (p.urn,), p.urn)
        outcome = _compulsory(p, p.age_on(day), area)
        return dataclasses.replace(outcome, code="RECEPTION_DISCRETIONARY") if outcome.code in ELIGIBLE_CODES else outcome
    if stage == "compulsory":
        return _compulsory(p, p.age_on(day), area)
    return _post16(p, stage, area)


def _stage(p: _Pupil, day: dt.date, policy: Policy) -> str:
    """below, compulsory, post16 (sixth-form age) or adult (19 to 25), on `day`."""
    if p.born is not None:
        if day < compulsory_school_age_starts(p.born):
            return "below"
        if day <= compulsory_school_age_ends(p.born):
            return "compulsory"
    elif p.age < policy.compulsory_age_min:
        return "below"
    elif p.age <= policy.compulsory_age_max:
        return "compulsory"
    return "adult" if p.school_age >= 19 else "post16"


def _walking(p: _Pupil, policy: Policy) -> str:
    """The assessment of walking: yes (cannot walk), no, presumed (discretionary), or unknown."""
    if p.cannot_walk is not None:
        return "yes" if p.cannot_walk else "no"
    return "presumed" if p.plan and policy.presume_ehcp_cannot_walk else "unknown"


def _may_need_assessment(p: _Pupil, policy: Policy) -> bool:
    """A plan, a wheelchair or a mobility or sensory need, and no assessment of walking yet."""
    qualifying = p.plan or p.wheelchair or bool(p.needs & set(policy.send_needs_qualifying))
    return _walking(p, policy) == "unknown" and qualifying and policy.send_eligible_regardless_of_distance


def _candidates(p: _Pupil, area: _Area, *, post16: bool, with_places: bool = True) -> list[str]:
    """Suitable schools for this pupil, nearest first by walking route: the right phase (post-16:
    offering post-16), the right type (mainstream, or for a pupil with a plan at a special school
    or unit, one meeting the need), the pupil's sex, a place, not refused, and measured."""
    a = area
    phase = age_phase(p.school_age)
    post16 = post16 or phase == "post-16"
    own = a.column.get(p.urn)
    special = bool(p.plan and own is not None and a.type[own] != "mainstream")
    key = (phase, post16, own, special, p.needs if special else None, p.sex, p.refused, with_places)
    available = a.masks.get(key)
    if available is None:
        available = a.masks[key] = _suitable_mask(a, phase, post16, own, special, p, with_places)
    row = a.distances.metres[p.row]
    idx = np.flatnonzero(available & np.isfinite(row))
    return [a.urns[k] for k in idx[np.argsort(row[idx], kind="stable")]]


def _suitable_mask(a: _Area, phase: str, post16: bool, own: int | None, special: bool, p: _Pupil, with_places: bool) -> np.ndarray:
    """Which schools the rules let count for a pupil with these facts, before distance."""
    fits = a.sixth_form.copy() if post16 else np.isin(a.phase, list(SUITABLE_PHASES[phase]))
    if post16 and own is not None:
        fits[own] = True  # a student enrolled at a school is taught post-16 there, declared or not
    if special:
        fits &= (a.type != "mainstream") & np.array([not n or bool(n & p.needs) for n in a.needs_served], dtype=bool)
    else:
        fits &= a.type == "mainstream"
    fits &= (a.sex == "mixed") | (a.sex == {"F": "girls", "M": "boys"}.get(p.sex, "?"))
    available = fits & ~a.full & ~np.isin(a.urns, list(p.refused)) if with_places else fits.copy()
    if own is not None:
        available[own] = fits[own]  # the pupil has a place at the school attended
    return available


#: The school phases that can take a pupil of each phase of age (post-16: schools offering it).
SUITABLE_PHASES = {"primary": {"primary", "all-through"}, "secondary": {"secondary", "all-through"}}


def _nearest(p: _Pupil, candidates: list[str], area: _Area, *, rule: bool) -> tuple[str, bool]:
    """The nearest suitable school, and whether the school attended counts as it: the school a
    plan names does (unless named at the parents' preference), and so does one tied with it."""
    if p.plan and not p.on_preference:
        return p.urn, True
    nearest = candidates[0] if candidates else p.urn
    tied = area.walk(p, p.urn) <= area.walk(p, nearest) + DISTANCE_TOLERANCE_M
    return (p.urn if tied else nearest), (tied or not rule)


def _compulsory(p: _Pupil, age: int, area: _Area) -> _Outcome:
    """Sch 35B paras 2-14 for a pupil of compulsory school age (or a Reception pupil by discretion)."""
    policy = area.policy
    candidates = _candidates(p, area, post16=False)
    nearest, is_nearest = _nearest(p, candidates, area, rule=policy.nearest_suitable_school_rule)
    pair = (p.urn, nearest)
    if p.plan and p.on_preference and not is_nearest:
        return _Outcome("PARENTAL_PREFERENCE", decisive=pair, nearest=nearest)
    walking = _walking(p, policy)
    if walking in ("yes", "presumed") and policy.send_eligible_regardless_of_distance:
        if not is_nearest:
            return _Outcome("SEND_NOT_NEAREST_SUITABLE", decisive=pair, nearest=nearest)
        return _Outcome("SEND_MOBILITY" if walking == "yes" else "SEND_PRESUMED_DISCRETIONARY", decisive=pair, nearest=nearest)
    if p.unsafe and policy.unsafe_route_qualifies and is_nearest:
        return _Outcome("UNSAFE_ROUTE", decisive=pair, nearest=nearest)
    limit = policy.walking_limit_miles(age)
    over = area.walk(p, p.urn) > limit * METRES_PER_MILE
    if over and is_nearest:
        return _distance_outcome(p, age, limit, nearest, area)
    low = _low_income(p, age, candidates, nearest, is_nearest, area)
    if low is not None:
        return low
    facts = {"limit": _fmt(limit)}
    if _may_need_assessment(p, policy) and is_nearest:
        return _Outcome("SEND_ASSESSMENT_NEEDED", facts, pair, nearest)
    if not is_nearest and (over or p.unsafe or walking in ("yes", "presumed")):
        return _Outcome("NOT_NEAREST_SUITABLE", facts, pair, nearest)
    return _Outcome("WITHIN_WALKING_DISTANCE", facts, pair, nearest)


def _distance_outcome(p: _Pupil, age: int, limit: float, nearest: str, area: _Area) -> _Outcome:
    """Eligible on distance; named for the nearer schools that had no place, where there were any."""
    facts = {"limit": _fmt(limit)}
    available = set(_candidates(p, area, post16=False))
    own = area.walk(p, p.urn)
    nearer = [u for u in _candidates(p, area, post16=False, with_places=False)
              if u not in available and area.walk(p, u) + DISTANCE_TOLERANCE_M < own]
    named = p.plan and not p.on_preference
    if nearer and not named and area.policy.nearest_suitable_school_rule:
        return _Outcome("NO_PLACE_AT_NEARER_SCHOOL", facts | {"refused": ", ".join(nearer)}, (p.urn, *nearer), nearest)
    code = "DISTANCE_UNDER_8" if age < area.policy.distance_age_threshold else "DISTANCE_8_PLUS"
    return _Outcome(code, facts, (p.urn,), nearest)


def _low_income(p: _Pupil, age: int, candidates: list[str], nearest: str, is_nearest: bool,
                area: _Area) -> _Outcome | None:
    """Extended rights for pupils from low-income families (Sch 35B paras 9-12)."""
    policy = area.policy
    if not p.low_income:
        return None
    mile, tol = METRES_PER_MILE, DISTANCE_TOLERANCE_M
    metres, upper = area.walk(p, p.urn), area.upper(p, p.urn)
    if policy.low_income_primary_age_min <= age <= policy.low_income_primary_age_max:
        if is_nearest and metres > policy.low_income_primary_miles * mile:
            return _Outcome("LOW_INCOME_PRIMARY", decisive=(p.urn, nearest), nearest=nearest)
        return None
    if age <= policy.low_income_primary_age_max:
        return None
    three = candidates[: policy.low_income_nearest_schools]
    in_three = (p.plan and not p.on_preference) or p.urn in three or (
        bool(three) and metres <= area.walk(p, three[-1]) + tol)
    if in_three and metres > policy.low_income_secondary_min_miles * mile and upper <= policy.low_income_secondary_max_miles * mile + tol:
        return _Outcome("LOW_INCOME_SECONDARY", {"three": ", ".join(three)}, (p.urn, *three), nearest)
    return _religious(p, area)


def _religious(p: _Pupil, area: _Area) -> _Outcome | None:
    """Para 12: the nearest suitable school of the preferred religious character, over 2 and not more than 15 miles."""
    policy = area.policy
    character = str(area.schools.loc[p.urn, "religious_character"]).strip()  # as written, for the sentence
    if not p.religion or character.lower() != p.religion.lower():
        return None
    same = [u for u in _candidates(p, area, post16=False) if area.character[area.column[u]] == p.religion.lower()]
    nearest_same = same[0] if same else p.urn
    metres, upper = area.walk(p, p.urn), area.upper(p, p.urn)
    mile, tol = METRES_PER_MILE, DISTANCE_TOLERANCE_M
    if (metres <= area.walk(p, nearest_same) + tol and metres > policy.religious_min_miles * mile
            and upper <= policy.religious_max_miles * mile + tol):
        return _Outcome("LOW_INCOME_RELIGIOUS", {"faith": character}, (p.urn, nearest_same), p.urn)
    return None


def _post16(p: _Pupil, stage: str, area: _Area) -> _Outcome:
    """The council's post-16 transport policy statement (s509AA); adult learners with a plan (s508F)."""
    policy = area.policy
    walking = _walking(p, policy)
    cannot = walking in ("yes", "presumed")
    if stage == "adult":
        if p.plan and cannot:
            return _Outcome("ADULT_LEARNER_19_25", decisive=(p.urn,), nearest=p.urn)
        code = "SEND_ASSESSMENT_NEEDED" if p.plan and walking == "unknown" else "POST16_NOT_COVERED"
        return _Outcome(code, decisive=(p.urn,), nearest=p.urn)
    if policy.post16 == "none":
        return _Outcome("POST16_NOT_COVERED", decisive=(p.urn,), nearest=p.urn)
    candidates = _candidates(p, area, post16=True)
    nearest, is_nearest = _nearest(p, candidates, area, rule=policy.post16_nearest_provision)
    pair = (p.urn, nearest)
    if p.plan and p.on_preference and not is_nearest:
        return _Outcome("PARENTAL_PREFERENCE", decisive=pair, nearest=nearest)
    metres = area.walk(p, p.urn)
    send_far = policy.post16_send_min_miles == 0 or metres > policy.post16_send_min_miles * METRES_PER_MILE
    if cannot and send_far:
        return _Outcome("POST16_SEND" if is_nearest else "SEND_NOT_NEAREST_SUITABLE", decisive=pair, nearest=nearest)
    limit = policy.post16_distance_miles
    if policy.post16 == "distance" and metres > limit * METRES_PER_MILE:
        code = "POST16_DISTANCE" if is_nearest else "NOT_NEAREST_SUITABLE"
        return _Outcome(code, {"limit": _fmt(limit)}, pair, nearest)
    if walking == "unknown" and (p.plan or p.door_needs) and is_nearest and policy.post16 != "none":
        return _Outcome("SEND_ASSESSMENT_NEEDED", decisive=pair, nearest=nearest)
    return _Outcome("POST16_NOT_COVERED", decisive=pair, nearest=nearest)


def _facts(p: _Pupil, day: dt.date, area: _Area) -> dict:
    """Everything a reason sentence may name, for this pupil on this day."""
    policy = area.policy
    walk_m = area.walk(p, p.urn) if p.urn in area.column else np.nan
    upper_m = area.upper(p, p.urn) if p.urn in area.column else np.nan
    charge = policy.post16_contribution_gbp_per_year
    exempt = p.low_income and policy.post16_contribution_low_income_exempt
    contribution = f" The family contributes £{charge:,.0f} a year." if charge > 0 and not exempt else ""
    starts = _day(compulsory_school_age_starts(p.born)) if p.born else "the term after the 5th birthday"
    measure = "road" if policy.extended_rights_upper_measure == "road" and area.distances.road_metres is not None else "walking"
    return {"miles": m_to_miles(walk_m), "limit": _fmt(policy.walking_limit_miles(p.age_on(day))), "age": p.age_on(day),
            "on": _day(day), "school": p.urn, "nearest": "", "nearest_miles": float("nan"),
            "upper_miles": m_to_miles(upper_m), "measure": measure, "three": "", "faith": "", "refused": "",
            "contribution": contribution, "compulsory_from": starts}


def actions(eligibility: pd.DataFrame) -> pd.DataFrame:
    """Pupils whose decision waits for an officer (an assessment of walking, a route to measure or
    to confirm where it was estimated)."""
    estimated = eligibility["distances_estimated"].fillna(False).astype(bool) if "distances_estimated" in eligibility \
        else pd.Series(False, index=eligibility.index)
    waiting = eligibility[eligibility["reason_code"].isin(ELIGIBILITY_ACTIONS) | estimated]
    codes = [r.reason_code if r.reason_code in ELIGIBILITY_ACTIONS else "ROUTE_ESTIMATED" for r in waiting.itertuples(index=False)]
    return ACTIONS_TABLE.frame({"pupil_id": r.pupil_id, "school_urn": r.school_urn, "reason_code": code,
                                "action": ELIGIBILITY_ACTIONS[code]} for r, code in zip(waiting.itertuples(index=False), codes,
                                                                                      strict=True))


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _round(value: float, digits: int) -> float:
    return round(float(value), digits) if np.isfinite(value) else np.nan


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
    return routes_geojson(walk, home, [(school, properties)], path)


def routes_geojson(walk: nx.MultiDiGraph, home: tuple[float, float],
                   schools: list[tuple[tuple[float, float], dict]], path: Path) -> Path:
    """Several measured walking routes from one home, one LineString each, with their properties."""
    lines = route_lines(walk, [(home, school) for school, _ in schools], weight="length") if schools else []
    features = [{"type": "Feature", "geometry": {"type": "LineString", "coordinates": np.asarray(line).tolist()},
                 "properties": props} for line, (_, props) in zip(lines, schools, strict=True)]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, indent=1), encoding="utf-8")
    return path
