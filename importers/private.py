"""What omi-import keeps on disk is readable only by its user.

The state folder holds people's conversations: the ledger (paths, conversation ids, the bodies of
rejected requests, which are transcript text), the audio cache (whole transcriptions and speaker
turns), measured speeds; a watch's ``--log`` names every file it took. So, whatever the umask:

* :func:`private_dir` creates a folder, and every missing folder above it, ``0700``;
* :func:`private_opener` (``open(path, mode, opener=private_opener)``), :func:`create_private`
  and :func:`private_temp` create files ``0600`` (a file that already exists keeps its mode);
* :func:`private_state` is the first use of a state folder: created private, or, when it is open
  to other accounts (an older omi-import made it ``0755``), tightened with what omi-import keeps
  in it (:data:`STATE_ENTRIES`);
* :func:`tighten` takes the group's and others' permissions from existing files and folders
  of omi-import's (the owner's are never changed) and says so in one
  :class:`~importers.errors.ImporterWarning` (the CLI prints it as one ``Warning:`` line); the
  library prints nothing.

A file is created with its final mode in the same system call (the umask can only take
permissions away), so there is no moment at which another account could open it; an exact
``chmod`` follows only to give the owner back what a strict umask took. SQLite creates a
database's ``-wal`` and ``-shm`` files with the database file's own mode (``robust_open`` sets
it whatever the umask), so a ledger created ``0600`` here before SQLite opens it keeps them
``0600`` too, without touching the process-wide umask (which other threads share).

Without POSIX modes (Windows, where the profile folders' ACLs are per user) :data:`MODES` is
false: files and folders are created as usual and nothing is changed or checked.
"""

from __future__ import annotations

import os
import stat
import tempfile
import threading
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path

from importers.errors import ImporterWarning
from importers.wording import count

#: Whether this system has POSIX permission bits (not Windows).
MODES = os.name == "posix"
DIR_MODE = 0o700
FILE_MODE = 0o600
#: The group's and others' permission bits.
OTHERS = stat.S_IRWXG | stat.S_IRWXO
#: What omi-import keeps in a state folder (the ledger with SQLite's files beside it, the audio
#: cache, measured speeds, generated model files): what :func:`private_state` tightens there.
STATE_ENTRIES = (
    "ledger.sqlite3",
    "ledger.sqlite3-wal",
    "ledger.sqlite3-shm",
    "ledger.sqlite3-journal",
    "audio-cache",
    "audio-speed.json",
    "models",
)
_STATE_LOCK = threading.Lock()  # one thread tightens a state folder, and says so once


def private_dir(path: Path) -> bool:
    """Create ``path`` and its missing parents ``0700`` (as ``mkdir -p``); True when ``path`` was
    created here. A folder that exists is left as it is.

    Raises:
        OSError: as :meth:`pathlib.Path.mkdir` (a file in the way, no permission).
    """
    if path.is_dir():
        return False
    try:
        try:
            os.mkdir(path, DIR_MODE)
        except FileNotFoundError:
            if path.parent == path:
                raise
            private_dir(path.parent)
            os.mkdir(path, DIR_MODE)
    except FileExistsError:
        if path.is_dir():  # another process made it meanwhile
            return False
        raise
    if MODES:
        os.chmod(path, DIR_MODE)  # the owner's bits, if the umask took some
    return True


def private_opener(path: str | os.PathLike[str], flags: int) -> int:
    """An ``opener`` for :func:`open` that creates a missing file ``0600`` (an existing file keeps
    its mode: :func:`tighten` is for those)."""
    if not flags & os.O_CREAT:
        return os.open(path, flags)
    try:
        fd = os.open(path, flags | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return os.open(path, flags & ~os.O_CREAT)
    _exact(fd)
    return fd


def create_private(path: Path) -> None:
    """Create ``path`` empty and ``0600`` when it does not exist (its content is left alone)."""
    os.close(private_opener(path, os.O_RDONLY | os.O_CREAT))


def private_temp(folder: Path, *, prefix: str, suffix: str) -> tuple[int, str]:
    """:func:`tempfile.mkstemp` in ``folder`` (which is created private), ``0600`` exactly."""
    private_dir(folder)
    fd, name = tempfile.mkstemp(dir=folder, prefix=prefix, suffix=suffix)
    _exact(fd)
    return fd, name


def _exact(fd: int) -> None:
    if MODES:
        try:
            os.fchmod(fd, FILE_MODE)  # the owner's bits, if the umask took some
        except BaseException:
            os.close(fd)
            raise


def private_state(folder: Path) -> None:
    """The first use of a state folder: create it ``0700``; if it exists and other accounts may
    enter it, tighten it and what omi-import keeps in it (:data:`STATE_ENTRIES`), saying so.

    Nothing else in the folder is touched: ``--state`` may name a folder that holds other things.
    """
    with _STATE_LOCK:
        if private_dir(folder) or not MODES:
            return
        if stat.S_IMODE(folder.stat().st_mode) & OTHERS:
            tighten(folder, [folder / name for name in STATE_ENTRIES])


def tighten(where: Path, entries: Iterable[Path] = ()) -> None:
    """Take the group's and others' permissions from ``where`` (itself only: what else a folder
    holds is not omi-import's to change) and from ``entries`` (a folder with everything in it),
    and warn once, naming ``where``, when any had some. What does not exist is skipped.

    The paths given are followed when they are symbolic links (one may point at the user's
    storage); links inside folders are not. What cannot be changed (another account's file) is
    warned about too, with the command that fixes it.
    """
    if not MODES:
        return
    files = folders = 0
    failed: list[tuple[Path, OSError]] = []
    for path, mode in _open_to_others(where, entries):
        try:
            os.chmod(path, mode & ~OTHERS)
        except OSError as error:
            failed.append((path, error))
            continue
        if stat.S_ISDIR(mode):
            folders += 1
        else:
            files += 1
    if files or folders:
        what = " and ".join(
            count(n, noun) for n, noun in ((folders, "folder"), (files, "file")) if n
        )
        _warn(f"{where}: made private ({what} that other accounts could read; now only you can)")
    if failed:
        path, exc = failed[0]
        what = count(len(failed), "file or folder", "files or folders")
        _warn(
            f"{where}: {what} that other accounts can read cannot be made private "
            f"({path}: {exc.strerror or exc}); fix: chmod go-rwx {path}"
        )


def _warn(message: str) -> None:
    warnings.warn(ImporterWarning(message), stacklevel=3)


def _open_to_others(where: Path, entries: Iterable[Path]) -> Iterator[tuple[Path, int]]:
    """``where``, each entry and everything in the entries that are folders, whose mode lets
    others in (a folder comes before what it holds, so it is closed before anything in it is
    looked at)."""
    for top in (where, *entries):
        try:
            mode = os.stat(top).st_mode
        except OSError:
            continue
        if mode & OTHERS:
            yield top, mode
        if top == where or not stat.S_ISDIR(mode):
            continue
        for folder, dirs, names in os.walk(top):
            for name in (*dirs, *names):
                path = Path(folder, name)
                try:
                    inner = os.lstat(path).st_mode
                except OSError:
                    continue
                if not stat.S_ISLNK(inner) and inner & OTHERS:
                    yield path, inner


def open_to_others(path: Path) -> int | None:
    """The permission bits of ``path`` when the group or others may read it, else None (also
    when it does not exist, or without POSIX modes)."""
    if not MODES:
        return None
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return None
    return mode if mode & (stat.S_IRGRP | stat.S_IROTH) else None
