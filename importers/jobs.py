"""The uploader's three jobs, each one request per attempt, recorded in the ledger around it.

* :class:`CreateJob`: POST one conversation (``sending`` is written before each attempt).
* :class:`ReadBackJob`: look a text conversation whose outcome is unknown up in Omi (GET);
  found, it is ``done``; not listed, it is sent (a :class:`CreateJob` follows). With no read
  scope, or no clear answer, it stays ``uncertain`` (``--resend-uncertain`` sends such ones
  without looking).
* :class:`DeleteJob`: DELETE one conversation (``deleting`` is written before each attempt).

When the last conversation of a recording's new version is in Omi, the deletions of the
conversations it replaces follow (:meth:`Context.deletions_after`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from importers.client import OmiClient, Stopped
from importers.errors import (
    ApiError,
    AuthError,
    RejectedError,
    StopError,
    TransientError,
    UncertainError,
)
from importers.ledger import Entry, Ledger, key_version
from importers.payload import Conversation, TextRequest
from importers.progress import ProgressSink
from importers.report import ConversationResult, DeletionResult, Report
from importers.scheduler import Job

#: How long after a text was sent it may still appear in Omi: the server gives up answering at
#: 120 s but may finish processing later (server-behavior.md), so a read-back sooner could miss
#: it and send it twice.
READBACK_AFTER_S = 300.0


@dataclass
class Context:
    """What every job of one run shares (the client comes once the key is needed)."""

    ledger: Ledger
    progress: ProgressSink
    report: Report
    run_id: int
    readback_after_s: float = READBACK_AFTER_S
    clock: Callable[[], float] = time.monotonic
    #: Whether the key may read (None: not tried yet).
    read_scope: bool | None = None
    _client: OmiClient | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _deletions: set[str] = field(default_factory=set)

    def connect(self, client: OmiClient) -> None:
        self._client = client

    @property
    def client(self) -> OmiClient:
        assert self._client is not None, "connect() first"
        return self._client

    def deletions_after(self, version: str) -> list[Job]:
        """The deletions that are due once ``version`` is wholly in Omi (each queued once)."""
        jobs: list[Job] = []
        with self._lock:
            for entry in self.ledger.due_deletions(replaced_by=version):
                if entry.key not in self._deletions:
                    self._deletions.add(entry.key)
                    jobs.append(DeleteJob(self, entry))
        return jobs

    def delete(self, entries: list[Entry]) -> list[Job]:
        """Deletion jobs for these entries (each queued once)."""
        jobs: list[Job] = []
        with self._lock:
            for entry in entries:
                if entry.key not in self._deletions and entry.conversation_id is not None:
                    self._deletions.add(entry.key)
                    jobs.append(DeleteJob(self, entry))
        return jobs

    def record(self, result: DeletionResult) -> None:
        with self._lock:
            self.report.deleted.append(result)


class _Hooks:
    """Writes the ledger around each attempt (before sending; after a certain non-send)."""

    def __init__(self, context: Context, key: str) -> None:
        self._context, self._key = context, key

    def sending(self) -> None:
        self._context.ledger.mark_sending(self._key, self._context.run_id)
        self._context.progress.sent()

    def not_sent(self) -> None:
        self._context.ledger.mark_pending(self._key)


@dataclass(eq=False)
class _ConversationJob:
    """A job about one conversation of an input (its result in the report is kept current)."""

    context: Context
    conversation: Conversation
    path: str
    result: ConversationResult
    #: May the run end while this waits (a read-back not due yet)?
    optional: bool = False
    attempts: int = 0
    failures: int = 0
    not_before: float = 0.0

    @property
    def label(self) -> str:
        return f"{self.path} #{self.conversation.index + 1}"


class CreateJob(_ConversationJob):
    """POST one conversation."""

    write = True

    def attempt(self) -> list[Job]:
        ctx, conv = self.context, self.conversation
        try:
            created = ctx.client.attempt(conv, _Hooks(ctx, conv.key))
        except StopError:
            # 401/403, a certificate refused or a redirect: before any work, nothing was made.
            ctx.ledger.mark_pending(conv.key)
            raise
        except RejectedError as exc:
            ctx.ledger.mark_failed(conv.key, str(exc), body=conv.json.decode())
            ctx.progress.finished(f"failed: {self.label}: {exc}")
            return []
        except UncertainError as exc:
            ctx.ledger.mark_uncertain(conv.key, str(exc))
            ctx.progress.finished(f"uncertain: {self.label}: {exc}")
            if ctx.read_scope is False:
                return []
            # Looked up later in this run if it is still going then (else by the next run).
            due = ctx.clock() + ctx.readback_after_s
            return [ReadBackJob(ctx, conv, self.path, self.result, True, not_before=due)]
        ctx.ledger.mark_done(conv.key, created.id, created.status, created.discarded)
        self.result.sent_now = True
        note = " (discarded by Omi: too short)" if created.discarded else ""
        ctx.progress.finished(f"done: {self.label} -> {created.id}{note}")
        return ctx.deletions_after(key_version(conv.key))

    def gave_up(self, error: TransientError) -> None:
        self.context.ledger.mark_pending(self.conversation.key, str(error))
        self.context.progress.finished(f"not sent: {self.label}: {error}")


class ReadBackJob(_ConversationJob):
    """Find a text conversation in Omi before it is sent again (module docstring)."""

    write = False

    def attempt(self) -> list[Job]:
        ctx, conv = self.context, self.conversation
        body = conv.body
        assert isinstance(body, TextRequest)
        try:
            found = ctx.client.find_text(body)
        except Stopped:
            return []
        except AuthError as exc:
            if exc.status != 403:
                raise
            ctx.read_scope = False
            return self._unresolved(exc)
        except (UncertainError, TransientError) as exc:
            return self._unresolved(exc)
        ctx.read_scope = True
        if found is None:
            ctx.ledger.mark_pending(conv.key)
            return [CreateJob(ctx, conv, self.path, self.result)]
        ctx.ledger.mark_done(conv.key, found, "completed", False)
        ctx.progress.finished(f"done: {self.label} -> {found} (found in Omi by reading back)")
        return ctx.deletions_after(key_version(conv.key))

    def _unresolved(self, exc: ApiError) -> list[Job]:
        self.context.ledger.mark_uncertain(
            self.conversation.key, f"{exc} (it may or may not be in Omi)"
        )
        return []

    def gave_up(self, error: TransientError) -> None:  # pragma: no cover - find_text retries
        self.context.ledger.mark_uncertain(self.conversation.key, str(error))


@dataclass(eq=False)
class DeleteJob:
    """DELETE one conversation."""

    context: Context
    entry: Entry
    attempts: int = 0
    failures: int = 0
    not_before: float = 0.0
    write = True
    optional = False

    @property
    def label(self) -> str:
        return f"{self.entry.input_path} #{self.entry.index + 1} ({self.entry.conversation_id})"

    def attempt(self) -> list[Job]:
        ctx, entry = self.context, self.entry
        assert entry.conversation_id is not None
        ctx.ledger.mark_deleting(entry.key)
        try:
            existed = ctx.client.delete_attempt(entry.conversation_id)
        except RejectedError as exc:
            self._not_deleted(str(exc))
            return []
        note = None if existed else "Omi held it no more (deleted already)"
        ctx.ledger.mark_deleted(entry.key, note)
        ctx.record(DeletionResult(entry.input_path, entry.index, entry.conversation_id, "deleted"))
        ctx.progress.finished(f"deleted: {self.label}" + ("" if existed else f": {note}"))
        return []

    def gave_up(self, error: TransientError) -> None:
        self._not_deleted(str(error))

    def _not_deleted(self, error: str) -> None:
        """It stays ``deleting``: the next run sends its DELETE again."""
        ctx, entry = self.context, self.entry
        ctx.ledger.mark_deleting(entry.key, error)
        ctx.record(
            DeletionResult(entry.input_path, entry.index, entry.conversation_id, "deleting", error)
        )
        ctx.progress.finished(f"not deleted: {self.label}: {error}")
