"""Pacing rate-limited writes so that a batch waits instead of hammering the server.

Omi counts writes per API key in a *fixed window* that starts at the first request (25 per hour
on the public server, more on some deployments; ``server-behavior.md``). A 429 carries
``Retry-After`` (seconds to the window's end) and ``X-RateLimit-Limit``.

The algorithm (one :class:`Pacer` shared by all worker threads):

* Our estimate of the server's window starts at the first request we send after the previous
  window ended; the server starts its window when that request arrives, a moment later, so our
  estimate ends a little early: we wait ``margin`` (1 % of the window, at least 50 ms, at most
  2 s) beyond it.
* With a known limit ``L``, at most ``L`` requests are let through per window; the next one waits
  for the window's end. Every attempt counts (the server counts replays and 422s too), but one
  answered 503 "Rate limiter unavailable": the limiter was down and counted nothing (Omi's
  raises it when its Redis check fails), so :meth:`Pacer.uncounted` gives the grant back to its
  window, at most ``L`` a window (a limiter that stays down is not tried without end). Such an
  answer says nothing of the window either: a request that opened the window alone (a probe
  among them) gives the window back too, and the next grant opens it.
* An unknown limit is not guessed: requests go out until the first 429, whose
  ``X-RateLimit-Limit`` teaches ``L`` and whose ``Retry-After`` tells when the window ends. All
  threads then wait for that moment. The limit can also be given up front (``--rate-limit``).
* The window length is learned from 429s too: ``reset - start of the server's window``. That is
  *exact* when our window began with the server's (we started it right after a reset the
  server announced). Otherwise it is a *lower bound*: the server's window holds more than
  ``limit`` requests, so it began at the latest with our ``limit + 1``-th most recent request
  (with fewer of ours, an earlier run or another client of the key opened it before our first;
  with the limit unknown the server's window may have restarted several times since our first
  request, which is why that request is no bound). An exact length is never replaced by a
  lower bound (the other 429s of the same burst would give one), and lower bounds only grow.
  Until a 429 it is an hour unless told.
* A ``Retry-After`` that is not a finite number of seconds is no deadline: the 429 still fills
  the window (we wait for our estimate of its end), and one longer than
  :data:`MAX_WINDOW_S` counts as that long; windows are never longer.
* While the length is only a lower bound, a new window we open on our own opens with a single
  *probe* request; the others wait for its answer (an answer to a request sent before the probe
  proves nothing). If our estimate was short, that costs one 429 (which then gives the exact
  length), not ``L`` of them. A probe answered in the window right after one that began with
  the server's shows that the estimate is not short either: it is exact from then on.

So a steady state sees no 429 at all, and at most one per window while learning or when another
client spends the same key's budget (the first window, with the limit still unknown, may see one
per request already in flight).

:meth:`Pacer.reserve` is the pure decision (testable with any clock); the uploader's scheduler
calls it and waits without holding a thread.
What was learned is remembered between runs: the limit, and the window's length with its quality
(``exact`` or ``lower``), so that a second run neither relearns nor waits an hour for a window
of seconds.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

DEFAULT_WINDOW_S = 3600.0
#: The longest window (and so the longest wait) believed. A ``Retry-After`` past it is taken as
#: this long (a server once asked for 99999999999 s, 3,170 years); a window learned or
#: remembered past it is cut to it. Omi's window is an hour.
MAX_WINDOW_S = 86_400.0
PROBE_POLL_S = 0.25
#: Waits shorter than this are not shown (a probe's answer is polled for every 0.25 s).
MIN_SHOWN_WAIT_S = 1.0
#: Send times kept to learn a window from (more than any limit seen: Omi's is 25).
MAX_SENDS_KEPT = 10_000
MAX_MARGIN_S = 2.0
MIN_MARGIN_S = 0.05


class Pacer:
    """Grants rate-limited requests; thread-safe.

    Args:
        limit: requests per window when known up front (None: learn it from the first 429).
        window_s: the window's length when known (None: an hour until a 429 shows otherwise).
        window_quality: how ``window_s`` is known: "told" (given; the default when it is),
            or remembered from an earlier run, "exact" or "lower" (a lower bound: windows we
            open on our own start with a probe).
        clock: a monotonic clock (injectable for tests).
        on_wait: called with the monotonic time a wait ends, each time one begins.
    """

    def __init__(
        self,
        limit: int | None = None,
        window_s: float | None = None,
        *,
        window_quality: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        on_wait: Callable[[float], None] | None = None,
    ) -> None:
        if limit is not None and limit < 1:
            raise ValueError("limit must be at least 1")
        if window_s is not None and not (math.isfinite(window_s) and window_s > 0):
            raise ValueError("window_s must be a positive number of seconds")
        self.limit = limit
        self.window_s = DEFAULT_WINDOW_S if window_s is None else min(window_s, MAX_WINDOW_S)
        #: "told" (given), "exact" (learned in an aligned window), "lower" (a lower bound), or
        #: "unknown" (never learned: an hour).
        self.window_quality = (
            "unknown" if window_s is None else window_quality if window_quality else "told"
        )
        self._probing = False
        self._probe_sent: float | None = None
        #: When our recent requests were granted (the window is learned from them).
        self._sends: deque[float] = deque(maxlen=MAX_SENDS_KEPT)
        self._probe_follows_aligned = False
        #: Counts the windows opened (the scheduler tells requests of this window from older).
        self.window_id = 0
        self._clock = clock
        self._on_wait = on_wait
        self._lock = threading.Lock()
        self._window_start: float | None = None
        self._count = 0
        #: Grants given back to this window (:meth:`uncounted`), and whether a 429 said it is
        #: full (then none is).
        self._uncounted = 0
        self._full = False
        self._blocked_until: float | None = None
        self._after_reset = False
        self._opener_pending = False
        self._reset_start: float | None = None
        self.rate_limited = 0
        self.waited_s = 0.0
        self._waited_to = float("-inf")
        self._wait_shown = float("-inf")

    @property
    def margin_s(self) -> float:
        return min(MAX_MARGIN_S, max(MIN_MARGIN_S, 0.01 * self.window_s), 0.1 * self.window_s)

    # -- the decision ------------------------------------------------------------------------

    def reserve(self, now: float) -> float | None:
        """Grant one request at ``now`` (None) or say how many seconds to wait first."""
        with self._lock:
            if self._blocked_until is not None:
                if now < self._blocked_until:
                    return self._blocked_until - now
                # The server said its window ends here: the next request starts a new one.
                self._blocked_until = None
                self._window_start, self._count, self._after_reset = None, 0, True
            if self._probing:
                return PROBE_POLL_S  # the probe's answer (see answered()) decides
            if self._window_start is not None:
                end = self._window_start + self.window_s + self.margin_s
                if now >= end:
                    self._window_start, self._count = None, 0
                elif self.limit is not None and self._count >= self.limit:
                    return end - now
            if self._window_start is None:
                self._window_start, self._uncounted, self._full = now, 0, False
                self._opener_pending = True
                self.window_id += 1
                if self._after_reset:
                    self._reset_start, self._after_reset = now, False
                elif self.window_quality == "lower":
                    # Our estimate of the server's window may be short: ask with one request.
                    self._probing, self._probe_sent = True, None
                    self._probe_follows_aligned = self._reset_start is not None
                else:
                    self._reset_start = None  # a window of our own: no 429 measures from it
            self._count += 1
            self._sends.append(now)
            return None

    def sending(self) -> float:
        """Called just before a granted request goes on the wire (after the ledger write);
        returns the moment, which its answer passes back to :meth:`answered`.

        The first request of a window moves the window's start to this moment, so that the time
        spent between the grant and the send is not taken from the window.
        """
        with self._lock:
            now = self._clock()
            if self._opener_pending:
                self._opener_pending = False
                if self._probing:
                    self._probe_sent = now
                if self._window_start is not None and now > self._window_start:
                    if self._reset_start == self._window_start:
                        self._reset_start = now
                    self._window_start = now
            return now

    def rate_limited_at(self, now: float, retry_after: float | None, limit: int | None) -> None:
        """Learn from a 429 (its ``Retry-After`` and ``X-RateLimit-Limit``)."""
        with self._lock:
            self.rate_limited += 1
            if limit is not None and limit >= 1:
                self.limit = limit
            # Whatever else it says, a 429 settles a probe and means the window is full.
            self._probing = False
            self._count = max(self._count, self.limit or 0)
            self._full = True
            if retry_after is None or not math.isfinite(retry_after):
                return  # no deadline: reserve() waits for our estimate of the window's end
            reset = now + min(max(0.0, retry_after), MAX_WINDOW_S)
            # The server's window began at one of our requests. After a reset it told us of, it
            # began with our next request (``_reset_start``): ``reset - that`` is its length.
            # Before any such reset (an earlier run may have opened it), ``reset - our window's
            # start`` is only a lower bound.
            if self._reset_start is not None:
                learned = reset - self._reset_start
                if learned > 0 and self.window_quality != "told":
                    self.window_s, self.window_quality = learned, "exact"
            elif self.window_quality in ("unknown", "lower") and self._sends:
                learned = reset - self._server_start_bound()
                if learned > 0:
                    low = self.window_quality == "lower"
                    self.window_s = max(self.window_s, learned) if low else learned
                    self.window_quality = "lower"
            self.window_s = min(self.window_s, MAX_WINDOW_S)
            self._reset_start = None
            if self._blocked_until is None or reset > self._blocked_until:
                self._blocked_until = reset

    def _server_start_bound(self) -> float:
        """The latest moment the server's current window can have begun (a 429 has come).

        It holds more than ``limit`` requests, ours among them: it began at the latest with
        our ``limit + 1``-th most recent request. With fewer of ours, another client (or an
        earlier run) opened it, before our first one.
        """
        need = (self.limit or 0) + 1
        if self.limit is not None and len(self._sends) >= need:
            return self._sends[-need]
        return self._sends[0]

    def uncounted(self, sent_at: float | None) -> None:
        """The request sent at ``sent_at`` (:meth:`sending`) found the server's limiter down (503
        "Rate limiter unavailable"): it counted nothing, so the grant goes back to its window
        (at most ``limit`` a window, none to a window a 429 said is full). A request that opened
        the window alone (a probe among them) began no window at the server: ours is closed
        again, and the next grant opens it (as the first after a reset the server announced,
        where this one was; probing again where a probe was due)."""
        with self._lock:
            start = self._window_start
            if sent_at is None or start is None or sent_at < start:
                return  # a request of a window that is over: its count no longer matters
            if self._full or (self.limit is not None and self._uncounted >= self.limit):
                return
            self._uncounted += 1
            self._count = max(0, self._count - 1)
            if self._count > 0:
                return
            self._window_start, self._opener_pending = None, False
            self._probing, self._probe_sent = False, None
            if self._reset_start == start:
                self._after_reset, self._reset_start = True, None

    def answered(self, sent_at: float | None = None) -> None:
        """An answer other than a 429 came back (or none will) for the request sent at
        ``sent_at``: if that is the probe (or one sent after it), the probe's window is open.

        A probe answered in the window that follows one aligned with the server's also shows
        that our estimate of the length is not short: it is exact from then on (no more probes).
        """
        with self._lock:
            if not self._probing:
                return
            if sent_at is not None and self._probe_sent is not None and sent_at < self._probe_sent:
                return  # an answer to a request of the window before: it proves nothing
            self._probing = False
            if self._probe_follows_aligned:
                self.window_quality = "exact"
            self._reset_start = None

    def observe(self, limit: int | None, remaining: int | None) -> None:
        """Learn from rate-limit headers on a non-429 response (some deployments send them)."""
        with self._lock:
            if limit is not None and limit >= 1:
                self.limit = limit
                if remaining is not None and self._window_start is not None:
                    self._count = max(self._count, limit - remaining)

    # -- blocking ----------------------------------------------------------------------------

    def wait_begins(self, now: float, delay: float) -> None:
        """Tell ``on_wait`` of a wait of ``delay`` seconds from ``now``, once per wait (not per
        thread, nor for the short polls while a probe is answered)."""
        until = now + delay
        with self._lock:
            if delay < MIN_SHOWN_WAIT_S:
                return
            if until > self._wait_shown + 1.0 or until < self._wait_shown - 1.0:
                self._wait_shown = until
                if self._on_wait is not None:
                    self._on_wait(until)

    def waited(self, start: float, end: float) -> None:
        """Count ``start..end`` as time the batch waited for the limit (threads waiting
        together count once): waits that happened, not waits planned."""
        with self._lock:
            start = max(start, self._waited_to)
            if end > start:
                self.waited_s += end - start
                self._waited_to = end

    # -- estimates ---------------------------------------------------------------------------

    def budget(self, now: float) -> tuple[int | None, float]:
        """Grants left in the window ``now`` is in (None: the limit is unknown) and the seconds
        until the next window begins."""
        with self._lock:
            span = self.window_s + self.margin_s
            if self._blocked_until is not None and now < self._blocked_until:
                return 0, self._blocked_until - now
            if self._window_start is None or now >= self._window_start + span:
                return self.limit, span
            left = None if self.limit is None else max(0, self.limit - self._count)
            return left, self._window_start + span - now

    def window_count(self, now: float) -> tuple[int, float]:
        """Requests granted in the current window, and the seconds since it began."""
        with self._lock:
            if self._window_start is None or now >= self._window_start + self.window_s:
                return 0, 0.0
            return self._count, now - self._window_start

    def eta(
        self, requests: int, now: float | None = None, *, assume_limit: int | None = None
    ) -> float | None:
        """Seconds until ``requests`` more can have been granted (None while the limit is
        unknown and no ``assume_limit`` is given)."""
        if requests <= 0:
            return 0.0
        with self._lock:
            limit = self.limit if self.limit is not None else assume_limit
            if limit is None:
                return None
            now = self._clock() if now is None else now
            span = self.window_s + self.margin_s
            if self._blocked_until is not None and now < self._blocked_until:
                first, window_end, left = self._blocked_until, self._blocked_until + span, limit
            elif self._window_start is None or now >= self._window_start + span:
                first, window_end, left = now, now + span, limit
            elif self._count < limit:
                first, window_end = now, self._window_start + span
                left = limit - self._count
            else:
                first, window_end, left = (
                    self._window_start + span,
                    self._window_start + 2 * span,
                    limit,
                )
        if requests <= left:
            return first - now
        more = math.ceil((requests - left) / limit)
        return window_end - now + (more - 1) * span
