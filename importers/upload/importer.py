"""Import files into Omi exactly once, one conversation per recording; delete what was imported.

>>> importer = Importer(load_settings(), Ledger.open())      # doctest: +SKIP
>>> report = importer.run(["~/Zoom"])                        # doctest: +SKIP
>>> report.ok                                                # doctest: +SKIP
>>> importer.delete(paths=["call.srt"])                      # doctest: +SKIP

An :class:`Importer` holds what every run needs: the settings (where Omi is, the key), the
ledger (what is in Omi), how files are read (registry, convert options, converter) and sent
(:class:`UploadOptions`, a transport), and where progress goes. Each of its methods is one run,
numbered in the ledger: :meth:`Importer.run`, :meth:`Importer.stream` (the watcher's: inputs
that come over time) and :meth:`Importer.delete`.

**Streaming.** A producer thread converts the inputs one at a time
(:func:`importers.conversion.pipeline.convert_all` is lazy; :mod:`importers.upload.producer`) and
hands each conversation to the :class:`~importers.upload.scheduler.Scheduler` through a bounded
queue, so the first request leaves as soon as the first file is converted, and converting runs at
most
:data:`INTAKE` requests ahead. A file that fails is reported and the others go on. A stream is
the same run fed with batches of files as they arrive: one pacer (its window and what it
learned hold across the batches), one scheduler and one run in the ledger.

**Ctrl-C** stops a run at any moment, conversion included: the attempts in flight finish
(a second Ctrl-C does not wait for them) and the report is returned with ``stopped`` set to
:data:`~importers.upload.session.INTERRUPTED`. A re-run finishes the rest.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from importers.conversion.options import ConvertOptions
from importers.conversion.pipeline import Conversion, ConvertAll, convert_all
from importers.errors import ConfigError
from importers.inputs import FolderPart, Period, list_files
from importers.registry import Registry
from importers.upload.client import READ_TIMEOUT_S, RetryPolicy
from importers.upload.intake import Intake
from importers.upload.jobs import READBACK_AFTER_S
from importers.upload.ledger import Ledger
from importers.upload.pacing import MAX_WINDOW_S
from importers.upload.producer import Producer
from importers.upload.progress import NullProgress, ProgressSink
from importers.upload.recordings import deletable
from importers.upload.report import DeletionResult, InputResult, Report
from importers.upload.session import INTERRUPTED, Session
from importers.upload.settings import Settings

#: Requests converted ahead of uploading at most (the bounded queue between the two).
INTAKE = 32
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
            rate limit, at most :data:`~importers.upload.scheduler.DEFAULT_CAP`).
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


class Importer:
    """Imports into one Omi account and keeps its ledger (module docstring).

    Args:
        settings: base URL and API key (the key is needed only when something must be sent).
        ledger: what is already in Omi; updated as requests complete.
        options: retries, pacing, replacing and re-send choices.
        convert_options: how to turn files into request bodies.
        registry: the format adapters (default: the installed ones).
        transport: an httpx transport for tests.
        progress: where to show progress (default: nowhere).
        converter: what turns paths into outcomes: :func:`convert_all`, or a Dask cluster's
            (:meth:`importers.conversion.cluster.DaskCluster.convert_all`, ``--dask``).
    """

    def __init__(
        self,
        settings: Settings,
        ledger: Ledger,
        *,
        options: UploadOptions | None = None,
        convert_options: ConvertOptions | None = None,
        registry: Registry | None = None,
        transport: httpx.BaseTransport | None = None,
        progress: ProgressSink | None = None,
        converter: ConvertAll = convert_all,
    ) -> None:
        self.settings, self.ledger = settings, ledger
        self.options = options or UploadOptions()
        self.convert_options, self.registry = convert_options, registry
        self.transport, self.converter = transport, converter
        self.progress: ProgressSink = progress or NullProgress()

    def run(
        self, inputs: Iterable[Path | str | Conversion], *, period: Period | None = None
    ) -> Report:
        """Import files, folders (recursively) or ready conversions.

        Args:
            inputs: paths (folders are walked) or :class:`Conversion` objects.
            period: leave out the files of folder walks modified outside it
                (``--since``/``--until``).

        Returns:
            The :class:`Report`; ``report.ok`` is True when everything asked for is in Omi.

        Raises:
            ConfigError: there is something to send but no API key.
        """
        items = list(inputs)
        paths = [i for i in items if not isinstance(i, Conversion)]
        # Every file the walk meets is an outcome of the conversion (skipped ones too): the
        # count the estimate of requests still to come is made against.
        files = len(items) - len(paths) + len(list_files(paths))
        return self.stream([items], files=lambda: files, period=period)

    def stream(
        self,
        batches: Iterable[Sequence[Path | str | FolderPart | Conversion]],
        *,
        files: Callable[[], int],
        period: Period | None = None,
        kind: str = "import",
        on_unreachable: Callable[[str], None] | None = None,
        on_converted: Callable[[Conversion, InputResult], None] = lambda conversion, result: None,
    ) -> Report:
        """:meth:`run` over inputs that come in batches over time, in one run.

        Args:
            batches: the inputs, a batch at a time; iterating may wait for the next batch (it
                runs in the converting thread). The run ends when the batches end, or is
                stopped.
            files: how many input files the batches have brought so far (for the ETA's
                estimate of the requests of files not converted yet).
            kind: the run's kind in the ledger (``import``, ``watch``).
            on_unreachable: told a line when Omi cannot be reached, the run pausing and trying
                again instead of stopping (None: it stops, as ``import`` does).
            on_converted: told each conversion and its file's result (``exists`` when held
                back; its conversations as the ledger had them) once the ledger holds it (in
                the converting thread).

        Other arguments, the return value and the errors are :meth:`run`'s.
        """
        progress = self.progress
        session = Session.begin(kind, self)
        intake = Intake(INTAKE)
        producer: Producer | None = None
        try:  # Ctrl-C at any moment from here on ends in a report
            settle = self.ledger.due_deletions()
            progress.start(files())
            intake.expected = files()  # a conversation a file, until the first are converted
            producer = Producer(batches, files, session, intake, period, on_converted)
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

    def delete(self, *, paths: Iterable[Path | str] = (), run: int | None = None) -> Report:
        """Delete from Omi the conversations imported from ``paths`` and/or by run ``run``.

        The DELETEs are paced with the imports' (the same rate-limit unit). Each conversation is
        marked ``deleting`` before its DELETE and ``deleted`` after it (404 counts: gone
        already), so a run stopped half way is finished by the next ``delete`` or ``import``.

        Returns:
            A :class:`Report`: ``deleted`` lists each conversation; ``inputs`` lists the paths
            the ledger holds nothing of (``failed``), and conversations that may be in Omi
            without a known id (which cannot be deleted from here).

        Raises:
            ConfigError: something must be deleted but there is no API key.
        """
        session = Session.begin("delete", self)
        wanted = [Path(p).expanduser() for p in paths]
        with_id, without, missing = deletable(self.ledger, paths=wanted, run=run)
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
                self.progress.queued(len(jobs))
                scheduler.add(jobs)
                scheduler.run()
                session.stopped_by(scheduler)
            except KeyboardInterrupt:
                report.stopped = INTERRUPTED
        return session.finish()
