"""Import files into Omi exactly once: convert, consult the ledger, send what is missing.

>>> report = upload(["~/Zoom"], settings=load_settings(), ledger=Ledger.open())   # doctest: +SKIP
>>> report.ok                                                                      # doctest: +SKIP

Every input is converted first (a file that fails is reported and the others go on), each
conversation is registered in the ledger, and only those not yet confirmed are sent, by a small
thread pool that shares one :class:`~importers.pacing.Pacer`. Ledger states are written before
and after each request (see :mod:`importers.ledger`).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from importers.client import READ_TIMEOUT_S, OmiClient, RetryPolicy, Stopped
from importers.errors import (
    ConfigError,
    RejectedError,
    StopError,
    TransientError,
    UncertainError,
)
from importers.inputs import Period
from importers.ledger import Entry, Ledger
from importers.options import ConvertOptions
from importers.pacing import MAX_WINDOW_S, Pacer
from importers.payload import TEXT_ENDPOINT, Conversation
from importers.pipeline import Conversion, ConvertAll, convert_all
from importers.progress import NullProgress, ProgressSink
from importers.registry import Registry
from importers.report import ConversationResult, InputResult, Report, Totals
from importers.settings import Settings
from importers.source import path_text

INTERRUPTED = "interrupted; run the same command again to finish (nothing is sent twice)"


@dataclass(frozen=True)
class UploadOptions:
    """How to upload. Every field is a CLI flag.

    Attributes:
        retry_failed: send conversations the server rejected before (``--retry-failed``).
        resend_uncertain: send text conversations whose outcome is unknown (``--resend-uncertain``).
        workers: requests in flight at once (the server takes tens of seconds per request).
        rate_limit: requests per window, when known (None: learn it from the server).
        rate_window_s: the rate-limit window, when known (Omi: one hour).
    """

    retry_failed: bool = False
    resend_uncertain: bool = False
    workers: int = 4
    rate_limit: int | None = None
    rate_window_s: float | None = None
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    read_timeout_s: float = READ_TIMEOUT_S

    def __post_init__(self) -> None:
        window = self.rate_window_s
        if window is not None and not (math.isfinite(window) and 0 < window <= MAX_WINDOW_S):
            raise ConfigError(
                f"the rate-limit window must be a number of seconds above 0 and at most "
                f"{MAX_WINDOW_S:.0f} (a day)"
            )


@dataclass
class _Job:
    conversation: Conversation
    path: str
    result: ConversationResult


class _Hooks:
    """Writes the ledger around each attempt (before sending; after a certain non-send)."""

    def __init__(self, ledger: Ledger, key: str, progress: ProgressSink) -> None:
        self._ledger, self._key, self._progress = ledger, key, progress

    def sending(self) -> None:
        self._ledger.mark_sending(self._key)
        self._progress.sent()

    def not_sent(self) -> None:
        self._ledger.mark_pending(self._key)


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
        options: retries, pacing and re-send choices.
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
    started = time.monotonic()
    options = options or UploadOptions()
    progress = progress or NullProgress()
    report = Report()
    jobs = _prepare(
        inputs, ledger, convert_options, options, registry, report, progress, period, converter
    )
    conversations = len(report.conversations)
    files = sum(1 for i in report.inputs if i.status != "unsupported")
    if not jobs:
        progress.start(files, conversations, 0)
        _finish_results(report, ledger)
        report.totals.elapsed_s = time.monotonic() - started
        return report
    key = settings.require_key()
    stop = threading.Event()
    pacer = _pacer(ledger, settings.base_url, options, stop, progress)
    client = OmiClient(
        settings.base_url,
        key,
        transport=transport,
        pacer=pacer,
        policy=options.policy,
        read_timeout_s=options.read_timeout_s,
        on_retry=lambda reason: progress.note(f"retrying: {reason}"),
    )
    progress.start(files, conversations, len(jobs))
    progress.eta(pacer.eta(len(jobs)))
    remaining = [len(jobs)]
    lock = threading.Lock()

    def run(job: _Job) -> None:
        if stop.is_set():
            return
        _send(job, client, ledger, progress, report, stop, pacer)
        with lock:
            remaining[0] -= 1
            left = remaining[0]
        progress.eta(pacer.eta(left))

    pool = ThreadPoolExecutor(max_workers=max(1, options.workers), thread_name_prefix="omi-upload")
    try:
        # The first request goes alone: a wrong key or a read-only key costs one request, not
        # one per worker.
        pool.submit(run, jobs[0]).result()
        futures: list[Future[None]] = [pool.submit(run, job) for job in jobs[1:]]
        for future in as_completed(futures):
            future.result()
    except KeyboardInterrupt:
        report.stopped = INTERRUPTED
        stop.set()
        pacer.stop()
        pool.shutdown(wait=False, cancel_futures=True)
    else:
        pool.shutdown(wait=True)
        client.close()
    _remember_limits(ledger, settings.base_url, pacer)
    _finish_results(report, ledger)
    report.totals = Totals(
        requests=client.stats.requests,
        retries=client.stats.retries,
        rate_limited=client.stats.rate_limited,
        waited_s=pacer.waited_s,
        elapsed_s=time.monotonic() - started,
    )
    return report


def _pacer(
    ledger: Ledger,
    base_url: str,
    options: UploadOptions,
    stop: threading.Event,
    progress: ProgressSink,
) -> Pacer:
    """A pacer told what is known: the option, else what an earlier run learned from the server."""
    limit, window = options.rate_limit, options.rate_window_s
    if limit is None:
        learned = ledger.get_meta(f"rate_limit {base_url}")
        learned_window = ledger.get_meta(f"rate_window_s {base_url}")
        if learned is not None:
            limit = int(learned)
            if learned_window is not None and window is None:
                window = float(learned_window)
    return Pacer(limit, window, stop=stop, on_wait=progress.waiting)


def _remember_limits(ledger: Ledger, base_url: str, pacer: Pacer) -> None:
    if pacer.limit is not None and pacer.rate_limited:
        ledger.set_meta(f"rate_limit {base_url}", str(pacer.limit))
        if pacer.window_quality == "exact":  # a lower bound would be taken as told next time
            ledger.set_meta(f"rate_window_s {base_url}", repr(pacer.window_s))


def _prepare(
    inputs: Iterable[Path | str | Conversion],
    ledger: Ledger,
    convert_options: ConvertOptions | None,
    options: UploadOptions,
    registry: Registry | None,
    report: Report,
    progress: ProgressSink,
    period: Period | None,
    converter: ConvertAll,
) -> list[_Job]:
    """Convert the inputs, register their conversations, and pick the ones to send."""
    jobs: list[_Job] = []
    queued: set[str] = set()
    conversions = _conversions(
        inputs, ledger, convert_options, registry, report, progress, period, converter
    )
    for conversion in conversions:
        path = path_text(conversion.input)
        ledger.record_input(
            path, conversion.content_sha256, format=conversion.format,
            conversations=len(conversion.conversations),
        )  # fmt: skip
        item = InputResult(path, "done", conversion.format, conversion.content_sha256)
        report.inputs.append(item)
        entries = ledger.register_all(
            conversion.content_sha256,
            path,
            [(c.key, c.index, c.endpoint) for c in conversion.conversations],
        )
        for conv, entry in zip(conversion.conversations, entries, strict=True):
            result = ConversationResult(
                conv.key, conv.index, conv.endpoint, entry.status, entry.conversation_id,
                entry.discarded, attempts=entry.attempts, error=entry.last_error,
            )  # fmt: skip
            item.conversations.append(result)
            if _should_send(entry, options, ledger) and conv.key not in queued:
                queued.add(conv.key)
                jobs.append(_Job(conv, path, result))
    return jobs


def _should_send(entry: Entry, options: UploadOptions, ledger: Ledger) -> bool:
    if entry.status == "sending" and entry.endpoint == TEXT_ENDPOINT:
        # An earlier run stopped while this text was on its way: it may be in Omi already.
        if options.resend_uncertain:
            return True
        ledger.mark_uncertain(
            entry.key, "an earlier run stopped while sending it; it may or may not be in Omi"
        )
        return False
    return (
        entry.status in ("pending", "sending")
        or (entry.status == "failed" and options.retry_failed)
        or (entry.status == "uncertain" and options.resend_uncertain)
    )


def _conversions(
    inputs: Iterable[Path | str | Conversion],
    ledger: Ledger,
    convert_options: ConvertOptions | None,
    registry: Registry | None,
    report: Report,
    progress: ProgressSink,
    period: Period | None,
    converter: ConvertAll,
) -> Iterable[Conversion]:
    """The conversions of the inputs; skipped and failed files go into the report and ledger."""
    paths: list[Path | str] = []
    for item in inputs:
        if isinstance(item, Conversion):
            yield item
        else:
            paths.append(item)
    if not paths:
        return
    for outcome in converter(paths, convert_options, registry=registry, period=period):
        path = path_text(outcome.path)
        if outcome.conversion is not None:
            yield outcome.conversion
        elif outcome.skipped is not None:
            report.inputs.append(InputResult(path, "unsupported", error=outcome.skipped))
            progress.note(f"Skipped: {path}: {outcome.skipped}")
        else:
            error = str(outcome.error)
            sha = outcome.sha256 or ""
            ledger.record_input(path, sha, format=None, error=error)
            report.inputs.append(InputResult(path, "failed", sha256=sha, error=error))
            progress.note(f"Error: {error}")


def _send(
    job: _Job,
    client: OmiClient,
    ledger: Ledger,
    progress: ProgressSink,
    report: Report,
    stop: threading.Event,
    pacer: Pacer,
) -> None:
    conv, result = job.conversation, job.result
    label = f"{job.path} #{conv.index + 1}"
    try:
        created = client.create(conv, _Hooks(ledger, conv.key, progress))
    except Stopped:
        return
    except StopError as exc:
        # 401/403, a certificate refused or a redirect: before any work, nothing was created.
        ledger.mark_pending(conv.key)
        if not stop.is_set():
            report.stopped = str(exc)
            stop.set()
            pacer.stop()
        return
    except RejectedError as exc:
        ledger.mark_failed(conv.key, str(exc), body=conv.json.decode())
        progress.finished(f"failed: {label}: {exc}")
        return
    except UncertainError as exc:
        ledger.mark_uncertain(conv.key, str(exc))
        progress.finished(f"uncertain: {label}: {exc}")
        return
    except TransientError as exc:
        ledger.mark_pending(conv.key, str(exc))
        progress.finished(f"not sent: {label}: {exc}")
        return
    ledger.mark_done(conv.key, created.id, created.status, created.discarded)
    result.sent_now = True
    note = " (discarded by Omi: too short)" if created.discarded else ""
    progress.finished(f"done: {label} -> {created.id}{note}")


def _finish_results(report: Report, ledger: Ledger) -> None:
    """Copy each conversation's final ledger state into the report; set the input statuses."""
    for r in report.conversations:
        entry = ledger.get(r.client_session_id)
        if entry is None:
            continue
        r.status, r.id, r.discarded = entry.status, entry.conversation_id, entry.discarded
        r.attempts, r.error = entry.attempts, entry.last_error
        if r.status == "sending":
            # Interrupted mid-request: segments are re-sent safely; text becomes uncertain.
            r.error = "interrupted while sending; a re-run settles it"
    for item in report.inputs:
        if item.status in ("unsupported", "failed") and not item.conversations:
            continue
        states = {c.status for c in item.conversations}
        if "failed" in states:
            item.status = "failed"
        elif "uncertain" in states:
            item.status = "uncertain"
        elif states - {"done"}:
            item.status = "incomplete"
        else:
            item.status = "done"
