"""Pick-up points for mainstream pupils who walk to a stop.

Each school's pupils are covered greedily from the road-network junctions nearest their
homes: a junction within the policy's walking distance (measured on the walk graph) that
serves the most uncovered pupils becomes a stop, until every pupil has one. A pupil with no
junction in reach is collected from home.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from transport.matrix import nearest_nodes, travel_matrices
from transport.policy import Policy
from transport.schemas import PICKUP_POINTS
from transport.units import miles_to_m


def plan_pickup_points(pupils: pd.DataFrame, drive: nx.MultiDiGraph, walk: nx.MultiDiGraph, policy: Policy) -> pd.DataFrame:
    """Assign each stop-eligible pupil a pick-up point: pupil_id, stop_id, stop_lat, stop_lon, walk_to_stop_m."""
    if pupils.empty:
        return PICKUP_POINTS.frame()
    limit_m = miles_to_m(policy.pickup_point_max_walk_miles)
    node_ids = nearest_nodes(drive, pupils["lat"].to_numpy(float), pupils["lon"].to_numpy(float))
    rows = []
    stop_count = 0
    for urn, group in pupils.assign(node=node_ids).groupby("school_urn", sort=True):
        candidates = list(dict.fromkeys(group["node"]))
        c_lat = np.array([drive.nodes[n]["y"] for n in candidates])
        c_lon = np.array([drive.nodes[n]["x"] for n in candidates])
        lats = np.concatenate([c_lat, group["lat"].to_numpy(float)])
        lons = np.concatenate([c_lon, group["lon"].to_numpy(float)])
        m = travel_matrices(walk, lats, lons, weight="length", origins=np.arange(len(candidates)))
        metres = m.distance_m[:, len(candidates):]  # walk graph is symmetric: candidate -> home = home -> candidate
        covers = metres <= limit_m
        uncovered = np.ones(len(group), dtype=bool)
        while uncovered.any():
            gain = (covers & uncovered).sum(axis=1)
            best = int(np.argmax(gain))
            if gain[best] == 0:
                break
            stop_count += 1
            taken = covers[best] & uncovered
            for k in np.flatnonzero(taken):
                rows.append({"pupil_id": group["pupil_id"].iat[k], "school_urn": urn, "stop_id": f"S{stop_count:04d}",
                             "stop_lat": c_lat[best], "stop_lon": c_lon[best], "walk_to_stop_m": round(float(metres[best, k]), 1)})
            uncovered &= ~taken
        for k in np.flatnonzero(uncovered):  # nowhere within walking distance: collected from home
            stop_count += 1
            rows.append({"pupil_id": group["pupil_id"].iat[k], "school_urn": urn, "stop_id": f"S{stop_count:04d}",
                         "stop_lat": group["lat"].iat[k], "stop_lon": group["lon"].iat[k], "walk_to_stop_m": 0.0})
    return PICKUP_POINTS.frame(rows)
