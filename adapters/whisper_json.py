"""Reading helpers shared by the WhisperX, openai-whisper and whisper-timestamped JSON adapters.

All three write ``{"segments": [{"start", "end", "text", "words": [...]}, ...], ...}`` with times
in float seconds, and all three are read the same way (:class:`WhisperJsonAdapter`). What
differs (and what the sniffers look at) is described in each adapter: where a word's text is,
whether speakers are kept, and the marks that tell one tool's files from another's.
"""

from __future__ import annotations

from typing import Any, ClassVar

from adapters.stt_json import to_ms
from importers.adapter import Adapter, ParseOptions
from importers.bounds import MAX_OFFSET_S
from importers.errors import ParseError
from importers.language import language_code
from importers.model import Segment, Transcript, Word
from importers.source import Source
from importers.text import join_words

#: Keys only openai-whisper writes into a segment (WhisperX drops them when it aligns).
WHISPER_SEGMENT_KEYS = ("seek", "tokens")
#: Where a word's text is: openai-whisper and WhisperX write ``word``, whisper-timestamped
#: ``text``.
WORD_KEY = "word"
TEXT_WORD_KEY = "text"
#: How many segments the sniffers look at (a file is one tool's output throughout).
SNIFF_SEGMENTS = 50


def segments_of(data: Any) -> list[Any] | None:
    """The ``segments`` list of a Whisper-style JSON object, or None when it has none."""
    if not isinstance(data, dict):
        return None
    segments = data.get("segments")
    return segments if isinstance(segments, list) else None


def is_whisper_segment(item: Any) -> bool:
    """A segment written by openai-whisper itself (it carries ``seek``/``tokens``)."""
    return isinstance(item, dict) and any(k in item for k in WHISPER_SEGMENT_KEYS)


def has_word_list(item: Any, key: str = WORD_KEY) -> bool:
    """A segment with a ``words`` list of ``{key: ...}`` objects (``{"word": ...}``)."""
    if not isinstance(item, dict):
        return False
    words = item.get("words")
    return (
        isinstance(words, list)
        and bool(words)
        and all(isinstance(w, dict) and key in w for w in words)
    )


def has_text_word_list(item: Any) -> bool:
    """A segment whose words carry their text under ``text`` and never ``word``
    (whisper-timestamped; the sniffers of whisper and whisperx leave such files to it)."""
    return has_word_list(item, TEXT_WORD_KEY) and not has_word_list(item)


def read_words(raw: Any, *, path: object, index: int, text_key: str) -> tuple[Word, ...]:
    """The ``words`` of segment ``index`` (text stripped; words with no text skipped).

    The word's text is under ``text_key``: ``word`` (openai-whisper, WhisperX), or ``text``
    (whisper-timestamped).

    The hot loop of the adapter (a long WhisperX file has hundreds of thousands of words): plain
    floats within the bounds take a fast path (the comparison is False for NaN too); anything
    else goes through :func:`to_ms` for its checks.
    """
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ParseError(f"segment {index}: words is not a list", path=str(path))
    words: list[Word] = []
    append, make, bound = words.append, tuple.__new__, MAX_OFFSET_S  # locals: the hot loop
    for item in raw:
        text = item.get(text_key) if type(item) is dict else None
        if not isinstance(text, str):
            raise ParseError(f"segment {index}: a word has no text", path=str(path))
        text = text.strip()
        if not text:
            continue
        start, end = item.get("start"), item.get("end")
        if type(start) is float and -bound <= start <= bound:
            start = round(start * 1000)
        else:
            start = to_ms(start, "word start", f"segment {index}", path=path)
        if type(end) is float and -bound <= end <= bound:
            end = round(end * 1000)
        else:
            end = to_ms(end, "word end", f"segment {index}", path=path)
        speaker = item.get("speaker")
        if speaker is not None and not (isinstance(speaker, str) and speaker.strip()):
            speaker = None
        append(make(Word, (text, start, end, speaker)))  # Word(...) without its __new__ call
    return tuple(words)


def read_segments(source: Source, *, with_speakers: bool, text_key: str) -> tuple[Segment, ...]:
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
        words = read_words(item.get("words"), path=source.path, index=i, text_key=text_key)
        speaker = item.get("speaker") if with_speakers else None
        if not with_speakers:
            words = tuple(Word(w.text, w.start_ms, w.end_ms) for w in words)
        if not text.strip() and words:
            text = join_words(w.text for w in words)
        start, end = item.get("start"), item.get("end")
        out.append(
            Segment(
                text=text.strip(),
                start_ms=round(start * 1000)
                if type(start) is float and -MAX_OFFSET_S <= start <= MAX_OFFSET_S
                else to_ms(start, "start", f"segment {i}", path=source.path),
                end_ms=round(end * 1000)
                if type(end) is float and -MAX_OFFSET_S <= end <= MAX_OFFSET_S
                else to_ms(end, "end", f"segment {i}", path=source.path),
                speaker=speaker if isinstance(speaker, str) and speaker.strip() else None,
                words=words,
            )
        )
    return tuple(out)


def language_of(data: Any) -> str | None:
    """The code of the file's ``language``: openai-whisper writes ``en``, OpenAI's API
    ``english``, whisper-timestamped ``Arabic`` when given a name (all ``en``/``ar``)."""
    return language_code(data.get("language")) if isinstance(data, dict) else None


class WhisperJsonAdapter(Adapter):
    """A Whisper-style JSON format: its segments (:func:`read_segments`) and language.

    A subclass says how its tool's files are told apart (``sniff``) and how its words are
    written (:attr:`text_key`, :attr:`with_speakers`); the reading is the same for all three.
    """

    extensions: ClassVar[tuple[str, ...]] = (".json",)
    #: Where a word's text is: :data:`WORD_KEY`, or :data:`TEXT_WORD_KEY` (whisper-timestamped).
    text_key: ClassVar[str] = WORD_KEY
    #: Whether segments and words keep their ``speaker`` (openai-whisper's own output has none).
    with_speakers: ClassVar[bool] = True

    def parse(self, source: Source, options: ParseOptions) -> Transcript:
        return Transcript(
            segments=read_segments(
                source, with_speakers=self.with_speakers, text_key=self.text_key
            ),
            format=self.name,
            language=language_of(source.json),
        )
