"""Otter.ai TXT and DOCX: headers, paragraphs, the footer, exports without timestamps."""

from __future__ import annotations

import io
import struct
import time
import tracemalloc
import zipfile
from pathlib import Path
from zipfile import ZIP_DEFLATED as DEFLATED

import pytest
from support import docx_bytes, text_source

from adapters.otter import TXT_HEADER, OtterAdapter, OtterDocxAdapter, parse_offset
from importers.adapter import ParseOptions
from importers.conversion.diarization import apply_diarization
from importers.conversion.normalize import NormalizeOptions, normalize
from importers.errors import ParseError
from importers.model import Segment, SpeakerTurn, Transcript
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
    t = TXT.parse(text_source(TIMED), ParseOptions())
    assert [(s.speaker, s.start_ms, s.end_ms, s.text, s.line) for s in t.segments] == [
        ("Dora", 3000, None, "so do you have", 1),
        (None, 725_000, None, "well, maybe second paragraph", 4),  # "Unknown Speaker"
        ("Speaker 1", 3_735_000, None, "Yes.", 9),
    ]
    assert [s.anonymous for s in t.segments] == [False, True, False]
    assert [(r.reason, r.line) for r in t.repairs] == [("footer_skipped", 12)]


UNKNOWNS = (
    "Dora  0:03\nLet's start.\n\n"
    "Unknown Speaker  0:05\nI can't hear you.\n\n"
    "Unknown Speaker  0:07\nMe neither, can you repeat?\n\n"
    "Dora  0:10\nSure.\n\n"
    "Unknown Speaker  0:12\nThanks.\n"
)


def test_unknown_speakers_are_never_one_person_nor_merged() -> None:
    """Each 'Unknown Speaker' turn is a speaker of its own, unnamed, even back to back."""
    n = normalize(TXT.parse(text_source(UNKNOWNS), ParseOptions()))
    assert [(t.speaker, t.text) for t in n.turns] == [
        ("SPEAKER_00", "Let's start."),
        ("SPEAKER_01", "I can't hear you."),
        ("SPEAKER_02", "Me neither, can you repeat?"),
        ("SPEAKER_00", "Sure."),
        ("SPEAKER_03", "Thanks."),
    ]
    assert n.speakers == {
        "SPEAKER_00": "Dora",
        "SPEAKER_01": None,
        "SPEAKER_02": None,
        "SPEAKER_03": None,
    }


def test_me_and_people_never_match_an_unknown_speaker() -> None:
    """Not by the label, not by the words 'Unknown Speaker': nobody is known to have said it."""
    options = NormalizeOptions(
        me=("SPEAKER_01", "Unknown Speaker"),
        people={"Unknown Speaker": "p-1", "SPEAKER_02": "p-2", "Dora": "p-dora"},
    )
    n = normalize(TXT.parse(text_source(UNKNOWNS), ParseOptions()), options)
    assert [(t.is_user, t.person_id) for t in n.turns] == [
        (False, "p-dora"),
        (False, None),
        (False, None),
        (False, "p-dora"),
        (False, None),
    ]


def test_untimed_txt_gets_estimated_starts() -> None:
    t = TXT.parse(text_source(UNTIMED), ParseOptions())
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
    n = normalize(TXT.parse(text_source(TIMED), ParseOptions()))
    first, second, last = n.turns
    assert first.end_ms == first.start_ms + 2 * 1600 + 5000  # capped: a long silence is not speech
    assert last.end_ms == last.start_ms + 400  # the last by words per second
    assert [r.reason for r in n.repairs].count("end_estimated") == 3
    assert second.start_ms < second.end_ms


def test_sniff() -> None:
    assert TXT.sniff(text_source(TIMED))
    assert TXT.sniff(text_source(UNTIMED))  # by the footer
    assert not TXT.sniff(text_source(UNTIMED.rsplit("\n", 1)[0]))  # no footer: any text file
    assert not TXT.sniff(text_source("[A] 10:00:00\nhi\n"))
    assert not TXT.sniff(text_source("12:45:05\t From  A : hi\n"))
    assert not TXT.sniff(text_source("Dora  0:03\n\nno text right below\n"))


def test_text_before_first_header_is_an_error() -> None:
    with pytest.raises(ParseError, match="before"):
        TXT.parse(text_source("intro line\n\n" + TIMED), ParseOptions())


def test_docx_has_the_txt_structure(tmp_path: Path) -> None:
    data = docx_bytes(
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
        (None, 725_000, "well, maybe"),  # "Unknown Speaker": anonymous
    ]
    assert [r.reason for r in t.repairs] == ["footer_skipped"]


def test_docx_sniff_rejects_other_documents(tmp_path: Path) -> None:
    path = tmp_path / "letter.docx"
    path.write_bytes(docx_bytes(["Dear Sir,", "thank you for your letter."]))
    assert not DOCX.sniff(Source.from_path(path))
    assert not DOCX.sniff(text_source("Dora  0:03\nhello\n", "x.docx"))


def test_broken_docx_is_a_parse_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.docx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ParseError, match=r"\.docx"):
        DOCX.parse(Source.from_path(path), ParseOptions())


def test_a_diarization_names_an_unknown_speaker() -> None:
    """--diarization gives an anonymous segment an RTTM speaker: it is then an ordinary one."""
    t = Transcript(
        (
            Segment("Let's start.", 3000, 4500, "Dora"),
            Segment("I can't hear you.", 5000, 6500, anonymous=True),
        ),
        format="otter",
    )
    turns = [SpeakerTurn(0, 4800, "spk_a"), SpeakerTurn(4800, 20_000, "spk_b")]
    diarized = apply_diarization(t, turns)
    assert [(s.speaker, s.anonymous) for s in diarized.segments] == [
        ("spk_a", False),
        ("spk_b", False),
    ]


# -- hostile .docx: bounded unpacking, no entities --------------------------------------------

PARAGRAPH = b"<w:p><w:r><w:t>Ana  0:00</w:t></w:r></w:p>"
W = b"http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def with_document_xml(data: bytes, *chunks: bytes) -> bytes:
    """``data`` (a .docx) with its word/document.xml written from ``chunks``, streamed."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != "word/document.xml":
                dst.writestr(info, src.read(info))
                continue
            with dst.open("word/document.xml", "w") as part:
                for chunk in chunks:
                    part.write(chunk)
    return out.getvalue()


def parse_docx(tmp_path: Path, data: bytes) -> Transcript:
    path = tmp_path / "x.docx"
    path.write_bytes(data)
    return DOCX.parse(Source.from_path(path), ParseOptions())


def document(*paragraphs: bytes, doctype: bytes = b"") -> list[bytes]:
    return [b"<?xml version='1.0'?>", doctype, b"<w:document xmlns:w='", W, b"'><w:body>",
            *paragraphs, b"</w:body></w:document>"]  # fmt: skip


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path: Path) -> None:
    """64 MiB of XML in a 200 KB file: refused from the ZIP directory, in constant memory."""
    mib = PARAGRAPH * ((1 << 20) // len(PARAGRAPH))
    data = with_document_xml(docx_bytes(["x"]), *document(*[mib] * 64))
    assert len(data) < 400_000
    tracemalloc.start()
    with pytest.raises(ParseError) as info:
        parse_docx(tmp_path, data)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert str(info.value) == "<input>: not a .docx export: it unpacks to more than 32 MiB"
    assert peak < 8 * len(data)


def test_a_part_compressed_a_hundredfold_is_refused(tmp_path: Path) -> None:
    data = with_document_xml(docx_bytes(["x"]), *document(PARAGRAPH * 100_000))
    with pytest.raises(ParseError, match=r"'word/document.xml' unpacks [\d,]+ times larger"):
        parse_docx(tmp_path, data)


def test_a_part_longer_than_its_directory_says_stops_at_the_declared_size(tmp_path: Path) -> None:
    """A directory that understates a part's size: zipfile stops there, and the CRC fails."""
    data = bytearray(with_document_xml(docx_bytes(["x"]), *document(PARAGRAPH * 1000)))
    name = b"word/document.xml"
    entry = _central_entry(data, name)
    local = struct.unpack_from("<I", data, entry + 42)[0]
    struct.pack_into("<I", data, entry + 24, 100)  # central directory: uncompressed size
    struct.pack_into("<I", data, local + 22, 100)  # local header: uncompressed size
    with pytest.raises(ParseError, match=r"^<input>: not a readable \.docx file \(BadZipFile\)$"):
        parse_docx(tmp_path, bytes(data))


def _central_entry(data: bytearray, name: bytes) -> int:
    at = data.index(b"PK\x01\x02")
    while data[at + 46 : at + 46 + len(name)] != name:
        at = data.index(b"PK\x01\x02", at + 4)
    return at


LAUGHS = b'<!ENTITY a "aaaaaaaaaa">' + b"".join(
    b'<!ENTITY %c "%s">' % (c, (b"&%c;" % p) * 10)
    for p, c in zip(b"abcdefgh", b"bcdefghi", strict=True)
)


def otter_paragraphs(text: bytes) -> list[bytes]:
    return [
        b"<w:p><w:r><w:t>%s</w:t></w:r></w:p>" % t
        for t in (b"Ana  0:00", text, b"Transcribed by https://otter.ai")
    ]


def test_a_billion_laughs_is_refused(tmp_path: Path) -> None:
    """Entities are never expanded: libxml2's amplification limit refuses the document."""
    doctype = b"<!DOCTYPE w:document [" + LAUGHS + b"]>"
    data = with_document_xml(
        docx_bytes(["x"]), *document(*otter_paragraphs(b"&i;"), doctype=doctype)
    )
    started = time.perf_counter()
    with pytest.raises(
        ParseError, match=r"^<input>: not a readable \.docx file \(XMLSyntaxError\)$"
    ):
        parse_docx(tmp_path, data)
    assert time.perf_counter() - started < 2


def test_an_external_entity_is_never_fetched(tmp_path: Path) -> None:
    doctype = b'<!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    data = with_document_xml(
        docx_bytes(["x"]), *document(*otter_paragraphs(b"hi &x;"), doctype=doctype)
    )
    transcript = parse_docx(tmp_path, data)
    assert [s.text for s in transcript.segments] == ["hi"]


def test_a_txt_header_line_of_spaces_is_read_in_linear_time() -> None:
    """``.*?`` before `` {2,}`` took 40 s on a line of 40,000 spaces (every .txt is sniffed)."""
    line = "a" + " " * 100_000 + "x"
    started = time.perf_counter()
    assert not TXT.sniff(text_source(f"{line}\nhello\n"))
    parsed = TXT.parse(text_source(f"Ana  0:00\nhi\n{line}  0:0\n"), ParseOptions())
    assert time.perf_counter() - started < 1
    assert parsed.segments[0].text == f"hi {line}  0:0"
    assert TXT_HEADER.match("Ana Lima  " + " " * 100_000 + "1:02:15")["name"] == "Ana Lima"


def test_markdown_bold_names_are_the_names() -> None:
    """Otter's text published through markdown: bold names (twice bold once), and a bold
    'Unknown Speaker' that is still no name."""
    text = (
        "**Emma**  0:00  \nHave you ever moved abroad?\n\n"
        "**Unknown Speaker**  0:20  \nWelcome to the show.\n\n"
        "**Rachel Nabors**  1:21  \nSo glad to be here.\n\n"
        "****Rachel Nabors****  31:12  \nAnd London.\n"
    )
    source = text_source(text, "48-traveling-dev.txt")
    assert TXT.sniff(source)
    t = TXT.parse(source, ParseOptions())
    assert [(s.speaker, s.anonymous) for s in t.segments] == [
        ("Emma", False),
        (None, True),
        ("Rachel Nabors", False),
        ("Rachel Nabors", False),
    ]
