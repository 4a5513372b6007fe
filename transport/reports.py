"""Files for people: the budget workbook and its CSVs (operators' route sheets are `transport.sheets`).

Drawn from the run in memory (`Run`), into the folder the run is being written to.
"""

from __future__ import annotations

from pathlib import Path

from transport.cells import write_csv
from transport.record import Run


def write_budget(run: Run, folder: Path) -> Path:
    """budget.xlsx (summary first, live formulas over the pupils and assumptions sheets; see
    `transport.workbook`) and each of its tables as values in budget/*.csv."""
    from transport.budget import budget_tables
    from transport.workbook import write_budget_workbook

    budget_dir = folder / "budget"
    budget_dir.mkdir(parents=True, exist_ok=True)
    for name, table in budget_tables(run.costs, run.schools, run.scenario).items():
        write_csv(table, budget_dir / f"{name}.csv")
    return write_budget_workbook(run.costs, run.scenario, run.schools, folder / "budget.xlsx")
