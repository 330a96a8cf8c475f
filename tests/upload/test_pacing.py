"""The pacer's decisions, with a fake clock."""

from __future__ import annotations

import pytest

from importers.upload.pacing import MAX_WINDOW_S, Pacer


def grant_all(pacer: Pacer, now: float, n: int) -> list[float | None]:
    return [pacer.reserve(now) for _ in range(n)]


def test_known_limit_lets_limit_through_then_waits_for_the_window() -> None:
    pacer = Pacer(3, 10.0)
    assert grant_all(pacer, 0.0, 3) == [None, None, None]
    wait = pacer.reserve(1.0)
    assert wait == pytest.approx(9.0 + pacer.margin_s)
    assert pacer.reserve(10.0 + pacer.margin_s) is None  # a new window


def test_unknown_limit_sends_until_a_429_then_learns_limit_and_window() -> None:
    pacer = Pacer()
    assert grant_all(pacer, 0.0, 5) == [None] * 5
    pacer.rate_limited_at(2.0, retry_after=8.0, limit=5)  # window ends at 10 s
    assert pacer.limit == 5
    assert pacer.window_s == pytest.approx(10.0)  # reset - our first request
    assert pacer.reserve(3.0) == pytest.approx(7.0)
    assert grant_all(pacer, 10.0, 5) == [None] * 5  # aligned window: exactly the limit
    assert pacer.reserve(11.0) == pytest.approx(9.0 + pacer.margin_s)


def test_an_aligned_429_corrects_an_underestimated_window() -> None:
    pacer = Pacer()
    pacer.reserve(0.0)
    pacer.rate_limited_at(0.5, retry_after=4.5, limit=2)  # an earlier run opened the window
    assert pacer.window_s == pytest.approx(5.0)
    assert grant_all(pacer, 5.0, 2) == [None, None]
    pacer.reserve(10.1)  # our estimate says a new window: the server disagrees
    pacer.rate_limited_at(10.1, retry_after=4.9, limit=2)  # true window: 10 s from 5.0
    assert pacer.window_s == pytest.approx(10.0)


def test_a_told_window_is_not_replaced_by_an_unaligned_guess() -> None:
    pacer = Pacer(2, 3600.0)
    pacer.reserve(0.0)
    pacer.rate_limited_at(1.0, retry_after=100.0, limit=2)
    assert pacer.window_s == 3600.0


def test_eta_counts_whole_windows() -> None:
    pacer = Pacer(25, 3600.0)
    span = 3600.0 + pacer.margin_s
    assert pacer.eta(25, now=0.0) == 0.0
    assert pacer.eta(26, now=0.0) == pytest.approx(span)
    assert pacer.eta(100, now=0.0) == pytest.approx(3 * span)
    assert Pacer().eta(10) is None


def test_a_burst_of_429s_keeps_the_exact_window_and_a_guessed_window_opens_with_one_probe() -> None:
    """Replays a run that started mid-window (server: 3 per 8 s window, opened by an earlier run).

    The exact length learned from the first 429 of a burst is not overwritten by the burst's
    other 429s, and a window opened on a guessed (lower-bound) length sends one probe first.
    """
    pacer = Pacer()
    assert grant_all(pacer, 0.0, 4) == [None] * 4  # limit unknown: requests go out
    for _ in range(3):  # the earlier run's window ends at 6.25
        pacer.rate_limited_at(0.01, retry_after=6.24, limit=3)
    assert (pacer.limit, pacer.window_quality) == (3, "lower")
    assert pacer.window_s == pytest.approx(6.25)  # a lower bound: reset - our first request
    # At the reset the server's window restarts with our next request: exactly the limit goes.
    assert grant_all(pacer, 6.25, 3) == [None, None, None]
    pacer.answered()
    end = 6.25 + pacer.window_s + pacer.margin_s
    assert pacer.reserve(7.0) == pytest.approx(end - 7.0)
    # Our guessed window ends before the server's: one probe only, the rest wait for its answer.
    assert pacer.reserve(end) is None
    assert pacer.reserve(end) is not None
    assert pacer.reserve(end + 0.1) is not None
    # The probe is refused: three 429s arrive for it and any retries, all with the same reset.
    for _ in range(3):
        pacer.rate_limited_at(end + 0.01, retry_after=14.25 - (end + 0.01), limit=3)
    assert pacer.window_quality == "exact"
    assert pacer.window_s == pytest.approx(8.0)  # reset 14.25 - the aligned start 6.25
    # From the next reset on, whole windows of exactly the limit, and no probing.
    assert grant_all(pacer, 14.25, 3) == [None, None, None]
    assert pacer.reserve(15.0) == pytest.approx(14.25 + 8.0 + pacer.margin_s - 15.0)
    assert grant_all(pacer, 14.25 + 8.0 + pacer.margin_s, 3) == [None, None, None]


def test_a_probe_answered_opens_the_window_for_the_rest() -> None:
    pacer = Pacer()
    pacer.reserve(0.0)
    pacer.rate_limited_at(0.5, retry_after=4.5, limit=2)  # lower bound 5.0
    assert grant_all(pacer, 5.0, 2) == [None, None]  # aligned after the reset
    start = 5.0 + 5.0 + pacer.margin_s
    assert pacer.reserve(start) is None  # the probe of a guessed window
    assert pacer.reserve(start) is not None
    pacer.answered()  # 200: the server's window was open after all
    assert pacer.reserve(start + 0.2) is None
    assert pacer.reserve(start + 0.2) is not None  # the limit (2) is reached


@pytest.mark.parametrize("retry_after", [float("inf"), float("nan"), None])
def test_a_429_without_a_usable_deadline_fills_the_window(retry_after: float | None) -> None:
    pacer = Pacer(2, 10.0)
    pacer.reserve(0.0)
    pacer.rate_limited_at(1.0, retry_after=retry_after, limit=2)
    assert pacer.reserve(1.0) == pytest.approx(9.0 + pacer.margin_s)  # not 0, not inf
    assert pacer.window_s == 10.0


def test_a_probe_answered_by_a_429_without_deadline_does_not_hang_the_others() -> None:
    """A probe's answer settles the probe, even without Retry-After (it used to poll forever)."""
    pacer = Pacer()
    pacer.reserve(0.0)
    pacer.rate_limited_at(0.5, retry_after=4.5, limit=2)  # lower bound 5.0
    assert grant_all(pacer, 5.0, 2) == [None, None]  # the window the server announced
    assert pacer.reserve(10.2) is None  # a new window we opened on our own: a probe
    assert pacer.reserve(10.3) == pytest.approx(0.25)  # the others wait for its answer
    pacer.rate_limited_at(10.4, retry_after=None, limit=2)
    assert pacer.reserve(10.5) == pytest.approx(15.2 + pacer.margin_s - 10.5)  # window's end


def test_a_retry_after_of_centuries_is_taken_as_a_day_and_so_is_the_window() -> None:
    pacer = Pacer()
    pacer.reserve(0.0)
    pacer.rate_limited_at(1.0, retry_after=99999999999.0, limit=25)
    assert pacer.reserve(1.0) == pytest.approx(MAX_WINDOW_S)
    assert pacer.window_s <= MAX_WINDOW_S + 1.0
    eta = pacer.eta(100, now=1.0)
    assert eta is not None and eta < 5 * MAX_WINDOW_S


def test_a_window_is_positive_finite_and_at_most_a_day() -> None:
    assert Pacer(25, 1e11).window_s == MAX_WINDOW_S  # e.g. remembered from an older run
    for bad in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="window_s"):
            Pacer(25, bad)


def test_a_probe_is_settled_by_its_own_answer_not_by_an_older_one() -> None:
    """An answer to a request of the window before says nothing about the probe's window."""
    clock = [0.0]
    pacer = Pacer(clock=lambda: clock[0])
    pacer.reserve(0.0)
    old = pacer.sending()
    pacer.rate_limited_at(0.5, retry_after=4.5, limit=2)  # a lower bound: 5.0
    assert pacer.window_quality == "lower"
    clock[0] = 5.0
    assert grant_all(pacer, 5.0, 2) == [None, None]  # aligned with the server's reset
    pacer.sending()
    start = 5.0 + 5.0 + pacer.margin_s
    clock[0] = start
    assert pacer.reserve(start) is None  # the probe of a window we open ourselves
    probe = pacer.sending()
    pacer.answered(old)  # a late answer to the first window's request
    assert pacer.reserve(start + 0.1) is not None
    pacer.answered(probe)
    assert pacer.reserve(start + 0.2) is None


def test_a_probe_answered_after_an_aligned_window_makes_the_length_exact() -> None:
    """Our estimate was not short (the probe got through) and not long (it is a lower bound):
    later windows open without a probe, and the length is remembered as exact."""
    pacer = Pacer()
    pacer.reserve(0.0)
    pacer.rate_limited_at(0.5, retry_after=3.5, limit=2)  # lower bound 4.0
    assert grant_all(pacer, 4.0, 2) == [None, None]
    start = 8.0 + pacer.margin_s
    assert pacer.reserve(start) is None
    pacer.answered()
    assert pacer.window_quality == "exact"
    later = start + 4.0 + pacer.margin_s
    assert grant_all(pacer, later, 2) == [None, None]  # no probe: both at once


def test_a_window_is_bounded_by_the_grant_limit_plus_one_back() -> None:
    """Limit unknown, the server's 4 s windows restart under our hour-long guess: the length
    learned from the 429 is bounded by the limit + 1-th latest grant, not our first one."""
    pacer = Pacer()
    times = [0.0, 1.0, 4.5, 5.0, 9.0, 9.5, 10.0]  # 2 per 4 s: the third of [9, 13) is refused
    for t in times:
        assert pacer.reserve(t) is None
    pacer.rate_limited_at(10.0, retry_after=3.0, limit=2)
    assert pacer.window_quality == "lower"
    assert pacer.window_s == pytest.approx(4.0)  # 13.0 - 9.0, not 13.0 - 0.0


def test_the_eta_assumes_omis_documented_limit_until_the_server_tells() -> None:
    pacer = Pacer()
    assert pacer.eta(200, now=0.0) is None
    eta = pacer.eta(200, now=0.0, assume_limit=25)
    assert eta == pytest.approx(7 * (3600.0 + pacer.margin_s))


def test_remembered_window_quality_is_kept() -> None:
    assert Pacer(3, 2.0, window_quality="lower").window_quality == "lower"
    assert Pacer(3, 2.0).window_quality == "told"
    assert Pacer(3).window_quality == "unknown"


def test_waits_count_the_time_waited_not_the_time_planned() -> None:
    pacer = Pacer()
    pacer.waited(10.0, 10.5)
    pacer.waited(10.2, 10.7)  # another thread, overlapping: counted once
    assert pacer.waited_s == pytest.approx(0.7)


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_grant_the_limiter_did_not_count_goes_back_to_its_window() -> None:
    """503 "Rate limiter unavailable": nothing was counted, so the unit may be granted again;
    at most ``limit`` a window (a limiter that stays down is not tried without end)."""
    clock = Clock()
    pacer = Pacer(2, 10.0, clock=clock)
    assert grant_all(pacer, 0.0, 2) == [None, None]
    pacer.sending()
    second = pacer.sending()
    pacer.uncounted(second)
    assert pacer.reserve(1.0) is None  # its unit again
    assert pacer.reserve(1.0) == pytest.approx(9.0 + pacer.margin_s)
    pacer.uncounted(second)
    pacer.uncounted(second)
    assert pacer.reserve(1.0) is None  # the second one given back
    pacer.uncounted(second)  # a third: past the limit given back, the window stays full
    assert pacer.reserve(1.0) == pytest.approx(9.0 + pacer.margin_s)


def test_a_window_a_429_filled_gets_no_grant_back() -> None:
    clock = Clock()
    pacer = Pacer(2, 10.0, clock=clock)
    pacer.reserve(0.0)
    sent = pacer.sending()
    pacer.rate_limited_at(1.0, retry_after=None, limit=2)
    pacer.uncounted(sent)
    assert pacer.reserve(1.0) == pytest.approx(9.0 + pacer.margin_s)


def test_a_grant_of_a_window_that_is_over_is_not_given_back_to_the_next() -> None:
    clock = Clock()
    pacer = Pacer(1, 10.0, clock=clock)
    pacer.reserve(0.0)
    sent = pacer.sending()
    clock.now = 10.0 + pacer.margin_s
    assert pacer.reserve(clock.now) is None  # the next window, now full
    pacer.sending()
    pacer.uncounted(sent)
    assert pacer.reserve(clock.now) is not None


def test_an_opener_the_limiter_did_not_count_opens_no_window() -> None:
    """The server's window begins with the first request its limiter counts: ours too."""
    clock = Clock()
    pacer = Pacer(1, 10.0, clock=clock)
    pacer.reserve(0.0)
    opener = pacer.sending()
    pacer.uncounted(opener)
    clock.now = 3.0
    assert pacer.reserve(3.0) is None
    pacer.sending()
    assert pacer.reserve(12.0) == pytest.approx(1.0 + pacer.margin_s)  # 10 s from 3.0


def test_a_probe_the_limiter_did_not_count_settles_nothing_and_is_sent_again() -> None:
    """A probe met by a limiter that was down says nothing of the server's window: the others
    keep waiting, and the next grant is a probe again (not a whole window's worth)."""
    clock = Clock()
    pacer = Pacer(clock=clock)
    pacer.reserve(0.0)
    pacer.rate_limited_at(0.5, retry_after=4.5, limit=2)  # lower bound 5.0
    assert grant_all(pacer, 5.0, 2) == [None, None]  # aligned after the reset
    clock.now = start = 5.0 + 5.0 + pacer.margin_s
    assert pacer.reserve(start) is None  # the probe of a guessed window
    probe = pacer.sending()
    pacer.uncounted(probe)
    assert pacer.reserve(start + 0.1) is None  # a probe again
    assert pacer.reserve(start + 0.1) is not None  # the rest wait for its answer
