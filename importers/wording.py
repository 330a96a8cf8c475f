"""Numbers in words for the lines a user reads: counts with their noun, short durations."""

from __future__ import annotations


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``1 file``, ``2 files`` (``plural`` for nouns that do not take an s)."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def duration(seconds: float) -> str:
    """A short human duration (``4.2 s``, ``3 min 05 s``, ``2 h 10 min``)."""
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, sec = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min {sec:02d} s"
