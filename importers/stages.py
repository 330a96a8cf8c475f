"""Progress of a long step inside one file (the audio adapter's transcription and diarization).

An adapter wraps such a step in :func:`stage` and calls the ``update`` it gets with how far it
is. Who shows it is the caller's choice (:func:`showing`): ``omi-import convert`` and
``import`` add it to their own progress display (:func:`as_tasks`; two live displays on one
terminal would overwrite each other); without one, a transient bar on stderr when that is a
terminal, and nothing otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.progress import Progress

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


def as_tasks(progress: Progress, **fields: Any) -> Shower:
    """A shower that adds each stage to ``progress``, a live display already on the terminal
    (``convert``'s and ``import``'s), as a task of its own while it lasts; ``fields`` are the
    task fields that display's columns read."""

    @contextmanager
    def shower(label: str, total: float, unit: str) -> Iterator[Update]:
        task = progress.add_task(
            f"  {label} ({total:.0f} {unit})", total=max(total, 0.001), **fields
        )
        try:
            yield lambda done: progress.update(task, completed=min(done, total))
        finally:
            progress.remove_task(task)

    return shower


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
