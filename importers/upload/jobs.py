"""The uploader's jobs, each one request per attempt, recorded in the ledger around it.

* :class:`CreateJob`: POST one conversation (``sending`` is written before each attempt).
* :class:`ReadBackJob`: look a conversation whose outcome is unknown up in Omi (GET, by its
  start and text): a text conversation, or a segments one sent to a server not known to honour
  ``client_session_id`` (:mod:`importers.upload.server`). Found, it is ``done``; not listed, it is
  sent (a :class:`CreateJob` follows). With no read scope, or no clear answer, it stays
  ``uncertain`` (``--resend-uncertain`` sends such ones without looking).
* :class:`SettleJob`: a conversation Omi answered ``processing`` (a replay that found the first
  request still at work) is looked up by its id (GET, the read budget) instead of replayed (a
  write unit): completed, it is ``done``; gone, it is sent again; still processing after
  :attr:`~importers.upload.client.RetryPolicy.processing_rounds` looks, it is left ``sending`` for
  the next run, never counted as done.
* :class:`DeleteJob`: DELETE one conversation (``deleting`` is written before each attempt).

When the last conversation of a recording's new version is in Omi, the deletions of the
conversations it replaces follow (:meth:`Context.deletions_after`).

**The write budget** (about 25 requests an hour) is spent as if each unit cost 2.4 minutes: a
conversation gets at most :attr:`~importers.upload.client.RetryPolicy.max_failures` attempts a run
that end in an answered failure (the scheduler's count), and when the same failure answers
:attr:`~importers.upload.client.RetryPolicy.same_failure_stop` different conversations in a row, the
run stops (:class:`~importers.errors.FailingError`, :class:`Streak`) naming the likely cause;
the rest stays pending for a re-run.

**Deleted in Omi.** A key whose conversation was deleted in Omi is answered ``deleted`` (or 410)
by servers of September 2026 on: the conversation becomes ``gone``, never ``done``; with
``reimport_deleted`` it is sent again at once under the next generation of its key.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from importers.conversion.payload import SEGMENTS_ENDPOINT, Conversation
from importers.errors import (
    ApiError,
    AuthError,
    DeletedError,
    FailingError,
    RejectedError,
    StopError,
    TransientError,
    UncertainError,
)
from importers.identity import generation_of
from importers.upload.client import OmiClient
from importers.upload.decisions import Retry
from importers.upload.intake import Job
from importers.upload.ledger import Entry, Ledger, key_version
from importers.upload.progress import ProgressSink
from importers.upload.report import ConversationResult, DeletionResult, Report
from importers.upload.server import ServerFacts, era_of_answer

#: How long after a request was sent its conversation may still appear in Omi: the server gives
#: up answering at 120 s but may finish processing later (server-behavior.md), so a read-back
#: sooner could miss it and send it twice.
READBACK_AFTER_S = 300.0
#: What the line of a conversation deleted in Omi tells the user to do.
REIMPORT_HINT = "to import it again, add --reimport-deleted"
#: The likely cause of a failure that answers every conversation, by what Omi answered.
CAUSES = {
    "byok": "your own AI provider account (Omi's bring-your-own-key setting) is rate limited; "
    "check its limits, or turn BYOK off in the Omi app",
    500: "Omi's processing of conversations is failing on the server (its AI provider, or the "
    "server itself); it is not these files",
    503: "Omi's AI provider is unavailable",
    504: "Omi does not finish processing within its own time limit",
}
UNKNOWN_CAUSE = "Omi keeps failing the same way; it is not these files"


@dataclass
class Streak:
    """The same failure answering different conversations in a row (thread-safe).

    ``failed`` returns the error that stops the run once ``limit`` conversations were answered
    with one failure and no success came between; ``succeeded`` ends the streak.
    """

    limit: int
    _signature: tuple[object, ...] | None = None
    _keys: set[str] = field(default_factory=set)
    _tripped: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def failed(self, key: str, status: int | None, reason: str) -> FailingError | None:
        """The error that stops the run, the first time the streak reaches the limit."""
        signature = (status, reason)
        with self._lock:
            if signature != self._signature:
                self._signature, self._keys = signature, set()
            self._keys.add(key)
            if len(self._keys) < self.limit or self._tripped:
                return None
            self._tripped = True
            n = len(self._keys)
        code = "byok" if status == 429 else status
        cause = CAUSES.get(code, UNKNOWN_CAUSE) if code is not None else UNKNOWN_CAUSE
        said = f"Omi answered {status} ({reason})" if status else f"no answer ({reason})"
        return FailingError(
            f"{said} for {n} conversations in a row: {cause}. Nothing more was sent; what is "
            "left stays pending: run the same command again later",
            status=status,
            detail=reason,
        )

    def succeeded(self) -> None:
        with self._lock:
            self._signature, self._keys = None, set()


@dataclass
class Context:
    """What every job of one run shares (the client comes once the key is needed)."""

    ledger: Ledger
    progress: ProgressSink
    report: Report
    #: The run's number in the ledger (given when it first sends: Session.connect).
    run_id: int
    server: ServerFacts
    streak: Streak
    readback_after_s: float = READBACK_AFTER_S
    reimport_deleted: bool = False
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
    spent: int = 0
    not_before: float = 0.0

    @property
    def label(self) -> str:
        return f"{self.path} #{self.conversation.index + 1}"

    def _done(self, conversation_id: str, status: str, discarded: bool, how: str = "") -> list[Job]:
        ctx, conv = self.context, self.conversation
        ctx.ledger.mark_done(conv.key, conversation_id, status, discarded)
        note = " (discarded by Omi: too short)" if discarded else ""
        ctx.progress.finished(f"done: {self.label} -> {conversation_id}{note}{how}")
        return ctx.deletions_after(key_version(conv.key))

    def _create(self) -> CreateJob:
        return CreateJob(self.context, self.conversation, self.path, self.result)


class CreateJob(_ConversationJob):
    """POST one conversation."""

    write = True

    def attempt(self) -> list[Job]:
        ctx, conv = self.context, self.conversation
        segments = conv.endpoint == SEGMENTS_ENDPOINT
        try:
            created = ctx.client.attempt(
                conv, _Hooks(ctx, conv.key), idempotent=segments and ctx.server.idempotent
            )
        except StopError:
            # 401/403, a certificate refused or a redirect: before any work, nothing was made.
            ctx.ledger.mark_pending(conv.key)
            raise
        except Retry as exc:
            if exc.spent and exc.retry_after is None and not exc.processing:
                self._failed(exc.status, exc.reason, exc.created_nothing)
            raise
        except RejectedError as exc:
            ctx.streak.succeeded()  # an answer about this conversation, not the server
            ctx.ledger.mark_failed(conv.key, str(exc), body=conv.json.decode())
            ctx.progress.finished(f"failed: {self.label}: {exc}")
            return []
        except DeletedError as exc:
            ctx.server.learn("E2")
            ctx.streak.succeeded()
            return self._deleted(exc)
        except UncertainError as exc:
            self._failed(exc.status, exc.detail or str(exc), False)
            ctx.ledger.mark_uncertain(conv.key, str(exc))
            ctx.progress.finished(f"uncertain: {self.label}: {exc}")
            if ctx.read_scope is False:
                return []
            # Looked up later in this run if it is still going then (else by the next run).
            due = ctx.clock() + ctx.readback_after_s
            return [ReadBackJob(ctx, conv, self.path, self.result, True, not_before=due)]
        ctx.streak.succeeded()
        if segments:
            ctx.server.learn(era_of_answer(created.id, newer=created.newer, keyed=True))
        if segments and created.status == "processing":
            ctx.server.learn("E1")  # a replay found the first request's claim: idempotent
            ctx.progress.note(f"processing in Omi: {self.label} ({created.id}); looked up later")
            return [SettleJob.first(self, created.id)]
        self.result.sent_now = True
        return self._done(created.id, created.status, created.discarded)

    def _failed(self, status: int | None, reason: str, created_nothing: bool) -> None:
        """An answered failure: the run stops once it answers several conversations."""
        stop = self.context.streak.failed(self.conversation.key, status, reason)
        if stop is not None:
            if created_nothing:
                self.context.ledger.mark_pending(self.conversation.key, str(stop))
            raise stop

    def _deleted(self, exc: DeletedError) -> list[Job]:
        ctx, conv = self.context, self.conversation
        ctx.ledger.mark_gone(conv.key, exc.conversation_id, str(exc))
        if not ctx.reimport_deleted:
            ctx.progress.finished(f"deleted in Omi: {self.label}: {exc}; {REIMPORT_HINT}")
            return []
        again = conv.at_generation(generation_of(conv.key) + 1)
        ctx.ledger.regenerate(conv.key, again.key, generation_of(again.key))
        ctx.progress.note(f"deleted in Omi: {self.label}; importing it again as {again.key}")
        self.result.client_session_id = again.key
        return [CreateJob(ctx, again, self.path, self.result)]

    def gave_up(self, error: TransientError) -> None:
        self.context.ledger.mark_pending(self.conversation.key, str(error))
        self.context.progress.finished(f"not sent: {self.label}: {error}")


class ReadBackJob(_ConversationJob):
    """Find a conversation in Omi before it is sent again (module docstring)."""

    write = False

    def attempt(self) -> list[Job]:
        ctx, conv = self.context, self.conversation
        try:
            found = ctx.client.find_attempt(conv.body)
        except AuthError as exc:
            if exc.status != 403:
                raise
            ctx.read_scope = False
            return self._unresolved(exc)
        except UncertainError as exc:
            return self._unresolved(exc)
        ctx.read_scope = True
        if found is None:
            ctx.ledger.mark_pending(conv.key)
            return [self._create()]
        return self._done(found, "completed", False, " (found in Omi by reading back)")

    def _unresolved(self, exc: ApiError) -> list[Job]:
        self.context.ledger.mark_uncertain(
            self.conversation.key, f"{exc} (it may or may not be in Omi)"
        )
        return []

    def gave_up(self, error: TransientError) -> None:
        """The reads ran out of retries: it stays uncertain, for the next run to look up."""
        self._unresolved(error)


@dataclass(eq=False)
class SettleJob(_ConversationJob):
    """Look up a conversation Omi answered ``processing`` by its id (module docstring)."""

    conversation_id: str = ""
    round: int = 1
    write = False

    @classmethod
    def first(cls, job: _ConversationJob, conversation_id: str) -> SettleJob:
        ctx = job.context
        due = ctx.clock() + ctx.client.policy.processing_wait_s
        return cls(
            ctx, job.conversation, job.path, job.result, conversation_id=conversation_id,
            not_before=due,
        )  # fmt: skip

    def attempt(self) -> list[Job]:
        ctx = self.context
        try:
            found = ctx.client.status_attempt(self.conversation_id)
        except AuthError as exc:
            if exc.status != 403:
                raise
            ctx.read_scope = False
            return [self._create()]  # no read scope: a replay (a write) settles it
        except UncertainError:
            return self._later()
        if found is None:  # its processing failed and the claim was released: send it again
            return [self._create()]
        status, discarded = found
        if status == "processing":
            return self._later()
        self.result.sent_now = True
        return self._done(self.conversation_id, status, discarded)

    def _later(self) -> list[Job]:
        ctx = self.context
        policy = ctx.client.policy
        if self.round >= policy.processing_rounds:  # it stays `sending`: a re-run replays it
            ctx.ledger.mark_note(
                self.conversation.key,
                f"still processing in Omi ({self.conversation_id}); a re-run settles it",
            )
            ctx.progress.finished(
                f"still processing in Omi: {self.label} ({self.conversation_id}); "
                "a re-run settles it"
            )
            return []
        wait = policy.processing_wait_s * 2**self.round
        return [
            SettleJob(
                ctx, self.conversation, self.path, self.result,
                conversation_id=self.conversation_id, round=self.round + 1,
                not_before=ctx.clock() + wait,
            )
        ]  # fmt: skip

    def gave_up(self, error: TransientError) -> None:
        """The reads ran out of retries: it stays ``sending``, for the next run to replay."""
        self.context.ledger.mark_note(self.conversation.key, f"{error} (still processing?)")
        self.context.progress.finished(f"not settled: {self.label}: {error}")


@dataclass(eq=False)
class DeleteJob:
    """DELETE one conversation."""

    context: Context
    entry: Entry
    attempts: int = 0
    failures: int = 0
    spent: int = 0
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
