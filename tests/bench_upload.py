"""Benchmark the uploader against the fake server with a scaled-down rate limit.

Run: ``python tests/bench_upload.py [--n 60] [--limit 10] [--window 2] [--latency 0.2]``

Prints, for a limit that is learned from the server's first 429 and for one told up front: the
wall time against the floor the limit allows (``(ceil(n / limit) - 1) * window`` plus one
request's latency), requests sent per conversation, and 429s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]

from fake_adapters import TalkAdapter, talk_file  # noqa: E402
from fake_omi import GOOD_KEY, FakeOmi  # noqa: E402
from pydantic import SecretStr  # noqa: E402

from importers.client import RetryPolicy  # noqa: E402
from importers.ledger import Ledger  # noqa: E402
from importers.pacing import floor_seconds  # noqa: E402
from importers.registry import Registry  # noqa: E402
from importers.settings import Settings  # noqa: E402
from importers.upload import UploadOptions, upload  # noqa: E402


def bench(
    n: int, limit: int, window: float, latency: float, told: bool, workers: int
) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        files = [talk_file(root / f"c{i:04d}.talk", 4, tag=f"c{i}") for i in range(n)]
        with (
            FakeOmi(limit=limit, window_s=window, latency_s=latency) as fake,
            Ledger.open(root / "state") as ledger,
        ):
            options = UploadOptions(
                workers=workers,
                rate_limit=limit if told else None,
                rate_window_s=window if told else None,
                policy=RetryPolicy(backoff_initial_s=0.05, backoff_max_s=0.5),
            )
            started = time.monotonic()
            report = upload(files, settings=Settings(fake.url, SecretStr(GOOD_KEY)), ledger=ledger,
                            options=options, registry=Registry([TalkAdapter()]))  # fmt: skip
            ended = time.monotonic()
            wall, sending = ended - started, ended - fake.requests[0].at
            created = len({c.client_session_id for c in fake.conversations})
            assert report.ok, "not everything was imported"
            assert created == n == len(fake.conversations), "not exactly once"
            return {
                "wall": wall,
                "sending": sending,
                "floor": floor_seconds(n, limit, window) + latency,
                "requests": len(fake.requests),
                "429": fake.count(status=429),
            }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=60, help="conversations")
    parser.add_argument("--limit", type=int, default=10, help="requests per window")
    parser.add_argument("--window", type=float, default=4.0, help="window in seconds")
    parser.add_argument("--latency", type=float, default=0.2, help="server seconds per request")
    parser.add_argument("--workers", type=int, default=10)
    args = parser.parse_args()
    print(f"{args.n} conversations, limit {args.limit} per {args.window} s window, "
          f"{args.latency} s per request, {args.workers} workers")  # fmt: skip
    for told in (False, True):
        r = bench(args.n, args.limit, args.window, args.latency, told, args.workers)
        over = (r["wall"] / r["floor"] - 1) * 100
        over_sending = (r["sending"] / r["floor"] - 1) * 100
        print(
            f"limit {'told up front ' if told else 'learned (429)'}: wall {r['wall']:.2f} s "
            f"({over:+.1f} % over the floor of {r['floor']:.2f} s; from the first request: "
            f"{r['sending']:.2f} s, {over_sending:+.1f} %), "
            f"{r['requests'] / args.n:.3f} requests per conversation, {r['429']:.0f} x 429"
        )


if __name__ == "__main__":
    main()
