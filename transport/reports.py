"""Files for people and for scripts: the budget workbook and CSVs, and operators' route sheets."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from transport.units import s_to_clock


def write_budget(out_dir: Path, tables: dict[str, pd.DataFrame]) -> Path:
    """budget.xlsx with one sheet per table (openpyxl), and each table as CSV beside it."""
    budget_dir = out_dir / "budget"
    budget_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "budget.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, table in tables.items():
            table.to_excel(writer, sheet_name=name[:31], index=False)
            sheet = writer.sheets[name[:31]]
            for column_cells in sheet.columns:
                width = max(len(str(c.value)) if c.value is not None else 0 for c in column_cells)
                sheet.column_dimensions[column_cells[0].column_letter].width = min(60, max(10, width + 2))
            table.to_csv(budget_dir / f"{name.replace(' ', '_')}.csv", index=False)
    return path


SHEET_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.4em; margin-bottom: 0.2em; }
.meta { color: #555; margin-bottom: 1em; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #bbb; padding: 4px 8px; text-align: left; font-size: 0.95em; }
th { background: #eee; }
.flag { font-weight: bold; }
@media print { body { margin: 0.5cm; } a { color: inherit; text-decoration: none; } }
"""


def write_route_sheets(out_dir: Path, schools: pd.DataFrame) -> list[Path]:
    """One printable HTML page and one CSV per vehicle run, for the operator."""
    sheets_dir = out_dir / "route_sheets"
    sheets_dir.mkdir(parents=True, exist_ok=True)
    names = dict(zip(schools["urn"].astype(str), schools["name"], strict=True))
    written: list[Path] = []
    index_rows = []
    for run_dir in sorted(p for p in (out_dir / "runs").iterdir() if (p / "routes.csv").is_file()):
        routes = pd.read_csv(run_dir / "routes.csv", dtype={"pupils": str, "request_id": str, "group": str}, keep_default_na=False)
        requests = pd.read_csv(run_dir / "requests.csv", dtype={"request_id": str}, keep_default_na=False).set_index("request_id")
        for vehicle, stops in routes.groupby("vehicle", sort=True):
            stops = stops.sort_values("sequence")
            rows = []
            for s in stops.itertuples(index=False):
                req = requests.loc[s.request_id] if s.request_id in requests.index else None
                flags = []
                if req is not None:
                    if str(req["wheelchairs"]) not in ("0", ""):
                        flags.append("wheelchair")
                    if str(req["needs_assistant"]) == "True":
                        flags.append("assistant")
                    if str(req["travel_alone"]) == "True":
                        flags.append("travels alone")
                action = {"start": "Leave depot", "end": "Return to depot", "pickup": "Pick up", "delivery": "Drop off"}.get(s.stop_kind, s.stop_kind)
                place = names.get(str(s.group), "") if (s.stop_kind == "delivery" and run_dir.name == "AM") or (s.stop_kind == "pickup" and run_dir.name == "PM") else ""
                rows.append({"order": s.sequence, "time": s.arrival if s.stop_kind != "start" else s.departure, "action": action,
                             "pupils": s.pupils, "needs": ", ".join(flags), "school": names.get(str(s.group), str(s.group)) if s.group else "",
                             "at": place or (f"{s.lat:.5f}, {s.lon:.5f}" if s.stop_kind in ("pickup", "delivery") else "depot"),
                             "load": s.seats_load, "ride_min": s.ride_minutes})
            table = pd.DataFrame(rows)
            base = sheets_dir / f"{vehicle}"
            table.to_csv(base.with_suffix(".csv"), index=False)
            first = stops.iloc[0]
            title = f"Route {vehicle}: {first['vehicle_type'].split('@')[0].replace('_', ' ')}"
            meta = (f"Run {run_dir.name} &middot; depot {html.escape(str(first['vehicle_type']).split('@')[-1].removesuffix('+PA'))} &middot; "
                    f"passenger assistant: {'yes' if str(first['has_assistant']) == 'True' else 'no'} &middot; "
                    f"departs {html.escape(s_to_clock(int(first['departure_s'])))}")
            body = table.to_html(index=False, escape=True, border=0)
            page = (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
                    f"<style>{SHEET_STYLE}</style></head><body><h1>{html.escape(title)}</h1><div class='meta'>{meta}</div>"
                    f"{body}<p class='meta'>Pupils are shown by pseudonymous id only. The school holds the contact details.</p></body></html>")
            base.with_suffix(".html").write_text(page, encoding="utf-8")
            written.append(base.with_suffix(".html"))
            index_rows.append(f"<li><a href='{html.escape(vehicle)}.html'>{html.escape(title)}</a> ({len(stops) - 2} stops)</li>")
    (sheets_dir / "index.html").write_text(
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Route sheets</title><style>{SHEET_STYLE}</style></head>"
        f"<body><h1>Route sheets</h1><ul>{''.join(index_rows)}</ul></body></html>", encoding="utf-8")
    return written
