"""Progress of an import: a rich live display on a terminal, plain lines elsewhere.

The uploader calls these methods from worker threads; both implementations are thread-safe.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime
from typing import IO, Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from importers.report import duration


class ProgressSink(Protocol):
    def start(self, files: int, conversations: int, to_send: int) -> None: ...
    def note(self, line: str) -> None: ...
    def sent(self) -> None: ...
    def finished(self, line: str) -> None: ...
    def waiting(self, until: float) -> None: ...
    def eta(self, seconds: float | None) -> None: ...
    def close(self) -> None: ...


def wall_clock(monotonic_at: float, now: datetime | None = None) -> str:
    """The local wall-clock time of a ``time.monotonic()`` instant: ``HH:MM:SS`` today, else
    ``YYYY-MM-DD HH:MM:SS`` (a wait past midnight must not read as a time today)."""
    # Finite and at most a day or two away: the pacer bounds every wait (MAX_WINDOW_S).
    when = datetime.fromtimestamp(time.time() + (monotonic_at - time.monotonic()))
    today = (now or datetime.now()).date()
    return when.strftime("%H:%M:%S" if when.date() == today else "%Y-%m-%d %H:%M:%S")


class NullProgress:
    def start(self, files: int, conversations: int, to_send: int) -> None:
        pass

    def note(self, line: str) -> None:
        pass

    def sent(self) -> None:
        pass

    def finished(self, line: str) -> None:
        pass

    def waiting(self, until: float) -> None:
        pass

    def eta(self, seconds: float | None) -> None:
        pass

    def close(self) -> None:
        pass


class PlainProgress(NullProgress):
    """One line per event (for logs, pipes and CI)."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._lock = threading.Lock()
        self._total = 0
        self._done = 0
        self._eta: float | None = None

    def _print(self, line: str) -> None:
        with self._lock:
            print(line, file=self._stream, flush=True)

    def start(self, files: int, conversations: int, to_send: int) -> None:
        self._total = to_send
        self._print(
            f"{files} file(s), {conversations} conversation(s); {to_send} to send, "
            f"{conversations - to_send} already done or held back"
        )

    def note(self, line: str) -> None:
        self._print(line)

    def finished(self, line: str) -> None:
        with self._lock:
            self._done += 1
            done = self._done
        eta = f", ETA {duration(self._eta)}" if self._eta else ""
        self._print(f"[{done}/{self._total}] {line}{eta}")

    def waiting(self, until: float) -> None:
        self._print(f"waiting for the rate limit until {wall_clock(until)}")

    def eta(self, seconds: float | None) -> None:
        self._eta = seconds


class RichProgress(NullProgress):
    """A live display: conversations sent, requests, rate-limit waits and an ETA."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[info]}"),
            console=console,
        )
        self._task: TaskID | None = None
        self._requests = 0
        self._wait_until: float | None = None
        self._eta: float | None = None
        self._lock = threading.Lock()

    def start(self, files: int, conversations: int, to_send: int) -> None:
        self._progress.start()
        self._task = self._progress.add_task(f"{files} file(s), sending", total=to_send, info="")
        self._refresh()

    def _refresh(self) -> None:
        if self._task is None:
            return
        parts = [f"{self._requests} requests"]
        if self._wait_until is not None and self._wait_until > time.monotonic():
            parts.append(f"waiting for the rate limit until {wall_clock(self._wait_until)}")
        if self._eta is not None:
            parts.append(f"ETA {duration(self._eta)}")
        self._progress.update(self._task, info=" · ".join(parts))

    def note(self, line: str) -> None:
        self._progress.console.print(line, markup=False, highlight=False)

    def sent(self) -> None:
        with self._lock:
            self._requests += 1
            self._refresh()

    def finished(self, line: str) -> None:
        with self._lock:
            if self._task is not None:
                self._progress.advance(self._task)
            self._progress.console.print(line, markup=False, highlight=False)
            self._refresh()

    def waiting(self, until: float) -> None:
        with self._lock:
            self._wait_until = until
            self._refresh()

    def eta(self, seconds: float | None) -> None:
        with self._lock:
            self._eta = seconds
            self._refresh()

    def close(self) -> None:
        self._progress.stop()


def make_progress(stream: IO[str], *, quiet: bool = False) -> ProgressSink:
    """Rich on a terminal, plain lines otherwise, nothing when quiet."""
    if quiet:
        return NullProgress()
    console = Console(file=stream)
    if console.is_terminal:
        return RichProgress(console)
    return PlainProgress(stream)
