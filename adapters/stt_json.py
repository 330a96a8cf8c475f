"""Reading helpers shared by the speech-to-text JSON adapters (cloud services, Whisper tools).

Every one of these formats is a tree of objects holding words with times and, once diarized,
speakers. What they share, and what lives here:

* Times: seconds as numbers (Deepgram, Rev.ai, Whisper), seconds as strings (AWS Transcribe:
  ``"0.94"``) or integer milliseconds (AssemblyAI). ``null``, a missing key, NaN or infinity
  mean "not known" (normalization estimates it and reports it); anything else that is not a
  number is a :class:`~importers.errors.ParseError` naming where it is (``results.items[3]``:
  JSON errors have no useful line once the document is parsed).
* Words join by script (:func:`importers.text.join_words`: no spaces between Chinese or
  Japanese characters). Where a service writes punctuation as tokens of its own (Rev.ai,
  AWS Transcribe), a mark joins the word before it (:func:`join_punctuation`).
* Word lists: a JSON list of word objects whose keys each format spells its own way
  (:class:`WordFields`, :func:`read_word_list`).
* Cues: word-only formats have none, so a cue is a sentence of one speaker
  (:func:`sentences`): it ends at a word that ends a sentence or where the speaker changes.
  Normalization then builds turns from the words as for WhisperX (:mod:`importers.turns`), and
  ``--no-merge`` keeps one segment per sentence.
* Language: ``en_us`` (AssemblyAI), ``en-US`` (AWS) become ``en``, the code Omi takes
  (:func:`importers.language.language_code`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from importers.bounds import check_offset_ms, seconds_to_ms
from importers.errors import ParseError
from importers.model import Segment, Word
from importers.text import join_words
from importers.turns import SENTENCE_END


def _number(value: Any, what: str, where: str, path: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ParseError(
            f"{where}: {what} is not a number ({value!r})", path=None if path is None else str(path)
        )
    return value if math.isfinite(value) else None


def to_ms(value: Any, what: str, where: str, *, path: object = None) -> int | None:
    """Seconds (int/float) to integer ms. None/missing and NaN/inf give None (times unknown).

    Raises:
        ParseError: ``value`` is something else (``"{where}: {what} is not a number"``), or a
            time beyond :mod:`importers.bounds`' range.
    """
    seconds = _number(value, what, where, path)
    if seconds is None:
        return None
    try:
        return seconds_to_ms(seconds, f"{where}: {what}")
    except ParseError as exc:
        raise (exc if path is None else exc.with_path(str(path))) from None


def string_seconds_to_ms(value: Any, what: str, where: str) -> int | None:
    """AWS Transcribe's ``"0.94"`` (a number in a string; a plain number is accepted too)."""
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise ParseError(f"{where}: {what} is not a number ({value!r})") from None
    return to_ms(value, what, where)


def int_ms(value: Any, what: str, where: str) -> int | None:
    """AssemblyAI's integer milliseconds (a float is rounded)."""
    ms = _number(value, what, where, None)
    return None if ms is None else check_offset_ms(round(ms), f"{where}: {what}")


def as_list(value: Any, where: str) -> list[Any]:
    """``value`` when it is a JSON array; ``null``/missing is an empty one."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ParseError(f"{where} is not a list")
    return value


def as_object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ParseError(f"{where} is not an object")
    return value


def text_of(value: Any, where: str) -> str:
    """A word's or an utterance's text (stripped)."""
    if not isinstance(value, str):
        raise ParseError(f"{where}: text is not a string ({value!r})")
    return value.strip()


def speaker_name(value: Any, prefix: str = "Speaker ") -> str | None:
    """``0`` -> ``"Speaker 0"``, ``"A"`` -> ``"Speaker A"`` (as the services' own viewers show
    them); an empty or missing value is no speaker."""
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    return f"{prefix}{text}" if text else None


def first_value(item: dict[str, Any], keys: tuple[str, ...]) -> Any:
    """The value of the first of ``keys`` that ``item`` has (None when it has none): formats
    and their tools spell a field several ways (``start``, or ``start_ms`` in a saved SDK
    object)."""
    return next((item[key] for key in keys if key in item), None)


#: How a format's times read: ``(value, what, where) -> ms`` (:func:`to_ms`, :func:`int_ms`).
TimeReader = Callable[[Any, str, str], int | None]


@dataclass(frozen=True, slots=True)
class WordFields:
    """How one format writes a word object, for :func:`read_word_list`.

    Attributes:
        time: how its times read (seconds: :func:`to_ms`; milliseconds: :func:`int_ms`).
        speaker: the word's own ``speaker`` value as a label (None: it has none).
        text, start, end: the keys of its text and times, the first one present wins.
    """

    time: TimeReader
    speaker: Callable[[Any], str | None]
    text: tuple[str, ...] = ("text",)
    start: tuple[str, ...] = ("start",)
    end: tuple[str, ...] = ("end",)


def read_word_list(
    raw: Sequence[Any], where: str, fields: WordFields, speaker: str | None
) -> list[Word]:
    """The words of a JSON list of word objects written as ``fields`` says (``where``: the
    list's place, for errors). A word with empty text is skipped (its times are not read); one
    without a speaker of its own takes ``speaker``, its utterance's."""
    words = []
    for i, item in enumerate(raw):
        at = f"{where}[{i}]"
        word = as_object(item, at)
        text = text_of(first_value(word, fields.text), at)
        if text:
            words.append(
                Word(
                    text,
                    fields.time(first_value(word, fields.start), "start", at),
                    fields.time(first_value(word, fields.end), "end", at),
                    fields.speaker(word.get("speaker")) or speaker,
                )
            )
    return words


def join_punctuation(tokens: Iterable[Word | str]) -> list[Word]:
    """Words from a service that writes punctuation as tokens between them (Rev.ai's ``punct``
    elements, AWS Transcribe's ``punctuation`` items), each mark a ``str``.

    A mark has no times of its own: it joins the word before it (``Hi`` + ``,`` is ``Hi,``,
    with that word's times and speaker). Marks before the first word go in front of it.
    """
    words: list[Word] = []
    pending = ""  # marks before the first word
    for token in tokens:
        if isinstance(token, str):
            if words:
                last = words[-1]
                words[-1] = Word(last.text + token, last.start_ms, last.end_ms, last.speaker)
            else:
                pending += token
        else:
            if pending:
                token = Word(pending + token.text, token.start_ms, token.end_ms, token.speaker)
            words.append(token)
            pending = ""
    return words


def words_segment(words: Sequence[Word], speaker: str | None) -> Segment:
    """A segment of ``words``: their text, from the first known start to the last known end."""
    starts = [w.start_ms for w in words if w.start_ms is not None]
    ends = [w.end_ms for w in words if w.end_ms is not None]
    return Segment(
        text=join_words(w.text for w in words),
        start_ms=min(starts) if starts else None,
        end_ms=max(ends) if ends else None,
        speaker=speaker,
        words=tuple(words),
    )


def sentences(words: Sequence[Word]) -> list[Segment]:
    """Cut words into cues: a sentence of one speaker (see the module docstring)."""
    out: list[Segment] = []
    current: list[Word] = []

    def flush() -> None:
        if current:
            out.append(words_segment(current, current[0].speaker))
            current.clear()

    for word in words:
        if current and word.speaker != current[-1].speaker:
            flush()
        current.append(word)
        if word.text.rstrip("\"'”’)]").endswith(SENTENCE_END):
            flush()
    flush()
    return out
