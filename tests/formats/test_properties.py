"""Round trips through test-only writers, and garbage that must raise ParseError."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import (
    Cue,
    cue_lists,
    encode,
    garbage_lines,
    words,
    write_sbv,
    write_srt,
    write_vtt,
)
from support import text_source

from adapters.sbv import SbvAdapter
from adapters.srt import SrtAdapter
from adapters.vtt import VttAdapter
from importers.adapter import ParseOptions
from importers.errors import ParseError
from importers.source import Source

variations = st.fixed_dictionaries(
    {"bom": st.booleans(), "crlf": st.booleans(), "final_newline": st.booleans()}
)


def as_cues(source: Source, adapter: SrtAdapter | VttAdapter | SbvAdapter) -> list[Cue]:
    transcript = adapter.parse(source, ParseOptions())
    return [
        Cue(s.start_ms or 0, s.end_ms or 0, tuple(s.text.split("\n"))) for s in transcript.segments
    ]


@given(cue_lists, variations, st.sampled_from([",", "."]), st.booleans())
def test_srt_round_trip(cues: list[Cue], how: dict[str, bool], sep: str, numbers: bool) -> None:
    """Generated cues written as SRT (BOM, CRLF, no final newline, '.') read back equal."""
    source = Source(Path("p.srt"), encode(write_srt(cues, sep=sep, numbers=numbers), **how))
    assert SrtAdapter().sniff(source)
    assert as_cues(source, SrtAdapter()) == cues


@given(cue_lists, variations, st.booleans(), st.booleans(), st.booleans())
def test_vtt_round_trip(
    cues: list[Cue], how: dict[str, bool], ids: bool, short: bool, notes: bool
) -> None:
    """Generated cues written as WebVTT (ids, hour-less times, NOTEs) read back equal."""
    data = encode(write_vtt(cues, ids=ids, short=short, notes=notes), **how)
    source = Source(Path("p.vtt"), data)
    assert VttAdapter().sniff(source)
    assert as_cues(source, VttAdapter()) == cues


@given(cue_lists, st.data(), garbage_lines)
def test_garbage_timing_line_raises(cues: list[Cue], data: st.DataObject, garbage: str) -> None:
    """A broken timing line anywhere raises ParseError naming its line (SRT and WebVTT)."""
    for text, adapter in ((write_srt(cues), SrtAdapter()), (write_vtt(cues), VttAdapter())):
        lines = text.split("\n")
        at = data.draw(st.integers(1, len(lines) - 1))
        lines.insert(at, garbage)
        with pytest.raises(ParseError) as info:
            adapter.parse(text_source("\n".join(lines)), ParseOptions())
        assert info.value.line == at + 1


@given(cue_lists, st.lists(words, min_size=1, max_size=5).map(" ".join))
def test_text_before_the_first_cue_raises(cues: list[Cue], prose: str) -> None:
    """Prose before the first cue: SRT and WebVTT both raise ParseError at line 1."""
    for text, adapter in ((write_srt(cues), SrtAdapter()), (write_vtt(cues), VttAdapter())):
        with pytest.raises(ParseError) as info:
            adapter.parse(text_source(f"{prose}\n\n{text}"), ParseOptions())
        assert info.value.line == 1


@given(cue_lists, variations)
def test_sbv_round_trip(cues: list[Cue], how: dict[str, bool]) -> None:
    """Generated cues written as YouTube SBV (BOM, CRLF, no final newline) read back equal."""
    source = Source(Path("p.sbv"), encode(write_sbv(cues), **how))
    assert SbvAdapter().sniff(source)
    assert as_cues(source, SbvAdapter()) == cues


@given(cue_lists, st.data(), words)
def test_sbv_broken_timing_line_raises(cues: list[Cue], data: st.DataObject, word: str) -> None:
    """A timing line with a broken end ('0:00:01.000,soon') raises ParseError naming its line."""
    lines = write_sbv(cues).split("\n")
    at = data.draw(st.integers(1, len(lines) - 1))
    lines.insert(at, f"0:00:01.000,{word}")
    with pytest.raises(ParseError) as info:
        SbvAdapter().parse(text_source("\n".join(lines)), ParseOptions())
    assert info.value.line == at + 1
