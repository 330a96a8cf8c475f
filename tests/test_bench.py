"""The convert benchmark runs whole processes and prints one row per input (tiny sizes here;
the real run is by hand: ``python tests/bench_convert.py``)."""

from __future__ import annotations

import re

import bench_convert
import pytest

ROW = (
    r"omi-import +[\d.]+ s +\d+ MiB \| pysubs2 +[\d.]+ s +\d+ MiB \| "
    r"time +[\d.]+x  memory +[\d.]+x"
)


def test_bench_runs_small(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("pysubs2")
    assert bench_convert.main(["--cues", "50", "--segments", "50", "--runs", "1"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("convert benchmark: ")
    labels = [
        "SRT, 50 cues, Name: prefixes (--no-merge)",
        "VTT, 50 cues, <v> voices (--no-merge)",
        "WhisperX, 50 segments (--no-merge)",
        "WhisperX, 50 segments (turns from words)",
    ]
    assert len(out) == 1 + len(labels)
    for label, line in zip(labels, out[1:], strict=True):
        assert line.startswith(label)
        assert re.search(ROW, line), line
