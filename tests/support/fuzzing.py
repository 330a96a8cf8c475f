"""Hostile inputs for omi-import, and the one rule every input must keep (issue 9).

A :class:`Case` is an input file (name, bytes, the folder it lies in) and the options it is
converted with: ``--format``, ``--encoding``, ``--started-at``, ``--timezone``, ``--people``,
``--diarization`` (with its own bytes)... Cases are made from one ``random.Random``
(:func:`make_case`), so a campaign's case ``i`` is the same on every run, and the hypothesis
tests drive the same builders with hypothesis' own shrinkable randoms.

Where the bytes come from:

* the samples (``samples/``) and the conformance corpus (``../shared/corpus``), mutated at the
  byte level (:func:`mutate`: flips, deletions, truncation, splices of two files, tokens that
  the parsers give meaning to, long runs of one token, numbers swapped for hostile ones);
* documents generated in every text layout the built-in adapters read (:func:`generate`), with
  markup, colons, speaker prefixes, control characters and out-of-range numbers in them;
* either of those, mutated again.

Each case goes to every adapter of the registry (``Registry.default()``, so adapters added
later are fuzzed too): through detection (its own name), through ``--format NAME`` (named with
that adapter's extension), in a folder (so folder rules run, Zoom folder names included), and
RTTM through ``--diarization``.

The rule (:func:`run_case`): the case ends in request bodies that are valid (they parse back,
pass the server's checks, dates in range) or in an :class:`~importers.errors.ImporterError`
whose ``Error:`` line names the file, is shorter than :data:`MAX_LINE` characters and holds no
control character. Anything else is a finding, with a signature (exception type and the
innermost frame in omi-import's code) so that one bug found a thousand times counts once.
File names are input too: some cases are named with bytes that are not UTF-8, escapes, tabs.
Time and memory are the campaign's to bound (:mod:`fuzz_campaign`: a subprocess per worker,
a timeout, the peak resident memory of each input); in-process tests bound time with
hypothesis' deadline.
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import traceback
import warnings
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

import orjson
from support import CORPUS, REPO, SAMPLES

from importers.conversion.normalize import summarize_repairs
from importers.conversion.options import ConvertOptions
from importers.conversion.payload import MAX_BODY_BYTES, check_body
from importers.conversion.pipeline import Conversion, convert_all
from importers.errors import ImporterError, InputError
from importers.registry import Registry

#: An error line (``Error: ...``) must be shorter than this.
MAX_LINE = 2000
#: The largest input a case makes (long runs of one token reach it).
MAX_BYTES = 400_000
#: The dates a body may carry (``importers.bounds``' range, restated here so the test does not
#: trust the code under test).
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)

CONVERTED = "converted"
#: Left out by a folder walk (a companion RTTM, content no adapter recognises) and nothing else.
SKIPPED = "skipped"
ERROR = "clean Error"
CRASH = "crash"
HANG = "hang"
MEMORY = "memory"
OUTCOMES = (CONVERTED, SKIPPED, ERROR, CRASH, HANG, MEMORY)
#: The outcomes the rule allows.
CLEAN = (CONVERTED, SKIPPED, ERROR)

# -- seeds ---------------------------------------------------------------------------------------

_NOT_INPUTS = (".py", "SOURCES.md", "README.md")


def seed_files() -> list[tuple[str, bytes]]:
    """``(file name, bytes)`` of every sample and corpus input, in a fixed order.

    Recordings (``samples/audio``, ``samples/voice-memos``) are left out: a mutated recording that
    still decodes would be transcribed, which tests the speech models (minutes), not the input
    handling. Voice Memos' boxes are fuzzed by :func:`_memo` instead (no decodable audio).
    """
    out = []
    for root in (SAMPLES, CORPUS):
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(root)
            if (
                path.is_file()
                and not path.name.endswith(_NOT_INPUTS)
                and rel.parts[0] not in ("audio", "voice-memos")
                and path.name != "expected.json"
            ):
                out.append((path.name, path.read_bytes()))
    return out


# -- byte-level mutation -------------------------------------------------------------------------

#: Bytes that the parsers give meaning to, and bytes that have hurt them.
TOKENS: tuple[bytes, ...] = (
    b"-->", b" --> ", b"NOTE -->", b"NOTE", b"STYLE", b"REGION", b"WEBVTT", b"WEBVTT\n\n",
    b"<v ", b"<v.", b"<v Bob>", b"</v>", b"<i>", b"<", b">", b"<1", b"<00:00:01.000>",
    b"{\\an8}", b"\\N", b"&amp;", b"&#xD800;", b"&", b"X1:", b"\n", b"\n\n", b"\r", b"\r\n",
    b"\t", b" ", b"  ", b": ", b":", b"[", b"]", b"[SPEAKER_00]: ", b"Name: ", b"Speaker 1  ",
    b"99999999:99:99,999", b"00:00:01,000 --> 00:00:02,000", b"0:0:0.0", b"1088:42:00.500",
    b"9" * 5000, b"1e999999999", b"1e308", b"-1e308", b"1e400", b"1e16", b"-1", b"NaN",
    b"Infinity", b"-Infinity", b"null", b"true", b"{}", b"[]", b'"\\ud800"', b"\\udfff",
    b'"', b",", b"{", b"}", b'"segments"', b'"words"', b'"start"', b'"end"', b'"speaker"',
    b'"text"', b'"word"', b'"seek"', b"\x00", b"\x07", b"\x1b[31m", b"\x7f", b"\xc2\x85",
    b"\xe2\x80\xae", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf", b"\xed\xa0\x80", b"\xff",
    b"SPEAKER ", b"SPEAKER f 1 0 1 <NA> <NA> A <NA> <NA>\n", b";;", b"<NA>", b"From ",
    b" to ", b"(Privately)", b"(Direct Message)", b"23:59:59", b"99:99:99", b"00:00:00",
    b"0:00", b"1:02:15", b"Transcribed by https://otter.ai", b"Language: en",
    b"PK\x03\x04", b"\xf0\x9f\x98\x80", b"\xd8\xa7",
    b"> [1](#startMs=1764763311793&endMs=1764763317793): ", b"(#startMs=", b"&endMs=", b"> [",
    b"## ", b"started transcription", b"Ana Costa   0:03", b'"speaker_name"', b'"start_time"',
    b'"sentences"', b'"dateString"', b"tsrp", b"moov", b"\x00\x00\x00\x01",
)  # fmt: skip
_NUMBER = re.compile(rb"\d+(?:\.\d+)?")
HOSTILE_NUMBERS: tuple[bytes, ...] = (
    b"0", b"-0", b"-1", b"1e16", b"1e308", b"1e400", b"-1e308", b"1e999999999", b"NaN",
    b"Infinity", b"99999999", b"9" * 20, b"9" * 400, b"9" * 5000, b"0" * 5000 + b"1",
    b"0.0000000000001", b"1" + b"0" * 30, b"4294967296", b"18446744073709551616",
)  # fmt: skip


def _flip(data: bytes, rng: random.Random, seeds: Sequence[bytes]) -> bytes:
    if not data:
        return bytes([rng.randrange(256)])
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def _insert_token(data: bytes, rng: random.Random, seeds: Sequence[bytes]) -> bytes:
    at = rng.randint(0, len(data))
    return data[:at] + rng.choice(TOKENS) + data[at:]


def _repeat_token(data: bytes, rng: random.Random, seeds: Sequence[bytes]) -> bytes:
    """A long run of one token (long lines, deep nesting, thousands of arrows or tags)."""
    token = rng.choice((*TOKENS, b"[", b'{"a":', b"<v ", b"<v.", b"a:", b"  ", b"<a "))
    count = rng.choice((10, 100, 1000, 1100, 20_000, 100_000))
    at = rng.randint(0, len(data))
    return data[:at] + (token * count)[: MAX_BYTES // 2] + data[at:]


def _delete(data: bytes, rng: random.Random, seeds: Sequence[bytes]) -> bytes:
    if not data:
        return data
    start = rng.randrange(len(data))
    return data[:start] + data[start + rng.randint(1, max(1, len(data) // 4)) :]


def _repeat_chunk(data: bytes, rng: random.Random, seeds: Sequence[bytes]) -> bytes:
    if not data:
        return data
    start = rng.randrange(len(data))
    chunk = data[start : start + rng.randint(1, 200)]
    return data[:start] + chunk * rng.choice((2, 10, 1000)) + data[start:]


def _truncate(data: bytes, rng: random.Random, seeds: Sequence[bytes]) -> bytes:
    return data[: rng.randint(0, len(data))]


def _splice(data: bytes, rng: random.Random, seeds: Sequence[bytes]) -> bytes:
    other = rng.choice(seeds)
    return data[: rng.randint(0, len(data))] + other[rng.randint(0, len(other)) :]


def _swap_number(data: bytes, rng: random.Random, seeds: Sequence[bytes]) -> bytes:
    numbers = list(_NUMBER.finditer(data[:50_000]))
    if not numbers:
        return _insert_token(data, rng, seeds)
    m = rng.choice(numbers)
    return data[: m.start()] + rng.choice(HOSTILE_NUMBERS) + data[m.end() :]


def _line_endings(data: bytes, rng: random.Random, seeds: Sequence[bytes]) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\n", rng.choice((b"\r\n", b"\r", b"\n\n")))


MUTATIONS: tuple[Callable[[bytes, random.Random, Sequence[bytes]], bytes], ...] = (
    _flip, _insert_token, _insert_token, _repeat_token, _delete, _repeat_chunk, _truncate,
    _splice, _swap_number, _swap_number, _line_endings,
)  # fmt: skip


def mutate(data: bytes, rng: random.Random, seeds: Sequence[bytes] = ()) -> bytes:
    """``data`` changed by one to four random mutations (at most :data:`MAX_BYTES` long)."""
    for _ in range(rng.randint(1, 4)):
        data = rng.choice(MUTATIONS)(data, rng, seeds or (data,))[:MAX_BYTES]
    return data


# -- generated documents -------------------------------------------------------------------------

_WORDS = (
    "hello", "so", "yes.", "Okay:", "Note:", "Bob:", "[SPEAKER_01]:", "<v Ana>", "<v.loud Bo>",
    "</v>", "<i>", "</i>", "<b", "&amp;", "&lt;i&gt;", "&#0;", "{\\an8}", "\\N", "<00:00:05.000>",
    "-->", "--", "WEBVTT", "NOTE", "é", "ß", "…", "\u00a0", "\u200b", "\u202e", "\ufeff",
    "\u0000", "\u0007", "\u001b[2J", "\u007f", "\u0085", "\u2028", "😀", "ا", "中文", "a" * 300,
    "Dora  00:03", "[Kim] 10:00:00", "10:00:00\t From  A : hi", "Transcribed", "(laughs)",
    "SPEAKER_00", "http://x", "1990.", "Speaker 2", "Unknown Speaker", "  ", "\t",
)  # fmt: skip
_NAMES = ("Ana", "Bo Li", "SPEAKER_00", "Kupor (SL)", "Last, First", "", " ", "<v>", "a:b",
          "x" * 100, "\u0000\u0007", "😀", "Speaker 1", "Unknown Speaker", "Ana\tB")  # fmt: skip


def _text(rng: random.Random, words: int = 8) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(0, words)))


def _name(rng: random.Random) -> str:
    return rng.choice(_NAMES)


def _number(rng: random.Random, scale: float = 3600.0) -> str:
    if rng.random() < 0.7:
        return f"{rng.uniform(0, scale):.3f}"
    return rng.choice(HOSTILE_NUMBERS).decode()


def _clock(rng: random.Random, sep: str = ",") -> str:
    if rng.random() < 0.8:
        ms = rng.randrange(0, 10 * 3600_000)
        h, rest = divmod(ms, 3600_000)
        return f"{h:02d}:{rest // 60_000 % 60:02d}:{rest // 1000 % 60:02d}{sep}{ms % 1000:03d}"
    return rng.choice(
        ("99999999:99:99,999", "1:2:3", "00:00:01", "0:0:0.5", "9" * 5000 + ":00:00,000",
         "00:00:00," + "9" * 5000, "1088:42:00.500", "00:99:99.999", "9999999999:00:00.000",
         "00:01.5", "-1:00:00,000", "00:00:00,000abc")
    )  # fmt: skip


def _srt(rng: random.Random) -> str:
    cues = []
    for i in range(rng.randint(1, 12)):
        number = [str(i)] if rng.random() < 0.8 else []
        lines = [_text(rng) for _ in range(rng.randint(0, 3))]
        cues.append("\n".join([*number, f"{_clock(rng)} --> {_clock(rng)}", *lines]))
    return "\n\n".join(cues) + "\n"


def _vtt(rng: random.Random) -> str:
    blocks = ["WEBVTT" + rng.choice(("", " - title", "\nKind: captions\nLanguage: en"))]
    for i in range(rng.randint(1, 12)):
        if rng.random() < 0.2:
            blocks.append(rng.choice(("NOTE", "STYLE", "REGION")) + " " + _text(rng, 3))
        voice = f"<v {_name(rng)}>" if rng.random() < 0.4 else ""
        lines = [voice + _text(rng) for _ in range(rng.randint(0, 3))]
        settings = rng.choice(("", "align:start", "a:a:a:a: !"))
        timing = f"{_clock(rng, '.')} --> {_clock(rng, '.')} {settings}"
        blocks.append("\n".join([f"cue-{i}", timing, *lines]))
    return "\n\n".join(blocks) + "\n"


def _json_value(rng: random.Random, depth: int = 0) -> object:
    pick = rng.random()
    if pick < 0.3 or depth > 3:
        return rng.choice((None, True, 0, -1, 1.5, 1e16, 1e308, "x", "", "\ud800", "\u0000"))
    if pick < 0.6:
        return [_json_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(("start", "end", "text", "word", "speaker")): _json_value(rng, depth + 1)}


def _json_time(rng: random.Random) -> object:
    pick = rng.random()
    if pick < 0.75:
        return round(rng.uniform(0, 3600), 3)
    return rng.choice(
        (None, -1.0, 1e16, 1e308, -1e308, float("nan"), float("inf"), "1.0", True, 10**30, [])
    )


def _whisper_json(rng: random.Random) -> str:
    segments = []
    for i in range(rng.randint(0, 10)):
        segment: dict[str, object] = {
            "start": _json_time(rng), "end": _json_time(rng), "text": _text(rng),
        }  # fmt: skip
        if rng.random() < 0.5:
            segment["speaker"] = rng.choice((_name(rng), None, 7))
        if rng.random() < 0.3:
            segment.update(id=i, seek=0, tokens=[1, 2])
        if rng.random() < 0.6:
            segment["words"] = [
                {"word": rng.choice(_WORDS), "start": _json_time(rng), "end": _json_time(rng),
                 "speaker": rng.choice(("SPEAKER_00", "SPEAKER_01", None))}
                for _ in range(rng.randint(0, 8))
            ]  # fmt: skip
        if rng.random() < 0.05:
            segment["extra"] = _json_value(rng)
        segments.append(segment)
    document: dict[str, object] = {"segments": segments}
    if rng.random() < 0.5:
        document["text"] = _text(rng)
    if rng.random() < 0.5:
        document["language"] = rng.choice(("en", "", "\u0000", "x" * 300, None))
    if rng.random() < 0.3:
        document["word_segments"] = []
    # Python's json module writes NaN and Infinity (as WhisperX does); ensure_ascii writes a
    # lone surrogate as its \ud800 escape, the way a broken producer would.
    return json.dumps(document, indent=rng.choice((None, 2)))


def _rttm(rng: random.Random) -> str:
    lines = []
    for _ in range(rng.randint(1, 12)):
        kind = rng.choice(("SPEAKER", "SPEAKER", "SPEAKER", "SPKR-INFO", ";;", "LEXEME"))
        file_id = rng.choice(("rec", "rec", "other", "\u0000\u0007\u007f", "a" * 300))
        speaker = rng.choice(("A", "B", "<NA>", "spk\u0007"))
        fields = [kind, file_id, "1", _number(rng, 60), _number(rng, 10), "<NA>", "<NA>", speaker]
        lines.append(" ".join([*fields[: rng.choice((8, 8, 8, 5))], "<NA>", "<NA>"]))
    return "\n".join(lines) + rng.choice(("\n", ""))


def _time_of_day(rng: random.Random) -> str:
    if rng.random() < 0.85:
        return f"{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}"
    return rng.choice(("23:59:59", "00:00:00", "99:99:99", "24:00:00", "1:00:00"))


def _zoom_captions(rng: random.Random) -> str:
    return "\n".join(
        f"[{_name(rng)}] {_time_of_day(rng)}\n{_text(rng)}\n" for _ in range(rng.randint(1, 10))
    )


def _zoom_chat(rng: random.Random) -> str:
    layout = rng.choice(
        ("{t}\t From  {a} : {x}", "{t}\t From  {a}  to  {b}(Privately) : {x}",
         "{t} From {a} to {b}:\n\t{x}", "{t} From {a} to Everyone:\n\t{x}", "{t}\t{a}:\t{x}")
    )  # fmt: skip
    return "\n".join(
        layout.format(t=_time_of_day(rng), a=_name(rng), b=_name(rng), x=_text(rng))
        for _ in range(rng.randint(1, 10))
    )


def _otter(rng: random.Random) -> str:
    def header() -> str:
        clock = rng.choice(("0:00", "1:02:15", "59:59", "99:99", "9:99:99", "00:03"))
        return f"{_name(rng)}  {clock}"

    entries = [f"{header()}\n{_text(rng)}" for _ in range(rng.randint(1, 8))]
    footer = "\n\nTranscribed by https://otter.ai" if rng.random() < 0.5 else ""
    return "\n\n".join(entries) + footer


_LIFELOG_TIMES = (1764763311000, 0, 946684800000, 946684799999, 7_300_000_000_000)
_LIFELOG_NAMES = (
    "lifelogs/2025/12/03/2025-12-03_12h01m51s_Weekly.md", "lifelogs/x.md", "LIFELOGS/Up.MD",
    "../../lifelogs/2026-02-30_25h61m61s_b.md", "/lifelogs/abs.md", "C:\\lifelogs\\w.md",
    "lifelogs/", "lifelogs/" + "x" * 300 + ".md", "lifelogs/dup.md", "a/lifelogs/dup.md",
    "audio/pendant/2025/12/03/a.ogg", "chats/c.json", "user/user.json", "readme.txt",
)  # fmt: skip


def _limitless(rng: random.Random) -> str:
    """A Limitless lifelog: title, summary headings, ``> [N](#startMs=…&endMs=…): text`` lines."""
    lines = ["# " + _text(rng, 4)] if rng.random() < 0.7 else []
    at = rng.choice(_LIFELOG_TIMES)
    for _ in range(rng.randint(0, 12)):
        pick = rng.random()
        if pick < 0.15:
            lines.append(rng.choice(("## ", "### ", "#", "####### ")) + _text(rng, 4))
        elif pick < 0.2:
            lines.append(rng.choice(("> ", "", "- ")) + _text(rng))
        else:
            start = at + rng.randint(-2000, 6000)
            end = start + rng.randint(-500, 9000)
            begin = str(start) if rng.random() < 0.9 else rng.choice(HOSTILE_NUMBERS).decode()
            speaker = rng.choice(
                ("1", "2", "8", "0001", "You", "Speaker 1", "", "x" * 300, _name(rng))
            )
            colon = rng.choice((": ", ":", " ", ""))
            lines.append(f"> [{speaker}](#startMs={begin}&endMs={end}){colon}{_text(rng)}")
            at = max(0, start)
        if rng.random() < 0.5:
            lines.append("")
    return "\n".join(lines)


def _limitless_zip(rng: random.Random) -> bytes:
    """A Limitless export ZIP: lifelogs (hostile names among them), audio fragments, data."""
    out = io.BytesIO()
    method = rng.choice((zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED))
    with zipfile.ZipFile(out, "w", method) as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a name twice in one archive is a case too
        for _ in range(rng.randint(0, 6)):
            data = _limitless(rng).encode("utf-8", "surrogatepass")
            archive.writestr(rng.choice(_LIFELOG_NAMES), data)
        if rng.random() < 0.02:
            archive.writestr("lifelogs/huge.md", _HUGE_LIFELOG)
    return out.getvalue()


#: More than a lifelog may unpack to (16 MiB), deflating to a few KB.
_HUGE_LIFELOG = b"> [1](#startMs=1&endMs=2): " + b"a" * (17 << 20)


def _fireflies(rng: random.Random) -> str:
    """A Fireflies transcript: the API's answer, the transcript alone, or its sentences."""
    sentences = [
        {
            "index": i,
            "speaker_name": rng.choice((_name(rng), None, 3)),
            "speaker_id": rng.choice((0, 7, "sp1", None, True, -1)),
            "text": rng.choice((_text(rng), _text(rng), None, 5)),
            "raw_text": _text(rng),
            "start_time": rng.choice((_json_time(rng), str(_json_time(rng)), "x", "")),
            "end_time": rng.choice((_json_time(rng), str(_json_time(rng)))),
            "ai_filters": rng.choice((None, {"sentiment": "neutral"})),
        }
        for i in range(rng.randint(0, 10))
    ]
    transcript: dict[str, object] = {"title": _text(rng, 3), "sentences": sentences}
    if rng.random() < 0.6:
        transcript["dateString"] = rng.choice(
            ("2026-03-02T10:00:00.000Z", "2026-03-02T10:00:00", "soon", "9999-12-31T23:59:59Z",
             "0001-01-01T00:00:00Z", "", None, 5)
        )  # fmt: skip
    if rng.random() < 0.6:
        transcript["date"] = rng.choice((1705312800000, 1705312800000.5, 1e30, -1, 10**20, "x"))
    if rng.random() < 0.4:
        transcript["user"] = rng.choice(({"name": _name(rng)}, {"name": 5}, "x", None))
    wrap = rng.random()
    document: object = transcript
    if wrap < 0.4:
        document = {"data": {"transcript": transcript}}
    elif wrap < 0.6:
        document = sentences
    return json.dumps(document)


def _teams(rng: random.Random) -> str:
    """A Teams transcript's paragraphs: a header, notices, speaker lines in the layouts Teams
    writes (``Name   0:03``, name over time, name time words), or the older timed cues."""
    lines = []
    if rng.random() < 0.5:
        date = rng.choice(
            ("March 2, 2026, 10:00AM", "February 30, 2026, 10:00AM", "9999-12-31 23:59",
             "December 31, 2199, 11:59PM", _text(rng, 3))
        )  # fmt: skip
        lines += [_text(rng, 4), date, rng.choice(("1h 2m 3s", "45m 12s", "0s", "99999h"))]
    timed = rng.random() < 0.3
    for _ in range(rng.randint(0, 10)):
        if rng.random() < 0.1:
            lines.append(f"{_name(rng)} {rng.choice(('started', 'stopped'))} transcription")
        if timed:
            lines += [f"{_clock(rng, '.')} --> {_clock(rng, '.')}", _name(rng), _text(rng)]
            continue
        time = rng.choice(("0:03", "1:02:15", "59:59", "99:99", "0:00:60", "00:03"))
        form = rng.random()
        if form < 0.4:
            lines += [f"{_name(rng)}   {time}", _text(rng)]
        elif form < 0.8:
            lines += [_name(rng), time, _text(rng)]
        else:
            lines.append(f"{_name(rng)} {time} {_text(rng)}")
    return "\n".join(lines)


def _box(kind: bytes, body: bytes) -> bytes:
    return (8 + len(body)).to_bytes(4, "big") + kind + body


def _memo(rng: random.Random) -> tuple[bytes, str]:
    """A Voice Memos file's boxes (no decodable audio): ``mvhd`` and the transcript in a
    ``tsrp`` box (.m4a) or an mdta item (.qta), the JSON valid or not."""
    words = [rng.choice((_text(rng, 2), " ", "", 5, None)) for _ in range(rng.randint(0, 8))]
    runs: list[object] = []
    for i, word in enumerate(words):
        runs += [word, rng.choice(({"timeRange": [i * 0.5, i * 0.5 + 0.4]}, {"timeRange": [
            _json_time(rng), _json_time(rng)]}, {}, i, "x"))]  # fmt: skip
    text: object = runs if rng.random() < 0.5 else {"attributeTable": runs[1::2], "runs": runs}
    payload = json.dumps(
        {"attributedString": text, "locale": {"identifier": rng.choice(("en_US", "", 5))}}
    ).encode()
    if rng.random() < 0.2:
        payload = mutate(payload, rng)
    seconds = rng.choice((3_855_288_600, 0, 2**32 - 1))
    version = rng.choice((0, 1))
    stamp = seconds.to_bytes(4, "big") * 2 if version == 0 else (2**64 - 1).to_bytes(8, "big") * 2
    mvhd = _box(b"mvhd", bytes([version, 0, 0, 0]) + stamp + bytes(80))
    mdat = _box(b"mdat", bytes(rng.randint(0, 64)))
    if rng.random() < 0.5:
        moov = _box(b"moov", mvhd + _box(b"trak", _box(b"udta", _box(b"tsrp", payload))))
        extension = ".m4a"
    else:
        keys = _box(
            b"keys", bytes(4) + (1).to_bytes(4, "big") + _box(b"mdta", b"com.apple.VoiceMemos.tsrp")
        )
        item = _box((1).to_bytes(4, "big"), _box(b"data", bytes(8) + payload))
        hdlr = _box(b"hdlr", bytes(8) + b"mdta" + bytes(13))
        moov = _box(b"moov", mvhd + _box(b"meta", hdlr + keys + _box(b"ilst", item)))
        extension = ".qta"
    return _box(b"ftyp", b"M4A \x00\x00\x02\x00") + mdat + moov, extension


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_LAUGHS = (
    '<!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">'
    + "".join(
        f'<!ENTITY {c} "{("&" + p + ";") * 10}">'
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + '<!ENTITY x SYSTEM "file:///etc/passwd">]>'
)


_BOMB_PARAGRAPH = b"<w:p><w:r><w:t>Ana  0:00</w:t></w:r></w:p>"
_BOMB_MIB = _BOMB_PARAGRAPH * ((1 << 20) // len(_BOMB_PARAGRAPH))


def _docx(rng: random.Random, template: bytes) -> bytes:
    """``template`` (a .docx) with its ``word/document.xml`` replaced: Otter's or Teams' paragraphs,
    or a billion-laughs / external entity, deep nesting, or a part that unpacks to a GiB."""
    pick = rng.random()
    if pick > 0.9:
        return _bomb(template)
    paragraphs = "".join(
        f"<w:p><w:r><w:t xml:space='preserve'>{escape(line)}</w:t></w:r></w:p>"
        for line in rng.choice((_otter, _teams))(rng).split("\n")
    )
    doctype = ""
    if pick < 0.2:
        doctype = _LAUGHS
        paragraphs += "<w:p><w:r><w:t>&i;&x;</w:t></w:r></w:p>"
    elif pick < 0.3:
        paragraphs += "<w:p>" * 5000 + "</w:p>" * 5000
    head = f"<?xml version='1.0'?>{doctype}<w:document xmlns:w='{_W}'><w:body>{paragraphs}"
    return _with_document(template, [head.encode(), b"</w:body></w:document>"])


@lru_cache(maxsize=1)
def _bomb(template: bytes) -> bytes:
    """A zip bomb: a GiB of paragraphs that deflates to 3 MB (made once: it takes seconds)."""
    head = f"<?xml version='1.0'?><w:document xmlns:w='{_W}'><w:body>".encode()
    return _with_document(template, [head, *[_BOMB_MIB] * 1024, b"</w:body></w:document>"])


def _with_document(template: bytes, chunks: Sequence[bytes]) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(template)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename != "word/document.xml":
                target.writestr(info, source.read(info))
                continue
            with target.open("word/document.xml", "w", force_zip64=True) as part:
                for chunk in chunks:
                    part.write(chunk)
    return out.getvalue()


#: name -> (generator, file extension its files usually have).
GENERATORS: dict[str, tuple[Callable[[random.Random], str], str]] = {
    "srt": (_srt, ".srt"),
    "vtt": (_vtt, ".vtt"),
    "json": (_whisper_json, ".json"),
    "rttm": (_rttm, ".rttm"),
    "zoom-captions": (_zoom_captions, ".txt"),
    "zoom-chat": (_zoom_chat, ".txt"),
    "otter": (_otter, ".txt"),
    "limitless": (_limitless, ".md"),
    "fireflies": (_fireflies, ".json"),
}


def generate(rng: random.Random, docx_template: bytes | None = None) -> tuple[bytes, str]:
    """A generated document (bytes, usual extension) in one of the layouts above, or now and
    then a .docx made from ``docx_template``, a Limitless export ZIP or a Voice Memos file."""
    if docx_template is not None and rng.random() < 0.1:
        return _docx(rng, docx_template), ".docx"
    pick = rng.random()
    if pick < 0.05:
        return _limitless_zip(rng), ".zip"
    if pick < 0.1:
        return _memo(rng)
    make, extension = GENERATORS[rng.choice(sorted(GENERATORS))]
    text = make(rng)
    encoding = rng.choice(("utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16", "cp1252"))
    return text.encode(encoding, errors="surrogatepass" if "utf" in encoding else "replace"), (
        extension
    )


# -- cases ---------------------------------------------------------------------------------------

ENCODINGS = (
    "utf-8", "cp1252", "latin-1", "utf-16", "utf-7", "rot13", "base64", "hex", "zlib", "bz2",
    "uu", "punycode", "idna", "unicode_escape", "undefined", "klingon", "",
)  # fmt: skip
STARTED_AT = (
    "2026-03-02", "2026-03-02T10:00:00+01:00", "0001-01-01", "9999-12-31", "9999-12-31T23:59:59",
    "0001-01-01T00:00:00+14:00", "1969-12-31", "2200-01-01", "2199-12-31T23:59:59-12:00", "soon",
    "2026-13-01", "",
)  # fmt: skip
#: Dates and datetimes a program may put on ConvertOptions itself (not through the flags).
MADE_DATES = (
    date(1, 1, 1), date(9999, 12, 31), date(1969, 12, 31), date(1970, 1, 1), date(2026, 3, 2),
    date(2199, 12, 31), date(2200, 1, 1),
)  # fmt: skip
MADE_DATETIMES = (
    datetime.min, datetime.max, datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, tzinfo=UTC),
    datetime(1970, 1, 1), datetime(2026, 3, 2, 10, tzinfo=UTC),
    datetime(2199, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-14))),
)  # fmt: skip
TIMEZONES = ("UTC", "Europe/Berlin", "Pacific/Kiritimati", "Etc/GMT+12", "Nowhere/City", "")
DURATIONS = (0.0, 1.0, 2.0, 1e9, 1e308, float("inf"), float("nan"))
HOSTILE_STEMS = (
    os.fsdecode(b"caf\xe9"), "a\x1b[2Jb", "two  spaces", "x" * 200, "new\nline", "tab\tname",
    "😀 ا", "-", ".hidden",
)  # fmt: skip
ZOOM_FOLDERS = (
    "in", "2026-03-02 10.00.00 Weekly sync", "0001-01-01 00.30.00 x", "9999-12-31 23.59.59 x",
    "2026-02-30 10.00.00 x", "1970-01-01 00.00.00 x", os.fsdecode(b"2026-03-02 10.00.00 \xff"),
)  # fmt: skip


@dataclass(frozen=True)
class Case:
    """One input and the options it is converted with (see the module docstring)."""

    name: str
    data: bytes
    folder: str = "in"
    #: Convert the folder (walked) rather than the file.
    walk: bool = False
    #: ``ConvertOptions.from_flags`` keywords, besides the files below.
    flags: dict[str, object] = field(default_factory=dict)
    rttm: bytes | None = None
    people: bytes | None = None
    #: ``ConvertOptions`` fields set as a library caller sets them, past the flags' checks
    #: (``started_on=date(1, 1, 1)`` once reached the start-time rule: issue 22).
    made: dict[str, object] = field(default_factory=dict)

    def describe(self) -> str:
        given = {**self.flags, **{f"ConvertOptions.{k}": v for k, v in self.made.items()}}
        flags = ", ".join(f"{k}={v!r}" for k, v in sorted(given.items()))
        extra = " +rttm" if self.rttm is not None else ""
        extra += " +people" if self.people is not None else ""
        what = "folder" if self.walk else "file"
        return f"{what} {self.folder}/{self.name} ({len(self.data)} bytes) [{flags}]{extra}"


def make_case(rng: random.Random, seeds: Sequence[tuple[str, bytes]], registry: Registry) -> Case:
    """A random case from ``seeds`` and generated documents, for the adapters of ``registry``."""
    seed_bytes = [data for _, data in seeds]
    pick = rng.random()
    if pick < 0.55:
        name, data = rng.choice(seeds)
        if pick > 0.05:  # else as it is: real content under hostile options and folder names
            data = mutate(data, rng, seed_bytes)
    else:
        docx = next((d for n, d in seeds if n.endswith(".docx")), None)
        data, extension = generate(rng, docx)
        name = f"gen{extension}"
        if pick < 0.8 and extension not in (".docx", ".zip"):  # a mutated ZIP: just broken
            data = mutate(data, rng, seed_bytes)
    flags: dict[str, object] = {}
    mode = rng.random()
    rttm = None
    if mode < 0.45:
        adapter = rng.choice(registry.adapters)
        flags["format_name"] = adapter.name
        name = f"input{adapter.extensions[0] if adapter.extensions else '.txt'}"
    elif mode < 0.6:
        rttm_seeds = [d for n, d in seeds if n.endswith(".rttm")] or [_rttm(rng).encode()]
        rttm = mutate(rng.choice(rttm_seeds), rng) if rng.random() < 0.6 else _rttm(rng).encode()
        flags["diarization"] = "turns.rttm"
        if rng.random() < 0.3:
            flags["diarization_id"] = rng.choice(("rec", "nope", "\u0007"))
    _options(rng, flags)
    made = _made(rng)
    people = None
    if rng.random() < 0.03:
        people = rng.choice(
            (b'{"Ana": "p1"}', b'{"Ana": "\\ud800"}', b"[", b'{"a": 1}', b"\xff", b"{}")
        )
        flags["people"] = "people.json"
    if rng.random() < 0.1:  # file names are input too (Linux: bytes, not always UTF-8)
        name = rng.choice(HOSTILE_STEMS) + Path(name).suffix
    return Case(
        name=name,
        data=data,
        folder=rng.choice(ZOOM_FOLDERS) if rng.random() < 0.3 else "in",
        walk=rng.random() < 0.25,
        flags=flags,
        rttm=rttm,
        people=people,
        made=made,
    )


def _made(rng: random.Random) -> dict[str, object]:
    """Now and then a start set on ``ConvertOptions`` directly, in range or not."""
    made: dict[str, object] = {}
    if rng.random() < 0.03:
        made["started_on"] = rng.choice(MADE_DATES)
    if rng.random() < 0.03:
        made["started_at"] = rng.choice(MADE_DATETIMES)
    return made


def _options(rng: random.Random, flags: dict[str, object]) -> None:
    """Some options, each now and then, valid or not (about one case in eight has a bad one, so
    that most cases reach the parsers)."""
    if rng.random() < 0.05:
        flags["encoding"] = rng.choice(ENCODINGS)
    if rng.random() < 0.08:
        flags["started_at"] = rng.choice(STARTED_AT)
    if rng.random() < 0.05:
        flags["timezone"] = rng.choice(TIMEZONES)
    if rng.random() < 0.03:
        flags["language"] = rng.choice(("de", "", "x" * 3000, "\u0000", "\udcff"))
    if rng.random() < 0.03:
        flags["me"] = (rng.choice(_NAMES),)
    if rng.random() < 0.1:
        flags["no_merge"] = True
    if rng.random() < 0.03:
        flags["max_pause"] = rng.choice(DURATIONS)
    if rng.random() < 0.03:
        flags["max_turn"] = max(1.0, rng.choice(DURATIONS))
    if rng.random() < 0.05:
        flags["skip_private"] = True


# -- the rule ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    """What one case came to: an outcome (:data:`OUTCOMES`), and for findings a signature."""

    outcome: str
    signature: str | None = None
    detail: str = ""
    error_lines: tuple[str, ...] = ()


def write_case(case: Case, root: Path) -> list[Path]:
    """Write the case's files under ``root``; return the paths to convert."""
    folder = root / case.folder
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / case.name
    path.write_bytes(case.data)
    if case.rttm is not None:
        (root / "turns.rttm").write_bytes(case.rttm)
    if case.people is not None:
        (root / "people.json").write_bytes(case.people)
    return [folder if case.walk else path]


def run_case(case: Case, root: Path, registry: Registry) -> Result:
    """Convert the case under ``root`` and judge the result by the rule (module docstring)."""
    paths = write_case(case, root)
    flags = dict(case.flags)
    for key in ("diarization", "people"):
        if key in flags:
            flags[key] = root / str(flags[key])
    lines: list[str] = []
    converted = False
    try:
        options = ConvertOptions.from_flags(registry=registry, **flags)  # type: ignore[arg-type]
        if case.made:
            options = replace(options, **case.made)  # type: ignore[arg-type]
        for outcome in convert_all(paths, options, registry=registry):
            if outcome.conversion is not None:
                converted = True
                problem = check_conversion(outcome.conversion)
                if problem:
                    return _finding(f"invalid body: {problem}", case.describe())
            elif outcome.error is not None:
                lines.append(f"Error: {outcome.error}")
                problem = check_error_line(lines[-1], outcome.error, root)
                if problem:
                    return _finding(f"bad error line: {problem}", lines[-1][:300])
    except ImporterError as exc:
        lines.append(f"Error: {exc}")
        problem = check_error_line(lines[-1], exc, root)
        if problem:
            return _finding(f"bad error line: {problem}", lines[-1][:300])
    except MemoryError:
        return Result(MEMORY, "MemoryError", case.describe())
    except Exception as exc:  # the finding itself: anything but an ImporterError
        return Result(CRASH, signature(exc), "".join(traceback.format_exception(exc))[-3000:])
    outcome = ERROR if lines else CONVERTED if converted else SKIPPED
    return Result(outcome, error_lines=tuple(lines))


def _finding(problem: str, detail: str) -> Result:
    """A crash-class finding; its signature without the numbers (one per kind of problem)."""
    return Result(CRASH, _DIGITS.sub("N", problem), f"{problem}\n{detail}")


_DIGITS = re.compile(r"\d[\w:.+-]*")


def check_error_line(line: str, error: ImporterError, root: Path) -> str | None:
    """What is wrong with an ``Error:`` line, or None: short, printable, names its file."""
    if len(line) >= MAX_LINE:
        return f"{len(line)} characters"
    bad = next((c for c in line if not c.isprintable()), None)
    if bad is not None:
        return f"control character {bad!r}"
    if isinstance(error, InputError) and not line.startswith(f"Error: {root}"):
        return "does not name the file"
    return None


def check_conversion(conversion: Conversion) -> str | None:
    """What is wrong with a conversion's output, or None (its bodies are what would be sent)."""
    document = orjson.loads(conversion.to_json())  # also proves it is valid UTF-8 JSON
    if len(document["conversations"]) != len(conversion.conversations):
        return "convert output lost a conversation"
    summarize_repairs(conversion.normalized.repairs)  # every reason has a message
    for c in conversion.conversations:
        if len(c.json) > MAX_BODY_BYTES:
            return f"body of {len(c.json)} bytes"
        body = c.body
        problems = check_body(body, len(c.json))
        if problems:
            return problems[0]
        for when in (body.started_at, body.finished_at):
            if not EARLIEST <= when <= LATEST:
                return f"date out of range: {when.isoformat()}"
    return None


def signature(exc: BaseException) -> str:
    """``Type in file:line (function)`` of the innermost frame in omi-import's own code."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if f.filename.startswith(str(REPO)) and "/tests/" not in f.filename]
    frame = (ours or frames or [None])[-1]
    if frame is None:
        return type(exc).__name__
    where = Path(frame.filename)
    shown = where.relative_to(REPO) if where.is_relative_to(REPO) else where.name
    return f"{type(exc).__name__} in {shown}:{frame.lineno} ({frame.name})"
