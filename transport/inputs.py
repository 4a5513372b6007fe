"""Read and validate pupils, schools and the vehicle catalogue.

Every problem in a file is collected and raised together as one InputError naming file,
row, column, value and what is expected, so a transport officer can fix a file in one go.
Nothing is silently dropped: a row either loads or is reported. Locations may be given as
lat/lon, British National Grid easting/northing, or a postcode looked up in a Code-Point
Open table; everything is returned in WGS84 lat/lon. Columns are those of
`transport.schemas`; `read_inputs` gathers everything one scenario reads.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyproj

from transport.errors import InputError, Problem, ProblemCollector
from transport.geo import GREAT_BRITAIN, Bounds
from transport.policy import SEND_NEEDS, Policy, age_on
from transport.schemas import AGE_COLUMNS, LOCATION_COLUMNS, PUPILS, SCHOOLS, VEHICLES
from transport.units import clock_to_s

if TYPE_CHECKING:
    from transport.scenarios import Scenario

__all__ = ["Bounds", "Inputs", "read_inputs", "read_pupils", "read_schools", "read_table", "read_vehicles"]

TRUE_WORDS = {"yes", "y", "true", "t", "1"}
FALSE_WORDS = {"no", "n", "false", "f", "0", ""}
PHASES = ("primary", "secondary", "all-through", "post-16")
SCHOOL_TYPES = ("mainstream", "special", "resourced", "alternative")
SCHOOL_TYPE_ALIASES = {"sen unit": "resourced", "resourced provision": "resourced", "ap": "alternative", "alternative provision": "alternative"}
SCHOOL_SEXES = ("mixed", "boys", "girls")
PUPIL_SEXES = {"f": "F", "female": "F", "girl": "F", "m": "M", "male": "M", "boy": "M", "": ""}
#: Yes/no columns where a blank means "not assessed", not "no".
NOT_ASSESSED_WHEN_BLANK = ("cannot_walk",)

ROW_OFFSET = 2  # header is row 1 in a spreadsheet; the first data row is row 2
#: Identifiers (pupil ids, URNs, contract references) are joined with ';' in tables and used in
#: file names, so they are letters, digits, '-', '_' and '.', starting with a letter or digit.
IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
IDENTIFIER_FIX = "Use letters, digits, '-', '_' and '.' only (no ';', '/', spaces or quotes)"

_BNG = pyproj.Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


# ------------------------------------------------------------------------------- readers


def read_table(path: str | Path) -> pd.DataFrame:
    """A CSV (or GeoPackage layer) as strings, so validation sees exactly what the user typed."""
    path = Path(path)
    if not path.is_file():
        raise InputError(Problem(file=str(path), message="file not found", fix="Check the path in the scenario"))
    try:
        if path.suffix.lower() == ".gpkg":
            import geopandas as gpd

            frame = gpd.read_file(path)
            if "geometry" in frame and frame.geometry.notna().any():
                pts = frame.geometry.to_crs("EPSG:4326")
                frame["lon"], frame["lat"] = pts.x, pts.y
            frame = pd.DataFrame(frame.drop(columns="geometry", errors="ignore")).astype(str)
            frame = frame.replace({"nan": "", "None": ""})
        else:
            header = _header(path)
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True, encoding="utf-8-sig",
                                skip_blank_lines=False)
            frame.columns = header if len(header) == len(frame.columns) else frame.columns
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError, OSError, csv.Error) as exc:
        raise InputError(Problem(file=path.name, message=f"cannot be read as a table ({str(exc).splitlines()[0][:150]})",
                                 fix="Save it as a UTF-8 CSV with a header row")) from None
    return _normalised(frame, path.name)


def _header(path: Path) -> list[str]:
    """The header row as written (pandas renames a repeated column 'lat.1', which would hide it)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return next(csv.reader(handle), [])


def _normalised(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """Header names lower-cased and stripped; every cell a stripped string; blank rows dropped.

    The index is the row number a spreadsheet shows (the header is row 1), blank rows counted,
    so that every problem names the row the user sees.
    """
    columns = [str(c).strip().lower() for c in frame.columns]
    _check_header(columns, name)
    frame.columns = columns
    frame.index = pd.RangeIndex(ROW_OFFSET, ROW_OFFSET + len(frame))
    frame = frame.apply(lambda col: col.astype(str).str.strip())
    return frame[(frame != "").any(axis=1)] if len(frame.columns) else frame


def _check_header(columns: list[str], name: str) -> None:
    """A repeated column, or a file saved with another separator, is reported before anything else."""
    problems = ProblemCollector()
    if len(columns) == 1 and (";" in columns[0] or "\t" in columns[0]):
        separator = "';'" if ";" in columns[0] else "tab"
        problems.add(Problem(name, f"the header is one column that holds {separator}-separated names", row=1,
                             column=columns[0][:40], fix="Save the file as comma-separated CSV (values separated by ',')"))
    seen: dict[str, int] = {}
    for k, column in enumerate(columns, start=1):
        if column and column in seen:
            problems.add(Problem(name, f"column appears twice (columns {seen[column]} and {k})", row=1, column=column,
                                 fix="Keep one column of each name"))
        seen.setdefault(column, k)
    problems.raise_if_any()


def as_text(frame: pd.DataFrame, name: str = "table") -> pd.DataFrame:
    """A table built in memory (the synthetic demo data) exactly as `read_table` would read it
    had it been saved as CSV, so generated and supplied data pass the same validation."""
    return _normalised(pd.read_csv(io.StringIO(frame.to_csv(index=False)), dtype=str, keep_default_na=False,
                                   skipinitialspace=True, skip_blank_lines=False), name)


def load_postcodes(path: str | Path) -> dict[str, tuple[float, float]]:
    """Code-Point Open (Postcode, Eastings, Northings) -> {normalised postcode: (lat, lon)}."""
    frame = read_table(path)
    missing = {"postcode", "eastings", "northings"} - set(frame.columns)
    if missing:
        raise InputError(Problem(file=str(path), message=f"missing columns {sorted(missing)}", fix="Use the Code-Point Open CSV layout"))
    east = pd.to_numeric(frame["eastings"], errors="coerce").to_numpy()
    north = pd.to_numeric(frame["northings"], errors="coerce").to_numpy()
    lon, lat = _BNG.transform(east, north)
    keys = frame["postcode"].map(normalise_postcode)
    return {k: (la, lo) for k, la, lo in zip(keys, lat, lon, strict=True) if np.isfinite(la) and np.isfinite(lo)}


def normalise_postcode(text: str) -> str:
    return re.sub(r"\s+", "", str(text)).upper()


def read_schools(path: str | Path, postcodes: dict[str, tuple[float, float]] | None = None,
                 bounds: Bounds | None = None) -> pd.DataFrame:
    """Schools: urn, name, location, phase, type, start_time, finish_time, optional extras."""
    return parse_schools(read_table(path), Path(path).name, postcodes, bounds)


def parse_schools(frame: pd.DataFrame, name: str, postcodes: dict[str, tuple[float, float]] | None = None,
                  bounds: Bounds | None = None) -> pd.DataFrame:
    """Validate a schools table read as text (see `schemas.SCHOOLS`).

    Schools outside the network area are kept (`bounds` is not applied): pupils may attend a
    school across the boundary (an out-of-area placement, see `transport.placements`), and
    eligibility measures the route to a school or reports that it cannot.
    """
    problems = ProblemCollector()
    _require(frame, name, SCHOOLS.required, problems)
    _not_empty(frame, name, "school", problems)
    problems.raise_if_any()
    lat, lon = _locations(frame, name, postcodes, None, problems, what="school")
    out = pd.DataFrame({"urn": frame["urn"], "name": frame["name"], "lat": lat, "lon": lon})
    seen: dict[str, int] = {}
    for row, urn in zip(frame.index, frame["urn"], strict=True):
        if not urn:
            problems.add(Problem(name, "empty", row, "urn", fix="Every school needs its URN"))
        elif not IDENTIFIER.fullmatch(urn):
            problems.add(Problem(name, "not a usable identifier", row, "urn", urn, IDENTIFIER_FIX))
        elif urn in seen:
            problems.add(Problem(name, f"duplicate URN (also on row {seen[urn]})", row, "urn", urn, "Each school appears once"))
        else:
            seen[urn] = row
    out["phase"] = [_choice(v, PHASES, name, i, "phase", problems) for i, v in zip(frame.index, frame["phase"], strict=True)]
    out["type"] = [
        _choice(SCHOOL_TYPE_ALIASES.get(v.lower(), v), SCHOOL_TYPES, name, i, "type", problems) for i, v in zip(frame.index, frame["type"], strict=True)
    ]
    out["start_s"] = [_clock(v, name, i, "start_time", problems) for i, v in zip(frame.index, frame["start_time"], strict=True)]
    out["finish_s"] = [_clock(v, name, i, "finish_time", problems) for i, v in zip(frame.index, frame["finish_time"], strict=True)]
    for i, s, f in zip(frame.index, out["start_s"], out["finish_s"], strict=True):
        if s is not None and f is not None and f <= s:
            problems.add(Problem(name, "finish time is not after start time", i, "finish_time", frame["finish_time"][i]))
    out["religious_character"] = _column(frame, "religious_character")
    for column in ("places", "sen_places"):
        out[column] = numbers_column(frame, name, SCHOOLS, column, problems)
    out["needs_served"] = _column(frame, "needs_served")
    out["sex"] = [_choice(v or "mixed", SCHOOL_SEXES, name, i, "sex", problems) for i, v in zip(frame.index, _column(frame, "sex"), strict=True)]
    out["sixth_form"] = [_bool(v, name, i, "sixth_form", problems) or phase == "post-16"
                         for i, v, phase in zip(frame.index, _column(frame, "sixth_form"), out["phase"], strict=True)]
    problems.raise_if_any()
    out["urn"] = out["urn"].astype(str)
    return out.reset_index(drop=True)


def read_pupils(path: str | Path, schools: pd.DataFrame, policy: Policy,
                postcodes: dict[str, tuple[float, float]] | None = None, bounds: Bounds | None = None) -> pd.DataFrame:
    """Pupils with pseudonymous ids, locations, age on the assessment date, school and needs."""
    return parse_pupils(read_table(path), Path(path).name, schools, policy, postcodes, bounds)


def parse_pupils(frame: pd.DataFrame, name: str, schools: pd.DataFrame, policy: Policy,
                 postcodes: dict[str, tuple[float, float]] | None = None, bounds: Bounds | None = None) -> pd.DataFrame:
    """Validate a pupils table read as text (see `schemas.PUPILS`)."""
    problems = ProblemCollector()
    _require(frame, name, PUPILS.required, problems)
    _not_empty(frame, name, "pupil", problems)
    if not ({"date_of_birth", "age", "year_group"} & set(frame.columns)):
        problems.add(Problem(name, "no age column", column="date_of_birth",
                             fix="Give date_of_birth (YYYY-MM-DD), age, or year_group (R, 1-13)"))
    problems.raise_if_any()
    lat, lon = _locations(frame, name, postcodes, bounds, problems, what="pupil")
    out = pd.DataFrame({"pupil_id": frame["pupil_id"], "lat": lat, "lon": lon})
    seen: dict[str, int] = {}
    for row, pid in zip(frame.index, frame["pupil_id"], strict=True):
        if not pid:
            problems.add(Problem(name, "empty", row, "pupil_id", fix="Every pupil needs a pseudonymous id"))
        elif not IDENTIFIER.fullmatch(pid):
            problems.add(Problem(name, "not a usable pseudonymous id", row, "pupil_id", pid, IDENTIFIER_FIX))
        elif pid in seen:
            problems.add(Problem(name, f"duplicate pupil id (also on row {seen[pid]})", row, "pupil_id", pid))
        else:
            seen[pid] = row
    given = {c: frame[c].tolist() for c in AGE_COLUMNS if c in frame.columns}
    ages = [_age({c: v[i] for c, v in given.items()}, int(row), name, policy, problems) for i, row in enumerate(frame.index)]
    out["age"] = [a for a, _ in ages]
    out["date_of_birth"] = [born for _, born in ages]
    urns = set(schools["urn"].astype(str))
    for i, urn in zip(frame.index, frame["school_urn"], strict=True):
        if urn not in urns:
            problems.add(Problem(name, "unknown school URN", i, "school_urn", urn,
                                 "Use a URN listed in the schools file" if urn else "Every pupil needs the URN of the school they attend"))
    out["school_urn"] = frame["school_urn"].astype(str)
    for column in PUPILS.of_type("bool"):
        values = _column(frame, column)
        blank_unknown = column in NOT_ASSESSED_WHEN_BLANK
        out[column] = [None if blank_unknown and not str(v).strip() else _bool(v, name, i, column, problems)
                       for i, v in zip(frame.index, values, strict=True)]
    needs = _column(frame, "send_need")
    out["send_need"] = [_needs(v, name, i, problems) for i, v in zip(frame.index, needs, strict=True)]
    out["max_ride_minutes"] = numbers_column(frame, name, PUPILS, "max_ride_minutes", problems)
    _pupil_preferences(frame, out, name, schools, problems)
    out["avoid_with"] = _column(frame, "avoid_with")
    for i, others in zip(frame.index, out["avoid_with"], strict=True):
        for other in filter(None, (o.strip() for o in others.split(";"))):
            if other not in seen:
                problems.add(Problem(name, f"names pupil {other!r}, who is not in the file", i, "avoid_with", others))
    problems.raise_if_any()
    return out.reset_index(drop=True)


def _pupil_preferences(frame: pd.DataFrame, out: pd.DataFrame, name: str, schools: pd.DataFrame,
                       problems: ProblemCollector) -> None:
    """sex, refused_at and religion_preference: checked against the schools file."""
    sexes = _column(frame, "sex")
    out["sex"] = [PUPIL_SEXES.get(str(v).strip().lower(), "") for v in sexes]
    for i, v in zip(frame.index, sexes, strict=True):
        if str(v).strip().lower() not in PUPIL_SEXES:
            problems.add(Problem(name, "not a sex the schools file can match", i, "sex", v,
                                 "Use F or M (or leave it blank when not known)"))
    urns = set(schools["urn"].astype(str))
    refused = []
    for i, text, own in zip(frame.index, _column(frame, "refused_at"), out["school_urn"], strict=True):
        listed = [u.strip() for u in re.split(r"[;,]", str(text)) if u.strip()]
        for urn in listed:
            if urn not in urns:
                problems.add(Problem(name, "unknown school URN", i, "refused_at", urn,
                                     "List URNs from the schools file, separated by ';'"))
            elif urn == own:
                problems.add(Problem(name, "the school the pupil attends is listed as refusing them", i,
                                     "refused_at", urn, "Remove the pupil's own school from refused_at"))
        refused.append(";".join(listed))
    out["refused_at"] = refused
    characters = {str(c).strip().lower(): str(c).strip() for c in schools["religious_character"] if str(c).strip()}
    preferences = []
    for i, v in zip(frame.index, _column(frame, "religion_preference"), strict=True):
        text = str(v).strip()
        if text and text.lower() not in characters:
            known = ", ".join(sorted(characters.values())) or "none in the schools file"
            problems.add(Problem(name, "no school has this religious character", i, "religion_preference",
                                 text, f"Use a religious_character of the schools file ({known})"))
        preferences.append(characters.get(text.lower(), ""))
    out["religion_preference"] = preferences


# ------------------------------------------------------------------------------- fields


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """An optional column, or empty cells on the same rows when the file has none."""
    return frame[name] if name in frame.columns else pd.Series("", index=frame.index, dtype=str)


def _not_empty(frame: pd.DataFrame, name: str, what: str, problems: ProblemCollector) -> None:
    if frame.empty:
        problems.add(Problem(name, f"no rows: the file has no {what} in it", row=2,
                             fix=f"Add one row per {what} under the header"))


def _require(frame: pd.DataFrame, name: str, columns: list[str], problems: ProblemCollector) -> None:
    for column in columns:
        if column not in frame.columns:
            problems.add(Problem(name, "required column is missing", column=column, fix=f"Add a '{column}' column"))


def _locations(frame: pd.DataFrame, name: str, postcodes: dict[str, tuple[float, float]] | None,
               bounds: Bounds | None, problems: ProblemCollector, what: str) -> tuple[list[float], list[float]]:
    """lat/lon, else easting/northing, else postcode; with swapped and wrong-system checks."""
    has_ll = {"lat", "lon"} <= set(frame.columns)
    has_en = {"easting", "northing"} <= set(frame.columns)
    has_pc = "postcode" in frame.columns
    if not (has_ll or has_en or has_pc):
        problems.add(Problem(name, f"no location columns; every {what} needs a location", column="lat",
                             fix="Give lat/lon, or easting/northing (British National Grid), or postcode"))
        return [np.nan] * len(frame), [np.nan] * len(frame)
    lats: list[float] = []
    lons: list[float] = []
    cells = {c: frame[c].tolist() if c in frame.columns else [""] * len(frame)
             for c in LOCATION_COLUMNS}
    for i, row in enumerate(frame.index):
        lat, lon = np.nan, np.nan
        la, lo = (cells["lat"][i], cells["lon"][i]) if has_ll else ("", "")
        ea, no = (cells["easting"][i], cells["northing"][i]) if has_en else ("", "")
        pc = cells["postcode"][i] if has_pc else ""
        if la or lo:
            lat, lon = _parse_lat_lon(la, lo, name, row, problems)
        elif ea or no:
            lat, lon = _parse_bng(ea, no, name, row, problems)
        elif pc:
            found = (postcodes or {}).get(normalise_postcode(pc))
            if postcodes is None:
                problems.add(Problem(name, "a postcode was given but no postcode table is configured", row, "postcode", pc,
                                     "Give lat/lon, or set a postcodes file in the scenario"))
            elif found is None:
                problems.add(Problem(name, "postcode not found in the postcode table", row, "postcode", pc,
                                     "Check the postcode, or give lat/lon"))
            else:
                lat, lon = found
        else:
            problems.add(Problem(name, "empty", row, "lat",
                                 fix=f"Every {what} needs a location: give lat/lon, or easting/northing, or postcode"))
        if np.isfinite(lat) and bounds is not None and not bounds.contains(lat, lon):
            problems.add(Problem(name, "location is outside the network area", row, "lat", f"{lat:.5f}, {lon:.5f}",
                                 "Check the coordinates, or use a network extract that covers them"))
            lat, lon = np.nan, np.nan
        lats.append(lat)
        lons.append(lon)
    return lats, lons


def _parse_lat_lon(la: str, lo: str, name: str, row: int, problems: ProblemCollector) -> tuple[float, float]:
    try:
        lat, lon = float(la), float(lo)
    except ValueError:
        column = "lat" if not _is_number(la) else "lon"
        problems.add(Problem(name, "not a number", row, column, la if column == "lat" else lo, "Give decimal degrees, e.g. 52.6706"))
        return np.nan, np.nan
    if not (np.isfinite(lat) and np.isfinite(lon)):
        problems.add(Problem(name, "not a finite number", row, "lat", f"{la}, {lo}"))
        return np.nan, np.nan
    if abs(lat) > 90 or abs(lon) > 180:
        if lat > 1000 and lon > 1000:
            problems.add(Problem(name, "looks like British National Grid easting/northing, not lat/lon", row, "lat", f"{la}, {lo}",
                                 "Put these values in 'easting' and 'northing' columns"))
        else:
            problems.add(Problem(name, "not a valid latitude/longitude", row, "lat", f"{la}, {lo}"))
        return np.nan, np.nan
    if _in_gb(lat, lon):
        return lat, lon
    if _in_gb(lon, lat):
        problems.add(Problem(name, "latitude and longitude look swapped", row, "lat", f"{la}, {lo}",
                             "Latitude is about 50-60 in Great Britain; swap the two columns"))
    else:
        problems.add(Problem(name, "location is outside Great Britain", row, "lat", f"{la}, {lo}", "Check the coordinates"))
    return np.nan, np.nan


def _parse_bng(ea: str, no: str, name: str, row: int, problems: ProblemCollector) -> tuple[float, float]:
    try:
        east, north = float(ea), float(no)
    except ValueError:
        problems.add(Problem(name, "not a number", row, "easting" if not _is_number(ea) else "northing", f"{ea}, {no}"))
        return np.nan, np.nan
    if abs(east) <= 180 and abs(north) <= 180 and (_in_gb(east, north) or _in_gb(north, east)):
        problems.add(Problem(name, "looks like lat/lon, not easting/northing", row, "easting", f"{ea}, {no}",
                             "Put these values in 'lat' and 'lon' columns"))
        return np.nan, np.nan
    if not (0 <= east <= 700_000 and 0 <= north <= 1_300_000):
        problems.add(Problem(name, "not a British National Grid coordinate (metres)", row, "easting", f"{ea}, {no}"))
        return np.nan, np.nan
    lon, lat = _BNG.transform(east, north)
    return float(lat), float(lon)


def _in_gb(lat: float, lon: float) -> bool:
    return GREAT_BRITAIN.contains(lat, lon)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _age(cells: dict[str, str], row: int, name: str, policy: Policy, problems: ProblemCollector) -> tuple[int | None, dt.date | None]:
    """Age on the assessment date, from date_of_birth, age or year_group; and the date of birth when given."""
    assessed = policy.assessed_on
    dob, age_text, year = cells.get("date_of_birth", ""), cells.get("age", ""), cells.get("year_group", "")
    age: int | None = None
    born: dt.date | None = None
    if dob:
        try:
            born = dt.date.fromisoformat(dob)
        except ValueError:
            problems.add(Problem(name, "not a date", row, "date_of_birth", dob, "Use YYYY-MM-DD"))
            return None, None
        age = age_on(born, assessed) if born <= assessed else -1
        column = "date_of_birth"
    elif age_text:
        try:
            number = float(age_text)
            if not np.isfinite(number) or number != int(number):
                raise ValueError(age_text)
            age = int(number)
        except (ValueError, OverflowError):
            problems.add(Problem(name, "not a whole number", row, "age", age_text, "Give the age in whole years on the assessment date"))
            return None, None
        column = "age"
    elif year:
        text = year.upper().removeprefix("Y").removeprefix("EAR").strip()
        if text in ("R", "RECEPTION"):
            return 4, None
        try:
            age = int(text) + 4
        except ValueError:
            problems.add(Problem(name, "not a year group", row, "year_group", year, "Use R or 1-13"))
            return None, None
        column = "year_group"
    else:
        problems.add(Problem(name, "empty", row, "date_of_birth", fix="Give date_of_birth, age or year_group"))
        return None, None
    if not 2 <= age <= 25:
        problems.add(Problem(name, f"impossible age for a pupil ({age} on {assessed.day} {assessed:%B %Y})", row, column,
                             dob or age_text or year, "Check the date of birth or age"))
        return None, None
    return age, born


def _bool(value: str, name: str, i: int, column: str, problems: ProblemCollector) -> bool:
    text = str(value).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    problems.add(Problem(name, "not yes or no", i, column, value, "Use yes/no (or true/false, 1/0)"))
    return False


def _needs(value: str, name: str, i: int, problems: ProblemCollector) -> str:
    parts = [p.strip().upper() for p in re.split(r"[;,/ ]+", str(value)) if p.strip()]
    for part in parts:
        if part not in SEND_NEEDS:
            problems.add(Problem(name, "unknown SEND need", i, "send_need", part, f"Use one of {', '.join(SEND_NEEDS)}"))
    return ";".join(p for p in parts if p in SEND_NEEDS)


def _choice(value: str, allowed: tuple[str, ...], name: str, i: int, column: str, problems: ProblemCollector) -> str:
    text = str(value).strip().lower()
    if text not in allowed:
        problems.add(Problem(name, "not an allowed value", i, column, value, f"Use one of {', '.join(allowed)}"))
    return text


def _clock(value: str, name: str, i: int, column: str, problems: ProblemCollector) -> int | None:
    try:
        return clock_to_s(value)
    except (ValueError, AttributeError):
        problems.add(Problem(name, "not a time of day", i, column, value, "Use HH:MM, e.g. 08:45"))
        return None


def numbers_column(frame: pd.DataFrame, name: str, table, column: str, problems: ProblemCollector) -> list[float | None]:
    """An optional numeric column, checked against the type and range its schema gives."""
    spec = table.column(column)
    values = _column(frame, column)
    return [_number(v, name, i, column, problems, minimum=spec.minimum, maximum=spec.maximum, integer=spec.dtype == "int")
            for i, v in zip(frame.index, values, strict=True)]


def _number(value: str, name: str, i: int, column: str, problems: ProblemCollector, *, minimum: float | None = None,
            maximum: float | None = None, integer: bool = False) -> float | None:
    text = str(value).strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        problems.add(Problem(name, "not a number", i, column, value))
        return None
    if not np.isfinite(number) or (integer and number != int(number)):
        problems.add(Problem(name, "not a whole number" if integer else "not a finite number", i, column, value))
        return None
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        bounds_text = f"at least {minimum:g}" if maximum is None else f"at most {maximum:g}" if minimum is None else f"{minimum:g} to {maximum:g}"
        problems.add(Problem(name, f"out of range ({bounds_text})", i, column, value))
        return None
    return number


def read_vehicles(path: str | Path, bounds: Bounds | None = None) -> pd.DataFrame:
    """The vehicle and price catalogue: one row per type and operator depot.

    A row without depot_lat/depot_lon starts at its first pick-up (no dead mileage is
    modelled for it; say so in the catalogue's notes).
    """
    name = Path(path).name
    frame = read_table(path)
    problems = ProblemCollector()
    _require(frame, name, VEHICLES.required, problems)
    _not_empty(frame, name, "vehicle type", problems)
    problems.raise_if_any()
    out = pd.DataFrame({"vehicle_type": frame["vehicle_type"]})
    for i, v in zip(frame.index, frame["vehicle_type"], strict=True):
        if not v:
            problems.add(Problem(name, "empty", i, "vehicle_type", fix="Name the vehicle type, e.g. taxi"))
    for column in [c.name for c in VEHICLES.columns if c.required and c.dtype in ("int", "float")]:
        values = numbers_column(frame, name, VEHICLES, column, problems)
        for i, text in zip(frame.index, frame[column], strict=True):
            if not str(text).strip():
                problems.add(Problem(name, "empty", i, column, fix=f"Give the {column.replace('_', ' ')}"))
        out[column] = values
    out["depot"] = _column(frame, "depot")
    has_depot = {"depot_lat", "depot_lon"} <= set(frame.columns)
    lats, lons = [], []
    for i, row in enumerate(frame.index):
        la = frame["depot_lat"].iat[i] if has_depot else ""
        lo = frame["depot_lon"].iat[i] if has_depot else ""
        if la or lo:
            lat, lon = _parse_lat_lon(la, lo, name, row, problems)
            if np.isfinite(lat) and bounds is not None and not bounds.contains(lat, lon):
                problems.add(Problem(name, "depot is outside the network area", row, "depot_lat", f"{la}, {lo}"))
        else:
            lat, lon = np.nan, np.nan
        lats.append(lat)
        lons.append(lon)
    out["depot_lat"], out["depot_lon"] = lats, lons
    problems.raise_if_any()
    for column in VEHICLES.of_type("int"):
        out[column] = out[column].astype(int)
    return out.reset_index(drop=True)


# ------------------------------------------------------------------------------- one scenario's inputs


@dataclass(frozen=True)
class Inputs:
    """Everything a scenario reads: schools (new provision added), pupils, the vehicle catalogue
    (prices scaled by the scenario) and, when a file is given, today's contracts.

    `generated` holds the tables this run made up instead of reading (the synthetic demo
    cohort), written with the run's outputs so that they can be inspected.
    """

    schools: pd.DataFrame
    pupils: pd.DataFrame
    vehicles: pd.DataFrame
    contracts: pd.DataFrame | None = None
    generated: dict[str, pd.DataFrame] = field(default_factory=dict)


def read_inputs(scenario: Scenario, bounds: Bounds, data_dir: Path | None = None) -> Inputs:
    """Read (or, for the demo, synthesise) one scenario's schools, pupils, vehicles and contracts."""
    from transport.contracts import read_contracts
    from transport.datadir import AREAS, find_data_file
    from transport.provision import add_provision
    from transport.synth import demo_schools, synthesise_cohort

    data, area = scenario.data, scenario.data.area
    postcodes = None
    if data.postcodes:
        postcodes = load_postcodes(find_data_file(AREAS[area].postcodes_file, data_dir) if data.postcodes == "area"
                                   else scenario.path(data.postcodes))
    generated: dict[str, pd.DataFrame] = {}
    if data.schools == "synthetic":
        generated["schools.csv"] = demo_schools(area, data_dir)
        raw_schools = as_text(generated["schools.csv"])
        schools = parse_schools(raw_schools, "schools.csv (synthetic)", postcodes, bounds)
    else:
        raw_schools = read_table(scenario.path(data.schools))
        schools = parse_schools(raw_schools, Path(data.schools).name, postcodes, bounds)
    if scenario.new_provision:
        schools = add_provision(schools, scenario.new_provision, file=scenario.file_of("new_provision"), bounds=bounds)
    if data.pupils == "synthetic":
        generated["pupils.csv"] = synthesise_cohort(raw_schools, area, data_dir, seed=scenario.synthetic.seed,
                                                    scale=scenario.synthetic.scale,
                                                    academic_year_start=scenario.policy.academic_year_start)
        pupils = parse_pupils(as_text(generated["pupils.csv"]), "pupils.csv (synthetic)", schools, scenario.policy,
                              postcodes, bounds)
    else:
        pupils = read_pupils(scenario.path(data.pupils), schools, scenario.policy, postcodes, bounds)
    vehicles = read_vehicles(scenario.path(data.vehicles), bounds)
    multiplier = scenario.costs.price_multiplier
    if multiplier != 1.0:
        vehicles = vehicles.assign(daily_price_gbp=vehicles["daily_price_gbp"] * multiplier,
                                   price_per_mile_gbp=vehicles["price_per_mile_gbp"] * multiplier)
    contracts = None
    if data.contracts and data.contracts != "synthetic":
        contracts = read_contracts(scenario.path(data.contracts), set(pupils["pupil_id"]), set(schools["urn"].astype(str)),
                                   set(vehicles["vehicle_type"]))
    return Inputs(schools, pupils, vehicles, contracts, generated)
