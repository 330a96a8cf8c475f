"""Files others wrote, for the issue-24 formats, checked as a stranger's files (not kept here).

Set ``OMI_IMPORT_REAL_EXPORTS`` to a folder holding them; without it these tests skip. The facts
asserted were read off each file by eye (its header, times, names), not from our output. Where
each came from (every one found by the code search, public repositories):

``limitless/omi-backend/``
    BasedHardware/omi, the backend's Limitless import idempotency test: its ``_lifelog_md()``
    saved under its ``FN_A`` name (``2025-10-08_07h00m25s_Morning-standup.md``); ``export.zip``
    its ``_zip_bytes({lifelogs/FN_A, lifelogs/FN_B})`` (``FN_B`` with ``"Design review."``);
    ``duplicate-basenames.zip`` its ``a/lifelogs/FN_A`` + ``b/lifelogs/FN_A`` case.
``limitless/rebel-skill/2025-12-03_12h01m51s_Discussion-Title.md``
    the lifelog example of a Limitless-export import skill's README (``[8]``/``[9]``,
    ``startMs=1764763311793``), under the file name that README shows for it.
``limitless/tana-paste/limitless-pendant-test.md``
    the Limitless Pendant input of a Tana Paste converter's test (``[Speaker 1]``, ``[You]``).
``limitless/code91/2025-05-08_05h46m33s_Title-slug.md``
    code91/limitless-to-omi: its README's lifelog example under its script's example name (the
    two disagree: the name says 2025-05-08 05:46:33, the lines 2024-05-08 06:46:33 UTC).
``fireflies/bjoernschotte-get*.json``
    BjoernSchotte/fireflies-api ``test/fixtures/transcripts/get.json`` and
    ``get-with-questions.json`` (the GraphQL answer; times as strings).
``fireflies/rust-vault-detail-item.json``
    a Rust vault sync's ``detail_item`` fixture (``date`` as a float of ms, no ``dateString``).
``fireflies/measured-sentence-list.json``
    the sentence a design doc quotes as measured from the API (``speaker_id: 0``,
    ``start_time: 2.32``), saved as a bare list.
``teams-docx/sample_transcript.docx``
    written by a Japanese project's own ``create_sample_transcript()`` script (the older
    ``0:0:5.100 --> 0:0:8.250`` layout, one paragraph each for time, speaker, words).
``teams-docx/teamscleaner-*.docx``
    ASchneiderBR/teamsMettingTranscriptionCleaner ``parse-docx.test.ts``: the paragraphs of its
    two layout tests, in the ``word/document.xml`` its ``buildDocxXml`` writes.

No Voice Memos recording with its transcript could be found in a public repository.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from importers.conversion.options import ConvertOptions
from importers.conversion.pipeline import Conversion, convert_all
from importers.registry import Registry

FOLDER = os.environ.get("OMI_IMPORT_REAL_EXPORTS")
pytestmark = pytest.mark.skipif(
    not FOLDER, reason="OMI_IMPORT_REAL_EXPORTS is not set (a folder of others' export files)"
)
REGISTRY = Registry.default()


def converted(relative: str) -> list[Conversion]:
    path = Path(str(FOLDER)) / relative
    if not path.exists():
        pytest.skip(f"{relative} is not in OMI_IMPORT_REAL_EXPORTS")
    outcomes = list(convert_all([path], ConvertOptions(timezone=UTC), registry=REGISTRY))
    assert all(o.error is None for o in outcomes), [str(o.error) for o in outcomes]
    return [o.conversion for o in outcomes if o.conversion is not None]


def turns(conversion: Conversion) -> list[tuple[str, bool, float, float, str]]:
    body = conversion.conversations[0].body
    names = conversion.normalized.speakers
    return [
        (names[s.speaker] or "", s.is_user, s.start, s.end, s.text)
        for s in body.transcript_segments  # type: ignore[union-attr]
    ]


def started(conversion: Conversion) -> datetime:
    return conversion.conversations[0].body.started_at


def test_omis_own_lifelog_fixture() -> None:
    (c,) = converted("limitless/omi-backend/2025-10-08_07h00m25s_Morning-standup.md")
    assert c.format == "limitless"
    assert started(c) == datetime(2025, 10, 8, 7, 0, 25, tzinfo=UTC)  # the name, in UTC
    assert turns(c) == [
        ("Speaker 1", True, 1.0, 5.0, "Hello team, let's begin."),
        ("Speaker 2", False, 5.0, 9.0, "Sounds good to me."),
    ]
    assert [r.reason for r in c.normalized.repairs] == ["heading_skipped"] * 3


def test_omis_export_zips() -> None:
    both = converted("limitless/omi-backend/export.zip")
    assert [c.input.name for c in both] == [
        "2025-10-08_07h00m25s_Morning-standup.md",
        "2025-10-09_09h15m00s_Design-review.md",
    ]
    assert len({c.conversations[0].key for c in both}) == 2
    assert started(both[1]) == datetime(2025, 10, 9, 9, 15, tzinfo=UTC)
    # Same name, other words (Omi's importer keeps the first): two transcripts, two keys.
    twins = converted("limitless/omi-backend/duplicate-basenames.zip")
    assert [turns(c)[0][4] for c in twins] == [
        "FIRST occurrence content.",
        "SECOND occurrence content.",
    ]
    assert len({c.conversations[0].key for c in twins}) == 2


def test_a_readmes_lifelog_with_instants() -> None:
    (c,) = converted("limitless/rebel-skill/2025-12-03_12h01m51s_Discussion-Title.md")
    assert started(c) == datetime(2025, 12, 3, 12, 1, 51, tzinfo=UTC)
    assert turns(c) == [
        ("Speaker 8", False, 0.793, 6.793, "Speaker's words here."),
        ("Speaker 9", False, 39.793, 64.793, "Another speaker's words."),
    ]


def test_a_copy_from_the_app_with_named_speakers() -> None:
    (c,) = converted("limitless/tana-paste/limitless-pendant-test.md")
    assert started(c) == datetime(2025, 4, 3, 13, 57, 29, 931000, tzinfo=UTC)  # first instant
    assert [(name, user) for name, user, *_ in turns(c)] == [
        ("Speaker 1", False),
        ("You", True),
        ("Speaker 2", False),
    ]


def test_a_name_that_disagrees_with_the_lines() -> None:
    (c,) = converted("limitless/code91/2025-05-08_05h46m33s_Title-slug.md")
    assert started(c) == datetime(2024, 5, 8, 6, 46, 33, tzinfo=UTC)  # the lines' instants
    assert "name_time_disagrees" in [r.reason for r in c.normalized.repairs]
    assert [(name, user, start) for name, user, start, *_ in turns(c)] == [
        ("Speaker 0", False, 0.0),
        ("Speaker 1", True, 8.0),
    ]


@pytest.mark.parametrize(
    ("name", "start", "speakers", "user"),
    [
        ("bjoernschotte-get.json", datetime(2024, 1, 15, 10, tzinfo=UTC), ["Alice", "Bob"], None),
        (
            "bjoernschotte-get-with-questions.json",
            datetime(2024, 1, 20, 14, tzinfo=UTC),
            ["Sales Rep", "Client Contact"],
            "Sales Rep",
        ),
        (
            "rust-vault-detail-item.json",
            datetime(2026, 6, 10, 16, tzinfo=UTC),
            ["Host User", "Sam Jones"],
            None,
        ),
    ],
)
def test_fireflies_answers(
    name: str, start: datetime, speakers: list[str], user: str | None
) -> None:
    (c,) = converted(f"fireflies/{name}")
    assert c.format == "fireflies" and started(c) == start
    assert list(c.normalized.speakers.values()) == speakers
    assert {n for n, is_user, *_ in turns(c) if is_user} == ({user} if user else set())


def test_fireflies_string_times_and_a_bare_measured_sentence() -> None:
    (c,) = converted("fireflies/bjoernschotte-get.json")
    assert [(s, e) for _, _, s, e, _ in turns(c)] == [(0.0, 3.2), (3.5, 6.0)]  # Alice's two merge
    (bare,) = converted("fireflies/measured-sentence-list.json")
    assert bare.format == "fireflies" and bare.started_at_source == "mtime"
    assert turns(bare) == [("Karen Arnoldi", False, 2.32, 4.4, "We are recording here.")]


def test_teams_docx_written_by_others() -> None:
    (c,) = converted("teams-docx/sample_transcript.docx")
    assert c.format == "teams-docx" and c.language == "ja"
    assert list(c.normalized.speakers.values()) == ["田中太郎", "鈴木花子", "佐藤次郎"]
    body = c.conversations[0].body
    assert (body.transcript_segments[0].start, body.transcript_segments[-1].end) == (5.1, 32.4)
    assert sum(len(t[4]) > 0 for t in turns(c)) == len(body.transcript_segments)
    (maria,) = converted("teams-docx/teamscleaner-standard-layout.docx")
    assert [(n, s, t) for n, _, s, _, t in turns(maria)] == [("Maria", 3.0, "Bom dia time")]
    (joao,) = converted("teams-docx/teamscleaner-inline.docx")
    assert [(n, s, t) for n, _, s, _, t in turns(joao)] == [("João", 12.0, "Vamos seguir")]
    assert [r.reason for r in joao.normalized.repairs].count("notice_skipped") == 2
