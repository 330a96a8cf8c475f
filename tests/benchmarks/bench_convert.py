"""Benchmark: ``omi-import convert`` as a user runs it, against pysubs2 loading the same file.

``python tests/benchmarks/bench_convert.py [--cues 100000] [--segments 50000] [--runs 5]
[--root DIR]``

Writes, in a temporary folder, three inputs of the sizes given: an SRT with ``Name: `` speaker
prefixes, a WebVTT with ``<v Name>`` voice spans, and a diarized WhisperX JSON (three words a
segment, with word times and speakers). For each it runs, as whole processes (interpreter start,
imports, reading, writing included: what a user waits for):

* **omi-import**: ``python -m importers convert --no-merge -q -o OUT FILE`` (read, decode,
  detect, parse, normalize, chunk, build and check every request body, write ``OUT/*.omi.json``),
  and for WhisperX also without ``--no-merge`` (turns rebuilt from the 150,000 words);
* **the yardstick**: ``pysubs2.load(FILE)`` for the subtitles, ``json.load`` +
  ``pysubs2.load_from_whisper`` for the JSON (parse only: no validation, no output).

The two alternate (A B A B ..., ``--runs`` pairs) so that a machine slowing down slows both
alike; each figure is the median wall time and the largest peak RSS of its runs (``wait4``).
``--root`` runs the omi-import of another source tree (e.g. a checkout of an older commit), with
that tree's own ``.venv/bin/python`` when it has one (its installed entry points are its own), to
compare before and after a change. pysubs2 is a dev dependency.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
_TEXT = (
    "the quick brown fox jumps over a lazy dog while seven bakers sell warm bread near the "
    "station and everyone agrees that the meeting ran long again today"
)
WORDS = tuple(_TEXT.split(" "))
NAMES = ("Ana Lima", "Ben Okafor", "Chen Wei")
PYSUBS2_LOAD = "import sys, pysubs2; pysubs2.load(sys.argv[1])"
PYSUBS2_WHISPER = (
    "import json, sys, pysubs2\n"
    "with open(sys.argv[1], encoding='utf-8') as f:\n"
    "    pysubs2.load_from_whisper(json.load(f))"
)


def _clock(ms: int, sep: str) -> str:
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _cues(cues: int, rng: random.Random) -> list[tuple[int, int, str, str]]:
    out = []
    t = 0
    for _ in range(cues):
        t += rng.randint(50, 3000)
        dur = rng.randint(600, 4000)
        out.append(
            (t, t + dur, rng.choice(NAMES), " ".join(rng.choices(WORDS, k=rng.randint(3, 10))))
        )
        t += dur
    return out


def write_srt(path: Path, cues: int, rng: random.Random) -> None:
    parts = [
        f"{i}\n{_clock(a, ',')} --> {_clock(b, ',')}\n{who}: {text}\n"
        for i, (a, b, who, text) in enumerate(_cues(cues, rng), start=1)
    ]
    path.write_text("\n".join(parts), encoding="utf-8")


def write_vtt(path: Path, cues: int, rng: random.Random) -> None:
    parts = ["WEBVTT\n"] + [
        f"{_clock(a, '.')} --> {_clock(b, '.')}\n<v {who}>{text}</v>\n"
        for a, b, who, text in _cues(cues, rng)
    ]
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
            words.append(
                {"word": text, "start": round(t, 3), "end": round(end, 3), "score": 0.9,
                 "speaker": label}
            )  # fmt: skip
            t = end + 0.05
        text = " " + " ".join(str(w["word"]) for w in words)
        out.append(
            {"start": round(start, 3), "end": round(t, 3), "speaker": label, "text": text,
             "words": words}
        )  # fmt: skip
    path.write_text(json.dumps({"segments": out, "language": "en"}), encoding="utf-8")


@dataclass
class Run:
    seconds: float
    peak_mib: float


def run_once(argv: Sequence[str], env: dict[str, str]) -> Run:
    """One whole process: wall time and its own peak resident memory.

    It runs in the folder of its input, so that ``python -m importers`` finds the source tree
    on PYTHONPATH (``--root``), not a checkout that happens to be the current folder."""
    t0 = time.perf_counter()
    with subprocess.Popen(
        argv, env=env, cwd=Path(argv[-1]).parent, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    ) as proc:
        assert proc.stderr is not None
        err = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: wait() needs no more
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({proc.returncode}):\n{err.decode()[-2000:]}")
    return Run(seconds, usage.ru_maxrss / 1024)  # KiB on Linux


def paired(
    ours: Sequence[str], theirs: Sequence[str], runs: int, env: dict[str, str]
) -> tuple[Run, Run]:
    """Alternate the two commands ``runs`` times; median seconds, largest peak of each."""
    a: list[Run] = []
    b: list[Run] = []
    for _ in range(runs):
        a.append(run_once(ours, env))
        b.append(run_once(theirs, env))

    def summary(rs: list[Run]) -> Run:
        return Run(statistics.median(r.seconds for r in rs), max(r.peak_mib for r in rs))

    return summary(a), summary(b)


def row(label: str, ours: Run, theirs: Run) -> str:
    time_ratio, memory_ratio = ours.seconds / theirs.seconds, ours.peak_mib / theirs.peak_mib
    return (
        f"{label:<40} omi-import {ours.seconds:6.2f} s {ours.peak_mib:6.0f} MiB | "
        f"pysubs2 {theirs.seconds:6.2f} s {theirs.peak_mib:6.0f} MiB | "
        f"time {time_ratio:4.2f}x  memory {memory_ratio:4.2f}x"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python tests/benchmarks/bench_convert.py",
        description="Time whole `omi-import convert` runs against pysubs2 loading the same files.",
    )
    parser.add_argument("--cues", type=int, default=100_000, help="SRT and VTT cues (100,000)")
    parser.add_argument("--segments", type=int, default=50_000, help="WhisperX segments (50,000)")
    parser.add_argument("--runs", type=int, default=5, help="A B pairs; medians count (5)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--root", type=Path, default=ROOT, help="the omi-import source tree")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.cues < 1 or args.segments < 1:
        parser.error("--runs, --cues and --segments must be at least 1")
    try:
        import pysubs2  # noqa: F401 - the yardstick must be importable
    except ImportError:
        print("pysubs2 is not installed: it is the yardstick (the dev group has it)")
        return 2
    env = {**os.environ, "PYTHONPATH": str(args.root.resolve())}
    own = args.root.resolve() / ".venv" / "bin" / "python"
    python = str(own) if args.root.resolve() != ROOT and own.exists() else sys.executable
    rng = random.Random(args.seed)
    print(f"convert benchmark: {os.cpu_count()} CPU cores, medians of {args.runs} A B pairs")
    with tempfile.TemporaryDirectory(prefix="omi-import-bench-") as tmp_name:
        tmp = Path(tmp_name)
        inputs = [
            (f"SRT, {args.cues:,} cues, Name: prefixes", "bench.srt", write_srt, args.cues),
            (f"VTT, {args.cues:,} cues, <v> voices", "bench.vtt", write_vtt, args.cues),
            (f"WhisperX, {args.segments:,} segments", "bench.json", write_whisperx, args.segments),
        ]
        for label, name, write, size in inputs:
            path = tmp / name
            write(path, size, rng)
            yardstick = PYSUBS2_WHISPER if name.endswith(".json") else PYSUBS2_LOAD
            theirs = [sys.executable, "-c", yardstick, str(path)]
            variants = [("--no-merge", ["--no-merge"])]
            if name.endswith(".json"):
                variants.append(("turns from words", []))
            for how, flags in variants:
                out = tmp / f"out-{name}-{len(flags)}"
                ours = [python, "-m", "importers", "convert", "-q", *flags, "-o", str(out)]
                ours.append(str(path))
                print(row(f"{label} ({how})", *paired(ours, theirs, args.runs, env)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
