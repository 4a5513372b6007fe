"""`transport compare` on the hand-made town: the comparison table agrees with the hand
calculation in tests/test_pipeline_e2e.py (the new unit saves 17 taxi miles a day:
17 x £2.00 x 190 days = £6,460.00 a year; the transport team is a fixed cost), serially and in two
processes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import write_town_case
from transport.compare import compare
from transport.errors import InputError

HAND_SAVING_GBP = 17 * 2.00 * 190
CAPITAL_GBP = 50_000


@pytest.fixture(scope="module", params=["serial", "parallel"])
def compared(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, Path]:
    folder = write_town_case(tmp_path_factory.mktemp(f"compare-{request.param}"))
    out = folder / "compare"
    compare([folder / "baseline.toml", folder / "unit.toml"], out, parallel=request.param == "parallel")
    return pd.read_csv(out / "comparison.csv").set_index("scenario"), out


def test_the_saving_is_the_hand_calculation(compared: tuple[pd.DataFrame, Path]) -> None:
    table, _ = compared
    assert list(table.index) == ["town", "town-unit"]
    assert table.at["town-unit", "change_vs_base_gbp"] == pytest.approx(-HAND_SAVING_GBP, abs=2.0)
    assert table.at["town-unit", "pupils_moved"] == 2
    assert table.at["town", "change_vs_base_gbp"] == 0


def test_the_payback_counts_each_forecast_year_by_hand(compared: tuple[pd.DataFrame, Path]) -> None:
    """The capital paid back by the year-by-year difference of the two folders' P50 forecasts
    (the unit has no revenue cost), extended past the horizon with the last year's: sooner than
    capital / today's saving, because the forecast grows the saving with demand and prices."""
    table, out = compared
    base, unit = (json.loads((out / name / "summary.json").read_text(encoding="utf-8"))["budget"]["forecast"]
                  for name in ("town", "town-unit"))
    saved = [b["p50_gbp"] - u["p50_gbp"] for b, u in zip(base[1:], unit[1:], strict=True)]
    years, left = 0.0, CAPITAL_GBP
    for saving in saved:
        if saving >= left:
            years += left / saving
            break
        years, left = years + 1, left - saving
    else:
        years += left / saved[-1]
    assert table.at["town-unit", "payback_years"] == pytest.approx(round(years, 1), abs=0.05)
    assert years < CAPITAL_GBP / HAND_SAVING_GBP
    assert "capital cost" in table.at["town-unit", "payback_note"]
    assert pd.isna(table.at["town", "payback_years"])


def test_the_table_carries_every_figure_officers_compare(compared: tuple[pd.DataFrame, Path]) -> None:
    table, _ = compared
    for column in ("annual_cost_gbp", "pupils_transported", "pupils_unserved", "travelling_alone", "vehicles_am_by_type",
                   "ride_mean_min", "ride_max_min", "pupils_over_ride_limit", "moved_mean_journey_change_min",
                   "forecast_change_vs_base_gbp", "capital_cost_gbp"):
        assert column in table.columns, column
    assert (table["pupils_transported"] == 4).all() and (table["pupils_unserved"] == 0).all()
    assert (table["travelling_alone"] == 4).all()
    assert table.at["town-unit", "moved_mean_journey_change_min"] < 0


def test_comparison_pages_are_written_and_escaped(compared: tuple[pd.DataFrame, Path]) -> None:
    _, out = compared
    for name in ("comparison.html", "comparison_map.html", "summary.json"):
        assert (out / name).is_file(), name
    page = (out / "comparison_map.html").read_text(encoding="utf-8")
    assert "<script>window.__pwned" not in page  # the school's name travels escaped, as HTML or as JSON
    assert "&lt;script&gt;window.__pwned" in page or "\\u003cscript\\u003ewindow.__pwned" in page


def test_the_summary_gives_each_seeds_own_figures(compared: tuple[pd.DataFrame, Path]) -> None:
    """summary.json lists every repeat's seed and figures, the ones the spreads are taken over."""
    table, out = compared
    (repeat,) = json.loads((out / "summary.json").read_text(encoding="utf-8"))["by_seed"]
    assert isinstance(repeat["seed"], int)
    figures = {s["scenario"]: s for s in repeat["scenarios"]}
    for name in ("town", "town-unit"):
        assert figures[name]["annual_cost_gbp"] == pytest.approx(table.at[name, "annual_cost_gbp"])
        assert figures[name]["change_vs_base_gbp"] == pytest.approx(table.at[name, "change_vs_base_gbp"])


def test_two_scenarios_with_one_name_are_refused(tmp_path: Path) -> None:
    folder = write_town_case(tmp_path)
    with pytest.raises(InputError, match="same name"):
        compare([folder / "baseline.toml", folder / "baseline.toml"], folder / "out", parallel=False)


def test_a_dask_local_cluster_runs_scenarios_named_by_relative_paths(tmp_path: Path, monkeypatch) -> None:
    """Scenario files named relative to the caller's folder: the workers are sent the scenarios and
    their inputs, not paths they would resolve in their own working directory."""
    pytest.importorskip("dask.distributed")
    folder = write_town_case(tmp_path)
    monkeypatch.chdir(folder)
    result = compare([Path("baseline.toml"), Path("unit.toml")], Path("out"), scheduler="")
    table = result["table"].set_index("scenario")
    assert table.at["town-unit", "change_vs_base_gbp"] == pytest.approx(-HAND_SAVING_GBP, abs=2.0)
    from transport.check import check_output_dir

    for name in ("town", "town-unit"):
        assert check_output_dir(folder / "out" / name, require_complete=True) == []


def test_a_run_searches_its_partitions_on_a_dask_local_cluster(tmp_path: Path) -> None:
    """The town's searches sent to a LocalCluster: the routes pass the check."""
    pytest.importorskip("dask.distributed")
    from transport.check import check_output_dir
    from transport.pipeline import run_and_write
    from transport.scenarios import load_scenario

    folder = write_town_case(tmp_path)
    result = run_and_write(load_scenario(folder / "baseline.toml"), folder / "out", scheduler="local")
    assert result.summary["pupils_transported"] == 4
    assert check_output_dir(folder / "out", require_complete=True) == []
