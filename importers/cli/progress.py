"""Progress of an import: a rich live display on a terminal, plain lines elsewhere.

The uploader calls these methods from worker threads; both implementations are thread-safe.
The ETA arrives every second (:mod:`importers.upload.scheduler`): the live display ticks with it;
plain lines carry it, and repeat it alone after :data:`QUIET_ETA_S` of silence (a long wait).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import IO, Any, Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from importers.stages import Shower, Update, showing
from importers.upload.progress import NullProgress, ProgressSink
from importers.wording import count, duration


class TextSink(Protocol):
    """Where plain lines go: a text file, or anything that writes and flushes like one."""

    def write(self, text: str, /) -> object: ...
    def flush(self) -> object: ...


ASSUMED_NOTE = "at Omi's documented 25 an hour until the server tells its limit"
#: A plain log repeats the ETA after this long without another line (a long wait).
QUIET_ETA_S = 600.0
#: While files still convert, an ETA is an estimate: said only when it is at least this long.
ESTIMATED_ETA_S = 60.0


def eta_text(seconds: float | None, assumed: bool) -> str:
    """``ETA 6 h 59 min`` (with the assumption it rests on), or '' when unknown."""
    if seconds is None:
        return ""
    return f"ETA {duration(seconds)}" + (f" ({ASSUMED_NOTE})" if assumed else "")


def wall_clock(monotonic_at: float, now: datetime | None = None) -> str:
    """The local wall-clock time of a ``time.monotonic()`` instant: ``HH:MM:SS`` today, else
    ``YYYY-MM-DD HH:MM:SS`` (a wait past midnight must not read as a time today)."""
    # Finite and at most a day or two away: the pacer bounds every wait (MAX_WINDOW_S).
    when = datetime.fromtimestamp(time.time() + (monotonic_at - time.monotonic()))
    today = (now or datetime.now()).date()
    return when.strftime("%H:%M:%S" if when.date() == today else "%Y-%m-%d %H:%M:%S")


class PlainProgress(NullProgress):
    """One line per event (for logs, pipes and CI)."""

    def __init__(self, stream: TextSink, clock: Callable[[], float] = time.monotonic) -> None:
        self._stream = stream
        self._clock = clock
        self._lock = threading.Lock()
        self._total = 0
        self._done = 0
        self._final = False
        self._eta: tuple[float | None, bool] = (None, False)
        self._eta_shown = False
        self._printed = float("-inf")

    def _print(self, line: str) -> None:
        with self._lock:
            print(line, file=self._stream, flush=True)
            self._printed = self._clock()

    def start(self, files: int) -> None:
        if files:
            self._print(f"{count(files, 'file')} to import")

    def queued(self, to_send: int) -> None:
        with self._lock:
            self._total += to_send

    def all_queued(self) -> None:
        with self._lock:
            self._final = True

    def note(self, line: str) -> None:
        self._print(line)

    def finished(self, line: str) -> None:
        with self._lock:
            self._done += 1
            done, total = self._done, max(self._total, self._done)
            final = self._final
        # A count "of" a total only once the total is known (files still converting add to
        # it); the ETA only when the limit is the server's (an assumed one is said once, at
        # the start), and not once the last answer came (it was computed before).
        seconds, assumed = self._eta
        eta = eta_text(seconds, assumed) if done < total and not assumed else ""
        count_ = f"[{done}/{total}]" if final else f"[{done}]"
        self._print(f"{count_} {line}" + (f", {eta}" if eta else ""))

    def waiting(self, until: float) -> None:
        eta = eta_text(*self._eta)
        self._print(
            f"waiting for the rate limit until {wall_clock(until)}" + (f"; {eta}" if eta else "")
        )

    def eta(self, seconds: float | None, assumed: bool) -> None:
        self._eta = (seconds, assumed)
        if seconds is None or not seconds:
            return
        quiet = self._clock() - self._printed >= QUIET_ETA_S
        with self._lock:
            left, final = self._total - self._done, self._final
        if (final and left <= 0) or (not final and seconds < ESTIMATED_ETA_S):
            return  # nothing to send after all, or a short wait for requests not known yet
        if not self._eta_shown or quiet:
            self._eta_shown = True
            # While files still convert, their requests are estimated: the ETA counts them,
            # the number of requests queued so far would not.
            ahead = f"{count(left, 'request')} to make; " if final else ""
            self._print(f"{ahead}{eta_text(seconds, assumed)}")


class RichProgress(NullProgress):
    """A live display: conversations sent, requests, rate-limit waits and an ETA that ticks."""

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
        self._showing: AbstractContextManager[None] | None = None
        self._requests = 0
        self._total = 0
        self._wait_until: float | None = None
        self._eta: tuple[float | None, bool] = (None, False)
        self._lock = threading.Lock()

    def start(self, files: int) -> None:
        self._progress.start()
        self._task = self._progress.add_task(
            f"{count(files, 'file')}, sending", total=None, info=""
        )
        # A recording's transcription shows as a task of this display, not as a second one.
        self._showing = showing(as_tasks(self._progress, info=""))
        self._showing.__enter__()
        self._refresh()

    def queued(self, to_send: int) -> None:
        with self._lock:
            self._total += to_send

    def all_queued(self) -> None:
        """The bar gets its total once it is known (a growing total is no total)."""
        with self._lock:
            if self._task is not None:
                self._progress.update(self._task, total=self._total)

    def _refresh(self) -> None:
        if self._task is None:
            return
        parts = [count(self._requests, "request")]
        if self._wait_until is not None and self._wait_until > time.monotonic():
            parts.append(f"waiting for the rate limit until {wall_clock(self._wait_until)}")
        seconds, assumed = self._eta
        if not assumed and (eta := eta_text(seconds, assumed)):  # an assumed one: at the start
            parts.append(eta)
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

    def eta(self, seconds: float | None, assumed: bool) -> None:
        with self._lock:
            self._eta = (seconds, assumed)
            self._refresh()

    def close(self) -> None:
        if self._showing is not None:
            self._showing.__exit__(None, None, None)
            self._showing = None
        self._progress.stop()


def make_progress(stream: IO[str], *, quiet: bool = False) -> ProgressSink:
    """Rich on a terminal, plain lines otherwise, nothing when quiet."""
    if quiet:
        return NullProgress()
    console = Console(file=stream)
    if console.is_terminal:
        return RichProgress(console)
    return PlainProgress(stream)


def as_tasks(progress: Progress, **fields: Any) -> Shower:
    """A shower that adds each stage to ``progress``, a live display already on the terminal
    (``convert``'s and ``import``'s), as a task of its own while it lasts; ``fields`` are the
    task fields that display's columns read."""

    @contextmanager
    def shower(label: str, total: float, unit: str) -> Iterator[Update]:
        task = progress.add_task(
            f"  {label} ({total:.0f} {unit})", total=max(total, 0.001), **fields
        )
        try:
            yield lambda done: progress.update(task, completed=min(done, total))
        finally:
            progress.remove_task(task)

    return shower
