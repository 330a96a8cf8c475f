"""Sending many requests under one rate limit so that the window never idles.

The uploader hands the :class:`Scheduler` *jobs* (create a conversation, delete one, read one
back); a job makes one request per *attempt*. One dispatcher loop, in the caller's thread,
decides what goes next; attempts run on pool threads. A job that must wait (backoff after a
5xx, a ``processing`` answer, a provider's 429) waits in a heap, holding no thread and no slot,
so the other jobs keep the rate-limit window full.

**How many writes are in flight.** The pacer (:mod:`importers.upload.pacing`) grants each write
(POST or DELETE: one unit each); the scheduler sizes how many may be in flight at once:

* one, until the server has answered at all: a wrong or read-only key costs one request;
* with the limit still unknown, a slow start: :data:`SLOW_START`, then
  :data:`SLOW_START_STEP` more with each success, so the 429 that teaches the limit finds few
  requests in flight, and half as many after each failure that spent a write unit, so a server
  failing every conversation gets few before the run stops (:mod:`importers.upload.jobs`);
* with the limit known, enough to spend what is left of this window's budget before it ends at
  the observed latency: this window's requests (granted and to grant) ``ceil((left +
  granted) * latency / seconds left)`` at a time, plus those of older windows still in flight
  (a 2-8 s server outlasts a 4 s window): a window of 25 an hour is sent one request at a time
  against a 30 s server, a short one all at once; the last requests of a run go at once;
* never more than the cap (``--workers``, default :data:`DEFAULT_CAP`).

**Reads** (GET: looking a conversation up) are jobs too, granted by the reads' own pacer (a
budget of their own, 60 an hour on Omi), at most :data:`READS_AT_ONCE` in flight, retried
through the same heap as writes: one retry engine for every request.

**Unreachable.** An attempt whose connection cannot be made at all (DNS, refused, TLS, timeout)
holds every attempt back for a backoff, and the next one goes to another job. After
:data:`UNREACHABLE_STOP` such failures in a row on different jobs (within a second or two for a
server on this machine, which is simply not running), with no answer between, the
run stops with one message naming the host and the cause (``UnreachableError``). Nothing was
sent, so a re-run resumes. A scheduler told ``on_unreachable`` (the watcher, which must keep
running) pauses instead: it says so, holds every attempt for the client's backoff (growing with
each failure, at most the policy's ``backoff_max_s``), then tries one request, and says when the
host answers again; attempts that reached no server use up no job's retries there.

**Stopping.** :meth:`Scheduler.stop` (an auth error, Ctrl-C) lets the attempts in flight finish
and starts no more; a second Ctrl-C while they finish returns at once (they stay ``sending`` in
the ledger, which a re-run settles).

**The ETA** is recomputed every second, so it ticks during waits: the writes not sent yet (ready,
waiting out a backoff, and those of files not converted yet, estimated from the files so far;
never the ones in flight), spread over the windows the pacer will grant them in, assuming Omi's
documented 25 an hour until the server tells its limit (or lets more through), plus one
latency for the last answers. The time "waiting for the rate limit" is the time during which a
job was ready and the pacer said wait: waits that happened, not waits planned.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from importers.errors import StopError, UnreachableError
from importers.upload.client import OmiClient
from importers.upload.decisions import Retry
from importers.upload.intake import Intake, Job
from importers.upload.pacing import Pacer
from importers.upload.settings import is_loopback
from importers.wording import duration

DEFAULT_CAP = 32
#: With the limit unknown: writes in flight after the first answer, and more per answer (so
#: about three times as many per round trip).
SLOW_START = 4
SLOW_START_STEP = 2
#: Consecutive unreachable attempts, on as many different jobs, that stop the run.
UNREACHABLE_STOP = 3
#: The longest hold between unreachable attempts at a loopback address (no network to wait for).
LOOPBACK_HOLD_S = 0.25
#: Omi's documented write limit: the ETA's assumption until the server tells its own.
ASSUMED_LIMIT = 25
#: The first guess of one request's latency (seconds), before any was measured.
LATENCY_PRIOR_S = 5.0
#: Weight of the newest latency in the moving average.
LATENCY_WEIGHT = 0.3
#: Seconds between ETA updates (the display ticks down with them).
TICK_S = 1.0
#: Reads in flight at once (each granted by the read pacer).
READS_AT_ONCE = 2
UNREACHABLE_HELP = (
    "cannot reach {host} ({cause}); nothing more was sent. Check the network and the address "
    "(--base-url / OMI_API_BASE_URL), then run the same command again to resume"
)
UNREACHABLE_PAUSE = "cannot reach {host} ({cause}); nothing is lost: trying again in {wait}"
REACHABLE_AGAIN = "{host} answers again; going on"


@dataclass
class _Done:
    job: Job
    elapsed_s: float
    followups: list[Job] = field(default_factory=list)
    retry: Retry | None = None
    wait_s: float = 0.0
    gave_up: bool = False
    stop: StopError | None = None


class Scheduler:
    """Runs jobs against one pacer (module docstring).

    Args:
        client: makes the requests (its ``retry_wait`` and ``backoff`` time the retries).
        pacer: grants writes.
        cap: the most writes in flight at once.
        on_eta: told the ETA in seconds (None: unknown) every :data:`TICK_S`, with whether
            the limit is assumed (Omi's documented one) rather than known.
        on_interrupt: told how many requests are in flight when a first Ctrl-C stops the run.
        on_unreachable: told a line when the host cannot be reached and the scheduler pauses
            instead of stopping, and when it answers again (None: stop, as ``import`` does).
        clock: monotonic seconds (injectable for tests).
    """

    def __init__(
        self,
        client: OmiClient,
        pacer: Pacer,
        *,
        cap: int = DEFAULT_CAP,
        on_eta: Callable[[float | None, bool], None] = lambda seconds, assumed: None,
        on_interrupt: Callable[[int], None] = lambda in_flight: None,
        on_unreachable: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client, self.pacer, self.cap = client, pacer, max(1, cap)
        self._on_eta, self._clock = on_eta, clock
        self._on_interrupt, self._on_unreachable = on_interrupt, on_unreachable
        self._paused = False
        self._ready: deque[Job] = deque()
        self._delayed: list[tuple[float, int, Job]] = []
        self._order = itertools.count()
        self._writes: dict[Future[_Done], int] = {}
        self._reads: set[Future[_Done]] = set()
        self._wake = threading.Event()
        self._answered = False
        self._slow_start = SLOW_START
        self._unreachable: list[Job] = []
        self._unreachable_attempts = 0
        self._hold_until = 0.0
        self._blocked_since: float | None = None
        self._pacer_delay: float | None = None
        self._read_delay: float | None = None
        self._intake = Intake()
        self._last_tick = float("-inf")
        self.latency_s = LATENCY_PRIOR_S
        #: Why the run stopped early (None: it did not).
        self.stopped: str | None = None
        self.interrupted = False

    # -- feeding -----------------------------------------------------------------------------

    def add(self, jobs: Iterable[Job]) -> None:
        """Queue jobs (from the dispatcher's thread, before or during :meth:`run`)."""
        now = self._clock()
        for job in jobs:
            if job.not_before > now:
                heapq.heappush(self._delayed, (job.not_before, next(self._order), job))
            else:
                self._ready.append(job)

    def stop(self, reason: str) -> None:
        """Start nothing more; the attempts in flight finish (the first reason given stays)."""
        if self.stopped is None:
            self.stopped = reason

    # -- the loop ----------------------------------------------------------------------------

    def run(self, intake: Intake | None = None) -> None:
        """Run every job (and those that follow from them) until all are over or the run stops.

        Ctrl-C: the first stops the run (``interrupted``) and waits for the attempts in flight;
        the second returns at once.
        """
        if intake is None:
            intake = Intake()
            intake.close()
        intake.wake = self._wake.set
        self._intake = intake
        pool = ThreadPoolExecutor(
            max_workers=self.cap + READS_AT_ONCE, thread_name_prefix="omi-upload"
        )
        try:
            self._loop(intake, pool)
        except KeyboardInterrupt:
            self.interrupted = True
            self.stop("interrupted")
            if self._writes or self._reads:
                self._on_interrupt(len(self._writes) + len(self._reads))
            # A second Ctrl-C returns at once: what is in flight stays `sending` (re-run settles).
            with contextlib.suppress(KeyboardInterrupt):
                self._loop(intake, pool)
        finally:
            if self._blocked_since is not None:  # the wait the run ends in counts too
                self.pacer.waited(self._blocked_since, self._clock())
                self._blocked_since = None
            intake.cancel()
            pool.shutdown(wait=False, cancel_futures=True)

    def _loop(self, intake: Intake, pool: ThreadPoolExecutor) -> None:
        while True:
            self._wake.clear()
            now = self._clock()
            self._collect(now)
            if self.stopped is not None:
                if not self._writes and not self._reads:
                    return
            else:
                self._release_due(now)
                self._take(intake, now)
                if self._over(intake):
                    return
            if now - self._last_tick >= TICK_S:  # first before the first request goes
                self._last_tick = now
                self._on_eta(*self.eta(now, intake))
            if self.stopped is None:
                self._dispatch(pool, now)
            elif self._blocked_since is not None:
                self.pacer.waited(self._blocked_since, now)
                self._blocked_since = None
            self._wake.wait(self._timeout(now))

    def _over(self, intake: Intake) -> bool:
        pending = self._ready or self._writes or self._reads
        waiting = any(not job.optional for _, _, job in self._delayed)
        return not pending and not waiting and intake.finished

    def _take(self, intake: Intake, now: float) -> None:
        while len(self._ready) < self._target(now) + 1 and (job := intake.take()) is not None:
            self.add([job])

    def _release_due(self, now: float) -> None:
        while self._delayed and self._delayed[0][0] <= now:
            _, _, job = heapq.heappop(self._delayed)
            self._ready.appendleft(job)  # older work first

    def _dispatch(self, pool: ThreadPoolExecutor, now: float) -> None:
        blocked, delay = False, None
        self._read_delay = None
        for job in [j for j in self._ready if not j.write]:
            if len(self._reads) >= READS_AT_ONCE or self._hold_until > now:
                break
            self._read_delay = self.client.read_pacer.reserve(now)
            if self._read_delay is not None:
                break
            self._ready.remove(job)
            self._reads.add(self._submit(pool, job))
        while any(j.write for j in self._ready) and len(self._writes) < self._target(now):
            delay = self.pacer.reserve(now)
            if delay is not None:
                blocked = True
                self.pacer.wait_begins(now, delay)
                break
            job = self._next_write()
            self._ready.remove(job)
            self._writes[self._submit(pool, job)] = self.pacer.window_id
        if self._blocked_since is not None:
            self.pacer.waited(self._blocked_since, now)
        self._blocked_since = now if blocked else None
        self._pacer_delay = delay if blocked else None

    def _next_write(self) -> Job:
        """The next write to try: after an unreachable attempt, one that has not failed so
        (a different conversation tells whether it is the host or that request)."""
        writes = [j for j in self._ready if j.write]
        fresh = [j for j in writes if all(j is not u for u in self._unreachable)]
        return (fresh or writes)[0]

    def _submit(self, pool: ThreadPoolExecutor, job: Job) -> Future[_Done]:
        future = pool.submit(self._attempt, job)
        future.add_done_callback(lambda _: self._wake.set())
        return future

    def _attempt(self, job: Job) -> _Done:
        """One attempt, on a pool thread."""
        started = self._clock()
        try:
            followups = list(job.attempt())
        except Retry as exc:
            job.attempts += 1
            elapsed = self._clock() - started
            if exc.paced:
                return _Done(job, elapsed, retry=exc)  # the pacer holds it until the reset
            if exc.unreachable is not None and self._on_unreachable is not None:
                return _Done(job, elapsed, retry=exc)  # held by the pause; it reached no one
            job.failures += 1
            job.spent += exc.spent and job.write  # a read spends no write unit
            policy = self.client.policy
            if job.failures >= policy.max_attempts or job.spent >= policy.max_failures:
                job.gave_up(self.client.gave_up(exc, job.failures))
                return _Done(job, elapsed, retry=exc, gave_up=True)
            return _Done(job, elapsed, retry=exc, wait_s=self.client.retry_wait(exc, job.failures))
        except StopError as exc:
            return _Done(job, self._clock() - started, stop=exc)
        return _Done(job, self._clock() - started, followups)

    def _collect(self, now: float) -> None:
        """Take in the attempts that are over (in this thread: no locks needed)."""
        for future in [f for f in self._writes if f.done()]:
            del self._writes[future]
            self._settle(future.result(), now)
        for future in [f for f in self._reads if f.done()]:
            self._reads.discard(future)
            self._settle(future.result(), now)

    def _settle(self, done: _Done, now: float) -> None:
        job, retry = done.job, done.retry
        if done.stop is not None:
            self.stop(str(done.stop))
            return
        if retry is not None and retry.unreachable is not None:
            self._unreachable_again(job, retry.unreachable, now)
        else:
            self._unreachable.clear()
            self._unreachable_attempts = 0
            self._answered = True
            if self._paused and self._on_unreachable is not None:
                self._paused = False
                self._on_unreachable(REACHABLE_AGAIN.format(host=self.client.host))
            if job.write:
                self.latency_s += LATENCY_WEIGHT * (done.elapsed_s - self.latency_s)
                if retry is None:
                    self._slow_start = min(self.cap, self._slow_start + SLOW_START_STEP)
                elif retry.spent:  # a failure: fewer in flight while it lasts, not more
                    self._slow_start = max(1, self._slow_start // 2)
        if retry is None:
            self.add(done.followups)
        elif not done.gave_up and self.stopped is None:
            self.client.retried(f"{job.label}: {retry.reason}")
            heapq.heappush(self._delayed, (now + done.wait_s, next(self._order), job))

    def _unreachable_again(self, job: Job, cause: str, now: float) -> None:
        self._unreachable_attempts += 1
        if all(job is not j for j in self._unreachable):
            self._unreachable.append(job)
        # Different jobs each time, unless there is no other to try (a run of one or two; a
        # pausing one does not wait for files that may come).
        others = [j for j in self._ready if j.write] + [j for _, _, j in self._delayed if j.write]
        pausing = self._on_unreachable
        alone = (self._intake.finished or pausing is not None) and all(
            any(j is u for u in self._unreachable) for j in others
        )
        failed = len(self._unreachable) if not alone else self._unreachable_attempts
        host = self.client.host
        if failed < UNREACHABLE_STOP:
            wait = self.client.backoff(len(self._unreachable))
            # A server on this machine that cannot be reached is not running: no network to
            # wait for, so its attempts come quickly and an import stops within a second or two.
            self._hold_until = now + (min(wait, LOOPBACK_HOLD_S) if is_loopback(host) else wait)
        elif pausing is None:
            self.stop(str(UnreachableError(UNREACHABLE_HELP.format(host=host, cause=cause))))
        else:  # the pause, longer with each failure
            wait = self.client.backoff(self._unreachable_attempts)
            self._paused = True
            pausing(UNREACHABLE_PAUSE.format(host=host, cause=cause, wait=duration(wait)))
            self._hold_until = now + wait

    def _timeout(self, now: float) -> float:
        waits = [TICK_S - (now - self._last_tick)]
        if self._delayed:
            waits.append(self._delayed[0][0] - now)
        if self._ready and self._hold_until > now:
            waits.append(self._hold_until - now)
        elif self._pacer_delay is not None:
            waits.append(self._pacer_delay)
        if self._read_delay is not None:
            waits.append(self._read_delay)
        return max(0.005, min(waits))

    # -- sizing ------------------------------------------------------------------------------

    def _target(self, now: float) -> int:
        """How many writes may be in flight now (module docstring)."""
        if self._hold_until > now:
            return 0
        if not self._answered or self._unreachable:
            return 1
        if self.pacer.limit is None:
            return min(self.cap, self._slow_start)
        left, to_end = self.pacer.budget(now)
        window = self.pacer.window_id
        current = sum(1 for w in self._writes.values() if w == window)
        older = len(self._writes) - current
        # This window's requests (in flight, and still to grant) must all go before it ends,
        # one latency each, ``k`` at a time; the older windows' ones are still in flight.
        k = math.ceil(((left or 0) + current) * self.latency_s / max(to_end, 1e-3))
        waiting = sum(1 for j in self._ready if j.write) + self._intake.waiting()
        if left is not None and waiting <= left:
            k = current + waiting  # the last ones: spreading them would only end the run later
        return max(1, min(self.cap, older + max(current, k)))

    # -- the ETA -----------------------------------------------------------------------------

    def eta(self, now: float, intake: Intake) -> tuple[float | None, bool]:
        """``(seconds until everything has been answered, whether the limit is assumed)``."""
        delayed = sum(1 for _, _, job in self._delayed if job.write and not job.optional)
        unsent = sum(1 for job in self._ready if job.write) + delayed + intake.waiting()
        return eta_seconds(
            self.pacer,
            now,
            unsent=unsent,
            in_flight=len(self._writes),
            latency_s=self.latency_s,
            at_once=self.cap,
        )


def eta_seconds(
    pacer: Pacer, now: float, *, unsent: int, in_flight: int, latency_s: float, at_once: int
) -> tuple[float | None, bool]:
    """The ETA of :class:`Scheduler` as a pure function of the pacer's state (module docstring):
    the time the pacer needs to grant ``unsent`` more requests, or to send them ``at_once`` at a
    time if that is longer, plus one latency.

    Returns ``(seconds, assumed)``; ``assumed`` is True while the limit is Omi's documented
    one rather than the server's and the ETA rests on it (the requests do not all fit in what
    is left of the window).
    """
    if unsent <= 0:
        return (latency_s if in_flight else 0.0), False
    assumed = pacer.limit is None
    count, since = pacer.window_count(now)
    if assumed and count > ASSUMED_LIMIT:
        # More went through than the documented limit: this server allows more. Until it says
        # how much, go by the pace it has taken so far.
        paced = unsent * max(since, latency_s) / count
    else:
        paced = pacer.eta(unsent, now, assume_limit=ASSUMED_LIMIT) or 0.0
    sending = (math.ceil(unsent / at_once) - 1) * latency_s  # rounds before the last one
    return max(paced, sending) + latency_s, assumed and paced > 0
