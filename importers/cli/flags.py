"""The flags the commands share, each group one decorator, and what they become: the
conversion options (:meth:`~importers.conversion.options.ConvertOptions.from_flags`), where Omi
and the ledger are, and how to send (:class:`~importers.upload.UploadOptions`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from importers.conversion.options import (
    DEFAULT_MAX_PAUSE_S,
    DEFAULT_MAX_TURN_S,
    ConvertOptions,
    parse_period,
)
from importers.conversion.payload import DEFAULT_SOURCE, SOURCES
from importers.inputs import Period, estimates
from importers.registry import Registry

if TYPE_CHECKING:
    from importers.conversion.cluster import DaskCluster
    from importers.upload import UploadOptions
    from importers.upload.settings import Settings
from importers.cli.main import registry_of

F = TypeVar("F", bound=Callable[..., Any])


class ConvertCommand(click.Command):
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
    return _stacked(func, decorators)


def conversion_setup(ctx: click.Context, flags: dict[str, Any]) -> tuple[ConvertOptions, Registry]:
    registry = registry_of(ctx)
    return ConvertOptions.from_flags(registry=registry, **flags), registry


def announce(files: Sequence[Path], options: ConvertOptions, registry: Registry) -> None:
    for line in estimates(files, registry, options.parse_options()):
        click.echo(line, err=True)


def selection_options(func: F) -> F:
    """``--since`` / ``--until``: which files of a folder walk to take, by modification date."""
    return _stacked(
        func,
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
        ],
    )


def cluster_option(func: F) -> F:
    """``--dask``: convert on a Dask cluster (:mod:`importers.conversion.cluster`)."""
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
    from importers.conversion.cluster import open_cluster  # Dask loads only then

    cluster = ctx.with_resource(open_cluster(address))
    if not quiet:
        click.echo(cluster.description, err=True)
    return cluster


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
    return _stacked(func, decorators)


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
    return _stacked(func, decorators)


@dataclass(frozen=True)
class SendFlags:
    """The flags of :func:`connection_options` and :func:`upload_options`, taken out of a
    command's keywords (what is left shapes the conversion)."""

    api_key: str | None
    base_url: str | None
    state_dir: Path | None
    report_path: Path | None
    quiet: bool
    options: UploadOptions

    @classmethod
    def pop(cls, flags: dict[str, Any]) -> SendFlags:
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


def _stacked(func: F, decorators: Sequence[Callable[[F], F]]) -> F:
    """``func`` under ``decorators``, the first outermost (as they would be written above it)."""
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def period_of(flags: dict[str, Any]) -> Period | None:
    """``--since`` / ``--until`` taken out of a command's keywords, in its ``--timezone``."""
    return parse_period(flags.pop("since"), flags.pop("until"), flags.get("timezone"))
