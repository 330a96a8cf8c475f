"""``omi-import convert``: the request bodies an import would send, as JSON, or one file
each under ``-o``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from importers.cli.console import ConvertConsole
from importers.cli.outputs import DEFAULT_TEMPLATE, check_template, output_path
from importers.conversion.pipeline import convert_all
from importers.errors import InputError
from importers.inputs import is_archive, list_files

if TYPE_CHECKING:
    pass
from importers.cli.flags import (
    ConvertCommand,
    announce,
    cluster_of,
    cluster_option,
    conversion_options,
    conversion_setup,
    period_of,
    selection_options,
)
from importers.cli.main import INTERRUPTED_EXIT, cli


def run_convert(
    ctx: click.Context,
    paths: tuple[Path, ...],
    flags: dict[str, Any],
    *,
    out_dir: Path | None,
    console: ConvertConsole,
    output_name: str = DEFAULT_TEMPLATE,
) -> None:
    """Convert every input: bodies to stdout (one JSON object, or JSON Lines for several) or
    one file each under ``out_dir``; what happened on stderr (``console``)."""
    address, period = flags.pop("dask"), period_of(flags)
    options, registry = conversion_setup(ctx, flags)
    template = check_template(output_name)
    talk = not console.quiet and not console.as_json
    files = list_files(paths)  # one look at the folders' names, for the estimates and the total
    if talk:
        announce(files, options, registry)
    cluster = cluster_of(ctx, address, quiet=not talk)
    single = len(paths) == 1 and (
        str(paths[0]) == "-" or not (paths[0].is_dir() or is_archive(paths[0], registry))
    )
    console.start(len(files), None if cluster is None else cluster.stats.line)
    converter = convert_all if cluster is None else cluster.convert_all
    try:
        for outcome in converter(paths, options, registry=registry, period=period):
            target = None
            if (result := outcome.conversion) is not None:
                if out_dir is None:
                    sys.stdout.flush()
                    sys.stdout.buffer.write(result.to_json(pretty=single) + b"\n")
                    sys.stdout.buffer.flush()
                else:
                    target = output_path(out_dir, result, paths, template)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(result.to_json(pretty=True) + b"\n")
            console.outcome(outcome, target)
    except KeyboardInterrupt:
        console.stop()
        click.echo(f"omi-import: {console.summary()}; interrupted", err=True)
        sys.exit(INTERRUPTED_EXIT)
    finally:
        console.stop()
    if not console.records:
        raise InputError("no files to convert", path=", ".join(map(str, paths)))
    console.finish()
    if console.as_json:
        click.echo(console.summary_json(), err=out_dir is None)
    if console.failed:
        sys.exit(1)


@cli.command("convert", cls=ConvertCommand)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, allow_dash=True))
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write one FILE.omi.json per input here instead of printing.",
)
@click.option(
    "--output-name",
    metavar="TEMPLATE",
    default=DEFAULT_TEMPLATE,
    show_default=True,
    help="File names under -o: {root} {dir} {name} {stem} {format} {date} {time}.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print no notes, only errors and warnings.")
@click.option(
    "-v", "--verbose", is_flag=True, help="Also say what was read from each file, each repair."
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print a JSON summary at the end instead of lines (on stdout with -o, else stderr).",
)
@cluster_option
@selection_options
@conversion_options
@click.pass_context
def convert_cmd(
    ctx: click.Context,
    /,
    paths: tuple[Path, ...],
    out_dir: Path | None,
    output_name: str,
    quiet: bool,
    verbose: bool,
    as_json: bool,
    **flags: Any,
) -> None:
    """Print the request bodies that `import` would send, as JSON."""
    console = ConvertConsole(quiet=quiet, verbose=verbose, as_json=as_json)
    run_convert(ctx, paths, flags, out_dir=out_dir, console=console, output_name=output_name)
