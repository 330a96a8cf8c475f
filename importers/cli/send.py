"""The commands that send: ``import``, ``watch`` and ``delete``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from importers.cli.console import ConvertConsole
from importers.conversion.pipeline import convert_all
from importers.errors import ImporterError
from importers.upload.arrivals import DEFAULT_AUDIO_QUIET_S, DEFAULT_QUIET_S

if TYPE_CHECKING:
    pass
from importers.cli.convert import run_convert
from importers.cli.flags import (
    ConvertCommand,
    SendFlags,
    cluster_of,
    cluster_option,
    connection_options,
    conversion_options,
    conversion_setup,
    period_of,
    selection_options,
    upload_options,
)
from importers.cli.main import INTERRUPTED_EXIT, cli, finish


@cli.command("import", cls=ConvertCommand)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, allow_dash=True))
@click.option(
    "--dry-run", is_flag=True, help="Print what would be sent (as `convert`); send nothing."
)
@connection_options
@upload_options
@cluster_option
@selection_options
@conversion_options
@click.pass_context
def import_cmd(ctx: click.Context, /, paths: tuple[Path, ...], dry_run: bool, **flags: Any) -> None:
    """Import files or folders into Omi, exactly once."""
    sending = SendFlags.pop(flags)
    if dry_run:
        run_convert(
            ctx,
            paths,
            flags,
            out_dir=None,
            console=ConvertConsole(quiet=sending.quiet, verbose=sending.options.verbose),
        )
        return
    from importers.cli.progress import make_progress
    from importers.upload import INTERRUPTED, Importer
    from importers.upload.ledger import Ledger

    period = period_of(flags)
    address = flags.pop("dask")
    options, registry = conversion_setup(ctx, flags)
    settings = sending.settings()
    cluster = cluster_of(ctx, address, quiet=sending.quiet)
    progress = make_progress(sys.stderr, quiet=sending.quiet)
    try:
        with Ledger.open(sending.state_dir) as ledger:
            importer = Importer(
                settings,
                ledger,
                options=sending.options,
                convert_options=options,
                registry=registry,
                progress=progress,
                converter=convert_all if cluster is None else cluster.convert_all,
            )
            report = importer.run(paths, period=period)
    finally:
        progress.close()
    if sending.report_path is not None:
        report.write(sending.report_path)
    if cluster is not None and not sending.quiet:
        click.echo(cluster.stats.line(), err=True)
    summary = report.summary(listed=not sending.quiet, inputs=[str(p) for p in paths])
    finish(report, summary, interrupted=report.stopped == INTERRUPTED)


@cli.command("watch", cls=ConvertCommand)
@click.argument(
    "folders", nargs=-1, required=True, type=click.Path(file_okay=False, path_type=Path)
)
@click.option("--once", is_flag=True, help="Import what is there (once complete), then exit.")
@click.option(
    "--quiet-period",
    type=click.FloatRange(min=0),
    default=DEFAULT_QUIET_S,
    show_default=True,
    metavar="SECONDS",
    help="Take a file once its size and time have not changed for this long.",
)
@click.option(
    "--audio-quiet-period",
    type=click.FloatRange(min=0),
    default=DEFAULT_AUDIO_QUIET_S,
    show_default=True,
    metavar="SECONDS",
    help="The same for recordings (copied in big files).",
)
@click.option(
    "--poll",
    is_flag=True,
    help="Look for changes every --quiet-period instead of being told (network drives).",
)
@click.option(
    "--log",
    "log_path",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Also write every line, with its time, to FILE (rotated at 1 MB, 3 kept).",
)
@connection_options
@upload_options
@selection_options
@conversion_options
@click.pass_context
def watch_cmd(
    ctx: click.Context,
    /,
    folders: tuple[Path, ...],
    once: bool,
    quiet_period: float,
    audio_quiet_period: float,
    poll: bool,
    log_path: Path | None,
    **flags: Any,
) -> None:
    """Import what lands in FOLDER... as it lands, once, until stopped (Ctrl-C, SIGTERM)."""
    from importers.cli.progress import PlainProgress
    from importers.upload import INTERRUPTED, Importer
    from importers.upload.ledger import Ledger
    from importers.upload.watch import (
        TERMINATED,
        Lines,
        WatchOptions,
        open_log,
        sigterm_stops,
        watch,
    )

    sending = SendFlags.pop(flags)
    period = period_of(flags)
    options, registry = conversion_setup(ctx, flags)
    settings = sending.settings()
    watching = WatchOptions(once, quiet_period, audio_quiet_period, poll)
    log = open_log(log_path) if log_path is not None else None
    lines = Lines(None if sending.quiet else sys.stderr, log)
    try:
        with Ledger.open(sending.state_dir) as ledger, sigterm_stops() as sigterm:
            importer = Importer(
                settings,
                ledger,
                options=sending.options,
                convert_options=options,
                registry=registry,
                progress=PlainProgress(lines),
            )
            report = watch(folders, importer, watch_options=watching, period=period)
        if sigterm.received:
            report.stopped = TERMINATED
        if sending.report_path is not None:
            report.write(sending.report_path)
        summary = report.summary(listed=not sending.quiet, inputs=[str(f) for f in folders])
        for line in summary:
            lines.logged(line)
        if report.stopped in (INTERRUPTED, TERMINATED):
            lines.logged(f"stopped: {report.stopped}")
        elif report.stopped:
            lines.logged(f"Error: {report.stopped}")
    except ImporterError as exc:
        lines.logged(f"Error: {exc}")
        raise
    finally:
        if log is not None:
            log.close()
    stopped = report.stopped in (INTERRUPTED, TERMINATED)
    finish(report, summary, interrupted=stopped, code=0 if sigterm.received else INTERRUPTED_EXIT)


@cli.command("delete")
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--all-from-run",
    "run",
    type=click.IntRange(min=1),
    metavar="RUN",
    help="Delete every conversation that run RUN created (`omi-import list` shows runs).",
)
@connection_options
@click.option("--json", "as_json", is_flag=True, help="Print what was deleted as JSON.")
@click.option("-q", "--quiet", is_flag=True, help="Print no progress, only errors and the summary.")
def delete_cmd(
    paths: tuple[Path, ...],
    run: int | None,
    api_key: str | None,
    base_url: str | None,
    state_dir: Path | None,
    as_json: bool,
    quiet: bool,
) -> None:
    """Delete from Omi the conversations imported from FILE... or by --all-from-run RUN."""
    if not paths and run is None:
        raise click.UsageError("name the FILE(s) whose conversations to delete, or --all-from-run")
    from importers.cli.progress import make_progress
    from importers.upload import INTERRUPTED, Importer
    from importers.upload.ledger import Ledger
    from importers.upload.settings import load_settings

    settings = load_settings(api_key=api_key, base_url=base_url)
    progress = make_progress(sys.stderr, quiet=quiet or as_json)
    try:
        with Ledger.open(state_dir) as ledger:
            report = Importer(settings, ledger, progress=progress).delete(paths=paths, run=run)
    finally:
        progress.close()
    lines = [report.deletion_json()] if as_json else report.deletion_summary()
    finish(report, lines, interrupted=report.stopped == INTERRUPTED)
