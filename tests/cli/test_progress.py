"""Progress output: the rate-limit resume time is the real one, with its date when not today."""

from __future__ import annotations

import io
import re
import time
from datetime import datetime, timedelta

from importers.cli.progress import PlainProgress, wall_clock
from importers.upload.pacing import MAX_WINDOW_S


def test_a_wait_ending_today_shows_the_time_only() -> None:
    soon = time.monotonic() + 60
    expected = datetime.now() + timedelta(seconds=60)
    shown = wall_clock(soon, now=expected)  # "today" is the day the wait ends
    assert shown == expected.strftime("%H:%M:%S") or shown == (
        expected + timedelta(seconds=1)
    ).strftime("%H:%M:%S")


def test_a_wait_past_midnight_shows_the_date() -> None:
    later = time.monotonic() + MAX_WINDOW_S
    ends = datetime.now() + timedelta(seconds=MAX_WINDOW_S)
    shown = wall_clock(later, now=ends - timedelta(days=1))
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", shown)
    assert shown.startswith(ends.strftime("%Y-%m-%d "))


def test_the_plain_progress_line_carries_the_date_for_a_long_wait() -> None:
    out = io.StringIO()
    PlainProgress(out).waiting(time.monotonic() + MAX_WINDOW_S)
    tomorrow = (datetime.now() + timedelta(seconds=MAX_WINDOW_S)).strftime("%Y-%m-%d ")
    assert out.getvalue().startswith(f"waiting for the rate limit until {tomorrow}")


def test_a_done_line_carries_the_eta_while_requests_are_left_and_not_after_the_last() -> None:
    out = io.StringIO()
    progress = PlainProgress(out)
    progress.queued(2)
    progress.all_queued()
    progress.eta(150.0, False)
    progress.finished("done: a.srt #1 -> id-a")
    progress.finished("done: b.srt #1 -> id-b")  # the ETA told is from before this answer
    lines = out.getvalue().splitlines()
    assert lines == [
        "2 requests to make; ETA 2 min 30 s",
        "[1/2] done: a.srt #1 -> id-a, ETA 2 min 30 s",
        "[2/2] done: b.srt #1 -> id-b",
    ]


def test_no_total_before_it_is_known_and_an_assumed_eta_only_once() -> None:
    """While files still convert the total grows: no `n/N` until it is known. An ETA at Omi's
    documented limit (the server has not told its own) is said once, not on every line."""
    out = io.StringIO()
    progress = PlainProgress(out)
    progress.queued(2)
    progress.eta(7200.0, True)
    progress.finished("done: a.srt #1 -> id-a")
    progress.queued(1)
    progress.all_queued()
    progress.finished("done: b.srt #1 -> id-b")
    assert out.getvalue().splitlines() == [
        "ETA 2 h 00 min (at Omi's documented 25 an hour until the server tells its limit)",
        "[1] done: a.srt #1 -> id-a",
        "[2/3] done: b.srt #1 -> id-b",
    ]


def test_no_eta_when_there_is_nothing_to_wait_for() -> None:
    """A re-run whose files are all in Omi already sends nothing: no ETA. While files still
    convert, a short estimate (one request's latency) is not said either; a long one is."""
    out = io.StringIO()
    progress = PlainProgress(out)
    progress.eta(5.0, False)  # one file expected, not converted yet
    progress.all_queued()  # it was in Omi already: nothing queued
    progress.eta(5.0, False)
    assert out.getvalue() == ""
    progress = PlainProgress(out)
    progress.eta(3600.0, True)
    assert out.getvalue().startswith("ETA 1 h 00 min (at Omi's documented 25 an hour")
