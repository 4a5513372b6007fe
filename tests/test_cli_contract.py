"""The command line as a user (or a script, or a hostile file) meets it: exit codes, located
messages, no traceback, outputs never half old.

Every case runs `python -m transport.cli` in a fresh process on the hand-made town of
tests/conftest.py. The exit codes asserted here are the README's table (checked at the end).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import ROOT, formula_cells, write_town_case
from transport.errors import EXIT_BAD_INPUT, EXIT_CHECK_FAILED, EXIT_INTERRUPTED, EXIT_OK


def cli(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("TRANSPORT_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "transport.cli", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


def assert_clean(result: subprocess.CompletedProcess, code: int, *fragments: str) -> str:
    """The exit code, no traceback, and every fragment in what was printed."""
    text = result.stdout + result.stderr
    assert result.returncode == code, text[-3000:]
    assert "Traceback" not in text, text[-3000:]
    for fragment in fragments:
        assert fragment in text, f"{fragment!r} not in:\n{text[-3000:]}"
    return text


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_town_case(tmp_path_factory.mktemp("cli-town"))


@pytest.fixture(scope="module")
def finished(town: Path) -> Path:
    """A finished run of the town, written by the command line."""
    assert_clean(cli("run", "baseline.toml", "--out", "out", cwd=town), EXIT_OK)
    return town / "out"


def scenario(folder: Path, name: str, body: str, base: str = "baseline.toml") -> str:
    (folder / f"{name}.toml").write_text(f'name = "{name}"\nbase = "{base}"\n{body}', encoding="utf-8")
    return f"{name}.toml"


# --------------------------------------------------------------------------- usage


@pytest.mark.parametrize("args", [
    ["run", "baseline.toml", "--time-limit", "abc"],
    ["run", "baseline.toml", "--time-limit", "0"],
    ["run", "baseline.toml", "--time-limit", "-1"],
    ["run", "baseline.toml", "--time-limit", "nan"],
    ["run", "baseline.toml", "--solution-limit", "0"],
    ["run", "baseline.toml", "--seed", "-1"],
    ["run", "baseline.toml", "--no-such-option"],
    ["run"],
], ids=["time-limit-abc", "time-limit-0", "time-limit-negative", "time-limit-nan", "solution-limit-0", "seed-negative",
        "unknown-option", "missing-argument"])
def test_a_usage_mistake_exits_2_with_the_reason(town: Path, args: list[str]) -> None:
    text = assert_clean(cli(*args, cwd=town), EXIT_BAD_INPUT)
    assert re.search(r"(Invalid value|No such option|Missing argument)", text)


# --------------------------------------------------------------------------- bad input files


def test_a_header_only_pupils_file_is_bad_input_for_run_and_eligibility(town: Path) -> None:
    (town / "no_pupils.csv").write_text("pupil_id,school_urn,age,lat,lon\n", encoding="utf-8")
    name = scenario(town, "empty", '[data]\npupils = "no_pupils.csv"\n')
    for command in ("run", "eligibility"):
        assert_clean(cli(command, name, cwd=town), EXIT_BAD_INPUT, "no_pupils.csv row 2", "no rows")


@pytest.mark.parametrize("pupil_id", ["P;9", "P/9", "P\\9", "=cmd|' /C calc'!A0"], ids=["semicolon", "slash", "backslash", "formula"])
def test_a_pupil_id_with_a_separator_is_rejected_where_it_is_read(town: Path, pupil_id: str) -> None:
    pupils = pd.read_csv(town / "pupils.csv", dtype=str)
    pupils.loc[1, "pupil_id"] = pupil_id
    pupils.to_csv(town / "bad_ids.csv", index=False)
    name = scenario(town, "bad-ids", '[data]\npupils = "bad_ids.csv"\n')
    assert_clean(cli("run", name, cwd=town), EXIT_BAD_INPUT, "bad_ids.csv row 3, column 'pupil_id'")


def test_rows_are_numbered_as_a_spreadsheet_shows_them_blank_rows_included(town: Path) -> None:
    lines = (town / "pupils.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    bad = lines[2].split(",")
    bad[header.index("age")] = "twelve"
    (town / "blank_rows.csv").write_text("\n".join([lines[0], lines[1], "", "", ",".join(bad), *lines[3:]]) + "\n",
                                         encoding="utf-8")
    name = scenario(town, "blank-rows", '[data]\npupils = "blank_rows.csv"\n')
    assert_clean(cli("eligibility", name, cwd=town), EXIT_BAD_INPUT, "blank_rows.csv row 5, column 'age'")


def test_a_repeated_column_and_a_semicolon_separated_file_are_named(town: Path) -> None:
    pupils = pd.read_csv(town / "pupils.csv", dtype=str)
    pupils.assign(lat2=pupils["lat"]).rename(columns={"lat2": "lat"}).to_csv(town / "twice.csv", index=False)
    pupils.to_csv(town / "semicolons.csv", index=False, sep=";")
    twice = scenario(town, "twice", '[data]\npupils = "twice.csv"\n')
    semicolons = scenario(town, "semicolons", '[data]\npupils = "semicolons.csv"\n')
    assert_clean(cli("eligibility", twice, cwd=town), EXIT_BAD_INPUT, "twice.csv row 1, column 'lat'", "appears twice")
    assert_clean(cli("eligibility", semicolons, cwd=town), EXIT_BAD_INPUT, "semicolons.csv row 1", "comma-separated")


@pytest.mark.parametrize(("body", "fragments"), [
    ('[costs]\nschool_days = true\n', ["school_days", "not true or false"]),
    ('name = "../../escape"\n', ["column 'name'", "folder name"]),
    ('[[new_provision]]\nname = "U"\nurn = "N1"\nplaces = 2\nneeds = ["ASD"]\nphase = "primary"\nlat = 52.66\nlon = -0.73\n'
     'start_time = "25:99"\nfinish_time = "15:00"\n', ["new_provision.0.start_time", "not a time of day"]),
    ('[[new_provision]]\nname = "U"\nurn = "N1"\nplaces = 2\nneeds = ["ASD"]\nphase = "primary"\nlat = 0\nlon = 0\n'
     'start_time = "09:00"\nfinish_time = "15:00"\n', ["new_provision.0.lat", "Great Britain"]),
], ids=["number-given-true", "name-escapes-the-folder", "bell-25-99", "new-site-at-0-0"])
def test_a_bad_scenario_value_names_the_file_and_the_key(town: Path, body: str, fragments: list[str]) -> None:
    text = body if body.startswith("name") else body
    path = town / "bad-value.toml"
    head = '' if body.startswith("name") else 'name = "bad-value"\n'
    path.write_text(f'{head}base = "baseline.toml"\n{text}', encoding="utf-8")
    assert_clean(cli("run", "bad-value.toml", cwd=town), EXIT_BAD_INPUT, "bad-value.toml", *fragments)
    assert not (town.parent / "escape").exists()


def test_every_bad_new_provision_is_reported_at_once(town: Path) -> None:
    body = ('[[new_provision]]\nname = "A"\nurn = "N1"\nat_school = "nope"\nplaces = 2\nneeds = ["ASD"]\nphase = "primary"\n'
            '[[new_provision]]\nname = "B"\nurn = "N1"\nat_school = "900001"\nplaces = 2\nneeds = ["ASD"]\nphase = "primary"\n')
    name = scenario(town, "two-bad-units", body)
    assert_clean(cli("run", name, cwd=town), EXIT_BAD_INPUT, "new_provision[0].at_school", "new_provision[1].urn")


def contracts_file(folder: Path, rows: list[dict[str, str]]) -> str:
    columns = ["route_ref", "operator", "vehicle_type", "daily_price_gbp", "passenger_assistant", "pupils", "school_urn",
               "annual_price_gbp", "assistant_daily_gbp"]
    pd.DataFrame(rows, columns=columns).astype(object).fillna("").to_csv(folder / "today.csv", index=False)
    return scenario(folder, "today", '[data]\ncontracts = "today.csv"\n')


def test_bad_contracts_are_all_reported_before_any_routing(town: Path) -> None:
    base = {"operator": "Acme", "daily_price_gbp": "50", "passenger_assistant": "no", "school_urn": "900001"}
    rows = [
        {**base, "route_ref": "C1", "vehicle_type": "taxi", "pupils": "P1", "assistant_daily_gbp": "-80"},
        {**base, "route_ref": "C2", "vehicle_type": "travel_pass", "pupils": "P2", "daily_price_gbp": "",
         "annual_price_gbp": "lots"},
        {**base, "route_ref": "C3", "vehicle_type": "hovercraft", "pupils": "P3"},
        {**base, "route_ref": "C4", "vehicle_type": "taxi", "pupils": "P4;P4"},
        {**base, "route_ref": "C5", "vehicle_type": "travel_pass", "pupils": "P1", "daily_price_gbp": "",
         "annual_price_gbp": "-650"},
    ]
    name = contracts_file(town, rows)
    text = assert_clean(cli("run", name, cwd=town), EXIT_BAD_INPUT,
                        "today.csv row 2, column 'assistant_daily_gbp'", "today.csv row 3, column 'annual_price_gbp'",
                        "today.csv row 4, column 'vehicle_type'", "today.csv row 5, column 'pupils'",
                        "today.csv row 6, column 'annual_price_gbp'")
    assert "Optimising" not in text


def test_the_same_pupil_on_two_contracts_is_flagged_in_the_budget(town: Path) -> None:
    base = {"operator": "Acme", "daily_price_gbp": "50", "passenger_assistant": "no", "school_urn": "900001",
            "vehicle_type": "taxi"}
    rows = [{**base, "route_ref": "C1", "pupils": "P1;P2"}, {**base, "route_ref": "C2", "pupils": "P2;P3;P4"}]
    name = contracts_file(town, rows)
    assert_clean(cli("run", name, "--out", "two-contracts", cwd=town), EXIT_OK)
    flags = pd.read_csv(town / "two-contracts" / "budget" / "contracts_flagged.csv", dtype=str)
    assert flags.loc[flags["flag"] == "ON_TWO_CONTRACTS", "pupil_id"].tolist() == ["P2"]


# --------------------------------------------------------------------------- check


def tamper(finished: Path, target: Path, change) -> Path:
    shutil.copytree(finished, target)
    change(target)
    return target


def _overload(out: Path) -> None:
    fleet = pd.read_csv(out / "runs" / "AM" / "fleet.csv", dtype=str)
    fleet["seats"] = "0"
    fleet.to_csv(out / "runs" / "AM" / "fleet.csv", index=False)


def _drop_pupil(out: Path) -> None:
    routes = pd.read_csv(out / "runs" / "AM" / "routes.csv", dtype=str, keep_default_na=False)
    routes[routes["request_id"] != "P1"].to_csv(out / "runs" / "AM" / "routes.csv", index=False)


def _shift_times(out: Path) -> None:
    routes = pd.read_csv(out / "runs" / "PM" / "routes.csv", dtype=str, keep_default_na=False)
    for column in ("arrival_s", "service_start_s", "departure_s"):
        routes[column] = (routes[column].astype(int) - 3600).astype(str)
    routes.to_csv(out / "runs" / "PM" / "routes.csv", index=False)


def _wheelchair_in_a_taxi(out: Path) -> None:
    needs = pd.read_csv(out / "transport_needs.csv", dtype=str, keep_default_na=False)
    needs.loc[needs["pupil_id"] == "P2", "wheelchair"] = "True"
    needs.to_csv(out / "transport_needs.csv", index=False)


def _garbage_unserved(out: Path) -> None:
    (out / "runs" / "AM" / "unserved.csv").write_text('request_id,reason_code\n"P1,"\n"unclosed', encoding="utf-8")


@pytest.mark.parametrize(("change", "rule"), [
    (_overload, "CAPACITY_SEATS"),
    (_drop_pupil, "NOT_SERVED_OR_EXPLAINED"),
    (_shift_times, "TIME_WINDOW"),
    (_wheelchair_in_a_taxi, "NEEDS"),
    (_garbage_unserved, "FILE"),
    (lambda out: shutil.rmtree(out / "runs" / "AM"), "FILE"),
    (lambda out: (out / "runs" / "PM" / "routes.csv").unlink(), "FILE"),
    (lambda out: (out / "manifest.json").unlink(), "INCOMPLETE_RUN"),
], ids=["overloaded-vehicle", "dropped-pupil", "shifted-times", "wheelchair-in-a-taxi", "broken-unserved",
        "runs-AM-deleted", "routes-deleted", "no-manifest"])
def test_check_exits_1_naming_the_broken_rule(finished: Path, tmp_path: Path, change, rule: str) -> None:
    out = tamper(finished, tmp_path / "out", change)
    assert_clean(cli("check", str(out), cwd=tmp_path), EXIT_CHECK_FAILED, f"[{rule}]")


def test_check_passes_a_finished_run_and_fails_an_empty_folder(finished: Path, tmp_path: Path) -> None:
    assert_clean(cli("check", str(finished), cwd=tmp_path), EXIT_OK, "every route feasible")
    (tmp_path / "empty").mkdir()
    assert_clean(cli("check", str(tmp_path / "empty"), cwd=tmp_path), EXIT_CHECK_FAILED, "[INCOMPLETE_RUN]",
                 "[NOTHING_TO_CHECK]")


# --------------------------------------------------------------------------- outputs never half old


def test_a_failed_rerun_leaves_the_finished_run_as_it_was(finished: Path, tmp_path: Path, monkeypatch) -> None:
    """A renderer that fails half way through a rerun: the earlier folder is untouched and still
    checks, and no partial folder is left beside it."""
    from transport import pipeline
    from transport.check import check_output_dir
    from transport.scenarios import load_scenario

    out = shutil.copytree(finished, tmp_path / "out")
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def broken(run, folder):
        (folder / "half.txt").write_text("half", encoding="utf-8")
        raise RuntimeError("disk full")

    monkeypatch.setattr("transport.sheets.write_route_sheets", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        pipeline.run_and_write(load_scenario(finished.parent / "baseline.toml"), out)
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert check_output_dir(out, require_complete=True) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_ctrl_c_exits_130_and_leaves_no_folder_that_looks_finished(town: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    body = '[optimise]\ntime_limit_s = 60\nworkers = 1\n'
    name = scenario(town, "slow", body)
    process = subprocess.Popen([sys.executable, "-m", "transport.cli", "run", name, "--out", "interrupted"], cwd=town,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen: list[str] = []
    reader = threading.Thread(target=lambda: seen.extend(process.stderr), daemon=True)
    reader.start()
    deadline = time.time() + 120
    while time.time() < deadline and not any("Optimising" in line for line in seen):
        time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    process.wait(timeout=120)
    reader.join(timeout=10)
    text = "".join(seen) + process.stdout.read()
    assert process.returncode == EXIT_INTERRUPTED, text[-2000:]
    assert "Traceback" not in text and "Interrupted" in text
    assert not (town / "interrupted" / "manifest.json").exists()
    assert not (town / "interrupted" / "summary.json").exists()


# --------------------------------------------------------------------------- hostile text in the outputs


def test_a_hostile_school_name_never_becomes_a_formula(tmp_path: Path) -> None:
    folder = write_town_case(tmp_path, school_name='=HYPERLINK("http://example.invalid","x")')
    schools = pd.read_csv(folder / "schools.csv", dtype=str)
    schools.loc[0, "name"] = "@SUM(1+1)*cmd|' /C calc'!A0"
    schools.to_csv(folder / "schools.csv", index=False)
    assert_clean(cli("run", "baseline.toml", "--out", "out", cwd=folder), EXIT_OK)
    assert formula_cells(folder / "out") == []
    schools_used = pd.read_csv(folder / "out" / "schools_used.csv", dtype=str)
    assert "'=HYPERLINK(\"http://example.invalid\",\"x\")" in set(schools_used["name"])
    by_school = pd.read_csv(folder / "out" / "budget" / "by_school.csv", dtype=str)
    assert set(by_school["name"]) == {"'@SUM(1+1)*cmd|' /C calc'!A0"}
    routes = pd.read_csv(folder / "out" / "routes.csv")
    assert np.issubdtype(routes["lon"].dtype, np.floating) and (routes["lon"] < 0).all()  # numbers stay numbers


# --------------------------------------------------------------------------- caches


def test_a_truncated_graph_cache_is_rebuilt(town: Path, tmp_path: Path) -> None:
    env_cache = tmp_path / "cache"
    os.environ["TRANSPORT_CACHE_DIR"], saved = str(env_cache), os.environ.get("TRANSPORT_CACHE_DIR")
    try:
        assert_clean(cli("eligibility", "baseline.toml", "--out", str(tmp_path / "e1"), cwd=town), EXIT_OK)
        for graph in (env_cache / "graphs").glob("*.pkl"):
            graph.write_bytes(graph.read_bytes()[:64])
        assert_clean(cli("eligibility", "baseline.toml", "--out", str(tmp_path / "e2"), cwd=town), EXIT_OK, "rebuilding")
    finally:
        os.environ["TRANSPORT_CACHE_DIR"] = saved or ""


# --------------------------------------------------------------------------- the README


def test_the_readme_exit_code_table_is_what_these_tests_assert() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("| code | meaning |", 1)[1].split("\n\n", 1)[0]
    codes = {int(m) for m in re.findall(r"^\| (\d+) \|", table, re.M)}
    assert codes == {EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED} == {0, 1, 2, 130}
    assert json.dumps(sorted(codes)) == "[0, 1, 2, 130]"
