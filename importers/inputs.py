"""Finding the inputs: the files named and the folders walked, each file read and detected once.

``-`` is standard input (read whole, detected by content). A path that does not exist is an
input that fails ("cannot read"), so the others still go through.

:func:`find_inputs` yields one :class:`Found` per file, in order: its :class:`Source` and the
adapter that claims it, or why it is skipped, or the error that stops it. The Source travels on
to conversion, so no file is opened twice (a failure takes its content hash from it too).

Folders are walked recursively in sorted order (hidden files and folders are passed over). In a
folder, a file no adapter handles by extension is skipped ("unsupported file type"), a companion
file (RTTM) with the companion's reason, content no adapter recognises with the detector's
finding; a file named on the command line is never skipped that way, so its error is reported.
Adapters may leave files of a folder out by their own rule (:meth:`Adapter.folder_skips`: the
captions of a Zoom meeting whose transcript lies beside them); the detections a rule looks at
are the ones the walk yields, made once.

``--since`` / ``--until`` (:class:`Period`) leave out the files of a folder walk modified outside
the period (a file is written when its meeting ends), each listed as skipped; files named on the
command line are always taken.

Only the files a rule looked at are held until the walk reaches them; every other file is read
when the walk reaches it, so a folder of thousands of files streams one at a time.

An archive that an adapter unpacks (:attr:`Adapter.archives`, :meth:`Adapter.members`: a
Limitless export ``.zip``) is walked like a folder of its members, named on the command line or
met in a folder: each member is an input of its own, shown as a path below the archive's
(``export.zip/lifelogs/x.md``), detected like a file of a folder, and keyed by its own content;
the members the adapter leaves out are listed as skipped. A file of an archive extension that no
adapter unpacks is "not recognised" like any other file.

A :class:`FolderPart` is some files of one folder taken as that folder's (the watcher's files
that have just become complete, :mod:`importers.upload.watch`): they are walked as in a folder, and
the adapters' rules judge them among the folder's other files (a Zoom recording that is complete
after its transcript was taken is still left out for it).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from importers.adapter import Adapter, Member, ParseOptions
from importers.errors import ImporterError, InputError, UnknownFormatError
from importers.registry import Registry
from importers.source import STDIN, Source

UNSUPPORTED = "unsupported file type"


@dataclass(frozen=True)
class Found:
    """One input file: to convert (``source`` + ``adapter``), skipped, or failed (``error``)."""

    path: Path
    in_folder: bool
    source: Source | None = None
    adapter: Adapter | None = None
    skipped: str | None = None
    error: ImporterError | None = None

    @property
    def sha256(self) -> str | None:
        """The content hash, when the file could be read (a failed input is recorded by it)."""
        if self.source is None:
            return None
        try:
            return self.source.sha256
        except ImporterError:
            return None


@dataclass(frozen=True)
class FolderPart:
    """``files`` of ``folder``, walked as the folder's; the adapters' folder rules see
    ``among`` (the folder's files now, ``files`` included)."""

    folder: Path
    files: tuple[Path, ...]
    among: tuple[Path, ...]


@dataclass(frozen=True)
class Period:
    """``--since`` / ``--until``: when the files of a folder walk were modified (either end
    may be open; both included)."""

    since: datetime | None = None
    until: datetime | None = None

    def leaves_out(self, path: Path) -> str | None:
        """Why ``path`` is outside the period, or None when it is inside (or has no mtime)."""
        try:
            modified = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
        except (OSError, OverflowError, ValueError):
            return None  # its reading will say what is wrong
        when = f"{modified.astimezone():%Y-%m-%d %H:%M}"
        if self.since is not None and modified < self.since:
            return f"modified {when}, before --since {self.since.astimezone():%Y-%m-%d %H:%M}"
        if self.until is not None and modified > self.until:
            return f"modified {when}, after --until {self.until.astimezone():%Y-%m-%d %H:%M}"
        return None


def find_inputs(
    paths: Iterable[Path | str | FolderPart],
    registry: Registry,
    *,
    format_name: str | None = None,
    encoding: str | None = None,
    period: Period | None = None,
) -> Iterator[Found]:
    """Every input file of ``paths`` (folders walked), read and detected once (module doc)."""
    for folder, files, among in _groups(paths):
        if folder is None:
            for p in files:
                yield from _file_inputs(p, False, registry, format_name, encoding)
            continue
        if period is not None:
            outside = {p: r for p in files if (r := period.leaves_out(p)) is not None}
            yield from (Found(p, True, skipped=r) for p, r in outside.items())
            files = [p for p in files if p not in outside]
            among = [p for p in among if p not in outside]
        seen: dict[Path, Found] = {}

        def found(path: Path, seen: dict[Path, Found] = seen) -> Found:
            if path not in seen:
                seen[path] = _in_folder(path, registry, format_name, encoding)
            return seen[path]

        skips: dict[Path, str] = {}
        for adapter in registry.adapters:
            skips.update(adapter.folder_skips(among, found))
        for path in files:
            if path in skips:
                seen.pop(path, None)
                yield Found(path, True, skipped=skips[path])
            elif path in seen and not _archivers(path, registry):
                yield seen.pop(path)
            else:
                seen.pop(path, None)
                yield from _file_inputs(path, True, registry, format_name, encoding)


def list_files(paths: Iterable[Path | str]) -> list[Path]:
    """Every file a walk of ``paths`` will meet, from names alone (for totals and estimates)."""
    return [p for _, group, _ in _groups(paths) for p in group]


def estimates(files: Sequence[Path], registry: Registry, options: ParseOptions) -> list[str]:
    """The adapters' lines to show before a batch starts, for the files of
    :func:`list_files` (from their names; nothing is read)."""
    lines = []
    for adapter in registry.adapters:
        mine = [p for p in files if adapter.claims_extension(p.suffix)]
        if mine and (line := adapter.estimate(mine, options)):
            lines.append(line)
    return lines


def _groups(
    paths: Iterable[Path | str | FolderPart],
) -> Iterator[tuple[Path | None, list[Path], list[Path]]]:
    """``(None, [file], [file])`` for a named file, ``(folder, sorted files, the same)`` for
    each folder walked, ``(folder, files, among)`` for a :class:`FolderPart`."""
    for raw in paths:
        if isinstance(raw, FolderPart):
            yield raw.folder, list(raw.files), list(raw.among)
            continue
        if str(raw) == "-":
            yield None, [STDIN], [STDIN]
            continue
        path = Path(raw).expanduser()
        if not path.is_dir():
            yield None, [path], [path]
            continue
        for root, dirs, names in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            files = [Path(root) / n for n in sorted(names) if not n.startswith(".")]
            if files:
                yield Path(root), files, files


def _file_inputs(
    path: Path, in_folder: bool, registry: Registry, format_name: str | None, encoding: str | None
) -> Iterator[Found]:
    """The inputs of one file: itself, or the members of an archive an adapter unpacks."""
    if path != STDIN and (archivers := _archivers(path, registry)):
        yield from _unpack(path, in_folder, archivers, registry, format_name, encoding)
    elif in_folder:
        yield _in_folder(path, registry, format_name, encoding)
    else:
        yield _detect(path, False, registry, format_name, encoding)


def is_archive(path: Path, registry: Registry) -> bool:
    """Whether ``path`` has the extension of archives an adapter unpacks (several inputs)."""
    return bool(_archivers(path, registry))


def _archivers(path: Path, registry: Registry) -> list[Adapter]:
    """The adapters that unpack archives with ``path``'s extension."""
    suffix = path.suffix.lower()
    return [a for a in registry.adapters if suffix in a.archives] if suffix else []


def _unpack(
    path: Path,
    in_folder: bool,
    archivers: Sequence[Adapter],
    registry: Registry,
    format_name: str | None,
    encoding: str | None,
) -> Iterator[Found]:
    """The members of the archive ``path`` (module docstring); the archive itself when no
    adapter unpacks it (a ZIP of photos): detected as a file, or not recognised."""
    source = Source.from_path(path, encoding)
    for adapter in archivers:
        try:
            members = adapter.members(source)
            if members is None:
                continue
            for member in members:
                yield _member_input(path, member, registry, format_name, encoding)
        except InputError as exc:  # the archive itself cannot be read (further)
            yield Found(path, in_folder, source, error=exc if exc.path else exc.with_path(path))
        return
    if registry.candidates(path):
        yield (
            _in_folder(path, registry, format_name, encoding)
            if in_folder
            else _detect(path, False, registry, format_name, encoding, source)
        )
        return
    unpackers = ", ".join(a.name for a in archivers)
    finding = UnknownFormatError(
        f"not an archive omi-import reads ({unpackers} unpack {path.suffix} files)", path=path
    )
    yield (
        Found(path, in_folder, source, skipped=finding.reason)
        if in_folder
        else Found(path, False, source, error=finding)
    )


def _member_input(
    archive: Path, member: Member, registry: Registry, format_name: str | None, encoding: str | None
) -> Found:
    path = member_path(archive, member.name)
    if member.error is not None:
        error = member.error
        return Found(path, True, error=error if error.path else error.with_path(path))
    if member.data is None:
        return Found(path, True, skipped=member.skipped or "left out by its archive's adapter")
    return _in_folder(path, registry, format_name, encoding, Source(path, member.data, encoding))


def member_path(archive: Path, name: str) -> Path:
    """The path a member of ``archive`` is shown and known by: its name below the archive's
    path, with no part that climbs out (``..``), roots it (``/``, ``C:``) or is empty."""
    parts = [
        p
        for p in PurePosixPath(name.replace("\\", "/")).parts
        if p not in ("", ".", "..", "/") and not p.endswith(":")
    ]
    return archive.joinpath(*parts) if parts else archive / "(unnamed)"


def _in_folder(
    path: Path,
    registry: Registry,
    format_name: str | None,
    encoding: str | None,
    source: Source | None = None,
) -> Found:
    candidates = registry.candidates(path)
    if not candidates:
        return Found(path, True, skipped=UNSUPPORTED)
    if all(a.companion for a in candidates):
        # Companion files (RTTM) belong to a transcript; never an error alone.
        return Found(path, True, skipped=str(candidates[0].companion))
    return _detect(path, True, registry, format_name, encoding, source)


def _detect(
    path: Path,
    in_folder: bool,
    registry: Registry,
    format_name: str | None,
    encoding: str | None,
    source: Source | None = None,
) -> Found:
    if source is None:
        source = Source.from_stdin(encoding) if path == STDIN else Source.from_path(path, encoding)
    try:
        adapter = registry.detect(source, format_name)
    except UnknownFormatError as exc:
        if in_folder:
            # Folders of exports also hold notes, READMEs, other JSON: listed, not an error.
            return Found(path, True, source, skipped=exc.reason)
        return Found(path, False, source, error=exc)
    except InputError as exc:
        return Found(path, in_folder, source, error=exc)
    return Found(path, in_folder, source, adapter)
