"""A long fuzz campaign over every adapter, in subprocesses (issue 9).

    python tests/benchmarks/fuzz_campaign.py --inputs 20000                   # 2 workers, seed 1
    python tests/benchmarks/fuzz_campaign.py --inputs 20000 --workers 2 --seed 7 --save findings/
    python tests/benchmarks/fuzz_campaign.py --replay 1234 --seed 7           # one case, in-process

Case ``i`` of seed ``s`` is always the same input (:func:`fuzzing.make_case` from
``random.Random(f"{s}:{i}")``), so a finding is reproduced by its number. Each worker is a
subprocess, and the parent gives each input ``--timeout`` seconds: an input that runs longer is
a hang (the worker is killed and replaced). The worker measures each input's peak resident
memory (Linux: ``VmHWM``, reset before each input): more than ``--memory-mib`` is a memory
blow-up, even when the code caught the MemoryError (python-docx's was reported as "not a
readable .docx"). An address-space limit of twice that keeps the machine safe. The table gives
the count per outcome and each distinct crash signature with the number of its first case;
``--save DIR`` writes every finding's input files there. The exit status is 1 when anything but
conversions and clean errors was found.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "support"), str(HERE.parents[1])]

import fuzzing  # noqa: E402 - after the path setup above (run as a script)

from importers.registry import Registry  # noqa: E402
from importers.state import ENV_STATE  # noqa: E402

DEFAULT_TIMEOUT_S = 10.0
DEFAULT_MEMORY_MIB = 1024


def case_at(
    seed: int, index: int, seeds: list[tuple[str, bytes]], registry: Registry
) -> fuzzing.Case:
    return fuzzing.make_case(random.Random(f"{seed}:{index}"), seeds, registry)


# -- the worker (a subprocess) -------------------------------------------------------------------


def _status(field: str) -> int:
    """A size from ``/proc/self/status`` in bytes (``VmSize``, ``VmRSS``, ``VmHWM``)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) * 1024
    return 0


def _limit_memory(extra_mib: int) -> None:
    """Address space: what the process holds after start-up plus twice ``extra_mib``."""
    limit = _status("VmSize") + 2 * extra_mib * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _reset_peak() -> int:
    """Start measuring the peak resident size afresh; the resident size now."""
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")
    return _status("VmRSS")


def worker(seed: int, memory_mib: int) -> None:
    """Read case numbers from stdin, write one JSON result line per case."""
    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # anything a library prints goes to stderr, never into the results
    with tempfile.TemporaryDirectory(prefix="omi-fuzz-state-") as state:
        os.environ[ENV_STATE] = state  # the audio adapter's caches, if it gets that far
        _cases(seed, memory_mib, out)


def _cases(seed: int, memory_mib: int, out: TextIO) -> None:
    registry = Registry.default()
    seeds = fuzzing.seed_files()
    _limit_memory(memory_mib)
    for line in sys.stdin:
        index = int(line)
        case = case_at(seed, index, seeds, registry)
        with tempfile.TemporaryDirectory(prefix="omi-fuzz-") as tmp:
            resident = _reset_peak()
            started = time.perf_counter()
            result = fuzzing.run_case(case, Path(tmp), registry)
            seconds = time.perf_counter() - started
            peak_mib = (_status("VmHWM") - resident) / 2**20
        if peak_mib > memory_mib and result.outcome in fuzzing.CLEAN:
            result = fuzzing.Result(
                fuzzing.MEMORY, f"over {memory_mib} MiB resident", "; ".join(result.error_lines)
            )
        out.write(
            json.dumps(
                {
                    "index": index,
                    "outcome": result.outcome,
                    "signature": result.signature,
                    "detail": result.detail,
                    "error_lines": len(result.error_lines),
                    "seconds": round(seconds, 3),
                    "peak_mib": round(peak_mib, 1),
                }
            )
            + "\n"
        )


# -- the parent ----------------------------------------------------------------------------------


@dataclass
class Summary:
    """What a campaign found."""

    inputs: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    #: signature -> (count, first case number, detail of the first)
    signatures: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    error_lines: int = 0
    slowest: tuple[float, int] = (0.0, -1)
    largest: tuple[float, int] = (0.0, -1)
    seconds: float = 0.0

    @property
    def findings(self) -> int:
        return sum(self.counts[o] for o in (fuzzing.CRASH, fuzzing.HANG, fuzzing.MEMORY))

    def add(self, index: int, outcome: str, signature: str | None, detail: str) -> None:
        self.counts[outcome] += 1
        if outcome in (fuzzing.CRASH, fuzzing.HANG, fuzzing.MEMORY):
            key = f"{outcome}: {signature}"
            count, first, shown = self.signatures.get(key, (0, index, detail))
            self.signatures[key] = (count + 1, first, shown)

    def table(self, seed: int, workers: int, timeout: float, memory_mib: int) -> str:
        lines = [
            f"{self.inputs} inputs (seed {seed}, {workers} workers, {timeout:g} s and "
            f"{memory_mib} MiB per input) in {self.seconds:.0f} s",
            *(f"  {o:<12} {self.counts[o]:>7}" for o in fuzzing.OUTCOMES),
            f"slowest input: {self.slowest[0]:.2f} s (case {self.slowest[1]}); largest: "
            f"{self.largest[0]:.0f} MiB more resident (case {self.largest[1]})",
            f"error lines checked: {self.error_lines} (each names its file, is under "
            f"{fuzzing.MAX_LINE} characters and holds no control character)",
            f"distinct findings: {len(self.signatures)}",
        ]
        for key, (count, first, _) in sorted(self.signatures.items(), key=lambda kv: -kv[1][0]):
            lines.append(f"  {count:>6}  {key}  (first: case {first})")
        return "\n".join(lines)


class _Worker:
    def __init__(self, seed: int, memory_mib: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--worker", "--seed", str(seed), "--memory-mib",
             str(memory_mib)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            bufsize=1,
        )  # fmt: skip
        self.index: int | None = None
        self.sent_at = 0.0

    def send(self, index: int) -> None:
        assert self.process.stdin is not None
        self.index, self.sent_at = index, time.monotonic()
        self.process.stdin.write(f"{index}\n")
        self.process.stdin.flush()

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()


def campaign(
    inputs: int,
    *,
    seed: int = 1,
    workers: int = 2,
    timeout: float = DEFAULT_TIMEOUT_S,
    memory_mib: int = DEFAULT_MEMORY_MIB,
    save: Path | None = None,
    first: int = 0,
) -> Summary:
    """Run cases ``first .. first + inputs - 1`` in ``workers`` subprocesses; the summary."""
    summary = Summary(inputs=inputs)
    started = time.monotonic()
    todo = iter(range(first, first + inputs))
    selector = selectors.DefaultSelector()
    pool: list[_Worker] = []

    def start() -> _Worker:
        w = _Worker(seed, memory_mib)
        assert w.process.stdout is not None
        selector.register(w.process.stdout, selectors.EVENT_READ, w)
        pool.append(w)
        return w

    def retire(w: _Worker) -> None:
        assert w.process.stdout is not None
        selector.unregister(w.process.stdout)
        pool.remove(w)
        w.kill()

    def feed(w: _Worker) -> None:
        index = next(todo, None)
        if index is None:
            retire(w)
        else:
            w.send(index)

    def finding(index: int, outcome: str, signature: str, detail: str) -> None:
        summary.add(index, outcome, signature, detail)
        if save is not None:
            _save(save, seed, index, outcome, signature, detail)

    for _ in range(workers):
        feed(start())
    while pool:
        now = time.monotonic()
        wait = min(w.sent_at + timeout - now for w in pool)
        for key, _ in selector.select(timeout=max(0.0, wait)):
            w: _Worker = key.data
            line = key.fileobj.readline()  # type: ignore[union-attr]
            assert w.index is not None
            if not line:  # the worker died: out of memory below the Python level, or a signal
                code = w.process.wait()
                retire(w)
                outcome = fuzzing.MEMORY if code in (-6, -9, 137) else fuzzing.CRASH
                finding(w.index, outcome, f"worker died (exit status {code})", "")
                feed(start())
                continue
            result = json.loads(line)
            seconds = float(result["seconds"])
            if seconds > summary.slowest[0]:
                summary.slowest = (seconds, w.index)
            if float(result["peak_mib"]) > summary.largest[0]:
                summary.largest = (float(result["peak_mib"]), w.index)
            summary.error_lines += int(result["error_lines"])
            if result["outcome"] in fuzzing.CLEAN:
                summary.add(w.index, result["outcome"], None, "")
            else:
                finding(w.index, result["outcome"], result["signature"], result["detail"])
            feed(w)
        now = time.monotonic()
        for w in [w for w in pool if w.index is not None and now - w.sent_at >= timeout]:
            assert w.index is not None
            retire(w)
            finding(w.index, fuzzing.HANG, f"over {timeout:g} s", "")
            feed(start())
    summary.seconds = time.monotonic() - started
    return summary


def _save(root: Path, seed: int, index: int, outcome: str, signature: str, detail: str) -> None:
    case = case_at(seed, index, fuzzing.seed_files(), Registry.default())
    folder = root / f"{seed}-{index}"
    fuzzing.write_case(case, folder)
    (folder / "finding.txt").write_text(
        f"{outcome}: {signature}\n{case.describe()}\n\n{detail}\n", errors="backslashreplace"
    )


def replay(seed: int, index: int, timeout: float, memory_mib: int) -> int:
    """Run one case in this process, under the campaign's memory limit and timeout."""
    registry = Registry.default()
    case = case_at(seed, index, fuzzing.seed_files(), registry)
    print(case.describe())
    _limit_memory(memory_mib)
    signal.signal(signal.SIGALRM, _timed_out)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    with tempfile.TemporaryDirectory(prefix="omi-fuzz-") as tmp:
        started = time.perf_counter()
        result = fuzzing.run_case(case, Path(tmp), registry)
        print(f"{result.outcome} in {time.perf_counter() - started:.2f} s: {result.signature}")
        for line in result.error_lines:
            print(ascii(line)[:500])
        if result.detail:
            print(result.detail)
    return 0 if result.outcome in fuzzing.CLEAN else 1


def _timed_out(signum: int, frame: object) -> None:
    raise SystemExit(f"{fuzzing.HANG}: still running after the timeout")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=20_000)
    parser.add_argument("--first", type=int, default=0, help="number of the first case")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, help="s per input")
    parser.add_argument("--memory-mib", type=int, default=DEFAULT_MEMORY_MIB)
    parser.add_argument("--save", type=Path, help="write each finding's input files here")
    parser.add_argument("--replay", type=int, metavar="CASE", help="run one case in-process")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.seed, args.memory_mib)
        return 0
    if args.replay is not None:
        return replay(args.seed, args.replay, args.timeout, args.memory_mib)
    summary = campaign(
        args.inputs,
        seed=args.seed,
        workers=args.workers,
        timeout=args.timeout,
        memory_mib=args.memory_mib,
        save=args.save,
        first=args.first,
    )
    print(summary.table(args.seed, args.workers, args.timeout, args.memory_mib))
    return 1 if summary.findings else 0


if __name__ == "__main__":
    sys.exit(main())
