"""The `transport` command line: each command calls one library function.

Exit codes scripts can trust: 0 success; 1 an internal error or a failed check; 2 bad input
or usage (every problem listed with its file, row and column); 130 interrupted. Never a
traceback. Progress and log lines go to stderr; results go to files.
"""

from __future__ import annotations

import json
import logging
import math
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from transport import progress
from transport.cells import write_csv
from transport.errors import (
    EXIT_BAD_INPUT,
    EXIT_CHECK_FAILED,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    InputError,
)

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Home-to-school transport routes and costs.")
network_app = typer.Typer(no_args_is_help=True, help="Road and path networks from OpenStreetMap.")
data_app = typer.Typer(no_args_is_help=True, help="Reference data for the demo area.")
app.add_typer(network_app, name="network")
app.add_typer(data_app, name="data")

DataDirOption = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Folder laid out like shared/data (osm/, schools/, postcodes/). Default: $TRANSPORT_DATA_DIR, then the user cache."),
]


def _echo(message: str) -> None:
    typer.echo(message, err=True)


@network_app.command("info")
def network_info(
    source: Annotated[str, typer.Argument(help="An .osm, .osm.bz2, .osm.pbf or .graphml file, or 'rutland' for the demo extract.")],
    kind: Annotated[str, typer.Option(help="'drive' or 'walk'.")] = "drive",
    data_dir: DataDirOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Build (or load from cache) a network and print its headline facts."""
    from transport.datadir import AREAS, area_osm_file
    from transport.network import load_network_with_info

    path = area_osm_file(source, data_dir) if source in AREAS else Path(source)
    _, info = load_network_with_info(path, kind)  # type: ignore[arg-type]
    if as_json:
        typer.echo(json.dumps(info.__dict__ if hasattr(info, "__dict__") else _asdict(info), indent=2))
        return
    west, south, east, north = info.bbox
    typer.echo(f"source            {path}")
    typer.echo(f"network           {info.kind}")
    typer.echo(f"nodes             {info.nodes:,}")
    typer.echo(f"edges             {info.edges:,}")
    typer.echo(f"road length       {info.road_km:,.1f} km")
    typer.echo(f"largest component {info.largest_component_share:.1%} of nodes kept")
    typer.echo(f"bounding box      W {west} S {south} E {east} N {north}")
    typer.echo(f"build time        {info.build_seconds:.2f} s{' (from cache)' if info.from_cache else ''}")


def _asdict(obj: object) -> dict:
    from dataclasses import asdict

    return asdict(obj)  # type: ignore[arg-type]


@data_app.command("fetch")
def data_fetch(area: Annotated[str, typer.Argument(help="Demo area name.")] = "rutland") -> None:
    """Download the current OpenStreetMap extract for a demo area into the user cache (online)."""
    from transport.datadir import fetch_area

    path = fetch_area(area)
    _echo(f"Saved the {area} extract to {path}")


@data_app.command("where")
def data_where(area: Annotated[str, typer.Argument(help="Demo area name.")] = "rutland", data_dir: DataDirOption = None) -> None:
    """Show which data files the demo area would use."""
    from transport.datadir import AREAS, find_data_file

    spec = AREAS[area]
    for rel in (spec.osm_files, spec.schools_file, spec.postcodes_file):
        typer.echo(find_data_file(rel, data_dir))


ScenarioArg = Annotated[Path, typer.Argument(help="Scenario TOML file (see scenarios/).", exists=False)]
OutOption = Annotated[Path | None, typer.Option("--out", help="Output folder. Default: maps/<scenario>/.")]
def _seconds(value: float | None) -> float | None:
    """A time limit must be a positive, finite number of seconds."""
    if value is not None and not (math.isfinite(value) and value > 0):
        raise typer.BadParameter(f"{value} is not a positive number of seconds; give e.g. --time-limit 30")
    return value


TimeLimitOption = Annotated[float | None, typer.Option("--time-limit", callback=_seconds,
                                                       help="Search seconds per run (AM, PM), more than 0; overrides the scenario.")]

QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars or log lines on stderr (warnings and "
                                                                   "errors still show); results still go to files.")]


def _default_out(name: str) -> Path:
    return Path("maps") / name


@app.command("run")
def run_command(
    scenario: ScenarioArg,
    out: OutOption = None,
    time_limit: TimeLimitOption = None,
    data_dir: DataDirOption = None,
    seed: Annotated[int | None, typer.Option(min=0, help="Search seed, 0 or more (which configuration each worker runs); overrides the scenario.")] = None,
    workers: Annotated[int | None, typer.Option(min=1, max=8, help="Searches run side by side (processes); overrides the scenario.")] = None,
    scheduler: Annotated[str | None, typer.Option(help="Search the partitions on the dask.distributed scheduler at this "
                                                       "address ('local' for a cluster on this machine).")] = None,
    solution_limit: Annotated[int | None, typer.Option(min=1,
        help="Stop each search after this many improving moves, so that the same seed gives the same routes "
             "(a time limit alone stops wherever the clock says; it still caps the search, and summary.json "
             "says which limit stopped it).")] = None,
    quiet: QuietOption = False,
) -> None:
    """Run one scenario end to end: eligibility, routes, check, costs, map and route sheets."""
    from transport.pipeline import run_and_write
    from transport.scenarios import load_scenario

    progress.configure(quiet)
    spec = load_scenario(scenario)
    changes = {k: v for k, v in (("seed", seed), ("solution_limit", solution_limit), ("workers", workers)) if v is not None}
    if changes:
        spec = spec.model_copy(update={"optimise": spec.optimise.model_validate(spec.optimise.model_dump() | changes)})
    target = out or _default_out(spec.name)
    result = run_and_write(spec, target, data_dir=data_dir, time_limit_s=time_limit, scheduler=scheduler)
    _print_outputs(target, result.summary)


@app.command("eligibility")
def eligibility_command(
    scenario: ScenarioArg,
    out: OutOption = None,
    explain: Annotated[str | None, typer.Option("--explain", help="A pupil id: print the decision, the points and routes measured, and write the decisive walking routes as GeoJSON.")] = None,
    data_dir: DataDirOption = None,
    quiet: QuietOption = False,
) -> None:
    """Decide who is eligible for free transport, with the rule that decided it, into eligibility.csv
    (and eligibility_actions.csv: the decisions that wait for an officer)."""
    from transport.eligibility import actions
    from transport.pipeline import eligibility_only
    from transport.scenarios import load_scenario
    from transport.schemas import ELIGIBILITY_ACTIONS

    progress.configure(quiet)
    spec = load_scenario(scenario)
    target = out or Path("maps") / f"{spec.name}-eligibility"  # never inside a run's folder, which it would spoil
    table, inputs, walk = eligibility_only(spec, data_dir=data_dir)
    if explain and explain not in set(table["pupil_id"]):
        raise InputError(f"pupil {explain!r} is not in the pupils file")
    target.mkdir(parents=True, exist_ok=True)
    write_csv(table, target / "eligibility.csv")
    todo = actions(table)
    write_csv(todo, target / ELIGIBILITY_ACTIONS.file)
    counts = table.groupby(["eligible", "reason_code"]).size()
    typer.echo(f"{int(table['eligible'].sum())} of {len(table)} pupils eligible ({table['eligible'].mean():.1%}) "
               f"on {spec.policy.assessed_on.day} {spec.policy.assessed_on:%B %Y}")
    for (eligible, code), n in counts.sort_values(ascending=False).items():
        typer.echo(f"  {'eligible    ' if eligible else 'not eligible'}  {code:<28} {n:>6}  {n / len(table):6.1%}")
    changing = table["changes_on"].astype(str).str.len().gt(0)
    typer.echo(f"{int(changing.sum())} decisions change with a birthday later in the school year (changes_on); "
               f"{len(todo)} wait for an officer ({ELIGIBILITY_ACTIONS.file})")
    typer.echo(f"Written: {target / 'eligibility.csv'}")
    if explain:
        for line in _explain_route(explain, table, inputs, walk, target, spec.policy):
            typer.echo(line)


def _explain_route(pupil_id: str, table, inputs, walk, target: Path, policy) -> list[str]:
    """The decision of one pupil: the points measured, the decisive routes (written as GeoJSON an
    officer can show a parent) and the date of any change in the year."""
    import numpy as np

    from transport.eligibility import route_metres, routes_geojson
    from transport.matrix import snap_points
    from transport.outcomes import ELIGIBLE_CODES
    from transport.units import m_to_miles

    pupil = inputs.pupils.set_index("pupil_id").loc[pupil_id]
    schools = inputs.schools.set_index(inputs.schools["urn"].astype(str))
    row = table.set_index("pupil_id").loc[pupil_id]
    decisive = [u for u in str(row["decisive_urns"] or row["school_urn"]).split(";") if u in schools.index]
    home = (float(pupil["lat"]), float(pupil["lon"]))
    snap = snap_points(walk, [home[0]], [home[1]], warn_snap_m=np.inf, max_snap_m=np.inf, weight="length").snap_distance_m[0]
    chosen = schools.loc[decisive].reset_index(drop=True)
    metres = route_metres(inputs.pupils[inputs.pupils["pupil_id"] == pupil_id].reset_index(drop=True), chosen, walk)[0]
    lines = [f"\nPupil {pupil_id}, school {row['school_urn']}, age {row['age']} on {row['assessed_on']}:",
             f"  {row['reason']}",
             f"  Home measured from {home[0]:.6f}, {home[1]:.6f} (joined to the path network {snap:,.0f} m away)"]
    measured = []
    for urn, m in zip(decisive, metres, strict=True):
        school = schools.loc[urn]
        role = "attended" if urn == str(row["school_urn"]) else "nearer" if urn == row["nearest_suitable_urn"] else "compared"
        walk_text = f"{m:,.0f} m ({m_to_miles(m):.2f} miles) walking" if np.isfinite(m) else "not measured (beyond the network)"
        lines.append(f"  School {urn} ({school['name']}, {role}) at {school['lat']:.6f}, {school['lon']:.6f}: {walk_text}")
        if np.isfinite(m):
            measured.append(((float(school["lat"]), float(school["lon"])),
                             {"pupil_id": pupil_id, "school_urn": urn, "role": role, "walk_distance_m": round(float(m), 1),
                              "reason_code": row["reason_code"]}))
    if row["upper_distance_m"] == row["upper_distance_m"]:
        measure = "road" if policy.extended_rights_upper_measure == "road" else "walking"
        lines.append(f"  Extended rights' upper limits measured to the school attended by the {measure} route: "
                     f"{m_to_miles(row['upper_distance_m']):.2f} miles")
    if str(row["changes_on"] or ""):
        after = "eligible" if row["reason_code_after"] in ELIGIBLE_CODES else "not eligible"
        lines.append(f"  From {row['changes_on']} (a birthday or compulsory school age): {after}, {row['reason_code_after']}")
    lines.append(f"  Share of the school year eligible: {row['eligible_share_of_year']:.0%}")
    if measured:
        path = routes_geojson(walk, home, measured, target / f"walking_route_{pupil_id}.geojson")
        lines.append(f"  Routes written: {path}")
    return lines


@app.command("check")
def check_command(directory: Annotated[Path, typer.Argument(help="A run's output folder.")]) -> None:
    """Re-verify a run's routes from its files alone, without the solver. Exit 1 if anything is infeasible."""
    from transport.check import check_output_dir, format_report

    if not directory.is_dir():
        raise InputError(f"{directory}: not a folder")
    violations = check_output_dir(directory, require_complete=True)
    if violations:
        typer.echo(format_report(violations))
        raise typer.Exit(EXIT_CHECK_FAILED)
    typer.echo(f"{directory}: every route feasible; every eligible pupil served or explained.")


@app.command("synth")
def synth_command(
    out: Annotated[Path, typer.Option("--out", help="Folder for schools.csv and pupils.csv.")] = Path("maps/synthetic"),
    area: Annotated[str, typer.Option(help="Demo area.")] = "rutland",
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same cohort.")] = 2026,
    scale: Annotated[float, typer.Option(help="Cohort size relative to the area's school rolls.")] = 1.0,
    data_dir: DataDirOption = None,
) -> None:
    """Write a realistic, seeded synthetic cohort (schools.csv, pupils.csv) for a demo area."""
    from transport.synth import demo_schools, synthesise_cohort

    out.mkdir(parents=True, exist_ok=True)
    schools = demo_schools(area, data_dir)
    write_csv(schools, out / "schools.csv")
    raw = schools.astype(str)
    pupils = synthesise_cohort(raw, area, data_dir, seed=seed, scale=scale)
    write_csv(pupils, out / "pupils.csv")
    typer.echo(f"{len(pupils):,} pupils at {len(schools)} schools written to {out}")


@app.command("compare")
def compare_command(
    scenarios: Annotated[list[Path], typer.Argument(help="Scenario files; the first is the base the others are compared with.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for the comparison and each scenario's run.")] = Path("maps/compare"),
    time_limit: TimeLimitOption = None,
    data_dir: DataDirOption = None,
    serial: Annotated[bool, typer.Option("--serial", help="Run scenarios one after another instead of in parallel processes.")] = False,
    seed: Annotated[int | None, typer.Option(min=0, help="Search seed of the first repeat; overrides the scenarios'.")] = None,
    repeats: Annotated[int, typer.Option(min=1, max=20, help="Run the comparison once per seed (seed, seed+1, ...) and "
                                                             "report how far the search alone moves each figure.")] = 1,
    workers: Annotated[int, typer.Option(min=1, max=8, help="Processes to run scenarios (and their searches) in.")] = 2,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Send runs to a dask.distributed scheduler at this address ('local' for a cluster on this machine).")] = None,
    quiet: QuietOption = False,
) -> None:
    """Run several scenarios and compare them side by side (CSV, summary.json, HTML page and map)."""
    from transport.compare import compare

    progress.configure(quiet)
    result = compare(list(scenarios), out, data_dir=data_dir, time_limit_s=time_limit, parallel=not serial, scheduler=scheduler,
                     seed=seed, repeats=repeats, workers=workers)
    table = result["table"]
    for row in table.itertuples(index=False):
        typer.echo(f"{row.scenario:<16} £{row.annual_cost_gbp:>12,.0f}  change £{row.change_vs_base_gbp:>+11,.0f}  "
                   f"transported {row.pupils_transported:>5}  vehicles AM {row.vehicles_am:>3}  moved {row.pupils_moved}")
    typer.echo(f"Written: {out / 'comparison.csv'}, {result['html']}, {result['map']}")


@app.command("demo")
def demo_command(
    out: Annotated[Path, typer.Option("--out", help="Folder for everything the demo writes.")] = Path("maps"),
    time_limit: TimeLimitOption = None,
    data_dir: DataDirOption = None,
    quiet: QuietOption = False,
) -> None:
    """The whole product on the Rutland demo area: eligibility, AM and PM routes, check, costs,
    the shipped scenarios compared, maps and route sheets."""
    from transport.demo import run_demo

    progress.configure(quiet)
    run_demo(out, data_dir=data_dir, time_limit_s=time_limit)


def _print_outputs(out: Path, summary: dict) -> None:
    typer.echo(f"Scenario {summary.get('scenario')}: {summary.get('pupils_eligible')} of {summary.get('pupils_assessed')} pupils eligible; "
               f"{summary.get('pupils_transported')} transported; annual cost £{summary.get('annual_cost_gbp', 0):,.0f}"
               + (f" (today's arrangements £{summary['as_is_annual_cost_gbp']:,.0f})" if "as_is_annual_cost_gbp" in summary else ""))
    for name in ("index.html", "summary.json", "eligibility.csv", "runs/AM/routes.csv", "routes.geojson", "stops.csv",
                 "budget.xlsx", "map.html", "route_sheets/index.html"):
        if (out / name).exists():
            typer.echo(f"  {out / name}")


def main() -> None:
    """Console entry point: maps every outcome to an exit code, never shows a traceback."""
    logging.basicConfig(level=os.environ.get("TRANSPORT_LOG", "INFO"), format="%(message)s", stream=sys.stderr)
    logging.getLogger("osmnx").setLevel(logging.WARNING)
    raise SystemExit(_run_app())


def _run_app() -> int:
    try:
        return _run_commands()
    finally:
        progress.close()


def _run_commands() -> int:
    from transport.check import CheckFailed

    try:
        code = app(standalone_mode=False)
    except InputError as exc:
        _echo(exc.report())
        return EXIT_BAD_INPUT
    except CheckFailed as exc:
        _echo(f"The independent check failed, so nothing was written:\n{exc}")
        return EXIT_CHECK_FAILED
    except KeyboardInterrupt:
        return _interrupted()
    except SystemExit as exc:
        if exc.code == EXIT_INTERRUPTED:
            return _interrupted()
        return exc.code if isinstance(exc.code, int) else EXIT_INTERNAL
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        return _other_error(exc)
    if code == EXIT_INTERRUPTED:  # the parser turns Ctrl-C inside a command into a silent 130
        return _interrupted()
    return code if isinstance(code, int) else EXIT_OK


def _interrupted() -> int:
    _echo("Interrupted: stopped before finishing; no output folder was replaced.")
    return EXIT_INTERRUPTED


def _other_error(exc: Exception) -> int:
    """Usage errors and aborts from the command-line parser, else an internal error in one line."""
    name = type(exc).__name__
    if name == "Abort":  # Ctrl-C inside a command reaches us as the parser's Abort
        return _interrupted()
    if callable(getattr(exc, "show", None)) and hasattr(exc, "exit_code"):  # the parser's own usage errors
        exc.show()
        return EXIT_BAD_INPUT
    if os.environ.get("TRANSPORT_DEBUG"):
        raise exc
    _echo(f"Internal error: {name}: {exc}. Set TRANSPORT_DEBUG=1 to see the traceback, and please report it.")
    return EXIT_INTERNAL


if __name__ == "__main__":
    main()
