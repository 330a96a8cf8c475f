"""Speakers written into cue text: ``Name: text`` and WhisperX's ``[SPEAKER_00]: text``.

Subtitle formats have no speaker field, so tools write the speaker into the text:

* Zoom cloud-recording transcripts: ``Ashlee Kupor (SL): Okay, great.`` (names with parentheses,
  commas; the text may hold more colons later: ``zoom/zoom-cloud-transcript-*.vtt``).
* WhisperX's SRT/VTT writers: ``[SPEAKER_00]: text``.
* Scripts and interviews: ``MAN:`` / ``Q:`` label lines.

A colon after a few words is also ordinary prose (``Note: the room changed``), so a prefix counts
as a speaker only when the *file* uses prefixes the way transcripts do. Consistency is judged by
how the file writes prefixes, not by how much each person talks; a file does it one of two ways:

* **On every cue** (:func:`consistent_names`): at least :data:`MIN_SHARE` of the cues with text
  carry one. Some name must come back (a conversation returns to a speaker) unless the file has
  at most three names; a person may speak once (a Japanese round table: five speakers, four of
  them once, ``田中: ...``). Once the layout says so, a prefix of a few words is a name even
  when it is used once in lower case (a 1,200-cue Zoom meeting where ``shruthi: Good evening.``
  and ``Nandani butola: You too.`` speak once). A cue without a prefix continues the previous
  speaker in Zoom files; elsewhere its speaker stays unknown.
* **On the first cue of each turn** (:func:`turn_start_names`; podcasts: ``Host: Welcome
  back`` then ten cues without a name, 5 % of the cues prefixed): at least :data:`MIN_TURNS`
  prefixes, from a small set of names each used about twice or more, and consecutive prefixes
  almost always name *different* people (:data:`MIN_CHANGE_SHARE`), because each marks a change
  of speaker. The cues that follow take that speaker.

Common label words (:data:`NOT_NAMES`) are never speakers, and a name that does not look like a
name (lowercase words, more than five words) shows itself only when the file uses it more than
once, or numbers it like another (``参加者1``, ``参加者2``). So ``Note: the exam moved`` in
ordinary dialogue stays text: one such label is neither.

How prefixes are written: ``Name:`` (the first colon followed by a space), ``[Name]:``, with
markdown bold around the name (``**Audrow Nash:**``, ``**Emma**:``), with full-width brackets
or colon (``［司会］：``, ``参加者1：はい``), or an ASCII colon straight before Chinese or Japanese
text (``司会:本日は``), which writes no space after it.

``--speaker-prefixes yes|no`` (``ParseOptions.extra["speaker_prefixes"]``, read by
:func:`prefix_mode`) overrides the guess for the rare file where it is wrong: ``yes`` takes
every plausible prefix as a speaker, ``no`` leaves all text as it is (name lines included).
Detection (:func:`has_consistent_prefixes`: is a ``.vtt`` Zoom's?) keeps 0.1.0's stricter rule
and 0.1.0's grammar of a prefix, so that no file changes format, and so client_session_id,
after an upgrade.

Otter's SRT export writes the name alone on the cue's first line, without a colon
(``Dora Demszky`` / ``So let's begin.``). Any two-line subtitle has a first line, so such a line
is a name (:func:`find_name_line`) only when it reads like one -- capitalised words, no markup,
nothing that ends a sentence or clause at its end -- and the file uses name lines consistently
(:func:`consistent_name_lines`): the same share of cues as for prefixes, a small set of names,
and a name used once counts only in a short file (at most :data:`SHORT_FILE_CUES` cues).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from itertools import pairwise
from typing import Literal, NamedTuple

import click

from importers.adapter import AdapterOption, ParseOptions
from importers.errors import ConfigError
from importers.model import Segment
from importers.text import UNSPACED

MIN_SHARE = 0.6
#: A turn-start file names at least this many turns...
MIN_TURNS = 3
#: ...and this share of consecutive prefixes name different speakers (each marks a change).
MIN_CHANGE_SHARE = 0.8
PrefixMode = Literal["auto", "yes", "no"]
#: ``--speaker-prefixes yes|no``: the override for the rare file where the guess is wrong,
#: declared by every adapter that reads ``Name:`` prefixes (the same option, shown once).
SPEAKER_PREFIXES = AdapterOption(
    "--speaker-prefixes",
    "speaker_prefixes",
    "Subtitles and text: whether 'Name:' at the start of a cue is a speaker (default: guess "
    "from how the file uses them).",
    type=click.Choice(["yes", "no"]),
)
MAX_NAME_CHARS = 60
MAX_NAME_WORDS = 5
#: In a file whose cues carry names, a prefix that does not show itself as one (used once, in
#: lower case) is a name when it has at most this many words besides particles (``Nandani
#: butola``, ``Tomas van der berg``), not a phrase.
MAX_LAYOUT_NAME_WORDS = 3
#: In a file with more cues than this, a name line used only once is not a name.
SHORT_FILE_CUES = 10

#: Words that end in a colon in ordinary prose and are never a speaker's name.
NOT_NAMES = frozenset(
    {
        "note",
        "notes",
        "nb",
        "n.b",
        "ps",
        "p.s",
        "warning",
        "caution",
        "tip",
        "tips",
        "example",
        "examples",
        "update",
        "edit",
        "important",
        "reminder",
        "disclaimer",
        "source",
        "sources",
        "translation",
        "translator",
        "subtitles",
        "subtitle",
        "captions",
        "caption",
        "transcript",
        "transcription",
        "chorus",
        "verse",
        "bridge",
        "lyrics",
        "summary",
        "todo",
        "fixme",
        "http",
        "https",
        "www",
        "re",
        "fwd",
        "fyi",
        "step",
        "result",
        "results",
        "edited",
    }
)

#: Lowercase words allowed inside a name (``Ludwig van Beethoven``).
_PARTICLES = frozenset(
    {
        "van",
        "von",
        "de",
        "da",
        "del",
        "della",
        "der",
        "den",
        "di",
        "du",
        "la",
        "le",
        "bin",
        "al",
        "el",
        "y",
        "dos",
        "das",
    }
)

# Leading markup (``<i>``, ``{\\an8}``) may precede the prefix; the name is bracketed or runs to
# the first colon that is followed by a space or the end of the line (``Dr:Who`` keeps its colon).
# 0.1.0's grammar: format detection keeps it (has_consistent_prefixes), so no file changes format.
_PREFIX_0_1_0 = re.compile(
    r"^(?P<lead>[ \t]*(?:(?:<[^<>\n]*>|\{\\[^{}\n]*\})[ \t]*)*)"
    r"(?:\[(?P<bracket>[^\[\]\n]{1,60})\]"
    r"|(?P<name>[^\s:\[<{](?:[^:\n<>]|:(?![ \t]|$)){0,59}?))"
    r"[ \t]*:(?:[ \t]+|$)",
    re.MULTILINE,
)
# What parsing reads besides: markdown bold around the name (``**Audrow Nash:**``,
# ``**Emma**:``), full-width brackets and colons (``［司会］：``, ``参加者1：``), and an ASCII colon
# straight before Chinese or Japanese text, which puts no space after it (``司会:本日は``).
_COLON = rf"(?::(?(md)(?:\*\*)?)(?:[ \t]+|$|(?=[{UNSPACED}]))|：(?(md)(?:\*\*)?)[ \t]*)"
_PREFIX = re.compile(
    r"^(?P<lead>[ \t]*(?:(?:<[^<>\n]*>|\{\\[^{}\n]*\})[ \t]*)*)"
    r"(?P<md>\*\*)?"
    r"(?:[\[［](?P<bracket>[^\[\]［］\n]{1,60})[\]］]"
    rf"|(?P<name>[^\s:：\[［<{{*](?:[^:：\n<>*]|:(?![ \t*]|$|[{UNSPACED}])){{0,59}}?))"
    rf"(?(md)(?:\*\*)?)[ \t]*{_COLON}",
    re.MULTILINE,
)
_NOT_IN_NAME = re.compile(r"[?!;\"“”…]")


class Prefix(NamedTuple):
    """A candidate prefix found at the start of a cue's text."""

    name: str
    bracketed: bool
    text: str  # the cue text with the prefix removed (leading markup kept)


def find_prefix(text: str, *, grammar: re.Pattern[str] = _PREFIX) -> Prefix | None:
    """The ``Name:`` / ``[Name]:`` prefix of the first non-blank line of ``text``, if any
    (``grammar``: :data:`_PREFIX_0_1_0` for format detection)."""
    stripped = text.lstrip("\n")
    first = stripped.find("\n")
    line = stripped if first < 0 else stripped[:first]
    if ":" not in line and "：" not in line:
        return None
    match = grammar.match(stripped)
    if match is None:
        return None
    bracket = match["bracket"]
    bracketed = bracket is not None
    name = _prefix_name(bracket if bracketed else match["name"], bracketed)
    if name is None:
        return None
    return Prefix(name, bracketed, match["lead"] + stripped[match.end() :])


@lru_cache(maxsize=4096)  # a file uses a few names on thousands of cues
def _prefix_name(raw: str, bracketed: bool) -> str | None:
    """The name a prefix's text stands for (spaces collapsed), or None when it is none."""
    name = " ".join(raw.split())
    return name if _plausible(name, bracketed) else None


@lru_cache(maxsize=4096)
def _plausible(name: str, bracketed: bool) -> bool:
    if not name or len(name) > MAX_NAME_CHARS or _NOT_IN_NAME.search(name):
        return False
    if name.casefold().rstrip(".") in NOT_NAMES or name.isdigit():
        return False
    return bracketed or len(name.split()) <= MAX_NAME_WORDS


def _name_words(name: str) -> int:
    """Words of a name, particles aside (``Tomas van der berg`` has two)."""
    return sum(1 for w in name.split() if w not in _PARTICLES)


def unmark(name: str) -> str:
    """``name`` without the markdown emphasis around it: ``**Emma**`` and ``****Rachel
    Nabors****`` (a transcript exported as text and published through markdown) are ``Emma``
    and ``Rachel Nabors``."""
    if len(name) > 2 and name[0] == name[-1] and name[0] in "*_":
        inner = name.strip(name[0]).strip()
        return inner or name
    return name


def _looks_like_name(name: str) -> bool:
    """Capitalised words (``Dora Demszky``, ``G3P1``, ``Kupor (SL)``), particles allowed."""
    return all(not w[0].islower() or w in _PARTICLES for w in name.split())


def prefix_mode(options: ParseOptions) -> PrefixMode:
    """``--speaker-prefixes``: ``"yes"``, ``"no"``, or ``"auto"`` when not given.

    Raises:
        ConfigError: another value.
    """
    value = options.extra.get(SPEAKER_PREFIXES.key)
    if value is None:
        return "auto"
    if value == "yes" or value == "no":
        return value
    raise ConfigError(f"--speaker-prefixes must be yes or no, not {value!r}")


_NUMBER = re.compile(r"\d+")


def _names(
    prefixes: Sequence[Prefix | None], *, shapes: bool = True
) -> tuple[Counter[str], set[str]]:
    """How often each prefix is used, and those that may be names: used twice, or look it, or
    (``shapes``) of a shape another prefix shares (``参加者1``, ``participant 2``: numbered)."""
    counts = Counter(p.name for p in prefixes if p is not None)
    shaped = Counter(_NUMBER.sub("#", n) for n in counts) if shapes else Counter[str]()
    return counts, {
        n
        for n, c in counts.items()
        if c > 1 or _looks_like_name(n) or shaped[_NUMBER.sub("#", n)] > 1
    }


def consistent_names(
    prefixes: Sequence[Prefix | None], cues_with_text: int, *, names_reused: bool = False
) -> set[str]:
    """The names of a file that writes a prefix on every cue, or an empty set (module doc).

    Once the names that show themselves (used twice, capitalised, numbered alike) are on
    :data:`MIN_SHARE` of the cues, the layout says prefixes are names: every other prefix of at
    most :data:`MAX_LAYOUT_NAME_WORDS` words is a name too, used once or written in lower case
    (``shruthi:``, ``Nandani butola:``). ``names_reused`` keeps 0.1.0's rules for detection:
    each name used about twice, and only the names that show themselves.
    """
    counts, names = _names(prefixes, shapes=not names_reused)
    used = sum(counts[n] for n in names)
    if used < 2 or used < MIN_SHARE * cues_with_text:
        return set()
    if names_reused and len(names) > max(3, used // 2):
        return set()
    if len(names) > 3 and not any(counts[n] > 1 for n in names):
        return set()  # every "name" once: labels of a list (``Monday:``, ``Tuesday:``...)
    if names_reused:
        return names
    return names | {n for n in counts if _name_words(n) <= MAX_LAYOUT_NAME_WORDS}


def turn_start_names(prefixes: Sequence[Prefix | None]) -> set[str]:
    """The names of a file that writes a prefix on the first cue of each turn, or an empty set."""
    _, names = _names(prefixes)
    turns = [p.name for p in prefixes if p is not None and p.name in names]
    if len(turns) < MIN_TURNS or not 2 <= len(names) <= max(3, len(turns) // 2):
        return set()
    changes = sum(1 for a, b in pairwise(turns) if a != b)
    return names if changes >= MIN_CHANGE_SHARE * (len(turns) - 1) else set()


def has_consistent_prefixes(texts: Iterable[str], *, bracketed: bool | None = None) -> bool:
    """Whether cue texts carry a prefix on every cue (``bracketed`` narrows to one style).

    This decides a ``.vtt`` file's format (Zoom's or not), so it keeps 0.1.0's rule: a file that
    format went to Omi under must keep it, or a re-run would send it again under a new key.
    """
    found = [find_prefix(t, grammar=_PREFIX_0_1_0) for t in texts if t.strip()]
    total = len(found)
    if bracketed is not None:
        found = [p if p is not None and p.bracketed == bracketed else None for p in found]
    return bool(consistent_names(found, total, names_reused=True))


def find_name_line(text: str) -> Prefix | None:
    """A speaker's name alone on the first line of ``text``, with more text below it (Otter)."""
    stripped = text.lstrip("\n")
    first, newline, rest = stripped.partition("\n")
    if not newline or not rest.strip():
        return None
    name = " ".join(first.split())
    return Prefix(name, False, rest) if is_name_line(name) else None


def is_name_line(line: str) -> bool:
    """``line`` reads like a speaker's name on its own line (``Dora Demszky``, ``Speaker 2``):
    capitalised words, no markup, nothing that ends a sentence or clause at its end."""
    name = " ".join(line.split())
    return bool(
        name
        and name[0].isalpha()  # not "[Music]", "(laughs)", "<i>", "- Yes"
        and name[-1] not in _LINE_END
        and not _NOT_IN_NAME_LINE.search(name)
        and _plausible(name, bracketed=False)
        and _looks_like_name(name)
    )


#: A first line ending in one of these is a sentence or a clause, not a name.
_LINE_END = frozenset(".,;:!?…-–—'\"“”‘’")
_NOT_IN_NAME_LINE = re.compile(r"[<>{}\[\]:]")


def consistent_name_lines(found: Sequence[Prefix | None], cues_with_text: int) -> set[str]:
    """The name lines that count as speakers, or an empty set when the file is not consistent."""
    counts = Counter(p.name for p in found if p is not None)
    short = cues_with_text <= SHORT_FILE_CUES
    names = {n for n, c in counts.items() if c > 1 or short}
    used = sum(counts[n] for n in names)
    if (
        not any(counts[n] > 1 for n in names)
        or used < MIN_SHARE * cues_with_text
        or len(names) > max(3, used // 2)
    ):
        return set()
    return names


def apply_prefix_speakers(
    segments: Sequence[Segment], *, continue_previous: bool, mode: PrefixMode = "auto"
) -> list[Segment]:
    """Move ``Name:`` prefixes from the text to ``Segment.speaker`` when the file uses them.

    Only segments without a speaker are considered. When the file uses prefixes neither on
    every cue nor on the first cue of each turn (module doc), or ``mode`` is ``"no"``, the
    segments come back unchanged; ``"yes"`` takes every plausible prefix. A cue without a prefix
    belongs to the previous cue's speaker in a turn-start file and with ``continue_previous``
    (Zoom); otherwise its speaker stays unknown (None).
    """
    if mode == "no":
        return list(segments)
    candidates = [find_prefix(s.text) if s.speaker is None else None for s in segments]
    with_text = sum(1 for s in segments if s.text.strip())
    prefixed = sum(1 for p in candidates if p is not None)
    every_cue = prefixed >= MIN_SHARE * with_text
    if mode == "yes":
        names = {p.name for p in candidates if p is not None}
    elif every_cue:
        names = consistent_names(candidates, with_text)
    else:
        names = turn_start_names(candidates)
    return _apply(segments, candidates, names, continue_previous=continue_previous or not every_cue)


def apply_name_line_speakers(
    segments: Sequence[Segment], mode: PrefixMode = "auto"
) -> list[Segment]:
    """Move consistent name lines (Otter's SRT) from the text to ``Segment.speaker``.

    Segments without a name line keep an unknown speaker; when the file is not consistent, or
    ``mode`` is ``"no"``, the segments come back unchanged.
    """
    if mode == "no":
        return list(segments)
    with_text = sum(1 for s in segments if s.text.strip())
    candidates = _candidates(segments, find_name_line, with_text)
    names = consistent_name_lines(candidates, with_text) if candidates else set()
    return _apply(segments, candidates, names, continue_previous=False)


def _candidates(
    segments: Sequence[Segment], find: Callable[[str], Prefix | None], with_text: int
) -> list[Prefix | None]:
    """``find`` over the texts of segments without a speaker; empty as soon as too few cues
    are left to reach :data:`MIN_SHARE` (the name-line rule needs it), so an ordinary
    subtitle file is given up on early."""
    allowed_misses = with_text - MIN_SHARE * with_text
    misses = 0
    out: list[Prefix | None] = []
    for seg in segments:
        found = find(seg.text) if seg.speaker is None else None
        if found is None and seg.text.strip():
            misses += 1
            if misses > allowed_misses:
                return []
        out.append(found)
    return out


def _apply(
    segments: Sequence[Segment],
    candidates: Sequence[Prefix | None],
    names: set[str],
    *,
    continue_previous: bool,
) -> list[Segment]:
    if not names:
        return list(segments)
    out: list[Segment] = []
    previous: str | None = None
    for seg, prefix in zip(segments, candidates, strict=True):
        if seg.speaker is not None:
            previous = seg.speaker
            out.append(seg)
        elif prefix is not None and prefix.name in names:
            previous = prefix.name
            # Segment's constructor, not _replace: a third of the time of a 100,000-cue file.
            _, start, end, _, words, line, anonymous = seg
            out.append(Segment(prefix.text, start, end, previous, words, line, anonymous))
        elif continue_previous and previous is not None and seg.text.strip():
            out.append(seg._replace(speaker=previous))
        else:
            out.append(seg)
    return out
