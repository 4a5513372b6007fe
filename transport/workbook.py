"""budget.xlsx: the budget as a finance partner reads it, with its arithmetic left live.

The summary sheet comes first. Its figures, every breakdown, the savings by year, the cohort's
roll-forward and the forecast are Excel formulas over the pupils sheet and the assumptions
sheet, so changing an assumption in Excel moves the forecast. Text from input files is only
ever a value (through `transport.cells`), never part of a formula: a formula refers to the
cell that holds a group's name, not to the name. The workbook's own formulas sit only in the
columns listed in FORMULA_COLUMNS and use only the functions in FUNCTIONS; `own_formula` is
the test of that which the tests apply to every formula cell they find.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from transport.cells import for_workbook
from transport.schemas import BUDGET_LINES

GBP = '"£"#,##0'
SHARE = "0.0%"
#: Functions the workbook's own formulas may use.
FUNCTIONS = frozenset({"SUM", "SUMPRODUCT", "EXACT", "IF", "COUNTIFS"})
BREAKDOWN_SHEETS = {"school": "by school", "need": "by need", "mode": "by mode", "operator": "by operator"}
#: The columns (by sheet, then header) where the workbook writes its own formulas.
FORMULA_COLUMNS: dict[str, frozenset[str]] = {
    "summary": frozenset({"value"}),
    **{sheet: frozenset({"today_pupils", "today_annual_gbp", "optimised_pupils", "optimised_annual_gbp", "change_gbp"})
       for sheet in BREAKDOWN_SHEETS.values()},
    "savings plan": frozenset({"today_annual_gbp", "optimised_annual_gbp", "annual_saving_gbp"}),
    "forecast": frozenset({"send_demand_gbp", "mainstream_demand_gbp", "send_cost_gbp", "mainstream_cost_gbp",
                           "staff_overhead_gbp", "gross_gbp", "savings_gbp", "central_gbp", "p10_gbp", "p50_gbp", "p90_gbp"}),
    "cohort": frozenset({f"pupils_year_{k}" for k in range(1, 16)}),
    "assumptions": frozenset({"value"}),
}
_FUNCTION = re.compile(r"([A-Z][A-Z0-9.]*)\(")
_SHEET_REF = re.compile(r"'([^']+)'!")
_ALLOWED = re.compile(r"^=[A-Za-z0-9$:!'()+\-*/^.,<>= _]*$")
#: The only text a formula may hold: the forecast's segment names.
LITERALS = ('"send"', '"mainstream"')


def own_formula(sheet: str, header: str, formula: str, sheets: set[str]) -> bool:
    """Whether a formula cell is one the workbook writes: in a formula column, using only FUNCTIONS,
    referring only to the workbook's own sheets, with no text in it."""
    bare = formula
    for literal in LITERALS:
        bare = bare.replace(literal, "0")
    if header not in FORMULA_COLUMNS.get(sheet, ()) or not _ALLOWED.match(bare):
        return False
    if not set(_FUNCTION.findall(bare)) <= FUNCTIONS:
        return False
    return set(_SHEET_REF.findall(bare)) <= sheets


def ref(sheet: str, column: int, row: int, *, fixed: bool = True) -> str:
    """An A1 reference to another sheet, e.g. 'assumptions'!$B$7."""
    letter = get_column_letter(column)
    return f"'{sheet}'!" + (f"${letter}${row}" if fixed else f"{letter}{row}")


def span(sheet: str, column: int, first: int, last: int) -> str:
    letter = get_column_letter(column)
    return f"'{sheet}'!${letter}${first}:${letter}${max(first, last)}"


@dataclass
class Sheets:
    """Where things are, as the sheets are written: column numbers by header, row counts, assumption rows."""

    columns: dict[str, dict[str, int]] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)  # data rows (excluding the header)
    assumption_row: dict[str, int] = field(default_factory=dict)

    def col(self, sheet: str, header: str) -> int:
        return self.columns[sheet][header]

    def data(self, sheet: str, header: str) -> str:
        return span(sheet, self.col(sheet, header), 2, self.rows[sheet] + 1)

    def assumption(self, key: str) -> str:
        return ref("assumptions", 2, self.assumption_row[key])


def write_table(book: Workbook, title: str, table: pd.DataFrame, where: Sheets) -> Worksheet:
    """A table as values (text through `cells.for_workbook`), its header bold and frozen, £ and %
    formats by column name, widths from the contents."""
    sheet = book.create_sheet(title)
    safe = for_workbook(table)
    sheet.append([str(c) for c in safe.columns])
    for values in safe.itertuples(index=False):
        sheet.append([None if (isinstance(v, float) and v != v) else _plain(v) for v in values])
    where.columns[title] = {str(c): i + 1 for i, c in enumerate(table.columns)}
    where.rows[title] = len(table)
    style(sheet, list(table.columns))
    return sheet


def _plain(value: object) -> object:
    """Numbers as numbers, dates and the rest as they are; numpy scalars made plain."""
    if hasattr(value, "item") and not isinstance(value, str):
        return value.item()
    return value


def style(sheet: Worksheet, headers: list[str]) -> None:
    """Bold frozen header, £ and % number formats by column name, sensible widths."""
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for i, header in enumerate(headers, start=1):
        letter = get_column_letter(i)
        fmt = GBP if str(header).endswith("_gbp") or str(header).startswith("p") and str(header).endswith("_gbp") else (
            SHARE if str(header) in ("take_up", "landed_share", "share_of_year") else None)
        lengths = [len(str(header))] + [len(str(c.value)) for c in sheet[letter][1:200] if c.value is not None]
        sheet.column_dimensions[letter].width = min(60, max(10, max(lengths) + 2))
        if fmt:
            for cell in sheet[letter][1:]:
                cell.number_format = fmt


def save(book: Workbook, path: Path) -> Path:
    """Ask Excel to calculate every formula on opening, and save."""
    book.calculation.fullCalcOnLoad = True
    book.save(path)
    return path


# --------------------------------------------------------------------------- the sheets with formulas


def breakdown_sheet(book: Workbook, title: str, table: pd.DataFrame, columns: tuple[str, str], where: Sheets) -> None:
    """A breakdown whose figures are sums over the pupils sheet (today's beside the optimised
    plan's), with a total row; the group's name is a value the formulas refer to by cell."""
    sheet = write_table(book, title, table, where)
    today_col, plan_col = columns
    n = len(table)
    group = get_column_letter(1)
    pupils = {"today": (where.data("pupils", today_col), where.data("pupils", "today_annual_gbp")),
              "optimised": (where.data("pupils", plan_col), where.data("pupils", "optimised_annual_gbp"))}
    for r in range(2, n + 2):
        for side, (names, gbp) in pupils.items():
            sheet.cell(r, where.col(title, f"{side}_pupils"), f"=SUMPRODUCT(EXACT({names},${group}{r})*({gbp}>0))")
            sheet.cell(r, where.col(title, f"{side}_annual_gbp"), f"=SUMPRODUCT(EXACT({names},${group}{r})*{gbp})")
        today, plan = (get_column_letter(where.col(title, f"{s}_annual_gbp")) for s in ("today", "optimised"))
        sheet.cell(r, where.col(title, "change_gbp"), f"={plan}{r}-{today}{r}")
    _total_row(sheet, title, where, sorted(FORMULA_COLUMNS[title]))


def _total_row(sheet: Worksheet, title: str, where: Sheets, headers: list[str]) -> None:
    """A 'Total' row under a table: SUM of each listed column."""
    n = where.rows[title]
    sheet.cell(n + 2, 1, "Total").font = Font(bold=True)
    for header in headers:
        c = where.col(title, header)
        letter = get_column_letter(c)
        cell = sheet.cell(n + 2, c, f"=SUM({letter}2:{letter}{max(2, n + 1)})")
        cell.font = Font(bold=True)
        cell.number_format = GBP if header.endswith("_gbp") else "0"


def assistant_share_formula(where: Sheets, send: bool) -> str:
    """The segment's share of today's cost paying assistants on top of day prices, over the pupils sheet."""
    flag = "TRUE" if send else "FALSE"
    seg = f"({where.data('pupils', 'send')}={flag})"
    total = f"SUMPRODUCT({seg}*{where.data('pupils', 'today_annual_gbp')})"
    return f"=IF({total}=0,0,SUMPRODUCT({seg}*{where.data('pupils', 'today_assistant_gbp')})/{total})"


def cohort_sheet(book: Workbook, cohort: pd.DataFrame, years: int, where: Sheets) -> None:
    """Today's cohort by segment and age, rolled forward by formulas (cohort survival, as
    `mtfs._aged`): each year's pupils of an age are last year's a year younger times today's
    ratio of the two ages (today's count where nobody is a year younger); the youngest age is the
    intake, changing by the assumption."""
    table = cohort.assign(**{f"pupils_year_{k}": 0.0 for k in range(1, years + 1)})
    sheet = write_table(book, "cohort", table, where)
    intake = where.assumption("intake_change")
    first = where.col("cohort", "pupils")
    for r in range(2, len(cohort) + 2):
        youngest = r == 2 or cohort["segment"].iat[r - 2] != cohort["segment"].iat[r - 3]
        for k in range(1, years + 1):
            c = where.col("cohort", f"pupils_year_{k}")
            last_year = get_column_letter(first if k == 1 else where.col("cohort", f"pupils_year_{k - 1}"))
            if youngest:
                sheet.cell(r, c, f"=${get_column_letter(first)}{r}*(1+{intake})^{k}")
            else:
                today, younger = f"${get_column_letter(first)}{r}", f"${get_column_letter(first)}{r - 1}"
                sheet.cell(r, c, f"=IF({younger}=0,{today},{last_year}{r - 1}*{today}/{younger})")


def _segment_rows(cohort: pd.DataFrame, segment: str) -> tuple[int, int]:
    rows = [i + 2 for i, s in enumerate(cohort["segment"]) if s == segment]
    return (rows[0], rows[-1]) if rows else (2, 2)


def forecast_sheet(book: Workbook, table: pd.DataFrame, ratios: pd.DataFrame, cohort: pd.DataFrame, where: Sheets) -> Worksheet:
    """The forecast by financial year as formulas over the cohort, the assumptions and the
    savings by year; the Monte Carlo's bands as ratios to the central path (values)."""
    full = table.assign(p10_ratio=ratios["p10"].to_numpy(), p50_ratio=ratios["p50"].to_numpy(), p90_ratio=ratios["p90"].to_numpy())
    sheet = write_table(book, "forecast", full, where)
    col = {h: get_column_letter(where.col("forecast", h)) for h in full.columns}
    a = where.assumption
    saved = {seg: (where.data("savings by year", "segment"), where.data("savings by year", "year"),
                   where.data("savings by year", "saving_gbp")) for seg in ("send", "mainstream")}
    for r in range(2, len(table) + 2):
        k = f"${col['year']}{r}"
        for seg, growth in (("send", "ehcp_growth"), ("mainstream", "mainstream_growth")):
            lo, hi = _segment_rows(cohort, seg)
            year_col = where.col("cohort", "pupils") if r == 2 else where.col("cohort", f"pupils_year_{r - 2}")
            sheet[f"{col[seg + '_demand_gbp']}{r}"] = (f"=SUMPRODUCT({span('cohort', where.col('cohort', 'take_up'), lo, hi)},"
                                                       f"{span('cohort', where.col('cohort', 'gbp_per_transported'), lo, hi)},"
                                                       f"{span('cohort', year_col, lo, hi)})")
            share = a(f"assistant_share_{seg}")
            sheet[f"{col[seg + '_cost_gbp']}{r}"] = (f"={col[seg + '_demand_gbp']}{r}*(1+{a(growth)})^{k}"
                                                     f"*((1-{share})*(1+{a('contract_inflation')})^{k}"
                                                     f"+{share}*(1+{a('assistant_pay_inflation')})^{k})")
        sheet[f"{col['staff_overhead_gbp']}{r}"] = f"={a('staff_overhead_gbp')}*(1+{a('assistant_pay_inflation')})^{k}"
        sheet[f"{col['gross_gbp']}{r}"] = f"={col['send_cost_gbp']}{r}+{col['mainstream_cost_gbp']}{r}+{col['staff_overhead_gbp']}{r}"
        parts = []
        for seg in ("send", "mainstream"):
            segs, yrs, gbp = saved[seg]
            base = f"${col[seg + '_demand_gbp']}$2"
            landed = f"SUMPRODUCT(({segs}=\"{seg}\")*({yrs}={k})*{gbp})"
            parts.append(f"IF({base}=0,0,{col[seg + '_cost_gbp']}{r}*{landed}/{base})")
        sheet[f"{col['savings_gbp']}{r}"] = "=" + "+".join(parts)
        sheet[f"{col['central_gbp']}{r}"] = f"={col['gross_gbp']}{r}-{col['savings_gbp']}{r}"
        for q in ("p10", "p50", "p90"):
            sheet[f"{col[q + '_gbp']}{r}"] = f"={col['central_gbp']}{r}*{col[q + '_ratio']}{r}"
    return sheet


def band_chart(sheet: Worksheet, forecast_rows: int, where: Sheets, anchor: str) -> None:
    """A line chart of the forecast's P10, P50 and P90 by financial year."""
    book_sheet = sheet.parent["forecast"]
    chart = LineChart()
    chart.title = "MTFS forecast: P50 with the P10-P90 band"
    chart.y_axis.title = "£ a year"
    chart.y_axis.number_format = GBP
    chart.x_axis.title = "financial year"
    for q in (10, 50, 90):
        c = where.col("forecast", f"p{q}_gbp")
        chart.add_data(Reference(book_sheet, min_col=c, min_row=1, max_row=forecast_rows + 1), titles_from_data=True)
    labels = where.col("forecast", "financial_year")
    chart.set_categories(Reference(book_sheet, min_col=labels, min_row=2, max_row=forecast_rows + 1))
    chart.height, chart.width = 9, 18
    sheet.add_chart(chart, anchor)


# --------------------------------------------------------------------------- the workbook

ORDER = ("summary", "pupils", *BREAKDOWN_SHEETS.values(), "savings plan", "savings by year", "forecast", "cohort", "assumptions",
         "today contracts", "optimised runs", "contracts flagged")


def summary_formulas(keys: list[str], where: Sheets, has_budget: bool, years: int) -> dict[str, str]:
    """The summary's value cells as formulas, by line key (row numbers follow `keys`' order)."""
    row = {key: i + 2 for i, key in enumerate(keys)}
    p = where.data
    staff = where.assumption("staff_overhead_gbp")
    needs, send, age = f"({p('pupils', 'needs_transport')}=TRUE)", f"({p('pupils', 'send')}=TRUE)", f"({p('pupils', 'age')}<=15)"
    today, plan = p("pupils", "today_annual_gbp"), p("pupils", "optimised_annual_gbp")
    pre16 = {side: f"SUMPRODUCT({needs}*{send}*{age}*({gbp}>0))" for side, gbp in (("today", today), ("plan", plan))}
    out = {
        "current_budget": f"={where.assumption('current_gbp')}" if has_budget else "",
        "baseline": f"=SUM({today})+{staff}",
        "arrangements_today": f"=SUM({today})",
        "staff": f"={staff}",
        "optimised": f"=SUM({plan})+{staff}",
        "saving": f"=B{row['baseline']}-B{row['optimised']}",
        "saving_share": f"=IF(B{row['baseline']}=0,0,B{row['saving']}/B{row['baseline']})",
        "needing": f"=SUMPRODUCT({needs}*1)",
        "costed": f"=SUMPRODUCT({needs}*({today}>0)*({plan}>0))",
        "send_today": f"=IF({pre16['today']}=0,0,SUMPRODUCT({needs}*{send}*{age}*{today})/{pre16['today']})",
        "send_optimised": f"=IF({pre16['plan']}=0,0,SUMPRODUCT({needs}*{send}*{age}*{plan})/{pre16['plan']})",
        "realignment": f"=B{row['baseline']}-B{row['current_budget']}" if has_budget else "",
    }
    for k in range(1, years + 1):
        out[f"savings_{k}"] = f"={ref('forecast', where.col('forecast', 'savings_gbp'), k + 2)}"
    for q in ("p50", "p10", "p90"):
        out[f"{q}_final"] = f"={ref('forecast', where.col('forecast', f'{q}_gbp'), years + 2)}"
    return out


def summary_sheet(sheet: Worksheet, lines: list[tuple[str, str, object, str]], where: Sheets, has_budget: bool,
                  years: int) -> None:
    """The summary: line, value (a formula), note; realignment first; money in £, shares in %."""
    formulas = summary_formulas([key for key, *_ in lines], where, has_budget, years)
    sheet.append(BUDGET_LINES.names)
    for key, line, value, note in lines:
        formula = formulas.get(key, "")
        sheet.append([line, formula or (None if value is None else _plain(value)), note])
        cell = sheet.cell(sheet.max_row, 2)
        cell.number_format = SHARE if key == "saving_share" else ("0" if key in ("needing", "costed") else GBP)
    sheet.cell(2, 1).font = sheet.cell(2, 2).font = Font(bold=True)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["A"].width = 58
    sheet.column_dimensions["B"].width = 16
    sheet.column_dimensions["C"].width = 90


def write_budget_workbook(costs, scenario, schools: pd.DataFrame, path: Path) -> Path:
    """budget.xlsx: every sheet in ORDER, the live formulas in place, a chart of the forecast band."""
    from transport.budget import BREAKDOWNS, assumption_notes, breakdown, summary_lines
    from transport.mtfs import assumptions_table

    book = Workbook()
    book.active.title = "summary"
    where = Sheets()
    write_table(book, "pupils", costs.pupils, where)
    for by, title in BREAKDOWN_SHEETS.items():
        breakdown_sheet(book, title, breakdown(costs.pupils, by, schools if by == "school" else None), BREAKDOWNS[by], where)
    plan = write_table(book, "savings plan", costs.savings.plan, where)
    _total_row(plan, "savings plan", where, sorted(FORMULA_COLUMNS["savings plan"]))
    write_table(book, "savings by year", costs.savings.phasing, where)
    assumptions = assumptions_table(scenario, assumption_notes(costs, scenario))
    where.assumption_row = {key: i + 2 for i, key in enumerate(assumptions["assumption"])}
    sheet = write_table(book, "assumptions", assumptions, where)
    for segment in ("send", "mainstream"):
        sheet.cell(where.assumption_row[f"assistant_share_{segment}"], 2, assistant_share_formula(where, segment == "send"))
    cohort_sheet(book, costs.outlook.cohort.base, scenario.forecast.years, where)
    forecast_sheet(book, costs.outlook.table, costs.outlook.band_ratios, costs.outlook.cohort.base, where)
    if costs.as_is is not None:
        write_table(book, "today contracts", costs.as_is.routes, where)
    write_table(book, "optimised runs", costs.optimised.routes, where)
    write_table(book, "contracts flagged", costs.flags, where)
    summary_sheet(book["summary"], summary_lines(costs, scenario.forecast.years), where,
                  costs.figures["current_budget_gbp"] is not None, scenario.forecast.years)
    band_chart(book["summary"], len(costs.outlook.table), where, "E2")
    book._sheets = [book[name] for name in ORDER if name in book.sheetnames]
    return save(book, path)
