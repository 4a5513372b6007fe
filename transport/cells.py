"""Cells that spreadsheets will not run: every CSV and workbook the product writes goes through here.

A cell of text that starts with '=', '+', '-', '@', a tab or a carriage return is read by
Excel and LibreOffice as a formula (a school name '=HYPERLINK(...)' becomes a live link).
Following OWASP's CSV-injection guidance such text is written with a leading apostrophe,
which spreadsheets show as plain text. Numbers, including negative ones, stay numbers.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd

#: Any whitespace (Unicode's too, such as NEL) and then a character that starts a formula.
_RISKY = re.compile(r"^\s*[=+\-@\t\r]")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def safe_text(value: object) -> object:
    """`value` unchanged unless it is text a spreadsheet would run as a formula."""
    risky = isinstance(value, str) and bool(_RISKY.match(value))
    return "'" + value if risky and not _NUMBER.fullmatch(value.strip()) else value


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells (and column names) cannot start a formula."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(safe_text)
    out.columns = [safe_text(c) for c in out.columns]
    return out


#: Control characters a workbook cannot hold (openpyxl refuses them).
_WORKBOOK_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def for_workbook(frame: pd.DataFrame) -> pd.DataFrame:
    """`neutralised`, and without the control characters a workbook cannot hold (shown as '?')."""
    out = neutralised(frame)
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(lambda v: _WORKBOOK_ILLEGAL.sub("?", v) if isinstance(v, str) else v)
    out.columns = [_WORKBOOK_ILLEGAL.sub("?", c) if isinstance(c, str) else c for c in out.columns]
    return out


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write a table as CSV with no formula in any cell; the file appears whole or not at all.

    Rows end CRLF (RFC 4180), so a cell holding a carriage return is quoted: read back, it stays
    one cell and never splits into a new row that starts a formula ('x\r=cmd').
    """
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    neutralised(frame).to_csv(partial, index=False, lineterminator="\r\n")
    os.replace(partial, path)
    return path
