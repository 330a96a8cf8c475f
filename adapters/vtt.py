"""WebVTT (``.vtt``): a tolerant block parser; webvtt-py is the reference it is tested against.

webvtt-py (0.6) reads every WebVTT file of the corpus that follows the spec, and
``tests/test_adapter_vtt.py`` checks this parser against it cue for cue on all of those. It is
not the run-time path because it cannot say where a cue came from or what it left out:

* no source lines: errors and repairs name ``FILE:LINE``, and every segment carries its line;
* in its lenient mode a cue it cannot read is dropped without a word (the ``00:01:39`` cue of
  ``vtt/astisub-bom-note-style-region-short-timestamps.vtt``); its strict mode raises on files
  that are fine to read (a timing line straight after cue text in
  ``vtt/webvtt-py-youtube-dl-inline-timestamps.vtt``) yet drops a stray text block silently;
* its ``voice`` only sees a ``<v>`` span at the very start of a cue (``I like <v Salame>lime.``
  in ``vtt/pysubs2-note-style-region-voice.vtt`` has none).

Tolerances, each needed by a corpus sample:

* ``WEBVTT`` may be followed by text (``WEBVTT - Translation of that film I like``) and by header
  lines (``X-TIMESTAMP-MAP``, YouTube's ``Kind:``/``Language:``/``Style:`` with CSS and ``##``);
  ``Language:`` (and Microsoft Stream's ``NOTE language:en-us``) sets the transcript's language.
* NOTE, STYLE and REGION blocks, anywhere, are consumed; so are legacy ``Region: id=...`` lines
  before the first cue (``vtt/astisub-...``). A STYLE block ends at its first blank line as the
  spec says, so the rest of a CSS rule after a blank line is reported as ``block_skipped``.
* Cue identifiers: numbers, words with spaces (``2 Title Crawl``), Teams GUIDs with ``/32-0``.
* Cue settings after the end timestamp are consumed (``position:50.00%,middle ...``); text that
  is not ``key:value`` settings is reported as ``timing_text_ignored``.
* Timestamps: see :mod:`adapters.timing` (missing hours, ``0:0:0.570``, 4-digit HLS hours,
  ``00:01:39`` without a fraction, two-digit fractions).
* A timing line straight after cue text starts a new cue (YouTube auto-captions).
* Lines that hold only spaces before the first cue (Netflix) are blank lines; inside a cue they
  are cue text (the spec's rule), like the `` </c>`` line of the YouTube sample.
* Empty cues are returned with empty text; normalization drops and counts them.
* Inline timestamps, ``<c.class>``, ``<lang>``, ``<ruby>`` and entities are left in the text for
  :mod:`importers.text` to strip.
* Voice spans ``<v Name>``/``<v.loud Name>`` (closed, unclosed, spanning lines, mid-cue) set
  ``Segment.speaker``. A cue with several different voices keeps the first and reports
  ``voice_spans_merged``.

Without voice spans, consistent ``Name:`` / ``[SPEAKER_00]:`` prefixes become speakers
(:mod:`adapters.speakers`). Which of ``vtt``, ``teams`` and ``zoom`` reads a file is decided by
one function, :func:`classify`, so the three sniffers can never both say yes.
"""

from __future__ import annotations

import re
from typing import ClassVar

from adapters.speakers import apply_prefix_speakers, has_consistent_prefixes
from adapters.timing import TIMING, parse_timing
from importers.adapter import Adapter, ParseOptions
from importers.errors import ParseError
from importers.model import Repair, Segment, Transcript
from importers.source import Source

_VOICE = re.compile(r"<v(?:\.[^\s>]*)?[ \t]+([^>\n]*)>")
_SETTINGS = re.compile(r"^(?:[\w-]+:\S*[ \t]*)*$")
_BLOCK_KEYWORD = re.compile(r"^(?:NOTE|STYLE|REGION)(?:[ \t]|$)")
_HEADER_FIELD = re.compile(r"^[ \t]*(?:[\w-]+[ \t]*[:=]|Region:)")
_LANGUAGE = re.compile(
    r"^(?:Language:[ \t]*|NOTE language:[ \t]*)([A-Za-z]{2,3})(?:[-_][\w-]+)?[ \t]*$"
)
_GUID_ID = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?:/\d+-\d+)?[ \t]*$",
    re.MULTILINE | re.IGNORECASE,
)
_OLD_TEAMS_TIMING = re.compile(r"^\d:\d{1,2}:\d{1,2}\.\d+ --> ", re.MULTILINE)
_ZOOM_FILE = re.compile(r"(?:\.transcript|^audio_transcript[^/]*)\.vtt$", re.IGNORECASE)
_SNIFF_CUES = 40


def classify(source: Source) -> str | None:
    """Which WebVTT adapter owns ``source``: ``"teams"``, ``"zoom"``, ``"vtt"`` or None.

    * ``teams``: ``<v Name>`` voice spans with Teams' GUID cue ids or its old ``0:0:0.0``
      timestamps, or Microsoft Stream's ``NOTE Confidence:`` lines.
    * ``zoom``: Zoom's file names (``*.transcript.vtt``, ``audio_transcript*.vtt``), or cues that
      consistently start with ``Display Name: `` (no voice spans).
    * ``vtt``: every other WebVTT file.
    """
    head = source.head
    if not head.lstrip().startswith("WEBVTT"):
        return None
    voices = "<v " in head or "<v." in head
    if "\nNOTE Confidence:" in head or (
        voices and (_GUID_ID.search(head) or _OLD_TEAMS_TIMING.search(head))
    ):
        return "teams"
    if not voices and (
        _ZOOM_FILE.search(source.path.name)
        or has_consistent_prefixes(_head_cue_texts(head), bracketed=False)
    ):
        return "zoom"
    return "vtt"


def _head_cue_texts(head: str) -> list[str]:
    """The first lines of the first cues in the head (enough for the prefix test)."""
    lines = head.split("\n")
    texts = []
    for i, line in enumerate(lines[:-2]):
        if "-->" in line and TIMING.match(line):
            texts.append(lines[i + 1])
            if len(texts) == _SNIFF_CUES:
                break
    return texts


class VttAdapter(Adapter):
    """WebVTT subtitles and captions."""

    name = "vtt"
    extensions = (".vtt",)
    description = (
        "WebVTT (.vtt); <v Name> voices and [SPEAKER_00]: / Name: prefixes become speakers"
    )

    #: Zoom: a cue without a ``Name:`` prefix continues the previous speaker.
    continue_previous: ClassVar[bool] = False

    def sniff(self, source: Source) -> bool:
        return classify(source) == self.name

    def parse(self, source: Source, options: ParseOptions) -> Transcript:
        cues = parse_vtt(source.lines)
        segments = cues.segments
        if not any(s.speaker for s in segments):
            segments = apply_prefix_speakers(segments, continue_previous=self.continue_previous)
        return Transcript(
            segments=tuple(segments),
            format=self.name,
            language=options.language or cues.language,
            repairs=tuple(cues.repairs),
        )


class VttCues:
    """What :func:`parse_vtt` read: segments, repairs, and the language the file names."""

    def __init__(self) -> None:
        self.segments: list[Segment] = []
        self.repairs: list[Repair] = []
        self.language: str | None = None


def parse_vtt(lines: list[str]) -> VttCues:
    """Cues of a WebVTT file (lines without newlines).

    Raises:
        ParseError: no ``WEBVTT`` header, or a line with ``-->`` that is not a timing line.
    """
    out = VttCues()
    n = len(lines)
    i = _skip_blank(lines, 0)
    if i == n or not re.match(r"WEBVTT(?:[ \t]|$)", lines[i]):
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
        if _BLOCK_KEYWORD.match(line):  # NOTE, STYLE, REGION
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
        i = _read_cue(out, lines, i, timing_at)


def _read_cue(out: VttCues, lines: list[str], start: int, timing_at: int) -> int:
    timing = parse_timing(lines[timing_at])
    if timing is None:
        raise ParseError(
            "invalid cue timing line", line=timing_at + 1, snippet=lines[timing_at].strip()
        )
    if timing.rest and not _SETTINGS.match(timing.rest):
        out.repairs.append(Repair("timing_text_ignored", timing_at + 1))
    i = timing_at + 1
    while i < len(lines) and lines[i] and "-->" not in lines[i]:
        i += 1
    text = "\n".join(lines[timing_at + 1 : i])
    voices = [v.strip() for v in _VOICE.findall(text) if v.strip()]
    if len(set(voices)) > 1:
        out.repairs.append(Repair("voice_spans_merged", start + 1))
    out.segments.append(
        Segment(
            text=text,
            start_ms=timing.start_ms,
            end_ms=timing.end_ms,
            speaker=voices[0] if voices else None,
            line=start + 1,
        )
    )
    return i


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
    match = _LANGUAGE.match(line)
    if match and out.language is None:
        out.language = match[1].lower()
