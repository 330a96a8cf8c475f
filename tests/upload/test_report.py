"""The summaries import and delete print at the end: counts said right, one or many."""

from __future__ import annotations

from importers.upload.report import DeletionResult, Report, Totals


def test_one_request_one_retry_and_one_old_conversation_are_said_in_the_singular() -> None:
    report = Report(run=4, totals=Totals(requests=1, retries=1, waited_s=0.0, elapsed_s=2.5))
    report.deleted.append(DeletionResult("call.srt", 0, "old-id", "deleted"))
    assert report.summary()[0] == (
        "0 of 0 conversations in Omi (0 new, 0 already there; 1 old one deleted); 1 request, "
        "1 retry, 0 rate-limited, 0.0 s waiting for the rate limit, 2.5 s in all"
    )
    assert report.deletion_summary() == [
        "1 conversation of 1 file deleted from Omi (run 4); 1 request, 1 retry, 0.0 s waiting "
        "for the rate limit, 2.5 s in all"
    ]


def test_many_are_said_in_the_plural() -> None:
    report = Report(run=5, totals=Totals(requests=1200, retries=3, rate_limited=2))
    report.deleted += [DeletionResult("a.srt", i, f"id-{i}", "deleted") for i in range(2)]
    assert report.summary()[0] == (
        "0 of 0 conversations in Omi (0 new, 0 already there; 2 old ones deleted); "
        "1,200 requests, 3 retries, 2 rate-limited, 0.0 s waiting for the rate limit, "
        "0.0 s in all"
    )
