"""Hypothesis strategies, and the test-only SRT / WebVTT writers the round-trip tests use."""

from __future__ import annotations

import json
import string
from dataclasses import dataclass

from hypothesis import strategies as st

from adapters.speakers import find_name_line

# Cue text: words without markup, entities or colons (so no tag stripping and no speaker
# prefixes come into play), never a "-->".
WORD_CHARS = string.ascii_letters + string.digits + "éüßçñ',.?!()-"
words = st.text(WORD_CHARS, min_size=1, max_size=10).filter(lambda w: "--" not in w)
text_lines = st.lists(words, min_size=1, max_size=6).map(" ".join)


@dataclass(frozen=True)
class Cue:
    start_ms: int
    end_ms: int
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def _no_name_line(lines: list[str]) -> bool:
    """No first line that reads like a name over more text: repeated over the cues, that is
    Otter's speaker-name layout by design (as colons would be ``Name:`` prefixes)."""
    return len(lines) == 1 or find_name_line("\n".join(lines)) is None


@st.composite
def cues(draw: st.DrawFn) -> Cue:
    start = draw(st.integers(0, 10 * 3600 * 1000))
    end = start + draw(st.integers(0, 60_000))
    lines = tuple(draw(st.lists(text_lines, min_size=1, max_size=3).filter(_no_name_line)))
    return Cue(start, end, lines)


cue_lists = st.lists(cues(), min_size=1, max_size=20)


def _clock(ms: int, sep: str, *, hours: bool = True) -> str:
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    if not hours and h == 0:
        return f"{m:02d}:{s:02d}{sep}{ms:03d}"
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def write_srt(cue_list: list[Cue], *, sep: str = ",", numbers: bool = True) -> str:
    blocks = []
    for i, cue in enumerate(cue_list, 1):
        timing = f"{_clock(cue.start_ms, sep)} --> {_clock(cue.end_ms, sep)}"
        blocks.append("\n".join(([str(i)] if numbers else []) + [timing, *cue.lines]))
    return "\n\n".join(blocks) + "\n"


def write_vtt(
    cue_list: list[Cue], *, ids: bool = True, short: bool = False, notes: bool = False
) -> str:
    blocks = ["WEBVTT"]
    for i, cue in enumerate(cue_list, 1):
        if notes:
            blocks.append(f"NOTE cue {i} follows")
        start, end = (_clock(ms, ".", hours=not short) for ms in (cue.start_ms, cue.end_ms))
        timing = f"{start} --> {end}"
        blocks.append("\n".join(([f"cue-{i}"] if ids else []) + [timing, *cue.lines]))
    return "\n\n".join(blocks) + "\n"


def _sbv_clock(ms: int) -> str:
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h}:{m:02d}:{s:02d}.{ms:03d}"


def write_sbv(cue_list: list[Cue]) -> str:
    """YouTube SBV: ``H:MM:SS.mmm,H:MM:SS.mmm`` then the text, blank lines between cues."""
    blocks = [
        "\n".join([f"{_sbv_clock(c.start_ms)},{_sbv_clock(c.end_ms)}", *c.lines]) for c in cue_list
    ]
    return "\n\n".join(blocks) + "\n"


def encode(text: str, *, bom: bool, crlf: bool, final_newline: bool) -> bytes:
    """The file's bytes under the given variations."""
    if not final_newline:
        text = text.rstrip("\n")
    if crlf:
        text = text.replace("\n", "\r\n")
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


#: Lines that no SRT or WebVTT reader can take for a cue: a broken timing line.
garbage_lines = st.one_of(
    st.builds(lambda w: f"{w} --> {w}", words),
    st.builds(lambda w: f"00:00:01,000 --> {w}", words.filter(lambda w: not w[0].isdigit())),
)


@dataclass(frozen=True)
class Entry:
    """One turn of a plain-text transcript: start (whole seconds), speaker, one line of text."""

    start_ms: int
    speaker: str
    text: str


SPEAKER_NAMES = ("Ana Lima", "Speaker 2", "Bo")


@st.composite
def entry_lists(draw: st.DrawFn) -> list[Entry]:
    """Turns with starts that never go back (transcripts move forward)."""
    n = draw(st.integers(3, 12))  # time-first detection needs three timestamp lines
    gaps = draw(st.lists(st.integers(0, 600), min_size=n, max_size=n))
    names = draw(st.lists(st.sampled_from(SPEAKER_NAMES), min_size=n, max_size=n))
    texts = draw(st.lists(text_lines, min_size=n, max_size=n))
    starts = [sum(gaps[: i + 1]) * 1000 for i in range(n)]
    return [Entry(s, name, t) for s, name, t in zip(starts, names, texts, strict=True)]


def _hms(ms: int) -> str:
    h, rest = divmod(ms // 1000, 3600)
    return f"{h:02d}:{rest // 60:02d}:{rest % 60:02d}"


def _ms_clock(ms: int) -> str:
    """Teams' and Rev's short clock: M:SS, or H:MM:SS past an hour."""
    h, rest = divmod(ms // 1000, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}"


def write_timestamped(entries: list[Entry], layout: str) -> str:
    """A test-only writer of the three layouts of adapters.timestamped_text."""
    if layout == "name-time":
        blocks = [f"{e.speaker} ({_ms_clock(e.start_ms)}):\n{e.text}\n" for e in entries]
        return "\n".join(blocks)
    if layout == "teams":
        return "".join(f"{e.speaker}\n{_ms_clock(e.start_ms)}\n{e.text}\n" for e in entries)
    return "".join(f"[{_hms(e.start_ms)}] {e.speaker}: {e.text}\n" for e in entries)


# -- hostile input (the fuzz tests, tests/formats/test_fuzz.py) ----------------------------

#: Everything the round-trip alphabet leaves out: markup, entities, colons, brackets, arrows,
#: control and format characters, and characters of other scripts.
HOSTILE_CHARS = (
    string.printable + "<>&;:[]{}\\/-->éüß…\u00a0\u200b\u202e\u2028\ufeff\u0000\u0007\u001b"
    "\u007f\u0085😀ا中"
)
#: Pieces that mean something to a parser: speaker prefixes, voice spans, tags, timing lines.
HOSTILE_TOKENS = (
    "Bob: ", "[SPEAKER_00]: ", "Note: ", "<v Ana>", "<v.loud Bo>", "</v>", "<v ", "<i>", "<b",
    "&amp;", "&#0;", "{\\an8}", "\\N", "<00:00:05.000>", "-->", " --> ", "WEBVTT", "NOTE",
    "NOTE -->", "STYLE", "00:00:01,000 --> 00:00:02,000", "99999999:99:99,999", "Dora  00:03",
    "[Kim] 10:00:00", "10:00:00\t From  A : ", "Transcribed by https://otter.ai", "\n", "\n\n",
    "9" * 400, "1e308", "NaN",
)  # fmt: skip
hostile_words = st.one_of(
    st.text(HOSTILE_CHARS, min_size=1, max_size=12), st.sampled_from(HOSTILE_TOKENS)
)
hostile_lines = st.lists(hostile_words, max_size=10).map(" ".join)
hostile_times = st.one_of(
    st.integers(0, 10 * 3600_000).map(lambda ms: _clock(ms, ",")),
    st.sampled_from(("99999999:99:99,999", "1:2:3", "00:00:01", "9" * 5000 + ":00:00,000",
                     "00:00:00," + "9" * 5000, "00:99:99.999", "-1:00:00,000")),
)  # fmt: skip


@st.composite
def hostile_subtitles(draw: st.DrawFn) -> str:
    """SRT- or WebVTT-shaped text whose cues hold hostile lines and times."""
    vtt = draw(st.booleans())
    cues = []
    for i in range(draw(st.integers(1, 8))):
        timing = f"{draw(hostile_times)} --> {draw(hostile_times)}{draw(hostile_lines)}"
        lines = draw(st.lists(hostile_lines, max_size=3))
        cues.append("\n".join([f"cue-{i}" if vtt else str(i), timing, *lines]))
    return ("WEBVTT\n\n" if vtt else "") + "\n\n".join(cues) + "\n"


json_numbers = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(-(10**30), 10**30),
    st.sampled_from((1e16, 1e308, -1e308, 0.0)),
)
json_times = st.one_of(st.none(), json_numbers, st.text(max_size=3), st.booleans())


@st.composite
def hostile_whisper_json(draw: st.DrawFn) -> str:
    """WhisperX / whisper-shaped JSON whose values are hostile (numbers, types, text)."""
    word = st.fixed_dictionaries(
        {"word": st.one_of(hostile_words, st.none()), "start": json_times, "end": json_times},
        optional={"speaker": st.one_of(st.none(), hostile_words)},
    )
    segment = st.fixed_dictionaries(
        {"start": json_times, "end": json_times, "text": st.one_of(hostile_lines, st.none())},
        optional={
            "speaker": st.one_of(st.none(), hostile_words),
            "words": st.lists(word, max_size=5),
            "seek": st.just(0),
        },
    )
    document = draw(
        st.fixed_dictionaries(
            {"segments": st.lists(segment, max_size=6)},
            optional={"text": hostile_lines, "language": st.one_of(hostile_words, st.none())},
        )
    )
    return json.dumps(document)


@st.composite
def hostile_rttm(draw: st.DrawFn) -> str:
    """RTTM lines with hostile fields (ids with control characters, numbers out of range)."""
    number = st.one_of(
        st.decimals(allow_nan=True, allow_infinity=True).map(str),
        st.sampled_from(("1e999999999", "9" * 5000, "-1", "0.5", "NaN")),
    )
    lines = []
    for _ in range(draw(st.integers(1, 6))):
        fields = ["SPEAKER", draw(hostile_words.filter(lambda w: w.split() == [w])), "1",
                  draw(number), draw(number), "<NA>", "<NA>", draw(st.sampled_from("AB")),
                  "<NA>", "<NA>"]  # fmt: skip
        lines.append(" ".join(fields))
    return "\n".join(lines) + "\n"


hostile_documents = st.one_of(
    hostile_subtitles(), hostile_whisper_json(), hostile_rttm(), hostile_lines
)
