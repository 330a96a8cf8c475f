"""Import files into Omi exactly once, one conversation per recording; delete what was imported.

>>> report = upload(["~/Zoom"], settings=load_settings(), ledger=Ledger.open())   # doctest: +SKIP
>>> report.ok                                                                      # doctest: +SKIP
>>> delete(settings=load_settings(), ledger=Ledger.open(), paths=["call.srt"])   # doctest: +SKIP

**Streaming.** A producer thread converts the inputs one at a time
(:func:`importers.pipeline.convert_all` is lazy) and hands each conversation to the
:class:`~importers.scheduler.Scheduler` through a bounded queue, so the first request leaves as
soon as the first file is converted, and converting runs at most :data:`INTAKE` requests ahead.
A file that fails is reported and the others go on.

**One conversation per recording.** Before a file's conversations are registered, the ledger is
asked for other versions of the same recording (same resolved path, or same content; see
:mod:`importers.recordings`) that are or may be in Omi. If there are, nothing of the file is
sent: it is ``exists`` in the report, which names what is in Omi. With ``replace``, the old
conversations are marked replaced by the new version *before* anything is sent, the new ones
are created, and the old ones are deleted once all the new ones are in: create first, delete
second (:mod:`importers.ledger` says why; a kill between the two is settled by the next run,
which starts by sending the deletions left due). Versions never sent are superseded.

**Uncertain chats** are read back (GET, by their ``started_at`` and text) before anything is
sent again, once :data:`~importers.jobs.READBACK_AFTER_S` has passed since they were sent: found,
they are done; not listed, they are sent. ``resend_uncertain`` sends them without looking (for
a key that may not read).

**Ctrl-C** stops the run at any moment, conversion included: the attempts in flight finish
(a second Ctrl-C does not wait for them) and the report is returned with ``stopped`` set to
:data:`INTERRUPTED`. A re-run finishes the rest.

**Inputs that come over time.** :func:`upload_stream` is the same run fed with batches of files
as they arrive (the watcher's, :mod:`importers.watch`): one session, so one pacer (its window
and what it learned hold across the batches), one scheduler and one run in the ledger; the
producer waits for the next batch between them, and the run ends when the batches do.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

from importers.client import READ_TIMEOUT_S, OmiClient, RetryPolicy
from importers.errors import ConfigError
from importers.inputs import FolderPart, Period, list_files
from importers.jobs import READBACK_AFTER_S, Context, CreateJob, ReadBackJob, Streak
from importers.ledger import Entry, Ledger, key_version
from importers.options import ConvertOptions
from importers.pacing import MAX_WINDOW_S, Pacer
from importers.payload import TEXT_ENDPOINT, Conversation
from importers.pipeline import Conversion, ConvertAll, convert_all
from importers.progress import NullProgress, ProgressSink
from importers.recordings import deletable, held_message, other_versions, recording_path
from importers.registry import Registry
from importers.report import ConversationResult, DeletionResult, InputResult, Report, Totals
from importers.scheduler import DEFAULT_CAP, Intake, Job, Scheduler
from importers.server import ServerFacts
from importers.settings import Settings
from importers.source import path_text
from importers.wording import count

INTERRUPTED = "interrupted; run the same command again to finish (nothing is sent twice)"
#: Requests converted ahead of uploading at most (the bounded queue between the two).
INTAKE = 32
SUPERSEDED = "superseded by a later import of the same recording before it was ever sent"
NO_ID = (
    "replaced by a later import, but it may be in Omi with no conversation id known (its "
    "outcome was never settled): check the app, and delete it there if it is"
)
NO_ID_DELETE = (
    "it may be in Omi, but no conversation id is known (its outcome was never settled): "
    "check the app and delete it there"
)


@dataclass(frozen=True)
class UploadOptions:
    """How to upload. Every field is a CLI flag.

    Attributes:
        retry_failed: send conversations the server rejected before (``--retry-failed``).
        resend_uncertain: send text conversations whose outcome is unknown without reading
            them back first (``--resend-uncertain``: for keys that may not read; may duplicate).
        replace: replace another import of the same recording that is in Omi (``--replace``).
        workers: the most requests in flight at once (None: sized from the latency and the
            rate limit, at most :data:`~importers.scheduler.DEFAULT_CAP`).
        rate_limit: requests per window, when known (None: learn it from the server).
        rate_window_s: the rate-limit window, when known (Omi: one hour).
        readback_after_s: how long after sending an uncertain conversation is looked up.
        reimport_deleted: import again what Omi says was deleted there (in the app), under
            the next generation of its key (``--reimport-deleted``).
        verbose: say each request when it ends (``-v``: method, path, status, seconds).
    """

    retry_failed: bool = False
    resend_uncertain: bool = False
    replace: bool = False
    reimport_deleted: bool = False
    workers: int | None = None
    rate_limit: int | None = None
    rate_window_s: float | None = None
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    read_timeout_s: float = READ_TIMEOUT_S
    readback_after_s: float = READBACK_AFTER_S
    verbose: bool = False

    def __post_init__(self) -> None:
        window = self.rate_window_s
        if window is not None and not (math.isfinite(window) and 0 < window <= MAX_WINDOW_S):
            raise ConfigError(
                f"the rate-limit window must be a number of seconds above 0 and at most "
                f"{MAX_WINDOW_S:.0f} (a day)"
            )


def upload(
    inputs: Iterable[Path | str | Conversion],
    *,
    settings: Settings,
    ledger: Ledger,
    convert_options: ConvertOptions | None = None,
    options: UploadOptions | None = None,
    registry: Registry | None = None,
    transport: httpx.BaseTransport | None = None,
    progress: ProgressSink | None = None,
    period: Period | None = None,
    converter: ConvertAll = convert_all,
) -> Report:
    """Import files, folders (recursively) or ready conversions into Omi.

    Args:
        inputs: paths (folders are walked) or :class:`Conversion` objects.
        settings: base URL and API key (the key is needed only when something must be sent).
        ledger: what is already in Omi; updated as requests complete.
        convert_options: how to turn files into request bodies.
        options: retries, pacing, replacing and re-send choices.
        registry: the format adapters (default: the installed ones).
        transport: an httpx transport for tests.
        progress: where to show progress (default: nowhere).
        period: leave out the files of folder walks modified outside it (--since/--until).
        converter: what turns the paths into outcomes: :func:`convert_all`, or a Dask
            cluster's (:meth:`importers.cluster.DaskCluster.convert_all`, ``--dask``).

    Returns:
        The :class:`Report`; ``report.ok`` is True when everything asked for is in Omi.

    Raises:
        ConfigError: there is something to send but no API key.
    """
    items = list(inputs)
    paths = [i for i in items if not isinstance(i, Conversion)]
    # Every file the walk meets is an outcome of the conversion (skipped ones too): the count
    # the estimate of requests still to come is made against.
    files = len(items) - len(paths) + len(list_files(paths))
    return upload_stream(
        [items],
        files=lambda: files,
        settings=settings,
        ledger=ledger,
        convert_options=convert_options,
        options=options,
        registry=registry,
        transport=transport,
        progress=progress,
        period=period,
        converter=converter,
    )


def upload_stream(
    batches: Iterable[Sequence[Path | str | FolderPart | Conversion]],
    *,
    files: Callable[[], int],
    settings: Settings,
    ledger: Ledger,
    convert_options: ConvertOptions | None = None,
    options: UploadOptions | None = None,
    registry: Registry | None = None,
    transport: httpx.BaseTransport | None = None,
    progress: ProgressSink | None = None,
    period: Period | None = None,
    kind: str = "import",
    on_unreachable: Callable[[str], None] | None = None,
    on_converted: Callable[[Conversion, InputResult], None] = lambda conversion, result: None,
    converter: ConvertAll = convert_all,
) -> Report:
    """:func:`upload` of inputs that come in batches over time, in one run (module docstring).

    Args:
        batches: the inputs, a batch at a time; iterating may wait for the next batch (it runs
            in the converting thread). The run ends when the batches end, or is stopped.
        files: how many input files the batches have brought so far (for the ETA's estimate
            of the requests of files not converted yet).
        kind: the run's kind in the ledger (``import``, ``watch``).
        on_unreachable: told a line when Omi cannot be reached, the run pausing and trying
            again instead of stopping (None: it stops, as ``import`` does).
        on_converted: told each conversion and its file's result (``exists`` when held back;
            its conversations as the ledger had them) once the ledger holds it (in the
            converting thread).

    Other arguments, the return value and the errors are :func:`upload`'s.
    """
    options = options or UploadOptions()
    progress = progress or NullProgress()
    session = _Session.begin(kind, settings, ledger, options, progress, transport)
    intake = Intake(INTAKE)
    producer: _Producer | None = None
    try:  # Ctrl-C at any moment from here on ends in a report
        settle = ledger.due_deletions()
        progress.start(files())
        intake.expected = files()  # a conversation a file, until the first ones are converted
        producer = _Producer(
            batches, files, session, convert_options, registry, intake, period, on_converted,
            converter,
        )  # fmt: skip
        threading.Thread(target=producer.run, name="omi-convert", daemon=True).start()
        if not settle:
            intake.wait_any()  # the first conversation to send, or the end: no key needed
        if settle or not intake.finished:
            scheduler = session.connect(on_unreachable)
            deletions = session.context.delete(settle)
            scheduler.add(deletions)
            progress.queued(len(deletions))  # the jobs made, as delete() counts them
            scheduler.run(intake)
            session.stopped_by(scheduler)
    except KeyboardInterrupt:
        session.report.stopped = INTERRUPTED
    finally:
        intake.cancel()
    if producer is not None and producer.error is not None and session.report.stopped is None:
        raise producer.error
    return session.finish()


def delete(
    *,
    settings: Settings,
    ledger: Ledger,
    paths: Iterable[Path | str] = (),
    run: int | None = None,
    options: UploadOptions | None = None,
    transport: httpx.BaseTransport | None = None,
    progress: ProgressSink | None = None,
) -> Report:
    """Delete from Omi the conversations imported from ``paths`` and/or by run ``run``.

    The DELETEs are paced with the imports' (the same rate-limit unit). Each conversation is
    marked ``deleting`` before its DELETE and ``deleted`` after it (404 counts: gone already),
    so a run stopped half way is finished by the next ``delete`` or ``import``.

    Returns:
        A :class:`Report`: ``deleted`` lists each conversation; ``inputs`` lists the paths the
        ledger holds nothing of (``failed``), and conversations that may be in Omi without a
        known id (which cannot be deleted from here).

    Raises:
        ConfigError: something must be deleted but there is no API key.
    """
    options = options or UploadOptions()
    progress = progress or NullProgress()
    session = _Session.begin("delete", settings, ledger, options, progress, transport)
    wanted = [Path(p).expanduser() for p in paths]
    with_id, without, missing = deletable(ledger, paths=wanted, run=run)
    report = session.report
    for path in missing:
        reason = "nothing of it is in Omi according to the ledger (never imported, or deleted)"
        report.inputs.append(InputResult(path, "failed", error=f"{path}: {reason}"))
    for entry in without:
        report.deleted.append(
            DeletionResult(entry.input_path, entry.index, None, entry.status, NO_ID_DELETE)
        )
    if run is not None and not with_id and not without:
        report.stopped = f"run {run} created nothing that is in Omi now"
    if with_id:
        try:
            scheduler = session.connect()
            jobs = session.context.delete(with_id)
            progress.queued(len(jobs))
            scheduler.add(jobs)
            scheduler.run()
            session.stopped_by(scheduler)
        except KeyboardInterrupt:
            report.stopped = INTERRUPTED
    return session.finish()


class _Session:
    """One run: its ledger row, pacer, client and scheduler, and the report."""

    def __init__(
        self,
        settings: Settings,
        ledger: Ledger,
        options: UploadOptions,
        progress: ProgressSink,
        transport: httpx.BaseTransport | None,
        report: Report,
    ) -> None:
        self.settings, self.ledger, self.options = settings, ledger, options
        self.progress, self.transport, self.report = progress, transport, report
        self.started = time.monotonic()
        self.pacer = _pacer(ledger, settings.base_url, options, progress)
        self.server = ServerFacts(ledger, settings.base_url)
        self.context = Context(
            ledger,
            progress,
            report,
            run_id=report.run or 0,
            server=self.server,
            streak=Streak(options.policy.same_failure_stop),
            readback_after_s=options.readback_after_s,
            reimport_deleted=options.reimport_deleted,
        )
        self.client: OmiClient | None = None
        self.lock = threading.Lock()

    @classmethod
    def begin(
        cls,
        kind: str,
        settings: Settings,
        ledger: Ledger,
        options: UploadOptions,
        progress: ProgressSink,
        transport: httpx.BaseTransport | None,
    ) -> _Session:
        report = Report(run=ledger.start_run(kind))
        return cls(settings, ledger, options, progress, transport, report)

    def connect(self, on_unreachable: Callable[[str], None] | None = None) -> Scheduler:
        """The client (the key is required from here on) and the scheduler (which pauses
        instead of stopping when Omi cannot be reached, given ``on_unreachable``)."""
        key = self.settings.require_key()
        self.client = OmiClient(
            self.settings.base_url,
            key,
            transport=self.transport,
            pacer=self.pacer,
            policy=self.options.policy,
            read_timeout_s=self.options.read_timeout_s,
            on_retry=lambda reason: self.progress.note(f"retrying: {reason}"),
            on_request=self.progress.note if self.options.verbose else None,
        )
        self.context.connect(self.client)
        return Scheduler(
            self.client,
            self.pacer,
            cap=self.options.workers or DEFAULT_CAP,
            on_eta=self.progress.eta,
            on_interrupt=lambda n: self.progress.note(
                f"stopping: waiting for the answers to {count(n, 'request')} in flight (Ctrl-C "
                "again to stop at once; a re-run settles them)"
            ),
            on_unreachable=on_unreachable,
        )

    def stopped_by(self, scheduler: Scheduler) -> None:
        if scheduler.interrupted:
            self.report.stopped = INTERRUPTED
        elif scheduler.stopped is not None:
            self.report.stopped = scheduler.stopped

    def finish(self) -> Report:
        """Remember what was learned, copy the final states into the report, close the run."""
        report = self.report
        _remember_limits(self.ledger, self.settings.base_url, self.pacer)
        with self.lock:
            _finish_results(report, self.ledger)
        stats = self.client.stats if self.client is not None else None
        report.totals = Totals(
            requests=stats.requests if stats else 0,
            retries=stats.retries if stats else 0,
            rate_limited=stats.rate_limited if stats else 0,
            waited_s=self.pacer.waited_s,
            elapsed_s=time.monotonic() - self.started,
        )
        if self.client is not None:
            self.client.close()
        created = sum(1 for c in report.conversations if c.sent_now and c.status == "done")
        note = f"{created} created, {report.deleted_count} deleted" + (
            f"; stopped: {report.stopped}" if report.stopped else ""
        )
        assert report.run is not None
        self.ledger.finish_run(report.run, note)
        return report


class _Producer:
    """Converts the inputs (in its own thread) and puts their jobs into the intake."""

    def __init__(
        self,
        batches: Iterable[Sequence[Path | str | FolderPart | Conversion]],
        files: Callable[[], int],
        session: _Session,
        convert_options: ConvertOptions | None,
        registry: Registry | None,
        intake: Intake,
        period: Period | None,
        on_converted: Callable[[Conversion, InputResult], None],
        converter: ConvertAll,
    ) -> None:
        self.batches, self.files, self.session = batches, files, session
        self.converter = converter
        self.convert_options, self.registry = convert_options, registry
        self.intake, self.period, self.on_converted = intake, period, on_converted
        self.error: BaseException | None = None
        self._seen = 0
        self._made = 0

    def run(self) -> None:
        try:
            for conversion in self._conversions():
                result, jobs = self._plan(conversion)
                self.on_converted(conversion, result)
                self.session.progress.queued(len(jobs), len(conversion.conversations) - len(jobs))
                for job in jobs:
                    if not self.intake.put(job):
                        return
                self._made += len(jobs)
                self._expect()
        except BaseException as exc:  # re-raised by upload() in its thread
            self.error = exc
        finally:
            self.intake.expected = 0
            self.intake.close()

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
        outcomes = self.converter(
            paths, self.convert_options, registry=self.registry, period=self.period
        )
        for outcome in outcomes:
            self._seen += 1
            path = path_text(outcome.path)
            if outcome.conversion is not None:
                yield outcome.conversion
            elif outcome.skipped is not None:
                with session.lock:
                    report.inputs.append(InputResult(path, "unsupported", error=outcome.skipped))
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
        (:mod:`importers.ledger`), unless it was deleted in the app and the user has not
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
    (:mod:`importers.server`). It is looked up before it is sent again."""
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


def _pacer(ledger: Ledger, base_url: str, options: UploadOptions, progress: ProgressSink) -> Pacer:
    """A pacer told what is known: the options, else what an earlier run learned."""
    limit, window, quality = options.rate_limit, options.rate_window_s, None
    if limit is None:
        learned = ledger.get_meta(f"rate_limit {base_url}")
        if learned is not None:
            limit = int(learned)
    if window is None:
        learned_window = ledger.get_meta(f"rate_window_s {base_url}")
        if learned_window is not None:
            window = float(learned_window)
            quality = ledger.get_meta(f"rate_window_quality {base_url}") or "exact"
    return Pacer(limit, window, window_quality=quality, on_wait=progress.waiting)


def _remember_limits(ledger: Ledger, base_url: str, pacer: Pacer) -> None:
    """The limit and the window's length (with how well it is known) for the next run."""
    if pacer.limit is not None and pacer.rate_limited:
        ledger.set_meta(f"rate_limit {base_url}", str(pacer.limit))
    if pacer.rate_limited and pacer.window_quality in ("exact", "lower"):
        ledger.set_meta(f"rate_window_s {base_url}", repr(pacer.window_s))
        ledger.set_meta(f"rate_window_quality {base_url}", pacer.window_quality)


def _finish_results(report: Report, ledger: Ledger) -> None:
    """Copy each conversation's final ledger state into the report; set the input statuses."""
    for r in report.conversations:
        entry = ledger.get(r.client_session_id)
        if entry is None:
            continue
        r.status, r.id, r.discarded = entry.status, entry.conversation_id, entry.discarded
        r.attempts, r.error = entry.attempts, entry.last_error
        if r.status == "sending" and not r.error:
            # Interrupted mid-request: segments are re-sent safely; text is read back.
            r.error = "interrupted while sending; a re-run settles it"
    for item in report.inputs:
        if item.status in ("unsupported", "failed", "exists") and not item.conversations:
            continue
        states = {c.status for c in item.conversations}
        if "failed" in states:
            item.status = "failed"
        elif "gone" in states:
            item.status = "deleted in Omi"
        elif "uncertain" in states:
            item.status = "uncertain"
        elif states - {"done"}:
            item.status = "incomplete"
        else:
            item.status = "done"
