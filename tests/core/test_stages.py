"""An adapter's long steps (importers.stages) show in the run's own progress display."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from rich.console import Console

from importers.cli.console import ConvertConsole
from importers.cli.progress import RichProgress
from importers.stages import Update, showing, stage


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_without_a_display_and_off_a_terminal_a_stage_shows_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with stage("Transcribing", 30.0) as update:
        update(10.0)
    assert capsys.readouterr().err == ""


def test_showing_sends_stages_to_the_caller() -> None:
    seen: list[tuple[str, float, str, float]] = []

    @contextmanager
    def shower(label: str, total: float, unit: str) -> Iterator[Update]:
        yield lambda done: seen.append((label, total, unit, done))

    with showing(shower), stage("Diarizing", 12.0) as update:
        update(3.0)
    with stage("Outside", 1.0) as update:  # the default again
        update(1.0)
    assert seen == [("Diarizing", 12.0, "s audio", 3.0)]


def test_a_stage_is_a_task_of_the_convert_display(monkeypatch: pytest.MonkeyPatch) -> None:
    """One live display on the terminal: the audio bars go into convert's, not beside it."""
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    console = ConvertConsole()
    console.start(3)
    with stage("Transcribing", 60.0) as update:
        update(30.0)
        assert [t.description for t in console._bar.tasks] == [
            "converting",
            "  Transcribing (60 s audio)",
        ]
    assert [t.description for t in console._bar.tasks] == ["converting"]
    console.stop()
    with stage("After", 1.0) as update:  # the run's display is gone: the default again
        update(1.0)
    assert "Transcribing" in terminal.getvalue()


def test_a_stage_is_a_task_of_the_import_display() -> None:
    """import's live display takes the audio bars too (a second display would overwrite it),
    with the field its columns read."""
    terminal = Terminal()
    progress = RichProgress(Console(file=terminal, force_terminal=True))
    progress.start(2)
    with stage("Transcribing", 60.0) as update:
        update(30.0)
        shown = [(t.description, t.completed) for t in progress._progress.tasks]
        assert shown == [("2 files, sending", 0.0), ("  Transcribing (60 s audio)", 30.0)]
        progress._progress.refresh()  # renders with the stage's task: its fields are there
    progress.close()
    assert [t.description for t in progress._progress.tasks] == ["2 files, sending"]
    seen: list[float] = []

    @contextmanager
    def shower(label: str, total: float, unit: str) -> Iterator[Update]:
        yield seen.append

    with showing(shower), stage("After", 1.0) as update:  # the display is closed: not it
        update(1.0)
    assert seen == [1.0]


def test_a_status_line_shows_under_the_bars_and_once_at_the_end(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``--dask``'s line (files per worker, audio hours per hour): read at every refresh of the
    display, and printed once before the summary."""
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    done = [0]
    console = ConvertConsole()
    console.start(3, lambda: f"Dask: {done[0]} files done")
    done[0] = 2
    console._bar.refresh()
    assert "Dask: 2 files done" in terminal.getvalue()
    done[0] = 3
    console.finish()
    assert terminal.getvalue().endswith(  # after the erased display
        "\x1b[2KDask: 3 files done\nomi-import: 0 converted (0 conversations)\n"
    )


def test_convert_on_a_real_terminal_shows_progress_and_still_writes(tmp_path: Path) -> None:
    """stderr on a pseudo-terminal: the progress display runs, the outputs are written, and
    what stays on the terminal are the tool's own lines."""
    for name in ("a.vtt", "b.vtt", "c.vtt"):
        (tmp_path / name).write_text("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v A>Hi there.\n")
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "importers", "convert", str(tmp_path), "-o", str(tmp_path / "out")],
        stdout=subprocess.DEVNULL,
        stderr=follower,
        env={**os.environ, "COLUMNS": "100", "TERM": "xterm"},
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the child closed its end
            break
        if not chunk:
            break
        shown += chunk
    assert proc.wait(timeout=60) == 0
    os.close(leader)
    text = shown.decode(errors="replace")
    assert "Traceback" not in text
    assert "omi-import: 3 converted (3 conversations)" in text
    assert len(list((tmp_path / "out").rglob("*.omi.json"))) == 3
