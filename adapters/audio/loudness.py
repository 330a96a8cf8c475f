"""One loudness for every recording before either model hears it.

A far-field meeting microphone records speech 20 dB or more quieter than a headset does (the AMI
meeting excerpts in the benchmark sit at -35 to -51 dBFS RMS, pyannote's phone-call sample near
-26). Whisper's log-mel front end is not level-invariant, and its voice-activity filter sees
quiet speech as silence, so the waveform is brought to one integrated loudness (ITU-R BS.1770,
measured by pyloudnorm, the gated measure that silence does not drag down) before both models.
pyannote's models normalise each window themselves, so the diarization is the same either way.

The gain reaches +28 dB on the quietest AMI excerpt and clips at most 0.04 % of samples (clicks);
its effect on the words is measured by ``tests/benchmarks/bench_audio.py`` (README, Benchmarks).
"""

from __future__ import annotations

from typing import Any

from .decode import SAMPLE_RATE
from .deps import require

#: EBU R 128's programme loudness, in LUFS.
TARGET_LUFS = -23.0
#: At most this much gain (dB): beyond it, what is left is noise.
MAX_GAIN_DB = 40.0
#: BS.1770's gating block: shorter audio has no integrated loudness.
MIN_SECONDS = 0.4


def normalize_loudness(wav: Any) -> tuple[Any, float]:
    """``wav`` (float32, 16 kHz mono) at :data:`TARGET_LUFS`, and the gain applied in dB.

    Audio too short to measure, or silent (all of it below BS.1770's -70 LUFS gate), is
    returned as it is (gain 0). Samples the gain takes past full scale are clipped (a click far
    louder than the speech around it).
    """
    if len(wav) < MIN_SECONDS * SAMPLE_RATE:
        return wav, 0.0
    np = require("numpy")
    pyln = require("pyloudnorm")
    with np.errstate(divide="ignore"):  # silence: log10(0), an integrated loudness of -inf
        loudness = float(pyln.Meter(SAMPLE_RATE).integrated_loudness(wav.astype(np.float64)))
    if not np.isfinite(loudness):
        return wav, 0.0
    gain_db = min(TARGET_LUFS - loudness, MAX_GAIN_DB)
    out = np.clip(wav * np.float32(10 ** (gain_db / 20)), -1.0, 1.0).astype(np.float32)
    return out, gain_db
