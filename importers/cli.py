"""The ``omi-import`` command: a thin shell over the library.

Every flag maps to a keyword of :meth:`importers.options.ConvertOptions.from_flags` or
:class:`importers.upload.UploadOptions`; adapters add their own flags
(:attr:`importers.adapter.Adapter.options`). An :class:`~importers.errors.ImporterError` that
stops a command becomes a one-line ``Error: ...`` in exactly one place, :class:`_Cli`
(:class:`~importers.errors.ConfigError`: exit 2, others: exit 1); a file that fails inside a
batch is an outcome, printed and counted, and the batch goes on. Anything else is a bug and
keeps its traceback.
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from importers import __version__
from importers.console import ConvertConsole
from importers.errors import ConfigError, ImporterError, ImporterWarning, InputError
from importers.inputs import estimates, is_archive, list_files
from importers.options import (
    DEFAULT_MAX_PAUSE_S,
    DEFAULT_MAX_TURN_S,
    ConvertOptions,
    parse_period,
)
from importers.outputs import DEFAULT_TEMPLATE, check_template, output_path
from importers.payload import DEFAULT_SOURCE, SOURCES
from importers.pipeline import convert_all
from importers.registry import Registry
from importers.upload.arrivals import DEFAULT_AUDIO_QUIET_S, DEFAULT_QUIET_S
from importers.upload.config import config_defaults, default_config_path

if TYPE_CHECKING:
    from importers.cluster import DaskCluster
    from importers.upload import UploadOptions
    from importers.upload.report import Report
    from importers.upload.settings import Settings

# The uploader's libraries (httpx, rich, sqlite3) are imported by the commands that use them:
# `convert` does not wait for them (a third of its start-up).

F = TypeVar("F", bound=Callable[..., Any])


class _CommandError(click.ClickException):
    """An ImporterError that stops a command: ``Error: message``, exit 1."""


class _SettingsError(_CommandError):
    """A ConfigError (bad options or settings) that stops a command: exit 2."""

    exit_code = 2


#: The exit status of a run stopped by Ctrl-C (128 + SIGINT), as shells report it.
INTERRUPTED_EXIT = 130


class _Cli(click.Group):
    """The one place an ImporterError becomes a command-line error (and Ctrl-C, outside the
    commands that report what they did first, exit 130 instead of click's "Aborted!")."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with warnings_as_lines():
                return super().invoke(ctx)
        except ConfigError as exc:
            raise _SettingsError(str(exc)) from None
        except ImporterError as exc:
            raise _CommandError(str(exc)) from None
        except KeyboardInterrupt:
            click.echo("omi-import: interrupted", err=True)
            raise click.exceptions.Exit(INTERRUPTED_EXIT) from None


@contextmanager
def warnings_as_lines() -> Iterator[None]:
    """Inside: an :class:`~importers.errors.ImporterWarning` is one ``Warning: ...`` line on
    stderr (shown once, as Python shows a warning); other warnings are shown as before."""
    with warnings.catch_warnings():
        shown = warnings.showwarning

        def show(message: Warning | str, category: type[Warning], *args: Any, **kw: Any) -> None:
            if issubclass(category, ImporterWarning):
                click.echo(f"Warning: {message}", err=True)
            else:
                shown(message, category, *args, **kw)

        warnings.showwarning = show
        yield


def registry_of(ctx: click.Context) -> Registry:
    """The installed adapters, loaded once per command line (``ctx.meta`` is shared)."""
    registry = ctx.meta.get("omi_import.registry")
    if registry is None:
        registry = ctx.meta["omi_import.registry"] = Registry.default()
    assert isinstance(registry, Registry)
    return registry


class _ConvertCommand(click.Command):
    """A command that takes the adapters' own options besides its declared ones."""

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        params = super().get_params(ctx)
        extra = [
            click.Option(
                [o.flag, o.dest],
                is_flag=o.is_flag,
                type=None if o.is_flag else o.type,
                metavar=o.metavar,
                help=o.help,
            )
            for o in registry_of(ctx).options()
        ]
        return params[:-1] + extra + params[-1:]  # --help stays last


def conversion_options(func: F) -> F:
    """The core options shared by ``convert`` and ``import`` (they shape the request bodies)."""
    decorators = [
        click.option(
            "--format",
            "format_name",
            metavar="NAME",
            help="Skip detection; see `omi-import formats`.",
        ),
        click.option(
            "--encoding", metavar="ENC", help="Text encoding of the inputs (default: detect)."
        ),
        click.option(
            "--source",
            type=click.Choice(SOURCES),
            metavar="SOURCE",
            help=f"Omi conversation source (default: {DEFAULT_SOURCE}, which gets summary, action "
            "items and memories on every Omi server; external_integration, workflow and "
            "desktop are refused).",
        ),
        click.option(
            "--language",
            metavar="CODE",
            help="Language code (default: from the file, else detected from the text, else en).",
        ),
        click.option(
            "--started-at",
            metavar="DATETIME",
            help="When the conversation started (ISO 8601); default: from the file, else "
            "its mtime taken as the end. A date alone (2026-03-02) keeps the file's time of day.",
        ),
        click.option(
            "--timezone", metavar="ZONE", help="Zone for times without an offset (default: local)."
        ),
        click.option(
            "--me",
            multiple=True,
            metavar="NAME",
            help="Speaker name or label that is you (repeatable).",
        ),
        click.option(
            "--people",
            type=click.Path(dir_okay=False, path_type=Path),
            metavar="FILE",
            help='JSON file {"Speaker name": "person_id"}.',
        ),
        click.option(
            "--no-names-in-text",
            is_flag=True,
            help="Leave speakers' names out of the segment text (by default a name that is "
            "neither you nor one of --people is kept as 'Name: text': Omi shows 'Speaker N').",
        ),
        click.option(
            "--no-merge", is_flag=True, help="Keep the source's cues one to one (no turns)."
        ),
        click.option(
            "--max-pause",
            type=click.FloatRange(min=0),
            default=DEFAULT_MAX_PAUSE_S,
            show_default=True,
            metavar="SECONDS",
            help="Longest pause inside one merged turn.",
        ),
        click.option(
            "--max-turn",
            type=click.FloatRange(min=1),
            default=DEFAULT_MAX_TURN_S,
            show_default=True,
            metavar="SECONDS",
            help="Longest merged turn.",
        ),
        click.option(
            "--diarization",
            type=click.Path(dir_okay=False, path_type=Path),
            metavar="FILE.rttm",
            help="Take speakers from this RTTM (word by word if possible).",
        ),
        click.option(
            "--diarization-id",
            metavar="ID",
            help="Recording (file id) in a multi-recording RTTM (default: input name).",
        ),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def conversion_setup(ctx: click.Context, flags: dict[str, Any]) -> tuple[ConvertOptions, Registry]:
    registry = registry_of(ctx)
    return ConvertOptions.from_flags(registry=registry, **flags), registry


def announce(files: Sequence[Path], options: ConvertOptions, registry: Registry) -> None:
    for line in estimates(files, registry, options.parse_options()):
        click.echo(line, err=True)


def selection_options(func: F) -> F:
    """``--since`` / ``--until``: which files of a folder walk to take, by modification date."""
    for decorator in reversed(
        [
            click.option(
                "--since",
                metavar="DATE",
                help="Only files of a folder modified on or after DATE (ISO 8601).",
            ),
            click.option(
                "--until",
                metavar="DATE",
                help="Only files of a folder modified on or before DATE (a date: its whole day).",
            ),
        ]
    ):
        func = decorator(func)
    return func


def cluster_option(func: F) -> F:
    """``--dask``: convert on a Dask cluster (:mod:`importers.cluster`)."""
    return click.option(
        "--dask",
        metavar="ADDRESS|local",
        help="Convert on a Dask cluster: local (a process per core here) or a scheduler's "
        "address (tcp://host:8786; inputs on storage the workers share). Needs the dask extra.",
    )(func)


def cluster_of(ctx: click.Context, address: str | None, *, quiet: bool) -> DaskCluster | None:
    """The ``--dask`` cluster, open until the command ends (None: convert in this process)."""
    if address is None:
        return None
    from importers.cluster import open_cluster  # Dask loads only then

    cluster = ctx.with_resource(open_cluster(address))
    if not quiet:
        click.echo(cluster.description, err=True)
    return cluster


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
    since, until, address = flags.pop("since"), flags.pop("until"), flags.pop("dask")
    options, registry = conversion_setup(ctx, flags)
    period = parse_period(since, until, flags.get("timezone"))
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


def connection_options(func: F) -> F:
    """Where Omi and the ledger are (``import`` and ``delete``)."""
    decorators = [
        click.option(
            "--api-key",
            metavar="KEY",
            help="Omi developer API key with write access (better: OMI_API_KEY or the config "
            "file).",
        ),
        click.option(
            "--base-url",
            metavar="URL",
            help="API base URL (default: OMI_API_BASE_URL, else https://api.omi.me).",
        ),
        state_option(),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def state_option() -> Callable[[F], F]:
    """``--state DIR``, the one declaration every command with a ledger uses."""
    return click.option(
        "--state",
        "state_dir",
        type=click.Path(file_okay=False, path_type=Path),
        metavar="DIR",
        help="Folder of the ledger that remembers what is in Omi (default: the state folder).",
    )


def upload_options(func: F) -> F:
    """How ``import`` and ``watch`` send, and what they say (the keywords of
    :class:`importers.upload.UploadOptions`, then ``--report``, ``-q`` and ``-v``)."""
    decorators = [
        click.option(
            "--report",
            "report_path",
            type=click.Path(dir_okay=False, path_type=Path),
            metavar="FILE",
            help="Write a JSON report of every input and conversation here.",
        ),
        click.option(
            "--replace",
            is_flag=True,
            help="Replace another import of the same recording that is in Omi (it is deleted "
            "once the new one is in).",
        ),
        click.option(
            "--retry-failed",
            is_flag=True,
            help="Send again conversations that Omi rejected before.",
        ),
        click.option(
            "--reimport-deleted",
            is_flag=True,
            help="Import again conversations that were deleted in Omi (in the app), under new "
            "keys (Omi does not make a deleted conversation again under its old one).",
        ),
        click.option(
            "--resend-uncertain",
            is_flag=True,
            help="Send again text conversations whose outcome is unknown without looking them up "
            "in Omi first (for keys that may not read; may duplicate).",
        ),
        click.option(
            "--workers",
            type=click.IntRange(1, 64),
            metavar="N",
            help="At most N requests in flight (default: sized from the server's latency and the "
            "rate limit, at most 32).",
        ),
        click.option(
            "--rate-limit",
            type=click.IntRange(min=1),
            metavar="N",
            help="Requests allowed per window, if known (default: learned from the server).",
        ),
        click.option(
            "--rate-window",
            type=click.FloatRange(min=0.001),
            metavar="SECONDS",
            help="Length of the rate-limit window, if known (default: learned; Omi: 3600).",
        ),
        click.option(
            "-q", "--quiet", is_flag=True, help="Print no progress, only errors and the summary."
        ),
        click.option(
            "-v",
            "--verbose",
            is_flag=True,
            help="Also say each request (method, path, status, time).",
        ),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


@dataclass(frozen=True)
class _Upload:
    """The flags of :func:`connection_options` and :func:`upload_options`, taken out of a
    command's keywords (what is left shapes the conversion)."""

    api_key: str | None
    base_url: str | None
    state_dir: Path | None
    report_path: Path | None
    quiet: bool
    options: UploadOptions

    @classmethod
    def pop(cls, flags: dict[str, Any]) -> _Upload:
        from importers.upload import UploadOptions

        return cls(
            api_key=flags.pop("api_key"),
            base_url=flags.pop("base_url"),
            state_dir=flags.pop("state_dir"),
            report_path=flags.pop("report_path"),
            quiet=flags.pop("quiet"),
            options=UploadOptions(
                retry_failed=flags.pop("retry_failed"),
                reimport_deleted=flags.pop("reimport_deleted"),
                resend_uncertain=flags.pop("resend_uncertain"),
                replace=flags.pop("replace"),
                workers=flags.pop("workers"),
                rate_limit=flags.pop("rate_limit"),
                rate_window_s=flags.pop("rate_window"),
                verbose=flags.pop("verbose"),
            ),
        )

    def settings(self) -> Settings:
        from importers.upload.settings import load_settings

        return load_settings(api_key=self.api_key, base_url=self.base_url)


def finish(
    report: Report, lines: list[str], *, interrupted: bool, code: int = INTERRUPTED_EXIT
) -> None:
    """Print a run's summary lines and exit: ``code`` (130) when interrupted, 1 when not ok,
    else 0."""
    for line in lines:
        click.echo(line)
    if interrupted:
        click.echo(f"stopped: {report.stopped}")
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)  # requests still in flight are `sending`: a re-run settles them
    if report.stopped:
        click.echo(f"Error: {report.stopped}", err=True)
    sys.exit(0 if report.ok else 1)


@click.group(
    cls=_Cli, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.version_option(__version__, prog_name="omi-import")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Import transcripts and recordings into Omi as conversations."""
    if defaults := config_defaults():
        ctx.default_map = command_defaults(ctx, defaults)


def command_defaults(ctx: click.Context, defaults: dict[str, object]) -> dict[str, Any]:
    """The config file's ``[defaults]`` (by option name, ``max-pause`` or ``max_pause``) as
    click's per-command default map; a flag on the command line still wins.

    A repeatable option takes a list, or one string for a list of one (``me = "Ana"``); every
    value is checked as the option checks its own, here, naming the file and the key.

    Raises:
        ConfigError: a name that is no option of any command, or a value the option refuses.
    """
    assert isinstance(ctx.command, click.Group)
    out: dict[str, dict[str, object]] = {}
    used: set[str] = set()
    for name, command in ctx.command.commands.items():
        by_flag = {
            flag.lstrip("-").replace("-", "_"): param
            for param in command.get_params(ctx)
            if isinstance(param, click.Option) and param.name
            for flag in param.opts
            if flag.startswith("--")
        }
        for key, value in defaults.items():
            if (param := by_flag.get(key.replace("-", "_"))) is not None:
                assert param.name is not None
                out.setdefault(name, {})[param.name] = _default_value(ctx, param, key, value)
                used.add(key)
    if unknown := sorted(set(defaults) - used):
        raise ConfigError(
            f"{default_config_path()}: [defaults] names no option of omi-import: "
            f"{', '.join(unknown)}"
        )
    return out


def _default_value(ctx: click.Context, param: click.Option, key: str, value: object) -> object:
    """A ``[defaults]`` value as ``param`` takes it (module docstring of the config file).

    Raises:
        ConfigError: the option refuses it (the message names the file and the key).
    """
    if param.multiple and isinstance(value, str):
        value = [value]
    if param.is_flag and not isinstance(value, bool):
        raise ConfigError(
            f"{default_config_path()}: [defaults] {key} = {value!r}: a flag takes true or false"
        )
    try:
        param.type_cast_value(ctx, value)
    except click.BadParameter as exc:
        raise ConfigError(
            f"{default_config_path()}: [defaults] {key} = {value!r}: {exc.message}"
        ) from None
    except (TypeError, ValueError, AttributeError):  # click's types assume text from argv
        raise ConfigError(
            f"{default_config_path()}: [defaults] {key} = {value!r}: not a value --{key} takes"
        ) from None
    return value


@cli.command("convert", cls=_ConvertCommand)
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


@cli.command("import", cls=_ConvertCommand)
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
    sending = _Upload.pop(flags)
    if dry_run:
        run_convert(
            ctx,
            paths,
            flags,
            out_dir=None,
            console=ConvertConsole(quiet=sending.quiet, verbose=sending.options.verbose),
        )
        return
    from importers.progress import make_progress
    from importers.upload import INTERRUPTED, Importer
    from importers.upload.ledger import Ledger

    period = parse_period(flags.pop("since"), flags.pop("until"), flags.get("timezone"))
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


@cli.command("watch", cls=_ConvertCommand)
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
    from importers.progress import PlainProgress
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

    sending = _Upload.pop(flags)
    period = parse_period(flags.pop("since"), flags.pop("until"), flags.get("timezone"))
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


@cli.command("list")
@state_option()
@click.option("--json", "as_json", is_flag=True, help="Print the recordings as JSON.")
def list_cmd(state_dir: Path | None, as_json: bool) -> None:
    """List what was imported into Omi: file, when, run, status, conversation ids."""
    from importers.upload.ledger import Ledger
    from importers.upload.recordings import list_text

    with Ledger.open(state_dir) as ledger:
        click.echo(list_text(ledger, as_json=as_json))


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
    from importers.progress import make_progress
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


@cli.command("status")
@state_option()
@click.option("--json", "as_json", is_flag=True, help="Print the counts and problems as JSON.")
def status_cmd(state_dir: Path | None, as_json: bool) -> None:
    """Show what the ledger knows: counts per state, failures with reasons."""
    from importers.status import status_text
    from importers.upload.ledger import Ledger

    with Ledger.open(state_dir) as ledger:
        click.echo(status_text(ledger, as_json=as_json))


@cli.command("doctor")
@click.option("--json", "as_json", is_flag=True, help="Print the checks as JSON.")
@click.option("--online", is_flag=True, help="Also check the API key with one read request.")
@state_option()
@click.pass_context
def doctor_cmd(ctx: click.Context, /, as_json: bool, online: bool, state_dir: Path | None) -> None:
    """Check what imports need: ready or what to fix (exit 1 when something needed is not)."""
    from importers.doctor import exit_code, render, run_checks, to_json

    checks = run_checks(registry_of(ctx), online=online, state_dir=state_dir)
    click.echo(json.dumps(to_json(checks), indent=2) if as_json else render(checks))
    sys.exit(exit_code(checks))


@cli.command("formats")
@click.option("--json", "as_json", is_flag=True, help="Print the adapters as JSON.")
@click.pass_context
def formats_cmd(ctx: click.Context, /, as_json: bool) -> None:
    """List the format adapters: built-in and installed plugins."""
    from importers.formats import formats_json, formats_table

    infos = registry_of(ctx).infos
    click.echo(formats_json(infos) if as_json else formats_table(infos), nl=not as_json)


def main() -> None:
    cli(prog_name="omi-import")
