"""Otter.ai TXT and DOCX: headers, paragraphs, the footer, exports without timestamps."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest

from adapters.otter import OtterAdapter, OtterDocxAdapter, parse_offset
from importers.adapter import ParseOptions
from importers.errors import ParseError
from importers.normalize import normalize
from importers.source import Source

TXT = OtterAdapter()
DOCX = OtterDocxAdapter()

TIMED = (
    "Dora  0:03\nso do you have\n\n"
    "Unknown Speaker  12:05\nwell, maybe\n\nsecond paragraph\n\n"
    "Speaker 1  1:02:15\nYes.\n\n"
    "Transcribed by https://otter.ai\n"
)
UNTIMED = (
    "Priya Nair\nOkay, we are recording.\n\n"
    "Daniel Kim\nYes, loud and clear.\n\n"
    "Transcribed by https://otter.ai"
)


def test_offsets() -> None:
    assert [parse_offset(v) for v in ("0:03", "00:03", "12:05", "1:02:15")] == [
        3000,
        3000,
        725_000,
        3_735_000,
    ]


def test_timed_txt() -> None:
    t = TXT.parse(Source.from_text(TIMED), ParseOptions())
    assert [(s.speaker, s.start_ms, s.end_ms, s.text, s.line) for s in t.segments] == [
        ("Dora", 3000, None, "so do you have", 1),
        ("Unknown Speaker", 725_000, None, "well, maybe second paragraph", 4),
        ("Speaker 1", 3_735_000, None, "Yes.", 9),
    ]
    assert [(r.reason, r.line) for r in t.repairs] == [("footer_skipped", 12)]


def test_untimed_txt_gets_estimated_starts() -> None:
    t = TXT.parse(Source.from_text(UNTIMED), ParseOptions())
    assert [(s.speaker, s.start_ms) for s in t.segments] == [
        ("Priya Nair", None),
        ("Daniel Kim", None),
    ]
    n = normalize(t)
    reasons = [r.reason for r in n.repairs]
    assert reasons.count("start_estimated") == 2
    assert reasons.count("footer_skipped") == 1
    assert n.turns[0].start_ms == 0
    assert n.turns[1].start_ms > n.turns[0].end_ms


def test_end_times_follow_the_next_start() -> None:
    n = normalize(TXT.parse(Source.from_text(TIMED), ParseOptions()))
    first, second, last = n.turns
    assert first.end_ms == first.start_ms + 2 * 1600 + 5000  # capped: a long silence is not speech
    assert last.end_ms == last.start_ms + 400  # the last by words per second
    assert [r.reason for r in n.repairs].count("end_estimated") == 3
    assert second.start_ms < second.end_ms


def test_sniff() -> None:
    assert TXT.sniff(Source.from_text(TIMED))
    assert TXT.sniff(Source.from_text(UNTIMED))  # by the footer
    assert not TXT.sniff(Source.from_text(UNTIMED.rsplit("\n", 1)[0]))  # no footer: any text file
    assert not TXT.sniff(Source.from_text("[A] 10:00:00\nhi\n"))
    assert not TXT.sniff(Source.from_text("12:45:05\t From  A : hi\n"))
    assert not TXT.sniff(Source.from_text("Dora  0:03\n\nno text right below\n"))


def test_text_before_first_header_is_an_error() -> None:
    with pytest.raises(ParseError, match="before"):
        TXT.parse(Source.from_text("intro line\n\n" + TIMED), ParseOptions())


def make_docx(paragraphs: list[str]) -> bytes:
    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_has_the_txt_structure(tmp_path: Path) -> None:
    data = make_docx(
        [
            "Dora\t0:03",
            "so do you have",
            "Unknown Speaker  12:05",
            "well, maybe",
            "",
            "Transcribed by https://otter.ai",
        ]
    )
    path = tmp_path / "interview.docx"
    path.write_bytes(data)
    source = Source.from_path(path)
    assert DOCX.sniff(source)
    t = DOCX.parse(source, ParseOptions())
    assert [(s.speaker, s.start_ms, s.text) for s in t.segments] == [
        ("Dora", 3000, "so do you have"),
        ("Unknown Speaker", 725_000, "well, maybe"),
    ]
    assert [r.reason for r in t.repairs] == ["footer_skipped"]


def test_docx_sniff_rejects_other_documents(tmp_path: Path) -> None:
    path = tmp_path / "letter.docx"
    path.write_bytes(make_docx(["Dear Sir,", "thank you for your letter."]))
    assert not DOCX.sniff(Source.from_path(path))
    assert not DOCX.sniff(Source.from_text("Dora  0:03\nhello\n", "x.docx"))


def test_broken_docx_is_a_parse_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.docx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ParseError, match=r"\.docx"):
        DOCX.parse(Source.from_path(path), ParseOptions())
