"""Scenarios: the shipped files load, bad files give clear errors (InputError; exit code 2 with
no traceback from the command line), a base plus changes merges key by key, and new SEND
provision is checked against the schools and pupils it names.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import write_town_case
from tests.osm_fixture import lat_lon
from transport.errors import InputError
from transport.provision import add_provision, move_pupils
from transport.scenarios import NewProvision, load_scenario

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "scenarios"


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python -m transport.cli ...` as a user would run it (no data folder configured)."""
    env = {k: v for k, v in os.environ.items() if k != "TRANSPORT_DATA_DIR"}
    return subprocess.run([sys.executable, "-m", "transport.cli", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


# --------------------------------------------------------------------------- the shipped scenarios


@pytest.mark.parametrize("path", sorted(SHIPPED.glob("*.toml")), ids=lambda p: p.stem)
def test_each_shipped_scenario_loads_under_its_file_name(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.name == path.stem
    assert scenario.path(scenario.data.vehicles).resolve() == ROOT / "data" / "vehicles.csv"


def test_new_send_unit_adds_a_provision_on_top_of_the_baseline() -> None:
    scenario = load_scenario(SHIPPED / "new-send-unit.toml")
    (unit,) = scenario.new_provision
    assert (unit.at_school, unit.places, unit.needs, unit.phase) == ("136629", 12, ("SEMH",), "secondary")
    assert scenario.data.contracts == "synthetic"  # from baseline.toml


def test_prices_up_multiplies_prices_and_keeps_the_other_costs() -> None:
    costs = load_scenario(SHIPPED / "prices-up.toml").costs
    assert costs.price_multiplier == 1.15
    assert costs.model_dump(exclude={"price_multiplier"}) == load_scenario(SHIPPED / "baseline.toml").costs.model_dump(exclude={"price_multiplier"})


def test_policy_post16_transports_post16_by_distance_and_keeps_the_baseline_data() -> None:
    scenario = load_scenario(SHIPPED / "policy-post16.toml")
    assert scenario.policy.post16 == "distance"
    assert scenario.data == load_scenario(SHIPPED / "baseline.toml").data


# --------------------------------------------------------------------------- bad scenario files


def test_an_unknown_key_suggests_the_closest_valid_key(tmp_path: Path) -> None:
    path = write(tmp_path, "s.toml", 'name = "s"\n[optimise]\ntime_limt_s = 5\n')
    with pytest.raises(InputError, match=r"s.toml, column 'optimise.time_limt_s': unknown key. Did you mean 'time_limit_s'\?"):
        load_scenario(path)


def test_a_top_level_typo_suggests_the_table(tmp_path: Path) -> None:
    path = write(tmp_path, "s.toml", 'name = "s"\n[polcy]\npost16 = "distance"\n')
    with pytest.raises(InputError, match=r"column 'polcy': unknown key. Did you mean 'policy'\?"):
        load_scenario(path)


def test_a_typo_inside_a_new_provision_suggests_the_key(tmp_path: Path) -> None:
    path = write(tmp_path, "s.toml", 'name = "s"\n[[new_provision]]\nname = "u"\nurn = "N1"\nplaces = 2\nneeds = ["ASD"]\n'
                                     'phase = "primary"\nat_shool = "900002"\n')
    with pytest.raises(InputError, match=r"column 'new_provision.0.at_shool': unknown key. Did you mean 'at_school'\?"):
        load_scenario(path)


def test_an_unknown_key_with_nothing_close_lists_the_valid_keys(tmp_path: Path) -> None:
    path = write(tmp_path, "s.toml", 'name = "s"\n[optimise]\nxyzzy = 1\n')
    with pytest.raises(InputError, match="Valid keys: time_limit_s, workers, seed, solution_limit"):
        load_scenario(path)


def test_a_missing_base_file_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "child.toml", 'name = "child"\nbase = "nowhere.toml"\n')
    with pytest.raises(InputError, match=r"child.toml, column 'base': scenario file not found: .*nowhere.toml") as exc:
        load_scenario(path)
    assert [(p.file, p.column) for p in exc.value.problems] == [("child.toml", "base")]


def test_a_circular_base_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "b.toml", 'name = "b"\nbase = "a.toml"\n')
    path = write(tmp_path, "a.toml", 'name = "a"\nbase = "b.toml"\n')
    with pytest.raises(InputError, match="circular base: a.toml -> b.toml -> a.toml"):
        load_scenario(path)


def test_a_scenario_that_is_its_own_base_is_circular(tmp_path: Path) -> None:
    path = write(tmp_path, "a.toml", 'name = "a"\nbase = "a.toml"\n')
    with pytest.raises(InputError, match="circular base: a.toml -> a.toml"):
        load_scenario(path)


def test_a_base_that_is_not_a_path_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "s.toml", 'name = "s"\nbase = 3\n')
    with pytest.raises(InputError, match="column 'base': must be a file path"):
        load_scenario(path)


def test_a_word_for_a_number_is_a_type_error(tmp_path: Path) -> None:
    path = write(tmp_path, "s.toml", 'name = "s"\n[optimise]\ntime_limit_s = "fast"\n')
    with pytest.raises(InputError, match=r"column 'optimise.time_limit_s': Input should be a valid number.*\(found 'fast'\)"):
        load_scenario(path)


def test_negative_places_are_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "s.toml", 'name = "s"\n[[new_provision]]\nname = "u"\nurn = "N1"\nplaces = -3\nneeds = ["ASD"]\n'
                                     'phase = "primary"\nat_school = "900002"\n')
    with pytest.raises(InputError, match=r"column 'new_provision.0.places': Input should be greater than 0 \(found '-3'\)"):
        load_scenario(path)


def test_several_bad_values_are_reported_together(tmp_path: Path) -> None:
    path = write(tmp_path, "s.toml", 'name = "s"\n[optimise]\ntime_limit_s = "fast"\nworkers = 0\n[costs]\nschool_dayz = 190\n')
    with pytest.raises(InputError) as exc:
        load_scenario(path)
    assert sorted(p.column for p in exc.value.problems) == ["costs.school_dayz", "optimise.time_limit_s", "optimise.workers"]


def test_invalid_toml_is_reported_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "s.toml", 'name = "s"\n[optimise\n')
    with pytest.raises(InputError, match=r"s.toml: not valid TOML \(.*line 2"):
        load_scenario(path)


def test_a_typo_in_a_base_file_is_reported_in_that_file(tmp_path: Path) -> None:
    write(tmp_path, "base.toml", 'name = "base"\n[costs]\nschool_dayz = 190\n')
    path = write(tmp_path, "child.toml", 'name = "child"\nbase = "base.toml"\n')
    with pytest.raises(InputError) as exc:
        load_scenario(path)
    assert [(p.file, p.column) for p in exc.value.problems] == [("base.toml", "costs.school_dayz")]


BAD_FILES = {
    "unknown-key": ({"s.toml": 'name = "s"\n[optimise]\ntime_limt_s = 5\n'}, "Did you mean 'time_limit_s'?"),
    "missing-base": ({"s.toml": 'name = "s"\nbase = "nowhere.toml"\n'}, "scenario file not found"),
    "circular-base": ({"s.toml": 'name = "s"\nbase = "b.toml"\n', "b.toml": 'name = "b"\nbase = "s.toml"\n'},
                      "circular base: s.toml -> b.toml -> s.toml"),
    "wrong-type": ({"s.toml": 'name = "s"\n[optimise]\ntime_limit_s = "fast"\n'}, "column 'optimise.time_limit_s'"),
    "invalid-toml": ({"s.toml": 'name = "s"\n[optimise\n'}, "not valid TOML"),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=str)
def test_the_command_line_exits_2_with_the_message_and_no_traceback(tmp_path: Path, case: str) -> None:
    files, message = BAD_FILES[case]
    for name, text in files.items():
        write(tmp_path, name, text)
    done = cli("run", "s.toml", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert (done.returncode, message in done.stderr, "Traceback" in done.stdout + done.stderr) == (2, True, False), done.stderr


# --------------------------------------------------------------------------- a base plus changes


BASE = """name = "base"
[data]
schools = "schools.csv"
pupils = "sub/pupils.csv"
[policy]
post16 = "distance"
boarding_minutes = 3
[costs]
school_days = 180
"""


def test_a_child_overriding_one_policy_key_keeps_the_others(tmp_path: Path) -> None:
    write(tmp_path, "base.toml", BASE)
    child = load_scenario(write(tmp_path, "child.toml", 'name = "child"\nbase = "base.toml"\n[policy]\nboarding_minutes = 7\n'))
    assert (child.policy.boarding_minutes, child.policy.post16, child.costs.school_days) == (7, "distance", 180)
    assert child.name == "child"


def test_paths_in_a_base_in_another_folder_stay_relative_to_the_base(tmp_path: Path) -> None:
    write(tmp_path / "base", "base.toml", BASE)
    child = load_scenario(write(tmp_path / "child", "child.toml",
                                'name = "child"\nbase = "../base/base.toml"\n[data]\nvehicles = "fleet.csv"\n'))
    resolved = {key: child.path(getattr(child.data, key)).resolve() for key in ("schools", "pupils", "vehicles")}
    assert resolved == {"schools": tmp_path / "base" / "schools.csv", "pupils": tmp_path / "base" / "sub" / "pupils.csv",
                        "vehicles": tmp_path / "child" / "fleet.csv"}


def test_paths_stay_relative_to_their_file_through_a_chain_of_folders(tmp_path: Path) -> None:
    """c/c.toml -> b/b.toml -> a/a.toml; a.toml names schools.csv, so it is a/schools.csv."""
    write(tmp_path / "a", "a.toml", 'name = "a"\n[data]\nschools = "schools.csv"\n')
    write(tmp_path / "b", "b.toml", 'name = "b"\nbase = "../a/a.toml"\n')
    child = load_scenario(write(tmp_path / "c", "c.toml", 'name = "c"\nbase = "../b/b.toml"\n'))
    assert child.path(child.data.schools).resolve() == tmp_path / "a" / "schools.csv"


def test_keywords_in_a_base_in_another_folder_are_not_paths(tmp_path: Path) -> None:
    write(tmp_path / "base", "base.toml", 'name = "base"\n[data]\narea = "rutland"\nnetwork = "area"\nschools = "synthetic"\n')
    child = load_scenario(write(tmp_path / "child", "child.toml", 'name = "child"\nbase = "../base/base.toml"\n'))
    assert (child.data.area, child.data.network, child.data.schools) == ("rutland", "area", "synthetic")


@pytest.mark.parametrize(("key", "value"), [("network", "town.osm"), ("network", "town.osm.pbf"), ("network", "town.graphml"),
                                            ("pupils", "pupils.gpkg"), ("postcodes", "codepoint.csv")])
def test_each_kind_of_data_file_in_a_base_stays_relative_to_the_base(tmp_path: Path, key: str, value: str) -> None:
    write(tmp_path / "base", "base.toml", f'name = "base"\n[data]\n{key} = "{value}"\n')
    child = load_scenario(write(tmp_path / "child", "child.toml", 'name = "child"\nbase = "../base/base.toml"\n'))
    assert child.path(getattr(child.data, key)).resolve() == tmp_path / "base" / value


@pytest.mark.parametrize(("key", "value"), [("network", "town.osm.bz2"), ("network", "town.osm.gz"), ("schools", "Schools.CSV")])
def test_other_data_file_names_in_a_base_stay_relative_to_the_base(tmp_path: Path, key: str, value: str) -> None:
    write(tmp_path / "base", "base.toml", f'name = "base"\n[data]\n{key} = "{value}"\n')
    child = load_scenario(write(tmp_path / "child", "child.toml", 'name = "child"\nbase = "../base/base.toml"\n'))
    assert child.path(getattr(child.data, key)).resolve() == tmp_path / "base" / value


# --------------------------------------------------------------------------- new provision


def schools_frame() -> pd.DataFrame:
    """Hilltop (special, at F) and Valley Academy (secondary, at B) on the 100 m test town."""
    f_lat, f_lon = lat_lon(200, 100)
    b_lat, b_lon = lat_lon(100, 0)
    return pd.DataFrame([
        {"urn": "900001", "name": "Hilltop School", "lat": f_lat, "lon": f_lon, "phase": "all-through", "type": "special",
         "start_s": 33300, "finish_s": 54000, "religious_character": "", "places": 100.0, "sen_places": 100.0, "needs_served": "SEMH"},
        {"urn": "900002", "name": "Valley Academy", "lat": b_lat, "lon": b_lon, "phase": "secondary", "type": "mainstream",
         "start_s": 32400, "finish_s": 55800, "religious_character": "", "places": 900.0, "sen_places": 0.0, "needs_served": ""},
    ])


def unit(**change) -> NewProvision:
    fields = {"name": "Valley SEMH unit", "urn": "NEW-1", "at_school": "900002", "places": 2, "needs": ("SEMH",), "phase": "secondary"}
    return NewProvision(**(fields | change))


def test_a_unit_at_a_school_takes_its_location_and_bell_times() -> None:
    schools = add_provision(schools_frame(), (unit(),))
    added = schools.set_index("urn").loc["NEW-1"]
    host = schools_frame().set_index("urn").loc["900002"]
    assert (added["lat"], added["lon"], added["start_s"], added["finish_s"]) == (host["lat"], host["lon"], 32400, 55800)
    assert (added["type"], added["places"], added["needs_served"]) == ("resourced", 2.0, "SEMH")


def test_a_unit_at_a_school_that_does_not_exist_names_the_field() -> None:
    with pytest.raises(InputError, match=r"column 'new_provision\[0\].at_school': school URN does not exist \(found '999999'\)") as exc:
        add_provision(schools_frame(), (unit(at_school="999999"),), file="bad.toml")
    assert [(p.file, p.column, p.value) for p in exc.value.problems] == [("bad.toml", "new_provision[0].at_school", "999999")]


def test_an_existing_urn_cannot_be_the_new_provisions_urn() -> None:
    with pytest.raises(InputError, match=r"column 'new_provision\[0\].urn': URN '900002' is already a school"):
        add_provision(schools_frame(), (unit(urn="900002"),))


def test_two_new_provisions_cannot_share_a_urn() -> None:
    with pytest.raises(InputError, match="NEW-1"):
        add_provision(schools_frame(), (unit(), unit(name="Second unit", needs=("ASD",))))


@pytest.fixture(scope="module")
def town_bad_unit(tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess[str]:
    """The town case with a unit at a school URN that is not in its schools file."""
    folder = write_town_case(tmp_path_factory.mktemp("town-bad-unit"))
    write(folder, "bad-unit.toml", 'name = "town-bad"\nbase = "baseline.toml"\n[[new_provision]]\nname = "Valley SEMH unit"\n'
                                   'urn = "NEW-1"\nat_school = "999999"\nplaces = 2\nneeds = ["SEMH"]\nphase = "secondary"\n')
    return cli("run", "bad-unit.toml", "--out", str(folder / "out"), cwd=folder)


def test_the_command_line_rejects_an_unknown_host_school_with_exit_2(town_bad_unit: subprocess.CompletedProcess[str]) -> None:
    assert town_bad_unit.returncode == 2, town_bad_unit.stderr
    assert "Traceback" not in town_bad_unit.stdout + town_bad_unit.stderr


def test_the_command_line_names_the_field_and_the_urn(town_bad_unit: subprocess.CompletedProcess[str]) -> None:
    assert "column 'new_provision[0].at_school': school URN does not exist (found '999999')" in town_bad_unit.stderr


def test_the_command_line_names_the_scenario_file(town_bad_unit: subprocess.CompletedProcess[str]) -> None:
    assert "bad-unit.toml, column 'new_provision[0].at_school'" in town_bad_unit.stderr


# --------------------------------------------------------------------------- moving pupils


@pytest.fixture(scope="module")
def drive(tmp_path_factory: pytest.TempPathFactory):
    from tests.osm_fixture import write_town
    from transport.network import load_network

    return load_network(write_town(tmp_path_factory.mktemp("town")), "drive")


def pupils_frame() -> pd.DataFrame:
    """Four SEMH pupils at Hilltop: P1 at A, P2 at D, P3 at C, P4 half way from A to B."""
    homes = {"P1": (0, 0), "P2": (0, 100), "P3": (200, 0), "P4": (50, 0)}
    return pd.DataFrame([{"pupil_id": pid, "lat": lat_lon(*xy)[0], "lon": lat_lon(*xy)[1], "age": 12, "school_urn": "900001",
                          "ehcp": True, "send_need": "SEMH"} for pid, xy in homes.items()])


def test_rule_list_moves_exactly_the_listed_pupils(drive) -> None:
    """P2 and P3 are listed; the unit is no nearer for them, but 'list' moves whom it names."""
    provision = (unit(rule="list", pupils=("P2", "P3"), places=5),)
    schools = add_provision(schools_frame(), provision)
    moved, moves = move_pupils(pupils_frame(), schools, provision, drive)
    assert sorted(moves["pupil_id"]) == ["P2", "P3"]
    assert dict(zip(moved["pupil_id"], moved["school_urn"], strict=True)) == {"P1": "900001", "P2": "NEW-1", "P3": "NEW-1", "P4": "900001"}


def test_rule_list_moves_no_more_than_the_places_nearest_first(drive) -> None:
    """Three listed, two places. Drive to the unit at B: P1 from A 100 m, P3 from C 100 m,
    P2 from D 200 m (D-A-B; the footway B-E is not drivable). P1 and P3 move."""
    provision = (unit(rule="list", pupils=("P1", "P2", "P3"), places=2),)
    schools = add_provision(schools_frame(), provision)
    _, moves = move_pupils(pupils_frame(), schools, provision, drive)
    assert sorted(moves["pupil_id"]) == ["P1", "P3"]
    assert sorted(moves["drive_km_after"]) == [0.1, 0.1]


def test_rule_list_with_unknown_pupils_is_an_error(drive) -> None:
    provision = (unit(rule="list", pupils=("P1", "P99", "P98")),)
    schools = add_provision(schools_frame(), provision)
    with pytest.raises(InputError, match="column 'new_provision.pupils': pupils not in the pupils file: P98, P99"):
        move_pupils(pupils_frame(), schools, provision, drive)
