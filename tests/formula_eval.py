"""A small evaluator for the formulas budget.xlsx writes, so tests can check that the workbook's
live arithmetic gives the figures the run computed.

It reads the workbook with openpyxl and evaluates the subset of Excel the workbook uses
(transport.workbook.FUNCTIONS): numbers, "text", TRUE/FALSE, cell and range references (with
'sheet'! prefixes and $), + - * / ^, comparisons, SUM, SUMPRODUCT, EXACT and IF, with ranges as
arrays evaluated element by element, as Excel does inside SUMPRODUCT.
"""

from __future__ import annotations

import re

import numpy as np
from openpyxl.utils import column_index_from_string

TOKEN = re.compile(r"""\s*(?:(?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)|(?P<str>"[^"]*")|(?P<ref>(?:'[^']+'!)?\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?)"""
                   r"""|(?P<name>[A-Z][A-Z0-9.]*)|(?P<op><=|>=|<>|[-+*/^=<>(),]))""")
CELL = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)")


class Book:
    """Cell values of a workbook, formulas evaluated on demand."""

    def __init__(self, workbook) -> None:
        self.book = workbook
        self.cache: dict[tuple[str, int, int], object] = {}

    def cell(self, sheet: str, row: int, col: int) -> object:
        key = (sheet, row, col)
        if key not in self.cache:
            value = self.book[sheet].cell(row, col).value
            self.cache[key] = self.formula(sheet, value[1:]) if isinstance(value, str) and value.startswith("=") else value
        return self.cache[key]

    def formula(self, sheet: str, text: str) -> object:
        tokens = [(m.lastgroup, m.group(m.lastgroup)) for m in TOKEN.finditer(text) if m.lastgroup]
        parser = _Parser(tokens, self, sheet)
        value = parser.comparison()
        assert parser.i == len(tokens), f"could not read {text!r}"
        return value

    def value(self, sheet: str, ref: str) -> object:
        col, row = CELL.fullmatch(ref).groups()
        return self.cell(sheet, int(row), column_index_from_string(col))


def _num(v):
    """Excel's arithmetic view of a value or array: TRUE 1, blank 0."""
    if isinstance(v, np.ndarray):
        return np.array([_num(x) for x in v.ravel()], dtype=float).reshape(v.shape)
    if v is None:
        return 0.0
    if isinstance(v, bool | np.bool_):
        return float(v)
    if isinstance(v, str):
        raise ValueError(f"text {v!r} in arithmetic")
    return float(v)


def _compare(a, b, op: str):
    def one(x, y):
        if x is None:
            x = "" if isinstance(y, str) else (False if isinstance(y, bool) else 0.0)
        if isinstance(x, str) and isinstance(y, str):
            x, y = x.lower(), y.lower()
        return {"=": x == y, "<>": x != y, "<": x < y, ">": x > y, "<=": x <= y, ">=": x >= y}[op]
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a2, b2 = np.broadcast_arrays(np.asarray(a, dtype=object), np.asarray(b, dtype=object))
        return np.array([one(x, y) for x, y in zip(a2.ravel(), b2.ravel(), strict=True)], dtype=object).reshape(a2.shape)
    return one(a, b)


class _Parser:
    def __init__(self, tokens, book: Book, sheet: str) -> None:
        self.t, self.i, self.book, self.sheet = tokens, 0, book, sheet

    def peek(self):
        return self.t[self.i] if self.i < len(self.t) else (None, None)

    def take(self):
        self.i += 1
        return self.t[self.i - 1]

    def comparison(self):
        left = self.additive()
        while self.peek()[1] in ("=", "<>", "<", ">", "<=", ">="):
            op = self.take()[1]
            left = _compare(left, self.additive(), op)
        return left

    def additive(self):
        left = self.term()
        while self.peek()[1] in ("+", "-"):
            op, right = self.take()[1], self.term()
            left = _num(left) + _num(right) if op == "+" else _num(left) - _num(right)
        return left

    def term(self):
        left = self.power()
        while self.peek()[1] in ("*", "/"):
            op, right = self.take()[1], self.power()
            with np.errstate(divide="ignore", invalid="ignore"):  # IF chooses the branch; Excel never divides there
                left = _num(left) * _num(right) if op == "*" else np.divide(_num(left), _num(right))
        return left

    def power(self):
        left = self.unary()
        while self.peek()[1] == "^":
            self.take()
            left = _num(left) ** _num(self.unary())
        return left

    def unary(self):
        if self.peek()[1] == "-":
            self.take()
            return -_num(self.unary())
        return self.primary()

    def primary(self):
        kind, text = self.take()
        if kind == "num":
            return float(text)
        if kind == "str":
            return text[1:-1]
        if kind == "ref":
            return self.reference(text)
        if kind == "op" and text == "(":
            value = self.comparison()
            assert self.take()[1] == ")"
            return value
        if kind == "name" and text in ("TRUE", "FALSE"):
            return text == "TRUE"
        assert kind == "name" and self.take()[1] == "(", f"unexpected {text!r}"
        args = []
        while self.peek()[1] != ")":
            args.append(self.comparison())
            if self.peek()[1] == ",":
                self.take()
        self.take()
        return FUNCTIONS[text](*args)

    def reference(self, text: str):
        sheet = self.sheet
        if "!" in text:
            quoted, text = text.split("!")
            sheet = quoted.strip("'")
        if ":" not in text:
            return self.book.value(sheet, text)
        (c1, r1), (c2, r2) = (CELL.fullmatch(part).groups() for part in text.split(":"))
        cols = range(column_index_from_string(c1), column_index_from_string(c2) + 1)
        return np.array([self.book.cell(sheet, r, c) for r in range(int(r1), int(r2) + 1) for c in cols], dtype=object)


def _sum(*args):
    total = 0.0
    for a in args:
        for v in np.asarray(a, dtype=object).ravel():
            if isinstance(v, int | float) and not isinstance(v, bool):
                total += float(v)
    return total


def _sumproduct(*arrays):
    product = None
    for a in arrays:
        values = np.array([x if isinstance(x, int | float | bool | np.bool_) else 0 for x in np.asarray(a, dtype=object).ravel()],
                          dtype=float)
        product = values if product is None else product * values
    return float(product.sum())


FUNCTIONS = {"SUM": _sum, "SUMPRODUCT": _sumproduct, "EXACT": lambda a, b: np.array(
    [str(x if x is not None else "") == str(b) for x in np.asarray(a, dtype=object).ravel()], dtype=object),
             "IF": lambda c, a, b=False: a if c else b}
