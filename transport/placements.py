"""Out-of-area placements: pupils at schools beyond the road network.

A school whose location lies outside the network's area (a special school in a neighbouring
county) cannot be driven to on this network, so its pupils are never routed: their transport
is priced from today's contract in both plans (`transport.budget`). Their eligibility is
decided by the same rules as everyone else's, on straight-line distances times a road factor,
since their walking routes cannot be measured on this network.
"""

from __future__ import annotations

import logging
from dataclasses import replace

import networkx as nx
import numpy as np
import pandas as pd

from transport.eligibility import WalkDistances, assess_eligibility, decide
from transport.geo import Bounds
from transport.inputs import Inputs
from transport.policy import Policy

log = logging.getLogger(__name__)

#: Road (or walking) distance per straight-line distance where no network measures it. An
#: assumption: typical of English roads between towns (about 1.2 to 1.4).
ROAD_FACTOR = 1.3
#: Average speed of a journey estimated off the network (an assumption: rural A roads with
#: town ends), for ride times to schools beyond it.
ESTIMATED_SPEED_KMH = 50.0
ESTIMATE_NOTE = " (Distances estimated: the school lies beyond the road network.)"


def beyond_network(schools: pd.DataFrame, bounds: Bounds | None) -> set[str]:
    """URNs of schools whose location lies outside the network's area."""
    if bounds is None or schools.empty:
        return set()
    outside = [not bounds.contains(float(la), float(lo)) for la, lo in zip(schools["lat"], schools["lon"], strict=True)]
    return set(schools.loc[outside, "urn"].astype(str))


def road_m(lat1: float | np.ndarray, lon1: float | np.ndarray, lat2: float | np.ndarray,
           lon2: float | np.ndarray) -> np.ndarray:
    """Estimated road metres between points: the great-circle distance times ROAD_FACTOR."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlat, dlon = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return ROAD_FACTOR * 2 * 6_371_000.0 * np.arcsin(np.sqrt(a))


def estimated_drive_s(metres: float | np.ndarray) -> np.ndarray:
    """Drive seconds for an estimated road distance (ESTIMATED_SPEED_KMH)."""
    return np.asarray(metres) / (ESTIMATED_SPEED_KMH * 1000 / 3600)


def routable(inputs: Inputs, beyond: set[str]) -> Inputs:
    """The inputs the routing steps see: schools inside the network and the pupils who attend them."""
    if not beyond:
        return inputs
    schools = inputs.schools[~inputs.schools["urn"].astype(str).isin(beyond)].reset_index(drop=True)
    pupils = inputs.pupils[~inputs.pupils["school_urn"].astype(str).isin(beyond)].reset_index(drop=True)
    return replace(inputs, schools=schools, pupils=pupils)


def assess_with_placements(pupils: pd.DataFrame, schools: pd.DataFrame, walk: nx.MultiDiGraph, policy: Policy,
                           beyond: set[str], drive: nx.MultiDiGraph | None = None) -> pd.DataFrame:
    """Eligibility of every pupil: walking routes on the network for pupils at schools inside it,
    estimated distances (to every school) for pupils at schools beyond it; rows in `pupils`' order."""
    at_beyond = pupils["school_urn"].astype(str).isin(beyond)
    if not at_beyond.any():
        local_schools = schools[~schools["urn"].astype(str).isin(beyond)]
        return assess_eligibility(pupils, local_schools.reset_index(drop=True), walk, policy, drive)
    log.info("%d pupils attend schools beyond the network (%s): their distances are estimated, and officers are asked "
             "to measure them (eligibility_actions.csv)", int(at_beyond.sum()),
             ", ".join(sorted(set(pupils.loc[at_beyond, "school_urn"].astype(str)))))
    local = pupils[~at_beyond].reset_index(drop=True)
    local_schools = schools[~schools["urn"].astype(str).isin(beyond)].reset_index(drop=True)
    parts = [assess_eligibility(local, local_schools, walk, policy, drive)] if len(local) else []
    far = pupils[at_beyond].reset_index(drop=True)
    metres = road_m(far["lat"].to_numpy(float)[:, None], far["lon"].to_numpy(float)[:, None],
                    schools["lat"].to_numpy(float)[None, :], schools["lon"].to_numpy(float)[None, :])
    estimated = decide(far, schools.reset_index(drop=True), WalkDistances(metres, list(schools["urn"].astype(str))), policy)
    estimated["reason"] = estimated["reason"].astype(str) + ESTIMATE_NOTE
    estimated["distances_estimated"] = True
    parts.append(estimated)
    columns = list(parts[0].columns)
    merged = pd.concat(parts, ignore_index=True).set_index("pupil_id")
    return merged.loc[pupils["pupil_id"]].reset_index()[columns]

