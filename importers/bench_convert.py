"""Benchmark: end-to-end ``convert`` against pysubs2 loading the same file.

``python -m importers.bench_convert [--cues 100000] [--segments 50000] [--repeat 3]``

Generates, in a temporary folder, an SRT file with ``--cues`` cues and a WhisperX JSON file with
``--segments`` diarized segments (three words each, with word times and speakers), then times

* omi-import: :func:`importers.pipeline.convert` (read, decode, detect, parse, normalize, chunk,
  build and check every request body), and
* the yardstick: ``pysubs2.load`` of the SRT, and ``json.load`` + ``pysubs2.load_from_whisper``
  of the JSON (pysubs2's plain load: parse only, no validation, no output).

It prints the best of ``--repeat`` wall times, the peak traced memory of one more run of each
(tracemalloc, measured separately so that tracing does not slow the timed runs), and the ratio.
pysubs2 is a dev dependency (``pip install pysubs2``).
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from importers.errors import ConfigError
from importers.pipeline import ConvertOptions, convert
from importers.registry import Registry

_TEXT = (
    "the quick brown fox jumps over a lazy dog while seven bakers sell warm bread near the "
    "station and everyone agrees that the meeting ran long again today"
)
WORDS = tuple(_TEXT.split(" "))


def _srt_time(ms: int) -> str:
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d},{ms:03d}"


def write_srt(path: Path, cues: int, rng: random.Random) -> None:
    parts: list[str] = []
    t = 0
    for i in range(1, cues + 1):
        t += rng.randint(50, 3000)
        dur = rng.randint(600, 4000)
        text = " ".join(rng.choices(WORDS, k=rng.randint(3, 10)))
        parts.append(f"{i}\n{_srt_time(t)} --> {_srt_time(t + dur)}\n{text}\n")
        t += dur
    path.write_text("\n".join(parts), encoding="utf-8")


def write_whisperx(path: Path, segments: int, rng: random.Random) -> None:
    out: list[dict[str, Any]] = []
    t = 0.0
    speaker = 0
    for _ in range(segments):
        t += rng.uniform(0.05, 2.5)
        if rng.random() < 0.3:
            speaker = (speaker + 1) % 3
        label = f"SPEAKER_{speaker:02d}"
        words: list[dict[str, Any]] = []
        start = t
        for j, w in enumerate(rng.choices(WORDS, k=3)):
            end = t + rng.uniform(0.15, 0.5)
            text = w + ("." if j == 2 else "")
            word = {"word": text, "start": round(t, 3), "end": round(end, 3), "score": 0.9}
            word["speaker"] = label
            words.append(word)
            t = end + 0.05
        text = " " + " ".join(str(w["word"]) for w in words)
        out.append({"start": round(start, 3), "end": round(t, 3), "speaker": label, "text": text})
        out[-1]["words"] = words
    path.write_text(json.dumps({"segments": out, "language": "en"}), encoding="utf-8")


def measure(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(best wall seconds over ``repeat`` runs, peak traced MiB of one more run)."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return best, peak / 2**20


def row(label: str, ours: tuple[float, float], theirs: tuple[float, float]) -> str:
    ratio = ours[0] / theirs[0]
    return (
        f"{label:<26} omi-import {ours[0]:7.2f} s {ours[1]:8.1f} MiB | "
        f"pysubs2 {theirs[0]:7.2f} s {theirs[1]:8.1f} MiB | ratio {ratio:5.2f}x"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m importers.bench_convert", description="Time convert against pysubs2."
    )
    parser.add_argument("--cues", type=int, default=100_000)
    parser.add_argument("--segments", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    try:
        import pysubs2
    except ImportError:
        print(
            "pysubs2 is not installed: it is the yardstick (pip install pysubs2, or the dev group)"
        )
        return 2
    registry = Registry.default()
    options = ConvertOptions()
    rng = random.Random(args.seed)
    status = 0
    with tempfile.TemporaryDirectory(prefix="omi-import-bench-") as tmp:
        srt_path = Path(tmp) / "bench.srt"
        wx_path = Path(tmp) / "bench.json"
        if "srt" in registry.names:
            write_srt(srt_path, args.cues, rng)
            ours = measure(lambda: convert(srt_path, options, registry=registry), args.repeat)
            theirs = measure(lambda: pysubs2.load(str(srt_path)), args.repeat)
            print(row(f"SRT {args.cues:,} cues", ours, theirs))
        else:
            print("SRT: skipped - no 'srt' adapter is installed yet (omi-import formats)")
            status = 1
        write_whisperx(wx_path, args.segments, rng)

        def pysubs2_whisper() -> object:
            with wx_path.open(encoding="utf-8") as f:
                return pysubs2.load_from_whisper(json.load(f))

        try:
            registry.get("whisperx")
        except ConfigError:
            print("WhisperX: skipped - no 'whisperx' adapter is installed")
            return 1
        ours = measure(lambda: convert(wx_path, options, registry=registry), args.repeat)
        theirs = measure(pysubs2_whisper, args.repeat)
        print(row(f"WhisperX {args.segments:,} segments", ours, theirs))
    return status


if __name__ == "__main__":
    raise SystemExit(main())
