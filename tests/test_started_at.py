"""When a conversation started, for a file that does not say: its mtime is the end."""

from __future__ import annotations

import json
import os
from pathlib import Path

from click.testing import CliRunner

from importers.cli import cli


def test_a_files_mtime_is_when_the_meeting_ended(tmp_path: Path) -> None:
    """A transcript is written when the meeting ends: its mtime is the end, not the start."""
    path = tmp_path / "two-hours.srt"
    path.write_text(
        "1\n00:00:00,000 --> 00:00:04,000\nWe begin.\n\n"
        "2\n01:59:56,000 --> 02:00:00,000\nAnd we are done.\n",
        encoding="utf-8",
    )
    ended = 1_767_000_000  # 2025-12-29T09:20:00Z
    os.utime(path, (ended, ended))
    result = CliRunner().invoke(cli, ["convert", str(path), "--timezone", "UTC"])
    (body,) = json.loads(result.stdout)["conversations"]
    assert (body["started_at"], body["finished_at"]) == (
        "2025-12-29T07:20:00Z",
        "2025-12-29T09:20:00Z",
    )
