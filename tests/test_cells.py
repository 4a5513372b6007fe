"""No cell of any CSV or workbook the product writes can start a formula, whatever the text."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from transport.cells import for_workbook, neutralised, write_csv

FORMULA = re.compile(r"^\s*[=+\-@\t\r]")
NUMBER = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$")
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)
DANGEROUS = st.builds(lambda head, tail: head + tail, st.sampled_from(["=", "+", "-", "@", "\t", "\r", " =", "\n@"]), TEXT)


def runs_as_formula(cell: object) -> bool:
    return isinstance(cell, str) and bool(FORMULA.match(cell)) and not NUMBER.match(cell)


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(st.one_of(TEXT, DANGEROUS), min_size=1, max_size=6),
       numbers=st.lists(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6), min_size=1, max_size=6))
def test_no_written_cell_starts_a_formula(tmp_path_factory, texts: list[str], numbers: list[float]) -> None:
    folder: Path = tmp_path_factory.mktemp("cells")
    size = min(len(texts), len(numbers))
    frame = pd.DataFrame({"name": texts[:size], "annual_gbp": numbers[:size], texts[0][:20] or "x": texts[:size]})
    write_csv(frame, folder / "t.csv")
    with (folder / "t.csv").open(newline="", encoding="utf-8") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    assert not [c for c in cells if runs_as_formula(c)]
    for_workbook(frame).to_excel(folder / "t.xlsx", index=False)
    sheet = load_workbook(folder / "t.xlsx").active
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f" and not runs_as_formula(cell.value), cell.value


def test_numbers_stay_numbers_and_plain_text_is_untouched() -> None:
    frame = pd.DataFrame({"lon": [-0.72, 1.5], "note": ["-0.72", "Oakham"], "bad": ["=1+1", "+44 1572"]})
    safe = neutralised(frame)
    assert safe["lon"].tolist() == [-0.72, 1.5]
    assert safe["note"].tolist() == ["-0.72", "Oakham"]
    assert safe["bad"].tolist() == ["'=1+1", "'+44 1572"]


def test_only_the_budget_workbooks_own_formulas_pass_the_scanner() -> None:
    """The workbook's formulas are allowed in its formula columns only, with its functions, its sheets
    and no text but the segment names; anything else found in a workbook is reported."""
    from transport.workbook import own_formula

    sheets = {"pupils", "assumptions", "forecast", "summary"}
    assert own_formula("summary", "value", "=SUM('pupils'!$K$2:$K$9)+'assumptions'!$B$4", sheets)
    assert own_formula("forecast", "savings_gbp", "=SUMPRODUCT(('pupils'!$B$2:$B$3=\"send\")*1)", sheets)
    assert not own_formula("summary", "note", "=SUM('pupils'!$K$2:$K$9)", sheets)  # not a formula column
    assert not own_formula("summary", "value", '=HYPERLINK("http://example.invalid","x")', sheets)
    assert not own_formula("summary", "value", "=WEBSERVICE(A1)", sheets)  # not one of its functions
    assert not own_formula("summary", "value", "=SUM('other'!A1)", sheets)  # not one of its sheets
    assert not own_formula("summary", "value", '=SUM(A1)&"x"', sheets)  # text and an operator it never writes


def test_a_carriage_return_in_text_never_starts_a_new_row_with_a_formula(tmp_path: Path) -> None:
    """Hypothesis found '\r=': written unquoted, a reader took the '=' after the carriage return as
    the start of a new row. Rows end CRLF, so the cell is quoted and read back whole."""
    write_csv(pd.DataFrame({"name": ["\r=", "a\r=cmd"], "n": [0.0, 1.0]}), tmp_path / "t.csv")
    with (tmp_path / "t.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == 3 and not [c for row in rows for c in row if runs_as_formula(c)]
    assert pd.read_csv(tmp_path / "t.csv")["name"].tolist() == ["'\r=", "a\r=cmd"]


def test_whitespace_before_a_carriage_return_is_neutralised_too() -> None:
    """Hypothesis found '\\x85\\r': NEL is whitespace, so stripping it left nothing to test; the
    carriage return behind it still opens a formula in some readers."""
    from transport.cells import safe_text

    assert safe_text("\x85\r") == "'\x85\r"
    assert safe_text(" \t=1") == "' \t=1"
    assert safe_text("\u2028@x") == "'\u2028@x"
    assert safe_text("  Oakham") == "  Oakham"
