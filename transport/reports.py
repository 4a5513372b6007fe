"""Files for people: the budget workbook and its CSVs (operators' route sheets are `transport.sheets`).

Drawn from the run in memory (`Run`), into the folder the run is being written to.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from transport.cells import for_workbook, write_csv
from transport.record import Run


def write_budget(run: Run, folder: Path) -> Path:
    """budget.xlsx with one sheet per table (openpyxl), and each table as CSV in budget/."""
    budget_dir = folder / "budget"
    budget_dir.mkdir(parents=True, exist_ok=True)
    path = folder / "budget.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, table in run.costs.tables.items():
            for_workbook(table).to_excel(writer, sheet_name=name[:31], index=False)
            sheet = writer.sheets[name[:31]]
            for column_cells in sheet.columns:
                width = max(len(str(c.value)) if c.value is not None else 0 for c in column_cells)
                sheet.column_dimensions[column_cells[0].column_letter].width = min(60, max(10, width + 2))
            write_csv(table, budget_dir / f"{name.replace(' ', '_')}.csv")
    write_csv(run.costs.optimised.routes, budget_dir / "optimised_routes_priced.csv")
    if run.costs.as_is is not None:
        write_csv(run.costs.as_is.routes, budget_dir / "as_is_contracts_priced.csv")
    return path
