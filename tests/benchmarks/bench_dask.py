"""Benchmark: ``omi-import convert`` in one process against ``--dask local``, text and audio.

``python tests/benchmarks/bench_dask.py [--runs 3] [--small 2000] [--large 16] [--recordings 4]
[--no-audio]``

Writes, in a temporary folder, three archives:

* **small transcripts**: ``--small`` SRT files of 200 cues (the per-file costs dominate);
* **large transcripts**: ``--large`` WhisperX files of 20,000 segments (parsing dominates);
* **recordings**: ``--recordings`` WAVs of the audio sample repeated 4 times (3 minutes each),
  converted with the builtin models (needs the audio extra).

Each archive is converted by whole processes as a user runs them (``python -m importers convert
-q -o OUT DIR``, with and without ``--dask local``: interpreter start, the cluster's start and
stop, reading and writing included), alternating (A B A B, ``--runs`` pairs); each figure is a
median. Every audio run has an empty state folder, so nothing comes from the cache. Peak memory
is the largest process of the run (the coordinator or a worker: ``wait4`` counts the children a
process waited for). The outputs of the two are compared byte for byte.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import random
import shutil
import statistics
import sys
import tempfile
import wave
from collections.abc import Callable, Sequence
from pathlib import Path

SUPPORT = Path(__file__).resolve().parent.parent / "support"
ROOT = SUPPORT.parents[1]
sys.path[:0] = [str(SUPPORT), str(ROOT)]

from bench_convert import Run, run_once, write_srt, write_whisperx  # noqa: E402

BUILTIN = ["--whisper-model", "builtin", "--diarization-model", "builtin"]


def write_recordings(folder: Path, count: int) -> float:
    """``count`` recordings of the sample repeated 4x, each after its own length of silence
    (``i`` quarter seconds): the same work, but other bytes, so none comes from the cache of
    another. Returns their total length in seconds."""
    from bench_audio import write_long

    path, _ = write_long(folder, 4)
    with wave.open(str(path)) as w:
        params, frames = w.getparams(), w.readframes(w.getnframes())
    path.unlink()
    total = 0.0
    for i in range(count):
        silence = b"\x00\x00" * (params.framerate // 4 * i)
        with wave.open(str(folder / f"recording-{i}.wav"), "wb") as w:
            w.setparams(params)
            w.writeframes(silence + frames)
        total += (len(silence) + len(frames)) / 2 / params.framerate
    return total


def same_outputs(a: Path, b: Path) -> bool:
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    if files != sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file()):
        return False
    return all(filecmp.cmp(a / f, b / f, shallow=False) for f in files)


def measure(folder: Path, extra: Sequence[str], runs: int, tmp: Path) -> tuple[Run, Run, bool]:
    """``runs`` A B pairs of one process and ``--dask local`` on ``folder``; medians."""
    alone: list[Run] = []
    fanned: list[Run] = []
    same = True
    for n in range(runs):
        outs = []
        for kind, dask, runs_of in (("alone", [], alone), ("dask", ["--dask", "local"], fanned)):
            out, state = tmp / f"out-{kind}-{n}", tmp / f"state-{kind}-{n}"
            env = {
                **os.environ,
                "PYTHONPATH": str(ROOT),
                "OMI_IMPORT_STATE": str(state),
                "HF_HUB_OFFLINE": "1",
            }
            argv = [sys.executable, "-m", "importers", "convert", "-q", "-o", str(out)]
            runs_of.append(run_once([*argv, *extra, *dask, str(folder)], env))
            outs.append(out)
            shutil.rmtree(state, ignore_errors=True)
        same = same and same_outputs(*outs)
        for out in outs:
            shutil.rmtree(out)

    def median(rs: list[Run]) -> Run:
        return Run(statistics.median(r.seconds for r in rs), max(r.peak_mib for r in rs))

    return median(alone), median(fanned), same


def report(label: str, alone: Run, fanned: Run, same: bool, rate: Callable[[Run], str]) -> str:
    return (
        f"{label:<38} one process {alone.seconds:7.1f} s {alone.peak_mib:5.0f} MiB {rate(alone)}"
        f" | --dask local {fanned.seconds:7.1f} s {fanned.peak_mib:5.0f} MiB {rate(fanned)}"
        f" | {alone.seconds / fanned.seconds:4.2f}x faster; outputs "
        f"{'identical' if same else 'DIFFER'}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python tests/benchmarks/bench_dask.py",
        description="Time whole `omi-import convert` runs in one process and on --dask local.",
    )
    parser.add_argument("--runs", type=int, default=3, help="A B pairs; medians count (3)")
    parser.add_argument("--small", type=int, default=2000, help="small SRT files (2,000)")
    parser.add_argument("--large", type=int, default=16, help="large WhisperX files (16)")
    parser.add_argument("--recordings", type=int, default=4, help="3-minute recordings (4)")
    parser.add_argument("--no-audio", action="store_true", help="skip the recordings")
    args = parser.parse_args(argv)
    from dask.system import CPU_COUNT

    rng = random.Random(1)
    print(f"dask benchmark: {CPU_COUNT} CPU cores (so {CPU_COUNT} workers), medians of "
          f"{args.runs} A B pairs")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="omi-import-bench-dask-") as tmp_name:
        tmp = Path(tmp_name)
        small, large, audio = tmp / "small", tmp / "large", tmp / "audio"
        for folder in (small, large, audio):
            folder.mkdir()
        for i in range(args.small):
            write_srt(small / f"call-{i:05d}.srt", 200, rng)
        for i in range(args.large):
            write_whisperx(large / f"meeting-{i:03d}.json", 20_000, rng)

        def per_second(files: int) -> Callable[[Run], str]:
            return lambda run: f"({files / run.seconds:6.0f} files/s)"

        rows = [
            (f"{args.small:,} SRT files of 200 cues", small, [], per_second(args.small)),
            (f"{args.large} WhisperX files of 20,000 segments", large, [], per_second(args.large)),
        ]
        if not args.no_audio:
            seconds = write_recordings(audio, args.recordings)

            def audio_rate(run: Run) -> str:
                return f"({seconds / run.seconds:4.1f} audio h/h)"

            label = f"{args.recordings} recordings, {seconds / 60:.0f} min, builtin models"
            rows.append((label, audio, BUILTIN, audio_rate))
        for label, folder, extra, rate in rows:
            alone, fanned, same = measure(folder, extra, args.runs, tmp)
            print(report(label, alone, fanned, same, rate), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
