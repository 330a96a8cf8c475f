"""The ``omi-import`` command: a thin shell over :mod:`importers.pipeline`.

Every flag maps to a keyword of the library. :class:`~importers.errors.ImporterError` becomes a
one-line ``Error: ...`` here and nowhere else; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import click

from importers import __version__
from importers.errors import ConfigError, ImporterError, InputError
from importers.ledger import Ledger
from importers.normalize import NormalizeOptions, summarize_repairs
from importers.options import load_people, parse_date_only, parse_datetime, parse_timezone
from importers.payload import SOURCES
from importers.pipeline import Conversion, ConvertOptions, convert, iter_inputs
from importers.progress import make_progress
from importers.registry import Registry
from importers.rttm import read_rttm
from importers.settings import load_settings
from importers.status import status_text
from importers.upload import INTERRUPTED, UploadOptions, upload

F = TypeVar("F", bound=Callable[..., Any])


def conversion_options(func: F) -> F:
    """The options shared by ``convert`` and ``import`` (they shape the request bodies)."""
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
            default="external_integration",
            show_default=True,
            type=click.Choice(SOURCES),
            metavar="SOURCE",
            help="Omi conversation source.",
        ),
        click.option(
            "--language", metavar="CODE", help="Language code (default: from the file, else en)."
        ),
        click.option(
            "--started-at",
            metavar="DATETIME",
            help="When the conversation started (ISO 8601); default: from the file, else "
            "its mtime. A date alone (2026-03-02) keeps the file's time of day.",
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
            "--no-merge", is_flag=True, help="Keep the source's cues one to one (no turns)."
        ),
        click.option(
            "--max-pause",
            type=click.FloatRange(min=0),
            default=2.0,
            show_default=True,
            metavar="SECONDS",
            help="Longest pause inside one merged turn.",
        ),
        click.option(
            "--max-turn",
            type=click.FloatRange(min=1),
            default=60.0,
            show_default=True,
            metavar="SECONDS",
            help="Longest merged turn.",
        ),
        click.option(
            "--skip-private",
            is_flag=True,
            help="Leave private/direct chat messages out (default: keep them, marked).",
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
    for decorator in reversed(decorators + AUDIO_FLAGS):
        func = decorator(func)
    return func


#: Audio-only flags (the audio adapter reads them from ConvertOptions.extra; see audio_extra).
AUDIO_FLAGS = [
    click.option(
        "--whisper-model",
        metavar="NAME|DIR|builtin",
        help="Audio: speech model name (small, large-v3...), a CTranslate2 folder, or builtin "
        "(tiny.en, offline). Default: large-v3-turbo on CUDA, small on CPU.",
    ),
    click.option(
        "--diarization-model",
        metavar="ID|DIR|builtin",
        help="Audio: pyannote pipeline id (default pyannote/speaker-diarization-community-1, "
        "needs HF_TOKEN), a local pipeline folder, or builtin (offline, no token).",
    ),
    click.option(
        "--device",
        type=click.Choice(["auto", "cpu", "cuda"]),
        help="Audio: where models run (default auto).",
    ),
    click.option(
        "--compute-type",
        metavar="TYPE",
        help="Audio: CTranslate2 compute type (default auto: int8 CPU, float16 GPU).",
    ),
    click.option(
        "--num-speakers",
        type=click.IntRange(min=1),
        metavar="N",
        help="Audio: exact number of speakers.",
    ),
    click.option(
        "--min-speakers",
        type=click.IntRange(min=1),
        metavar="N",
        help="Audio: at least N speakers.",
    ),
    click.option(
        "--max-speakers", type=click.IntRange(min=1), metavar="N", help="Audio: at most N speakers."
    ),
    click.option("--no-diarize", is_flag=True, help="Audio: skip diarization (one speaker)."),
    click.option(
        "--batch-size",
        type=click.IntRange(min=0),
        metavar="N",
        help="Audio: batched transcription (default 16 on CUDA, 0 = unbatched on CPU).",
    ),
    click.option(
        "--beam-size",
        type=click.IntRange(min=1),
        metavar="N",
        help="Audio: transcription beam size (default 1 = greedy on CPU, 5 on CUDA).",
    ),
    click.option(
        "--diarization-step",
        type=click.FloatRange(0.01, 1.0),
        metavar="RATIO",
        help="Audio: segmentation window step as a ratio of its 10 s window (builtin: 0.5).",
    ),
]


def audio_extra(
    *,
    whisper_model: str | None = None,
    diarization_model: str | None = None,
    device: str | None = None,
    compute_type: str | None = None,
    num_speakers: int | None = None,
    min_speakers: int | None = None,
    max_speakers: int | None = None,
    no_diarize: bool = False,
    batch_size: int | None = None,
    beam_size: int | None = None,
    diarization_step: float | None = None,
) -> dict[str, object]:
    """The audio flags a user set, for ``extra`` (so they change only audio sessions' ids)."""
    given: dict[str, object | None] = {
        "whisper_model": whisper_model,
        "diarization_model": diarization_model,
        "device": device,
        "compute_type": compute_type,
        "num_speakers": num_speakers,
        "min_speakers": min_speakers,
        "max_speakers": max_speakers,
        "diarize": False if no_diarize else None,
        "batch_size": batch_size,
        "beam_size": beam_size,
        "diarization_step": diarization_step,
    }
    return {k: v for k, v in given.items() if v is not None}


def build_options(
    *,
    format_name: str | None,
    encoding: str | None,
    source: str,
    language: str | None,
    started_at: str | None,
    timezone: str | None,
    me: tuple[str, ...],
    people: Path | None,
    no_merge: bool,
    max_pause: float,
    max_turn: float,
    skip_private: bool = False,
    diarization: Path | None = None,
    diarization_id: str | None = None,
    extra: dict[str, object] | None = None,
    **audio: Any,
) -> ConvertOptions:
    """Map CLI flag values to :class:`ConvertOptions` (audio flags: see :func:`audio_extra`)."""
    tz = parse_timezone(timezone) if timezone else None
    started_on = parse_date_only(started_at) if started_at else None
    extra = {**(extra or {}), **audio_extra(**audio)}
    if skip_private:
        extra["skip_private_messages"] = True
    turns = None
    if diarization is not None:
        try:
            turns = read_rttm(diarization)
        except InputError as exc:
            raise ConfigError(f"--diarization {exc}") from None
    return ConvertOptions(
        format=format_name,
        encoding=encoding,
        source=source,
        language=language,
        started_at=parse_datetime(started_at, tz) if started_at and not started_on else None,
        started_on=started_on,
        timezone=tz,
        normalize=NormalizeOptions(
            merge=not no_merge,
            max_pause_ms=round(max_pause * 1000),
            max_turn_ms=round(max_turn * 1000),
            me=me,
            people=load_people(people) if people else {},
        ),
        extra=extra,
        diarization=turns,
        diarization_id=diarization_id,
    )


@dataclass
class Outcome:
    """What a run did, for the summary line and the exit code."""

    converted: list[Conversion] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)


def error(message: str) -> None:
    click.echo(f"Error: {message}", err=True)


def convert_all(
    paths: tuple[Path, ...],
    options: ConvertOptions,
    registry: Registry,
    on_result: Callable[[Conversion], None],
    *,
    quiet: bool = False,
) -> Outcome:
    """Convert every input; report each failure in one line and go on with the rest."""
    outcome = Outcome()
    for item in iter_inputs(paths, registry):
        if item.skipped:
            outcome.skipped.append((item.path, item.skipped))
            if not quiet:
                click.echo(f"Skipped: {item.path}: {item.skipped}", err=True)
            continue
        try:
            result = convert(item.path, options, registry=registry)
        except ImporterError as exc:
            if (reason := item.skip_reason(exc)) is not None:
                outcome.skipped.append((item.path, reason))
                if not quiet:
                    click.echo(f"Skipped: {item.path}: {reason}", err=True)
                continue
            outcome.failed.append((item.path, str(exc)))
            error(str(exc))
            continue
        outcome.converted.append(result)
        if not quiet and result.normalized.repairs:
            # From the repairs alone: to_dict() would serialise every request body again.
            repairs = summarize_repairs(result.normalized.repairs)
            counts = ", ".join(f"{r['count']} {r['message']}" for r in repairs)
            click.echo(f"Note: {result.input}: {counts}", err=True)
        on_result(result)
    return outcome


def summary(outcome: Outcome, verb: str) -> str:
    conversations = sum(len(c.conversations) for c in outcome.converted)
    plural = "s" if conversations != 1 else ""
    parts = [f"{len(outcome.converted)} {verb} ({conversations} conversation{plural})"]
    if outcome.skipped:
        parts.append(f"{len(outcome.skipped)} skipped")
    if outcome.failed:
        parts.append(f"{len(outcome.failed)} failed")
    return ", ".join(parts)


def dump(result: Conversion, *, pretty: bool) -> str:
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=2 if pretty else None)


def output_path(out_dir: Path, result: Conversion, roots: tuple[Path, ...]) -> Path:
    """``<out>/<path relative to the folder given>.omi.json`` (flat name for single files)."""
    for root in roots:
        if root.is_dir():
            try:
                rel = result.input.relative_to(root)
            except ValueError:
                continue
            return out_dir / root.name / rel.parent / f"{rel.name}.omi.json"
    return out_dir / f"{result.input.name}.omi.json"


def emit(paths: tuple[Path, ...], out_dir: Path | None) -> Callable[[Conversion], None]:
    """Print one JSON object (one input) or JSON Lines (several), or write files under out_dir."""
    single = len(paths) == 1 and not paths[0].is_dir()

    def on_result(result: Conversion) -> None:
        if out_dir is None:
            click.echo(dump(result, pretty=single))
            return
        target = output_path(out_dir, result, paths)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(dump(result, pretty=True) + "\n", encoding="utf-8")

    return on_result


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="omi-import")
def cli() -> None:
    """Import transcripts and recordings into Omi as conversations."""


@cli.command("convert")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write one FILE.omi.json per input here instead of printing.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print no notes, only errors.")
@conversion_options
def convert_cmd(paths: tuple[Path, ...], out_dir: Path | None, quiet: bool, **flags: Any) -> None:
    """Print the request bodies that `import` would send, as JSON."""
    run(paths, flags, out_dir=out_dir, quiet=quiet, verb="converted")


@cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--dry-run", is_flag=True, help="Print what would be sent (as `convert`); send nothing."
)
@click.option(
    "--api-key",
    metavar="KEY",
    help="Omi developer API key with write access (better: OMI_API_KEY or the config file).",
)
@click.option(
    "--base-url",
    metavar="URL",
    help="API base URL (default: OMI_API_BASE_URL, else https://api.omi.me).",
)
@click.option(
    "--state",
    "state_dir",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Folder of the ledger that remembers what is in Omi (default: the user data dir).",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Write a JSON report of every input and conversation here.",
)
@click.option(
    "--retry-failed", is_flag=True, help="Send again conversations that Omi rejected before."
)
@click.option(
    "--resend-uncertain",
    is_flag=True,
    help="Send again text conversations whose earlier outcome is unknown (may duplicate).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 16),
    default=4,
    show_default=True,
    help="Requests in flight at once.",
)
@click.option(
    "--rate-limit",
    type=click.IntRange(min=1),
    metavar="N",
    help="Requests allowed per window, if known (default: learned from the server).",
)
@click.option(
    "--rate-window",
    type=click.FloatRange(min=0.001),
    metavar="SECONDS",
    help="Length of the rate-limit window, if known (default: learned; Omi: 3600).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print no progress, only errors and the summary.")
@conversion_options
def import_cmd(
    paths: tuple[Path, ...],
    dry_run: bool,
    api_key: str | None,
    base_url: str | None,
    state_dir: Path | None,
    report_path: Path | None,
    retry_failed: bool,
    resend_uncertain: bool,
    workers: int,
    rate_limit: int | None,
    rate_window: float | None,
    quiet: bool,
    **flags: Any,
) -> None:
    """Import files or folders into Omi, exactly once."""
    if dry_run:
        run(paths, flags, out_dir=None, quiet=quiet, verb="converted")
        return
    options, registry = setup(flags)
    try:
        settings = load_settings(api_key=api_key, base_url=base_url)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    upload_options = UploadOptions(
        retry_failed=retry_failed,
        resend_uncertain=resend_uncertain,
        workers=workers,
        rate_limit=rate_limit,
        rate_window_s=rate_window,
    )
    progress = make_progress(sys.stderr, quiet=quiet)
    try:
        with Ledger.open(state_dir) as ledger:
            report = upload(
                paths,
                settings=settings,
                ledger=ledger,
                convert_options=options,
                options=upload_options,
                registry=registry,
                progress=progress,
            )
    except ConfigError as exc:
        progress.close()
        error(str(exc))
        sys.exit(2)
    progress.close()
    if report_path is not None:
        report.write(report_path)
    for line in report.summary():
        click.echo(line)
    if report.stopped == INTERRUPTED:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(130)  # requests still in flight are recorded as `sending`: a re-run settles them
    if report.stopped:
        error(report.stopped)
    sys.exit(0 if report.ok else 1)


@cli.command("status")
@click.option(
    "--state",
    "state_dir",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Folder of the ledger (default: the user data dir).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the counts and problems as JSON.")
def status_cmd(state_dir: Path | None, as_json: bool) -> None:
    """Show what the ledger knows: counts per state, failures with reasons."""
    with Ledger.open(state_dir) as ledger:
        click.echo(status_text(ledger, as_json=as_json))


def setup(flags: dict[str, Any]) -> tuple[ConvertOptions, Registry]:
    """The conversion options from the flags, and the adapters; bad values are usage errors."""
    try:
        return build_options(**flags), Registry.default()
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None


def run(
    paths: tuple[Path, ...], flags: dict[str, Any], *, out_dir: Path | None, quiet: bool, verb: str
) -> None:
    options, registry = setup(flags)
    if not quiet and "audio" in registry.names:
        announce_audio(paths, options, registry)
    outcome = convert_all(paths, options, registry, emit(paths, out_dir), quiet=quiet)
    if not quiet or outcome.failed:
        click.echo(f"omi-import: {summary(outcome, verb)}", err=True)
    if outcome.failed:
        sys.exit(1)


def announce_audio(paths: tuple[Path, ...], options: ConvertOptions, registry: Registry) -> None:
    """For a folder or several recordings: the total audio length and time to expect."""
    files = [i.path for i in iter_inputs(paths, registry) if not i.skipped]
    audio = [p for p in files if registry.get("audio").claims_extension(p.suffix.lower())]
    if len(audio) < 2 and not any(p.is_dir() for p in paths):
        return
    from adapters.audio.estimate import batch_estimate
    from adapters.audio.settings import AudioSettings

    try:
        line = batch_estimate(audio, AudioSettings.from_extra(options.extra, options.language))
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    if line:
        click.echo(line, err=True)


@cli.command("doctor")
@click.option("--json", "as_json", is_flag=True, help="Print the checks as JSON.")
@click.option("--online", is_flag=True, help="Also check the API key with one read request.")
@click.option(
    "--state",
    "state_dir",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Folder of the ledger (default: the user data dir).",
)
def doctor_cmd(as_json: bool, online: bool, state_dir: Path | None) -> None:
    """Check what imports need: ready or what to fix (exit 1 when something needed is not)."""
    from importers.doctor import exit_code, render, run_checks, to_json

    checks = run_checks(Registry.default(), online=online, state_dir=state_dir)
    click.echo(json.dumps(to_json(checks), indent=2) if as_json else render(checks))
    sys.exit(exit_code(checks))


@cli.command("formats")
def formats_cmd() -> None:
    """List the format adapters: built-in and installed plugins."""
    try:
        registry = Registry.default()
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    rows = [
        (i.adapter.name, " ".join(i.adapter.extensions), i.distribution, i.adapter.description)
        for i in registry.infos
    ]
    width = max((len(r[0]) for r in rows), default=4)
    ext_width = max((len(r[1]) for r in rows), default=10)
    for name, exts, dist, desc in rows:
        click.echo(f"{name:<{width}}  {exts:<{ext_width}}  {dist}  {desc}".rstrip())


def main() -> None:
    cli(prog_name="omi-import")
