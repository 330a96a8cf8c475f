"""Write the Voice Memos samples: recordings with the transcript iOS puts inside them.

Apple's files could not be had here (no public repository holds a memo with its transcript), so
these are built to the layouts that the tools reading real memos document
(``uasi/extract-apple-voice-memos-transcript``, ``karbassi/apple-voice-memos-cli``):

* ``standup-memo.m4a``: AAC in an ``.m4a`` (PyAV's ``ipod`` muxer, as Voice Memos writes M4A),
  ``mvhd`` creation time 2026-03-02 09:30 UTC, and a ``moov/trak/udta/tsrp`` box holding the
  transcript JSON in the *interleaved* layout (text, then ``{"timeRange": [s, e]}``).
* ``standup-memo.qta``: the same audio as iOS 26 writes it, QuickTime ``.qta``, with the
  transcript as the ``com.apple.VoiceMemos.tsrp`` item of ``moov/meta`` (``keys`` + ``ilst``), in
  the *table* layout (``runs`` of text and indices into ``attributeTable``).

The audio is the first two turns of ``../audio/standup.ogg`` (synthetic voices; see
``../audio/make_sample.py``) and the transcript its reference words, one run per word, each
word's time its share of the turn by length. Regenerate with
``/path/to/python samples/voice-memos/make_sample.py`` (needs the audio extra: PyAV).
"""

from __future__ import annotations

import io
import json
import struct
from pathlib import Path

HERE = Path(__file__).resolve().parent
AUDIO = HERE.parent / "audio"
CREATED = "2026-03-02T09:30:00.000000Z"
SECONDS = 9.0
TURNS = 2


def box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(body), kind) + body


def encode(seconds: float = SECONDS, fmt: str = "ipod") -> bytes:
    """The first ``seconds`` of standup.ogg as AAC in an MP4 container, created at CREATED."""
    import av

    out = io.BytesIO()
    with av.open(str(AUDIO / "standup.ogg")) as source, av.open(out, "w", format=fmt) as sink:
        sink.metadata["creation_time"] = CREATED
        stream = sink.add_stream("aac", rate=16000, layout="mono")
        stream.bit_rate = 24000
        for frame in source.decode(audio=0):
            if frame.time is not None and frame.time >= seconds:
                break
            for packet in stream.encode(frame):
                sink.mux(packet)
        for packet in stream.encode(None):
            sink.mux(packet)
    return out.getvalue()


def words() -> list[tuple[str, float, float]]:
    """The reference words of the first TURNS turns, each timed by its share of its turn."""
    out = []
    lines = (AUDIO / "standup.ref.tsv").read_text(encoding="utf-8").splitlines()
    for line in lines[:TURNS]:
        _, start, end, text = line.split("\t")
        t0, t1 = float(start), float(end)
        tokens = text.split()
        total = sum(len(t) for t in tokens)
        at = t0
        for token in tokens:
            step = (t1 - t0) * len(token) / total
            out.append((token, round(at, 3), round(at + step, 3)))
            at += step
    return out


def interleaved() -> bytes:
    items: list[object] = []
    for i, (word, start, end) in enumerate(words()):
        items += [word if i == 0 else f" {word}", {"timeRange": [start, end]}]
    return json.dumps(
        {"attributedString": items, "locale": {"identifier": "en_US", "current": 0}},
        separators=(",", ":"),
    ).encode()


def table() -> bytes:
    runs: list[object] = []
    attributes = []
    for i, (word, start, end) in enumerate(words()):
        runs += [word if i == 0 else f" {word}", i]
        attributes.append({"timeRange": [start, end]})
    text = {"attributeTable": attributes, "runs": runs}
    return json.dumps(
        {"attributedString": text, "locale": {"identifier": "en_US", "current": 0}},
        separators=(",", ":"),
    ).encode()


def _boxes(data: bytes, start: int, end: int) -> list[tuple[bytes, int, int]]:
    out, pos = [], start
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        out.append((kind, pos, pos + size))
        pos += size
    return out


def _grow(data: bytes, path: list[tuple[int, int]], added: bytes, at: int) -> bytes:
    """``added`` inserted at ``at``, every box on ``path`` (start, end) grown by its length.
    The moov box must follow mdat (PyAV writes it last), so no chunk offset moves."""
    data = data[:at] + added + data[at:]
    for start, _ in path:
        size = struct.unpack(">I", data[start : start + 4])[0]
        data = data[:start] + struct.pack(">I", size + len(added)) + data[start + 4 :]
    return data


def with_tsrp(m4a: bytes, payload: bytes) -> bytes:
    """``m4a`` with ``moov/trak/udta/tsrp`` holding ``payload`` (a udta made when missing)."""
    top = _boxes(m4a, 0, len(m4a))
    kinds = [k for k, _, _ in top]
    assert kinds.index(b"moov") > kinds.index(b"mdat"), "moov must come after mdat"
    _, ms, me = next(b for b in top if b[0] == b"moov")
    _, ts, te = next(b for b in _boxes(m4a, ms + 8, me) if b[0] == b"trak")
    udta = next((b for b in _boxes(m4a, ts + 8, te) if b[0] == b"udta"), None)
    if udta is None:
        return _grow(m4a, [(ms, me), (ts, te)], box(b"udta", box(b"tsrp", payload)), te)
    _, us, ue = udta
    return _grow(m4a, [(ms, me), (ts, te), (us, ue)], box(b"tsrp", payload), ue)


def with_qta_item(mov: bytes, payload: bytes) -> bytes:
    """``mov`` with a QuickTime ``moov/meta`` holding the transcript under its mdta key."""
    top = _boxes(mov, 0, len(mov))
    _, ms, me = next(b for b in top if b[0] == b"moov")
    hdlr = box(b"hdlr", bytes(8) + b"mdta" + bytes(12) + b"\x00")
    key = b"com.apple.VoiceMemos.tsrp"
    keys = box(b"keys", bytes(4) + struct.pack(">I", 1) + box(b"mdta", key))
    data = box(b"data", struct.pack(">II", 1, 0) + payload)
    ilst = box(b"ilst", box(struct.pack(">I", 1), data))
    return _grow(mov, [(ms, me)], box(b"meta", hdlr + keys + ilst), me)


def main() -> None:
    (HERE / "standup-memo.m4a").write_bytes(with_tsrp(encode(), interleaved()))
    (HERE / "standup-memo.qta").write_bytes(with_qta_item(encode(fmt="mov"), table()))


if __name__ == "__main__":
    main()
