"""Progress of a long step inside one file (the audio adapter's transcription and diarization).

An adapter wraps such a step in :func:`stage` and calls the ``update`` it gets with how far it
is. Who shows it is the caller's choice (:func:`showing`): ``omi-import convert`` and
``import`` add it to their own progress display (:func:`importers.cli.progress.as_tasks`; two
live displays on one terminal would overwrite each other); without one, a transient bar on stderr
when that is a terminal, and nothing otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

Update = Callable[[float], None]
#: ``(label, total, unit) -> a context manager yielding the update function``.
Shower = Callable[[str, float, str], AbstractContextManager[Update]]

_shower: Shower | None = None


def stage(label: str, total: float, unit: str = "s audio") -> AbstractContextManager[Update]:
    """Show a step of ``total`` units (``update(done)`` as it goes)."""
    return (_shower or _terminal_bar)(label, total, unit)


@contextmanager
def showing(shower: Shower) -> Iterator[None]:
    """Send the stages started inside this block to ``shower``."""
    global _shower
    before, _shower = _shower, shower
    try:
        yield
    finally:
        _shower = before


@contextmanager
def _terminal_bar(label: str, total: float, unit: str) -> Iterator[Update]:
    """A transient bar on stderr, on a terminal only (rich, loaded only then)."""
    import sys

    if not sys.stderr.isatty():
        yield lambda done: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn(f"{{task.completed:.0f}}/{{task.total:.0f}} {unit}"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=max(total, 0.001))
        yield lambda done: bar.update(task, completed=min(done, total))
