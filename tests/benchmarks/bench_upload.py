"""Benchmark the uploader against the fake server with a scaled-down rate limit.

``python tests/benchmarks/bench_upload.py [--n 60] [--limit 10] [--window 4] [--runs 1]
[--root DIR]``

Each scenario imports ``--n`` conversations (a tiny test-adapter file each) against
``fake_omi.py`` on loopback, limit ``--limit`` per ``--window`` seconds, and prints its
wall time next to the *floor* the limit allows, ``(ceil(n / limit) - 1) * window`` plus one
request's (mean) latency, with their ratio, the requests sent and the 429s:

* ``given``: the limit told up front (``--rate-limit``/``--rate-window``), 0.2 s a request;
* ``learned``: the same, the limit learned from the server's first 429;
* ``slow``: a server taking 2-8 s a request (uniform, seeded), the limit learned, default workers;
* ``faults``: 20 % of the requests failing in every way the fake knows (and 20 % of those
  that reach the limiter finding it down), the limit learned; the floor counts the
  conversations, and also, in brackets, the requests the limit counted (a fault costs one);
* ``first-retried``: three conversations on a 5 s server, the first one's first attempt cut at
  once, then retried after the real backoff; the floor is that conversation's own chain of
  attempts, which the other two should not wait for;
* ``failing``: ten conversations against a server whose processing fails every one (500): the
  write units spent before the run stops (at most 12), and none created.

Each line also gives the write units spent per conversation created (every request the limiter
counted, so a fault's retry too; the floor is 1.0): Omi allows about 25 an hour, so each unit
is 2.4 minutes of the user's wait. A run that leaves conversations pending (a conversation's
three attempts used up by faults) is followed by the same command again, as a user would, until
everything is in: the wall time and the units are those of all the runs (``runs`` says how many).
The ledger knows the server (E2) from an earlier import, as any second import does.

The other scenarios back off as briefly as their window is short (0.05 s doubling to 0.5 s
against a 4 s window; the real 2 s to 120 s is made for Omi's hour). Faults fall on different
requests each run (the order of requests varies): take the median of several ``--runs``, each
run with a seed of its own (the same for A and B).

Every scenario runs in a process of its own (``--scenario NAME`` runs one and prints JSON); one
that has not ended after ``--timeout`` seconds is stopped and counted as never ending (0.1.0 did
not end when a provider's 429 answered its probe).
``--root DIR`` also runs each scenario with the ``importers`` of another source tree (a checkout
of an older commit), alternating A B ``--runs`` times: figures are medians.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

SUPPORT = Path(__file__).resolve().parent.parent / "support"
ROOT = SUPPORT.parents[1]
SCENARIOS = ("given", "learned", "slow", "faults", "first-retried", "failing")
LATENCY_S = 0.2
#: Runs of the same command a scenario may take to import everything (faults use up retries).
MAX_RUNS = 5


def scenario(name: str, n: int, limit: int, window: float, seed: int) -> dict[str, float]:
    """Run one scenario here (the ``importers`` on sys.path) and return its figures."""
    from fake_adapters import TalkAdapter, talk_file
    from fake_omi import GOOD_KEY, FakeOmi
    from pydantic import SecretStr

    from importers.registry import Registry

    upload, UploadOptions, RetryPolicy, Ledger, Settings, ServerFacts = _api()  # noqa: N806

    rng = random.Random(seed)
    latency: float | Callable[[], float] = LATENCY_S
    mean_latency, fault_rate, told = LATENCY_S, 0.0, name == "given"
    policy = RetryPolicy(backoff_initial_s=0.05, backoff_max_s=0.5)
    if name == "slow":
        latency, mean_latency = (lambda: rng.uniform(2.0, 8.0)), 5.0
    elif name == "faults":
        fault_rate = 0.2
    elif name == "first-retried":
        n, latency, mean_latency, policy = 3, 5.0, 5.0, RetryPolicy()
    elif name == "failing":
        n = 10
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        files = [talk_file(root / f"c{i:04d}.talk", 4, tag=f"c{i}") for i in range(n)]
        fake = FakeOmi(
            limit=limit, window_s=window, latency_s=latency, fault_rate=fault_rate, seed=seed
        )
        with fake, Ledger.open(root / "state") as ledger:
            if ServerFacts is not None:
                ServerFacts(ledger, fake.url).learn("E2")
            if name == "first-retried":
                first = _first_key(files[0])
                fake.queue_for(first, "drop_before")
            if name == "failing":
                fake.queue(*["500"] * 1000)
            options = UploadOptions(
                rate_limit=limit if told else None,
                rate_window_s=window if told else None,
                policy=policy,
            )
            started = time.monotonic()
            for done_runs in range(1, MAX_RUNS + 1):  # noqa: B007 - reported below
                report = upload(
                    files, settings=Settings(fake.url, SecretStr(GOOD_KEY)), ledger=ledger,
                    options=options, registry=Registry([TalkAdapter()]),
                )  # fmt: skip
                if report.ok or name == "failing":
                    break
            wall = time.monotonic() - started
            created = len({c.client_session_id for c in fake.conversations})
            if name == "failing":
                assert report.stopped is not None and created == 0, "the run did not stop"
                return {
                    "wall": wall, "floor": mean_latency, "counted": len(fake.requests),
                    "counted_floor": mean_latency, "requests": len(fake.requests), "429": 0,
                    "units_per_conversation": 0.0, "runs": 1, "created": 0,
                }  # fmt: skip
            assert report.ok, "not everything was imported"
            assert created == n == len(fake.conversations), "not exactly once"
            if name == "first-retried":
                chain = [r.at for r in fake.requests if r.client_session_id == first]
                floor = chain[-1] - fake.requests[0].at + mean_latency
            else:
                floor = (math.ceil(n / limit) - 1) * window + mean_latency
            # What the limiter let through (a fault's retry costs a unit; its 429s and 503s not).
            limited = sum(1 for r in fake.requests if r.fault is None and r.status == 429)
            counted = (
                len(fake.requests)
                - limited
                - sum(1 for r in fake.requests if r.fault == "limiter503")
            )
            return {
                "wall": wall,
                "floor": floor,
                "counted": counted,
                "counted_floor": (math.ceil(counted / limit) - 1) * window + mean_latency,
                "requests": len(fake.requests),
                "429": fake.count(status=429),
                "units_per_conversation": counted / created,
                "runs": done_runs,
                "created": created,
            }


def _api() -> tuple[Any, ...]:
    """``(upload, UploadOptions, RetryPolicy, Ledger, Settings, ServerFacts or None)`` of the
    tree on sys.path: this one, or an older one (``--root``) from before the uploader was a
    package (``importers.upload.upload()``) or the server's era was learned."""
    try:
        from importers.upload import Importer, UploadOptions
        from importers.upload.client import RetryPolicy
        from importers.upload.ledger import Ledger
        from importers.upload.server import ServerFacts
        from importers.upload.settings import Settings
    except ImportError:
        from importers.client import RetryPolicy  # type: ignore[no-redef]
        from importers.ledger import Ledger  # type: ignore[no-redef]
        from importers.settings import Settings  # type: ignore[no-redef]

        from importers.upload import UploadOptions, upload  # type: ignore[attr-defined]

        try:
            from importers.server import ServerFacts  # type: ignore[no-redef]
        except ImportError:
            ServerFacts = None  # type: ignore[assignment,misc]  # noqa: N806
        return upload, UploadOptions, RetryPolicy, Ledger, Settings, ServerFacts

    def run(files: list[Path], *, settings: Any, ledger: Any, **kwargs: Any) -> Any:
        return Importer(settings, ledger, **kwargs).run(files)

    return run, UploadOptions, RetryPolicy, Ledger, Settings, ServerFacts


def _first_key(path: Path) -> str:
    from fake_adapters import TalkAdapter

    from importers import Registry, convert  # the public API: every tree has it

    return convert(path, registry=Registry([TalkAdapter()])).conversations[0].key


def measure(name: str, args: argparse.Namespace, root: Path, seed: int) -> dict[str, float]:
    """One scenario in a fresh process, with the ``importers`` of ``root``."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root.resolve()), str(SUPPORT)])}
    command = [sys.executable, str(Path(__file__).resolve()), "--scenario", name]
    command += ["--n", str(args.n), "--limit", str(args.limit), "--window", str(args.window)]
    command += ["--seed", str(seed)]
    try:
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, check=False, timeout=args.timeout
        )
    except subprocess.TimeoutExpired:
        return {"stalled": args.timeout}  # it never ended (the probe stall, before issue 10)
    if done.returncode != 0:
        raise SystemExit(f"{name} failed with {root}:\n{done.stderr[-2000:]}")
    figures: dict[str, float] = json.loads(done.stdout)
    return figures


def medians(runs: list[dict[str, float]]) -> dict[str, float]:
    ended = [r for r in runs if "stalled" not in r]
    found = {key: statistics.median(r[key] for r in ended) for key in ended[0]} if ended else {}
    if len(ended) < len(runs):
        found["stalled"] = len(runs) - len(ended)
    return found


def runs(n: int, noun: str = "run") -> str:
    """``1 run``, ``3 runs`` (the parent imports nothing of the tree it measures)."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def shown(figures: dict[str, float]) -> str:
    stalled = figures.get("stalled")
    if "wall" not in figures:
        return f"never ended ({runs(round(stalled or 0))} stopped after the --timeout)"
    if stalled:
        ended = shown({k: v for k, v in figures.items() if k != "stalled"})
        return f"{ended}; {runs(round(stalled), 'more run')} never ended"
    if "units_per_conversation" in figures and not figures.get("created"):
        return (
            f"{figures['wall']:6.2f} s, {figures['counted']:.0f} write units spent, "
            "none created: the run stopped"
        )
    ratio = figures["wall"] / figures["floor"]
    line = (
        f"{figures['wall']:6.2f} s, floor {figures['floor']:6.2f} s, {ratio:5.2f}x, "
        f"{figures['requests']:4.0f} requests, {figures['429']:3.0f} x 429"
    )
    if "units_per_conversation" in figures:  # not in a tree from before they were counted
        line += f", {figures['units_per_conversation']:.2f} write units a conversation (floor 1.00)"
        if figures["runs"] > 1:
            line += f", {figures['runs']:.0f} runs"
    if figures["counted_floor"] > figures["floor"] + 0.01:  # faults cost units of the limit
        line += (
            f" ({figures['counted']:.0f} counted by the limit: floor "
            f"{figures['counted_floor']:.2f} s, {figures['wall'] / figures['counted_floor']:.2f}x)"
        )
    return line


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python tests/benchmarks/bench_upload.py", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--n", type=int, default=60, help="conversations (60)")
    parser.add_argument("--limit", type=int, default=10, help="requests per window (10)")
    parser.add_argument("--window", type=float, default=4.0, help="window in seconds (4)")
    parser.add_argument("--runs", type=int, default=1, help="runs (A B pairs with --root)")
    parser.add_argument("--root", type=Path, help="also run the importers of this source tree")
    parser.add_argument("--only", choices=SCENARIOS, action="append", help="these scenarios")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds a run may take (600)")
    parser.add_argument("--scenario", choices=SCENARIOS, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.scenario:
        print(json.dumps(scenario(args.scenario, args.n, args.limit, args.window, args.seed)))
        return 0
    print(
        f"upload benchmark: {args.n} conversations, limit {args.limit} per {args.window} s, "
        f"{LATENCY_S} s a request unless said; medians of {runs(args.runs)}"
        + (f"; A = this tree, B = {args.root}" if args.root else "")
    )
    for name in args.only or SCENARIOS:
        ours: list[dict[str, float]] = []
        theirs: list[dict[str, float]] = []
        for seed in range(1, args.runs + 1):
            ours.append(measure(name, args, ROOT, seed))
            if args.root:
                theirs.append(measure(name, args, args.root, seed))
        line = f"{name:<14} {shown(medians(ours))}"
        if theirs:
            line += f" | B {shown(medians(theirs))}"
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.path[:0] = [str(SUPPORT)] if str(SUPPORT) not in sys.path else []
    raise SystemExit(main())
