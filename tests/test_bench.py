"""The benchmark command runs and prints its figures (tiny sizes; the real run is manual)."""

from __future__ import annotations

import re

import pytest

from importers import bench_convert


def test_bench_runs_small(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("pysubs2")
    status = bench_convert.main(["--cues", "200", "--segments", "200", "--repeat", "1"])
    out = capsys.readouterr().out
    line = r"omi-import +[\d.]+ s +[\d.]+ MiB \| pysubs2 +[\d.]+ s +[\d.]+ MiB \| ratio +[\d.]+x"
    assert re.search(r"WhisperX 200 segments +" + line, out)
    if "SRT: skipped" in out:
        assert status == 1
    else:
        assert re.search(r"SRT 200 cues +" + line, out)
        assert status == 0
