"""One recording, one conversation: the ledger seen per recording rather than per request.

A *recording* is a file, known by its resolved path and by its content (SHA-256). Each
conversion of it (content + options) is a *version*: the conversations sharing the fingerprint
of their keys (:func:`importers.upload.ledger.key_version`). Importing the same path or the same
content again with other options, or an edited file at the same path, makes another version of the
same recording, which :func:`importers.upload.upload` does not put beside the one in Omi unless told
to replace it.

* :func:`other_versions`: for a conversion about to be imported, the rows of the recording's
  other versions, split into those that are (or may be) in Omi and those never sent;
* :func:`held_message`: what an import held back says about what is in Omi;
* :func:`recordings` and :func:`list_text`: ``omi-import list``, one :class:`Recording` per
  version still in Omi;
* :func:`deletable`: the rows ``omi-import delete FILE... | --all-from-run RUN`` deletes.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from importers.conversion.payload import SEGMENTS_ENDPOINT
from importers.source import path_text
from importers.upload.ledger import IN_OMI, Entry, Ledger
from importers.wording import count

#: How ``list`` and ``status`` show a recording that was deleted in Omi, not by omi-import.
GONE_SHOWN = "deleted in Omi (not by omi-import; --reimport-deleted imports it again)"


def recording_path(path: Path | str) -> str:
    """The path a recording is known by: absolute, symlinks resolved."""
    return path_text(Path(path).expanduser().resolve())


def _known_as(path: Path | str) -> list[str]:
    """The names the ledger may know a file by: resolved, and as given (schema 1 kept those)."""
    return sorted({recording_path(path), path_text(Path(path))})


def may_be_in_omi(entry: Entry) -> bool:
    """Whether the conversation is, or may be, in Omi: sent or being deleted, and also a
    from-segments one that went back to pending when its retries ran out (``last_error`` says
    so: a 504 may have stored it). Pending for any other reason (a refused connection, a 429,
    a 401/403), nothing was made."""
    gave_up = entry.status == "pending" and entry.last_error is not None
    return entry.status in IN_OMI or (gave_up and entry.endpoint == SEGMENTS_ENDPOINT)


@dataclass(frozen=True)
class OtherVersions:
    """The rows of a recording's other versions (none deleted)."""

    #: In Omi (or maybe), and not already being replaced by the version at hand.
    in_omi: list[Entry] = field(default_factory=list)
    #: In Omi (or maybe) and already replaced by the version at hand (an earlier --replace).
    replaced: list[Entry] = field(default_factory=list)
    #: Never sent, or rejected: superseded by the version at hand.
    never_sent: list[Entry] = field(default_factory=list)


def other_versions(ledger: Ledger, *, path: str, sha256: str, version: str) -> OtherVersions:
    """The other versions of the recording at ``path`` (as given) with content ``sha256``."""
    found = OtherVersions()
    for entry in ledger.of_recording(paths=_known_as(path), sha256=sha256):
        if entry.version == version or entry.status in ("deleted", "gone"):
            continue
        if not may_be_in_omi(entry):
            found.never_sent.append(entry)
        elif entry.replaced_by == version:
            found.replaced.append(entry)
        else:
            found.in_omi.append(entry)
    return found


def held_message(path: str, sha256: str, in_omi: list[Entry]) -> str:
    """``PATH: already in Omi ...``: what is there, when it came, and how to replace it."""
    first = in_omi[0]
    if first.input_sha256 != sha256:
        how = "from an earlier version of this file"
    elif first.input_path != path:
        how = f"with other options, as {first.input_path}"
    else:
        how = "with other options"
    ids = ", ".join(e.conversation_id or f"#{e.index + 1} id unknown ({e.status})" for e in in_omi)
    when = shown_time(first.done_at or first.sent_at or first.created_at)
    runs = sorted({e.run_id for e in in_omi if e.run_id is not None})
    run = f" in run {', '.join(map(str, runs))}" if runs else ""
    return (
        f"{path}: already in Omi, imported {when}{run} {how} ({count(len(in_omi), 'conversation')}"
        f": {ids}); nothing was sent. To replace it with this import, add --replace"
    )


def shown_time(iso: str | None) -> str:
    """A ledger timestamp (UTC ISO 8601) as local ``YYYY-MM-DD HH:MM``."""
    if iso is None:
        return "at an unknown time"
    return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class Listed:
    """One conversation of a listed recording."""

    index: int
    id: str | None
    status: str
    client_session_id: str


@dataclass(frozen=True)
class Recording:
    """One version of a recording that is (or may be) in Omi: ``omi-import list``."""

    path: str
    sha256: str
    version: str
    #: done, incomplete (some not sent yet), uncertain, failed, deleting, or gone (deleted
    #: in Omi, not by omi-import: ``--reimport-deleted`` imports it again).
    status: str
    imported_at: str | None
    run: int | None
    conversations: tuple[Listed, ...]
    #: Set while another version replaces this one (it is deleted once that one is in).
    replaced_by: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "sha256": self.sha256,
            "status": self.status,
            "imported_at": self.imported_at,
            "run": self.run,
            "replaced_by": self.replaced_by,
            "conversations": [
                {"index": c.index, "id": c.id, "status": c.status,
                 "client_session_id": c.client_session_id}
                for c in self.conversations
            ],
        }  # fmt: skip


def recordings(ledger: Ledger) -> list[Recording]:
    """Every version in the ledger that is not wholly deleted, by path then time."""
    versions: dict[str, list[Entry]] = defaultdict(list)
    for entry in ledger.entries():
        versions[entry.version].append(entry)
    found = []
    for version, rows in versions.items():
        live = [e for e in rows if e.status != "deleted"]
        if not live:
            continue
        states = {e.status for e in live}
        status = next(
            (s for s in ("deleting", "gone", "failed", "uncertain") if s in states),
            "done" if states == {"done"} else "incomplete",
        )
        done = [e.done_at for e in live if e.done_at]
        runs = [e.run_id for e in live if e.run_id is not None]
        newest = max(live, key=lambda e: e.updated_at)
        found.append(
            Recording(
                path=newest.input_path,
                sha256=newest.input_sha256,
                version=version,
                status=status,
                imported_at=min(done) if done else None,
                run=max(runs) if runs else None,
                conversations=tuple(
                    Listed(e.index, e.conversation_id, e.status, e.key)
                    for e in sorted(live, key=lambda e: e.index)
                ),
                replaced_by=next((e.replaced_by for e in live if e.replaced_by), None),
            )
        )
    return sorted(found, key=lambda r: (r.path, r.imported_at or ""))


def deletable(
    ledger: Ledger, *, paths: list[Path] | None = None, run: int | None = None
) -> tuple[list[Entry], list[Entry], list[str]]:
    """What ``omi-import delete`` acts on.

    Args:
        paths: recordings by path (a file that still exists is also known by its content).
        run: the conversations this run created.

    Returns:
        ``(to delete: done or being deleted, with an id; in Omi perhaps but no id known; the
        paths of which the ledger holds nothing in Omi)``.
    """
    rows: dict[str, Entry] = {}
    missing: list[str] = []
    for path in paths or []:
        sha = _sha256(path)
        found = [
            e for e in ledger.of_recording(paths=_known_as(path), sha256=sha) if may_be_in_omi(e)
        ]
        if not found:
            missing.append(str(path))
        rows.update((e.key, e) for e in found)
    if run is not None:
        rows.update((e.key, e) for e in ledger.of_run(run) if may_be_in_omi(e))
    with_id = [e for e in rows.values() if e.conversation_id is not None]
    without = [e for e in rows.values() if e.conversation_id is None]
    return with_id, without, missing


def _sha256(path: Path) -> str | None:
    try:
        with path.open("rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return None


def list_text(ledger: Ledger, *, as_json: bool = False) -> str:
    """``omi-import list``: one line per recording (or JSON)."""
    found = recordings(ledger)
    if as_json:
        return json.dumps([r.to_dict() for r in found], indent=2, ensure_ascii=False)
    if not found:
        return f"Nothing in Omi from omi-import (ledger: {ledger.path})"
    lines = []
    for r in found:
        when = shown_time(r.imported_at) if r.imported_at else "not yet in Omi"
        ids = ", ".join(
            f"{c.id} (deleted in Omi)"
            if c.status == "gone" and c.id
            else c.id or f"#{c.index + 1} ({'deleted in Omi' if c.status == 'gone' else c.status})"
            for c in r.conversations
        )
        run = f"run {r.run}" if r.run is not None else "no run"
        replaced = "; replaced, deleted once the new import is in" if r.replaced_by else ""
        status = GONE_SHOWN if r.status == "gone" else r.status
        lines.append(f"{r.path}  {when}  {run}  {status}{replaced}  {ids}")
    conversations = sum(len(r.conversations) for r in found)
    lines.append(
        f"{count(len(found), 'recording')}, {count(conversations, 'conversation')}; "
        "`omi-import delete FILE` or `omi-import delete --all-from-run RUN` deletes them"
    )
    return "\n".join(lines)
