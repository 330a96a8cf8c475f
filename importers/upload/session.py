"""One run of an :class:`~importers.upload.importer.Importer`: its row in the ledger, its pacer
(told what earlier runs learned of the limit), its client and scheduler, and its report, which
:meth:`Session.finish` completes from the ledger's final states."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from importers.upload.client import OmiClient
from importers.upload.jobs import Context, Streak
from importers.upload.ledger import Ledger
from importers.upload.pacing import Pacer
from importers.upload.progress import ProgressSink
from importers.upload.report import Report, Totals
from importers.upload.scheduler import DEFAULT_CAP, Scheduler
from importers.upload.server import ServerFacts
from importers.wording import count

if TYPE_CHECKING:
    from importers.upload.importer import Importer, UploadOptions

INTERRUPTED = "interrupted; run the same command again to finish (nothing is sent twice)"


class Session:
    """One run: its ledger row, pacer, client and scheduler, and the report."""

    def __init__(self, kind: str, importer: Importer, report: Report) -> None:
        self.kind, self.importer, self.report = kind, importer, report
        self.settings, self.ledger = importer.settings, importer.ledger
        self.options, self.progress = importer.options, importer.progress
        settings, ledger, options, progress = (
            self.settings,
            self.ledger,
            self.options,
            self.progress,
        )
        self.started = time.monotonic()
        self.pacer = _pacer(ledger, settings.base_url, options, progress)
        self.server = ServerFacts(ledger, settings.base_url)
        self.context = Context(
            ledger,
            progress,
            report,
            run_id=0,
            server=self.server,
            streak=Streak(options.policy.same_failure_stop),
            readback_after_s=options.readback_after_s,
            reimport_deleted=options.reimport_deleted,
        )
        self.client: OmiClient | None = None
        self.lock = threading.Lock()

    @classmethod
    def begin(cls, kind: str, importer: Importer) -> Session:
        """A run of ``kind`` (``import``, ``watch``, ``delete``). It takes its number in the
        ledger when it first has something to send (:meth:`connect`): a run that sends nothing
        leaves no trace there."""
        return cls(kind, importer, Report())

    def connect(self, on_unreachable: Callable[[str], None] | None = None) -> Scheduler:
        """The client (the key is required from here on) and the scheduler (which pauses
        instead of stopping when Omi cannot be reached, given ``on_unreachable``)."""
        key = self.settings.require_key()
        self.report.run = self.context.run_id = self.ledger.start_run(self.kind)
        self.client = OmiClient(
            self.settings.base_url,
            key,
            transport=self.importer.transport,
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
        if report.run is not None:
            self.ledger.finish_run(report.run, note)
        return report


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
