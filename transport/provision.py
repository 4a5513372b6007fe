"""New local SEND provision: add the places and move the pupils they would serve.

Rule 'nearest_first' (documented default): pupils with an EHC plan whose need the
provision serves and whose age fits its phase, for whom the drive to the new provision
is shorter than to their current school, are moved nearest first until the places are
filled. Rule 'list' moves exactly the pupils named. Eligibility, routing and costs are
then re-run on the changed cohort.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from transport.errors import InputError, Problem, ProblemCollector
from transport.geo import Bounds
from transport.matrix import travel_matrices
from transport.policy import PHASE_AGES
from transport.scenarios import NewProvision
from transport.schemas import MOVES
from transport.units import clock_to_s


def add_provision(schools: pd.DataFrame, provisions: tuple[NewProvision, ...], file: str = "scenario",
                  bounds: Bounds | None = None) -> pd.DataFrame:
    """Schools with the new provision added as rows of type 'resourced'; every problem reported at once."""
    rows = []
    problems = ProblemCollector()
    by_urn = schools.set_index(schools["urn"].astype(str))
    first_use: dict[str, int] = {}
    for k, p in enumerate(provisions):
        where = f"new_provision[{k}]"
        if p.urn in first_use:
            problems.add(Problem(file, f"URN {p.urn!r} is already used by new_provision[{first_use[p.urn]}]", column=f"{where}.urn",
                                 fix="Give each new provision its own identifier"))
        first_use.setdefault(p.urn, k)
        if p.urn in by_urn.index:
            problems.add(Problem(file, f"URN {p.urn!r} is already a school; give the new provision its own identifier",
                                 column=f"{where}.urn"))
        if p.phase not in PHASE_AGES:
            problems.add(Problem(file, "not a phase", column=f"{where}.phase", value=p.phase,
                                 fix="Use primary, secondary, all-through or post-16"))
        site = _site(p, where, by_urn, file, bounds, problems)
        if site is not None:
            lat, lon, start, finish = site
            rows.append({"urn": p.urn, "name": p.name, "lat": lat, "lon": lon, "phase": p.phase, "type": "resourced",
                         "start_s": start, "finish_s": finish, "religious_character": "", "places": float(p.places),
                         "sen_places": float(p.places), "needs_served": ";".join(p.needs)})
    problems.raise_if_any()
    return pd.concat([schools, pd.DataFrame(rows)], ignore_index=True) if rows else schools


def _site(p: NewProvision, where: str, by_urn: pd.DataFrame, file: str, bounds: Bounds | None,
          problems: ProblemCollector) -> tuple[float, float, int, int] | None:
    """Location and bell times: the host school's, or the new site's own."""
    if p.at_school:
        if p.at_school not in by_urn.index:
            problems.add(Problem(file, "school URN does not exist", column=f"{where}.at_school", value=p.at_school,
                                 fix="Use a URN from the schools file"))
            return None
        host = by_urn.loc[p.at_school]
        return host["lat"], host["lon"], host["start_s"], host["finish_s"]
    if p.lat is None or p.lon is None or not p.start_time or not p.finish_time:
        problems.add(Problem(file, "a new site needs lat, lon, start_time and finish_time (or give at_school)", column=where))
        return None
    if bounds is not None and not bounds.contains(p.lat, p.lon):
        problems.add(Problem(file, "the new site is outside the road network's area", column=f"{where}.lat",
                             value=f"{p.lat}, {p.lon}", fix="Check the coordinates, or use a network extract that covers them"))
        return None
    start, finish = clock_to_s(p.start_time), clock_to_s(p.finish_time)
    if finish <= start:
        problems.add(Problem(file, "finish_time is not after start_time", column=f"{where}.finish_time", value=p.finish_time))
        return None
    return p.lat, p.lon, start, finish


def move_pupils(pupils: pd.DataFrame, schools: pd.DataFrame, provisions: tuple[NewProvision, ...], drive,
                file: str = "scenario", beyond: set[str] = frozenset()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Reassign pupils to the new provision; returns (pupils, moves) with each move's journey change.

    A pupil at a school beyond the network (`beyond`, URNs) has today's drive estimated
    (`transport.placements`); the drive to the new provision is measured on the network.
    """
    moves = []
    pupils = pupils.copy()
    by_urn = schools.set_index(schools["urn"].astype(str))
    for p in provisions:
        unit = by_urn.loc[p.urn]
        if p.rule == "list":
            unknown = sorted(set(p.pupils) - set(pupils["pupil_id"]))
            if unknown:
                raise InputError(Problem(file, f"pupils not in the pupils file: {', '.join(unknown[:10])}", column="new_provision.pupils"))
            chosen = pupils[pupils["pupil_id"].isin(p.pupils)]
        elif p.rule == "nearest_first":
            low, high = PHASE_AGES[p.phase]
            needs = set(p.needs)
            mask = (pupils["ehcp"] & pupils["age"].between(low, high) & (pupils["school_urn"] != p.urn)
                    & pupils["send_need"].map(lambda s, wanted=needs: bool(set(str(s).split(";")) & wanted)))
            chosen = pupils[mask]
        else:
            raise InputError(Problem(file, "unknown rule", column="new_provision.rule", value=p.rule, fix="Use nearest_first or list"))
        if chosen.empty:
            continue
        before_m, after_m, before_s, after_s = _drives(chosen, by_urn, unit, drive, beyond)
        order = np.argsort(after_m, kind="stable")
        if p.rule == "nearest_first":
            order = [i for i in order if after_m[i] < before_m[i]][: p.places]
        else:
            order = list(order[: p.places])
        for i in order:
            pid = chosen["pupil_id"].iat[i]
            moves.append({"pupil_id": pid, "from_urn": chosen["school_urn"].iat[i], "to_urn": p.urn,
                          "drive_km_before": round(before_m[i] / 1000, 2), "drive_km_after": round(after_m[i] / 1000, 2),
                          "drive_min_before": round(before_s[i] / 60, 1), "drive_min_after": round(after_s[i] / 60, 1)})
            pupils.loc[pupils["pupil_id"] == pid, "school_urn"] = p.urn
    return pupils, MOVES.frame(moves)


def _drives(chosen: pd.DataFrame, by_urn: pd.DataFrame, unit: pd.Series, drive,
            beyond: set[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Metres and seconds from each chosen pupil's home to their school and to the new provision."""
    from transport.placements import estimated_drive_s, road_m

    current = by_urn.loc[chosen["school_urn"].astype(str)]
    far = current.index.isin(list(beyond))
    n = len(chosen)
    near_lat = np.where(far, unit["lat"], current["lat"].to_numpy(float))
    near_lon = np.where(far, unit["lon"], current["lon"].to_numpy(float))
    lats = np.concatenate([chosen["lat"].to_numpy(float), near_lat, [unit["lat"]]])
    lons = np.concatenate([chosen["lon"].to_numpy(float), near_lon, [unit["lon"]]])
    m = travel_matrices(drive, lats, lons, origins=np.arange(n))
    before_m = m.distance_m[np.arange(n), n + np.arange(n)].astype(float)
    before_s = m.time_s[np.arange(n), n + np.arange(n)].astype(float)
    estimate = road_m(chosen["lat"].to_numpy(float), chosen["lon"].to_numpy(float), current["lat"].to_numpy(float),
                      current["lon"].to_numpy(float))
    before_m = np.where(far, estimate, before_m)
    before_s = np.where(far, estimated_drive_s(estimate), before_s)
    return before_m, m.distance_m[:, 2 * n], before_s, m.time_s[:, 2 * n]
