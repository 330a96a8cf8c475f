"""Hypothesis strategies, and the test-only SRT / WebVTT writers the round-trip tests use."""

from __future__ import annotations

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
