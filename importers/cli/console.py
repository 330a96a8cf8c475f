"""What a ``convert`` run tells the user on stderr: a line per file that needs one, a summary.

* default: ``Skipped:`` / ``Error:`` / ``Warning:`` / ``Note:`` lines, then ``omi-import: 3
  converted (4 conversations), 1 skipped``;
* ``-q``: errors and warnings only (and the summary when something failed);
* ``-v``: also what was read for every file (format, encoding, language and start, with where
  each came from) and each repair with its line;
* ``--json``: nothing per file; one JSON object at the end (``summary_json``);
* on a terminal, a progress bar over the files while they convert (lines print above it);
* with a status line (``--dask``: files per worker, audio hours per hour), that line live under
  the bar, and once more before the summary (unless quiet or ``--json``).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from importers.conversion.normalize import describe, summarize_repairs
from importers.conversion.pipeline import Conversion, Outcome
from importers.source import path_text
from importers.stages import showing
from importers.wording import count


@dataclass
class FileRecord:
    """One input as the JSON summary lists it."""

    path: str
    status: str
    format: str | None = None
    conversations: int = 0
    output: str | None = None
    reason: str | None = None
    warnings: list[str] = field(default_factory=list)
    repairs: dict[str, int] = field(default_factory=dict)


class ConvertConsole:
    """Counts outcomes and shows them (see the module docstring)."""

    def __init__(
        self, *, quiet: bool = False, verbose: bool = False, as_json: bool = False
    ) -> None:
        self.quiet, self.verbose, self.as_json = quiet, verbose, as_json
        self.records: list[FileRecord] = []
        self.converted = self.skipped = self.failed = self.conversations = 0
        self._bar: Any = None
        self._task: Any = None
        self._showing: AbstractContextManager[None] | None = None
        self._status: Callable[[], str] | None = None

    # -- progress ----------------------------------------------------------------------------

    def start(self, files: int, status: Callable[[], str] | None = None) -> None:
        """A progress display over ``files`` inputs, on a terminal only (rich loads only then):
        a bar for several, a spinner for one; an adapter's long steps (the audio adapter's
        transcription) show as bars of their own in it (:mod:`importers.stages`), and
        ``status()`` as a line under them, read at every refresh."""
        self._status = status
        if self.quiet or self.as_json or not sys.stderr.isatty():
            return
        from rich.console import Console, RenderableType
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeRemainingColumn,
        )
        from rich.text import Text

        from importers.cli.progress import as_tasks

        class Display(Progress):
            """rich's bars, then the status line (rich's documented way: get_renderables)."""

            def get_renderables(self) -> Iterable[RenderableType]:
                yield from super().get_renderables()
                if status is not None:
                    yield Text(status())

        self._bar = Display(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._bar.start()
        self._task = self._bar.add_task("converting", total=files if files > 1 else None)
        self._showing = showing(as_tasks(self._bar))
        self._showing.__enter__()

    def stop(self) -> None:
        if self._bar is not None:
            if self._showing is not None:
                self._showing.__exit__(None, None, None)
                self._showing = None
            self._bar.stop()
            self._bar = None

    def _say(self, line: str) -> None:
        if self._bar is not None:
            self._bar.console.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            click.echo(line, err=True)

    # -- outcomes ----------------------------------------------------------------------------

    def outcome(self, outcome: Outcome, output: Path | None = None) -> None:
        """Count one outcome and show what it needs shown."""
        if self._bar is not None:
            self._bar.advance(self._task)
        path = path_text(outcome.path)  # the --json summary is UTF-8, as the bodies are
        if outcome.skipped is not None:
            self.skipped += 1
            self.records.append(FileRecord(path, "skipped", reason=outcome.skipped))
            self._line(f"Skipped: {path}: {outcome.skipped}", always=False)
            return
        if outcome.conversion is None:
            self.failed += 1
            self.records.append(FileRecord(path, "failed", reason=str(outcome.error)))
            self._line(f"Error: {outcome.error}", always=True)
            return
        self._converted(outcome.conversion, output)

    def _converted(self, result: Conversion, output: Path | None) -> None:
        self.converted += 1
        self.conversations += len(result.conversations)
        record = FileRecord(
            path_text(result.input),
            "converted",
            result.format,
            len(result.conversations),
            None if output is None else path_text(output),
            repairs=dict(Counter(r.reason for r in result.normalized.repairs)),
        )
        self.records.append(record)
        if result.normalized.unmatched:
            names = ", ".join(repr(n) for n in result.normalized.unmatched)
            have = ", ".join(
                f"{name} ({label})" if name else label
                for label, name in result.normalized.speakers.items()
            )
            record.warnings.append(f"no speaker matches {names}; the speakers are: {have}")
            self._line(f"Warning: {result.input}: {record.warnings[-1]}", always=True)
        if self.verbose:
            self._line(f"Read: {result.input}: {_what_was_read(result)}", always=True)
            for r in result.normalized.repairs:
                where = f"{result.input}:{r.line}" if r.line is not None else str(result.input)
                self._line(f"Repair: {where}: {describe(r.reason, 1)}", always=True)
        elif result.normalized.repairs:
            repairs = summarize_repairs(result.normalized.repairs)
            counts = ", ".join(f"{r['count']} {r['message']}" for r in repairs)
            self._line(f"Note: {result.input}: {counts}", always=False)

    def _line(self, line: str, *, always: bool) -> None:
        if not self.as_json and (always or not self.quiet):
            self._say(line)

    # -- the end -----------------------------------------------------------------------------

    def summary(self) -> str:
        parts = [f"{self.converted} converted ({count(self.conversations, 'conversation')})"]
        if self.skipped:
            parts.append(f"{self.skipped} skipped")
        if self.failed:
            parts.append(f"{self.failed} failed")
        return ", ".join(parts)

    def finish(self) -> None:
        """The summary: a line (unless quiet with nothing failed), or the JSON object."""
        self.stop()
        if self.as_json:
            return
        if self._status is not None and not self.quiet:
            click.echo(self._status(), err=True)
        if not self.quiet or self.failed:
            click.echo(f"omi-import: {self.summary()}", err=True)

    def summary_json(self) -> str:
        return json.dumps(
            {
                "ok": not self.failed,
                "totals": {
                    "converted": self.converted,
                    "conversations": self.conversations,
                    "skipped": self.skipped,
                    "failed": self.failed,
                },
                "inputs": [vars(r) for r in self.records],
            },
            ensure_ascii=False,
        )


def _what_was_read(result: Conversion) -> str:
    turns = len(result.normalized.turns)
    encoding = f", {result.encoding}" if result.encoding else ""
    return (
        f"{result.format}{encoding}; {count(turns, 'segment')} in "
        f"{count(len(result.conversations), 'conversation')}; language {result.language} "
        f"({result.language_source}); start from {result.started_at_source}"
    )
