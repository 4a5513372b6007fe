"""Reading schools and pupils: valid files load, and every problem names its file, row and column.

Rows are spreadsheet rows: the header is row 1, the first pupil row 2.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyproj
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from transport.errors import InputError
from transport.inputs import Bounds, load_postcodes, read_pupils, read_schools
from transport.policy import Policy

TO_BNG = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)

SCHOOL_HEADER = ["urn", "name", "lat", "lon", "phase", "type", "start_time", "finish_time", "religious_character",
                 "places", "sen_places", "needs_served", "sex", "sixth_form"]
SCHOOL_ROWS = [
    ["100001", "Brook Primary", "52.6706", "-0.7270", "primary", "mainstream", "08:45", "15:15", "", "210", "", "", "", ""],
    ["200001", "North Academy", "52.6750", "-0.7300", "secondary", "mainstream", "08:30", "15:00", "", "1100", "20", "ASD;SEMH",
     "Girls", "yes"],
    ["200005", "St Mary's Catholic", "52.6600", "-0.7100", "Secondary", "SEN unit", "08:40", "15:10", "Roman Catholic", "600",
     "10", "", "mixed", "no"],
    ["300001", "Oak Special School", "52.6650", "-0.7400", "all-through", "special", "09:00", "15:00", "", "80", "80", "PMLD;SLD",
     "", ""],
]

PUPIL_HEADER = ["pupil_id", "lat", "lon", "date_of_birth", "school_urn", "ehcp", "wheelchair", "passenger_assistant",
                "travel_alone", "low_income", "unsafe_route", "send_need", "max_ride_minutes", "religion_preference",
                "avoid_with", "cannot_walk", "named_on_preference", "sex", "refused_at"]
PUPIL_ROWS = [  # ages on 1 September 2025 (the default assessment date): 8, 8, 13, 13, 16
    ["P001", "52.6801", "-0.7012", "2017-08-31", "100001", "no", "no", "no", "yes", "no", "no", "", "", "", "", "", "", "M", ""],
    ["P002", "52.6523", "-0.7488", "2017-09-01", "100001", "No", "", "", "", "Yes", "", "", "", "", "", "", "", "f", "200001"],
    ["P003", "52.6900", "-0.7600", "2012-03-15", "200001", "yes", "yes", "yes", "no", "no", "no", "PD; VI", "60", "", "P001",
     "yes", "no", "F", ""],
    ["P004", "52.6400", "-0.6900", "2011-11-30", "200005", "0", "0", "0", "1", "TRUE", "false", "asd", "", "roman catholic", "",
     "no", "", "", "100001;200001"],
    ["P005", "52.6650", "-0.7200", "2009-01-20", "300001", "y", "n", "n", "n", "n", "n", "PMLD", "90", "", "", "", "yes", "m",
     ""],
]
#: The same pupils' ages given the other two ways (column 3 of the header).
AGE_COLUMNS = {
    "date_of_birth": [r[3] for r in PUPIL_ROWS],
    "age": ["8", "7", "13", "13", "16"],
    "year_group": ["Year 4", "3", "Y9", "year 9", "12"],
}


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> Path:
    """As a spreadsheet saves it: CRLF rows, so a cell holding a line break (CR or LF) is quoted."""
    with path.open("w", encoding=encoding, newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerows([header, *rows])
    return path


def table(header: list[str], rows: list[list[str]], edits: dict[tuple[int, str], str] | None = None,
          drop: tuple[str, ...] = (), rename: dict[str, str] | None = None) -> tuple[list[str], list[list[str]]]:
    """A copy with cells changed ({(spreadsheet row, column): text}), columns dropped or renamed."""
    rows = [list(r) for r in rows]
    for (row, column), text in (edits or {}).items():
        rows[row - 2][header.index(column)] = text
    keep = [i for i, c in enumerate(header) if c not in drop]
    names = [(rename or {}).get(header[i], header[i]) for i in keep]
    return names, [[r[i] for i in keep] for r in rows]


@pytest.fixture()
def schools(tmp_path: Path) -> pd.DataFrame:
    return read_schools(write_csv(tmp_path / "schools.csv", SCHOOL_HEADER, SCHOOL_ROWS))


def pupil_table(age_column: str = "date_of_birth") -> tuple[list[str], list[list[str]]]:
    """The valid pupils, with their ages given as date_of_birth, age or year_group."""
    header, rows = table(PUPIL_HEADER, PUPIL_ROWS, rename={"date_of_birth": age_column})
    for row, text in zip(rows, AGE_COLUMNS[age_column], strict=True):
        row[3] = text
    return header, rows


def pupils_file(tmp_path: Path, edits: dict[tuple[int, str], str] | None = None, drop: tuple[str, ...] = (),
                rename: dict[str, str] | None = None, age_column: str = "date_of_birth") -> Path:
    header, rows = pupil_table(age_column)
    return write_csv(tmp_path / "pupils.csv", *table(header, rows, edits, drop, rename))


def where(err: pytest.ExceptionInfo[InputError]) -> list[tuple[str, int | None, str | None]]:
    return [(p.file, p.row, p.column) for p in err.value.problems]


# ----------------------------------------------------------------------------- valid files


def test_valid_schools_file_loads(schools: pd.DataFrame) -> None:
    assert schools[["urn", "phase", "type", "start_s", "finish_s", "places"]].values.tolist() == [
        ["100001", "primary", "mainstream", 31500, 54900, 210.0],
        ["200001", "secondary", "mainstream", 30600, 54000, 1100.0],
        ["200005", "secondary", "resourced", 31200, 54600, 600.0],
        ["300001", "all-through", "special", 32400, 54000, 80.0],
    ]


def test_schools_give_their_sex_and_post16_offer(schools: pd.DataFrame) -> None:
    assert schools[["sex", "sixth_form"]].values.tolist() == [["mixed", False], ["girls", True], ["mixed", False],
                                                               ["mixed", False]]


def test_valid_pupils_file_loads(tmp_path: Path, schools: pd.DataFrame) -> None:
    pupils = read_pupils(pupils_file(tmp_path), schools, Policy())
    assert pupils[["pupil_id", "age", "school_urn", "ehcp", "wheelchair", "low_income", "send_need", "religion_preference",
                   "avoid_with"]].values.tolist() == [
        ["P001", 8, "100001", False, False, False, "", "", ""],
        ["P002", 8, "100001", False, False, True, "", "", ""],
        ["P003", 13, "200001", True, True, False, "PD;VI", "", "P001"],
        ["P004", 13, "200005", False, False, True, "ASD", "Roman Catholic", ""],
        ["P005", 16, "300001", True, False, False, "PMLD", "", ""],
    ]


def test_new_pupil_columns_load_with_blank_cannot_walk_meaning_not_assessed(tmp_path: Path, schools: pd.DataFrame) -> None:
    pupils = read_pupils(pupils_file(tmp_path), schools, Policy())
    assert pupils[["cannot_walk", "named_on_preference", "sex", "refused_at"]].values.tolist() == [
        [None, False, "M", ""], [None, False, "F", "200001"], [True, False, "F", ""], [False, False, "", "100001;200001"],
        [None, True, "M", ""],
    ]


def test_pupils_keep_their_coordinates(tmp_path: Path, schools: pd.DataFrame) -> None:
    pupils = read_pupils(pupils_file(tmp_path), schools, Policy())
    assert pupils[["lat", "lon"]].to_numpy().tolist() == [[float(r[1]), float(r[2])] for r in PUPIL_ROWS]


@pytest.mark.parametrize(
    ("born", "age"),
    [("2017-08-31", 8), ("2017-09-01", 8), ("2017-09-02", 7), ("2021-08-31", 4), ("2021-09-02", 3), ("2010-08-31", 15),
     ("2010-06-15", 15)],
)
def test_age_is_taken_on_the_default_assessment_date_1_september(tmp_path: Path, schools: pd.DataFrame, born: str,
                                                                  age: int) -> None:
    pupils = read_pupils(pupils_file(tmp_path, {(2, "date_of_birth"): born}), schools, Policy(academic_year_start=2025))
    assert pupils["age"].iloc[0] == age


@pytest.mark.parametrize(("born", "age"), [("2017-12-25", 8), ("2018-01-05", 8), ("2018-01-06", 7)])
def test_age_is_taken_on_the_policy_assessment_date(tmp_path: Path, schools: pd.DataFrame, born: str, age: int) -> None:
    policy = Policy(academic_year_start=2025, assessment_date="2026-01-05")
    assert read_pupils(pupils_file(tmp_path, {(2, "date_of_birth"): born}), schools, policy)["age"].iloc[0] == age


@pytest.mark.parametrize("column", ["age", "year_group"])
def test_age_can_be_given_as_age_or_year_group(tmp_path: Path, schools: pd.DataFrame, column: str) -> None:
    pupils = read_pupils(pupils_file(tmp_path, age_column=column), schools, Policy())
    assert list(pupils["age"]) == [8, 7, 13, 13, 16]


@pytest.mark.parametrize(("year", "age"), [("R", 4), ("Reception", 4), ("YR", 4), ("Year 1", 5), ("Y6", 10), ("11", 15)])
def test_year_group_gives_age_at_31_august(tmp_path: Path, schools: pd.DataFrame, year: str, age: int) -> None:
    path = pupils_file(tmp_path, {(2, "year_group"): year}, age_column="year_group")
    assert read_pupils(path, schools, Policy())["age"].iloc[0] == age


def test_excel_csv_with_bom_and_capitalised_headers_loads(tmp_path: Path, schools: pd.DataFrame) -> None:
    header = [c.upper() if i % 2 else c.title() for i, c in enumerate(PUPIL_HEADER)]
    path = write_csv(tmp_path / "pupils.csv", header, PUPIL_ROWS, encoding="utf-8-sig")
    assert list(read_pupils(path, schools, Policy())["pupil_id"]) == ["P001", "P002", "P003", "P004", "P005"]


def test_spaces_around_values_are_ignored(tmp_path: Path, schools: pd.DataFrame) -> None:
    rows = [[f" {v} " if v else v for v in r] for r in PUPIL_ROWS]
    pupils = read_pupils(write_csv(tmp_path / "pupils.csv", PUPIL_HEADER, rows), schools, Policy())
    assert list(pupils["school_urn"]) == ["100001", "100001", "200001", "200005", "300001"]


def test_easting_northing_are_converted_to_lat_lon(tmp_path: Path, schools: pd.DataFrame) -> None:
    header, rows = table(PUPIL_HEADER, PUPIL_ROWS, rename={"lat": "easting", "lon": "northing"})
    for row, original in zip(rows, PUPIL_ROWS, strict=True):
        east, north = TO_BNG.transform(float(original[2]), float(original[1]))
        row[1], row[2] = f"{east:.1f}", f"{north:.1f}"
    pupils = read_pupils(write_csv(tmp_path / "pupils.csv", header, rows), schools, Policy())
    expected = [[float(r[1]), float(r[2])] for r in PUPIL_ROWS]
    assert np.allclose(pupils[["lat", "lon"]].to_numpy(), expected, atol=2e-6)  # 0.1 m of rounding


# ------------------------------------------------------------------------------- postcodes

CODE_POINT_HEADER = ["Postcode", "Positional_quality_indicator", "Eastings", "Northings", "Country_code",
                     "NHS_regional_HA_code", "NHS_HA_code", "Admin_county_code", "Admin_district_code", "Admin_ward_code"]


@pytest.fixture()
def postcodes(tmp_path: Path) -> dict[str, tuple[float, float]]:
    rows = [
        ["LE15 6AB", "10", "486178", "308859", "E92000001", "E19000001", "E18000003", "", "E06000017", "E05006997"],
        ["LE159PQ", "10", "487904", "309947", "E92000001", "E19000001", "E18000003", "", "E06000017", "E05006997"],
    ]
    return load_postcodes(write_csv(tmp_path / "codepo_le.csv", CODE_POINT_HEADER, rows))


def test_code_point_table_gives_lat_lon_for_each_postcode(postcodes: dict[str, tuple[float, float]]) -> None:
    assert (sorted(postcodes), postcodes["LE156AB"]) == (["LE156AB", "LE159PQ"], pytest.approx((52.6706, -0.7270), abs=1e-5))


def _postcode_pupils(tmp_path: Path, codes: list[str]) -> Path:
    header, rows = table(PUPIL_HEADER, PUPIL_ROWS[: len(codes)], drop=("lat", "lon"))
    return write_csv(tmp_path / "pupils.csv", ["postcode", *header], [[code, *row] for code, row in zip(codes, rows, strict=True)])


def test_pupil_postcode_is_looked_up_ignoring_case_and_spaces(tmp_path: Path, schools: pd.DataFrame,
                                                             postcodes: dict[str, tuple[float, float]]) -> None:
    pupils = read_pupils(_postcode_pupils(tmp_path, ["le15 6ab", "LE15  9PQ"]), schools, Policy(), postcodes=postcodes)
    assert np.allclose(pupils[["lat", "lon"]].to_numpy(), [[52.6706, -0.7270], [52.6801, -0.7012]], atol=1e-5)


def test_unknown_postcode_is_reported_with_its_row(tmp_path: Path, schools: pd.DataFrame,
                                                    postcodes: dict[str, tuple[float, float]]) -> None:
    with pytest.raises(InputError, match="postcode not found in the postcode table") as err:
        read_pupils(_postcode_pupils(tmp_path, ["LE15 6AB", "LE15 9ZZ"]), schools, Policy(), postcodes=postcodes)
    assert where(err) == [("pupils.csv", 3, "postcode")]


def test_postcode_without_a_postcode_table_is_reported(tmp_path: Path, schools: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="no postcode table is configured") as err:
        read_pupils(_postcode_pupils(tmp_path, ["LE15 6AB"]), schools, Policy())
    assert where(err) == [("pupils.csv", 2, "postcode")]


def test_code_point_table_without_eastings_is_reported(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "codepo.csv", ["Postcode", "Northings"], [["LE15 6AB", "308859"]])
    with pytest.raises(InputError, match=r"missing columns \['eastings'\]") as err:
        load_postcodes(path)
    assert where(err) == [(str(path), None, None)]


# -------------------------------------------------------------------------- pupil problems


@pytest.mark.parametrize(
    ("edits", "row", "column", "message"),
    [
        pytest.param({(4, "pupil_id"): "P001"}, 4, "pupil_id", r"duplicate pupil id \(also on row 2\)", id="duplicate_pupil_id"),
        pytest.param({(3, "pupil_id"): ""}, 3, "pupil_id", "empty", id="empty_pupil_id"),
        pytest.param({(3, "school_urn"): "999999"}, 3, "school_urn", "unknown school URN", id="unknown_school_urn"),
        pytest.param({(3, "school_urn"): ""}, 3, "school_urn", "unknown school URN", id="empty_school_urn"),
        pytest.param({(5, "date_of_birth"): "1950-01-01"}, 5, "date_of_birth",
                     r"impossible age for a pupil \(75 on 1 September 2025\)", id="impossible_age_old"),
        pytest.param({(5, "date_of_birth"): "2025-01-01"}, 5, "date_of_birth",
                     r"impossible age for a pupil \(0 on 1 September 2025\)", id="impossible_age_baby"),
        pytest.param({(2, "date_of_birth"): "31/08/2017"}, 2, "date_of_birth", "not a date", id="bad_date_format"),
        pytest.param({(2, "date_of_birth"): "2017-02-30"}, 2, "date_of_birth", "not a date", id="bad_date_30_february"),
        pytest.param({(2, "date_of_birth"): ""}, 2, "date_of_birth", "empty", id="empty_date_of_birth"),
        pytest.param({(4, "lat"): "-0.73", (4, "lon"): "52.66"}, 4, "lat", "latitude and longitude look swapped",
                     id="lat_lon_swapped"),
        pytest.param({(4, "lat"): "308859", (4, "lon"): "486178"}, 4, "lat",
                     "looks like British National Grid easting/northing, not lat/lon", id="bng_in_lat_lon_columns"),
        pytest.param({(4, "lat"): "48.8566", (4, "lon"): "2.3522"}, 4, "lat", "location is outside Great Britain",
                     id="location_in_paris"),
        pytest.param({(4, "lat"): "52.66", (4, "lon"): "200"}, 4, "lat", "not a valid latitude/longitude", id="longitude_200"),
        pytest.param({(6, "lat"): "", (6, "lon"): ""}, 6, "lat", "empty", id="empty_location"),
        pytest.param({(6, "lat"): "52.6x"}, 6, "lat", "not a number", id="latitude_not_a_number"),
        pytest.param({(6, "lon"): "west"}, 6, "lon", "not a number", id="longitude_not_a_number"),
        pytest.param({(6, "lon"): ""}, 6, "lon", "not a number", id="longitude_missing"),
        pytest.param({(2, "ehcp"): "maybe"}, 2, "ehcp", "not yes or no", id="bad_yes_no_ehcp"),
        pytest.param({(3, "unsafe_route"): "unsafe"}, 3, "unsafe_route", "not yes or no", id="bad_yes_no_unsafe_route"),
        pytest.param({(4, "send_need"): "ASD;XYZ"}, 4, "send_need", "unknown SEND need", id="unknown_send_need"),
        pytest.param({(4, "max_ride_minutes"): "200"}, 4, "max_ride_minutes", r"out of range \(5 to 180\)",
                     id="max_ride_too_long"),
        pytest.param({(4, "max_ride_minutes"): "an hour"}, 4, "max_ride_minutes", "not a number", id="max_ride_not_a_number"),
        pytest.param({(2, "religion_preference"): "Hindu"}, 2, "religion_preference",
                     "no school has this religious character", id="religion_preference_no_school_has"),
        pytest.param({(3, "cannot_walk"): "perhaps"}, 3, "cannot_walk", "not yes or no", id="bad_yes_no_cannot_walk"),
        pytest.param({(4, "named_on_preference"): "parents"}, 4, "named_on_preference", "not yes or no",
                     id="bad_yes_no_named_on_preference"),
        pytest.param({(5, "sex"): "X"}, 5, "sex", "not a sex the schools file can match", id="bad_sex"),
        pytest.param({(6, "refused_at"): "999999"}, 6, "refused_at", "unknown school URN", id="refused_at_unknown_urn"),
        pytest.param({(6, "refused_at"): "300001"}, 6, "refused_at", "school the pupil attends is listed as refusing",
                     id="refused_at_own_school"),
        pytest.param({(2, "avoid_with"): "P999"}, 2, "avoid_with", "names pupil 'P999', who is not in the file",
                     id="avoid_with_unknown_pupil"),
    ],
)
def test_bad_pupil_cell_is_reported_at_its_row_and_column(tmp_path: Path, schools: pd.DataFrame, edits: dict,
                                                           row: int, column: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as err:
        read_pupils(pupils_file(tmp_path, edits), schools, Policy())
    assert where(err) == [("pupils.csv", row, column)]


@pytest.mark.parametrize(
    ("edits", "column", "message"),
    [
        pytest.param({(3, "age"): "101"}, "age", r"impossible age for a pupil \(101", id="age_101"),
        pytest.param({(3, "age"): "seven"}, "age", "not a whole number", id="age_in_words"),
        pytest.param({(3, "year_group"): "Year Seven"}, "year_group", "not a year group",
                     id="year_group_in_words"),
        pytest.param({(3, "year_group"): "Year 30"}, "year_group", "impossible age",
                     id="year_group_30"),
    ],
)
def test_bad_age_or_year_group_is_reported(tmp_path: Path, schools: pd.DataFrame, edits: dict, column: str,
                                           message: str) -> None:
    with pytest.raises(InputError, match=message) as err:
        read_pupils(pupils_file(tmp_path, edits, age_column=column), schools, Policy())
    assert where(err) == [("pupils.csv", 3, column)]


@pytest.mark.parametrize("text", ["inf", "1e400", pytest.param("9" * 400, id="400_nines")])
def test_age_too_big_for_a_number_is_reported(tmp_path: Path, schools: pd.DataFrame, text: str) -> None:
    path = pupils_file(tmp_path, {(3, "age"): text}, age_column="age")
    with pytest.raises(InputError, match="not a whole number") as err:
        read_pupils(path, schools, Policy())
    assert where(err) == [("pupils.csv", 3, "age")]


def test_fractional_age_is_reported_not_truncated(tmp_path: Path, schools: pd.DataFrame) -> None:
    path = pupils_file(tmp_path, {(3, "age"): "7.5"}, age_column="age")
    with pytest.raises(InputError, match="not a whole number") as err:
        read_pupils(path, schools, Policy())
    assert where(err) == [("pupils.csv", 3, "age")]


def test_whole_age_written_with_a_decimal_point_is_accepted(tmp_path: Path, schools: pd.DataFrame) -> None:
    path = pupils_file(tmp_path, {(3, "age"): "7.0"}, age_column="age")
    assert read_pupils(path, schools, Policy())["age"].iloc[1] == 7


def _bng_pupils(tmp_path: Path, east: str, north: str) -> Path:
    header, rows = table(PUPIL_HEADER, PUPIL_ROWS, rename={"lat": "easting", "lon": "northing"})
    for r, original in zip(rows, PUPIL_ROWS, strict=True):
        e, n = TO_BNG.transform(float(original[2]), float(original[1]))
        r[1], r[2] = f"{e:.0f}", f"{n:.0f}"
    rows[2][1], rows[2][2] = east, north
    return write_csv(tmp_path / "pupils.csv", header, rows)


@pytest.mark.parametrize(
    ("east", "north", "message"),
    [
        pytest.param("0.1218", "52.2053", "looks like lat/lon, not easting/northing", id="cambridge_lon_lat_as_bng"),
        pytest.param("800000", "300000", "not a British National Grid coordinate", id="easting_off_the_grid"),
        pytest.param("486178", "", "not a number", id="northing_missing"),
    ],
)
def test_bad_easting_northing_is_reported(tmp_path: Path, schools: pd.DataFrame, east: str, north: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as err:
        read_pupils(_bng_pupils(tmp_path, east, north), schools, Policy())
    assert [(p.row, p.column) for p in err.value.problems] == [(4, "northing" if not north else "easting")]


@pytest.mark.parametrize(("east", "north"), [("-0.7270", "52.6706"), ("52.6706", "-0.7270")])
def test_rutland_lat_lon_in_easting_northing_columns_is_recognised(tmp_path: Path, schools: pd.DataFrame, east: str,
                                                                    north: str) -> None:
    with pytest.raises(InputError, match="looks like lat/lon, not easting/northing") as err:
        read_pupils(_bng_pupils(tmp_path, east, north), schools, Policy())
    assert where(err) == [("pupils.csv", 4, "easting")]


def test_location_outside_the_network_area_is_reported(tmp_path: Path, schools: pd.DataFrame) -> None:
    area = Bounds.around([float(r[1]) for r in PUPIL_ROWS], [float(r[2]) for r in PUPIL_ROWS])
    path = pupils_file(tmp_path, {(5, "lat"): "51.5074", (5, "lon"): "-0.1278"})  # London, in GB but not in Rutland
    with pytest.raises(InputError, match="location is outside the network area") as err:
        read_pupils(path, schools, Policy(), bounds=area)
    assert where(err) == [("pupils.csv", 5, "lat")]


def test_locations_inside_the_network_area_load(tmp_path: Path, schools: pd.DataFrame) -> None:
    area = Bounds.around([float(r[1]) for r in PUPIL_ROWS], [float(r[2]) for r in PUPIL_ROWS])
    assert len(read_pupils(pupils_file(tmp_path), schools, Policy(), bounds=area)) == 5


@pytest.mark.parametrize("column", ["pupil_id", "school_urn"])
def test_missing_required_pupil_column_is_reported(tmp_path: Path, schools: pd.DataFrame, column: str) -> None:
    with pytest.raises(InputError, match="required column is missing") as err:
        read_pupils(pupils_file(tmp_path, drop=(column,)), schools, Policy())
    assert where(err) == [("pupils.csv", None, column)]


def test_pupils_file_without_any_age_column_is_reported(tmp_path: Path, schools: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="no age column") as err:
        read_pupils(pupils_file(tmp_path, drop=("date_of_birth",)), schools, Policy())
    assert where(err) == [("pupils.csv", None, "date_of_birth")]


def test_pupils_file_without_any_location_column_is_reported(tmp_path: Path, schools: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="no location columns") as err:
        read_pupils(pupils_file(tmp_path, drop=("lat", "lon")), schools, Policy())
    assert where(err) == [("pupils.csv", None, "lat")]


def test_several_problems_in_one_pupils_file_are_all_reported_at_once(tmp_path: Path, schools: pd.DataFrame) -> None:
    edits = {(2, "ehcp"): "perhaps", (3, "school_urn"): "999999", (4, "lat"): "-0.73", (4, "lon"): "52.66",
             (5, "pupil_id"): "P002", (6, "date_of_birth"): "2009-13-01", (6, "send_need"): "ASD;ADHD"}
    with pytest.raises(InputError) as err:
        read_pupils(pupils_file(tmp_path, edits), schools, Policy())
    assert sorted((p.row, p.column) for p in err.value.problems) == [
        (2, "ehcp"), (3, "school_urn"), (4, "lat"), (5, "pupil_id"), (6, "date_of_birth"), (6, "send_need")
    ]


def test_report_names_file_row_column_and_value(tmp_path: Path, schools: pd.DataFrame) -> None:
    with pytest.raises(InputError) as err:
        read_pupils(pupils_file(tmp_path, {(3, "school_urn"): "999999"}), schools, Policy())
    assert err.value.report() == (
        "pupils.csv row 3, column 'school_urn': unknown school URN (found '999999'). Use a URN listed in the schools file"
    )


# ------------------------------------------------------------------------- school problems


def schools_file(tmp_path: Path, edits: dict[tuple[int, str], str] | None = None, drop: tuple[str, ...] = ()) -> Path:
    return write_csv(tmp_path / "schools.csv", *table(SCHOOL_HEADER, SCHOOL_ROWS, edits, drop))


@pytest.mark.parametrize(
    ("edits", "row", "column", "message"),
    [
        pytest.param({(3, "start_time"): "8.45"}, 3, "start_time", "not a time of day", id="start_time_with_a_dot"),
        pytest.param({(3, "start_time"): "25:00"}, 3, "start_time", "not a time of day", id="start_time_25_oclock"),
        pytest.param({(3, "finish_time"): "3pm"}, 3, "finish_time", "not a time of day", id="finish_time_3pm"),
        pytest.param({(4, "finish_time"): "08:00"}, 4, "finish_time", "finish time is not after start time",
                     id="finish_before_start"),
        pytest.param({(4, "finish_time"): "08:40"}, 4, "finish_time", "finish time is not after start time",
                     id="finish_equal_to_start"),
        pytest.param({(5, "urn"): "100001"}, 5, "urn", r"duplicate URN \(also on row 2\)", id="duplicate_urn"),
        pytest.param({(5, "urn"): ""}, 5, "urn", "empty", id="empty_urn"),
        pytest.param({(2, "phase"): "middle"}, 2, "phase", "not an allowed value", id="unknown_phase"),
        pytest.param({(2, "type"): "grammar"}, 2, "type", "not an allowed value", id="unknown_type"),
        pytest.param({(2, "places"): "-5"}, 2, "places", "out of range", id="negative_places"),
        pytest.param({(2, "sen_places"): "2.5"}, 2, "sen_places", "not a whole number", id="fractional_sen_places"),
        pytest.param({(2, "lat"): "-0.727", (2, "lon"): "52.6706"}, 2, "lat", "look swapped", id="school_lat_lon_swapped"),
        pytest.param({(2, "lat"): "", (2, "lon"): ""}, 2, "lat", "empty", id="school_without_location"),
        pytest.param({(3, "sex"): "co-ed"}, 3, "sex", "not an allowed value", id="school_sex_not_mixed_boys_or_girls"),
        pytest.param({(4, "sixth_form"): "sometimes"}, 4, "sixth_form", "not yes or no", id="school_sixth_form_not_yes_or_no"),
    ],
)
def test_bad_school_cell_is_reported_at_its_row_and_column(tmp_path: Path, edits: dict, row: int, column: str,
                                                           message: str) -> None:
    with pytest.raises(InputError, match=message) as err:
        read_schools(schools_file(tmp_path, edits))
    assert where(err) == [("schools.csv", row, column)]


@pytest.mark.parametrize("column", ["urn", "name", "phase", "type", "start_time", "finish_time"])
def test_missing_required_school_column_is_reported(tmp_path: Path, column: str) -> None:
    with pytest.raises(InputError, match="required column is missing") as err:
        read_schools(schools_file(tmp_path, drop=(column,)))
    assert where(err) == [("schools.csv", None, column)]


def test_several_problems_in_one_schools_file_are_all_reported_at_once(tmp_path: Path) -> None:
    edits = {(2, "start_time"): "0845", (3, "phase"): "middle", (4, "finish_time"): "07:00", (5, "urn"): "200001"}
    with pytest.raises(InputError) as err:
        read_schools(schools_file(tmp_path, edits))
    assert sorted((p.row, p.column) for p in err.value.problems) == [
        (2, "start_time"), (3, "phase"), (4, "finish_time"), (5, "urn")
    ]


def test_a_school_outside_the_network_area_is_kept_as_beyond_it(tmp_path: Path) -> None:
    """A special school in a neighbouring county is where out-of-area placements go: it is read,
    not rejected, and `placements.beyond_network` names it."""
    from transport.placements import beyond_network

    area = Bounds(west=-0.8, south=52.6, east=-0.6, north=52.7)
    schools = read_schools(schools_file(tmp_path, {(3, "lat"): "52.9", (3, "lon"): "-1.2"}), bounds=area)
    far = schools.loc[schools["lat"] == 52.9, "urn"].tolist()
    assert len(far) == 1 and beyond_network(schools, area) == set(far)


def test_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        read_schools(tmp_path / "nope.csv")


# ------------------------------------------------------------------ random corruption

AGE_AT = PUPIL_HEADER.index("date_of_birth")
REQUIRED = {"pupil_id", "school_urn", "lat", "lon", "AGE"}  # AGE: whichever age column the file uses
GROUPS = ({"lat", "lon"}, {"date_of_birth", "age", "year_group"})

cell_texts = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=12),  # anything, control characters included
    st.just(""),
    st.just("   "),
    st.integers(min_value=10**6, max_value=10**40).map(str),  # huge numbers
    st.sampled_from(["1e400", "-1e400", "inf", "-inf", "nan", "9" * 400, "-0", "1_000", "0x10"]),
    st.text(st.characters(min_codepoint=0x80, exclude_categories=("Cs",)), min_size=1, max_size=8),  # unicode
)
corruptions = st.one_of(
    st.tuples(st.just("cell"), st.integers(0, len(PUPIL_ROWS) - 1), st.integers(0, len(PUPIL_HEADER) - 1), cell_texts),
    st.tuples(st.just("delete_column"), st.just(0), st.integers(0, len(PUPIL_HEADER) - 1), st.just("")),
    st.tuples(st.just("duplicate_row"), st.integers(0, len(PUPIL_ROWS) - 1), st.just(0), st.just("")),
)


@pytest.fixture(scope="module")
def corrupt_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("corrupt")


@pytest.fixture(scope="module")
def module_schools(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    return read_schools(write_csv(tmp_path_factory.mktemp("schools") / "schools.csv", SCHOOL_HEADER, SCHOOL_ROWS))


def _same_place(a: str, b: str | None) -> bool:
    return a == b or any(a in g and b in g for g in GROUPS)


def _check_corruption(age_column: str, corruption: tuple[str, int, int, str], folder: Path, schools: pd.DataFrame) -> None:
    kind, r, c, text = corruption
    header, rows = pupil_table(age_column)
    column = header[c]
    original = rows[r][c]
    if kind == "cell":
        rows[r][c] = text
        bad_row = r + 2
    elif kind == "delete_column":
        header, rows = table(header, rows, drop=(column,))
        bad_row = None
    else:
        rows.insert(r + 1, list(rows[r]))
        bad_row = r + 3
    role = "AGE" if column == age_column else column
    # read_table strips surrounding whitespace (spaces, tabs, stray CR/LF) from every cell, so
    # a cell of whitespace only is blank and an id with a stray CR is the id.
    must_fail = (kind == "duplicate_row" or (kind == "delete_column" and role in REQUIRED)
                 or (kind == "cell" and role in REQUIRED and not text.strip()))
    must_load = kind == "delete_column" and role not in REQUIRED

    path = write_csv(folder / "pupils.csv", header, rows)
    try:
        pupils = read_pupils(path, schools, Policy())
    except InputError as err:
        assert not must_load, f"deleting optional column {column!r} was refused: {err.report()}"
        assert {p.file for p in err.problems} == {"pupils.csv"}

        def names_it(p) -> bool:
            if kind == "delete_column":
                return _same_place(column, p.column)
            mentions_row = re.search(rf"\brow {r + 2}\b", p.message) is not None
            breaks_reference = kind == "cell" and column == "pupil_id" and original and repr(original) in p.message
            return p.row == bad_row or mentions_row or breaks_reference

        assert any(names_it(p) for p in err.problems), err.report()
    else:
        assert not must_fail, f"{corruption} should have been refused"
        assert list(pupils["pupil_id"]) == [row[header.index("pupil_id")].strip() for row in rows]  # nothing silently dropped


PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.parametrize(
    "age_column",
    [
        "date_of_birth",
        "age",
        "year_group",
    ],
)
@PROPERTY
@given(corruption=corruptions)
@example(corruption=("cell", 1, AGE_AT, "1e400"))
@example(corruption=("duplicate_row", 4, 0, ""))
@example(corruption=("delete_column", 0, PUPIL_HEADER.index("lon"), ""))
@example(corruption=("cell", 0, 0, "P003"))
def test_a_corrupted_pupils_file_loads_or_names_the_corruption(age_column: str, corruption: tuple[str, int, int, str],
                                                               corrupt_dir: Path, module_schools: pd.DataFrame) -> None:
    _check_corruption(age_column, corruption, corrupt_dir, module_schools)
