"""Zoom saved closed captions: headers, names, wall-clock offsets, midnight, the meeting's date."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from support import CORPUS, SAMPLES, text_source

from adapters.zoom_captions import ZoomCaptionsAdapter
from importers.adapter import ParseOptions
from importers.conversion.options import ConvertOptions
from importers.conversion.pipeline import convert
from importers.errors import ParseError
from importers.registry import Registry, most_specific
from importers.source import Source

ADAPTER = ZoomCaptionsAdapter()
TEXT = (
    "[Okafor, Adaeze] 13:00:52\nHowdy.\n\n"
    "[Lee [Host]] 13:00:52\nSame second.\n\n"
    "[Okafor, Adaeze] 13:01:02\nFirst line\nsecond line\n"
)


def test_headers_names_and_offsets() -> None:
    t = ADAPTER.parse(text_source(TEXT), ParseOptions())
    assert [s.speaker for s in t.segments] == ["Okafor, Adaeze", "Lee [Host]", "Okafor, Adaeze"]
    assert [s.start_ms for s in t.segments] == [0, 0, 10_000]
    assert all(s.end_ms is None for s in t.segments)
    assert t.segments[2].text == "First line\nsecond line"
    assert [s.line for s in t.segments] == [1, 4, 7]


def test_midnight_crossing_keeps_going_forward() -> None:
    text = "[A] 23:59:50\nlate\n\n[B] 00:00:05\nnew day\n\n[A] 00:00:04\njitter back one second\n"
    t = ADAPTER.parse(text_source(text), ParseOptions())
    assert [s.start_ms for s in t.segments] == [0, 15_000, 14_000]


def test_started_at_from_zoom_folder(tmp_path: Path) -> None:
    folder = tmp_path / "2026-03-02 10.00.00 Weekly sync"
    folder.mkdir()
    path = folder / "meeting_saved_closed_caption.txt"
    path.write_text("[A] 10:00:41\nhello\n")
    t = ADAPTER.parse(Source.from_path(path), ParseOptions())
    assert t.started_at == datetime(2026, 3, 2, 10, 0, 41)  # naive: the pipeline adds the zone


def test_folder_started_before_midnight_entries_after(tmp_path: Path) -> None:
    folder = tmp_path / "2026-03-02 23.50.00 Night shift"
    folder.mkdir()
    path = folder / "closed_caption.txt"
    path.write_text("[A] 00:10:00\nhello\n")
    t = ADAPTER.parse(Source.from_path(path), ParseOptions())
    assert t.started_at == datetime(2026, 3, 3, 0, 10, 0)


def test_mtime_dates_the_last_entry(tmp_path: Path) -> None:
    path = tmp_path / "closed_caption.txt"
    path.write_text("[A] 23:59:00\nbefore\n\n[A] 00:01:00\nafter midnight\n")
    saved = datetime(2026, 5, 6, 0, 5, tzinfo=UTC).timestamp()
    os.utime(path, (saved, saved))
    t = ADAPTER.parse(Source.from_path(path), ParseOptions(timezone=ZoneInfo("UTC")))
    assert t.started_at == datetime(2026, 5, 5, 23, 59, 0)


def test_timezone_and_date_only_started_at(tmp_path: Path) -> None:
    folder = tmp_path / "2026-07-01 09.00.00 Standup"
    folder.mkdir()
    path = folder / "closed_caption.txt"
    path.write_text("[A] 09:00:30\nhello there\n")
    berlin = ZoneInfo("Europe/Berlin")
    registry = Registry([ADAPTER])
    by_folder = convert(path, ConvertOptions(timezone=berlin), registry=registry)
    assert by_folder.started_at_source == "input"
    assert by_folder.conversations[0].body.started_at == datetime(
        2026, 7, 1, 9, 0, 30, tzinfo=berlin
    )
    by_date = convert(
        path, ConvertOptions(timezone=berlin, started_on=date(2026, 7, 9)), registry=registry
    )
    assert by_date.started_at_source == "option"
    assert by_date.conversations[0].body.started_at == datetime(2026, 7, 9, 9, 0, 30, tzinfo=berlin)
    exact = datetime(2026, 7, 1, 9, 5, tzinfo=UTC)
    by_option = convert(path, ConvertOptions(started_at=exact), registry=registry)
    assert by_option.conversations[0].body.started_at == exact  # a full --started-at wins


def test_text_before_first_header_is_an_error() -> None:
    with pytest.raises(ParseError, match="before the first"):
        ADAPTER.parse(text_source("hello\n[A] 10:00:00\nx\n"), ParseOptions())


@pytest.mark.parametrize(
    "head",
    [
        "[A] 10:00:00\nhi\n",
        "\n\n[Last, First Middle] 9:05:07\r\nhi\n",
    ],
)
def test_sniff_accepts(head: str) -> None:
    assert ADAPTER.sniff(text_source(head))


@pytest.mark.parametrize(
    "head",
    [
        "[A] 25:00:00\nhi\n",  # not a time of day
        "12:45:05\t From  A : hi\n",  # legacy chat
        "Dora  00:03\nhello\n",  # Otter
        "hello [A] 10:00:00\n",
        "",
    ],
)
def test_sniff_rejects(head: str) -> None:
    assert not ADAPTER.sniff(text_source(head))


def test_every_txt_sample_and_corpus_file_has_exactly_one_txt_adapter() -> None:
    """On every real and sample file one .txt adapter is left once the more specific wins."""
    txt_adapters = [
        a for a in (i.adapter for i in Registry.default().infos) if ".txt" in a.extensions
    ]
    files = sorted(SAMPLES.rglob("*.txt")) + sorted(CORPUS.glob("*/*.txt"))
    assert files
    for path in files:
        source = Source.from_path(path)
        matches = [a.name for a in most_specific([a for a in txt_adapters if a.sniff(source)])]
        assert len(matches) == 1, (path, matches)
