"""From eligible pupils to requests: pick-up points, bell windows, ride limits, partitions, the fleet.

Hand-made tables, no network (pick-up points themselves are tested in tests/test_stops.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import vehicles
from tests.osm_fixture import lat_lon
from transport.demand import build_demand, routing_problem
from transport.fleet import FleetPrices, fleet
from transport.policy import Policy
from transport.units import gbp_to_pence, minutes_to_s

START, FINISH = 8 * 3600 + 50 * 60, 15 * 3600 + 15 * 60  # 08:50 and 15:15
ASSISTANT_GBP = 80.18


def schools() -> pd.DataFrame:
    rows = [("S1", 0, 0, "primary"), ("S2", 150, 0, "secondary"), ("S3", 20_000, 0, "secondary")]
    out = []
    for urn, x, y, phase in rows:
        lat, lon = lat_lon(x, y)
        out.append({"urn": urn, "name": urn, "lat": lat, "lon": lon, "phase": phase, "type": "mainstream",
                    "start_s": START, "finish_s": FINISH})
    return pd.DataFrame(out)


def pupil(pid: str, urn: str, age: int, x: float, *, wheelchair: bool = False, assistant: bool = False,
          alone: bool = False, ride: float | None = None, avoid: str = "") -> dict:
    lat, lon = lat_lon(x, 300)
    return {"pupil_id": pid, "school_urn": urn, "age": age, "lat": lat, "lon": lon, "wheelchair": wheelchair,
            "passenger_assistant": assistant, "travel_alone": alone, "max_ride_minutes": ride, "avoid_with": avoid,
            "send_need": "", "ehcp": False}


def decided(pupils: pd.DataFrame, door: set[str]) -> pd.DataFrame:
    return pd.DataFrame({"pupil_id": pupils["pupil_id"], "eligible": True, "door_to_door": pupils["pupil_id"].isin(door),
                         "reason_code": "DISTANCE_8_PLUS"})


def stops_for(pupils: pd.DataFrame, pids: list[str], stop_id: str = "T1") -> pd.DataFrame:
    lat, lon = lat_lon(50, 300)
    chosen = pupils[pupils["pupil_id"].isin(pids)]
    return pd.DataFrame({"pupil_id": chosen["pupil_id"], "school_urn": chosen["school_urn"], "stop_id": stop_id,
                         "stop_lat": lat, "stop_lon": lon, "walk_to_stop_m": 120.0})


@pytest.fixture
def demand_case():
    pupils = pd.DataFrame([
        pupil("P1", "S1", 7, 0), pupil("P2", "S1", 9, 10), pupil("P3", "S2", 13, 20, ride=30),
        pupil("W1", "S2", 12, 40, wheelchair=True, assistant=True, alone=True, avoid="P5"),
        pupil("P5", "S2", 14, 60), pupil("P6", "S3", 12, 70),
    ])
    elig = decided(pupils, door={"W1", "P5", "P6"})
    demand = build_demand(pupils, elig, schools(), vehicles(), Policy(), stops_for(pupils, ["P1", "P2", "P3"]))
    return pupils, demand


def by_id(requests) -> dict:
    return {r.request_id: r for r in requests}


def test_door_to_door_pupils_are_collected_from_home_and_the_others_from_their_stop(demand_case) -> None:
    _, demand = demand_case
    mode = dict(zip(demand.pupils["pupil_id"], demand.pupils["mode"], strict=True))
    assert mode == {"P1": "stop", "P2": "stop", "P3": "stop", "W1": "door", "P5": "door", "P6": "door"}
    kinds = demand.locations["kind"].value_counts().to_dict()
    assert kinds == {"depot": 1, "school": 3, "stop": 1, "home": 3}


def test_a_stop_serves_one_request_per_school(demand_case) -> None:
    _, demand = demand_case
    am = by_id(demand.requests["AM"])
    assert set(am) == {"T1-S1", "T1-S2", "W1", "P5", "P6"}
    assert am["T1-S1"].members == ("P1", "P2") and am["T1-S1"].seats == 2
    assert am["T1-S2"].members == ("P3",)


def test_a_stop_with_more_pupils_than_a_group_is_split() -> None:
    pupils = pd.DataFrame([pupil(f"P{i}", "S2", 12, i) for i in range(20)])
    demand = build_demand(pupils, decided(pupils, set()), schools(), vehicles(), Policy(stop_group_max_pupils=8),
                          stops_for(pupils, list(pupils["pupil_id"])))
    sizes = sorted(r.seats for r in demand.requests["AM"])
    assert sizes == [4, 8, 8]


def test_the_morning_window_is_the_bell_less_the_arrival_margins(demand_case) -> None:
    """Arrive 5 to 20 minutes before the 08:50 bell: 08:30 to 08:45 at the school."""
    _, demand = demand_case
    request = by_id(demand.requests["AM"])["P6"]
    assert request.delivery_window == (START - 20 * 60, START - 5 * 60)
    assert request.pickup_window is None
    assert request.pickup == demand.pupils.set_index("pupil_id").at["P6", "location"]


def test_the_afternoon_window_opens_after_the_bell_and_the_run_goes_home(demand_case) -> None:
    """Leave 5 to 25 minutes after the 15:15 bell, from school to home."""
    _, demand = demand_case
    request = by_id(demand.requests["PM"])["P6"]
    assert request.pickup_window == (FINISH + 5 * 60, FINISH + 25 * 60)
    assert request.delivery_window is None
    assert request.delivery == demand.pupils.set_index("pupil_id").at["P6", "location"]


@pytest.mark.parametrize(("ages", "overrides", "minutes"), [
    ([7], [None], 45), ([10], [None], 45), ([11], [None], 75), ([15, 16], [None, None], 75),
    ([11, 10], [None, None], 45), ([13], [30.0], 30), ([13, 14], [None, 50.0], 50), ([7], [60.0], 45),
])
def test_the_ride_limit_is_the_primary_one_when_any_pupil_is_of_primary_age(ages, overrides, minutes) -> None:
    """DfE best practice: 45 minutes primary (age 10 and under), 75 secondary; a pupil's own
    shorter limit wins, a longer one does not."""
    assert Policy().max_ride_s(ages, overrides) == minutes_to_s(minutes)


def test_requests_carry_the_ride_limit_and_the_pupils_needs(demand_case) -> None:
    _, demand = demand_case
    am = by_id(demand.requests["AM"])
    assert am["T1-S1"].max_ride_s == 45 * 60 and am["T1-S2"].max_ride_s == 30 * 60
    w1 = am["W1"]
    assert (w1.wheelchairs, w1.needs_assistant, w1.travel_alone) == (1, True, True)
    assert w1.pickup_service_s == minutes_to_s(Policy().boarding_minutes_wheelchair)
    assert demand.incompatible == (("W1", "P5"),)


def test_door_to_door_and_pick_up_point_requests_are_partitioned_apart_by_school_cluster(demand_case) -> None:
    """S1 and S2 are 150 m apart (one cluster); S3 is 20 km away."""
    _, demand = demand_case
    partition = {r.request_id: r.partition for r in demand.requests["AM"]}
    assert partition["T1-S1"] == partition["T1-S2"] == "mainstream:S1"
    assert partition["W1"] == partition["P5"] == "send:S1"
    assert partition["P6"] == "send:S3"


def test_without_mixing_every_school_is_its_own_partition(demand_case) -> None:
    pupils, _ = demand_case
    elig = decided(pupils, door={"W1", "P5", "P6"})
    demand = build_demand(pupils, elig, schools(), vehicles(), Policy(mixed_school_vehicles=False),
                          stops_for(pupils, ["P1", "P2", "P3"]))
    partition = {r.request_id: r.partition for r in demand.requests["AM"]}
    assert partition["T1-S1"] == "mainstream:S1" and partition["T1-S2"] == "mainstream:S2"
    assert partition["W1"] == "send:S2"


def test_each_catalogue_row_gives_a_plain_and_an_assisted_variant_priced_per_run(demand_case) -> None:
    """Half the day price per run; the assistant's day price added to the assisted variant; the
    price per mile as pence per km (160p a mile = 99p a km)."""
    _, demand = demand_case
    types = fleet(vehicles(), demand.locations, demand.requests["AM"], FleetPrices(ASSISTANT_GBP))
    limited = fleet(vehicles(), demand.locations, demand.requests["AM"], FleetPrices(ASSISTANT_GBP, assistants_available=2))
    assert {vt.name: vt.count for vt in limited if vt.has_assistant} == {"taxi@Oakham+PA": 2, "wheelchair_taxi@Oakham+PA": 2}
    by_name = {vt.name: vt for vt in types}
    assert set(by_name) == {"taxi@Oakham", "taxi@Oakham+PA", "wheelchair_taxi@Oakham", "wheelchair_taxi@Oakham+PA"}
    assert by_name["taxi@Oakham"].fixed_cost == gbp_to_pence(20)
    assert by_name["taxi@Oakham+PA"].fixed_cost == gbp_to_pence((40 + ASSISTANT_GBP) / 2)
    assert by_name["taxi@Oakham"].cost_per_km == round(160 / 1.609344)
    # both variants draw on the row's one count of 6 (a shared pool), not a fixed split; neither
    # is offered more vehicles than there are requests (5 in the morning)
    assert by_name["taxi@Oakham+PA"].count == by_name["taxi@Oakham"].count == min(6, len(demand.requests["AM"])) == 5
    assert {vt.pool for vt in types if vt.catalogue_type == "taxi"} == {"taxi@Oakham"}
    assert by_name["taxi@Oakham+PA"].pool_size == by_name["taxi@Oakham"].pool_size == 6
    assert by_name["taxi@Oakham+PA"].usable_seats == 3 and by_name["taxi@Oakham"].usable_seats == 4
    depot = int(demand.locations.index[demand.locations["kind"] == "depot"][0])
    assert all(vt.start == vt.end == depot for vt in types)


def test_no_assisted_variants_when_nobody_needs_an_assistant() -> None:
    pupils = pd.DataFrame([pupil("P1", "S2", 12, 0)])
    demand = build_demand(pupils, decided(pupils, {"P1"}), schools(), vehicles(), Policy(), stops_for(pupils, []))
    problem = routing_problem(demand, "AM", np.zeros((6, 6), dtype=np.int64), np.zeros((6, 6), dtype=np.int64), vehicles(),
                              FleetPrices(ASSISTANT_GBP))
    assert not any(vt.has_assistant for vt in problem.vehicle_types)


def test_a_school_with_more_requests_than_a_search_handles_is_split_into_sectors() -> None:
    """400 pupils at one school, all door to door, homes all round it: three partitions of at most 160,
    each a sector of bearings from the school, the same on both runs."""
    from transport.demand import MAX_PARTITION_REQUESTS

    angles = np.linspace(0, 2 * np.pi, 400, endpoint=False)
    pupils = pd.DataFrame([pupil(f"P{k:03d}", "S2", 12, 0) for k in range(400)])
    pupils[["lat", "lon"]] = [lat_lon(150 + 2000 * np.cos(a), 2000 * np.sin(a)) for a in angles]
    demand = build_demand(pupils, decided(pupils, set(pupils["pupil_id"])), schools(), vehicles(), Policy(),
                          stops_for(pupils, []))
    for run in ("AM", "PM"):
        parts = pd.Series([r.partition for r in demand.requests[run]])
        assert parts.nunique() == 3 and parts.value_counts().max() <= MAX_PARTITION_REQUESTS
    am = {r.request_id: r.partition for r in demand.requests["AM"]}
    pm = {r.request_id: r.partition for r in demand.requests["PM"]}
    assert am == pm
    # a sector is a run of neighbouring bearings: pupils next to each other round the circle share one
    neighbours = sum(am[f"P{k:03d}"] == am[f"P{(k + 1) % 400:03d}"] for k in range(400))
    assert neighbours >= 400 - 3
