"""Reading helpers shared by the WhisperX and openai-whisper JSON adapters.

Both tools write ``{"segments": [{"start", "end", "text", "words": [...]}, ...], ...}`` with times
in float seconds. What differs (and what the sniffers look at) is described in each adapter.
"""

from __future__ import annotations

from typing import Any

from importers.bounds import MAX_OFFSET_S, seconds_to_ms
from importers.errors import ParseError
from importers.model import Segment, Word
from importers.source import Source

#: Keys only openai-whisper writes into a segment (WhisperX drops them when it aligns).
WHISPER_SEGMENT_KEYS = ("seek", "tokens")


def segments_of(data: Any) -> list[Any] | None:
    """The ``segments`` list of a Whisper-style JSON object, or None when it has none."""
    if not isinstance(data, dict):
        return None
    segments = data.get("segments")
    return segments if isinstance(segments, list) else None


def is_whisper_segment(item: Any) -> bool:
    """A segment written by openai-whisper itself (it carries ``seek``/``tokens``)."""
    return isinstance(item, dict) and any(k in item for k in WHISPER_SEGMENT_KEYS)


def has_word_list(item: Any) -> bool:
    """A segment with a ``words`` list of ``{"word": ...}`` objects."""
    if not isinstance(item, dict):
        return False
    words = item.get("words")
    return (
        isinstance(words, list)
        and bool(words)
        and all(isinstance(w, dict) and "word" in w for w in words)
    )


def to_ms(value: Any, what: str, *, path: object, index: int) -> int | None:
    """Seconds (int/float) to integer ms; None/missing gives None (times unknown).

    WhisperX writes ``null`` (or leaves the key out) for words it could not align, typically
    numerals such as ``1990.``; normalization estimates those times and reports each one.
    ``NaN`` and ``Infinity``, which Python's json module writes, reach here as ``null`` too
    (:attr:`importers.source.Source.json`).

    Raises:
        ParseError: not a number, or a time outside :mod:`importers.bounds`' range.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ParseError(f"segment {index}: {what} is not a number ({value!r})", path=str(path))
    try:
        return seconds_to_ms(value, f"segment {index}: {what}")
    except ParseError as exc:
        raise exc.with_path(str(path)) from None


def read_words(raw: Any, *, path: object, index: int) -> tuple[Word, ...]:
    """The ``words`` of segment ``index`` (text stripped; words with no text skipped).

    The hot loop of the adapter (a long WhisperX file has hundreds of thousands of words): plain
    floats within the bounds take a fast path (the comparison is False for NaN too); anything
    else goes through :func:`to_ms` for its checks.
    """
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ParseError(f"segment {index}: words is not a list", path=str(path))
    words: list[Word] = []
    for item in raw:
        text = item.get("word") if type(item) is dict else None
        if not isinstance(text, str):
            raise ParseError(f"segment {index}: a word has no text", path=str(path))
        text = text.strip()
        if not text:
            continue
        start, end = item.get("start"), item.get("end")
        if type(start) is float and -MAX_OFFSET_S <= start <= MAX_OFFSET_S:
            start = round(start * 1000)
        else:
            start = to_ms(start, "word start", path=path, index=index)
        if type(end) is float and -MAX_OFFSET_S <= end <= MAX_OFFSET_S:
            end = round(end * 1000)
        else:
            end = to_ms(end, "word end", path=path, index=index)
        speaker = item.get("speaker")
        if speaker is not None and not (isinstance(speaker, str) and speaker.strip()):
            speaker = None
        words.append(Word(text, start, end, speaker))
    return tuple(words)


def read_segments(source: Source, *, with_speakers: bool) -> tuple[Segment, ...]:
    """Every segment of a Whisper-style file, in file order (validated, nothing dropped)."""
    segments = segments_of(source.json)
    if segments is None:
        raise ParseError('no "segments" list at the top level', path=source.path)
    out: list[Segment] = []
    for i, item in enumerate(segments):
        if not isinstance(item, dict):
            raise ParseError(f"segment {i} is not an object", path=source.path)
        text = item.get("text", "")
        if not isinstance(text, str):
            raise ParseError(f"segment {i}: text is not a string", path=source.path)
        words = read_words(item.get("words"), path=source.path, index=i)
        speaker = item.get("speaker") if with_speakers else None
        if not with_speakers:
            words = tuple(Word(w.text, w.start_ms, w.end_ms) for w in words)
        if not text.strip() and words:
            text = " ".join(w.text for w in words)
        start, end = item.get("start"), item.get("end")
        out.append(
            Segment(
                text=text.strip(),
                start_ms=round(start * 1000)
                if type(start) is float and -MAX_OFFSET_S <= start <= MAX_OFFSET_S
                else to_ms(start, "start", path=source.path, index=i),
                end_ms=round(end * 1000)
                if type(end) is float and -MAX_OFFSET_S <= end <= MAX_OFFSET_S
                else to_ms(end, "end", path=source.path, index=i),
                speaker=speaker if isinstance(speaker, str) and speaker.strip() else None,
                words=words,
            )
        )
    return tuple(out)


def language_of(data: Any) -> str | None:
    language = data.get("language") if isinstance(data, dict) else None
    return language.strip() if isinstance(language, str) and language.strip() else None
