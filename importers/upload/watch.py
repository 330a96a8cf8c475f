"""Watching drop folders: import what lands there, once, when it is complete.

>>> report = watch(["~/Zoom"], Importer(load_settings(), Ledger.open()))   # doctest: +SKIP

**Catch-up, then live.** The files in the folders at the start, and every file created, written,
touched or moved in later (watchdog's events; with ``poll``, a look at the folders every quiet
period, for network drives where no events arrive), go to one
:class:`~importers.upload.arrivals.Tracker`, which hands each over once it is complete (its module
says when that is, and which files it never takes). What it hands over goes through
:meth:`Importer.stream <importers.upload.importer.Importer.stream>`, with the options of
``import``: the ledger decides what is
sent, exactly as for an import of the folder (a file already in Omi is not sent again; an edited
one is held back, or replaced with ``--replace``; a restart sends only what is not in Omi).

**One long run, not an import per file.** All files go through one session: one pacer, whose
rate-limit window (25 an hour on Omi) and what it learned hold across the files, one scheduler,
whose ETA counts every file handed over and not yet sent, and one run in the ledger (``omi-import
list`` shows it; ``delete --all-from-run`` undoes it). A new import per file would start each
time knowing nothing of the requests the window already holds, and probe it again.

**Keeps running.** A bad file is reported and the watch goes on. When Omi cannot be reached the
run does not stop as ``import`` does: it pauses with a growing backoff and says so
(:mod:`importers.upload.scheduler`); with ``once`` it stops as ``import`` does. An auth error (a
revoked key) ends it, since nothing would go through. Ctrl-C ends it as it ends an import:
what is in flight finishes, and what is still ``sending`` is settled by the next start.
:func:`sigterm_stops` makes SIGTERM stop it the same way; :func:`open_log` and :class:`Lines`
write what it says to a rotated log file too.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from io import TextIOWrapper
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import FrameType
from typing import IO

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from importers.conversion.options import ConvertOptions
from importers.conversion.pipeline import Conversion
from importers.errors import ConfigError
from importers.identity import conversation_key, fingerprint
from importers.inputs import Period
from importers.private import private_dir, private_opener, tighten
from importers.registry import Registry
from importers.source import path_text
from importers.upload.arrivals import DEFAULT_AUDIO_QUIET_S, DEFAULT_QUIET_S, FileState, Tracker
from importers.upload.importer import Importer
from importers.upload.ledger import Ledger, Watched, key_version
from importers.upload.report import InputResult, Report

#: The shortest polling interval (``poll`` polls every quiet period).
MIN_POLL_S = 0.1
#: ``--log``: rotated at this size, this many old files kept (``FILE.1`` ... ``FILE.3``).
LOG_MAX_BYTES = 1_000_000
LOG_BACKUPS = 3


@dataclass(frozen=True)
class WatchOptions:
    """How to watch. Every field is a CLI flag.

    Attributes:
        once: take the files there now (each once complete), then end (``--once``).
        quiet_period_s: how long a file must stay unchanged before it is taken.
        audio_quiet_period_s: the same for files that only binary (audio) adapters read.
        poll: look for changes by polling every ``quiet_period_s`` (network drives).
    """

    once: bool = False
    quiet_period_s: float = DEFAULT_QUIET_S
    audio_quiet_period_s: float = DEFAULT_AUDIO_QUIET_S
    poll: bool = False


def watch(
    folders: Sequence[Path | str],
    importer: Importer,
    *,
    watch_options: WatchOptions | None = None,
    period: Period | None = None,
    stop: threading.Event | None = None,
) -> Report:
    """Import what is in ``folders``, then what lands there, until stopped (module docstring).

    Args:
        folders: the folders to watch (recursively).
        importer: what to import with (settings, ledger, options, registry, progress).
        watch_options: once or live, quiet periods, polling.
        period: leave out files modified outside it (``--since``/``--until``).
        stop: once set, no more files are taken; what was taken is sent, then the watch ends.

    Returns:
        The :class:`Report` of every file taken, when the watch ends: ``stop``, Ctrl-C
        (``stopped`` is :data:`importers.upload.INTERRUPTED`), an auth error (``stopped`` says
        which), or, with ``once``, the end of the files that were there.

    Raises:
        ConfigError: a folder is no folder, it cannot be watched, or there is no API key.
    """
    watch_options = watch_options or WatchOptions()
    progress = importer.progress
    roots = [_folder(f) for f in folders]
    importer.settings.require_key()  # now, not when the first file lands hours later
    registry = importer.registry or Registry.default()
    memory = _Memory(importer.ledger, importer.convert_options or ConvertOptions(), progress.note)
    tracker = Tracker(
        roots,
        registry,
        quiet_s=watch_options.quiet_period_s,
        audio_quiet_s=watch_options.audio_quiet_period_s,
        once=watch_options.once,
        known=memory.in_omi,
        note=progress.note,
    )
    observer = None if watch_options.once else _observer(roots, tracker, watch_options)
    if stop is not None:
        threading.Thread(target=_close_on, args=(stop, tracker), daemon=True).start()
    try:
        return importer.stream(
            tracker.batches(),
            files=lambda: tracker.handed,
            period=period,
            kind="watch",
            # --once is a cron job: an Omi out of reach ends it as it ends an import (the next
            # run resumes), instead of holding it there while the next one starts.
            on_unreachable=None if watch_options.once else progress.note,
            on_converted=lambda conversion, result: memory.converted(
                conversion, result, tracker.taken(conversion.input)
            ),
        )
    finally:
        tracker.close()
        if observer is not None:
            observer.stop()
            observer.join(timeout=5)


class _Memory:
    """What the ledger keeps of the files watches took, so that a restart does not read (or
    transcribe) again a file that has not changed since and is wholly in Omi."""

    def __init__(
        self, ledger: Ledger, options: ConvertOptions, note: Callable[[str], None]
    ) -> None:
        self._ledger, self._options, self._note = ledger, options, note

    def in_omi(self, path: Path, state: FileState) -> bool:
        """Taken as it is now (size, time) by an earlier watch, converted with what these
        options give, and every conversation of that in Omi."""
        if self._options.diarization is not None:
            return False  # the keys hold the RTTM's turns too, known only by converting
        row = self._ledger.watched(path_text(path))
        if row is None or FileState(row.size, row.mtime_ns) != state:
            return False
        digest = fingerprint(row.sha256, row.format, self._options.key_options())
        version = key_version(conversation_key(digest, 0))
        return version == row.version and self._ledger.version_done(version)

    def converted(
        self, conversion: Conversion, result: InputResult, state: FileState | None
    ) -> None:
        """Say when a file taken is wholly in Omi already (a copy, or the same file touched:
        nothing is sent, and the line says why), and remember the file in the ``state`` it
        was taken in (a change since, even while it was read, reads it again)."""
        if result.status == "done" and all(c.status == "done" for c in result.conversations):
            self._note(f"in Omi already: {result.path} (the same content was imported before)")
        if state is None:
            return
        version = key_version(conversion.conversations[0].key)
        self._ledger.record_watched(
            Watched(path_text(conversion.input), state.size, state.mtime_ns,
                    conversion.content_sha256, conversion.format, version)
        )  # fmt: skip


def _close_on(stop: threading.Event, tracker: Tracker) -> None:
    stop.wait()
    tracker.close()


def _folder(path: Path | str) -> Path:
    folder = Path(path).expanduser().absolute()
    if not folder.is_dir():
        raise ConfigError(f"watch: {path_text(folder)} is not a folder")
    return folder


class _Events(FileSystemEventHandler):
    """watchdog's events, told to the tracker (on the observer's thread)."""

    def __init__(self, tracker: Tracker) -> None:
        self._tracker = tracker

    def on_any_event(self, event: FileSystemEvent) -> None:
        path = Path(os.fsdecode(event.src_path))
        if event.event_type in ("deleted", "moved"):
            self._tracker.forget(path)
        if event.event_type == "moved":
            path = Path(os.fsdecode(event.dest_path))
        if event.event_type != "deleted" and not event.is_directory:
            self._tracker.saw(path)
        elif event.event_type == "moved":  # a folder renamed: its files under their new names
            self._tracker.scan([path], initial=False)


def _observer(roots: Sequence[Path], tracker: Tracker, options: WatchOptions) -> BaseObserver:
    """A started observer of ``roots`` (watchdog's native one, or polling)."""
    observer: BaseObserver = (
        PollingObserver(timeout=max(options.quiet_period_s, MIN_POLL_S))
        if options.poll
        else Observer()
    )
    handler = _Events(tracker)
    for root in roots:
        observer.schedule(handler, str(root), recursive=True)
    try:
        observer.start()
    except OSError as exc:  # the inotify watch limit, a folder gone meanwhile
        where = ", ".join(path_text(r) for r in roots)
        raise ConfigError(
            f"watch: cannot watch {where} ({exc.strerror or exc}); --poll watches by looking "
            "at the folders every --quiet-period instead"
        ) from None
    return observer


# -- unattended: SIGTERM and the log -------------------------------------------------------


#: A watch's ``stopped`` after SIGTERM (its exit status is 0: a service was stopped).
TERMINATED = "stopped by SIGTERM; the next start settles what was in flight (nothing is sent twice)"


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread where Ctrl-C's KeyboardInterrupt would be: a watch
    stops the same way (what is in flight finishes, the report is returned)."""


@dataclass
class Termination:
    """Whether SIGTERM came (see :func:`sigterm_stops`)."""

    received: bool = False


@contextmanager
def sigterm_stops() -> Iterator[Termination]:
    """Inside: SIGTERM raises :class:`Terminated` in the main thread (a service manager's
    stop ends a watch as Ctrl-C does), and the flag yielded says it came."""
    termination = Termination()

    def stop(signum: int, frame: FrameType | None) -> None:
        termination.received = True
        raise Terminated

    before = signal.signal(signal.SIGTERM, stop)
    try:
        yield termination
    finally:
        signal.signal(signal.SIGTERM, before)


def open_log(path: Path, *, max_bytes: int = LOG_MAX_BYTES, backups: int = LOG_BACKUPS) -> Log:
    """``--log FILE``: time-stamped plain lines, rotated by size (``FILE.1`` is the newest
    old one; ``backups`` are kept). Each file is ``0600``, and a folder made for them ``0700``
    (:mod:`importers.private`); older ones that others could read are made private.

    Raises:
        ConfigError: the file cannot be written.
    """
    try:
        private_dir(path.parent)
        tighten(path, [path.with_name(f"{path.name}.{n}") for n in range(1, backups + 1)])
        handler = _PrivateRotatingFileHandler(
            path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8"
        )
    except OSError as exc:
        raise ConfigError(f"--log {path_text(path)}: cannot write it ({exc.strerror})") from None
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    # A logger of its own, outside logging's registry: nothing else writes into this file.
    logger = logging.Logger("omi-import watch")
    logger.addHandler(handler)
    return Log(logger, handler)


class _PrivateRotatingFileHandler(RotatingFileHandler):
    """Appends to its file (the first, and the new one after each rotation), created ``0600``."""

    def _open(self) -> TextIOWrapper:
        return open(
            self.baseFilename,
            "a",
            encoding=self.encoding,
            errors=self.errors,
            opener=private_opener,
        )


@dataclass
class Log:
    """The ``--log`` file."""

    logger: logging.Logger
    handler: RotatingFileHandler

    def line(self, text: str) -> None:
        self.logger.info(text)

    def close(self) -> None:
        self.handler.close()


class Lines:
    """A text stream that sends what it is given to ``echo`` (unless None) and each line to
    ``log`` (unless None): what a watch prints goes to the terminal and the log file alike."""

    def __init__(self, echo: IO[str] | None, log: Log | None) -> None:
        self._echo, self._log = echo, log
        self._partial = ""

    def write(self, text: str) -> int:
        if self._echo is not None:
            self._echo.write(text)
        if self._log is not None:
            *lines, self._partial = (self._partial + text).split("\n")
            for line in lines:
                self._log.line(line)
        return len(text)

    def flush(self) -> None:
        if self._echo is not None:
            self._echo.flush()

    def logged(self, line: str) -> None:
        """``line`` to the log only (the terminal is told it another way)."""
        if self._log is not None:
            self._log.line(line)
