"""End to end on the project's own small town (1-mile blocks), worked out by hand.

Layout (see tests/osm_fixture.py), in miles; East Lane C->F is one-way northbound and the
footway B-E is not drivable:

    D ---- E ---- F   F: Hilltop special school (SEMH)
    |             ^
    A ---- B ---- C   A: the taxi depot; B: Valley Academy (secondary)

Four secondary-age pupils with EHC plans for SEMH travel alone to Hilltop. Both schools ring
at 09:15 and finish at 15:00. Boarding takes 15 minutes, so with solo travel and the bell
windows (arrive 5-20 minutes before; leave 5-25 minutes after) no taxi can carry two pupils in a run:
every pupil has a taxi to themselves, depot -> home -> school -> depot in the morning and
depot -> school -> home -> depot in the afternoon.

A new 2-place SEMH unit at Valley Academy (B) is closer for P1 (home A: 1 mile instead of 3)
and P4 (home half way from A to B: 0.5 instead of 2.5), and no closer for P2 (home D: 2 and 2)
or P3 (home C: 1 and 1). Exactly P1 and P4 move.

Miles a day, depot A:
  P1 to Hilltop: AM 0 + 3 (A-B-C-F) + 3 (F-E-D-A) = 6; PM 3 + 3 + 0 = 6    -> 12
  P1 to the unit: AM 0 + 1 + 1 = 2; PM 1 + 1 + 0 = 2                         ->  4
  P4 to Hilltop: AM 0.5 + 2.5 + 3 = 6; PM 3 + 3.5 (F-E-D-A, half of A-B) + 0.5 = 7 -> 13
  P4 to the unit: AM 0.5 + 0.5 + 1 = 2; PM 1 + 0.5 + 0.5 = 2                ->  4
Saving 17 miles a day; at £2.00 a mile over 190 days plus a 5% management overhead:
17 x 2.00 x 190 x 1.05 = £6,783.00 a year. Taxi day prices are unchanged (four taxis a run
either way).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.osm_fixture import lat_lon, town_xml
from transport.check import check_output_dir
from transport.pipeline import run
from transport.scenarios import load_scenario

MILE = 1609.344


def _at(x_miles: float, y_miles: float) -> tuple[float, float]:
    return lat_lon(x_miles * MILE, y_miles * MILE)


SCHOOL_NAME_HOSTILE = "Valley Academy <script>window.__pwned = 1</script> `${window.__pwned = 2}` \" ' &"


def write_town_case(folder: Path, school_name: str = SCHOOL_NAME_HOSTILE) -> Path:
    """The town, its schools, pupils, vehicles and two scenarios; returns the folder."""
    (folder / "town.osm").write_text(town_xml(block_m=MILE), encoding="utf-8")
    f_lat, f_lon = _at(2, 1)
    b_lat, b_lon = _at(1, 0)
    pd.DataFrame([
        {"urn": "900001", "name": "Hilltop School", "lat": f_lat, "lon": f_lon, "phase": "all-through", "type": "special",
         "start_time": "09:15", "finish_time": "15:00"},
        {"urn": "900002", "name": school_name, "lat": b_lat, "lon": b_lon, "phase": "secondary", "type": "mainstream",
         "start_time": "09:15", "finish_time": "15:00"},
    ]).to_csv(folder / "schools.csv", index=False)
    homes = {"P1": (0, 0), "P2": (0, 1), "P3": (2, 0), "P4": (0.5, 0)}
    pd.DataFrame([
        {"pupil_id": pid, "lat": _at(*xy)[0], "lon": _at(*xy)[1], "age": 12, "school_urn": "900001", "ehcp": "yes",
         "send_need": "SEMH", "travel_alone": "yes"} for pid, xy in homes.items()
    ]).to_csv(folder / "pupils.csv", index=False)
    d_lat, d_lon = _at(0, 0)
    pd.DataFrame([{"vehicle_type": "taxi", "seats": 4, "wheelchair_spaces": 0, "daily_price_gbp": 40, "price_per_mile_gbp": 2.0,
                   "available": 10, "depot": "Depot A", "depot_lat": d_lat, "depot_lon": d_lon}]).to_csv(folder / "vehicles.csv", index=False)
    (folder / "baseline.toml").write_text(
        'name = "town"\n'
        '[data]\nnetwork = "town.osm"\nschools = "schools.csv"\npupils = "pupils.csv"\nvehicles = "vehicles.csv"\ncontracts = ""\n'
        '[policy]\nboarding_minutes = 15\nboarding_minutes_wheelchair = 15\n'
        '[optimise]\ntime_limit_s = 3\nworkers = 1\n', encoding="utf-8")
    (folder / "unit.toml").write_text(
        'name = "town-unit"\nbase = "baseline.toml"\n'
        '[[new_provision]]\nname = "Valley SEMH unit"\nurn = "NEW-1"\nat_school = "900002"\nplaces = 2\n'
        'needs = ["SEMH"]\nphase = "secondary"\ncapital_cost_gbp = 50000\n', encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def town_runs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = write_town_case(tmp_path_factory.mktemp("town-case"))
    base = run(load_scenario(folder / "baseline.toml"), folder / "out-base", progress=False)
    unit = run(load_scenario(folder / "unit.toml"), folder / "out-unit", progress=False)
    return {"folder": folder, "base": base, "unit": unit}


def test_every_pupil_is_eligible_and_transported(town_runs: dict) -> None:
    base = town_runs["base"]
    assert base.summary["pupils_eligible"] == 4
    assert base.summary["pupils_transported"] == 4
    assert base.summary["requests_unserved"] == {"AM": 0, "PM": 0}


def test_solo_pupils_each_have_a_taxi(town_runs: dict) -> None:
    for result in (town_runs["base"], town_runs["unit"]):
        assert result.summary["vehicles_by_type"] == {"AM": {"taxi": 4}, "PM": {"taxi": 4}}


def test_new_unit_moves_exactly_the_two_pupils_it_is_closer_for(town_runs: dict) -> None:
    moves = town_runs["unit"].moves
    assert sorted(moves["pupil_id"]) == ["P1", "P4"]
    assert (moves["drive_km_after"] < moves["drive_km_before"]).all()


def test_cost_difference_matches_the_hand_calculation(town_runs: dict) -> None:
    saving = town_runs["base"].summary["annual_cost_gbp"] - town_runs["unit"].summary["annual_cost_gbp"]
    assert saving == pytest.approx(17 * 2.00 * 190 * 1.05, abs=2.0)


def test_both_runs_pass_the_independent_check(town_runs: dict) -> None:
    for key in ("base", "unit"):
        assert check_output_dir(town_runs[key].out_dir) == []


def test_outputs_are_written(town_runs: dict) -> None:
    out = town_runs["base"].out_dir
    for name in ("summary.json", "eligibility.csv", "routes.geojson", "map.html", "budget.xlsx", "route_sheets/index.html",
                 "runs/AM/routes.csv", "runs/PM/unserved.csv"):
        assert (out / name).is_file(), name


def test_hostile_school_name_is_escaped_in_every_html_output(town_runs: dict) -> None:
    out = town_runs["base"].out_dir
    pages = [out / "map.html", *sorted((out / "route_sheets").glob("*.html"))]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "<script>window.__pwned" not in text, page.name
    joined = "".join(p.read_text(encoding="utf-8") for p in pages)
    assert "&lt;script&gt;window.__pwned" in joined
    assert "${window.__pwned" not in (out / "map.html").read_text(encoding="utf-8")
