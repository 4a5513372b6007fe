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
Saving 17 miles a day; at £2.00 a mile over 190 days: 17 x 2.00 x 190 = £6,460.00 a year. Taxi
day prices are unchanged (four taxis a run either way), and so is the transport team, a fixed
cost that does not move with route savings.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests.conftest import write_town_case
from transport.check import check_output_dir
from transport.pipeline import run_and_write
from transport.scenarios import load_scenario


@pytest.fixture(scope="module")
def town_runs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = write_town_case(tmp_path_factory.mktemp("town-case"))
    base = run_and_write(load_scenario(folder / "baseline.toml"), folder / "out-base")
    unit = run_and_write(load_scenario(folder / "unit.toml"), folder / "out-unit")
    return {"folder": folder, "base": base, "unit": unit, "dirs": {"base": folder / "out-base", "unit": folder / "out-unit"}}


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
    assert saving == pytest.approx(17 * 2.00 * 190, abs=2.0)
    assert town_runs["base"].summary["annual_overhead_gbp"] == town_runs["unit"].summary["annual_overhead_gbp"]


def test_both_runs_pass_the_independent_check(town_runs: dict) -> None:
    for key in ("base", "unit"):
        assert check_output_dir(town_runs["dirs"][key], require_complete=True) == []


def test_outputs_are_written(town_runs: dict) -> None:
    out = town_runs["dirs"]["base"]
    for name in ("summary.json", "eligibility.csv", "routes.geojson", "map.html", "budget.xlsx", "route_sheets/index.html",
                 "runs/AM/routes.csv", "runs/PM/unserved.csv"):
        assert (out / name).is_file(), name


def test_hostile_school_name_is_escaped_in_every_html_output(town_runs: dict) -> None:
    out = town_runs["dirs"]["base"]
    pages = [out / "map.html", out / "index.html", *sorted((out / "route_sheets").glob("*.html"))]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "<script>window.__pwned" not in text, page.name
    # the school (no pupil of it rides here) is on the map only, in its data as escaped JSON
    assert "\\u003cscript\\u003ewindow.__pwned" in pages[0].read_text(encoding="utf-8")
    assert "${window.__pwned" not in (out / "map.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def boarding_quickly(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The town with one-minute boarding, so that nothing but travelling alone keeps the four
    pupils apart: once as they are (travelling alone), once with that flag cleared."""
    folder = write_town_case(tmp_path_factory.mktemp("solo-case"))
    pupils = pd.read_csv(folder / "pupils.csv", dtype=str)
    pupils.assign(travel_alone="no").to_csv(folder / "pupils_together.csv", index=False)
    quick = '[policy]\nboarding_minutes = 1\nboarding_minutes_wheelchair = 1\n'
    (folder / "solo.toml").write_text(f'name = "solo"\nbase = "baseline.toml"\n{quick}', encoding="utf-8")
    (folder / "together.toml").write_text(
        f'name = "together"\nbase = "baseline.toml"\n[data]\npupils = "pupils_together.csv"\n{quick}', encoding="utf-8")
    from transport.pipeline import run

    return {name: run(load_scenario(folder / f"{name}.toml")) for name in ("solo", "together")}


def _most_aboard(result) -> int:
    return max(v.seats_load for solution in result.solutions.values() for r in solution.routes for v in r.visits)


def test_pupils_who_must_travel_alone_never_share_a_ride(boarding_quickly: dict) -> None:
    assert _most_aboard(boarding_quickly["together"]) >= 2  # without the rule a taxi would pool them
    assert _most_aboard(boarding_quickly["solo"]) == 1
    assert boarding_quickly["solo"].summary["pupils_transported"] == 4
