"""Files arriving in watched folders: which to take, and when each is complete.

A file is taken once its size and modification time have stayed the same for a quiet period
(:data:`DEFAULT_QUIET_S`; :data:`DEFAULT_AUDIO_QUIET_S` for the recordings audio adapters read,
which are copied in big files): one that changes while it waits starts its period again, so a
file still being written is never read. The period is measured from when the file was last seen
changing, by an event or by a look at it when its period is over, so a writer that stalls for
less than the period does not let a half-written file through.

Hidden files and folders, and the temporary names of downloads, editors and Zoom
(:func:`ignored`), are never taken: a finished download arrives under its real name (a rename,
which is an event like any other).

A file taken is remembered with its size and time: events that leave them as they were (a read,
a ``chmod``) do nothing, so a file that failed, or that no adapter reads, is reported once and not
read again until it changes. A file found at the start that an earlier watch took as it is now,
and that is in Omi (the ``known`` test, which the ledger answers), counts as taken already.

Files that become complete together are handed over by folder as
:class:`~importers.inputs.FolderPart` objects: walked as the folder's, judged among its other
files by the adapters' folder rules.
"""

from __future__ import annotations

import os
import stat
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from importers.inputs import FolderPart
from importers.registry import Registry
from importers.source import path_text
from importers.wording import count

#: Seconds a file must stay unchanged before it is taken (text: written at once, or appended to).
DEFAULT_QUIET_S = 5.0
#: The same for recordings: a copy of gigabytes from a card or a share stalls now and then.
DEFAULT_AUDIO_QUIET_S = 30.0
#: Name endings of files that are not finished yet, each written by:
TEMPORARY_SUFFIXES = (
    ".part",  # Firefox, wget --continue, many download managers
    ".partial",  # Edge (older), IE
    ".crdownload",  # Chrome, Edge, Brave
    ".download",  # Safari (a bundle folder on macOS)
    ".opdownload",  # Opera
    ".tmp",  # Windows and Office temporaries, many tools
    ".zoom",  # Zoom's local recording before it is converted (double_click_to_convert_01.zoom)
    "~",  # editor backups (notes.txt~)
)
#: Name starts of hidden and lock files: dotfiles (macOS ._x, .DS_Store, rsync's .x.Ab12,
#: LibreOffice's .~lock.x#) and Office's owner files (~$call.docx).
HIDDEN_PREFIXES = (".", "~$")


def ignored(name: str) -> bool:
    """Whether a file or folder name is hidden or temporary: never taken (module docstring)."""
    return name.startswith(HIDDEN_PREFIXES) or name.lower().endswith(TEMPORARY_SUFFIXES)


class FileState(NamedTuple):
    """What says a file changed: its size and modification time."""

    size: int
    mtime_ns: int


@dataclass
class _Pending:
    """A file seen changing: taken once it has been still for ``quiet_s`` since ``since``."""

    stat: FileState
    since: float
    quiet_s: float
    #: Found by the scan at the start (no line of its own when taken).
    initial: bool
    #: Taken before in this watch, in another state.
    changed: bool


class Tracker:
    """The files seen changing, until each has been still long enough to be taken.

    Thread-safe: the observer's thread reports events (:meth:`saw`, :meth:`forget`); the
    converting thread takes what is ready (:meth:`batches`).

    Args:
        roots: the watched folders (absolute).
        registry: tells which files are recordings (by extension), for their quiet period.
        quiet_s: how long a file must stay unchanged before it is taken.
        audio_quiet_s: the same for files that only binary (audio) adapters read.
        once: :meth:`batches` ends when every file of the scan has been taken.
        known: whether a file found by the scan at the start, as it is now (size, time), was
            taken by an earlier watch and is in Omi: it counts as taken.
        note: told the lines to show (the scan's count, each file taken live).
        clock: monotonic seconds (injectable for tests).
    """

    def __init__(
        self,
        roots: Sequence[Path],
        registry: Registry,
        *,
        quiet_s: float = DEFAULT_QUIET_S,
        audio_quiet_s: float = DEFAULT_AUDIO_QUIET_S,
        once: bool = False,
        known: Callable[[Path, FileState], bool] = lambda path, state: False,
        note: Callable[[str], None] = lambda line: None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._roots, self._registry = list(roots), registry
        self._quiet, self._audio_quiet, self._once = quiet_s, audio_quiet_s, once
        self._known, self._note, self._clock = known, note, clock
        self._known_count = 0
        self._cond = threading.Condition()
        self._pending: dict[Path, _Pending] = {}
        self._taken: dict[Path, FileState] = {}
        self._closed = False
        #: Files handed over so far.
        self.handed = 0

    # -- what the file system says ----------------------------------------------------------

    def scan(self, folders: Sequence[Path] | None = None, *, initial: bool = True) -> int:
        """Observe every file under ``folders`` (default: the roots) now; returns how many
        there are."""
        found = 0
        for top in self._roots if folders is None else folders:
            for folder, dirs, names in os.walk(top):
                dirs[:] = sorted(d for d in dirs if not ignored(d))
                found += sum(self.saw(Path(folder) / n, initial=initial) for n in sorted(names))
        return found

    def saw(self, path: Path, *, initial: bool = False) -> bool:
        """``path`` may have changed: unless it is as it was when taken, it waits for its
        quiet period (again). Returns whether it is a file to take (now or later)."""
        if not self._watched(path):
            return False
        try:
            info = path.stat()
        except OSError:  # gone already (a temporary renamed), or unreadable: nothing to take
            self.forget(path)
            return False
        if not stat.S_ISREG(info.st_mode):
            return False
        state = FileState(info.st_size, info.st_mtime_ns)
        if initial and self._known(path, state):
            with self._cond:
                self._taken[path] = state
                self._known_count += 1
            return True
        with self._cond:
            if self._closed or self._taken.get(path) == state:
                return not self._closed
            pending = self._pending.get(path)
            if pending is None or pending.stat != state:
                self._pending[path] = _Pending(
                    state, self._clock(), self._quiet_s(path), initial, path in self._taken
                )
                self._cond.notify_all()
        return True

    def forget(self, path: Path) -> None:
        """``path`` (a file, or a folder and all below it) is gone."""
        with self._cond:
            for known in (self._pending, self._taken):
                for p in [p for p in known if p == path or p.is_relative_to(path)]:
                    del known[p]

    def taken(self, path: Path) -> FileState | None:
        """The state ``path`` was in when it was taken (None: not taken)."""
        with self._cond:
            return self._taken.get(path)

    def close(self) -> None:
        """The watch ends: :meth:`batches` ends, events are ignored."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def _watched(self, path: Path) -> bool:
        """Under a root, and neither hidden nor temporary (nor in such a folder)."""
        for root in self._roots:
            if path.is_relative_to(root):
                return not any(ignored(part) for part in path.relative_to(root).parts)
        return False

    def _quiet_s(self, path: Path) -> float:
        candidates = self._registry.candidates(path)
        if candidates and all(a.binary for a in candidates):
            return self._audio_quiet
        return self._quiet

    # -- handing over -----------------------------------------------------------------------

    def batches(self) -> Iterator[list[FolderPart]]:
        """The scan of the roots, then each set of files that became still, by folder, as
        they do; ends when closed (or, with ``once``, when every file found has been taken)."""
        found = self.scan()
        where = ", ".join(path_text(r) for r in self._roots)
        known = f" ({self._known_count} unchanged and in Omi)" if self._known_count else ""
        if self._once:
            self._note(f"{where}: {count(found, 'file')}{known}; each is taken once it is complete")
        else:
            self._note(
                f"watching {where}: {count(found, 'file')} there now{known}; each file is taken "
                "once it is complete (Ctrl-C or SIGTERM stops)"
            )
        while (parts := self._take()) is not None:
            yield parts

    def _take(self) -> list[FolderPart] | None:
        with self._cond:
            while not self._closed:
                now = self._clock()
                ready, due = self._ready(now)
                if ready:
                    return self._hand_over(ready)
                if due is None and self._once:
                    return None
                self._cond.wait(None if due is None else max(due - now, 0.01))
            return None

    def _ready(self, now: float) -> tuple[list[Path], float | None]:
        """The pending files still for their quiet period (looked at again now), and when the
        next one may be; the others start their period again if they changed."""
        ready: list[Path] = []
        due: float | None = None
        for path, pending in list(self._pending.items()):
            if now - pending.since >= pending.quiet_s:
                try:
                    info = path.stat()
                except OSError:
                    del self._pending[path]
                    continue
                state = FileState(info.st_size, info.st_mtime_ns)
                if state == pending.stat:
                    ready.append(path)
                    continue
                pending.stat, pending.since = state, now
            at = pending.since + pending.quiet_s
            due = at if due is None else min(due, at)
        return ready, due

    def _hand_over(self, ready: list[Path]) -> list[FolderPart]:
        by_folder: dict[Path, list[Path]] = {}
        for path in sorted(ready):
            pending = self._pending.pop(path)
            self._taken[path] = pending.stat
            self.handed += 1
            by_folder.setdefault(path.parent, []).append(path)
            if not pending.initial:
                self._note(f"{'changed' if pending.changed else 'new'}: {path_text(path)}")
        return [
            FolderPart(folder, tuple(files), tuple(self._among(folder, files)))
            for folder, files in by_folder.items()
        ]

    def _among(self, folder: Path, files: list[Path]) -> list[Path]:
        """The folder's files now, which its adapters' rules judge ``files`` among."""
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            return files
        return [p for n in names if not ignored(n) and (p := folder / n).is_file()]
