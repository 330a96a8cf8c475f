"""Apple Voice Memos with the transcript iOS writes into the recording (iOS 18 and later).

Voice Memos keeps its transcript inside the file, as JSON of timed runs of text::

    .m4a (iOS 18+):  moov/trak/udta/tsrp                   the JSON, as the atom's body
    .qta (iOS 26+):  moov/meta, key com.apple.VoiceMemos.tsrp (an mdta metadata item)

    {"attributedString": ["Okay so", {"timeRange": [0, 0.42]}, " the plan", {"timeRange": [...]}],
     "locale": {"identifier": "en_US"}}
    {"attributedString": {"attributeTable": [{"timeRange": [0, 0.42]}, ...],
                          "runs": ["Okay so", 0, " the plan", 1, ...]}, ...}

(Layouts as ``uasi/extract-apple-voice-memos-transcript`` and ``karbassi/apple-voice-memos-cli``
read them from real recordings.) Each run is a word or a few, with its time range in seconds; the
words are cut into sentences (:func:`adapters.stt_json.sentences`) and normalization builds the
turns from them, one speaker (Voice Memos does not tell voices apart). ``locale`` gives the
language. The recording's creation time (``mvhd``: UTC seconds since 1904) is the start, as the
audio path takes it (the container's ``creation_time``); it is an instant, so ``--timezone``
does not move it.

A memo with a transcript is read in a moment, with Apple's words, and needs no audio extra. A
memo without one (recorded before iOS 18, or not transcribed yet) is a recording like any
other: an ``.m4a`` goes to the ``audio`` adapter, as before (its sniff says no here), and a
``.qta`` is transcribed by the audio path through this adapter. ``--format audio`` transcribes a
memo that has a transcript anyway.

Only the boxes on the way are read (``moov`` is found by its header, ``mdat`` skipped unread),
each box's size checked against its parent's, so a hostile file costs a few reads.
"""

from __future__ import annotations

import io
import math
import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, ClassVar

import orjson

from adapters.audio import AudioAdapter
from adapters.stt_json import sentences
from importers.adapter import ParseOptions
from importers.bounds import MAX_OFFSET_S, in_range
from importers.errors import ParseError
from importers.language import language_code
from importers.model import Transcript, Word
from importers.source import Source

if TYPE_CHECKING:
    from importers.checks import Check

#: The ``mdta`` key of the transcript in a ``.qta`` (QuickTime audio) memo.
QTA_KEY = b"com.apple.VoiceMemos.tsrp"
#: A transcript is text: a day of speech is a few MB of JSON.
MAX_TRANSCRIPT_BYTES = 64 * 1024 * 1024
#: Boxes looked at in one parent before giving up (a real memo has a handful).
MAX_BOXES = 4096
MP4_EPOCH = datetime(1904, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Box:
    """An MP4 box: its four-letter type, and where its body starts and the box ends."""

    kind: bytes
    body: int
    end: int


def boxes(f: IO[bytes], start: int, end: int) -> Iterator[Box]:
    """The boxes between ``start`` and ``end`` of ``f``; stops at the first malformed one."""
    pos = start
    for _ in range(MAX_BOXES):
        if pos + 8 > end:
            return
        f.seek(pos)
        header = f.read(8)
        if len(header) < 8:
            return
        size, kind = struct.unpack(">I4s", header)
        body = pos + 8
        if size == 1:  # a 64-bit size follows
            large = f.read(8)
            if len(large) < 8:
                return
            size = struct.unpack(">Q", large)[0]
            body += 8
        elif size == 0:  # to the end of the parent
            size = end - pos
        if size < body - pos or pos + size > end:
            return
        yield Box(kind, body, pos + size)
        pos += size


def _child(f: IO[bytes], parent: Box, kind: bytes) -> Box | None:
    return next((b for b in boxes(f, parent.body, parent.end) if b.kind == kind), None)


def _read(f: IO[bytes], box: Box, skip: int = 0) -> bytes:
    size = box.end - box.body - skip
    if size < 0:
        return b""
    if size > MAX_TRANSCRIPT_BYTES:
        raise ParseError(f"the transcript box holds {size:,} bytes, more than a transcript")
    f.seek(box.body + skip)
    return f.read(size)


@dataclass(frozen=True)
class Memo:
    """What a recording's ``moov`` box says: the transcript's bytes and the creation time."""

    transcript: bytes | None
    created: datetime | None


def read_memo(f: IO[bytes]) -> Memo | None:
    """The memo facts of the MP4 file ``f``, or None when it has no ``moov`` box."""
    end = f.seek(0, io.SEEK_END)
    moov = next((b for b in boxes(f, 0, end) if b.kind == b"moov"), None)
    if moov is None:
        return None
    created = None
    transcript = None
    for box in boxes(f, moov.body, moov.end):
        if box.kind == b"mvhd":
            created = _created(f, box)
        elif box.kind in (b"trak", b"udta") and transcript is None:
            udta = box if box.kind == b"udta" else _child(f, box, b"udta")
            tsrp = _child(f, udta, b"tsrp") if udta is not None else None
            transcript = _read(f, tsrp) if tsrp is not None else None
        elif box.kind == b"meta" and transcript is None:
            transcript = _qta_transcript(f, box)
    return Memo(transcript, created)


def _created(f: IO[bytes], mvhd: Box) -> datetime | None:
    """``mvhd``'s creation time (version 0: 32-bit seconds, 1: 64-bit), None when 0 or absurd."""
    f.seek(mvhd.body)
    head = f.read(12)
    if len(head) < 8:
        return None
    if head[0] == 1:
        if len(head) < 12:
            return None
        seconds = struct.unpack(">Q", head[4:12])[0]
    else:
        seconds = struct.unpack(">I", head[4:8])[0]
    if seconds == 0 or seconds > 400 * 366 * 86400:
        return None
    value = MP4_EPOCH + timedelta(seconds=seconds)
    return value if in_range(value) else None


def _qta_transcript(f: IO[bytes], meta: Box) -> bytes | None:
    """The ``com.apple.VoiceMemos.tsrp`` item of a QuickTime ``meta`` box (``keys`` + ``ilst``)."""
    # QuickTime's meta box has no version/flags before its children; ISO's has four bytes.
    f.seek(meta.body + 4)
    body = meta.body if f.read(4) == b"hdlr" else meta.body + 4
    parent = Box(b"meta", body, meta.end)
    keys = _child(f, parent, b"keys")
    ilst = _child(f, parent, b"ilst")
    if keys is None or ilst is None:
        return None
    index = _key_index(f, keys)
    if index is None:
        return None
    item = next((b for b in boxes(f, ilst.body, ilst.end) if b.kind == index), None)
    data = _child(f, item, b"data") if item is not None else None
    return _read(f, data, skip=8) if data is not None else None  # type and locale first


def _key_index(f: IO[bytes], keys: Box) -> bytes | None:
    """The 1-based index of :data:`QTA_KEY` among the ``keys``, as an ``ilst`` item's type."""
    # version/flags (4), entry count (4), then entries: size, namespace, key.
    for i, entry in enumerate(boxes(f, keys.body + 8, keys.end), start=1):
        if entry.kind == b"mdta" and entry.end - entry.body == len(QTA_KEY):
            f.seek(entry.body)
            if f.read(len(QTA_KEY)) == QTA_KEY:
                return struct.pack(">I", i)
    return None


def memo_of(source: Source) -> Memo | None:
    """:func:`read_memo` of the file (read from disk by seeking: recordings are large)."""
    try:
        if source.path.is_file():
            with source.path.open("rb") as f:
                return read_memo(f)
        return read_memo(io.BytesIO(source.data))
    except OSError:
        return None


def transcript_words(payload: bytes) -> tuple[list[Word], str | None]:
    """The words of a ``tsrp`` JSON and its language (module docstring).

    Raises:
        ParseError: not JSON, or not the layout of one.
    """
    try:
        data = orjson.loads(payload)
    except orjson.JSONDecodeError:
        raise ParseError(
            "the transcript in the recording is not readable JSON; "
            "--format audio transcribes the recording instead"
        ) from None
    if not isinstance(data, dict):
        raise ParseError("the transcript in the recording is not a JSON object")
    text = data.get("attributedString")
    if isinstance(text, list):
        runs = _interleaved(text)
    elif isinstance(text, dict):
        runs = _table(text)
    else:
        raise ParseError("the transcript in the recording has no attributedString")
    words = [Word(t.strip(), start, end) for t, start, end in runs if t.strip()]
    locale = data.get("locale")
    identifier = locale.get("identifier") if isinstance(locale, dict) else None
    return words, language_code(identifier)


Run = tuple[str, int | None, int | None]


def _interleaved(items: Sequence[Any]) -> list[Run]:
    """``["text", {"timeRange": [s, e]}, "text", ...]``: each text takes the attributes after."""
    runs: list[Run] = []
    for i, item in enumerate(items):
        if isinstance(item, str):
            after = items[i + 1] if i + 1 < len(items) else None
            runs.append((item, *_time_range(after, f"attributedString[{i + 1}]")))
        elif not isinstance(item, dict):
            raise ParseError(f"attributedString[{i}] is neither text nor attributes")
    return runs


def _table(text: dict[str, Any]) -> list[Run]:
    """``{"attributeTable": [...], "runs": ["text", 0, "text", 1, ...]}``."""
    table = text.get("attributeTable")
    items = text.get("runs")
    if not isinstance(items, list) or not isinstance(table, list):
        raise ParseError("the transcript's attributedString has no runs and attributeTable")
    runs: list[Run] = []
    for i, item in enumerate(items):
        if not isinstance(item, str):
            continue
        index = items[i + 1] if i + 1 < len(items) else None
        attributes = None
        if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(table):
            attributes = table[index]
        runs.append((item, *_time_range(attributes, f"attributeTable[{index}]")))
    return runs


def _time_range(attributes: Any, where: str) -> tuple[int | None, int | None]:
    """``{"timeRange": [start, end]}`` in seconds -> ms; (None, None) when it has none."""
    if not isinstance(attributes, dict):
        return None, None
    value = attributes.get("timeRange")
    if not isinstance(value, list) or len(value) != 2:
        return None, None
    return _ms(value[0], where), _ms(value[1], where)


def _ms(value: Any, where: str) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    if not 0 <= value <= MAX_OFFSET_S:
        raise ParseError(f"{where}: timeRange {value} is out of range")
    return round(value * 1000)


class VoiceMemosAdapter(AudioAdapter):
    """Reads a memo's own transcript; without one, transcribes it as the audio adapter does."""

    name = "voice-memos"
    extensions: ClassVar[tuple[str, ...]] = (".m4a", ".qta")
    description = "Apple Voice Memos with their transcript (iOS 18+ .m4a, iOS 26 .qta)"
    # Transcripts need nothing beyond omi-import itself; the audio path says what it needs.
    requires: ClassVar[tuple[str, ...]] = ()
    install: ClassVar[str | None] = None

    def sniff(self, source: Source) -> bool:
        memo = memo_of(source)
        return memo is not None and memo.transcript is not None

    def parse(self, source: Source, options: ParseOptions) -> Transcript:
        memo = memo_of(source)
        if memo is None or memo.transcript is None:
            return super().parse(source, options)  # a memo without a transcript: transcribe
        words, language = transcript_words(memo.transcript)
        if not words:
            raise ParseError(
                "the transcript in the recording is empty; "
                "--format audio transcribes the recording instead"
            )
        return Transcript(
            segments=tuple(sentences(words)),
            format=self.name,
            started_at=memo.created,
            language=language,
        )

    def estimate(self, files: Sequence[Path], options: ParseOptions) -> str | None:
        return None  # the audio adapter's line counts these recordings already

    def checks(self, *, online: bool = False) -> Sequence[Check]:
        return ()
