"""Progress on stderr: rich bars on a terminal, plain lines in a pipe or file, nothing with --quiet.

The command line is run as a user meets it, in a fresh process on the town of tests/conftest.py
(a pseudo-terminal stands in for a terminal).
"""

from __future__ import annotations

import logging
import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, write_town_case
from transport import progress
from transport.optimise.tasks import run_tasks

ESCAPE = "\x1b["


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_town_case(tmp_path_factory.mktemp("progress-town"))


def _env() -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "120"}
    env.pop("TRANSPORT_QUIET", None)
    return env


def _run(town: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "transport.cli", "run", "baseline.toml", "--time-limit", "1", *args],
                          cwd=town, env=_env(), capture_output=True, text=True, timeout=300)


def test_without_a_terminal_progress_is_plain_log_lines(town: Path) -> None:
    done = _run(town, "--out", "plain")
    assert done.returncode == 0, done.stderr
    err = done.stderr
    assert ESCAPE not in err and "━" not in err and "\r" not in err
    for line in ("Road network: ", "Eligibility: 4 pupils: done in", "Pick-up points: done in",
                 "Travel matrix: 6 places: done in", "AM run search ...", "PM run search: done in"):
        assert line in err, line
    assert re.search(r"AM run search: partition \S+ done \(1 of \d+, [\d.]+ s of 1 s\)", err)  # each search, against the limit
    assert "Scenario town" in done.stdout


def test_quiet_silences_progress_and_log_lines(town: Path) -> None:
    done = _run(town, "--out", "quiet", "--quiet")
    assert done.returncode == 0
    # no progress and no log lines; a warning about the data (here: no contracts file) still shows
    assert not [line for line in done.stderr.splitlines() if not line.startswith("No contracts file:")]
    assert "Scenario town" in done.stdout and (town / "quiet" / "manifest.json").is_file()


def test_on_a_terminal_progress_is_drawn_as_bars(town: Path) -> None:
    master, slave = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "transport.cli", "run", "baseline.toml", "--time-limit", "1", "--out",
                                "bars"], cwd=town, env=_env(), stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    seen = b""
    while True:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        elif process.poll() is not None:
            break
    os.close(master)
    assert process.wait(timeout=60) == 0
    text = seen.decode("utf-8", "replace")
    assert "━" in text and ESCAPE in text  # rich bars, redrawn in place
    assert "AM run search" in text and "searches" in text and "Travel matrix: 6 places" in text
    assert "Independent check" in text  # log lines still shown, above the bars


def test_each_search_finished_is_reported_against_the_limit(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="transport.progress")
    with progress.timed("AM run search", 6):
        results = run_tasks([(pow, (2, 3)), (pow, (3, 2))], labels=["partition a", "partition b"])
    assert results == [8, 9]
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0] == "AM run search ..."
    assert lines[1].startswith("  AM run search: partition a done (1 of 2, ") and lines[1].endswith(" s of 6 s)")
    assert lines[2].startswith("  AM run search: partition b done (2 of 2, ")
    assert lines[3].startswith("AM run search: done in ")


def test_compare_counts_scenarios_as_they_finish(town: Path, caplog: pytest.LogCaptureFixture) -> None:
    from transport.compare import compare

    caplog.set_level(logging.INFO, logger="transport.progress")
    compare([town / "baseline.toml", town / "unit.toml"], town / "compared", time_limit_s=1, parallel=False)
    lines = [r.getMessage() for r in caplog.records if r.name == "transport.progress"]
    assert lines[0] == "Scenarios ..."
    assert "  Scenarios: town done (1 of 2, " in [line[:len("  Scenarios: town done (1 of 2, ")] for line in lines]
    assert any(line.startswith("  Scenarios: town-unit done (2 of 2, ") for line in lines)
    assert any(line.startswith("Scenarios: done in ") for line in lines)
