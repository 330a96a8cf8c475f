"""The pacer's decisions, with a fake clock."""

from __future__ import annotations

import pytest

from importers.pacing import Pacer, floor_seconds


def grant_all(pacer: Pacer, now: float, n: int) -> list[float | None]:
    return [pacer.reserve(now) for _ in range(n)]


def test_known_limit_lets_limit_through_then_waits_for_the_window() -> None:
    pacer = Pacer(3, 10.0)
    assert grant_all(pacer, 0.0, 3) == [None, None, None]
    wait = pacer.reserve(1.0)
    assert wait == pytest.approx(9.0 + pacer.margin_s)
    assert pacer.reserve(10.0 + pacer.margin_s) is None  # a new window
    assert pacer.granted == 4


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


def test_floor() -> None:
    assert floor_seconds(100, 25, 3600) == 3 * 3600
    assert floor_seconds(25, 25, 3600) == 0
