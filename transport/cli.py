"""The `transport` command line: each command calls one library function.

Exit codes scripts can trust: 0 success, 2 bad input (every problem listed), 1 internal
error. Progress and log lines go to stderr; results go to files.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from transport.errors import EXIT_BAD_INPUT, EXIT_INTERNAL, InputError

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


def main() -> None:
    """Console entry point: maps errors to exit codes, never shows a traceback for bad input."""
    logging.basicConfig(level=os.environ.get("TRANSPORT_LOG", "INFO"), format="%(message)s", stream=sys.stderr)
    logging.getLogger("osmnx").setLevel(logging.WARNING)
    try:
        app(standalone_mode=False)
    except InputError as exc:
        _echo(exc.report())
        raise SystemExit(EXIT_BAD_INPUT) from None
    except typer.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except (typer.Abort, KeyboardInterrupt):
        _echo("Stopped.")
        raise SystemExit(EXIT_INTERNAL) from None
    except SystemExit:
        raise
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            raise SystemExit(EXIT_BAD_INPUT) from None
        if os.environ.get("TRANSPORT_DEBUG"):
            raise
        _echo(f"Internal error: {type(exc).__name__}: {exc}. Set TRANSPORT_DEBUG=1 to see the traceback, and please report it.")
        raise SystemExit(EXIT_INTERNAL) from None


if __name__ == "__main__":
    main()
