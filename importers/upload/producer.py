"""The converting half of a run: the inputs converted one at a time (in a thread of their own),
each file's conversations registered in the ledger and turned into the jobs to send, through a
bounded :class:`~importers.upload.intake.Intake`.

**One conversation per recording.** Before a file's conversations are registered, the ledger is
asked for other versions of the same recording (same resolved path, or same content; see
:mod:`importers.upload.recordings`) that are or may be in Omi. If there are, nothing of the file
is sent: it is ``exists`` in the report, which names what is in Omi. With ``replace``, the old
conversations are marked replaced by the new version *before* anything is sent, the new ones
are created, and the old ones are deleted once all the new ones are in: create first, delete
second (:mod:`importers.upload.ledger` says why). Versions never sent are superseded. A key Omi
has seen deleted moves to its next generation.

**Unsettled conversations** (a text, or segments to a server not known to honour the key, whose
outcome is unknown) are read back before anything is sent again, once
:data:`~importers.upload.jobs.READBACK_AFTER_S` has passed since they were sent.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from importers.conversion.payload import TEXT_ENDPOINT, Conversation
from importers.conversion.pipeline import Conversion
from importers.inputs import FolderPart, Period
from importers.source import path_text
from importers.upload.intake import Intake, Job
from importers.upload.jobs import CreateJob, ReadBackJob
from importers.upload.ledger import Entry, key_version
from importers.upload.recordings import held_message, other_versions, recording_path
from importers.upload.report import ConversationResult, InputResult

if TYPE_CHECKING:
    from importers.upload.importer import UploadOptions
    from importers.upload.session import Session

SUPERSEDED = "superseded by a later import of the same recording before it was ever sent"
NO_ID = (
    "replaced by a later import, but it may be in Omi with no conversation id known (its "
    "outcome was never settled): check the app, and delete it there if it is"
)


class Producer:
    """Converts the inputs (in its own thread) and puts their jobs into the intake."""

    def __init__(
        self,
        batches: Iterable[Sequence[Path | str | FolderPart | Conversion]],
        files: Callable[[], int],
        session: Session,
        intake: Intake,
        period: Period | None,
        on_converted: Callable[[Conversion, InputResult], None],
    ) -> None:
        self.batches, self.files, self.session = batches, files, session
        self.intake, self.period, self.on_converted = intake, period, on_converted
        self.error: BaseException | None = None
        self._seen = 0
        self._made = 0

    def run(self) -> None:
        try:
            for conversion in self._conversions():
                result, jobs = self._plan(conversion)
                self.on_converted(conversion, result)
                self.session.progress.queued(len(jobs))
                for job in jobs:
                    if not self.intake.put(job):
                        return
                self._made += len(jobs)
                self._expect()
        except BaseException as exc:  # re-raised by Importer.stream in its thread
            self.error = exc
        finally:
            self.intake.expected = 0
            self.intake.close()
            self.session.progress.all_queued()

    def _expect(self) -> None:
        """The requests of the files not converted yet, at the rate of those converted."""
        left = max(0, self.files() - self._seen)
        rate = self._made / self._seen if self._seen else 1.0
        self.intake.expected = round(rate * left)

    def _conversions(self) -> Iterator[Conversion]:
        """The conversions of the inputs; skipped and failed files go into the report."""
        for batch in self.batches:
            self._expect()  # the batch's files are counted now
            paths: list[Path | str | FolderPart] = []
            for item in batch:
                if isinstance(item, Conversion):
                    self._seen += 1
                    yield item
                else:
                    paths.append(item)
            if paths:
                yield from self._converted(paths)

    def _converted(self, paths: list[Path | str | FolderPart]) -> Iterator[Conversion]:
        session = self.session
        report, ledger, progress = session.report, session.ledger, session.progress
        importer = session.importer
        outcomes = importer.converter(
            paths, importer.convert_options, registry=importer.registry, period=self.period
        )
        for outcome in outcomes:
            self._seen += 1
            path = path_text(outcome.path)
            if outcome.conversion is not None:
                yield outcome.conversion
            elif outcome.skipped is not None:
                with session.lock:
                    report.inputs.append(InputResult(path, "unsupported", error=outcome.skipped))
                # Counted by reason in the summary; said as it happens with -v, and by a watch,
                # whose summary comes only when it ends (a file dropped in that nothing reads).
                if session.options.verbose or session.kind == "watch":
                    progress.note(f"Skipped: {path}: {outcome.skipped}")
            else:
                error = str(outcome.error)
                sha = outcome.sha256 or ""
                ledger.record_input(path, sha, format=None, error=error)
                with session.lock:
                    report.inputs.append(InputResult(path, "failed", sha256=sha, error=error))
                progress.note(f"Error: {error}")

    def _generations(self, conversion: Conversion, version: str) -> list[Conversation]:
        """The conversations under the keys the ledger knows them by: a key Omi has seen
        deleted is spent, so the conversation moves to its next generation
        (:mod:`importers.upload.ledger`), unless it was deleted in the app and the user has not
        asked for it back (``reimport_deleted``): then it stays ``gone``."""
        ledger = self.session.ledger
        rows = {e.index: e for e in ledger.of_version(version)}
        out = []
        for conv in conversion.conversations:
            row = rows.get(conv.index)
            if row is not None:
                conv = conv.at_generation(row.generation)
                gone = row.status == "gone" and not self.session.options.reimport_deleted
                if row.key_spent and not gone:
                    conv = conv.at_generation(row.generation + 1)
                    ledger.regenerate(row.key, conv.key, row.generation + 1)
            out.append(conv)
        return out

    def _plan(self, conversion: Conversion) -> tuple[InputResult, list[Job]]:
        """Register one file's conversations (unless held back) and pick what to send."""
        session = self.session
        ledger, options, context = session.ledger, session.options, session.context
        path, sha = path_text(conversion.input), conversion.content_sha256
        ledger.record_input(
            path, sha, format=conversion.format, conversations=len(conversion.conversations)
        )
        item = InputResult(path, "done", conversion.format, sha)
        with session.lock:
            session.report.inputs.append(item)
        version = key_version(conversion.conversations[0].key)
        others = other_versions(ledger, path=path, sha256=sha, version=version)
        if others.in_omi and not options.replace:
            item.status, item.error = "exists", held_message(path, sha, others.in_omi)
            session.progress.note(f"Held back: {item.error}")
            return item, []
        for entry in others.never_sent:
            ledger.mark_deleted(entry.key, SUPERSEDED)
        if others.in_omi:  # replace: the intent is recorded before anything is sent
            ledger.replace([e.key for e in others.in_omi], version)
            for entry in others.in_omi:
                if entry.conversation_id is None:
                    ledger.mark_uncertain(entry.key, NO_ID)
        conversations = self._generations(conversion, version)
        entries = ledger.register_all(
            sha,
            path,
            [(c.key, c.index, c.endpoint) for c in conversations],
            recording_path=recording_path(conversion.input),
        )
        idempotent = session.server.idempotent
        jobs: list[Job] = []
        for conv, entry in zip(conversations, entries, strict=True):
            result = ConversationResult(
                conv.key, conv.index, conv.endpoint, entry.status, entry.conversation_id,
                entry.discarded, attempts=entry.attempts, error=entry.last_error,
            )  # fmt: skip
            item.conversations.append(result)
            if _unsettled(entry, idempotent) and not options.resend_uncertain:
                due = _readback_at(entry, options.readback_after_s)
                later = due > time.monotonic()
                jobs.append(ReadBackJob(context, conv, path, result, later, not_before=due))
            elif _should_send(entry, options):
                jobs.append(CreateJob(context, conv, path, result))
        if not jobs:
            jobs.extend(context.deletions_after(version))
        return item, jobs


def _unsettled(entry: Entry, idempotent: bool) -> bool:
    """A conversation whose outcome is unknown (an earlier run stopped while sending it, or an
    answer came that may follow its creation) that sending again could duplicate: a text, or
    segments while the server is not known to honour ``client_session_id``
    (:mod:`importers.upload.server`). It is looked up before it is sent again."""
    if entry.status not in ("sending", "uncertain"):
        return False
    return entry.endpoint == TEXT_ENDPOINT or not idempotent


def _readback_at(entry: Entry, after_s: float) -> float:
    """The monotonic time at which ``entry`` may be read back (``after_s`` past its sending)."""
    if entry.sent_at is None:
        return 0.0
    sent = datetime.fromisoformat(entry.sent_at).timestamp()
    due_in = sent + after_s - datetime.now(UTC).timestamp()
    return time.monotonic() + due_in if due_in > 0 else 0.0


def _should_send(entry: Entry, options: UploadOptions) -> bool:
    return (
        entry.status in ("pending", "sending")
        or (entry.status == "failed" and options.retry_failed)
        or (entry.status == "uncertain" and options.resend_uncertain)
    )
