"""When a conversation started, for a file that does not say: its mtime is the end."""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from importers.cli import cli
from importers.conversion.options import ConvertOptions
from importers.errors import ConfigError


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


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (
            {"started_on": date(1, 1, 1)},
            "started_on 0001-01-01 is outside 1970-01-01 to 2200-01-01",
        ),
        ({"started_on": date(9999, 12, 31)}, "started_on 9999-12-31 is outside"),
        (
            {"started_at": datetime(1969, 12, 31, tzinfo=UTC)},
            "started_at 1969-12-31 00:00:00+00:00",
        ),
        ({"started_at": datetime(9999, 12, 31)}, "started_at 9999-12-31 00:00:00 is outside"),
    ],
)
def test_a_library_caller_gets_the_bounds_the_flags_have(
    given: dict[str, object], message: str
) -> None:
    """ConvertOptions(started_on=date(1, 1, 1)) made resolve_started_at raise ValueError ('year
    0 is out of range'); the flags were checked, the options a program makes were not."""
    with pytest.raises(ConfigError, match=re.escape(message)):
        ConvertOptions(**given)  # type: ignore[arg-type]
    assert ConvertOptions(started_on=date(2026, 3, 2)).started_on == date(2026, 3, 2)
