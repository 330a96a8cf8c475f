"""The convert benchmark runs whole processes and prints one row per input (tiny sizes here;
the real run is by hand: ``python tests/benchmarks/bench_convert.py``)."""

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


UPLOAD_ROW = r" +[\d.]+ s, floor +[\d.]+ s, +[\d.]+x, +\d+ requests, +\d+ x 429"


def test_upload_bench_runs_small(capsys: pytest.CaptureFixture[str]) -> None:
    """Each scenario in a process of its own, whole figures printed (tiny sizes here)."""
    import bench_upload

    argv = ["--n", "6", "--limit", "3", "--window", "0.5", "--only", "given", "--only", "learned"]
    assert bench_upload.main(argv) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("upload benchmark: 6 conversations, limit 3 per 0.5 s")
    assert [line.split()[0] for line in out[1:]] == ["given", "learned"]
    for line in out[1:]:
        assert re.search(UPLOAD_ROW, line), line
