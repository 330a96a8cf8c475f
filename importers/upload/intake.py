"""What the scheduler runs: the :class:`Job` protocol (one request to make, retried until it is
over), and the :class:`Intake` that brings jobs from the producer thread (the files being
converted, :mod:`importers.upload.producer`) to the scheduler's loop."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable
from typing import Protocol

from importers.errors import TransientError


class Job(Protocol):
    """One request to make, retried until it is over."""

    #: What it is about, for the lines that say so (``call.srt #1``).
    @property
    def label(self) -> str: ...

    #: Whether it needs a write grant (POST, DELETE) rather than a read's (GET).
    write: bool
    #: Whether the run may end while it still waits for its time (a read-back not yet due).
    optional: bool
    #: Attempts made so far, and those that failed (not counting 429s that said when to come
    #: back: those are waited for, and neither back off nor use up the retries), and of those
    #: the ones that spent a write unit (the server answered, or the answer was lost).
    attempts: int
    failures: int
    spent: int
    #: Not to be tried before this monotonic time.
    not_before: float

    def attempt(self) -> Iterable[Job]:
        """Make one request and record its outcome; return the jobs that follow from it.

        Raises:
            Retry: try again after :meth:`~importers.upload.client.OmiClient.retry_wait`.
            StopError: every other request would fail too (the job has recorded its state).
        """

    def gave_up(self, error: TransientError) -> None:
        """Record that the retries are used up."""


class Intake:
    """Jobs from a producer thread, through a bounded queue: the producer waits when it is
    full, so converting runs only as far ahead of uploading as ``size`` jobs."""

    def __init__(self, size: int = 32) -> None:
        self._queue: queue.Queue[Job] = queue.Queue(size)
        self._any = threading.Event()
        self._closed = threading.Event()
        self._cancelled = threading.Event()
        self.wake: Callable[[], None] = lambda: None
        #: The producer's estimate of the jobs it has yet to put (files not converted yet).
        self.expected = 0

    def put(self, job: Job) -> bool:
        """Hand over one job (waits while the queue is full); False once the run is over."""
        while not self._cancelled.is_set():
            try:
                self._queue.put(job, timeout=0.1)
            except queue.Full:
                continue
            self._any.set()
            self.wake()
            return True
        return False

    def close(self) -> None:
        """The producer has put everything."""
        self._closed.set()
        self._any.set()
        self.wake()

    def wait_any(self) -> None:
        """Wait (Ctrl-C can interrupt) for the first job, or for the end of the input."""
        while not self._any.wait(0.2):
            pass

    def cancel(self) -> None:
        self._cancelled.set()

    def take(self) -> Job | None:
        try:
            return self._queue.get_nowait()
        except queue.Empty:
            return None

    @property
    def finished(self) -> bool:
        return self._closed.is_set() and self._queue.empty()

    def waiting(self) -> int:
        return self._queue.qsize() + self.expected
