"""WebVTT (``.vtt``): webvtt-py reads the cues; a tolerant parser takes over where it errs.

One walk over the file's blocks (:func:`_walk`, shared by both paths) finds every cue's first
line (errors and repairs name ``FILE:LINE``; webvtt-py keeps no lines), consumes the header,
NOTE, STYLE and REGION blocks, reads the language, and reports blocks that are not cues. The cues
themselves -- times and text -- come from webvtt-py (0.6, lenient mode), paired in order with the
walk's timing lines; :func:`read_vtt` says which path served a file and why
(``VttCues.reader`` / ``fallback``). The tolerant parser reads the file instead where webvtt-py
would be wrong:

* ``timestamp`` -- a timing line webvtt-py drops or misreads: ``00:01:39`` without a fraction
  (its lenient mode drops the cue without a word:
  ``vtt/astisub-bom-note-style-region-short-timestamps.vtt``, the one corpus file that needs a
  fallback); and, in no corpus file but possible, ``,`` separators, fractions of more than three
  digits (dropped, or truncated where the tolerant parser rounds), minutes or seconds over 59,
  text glued to the end time (``00:00:02.000abc``). Also any ``-->`` line that is no timing
  line at all: the tolerant parser names it in a ParseError.
* ``skipped`` -- webvtt-py returned fewer cues than the file has timing lines (a safety net: the
  timestamp check should catch every cue it drops).
* ``split`` -- a cue's text ended somewhere else than at the next empty or timing line (a safety
  net too).
* ``header`` -- ``WEBVTT`` is not on the first line (webvtt-py: ``MalformedFileError``; the
  tolerant parser allows blank lines before it, or raises the ParseError).
* ``webvtt-py`` -- webvtt-py raised anyway.
* ``unpadded`` -- old Teams/Stream timing lines (``0:4:6.80 --> 0:4:6.530``) whose fractions are
  milliseconds without zero padding (:func:`adapters.timing.unpadded_layout`): webvtt-py, as
  any decimal reading, would take ``.80`` for 800 ms.

Not a reason to fall back, but extended: webvtt-py's strict mode raises on files that are fine to
read (a timing line straight after cue text in ``vtt/webvtt-py-youtube-dl-inline-timestamps.vtt``,
unknown cue settings in ``vtt/pysubs2-note-style-region-voice.vtt``, Netflix's whitespace-only
line before the first cue), so its lenient mode is used and what it leaves out is checked here;
its ``voice`` only sees a ``<v>`` span at the very start of a cue (``I like <v Salame>lime.`` in
``vtt/pysubs2-note-style-region-voice.vtt`` has none), so voices are read from the raw text by
:data:`_VOICE` on both paths; cue settings and junk after the end time are read from the timing
line on both paths.

What the walk does, on both paths (each needed by a corpus sample):

* ``WEBVTT`` may be followed by text (``WEBVTT - Translation of that film I like``) and by header
  lines (``X-TIMESTAMP-MAP``, YouTube's ``Kind:``/``Language:``/``Style:`` with CSS and ``##``);
  ``Language:`` (and Microsoft Stream's ``NOTE language:en-us``) sets the transcript's language
  (its code: ``en-us`` and ``English`` are ``en``).
* NOTE, STYLE and REGION blocks, anywhere, are consumed; so are legacy ``Region: id=...`` lines
  before the first cue (``vtt/astisub-...``). A STYLE block ends at its first blank line as the
  spec says, so the rest of a CSS rule after a blank line is reported as ``block_skipped``.
* Cue identifiers: numbers, words with spaces (``2 Title Crawl``), Teams GUIDs with ``/32-0``.
* Cue settings after the end timestamp are consumed (``position:50.00%,middle ...``); text that
  is not ``key:value`` settings is reported as ``timing_text_ignored``.
* A timing line straight after cue text starts a new cue (YouTube auto-captions).
* Lines that hold only spaces before the first cue (Netflix) are blank lines; inside a cue they
  are cue text (the spec's rule), like the `` </c>`` line of the YouTube sample.
* Empty cues are returned with empty text; normalization drops and counts them.
* Inline timestamps, ``<c.class>``, ``<lang>``, ``<ruby>`` and entities are left in the text for
  :mod:`importers.text` to strip.
* Voice spans ``<v Name>``/``<v.loud Name>`` (closed, unclosed, spanning lines, mid-cue) set
  ``Segment.speaker``. A cue with several different voices keeps the first and reports
  ``voice_spans_merged``.

The tolerant parser's timestamps: see :mod:`adapters.timing` (missing hours, ``0:0:0.570``,
4-digit HLS hours, ``00:01:39`` without a fraction, two-digit fractions).

Without voice spans, consistent ``Name:`` / ``[SPEAKER_00]:`` prefixes become speakers
(:mod:`adapters.speakers`). ``vtt`` claims every WebVTT file; ``teams`` and ``zoom`` subclass it
with narrower sniffs, and detection prefers a subclass over its base (:mod:`importers.registry`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, ClassVar, Protocol

import webvtt

from adapters.speakers import SPEAKER_PREFIXES, apply_prefix_speakers, prefix_mode
from adapters.timing import parse_timing, report_overflow, unpadded_layout
from importers.adapter import Adapter, AdapterOption, ParseOptions
from importers.errors import ParseError
from importers.language import language_code
from importers.model import Repair, Segment, Transcript
from importers.source import Source

# No "<" inside a voice's class or name: each try stops at the next tag, so text full of "<v"
# without ">" is read in linear time (with "[^>\n]*" a 120 KB line took 34 s).
_VOICE = re.compile(r"<v(?:\.[^\s<>]*)?[ \t]+([^<>\n]*)>")
# Each setting ends at whitespace or the end: "\S*[ \t]*" let a run of "a:a:a:..." split into
# settings in exponentially many ways before failing.
_SETTINGS = re.compile(r"^(?:[\w-]+:\S*(?:[ \t]+|$))*$")
_BLOCK_KEYWORD = re.compile(r"^(?:NOTE|STYLE|REGION)(?:[ \t]|$)")
_HEADER_FIELD = re.compile(r"^[ \t]*(?:[\w-]+[ \t]*[:=]|Region:)")
_LANGUAGE = re.compile(r"^(?:Language:|NOTE language:)[ \t]*(\w[\w -]{0,40}?)[ \t]*$")


def is_webvtt(source: Source) -> bool:
    """The file starts with the ``WEBVTT`` header (blank lines before it allowed)."""
    return source.head.lstrip().startswith("WEBVTT")


def has_voices(head: str) -> bool:
    """The head holds ``<v Name>`` voice spans."""
    return "<v " in head or "<v." in head


class VttAdapter(Adapter):
    """WebVTT subtitles and captions."""

    name = "vtt"
    extensions: ClassVar[tuple[str, ...]] = (".vtt",)
    description = (
        "WebVTT (.vtt); <v Name> voices and [SPEAKER_00]: / Name: prefixes become speakers"
    )

    #: Zoom: a cue without a ``Name:`` prefix continues the previous speaker.
    continue_previous: ClassVar[bool] = False

    options: ClassVar[tuple[AdapterOption, ...]] = (SPEAKER_PREFIXES,)

    def sniff(self, source: Source) -> bool:
        """Any WebVTT file; ``teams`` and ``zoom`` extend this class and win where they apply."""
        return is_webvtt(source)

    def parse(self, source: Source, options: ParseOptions) -> Transcript:
        cues = read_vtt(source.lines)
        segments = cues.segments
        if not any(s.speaker for s in segments):
            segments = apply_prefix_speakers(
                segments, continue_previous=self.continue_previous, mode=prefix_mode(options)
            )
        return Transcript(
            segments=tuple(segments),
            format=self.name,
            language=options.language or cues.language,
            repairs=tuple(cues.repairs),
        )


WEBVTT_PY = "webvtt-py"
TOLERANT = "tolerant"

# Why the tolerant parser read a file (see the module docstring).
FALLBACK_TIMESTAMP = "timestamp"
FALLBACK_SKIPPED = "skipped"
FALLBACK_SPLIT = "split"
FALLBACK_HEADER = "header"
FALLBACK_WEBVTT_PY = "webvtt-py"
FALLBACK_UNPADDED = "unpadded"

# A timing line webvtt-py reads exactly as the tolerant parser does: [h:]m:s.f with at most 59
# minutes and seconds and one to three fraction digits ('.5' is 500 ms in both), then nothing or
# whitespace and the settings. At most four hour digits keep it within importers.bounds (9999 h);
# longer hours go to the tolerant parser, which names the line of a time out of range.
_TS = r"(?:\d{1,4}:)?[0-5]?\d:[0-5]?\d\.\d{1,3}"
_WEBVTT_PY_TIMING = re.compile(rf"[ \t]*{_TS}[ \t]*-->[ \t]*{_TS}(?:[ \t]+(.*))?")
_HEADER = re.compile(r"WEBVTT(?:[ \t]|$)")


class VttCues:
    """What :func:`read_vtt` read: segments, repairs, the language the file names, and which
    parser read the cues (``reader``: WEBVTT_PY or TOLERANT; ``fallback``: why, FALLBACK_*)."""

    def __init__(self) -> None:
        self.segments: list[Segment] = []
        self.repairs: list[Repair] = []
        self.language: str | None = None
        self.reader = TOLERANT
        self.fallback: str | None = None


class _Fallback(Exception):  # noqa: N818 - control flow, not an error
    """webvtt-py would read the file wrong: the tolerant parser reads it (``reason``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def read_vtt(lines: list[str]) -> VttCues:
    """Cues of a WebVTT file (lines without newlines): webvtt-py where it reads them right.

    Raises:
        ParseError: no ``WEBVTT`` header, or a line with ``-->`` that is not a timing line.
    """
    try:
        if not lines or not _HEADER.match(lines[0]):
            raise _Fallback(FALLBACK_HEADER)
        if unpadded_layout(lines):
            raise _Fallback(FALLBACK_UNPADDED)
        try:
            captions = webvtt.from_buffer(lines).captions
        except Exception:  # whatever webvtt-py raises, the tolerant parser reads it or says why
            raise _Fallback(FALLBACK_WEBVTT_PY) from None
        reader = _WebvttPyCues(captions)
        out = _walk(lines, reader)
        if reader.used != len(captions):
            raise _Fallback(FALLBACK_SKIPPED)
    except _Fallback as fallback:
        out = parse_vtt(lines)
        out.fallback = fallback.reason
        return out
    out.reader = WEBVTT_PY
    return out


def parse_vtt(lines: list[str]) -> VttCues:
    """Cues of a WebVTT file read by the tolerant parser alone (no webvtt-py); old Teams'
    unpadded fractions as milliseconds (:func:`adapters.timing.unpadded_layout`).

    Raises:
        ParseError: no ``WEBVTT`` header, or a line with ``-->`` that is not a timing line.
    """
    return _walk(lines, _read_unpadded_cue if unpadded_layout(lines) else _read_cue)


class _CueReader(Protocol):
    def __call__(self, out: VttCues, lines: list[str], start: int, timing_at: int) -> int:
        """Add the cue whose timing line is ``timing_at`` to ``out``; return the line after it."""
        ...


def _walk(lines: list[str], read_cue: _CueReader) -> VttCues:
    """Walk the blocks of a WebVTT file; ``read_cue`` reads each cue.

    Raises:
        ParseError: no ``WEBVTT`` header.
    """
    out = VttCues()
    n = len(lines)
    i = _skip_blank(lines, 0)
    if i == n or not _HEADER.match(lines[i]):
        snippet = lines[i].strip() if i < n else None
        raise ParseError(
            "not a WebVTT file (no WEBVTT header)", line=min(i, n - 1) + 1, snippet=snippet
        )
    i += 1
    while i < n and lines[i] and "-->" not in lines[i]:  # header lines
        _note_language(out, lines[i])
        i += 1
    seen_cue = False
    while True:
        i = _skip_blank(lines, i)
        if i == n:
            return out
        line = lines[i]
        # NOTE, STYLE, REGION; a line with "-->" never starts one (the spec reads it as a cue's
        # timing line; here "NOTE -->" is a bad timing line), and the loop below must consume it.
        if "-->" not in line and _BLOCK_KEYWORD.match(line):
            while i < n and lines[i] and "-->" not in lines[i]:
                _note_language(out, lines[i])
                i += 1
            continue
        if "-->" in line:
            timing_at = i
        elif i + 1 < n and "-->" in lines[i + 1]:
            timing_at = i + 1  # line i is the cue identifier
        else:
            i = _skip_block(out, lines, i, header_like=not seen_cue)
            continue
        seen_cue = True
        i = read_cue(out, lines, i, timing_at)


def _cue_end(lines: list[str], i: int) -> int:
    """The line after a cue's text: its text runs to an empty line or a timing line."""
    while i < len(lines) and lines[i] and "-->" not in lines[i]:
        i += 1
    return i


def _add_cue(
    out: VttCues, text: str, start_ms: int, end_ms: int, rest: str, start: int, timing_at: int
) -> None:
    if rest and not _SETTINGS.match(rest):
        out.repairs.append(Repair("timing_text_ignored", timing_at + 1))
    voices = [v.strip() for v in _VOICE.findall(text) if v.strip()] if "<v" in text else []
    if len(set(voices)) > 1:
        out.repairs.append(Repair("voice_spans_merged", start + 1))
    out.segments.append(
        Segment(
            text=text,
            start_ms=start_ms,
            end_ms=end_ms,
            speaker=voices[0] if voices else None,
            line=start + 1,
        )
    )


def _read_unpadded_cue(out: VttCues, lines: list[str], start: int, timing_at: int) -> int:
    return _read_cue(out, lines, start, timing_at, unpadded=True)


def _read_cue(
    out: VttCues, lines: list[str], start: int, timing_at: int, *, unpadded: bool = False
) -> int:
    """The tolerant parser's cue: timing line by :mod:`adapters.timing`, text from the lines."""
    timing = parse_timing(lines[timing_at], line=timing_at + 1, unpadded=unpadded)
    if timing is None:
        raise ParseError(
            "invalid cue timing line", line=timing_at + 1, snippet=lines[timing_at].strip()
        )
    report_overflow(out.repairs, timing.overflow, timing_at + 1)
    end = _cue_end(lines, timing_at + 1)
    text = "\n".join(lines[timing_at + 1 : end])
    _add_cue(out, text, timing.start_ms, timing.end_ms, timing.rest, start, timing_at)
    return end


class _WebvttPyCues:
    """webvtt-py's captions, handed out in order as the walk meets their timing lines."""

    def __init__(self, captions: Sequence[Any]) -> None:
        self.captions = captions
        self.used = 0

    def __call__(self, out: VttCues, lines: list[str], start: int, timing_at: int) -> int:
        match = _WEBVTT_PY_TIMING.fullmatch(lines[timing_at])
        if match is None:
            raise _Fallback(FALLBACK_TIMESTAMP)
        if self.used == len(self.captions):
            raise _Fallback(FALLBACK_SKIPPED)
        caption = self.captions[self.used]
        self.used += 1
        end = timing_at + 1 + len(caption.lines)
        if end < len(lines) and lines[end] and "-->" not in lines[end]:
            raise _Fallback(FALLBACK_SPLIT)
        _add_cue(
            out,
            caption.raw_text,
            caption.start_time.in_milliseconds(),
            caption.end_time.in_milliseconds(),
            (match[1] or "").strip(),
            start,
            timing_at,
        )
        return end


def _skip_block(out: VttCues, lines: list[str], i: int, *, header_like: bool) -> int:
    """Skip a block that is not a cue: metadata before the first cue, else report it."""
    start = i
    while i < len(lines) and lines[i] and "-->" not in lines[i]:
        i += 1
    if i < len(lines) and "-->" in lines[i] and i - 1 > start:
        i -= 1  # the block's last line is the next cue's identifier
    if not (header_like and all(_HEADER_FIELD.match(line) for line in lines[start:i])):
        out.repairs.append(Repair("block_skipped", start + 1))
    return i


def _skip_blank(lines: list[str], i: int) -> int:
    while i < len(lines) and not lines[i].strip():
        i += 1
    return i


def _note_language(out: VttCues, line: str) -> None:
    match = _LANGUAGE.match(line) if out.language is None else None
    if match:
        out.language = language_code(match[1])
