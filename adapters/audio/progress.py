"""Per-stage progress bars in audio time (rich, on stderr, only on a terminal)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

Update = Callable[[float], None]


def _noop(_: float) -> None:
    return None


@contextmanager
def stage(label: str, audio_seconds: float) -> Iterator[Update]:
    """A bar for one stage whose total is the audio's length; yields ``update(seconds_done)``."""
    console = Console(stderr=True)
    if not console.is_terminal:
        yield _noop
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.completed:.0f}/{task.total:.0f} s audio"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(label, total=max(audio_seconds, 0.001))

        def update(done: float) -> None:
            bar.update(task, completed=min(done, audio_seconds))

        yield update
