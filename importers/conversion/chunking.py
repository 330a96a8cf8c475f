"""Split turns into API-sized conversations.

The API takes at most 500 segments per request, and an edge deployment caps a request at
500,000 characters of text (the limits are :mod:`importers.conversion.payload`'s, which calls this),
so a long transcript becomes several conversations. Each split is made at the longest pause within
the last :data:`SPLIT_WINDOW` segments before the limit, so a conversation ends where people
actually stopped talking.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from importers.model import Turn

SPLIT_WINDOW = 100

T = TypeVar("T", bound=Turn)


def _limit(turns: Sequence[Turn], start: int, max_segments: int, max_chars: int) -> int:
    """Index one past the furthest turn that fits in a chunk beginning at ``start``."""
    end = min(len(turns), start + max_segments)
    chars = 0
    for i in range(start, end):
        chars += len(turns[i].text)
        if chars > max_chars and i > start:
            return i
    return end


def split_points(
    turns: Sequence[Turn],
    *,
    max_segments: int,
    max_chars: int,
    window: int = SPLIT_WINDOW,
) -> list[tuple[int, int]]:
    """``[(begin, end), ...]`` index ranges covering ``turns``, each 1..max_segments long and
    within ``max_chars`` of text (a single longer turn is a range of its own)."""
    if max_segments < 1:
        raise ValueError("max_segments must be at least 1")
    ranges: list[tuple[int, int]] = []
    start, n = 0, len(turns)
    while start < n:
        limit = _limit(turns, start, max_segments, max_chars)
        if limit >= n:
            ranges.append((start, n))
            break
        lo = max(start + 1, limit - window)
        # The cut goes before index j; pick the longest pause (latest on ties).
        best = max(range(lo, limit + 1), key=lambda j: (turns[j].start_ms - turns[j - 1].end_ms, j))
        ranges.append((start, best))
        start = best
    return ranges


def chunk(
    turns: Sequence[T], *, max_segments: int, max_chars: int, window: int = SPLIT_WINDOW
) -> list[list[T]]:
    """Split ``turns`` into lists within the limits (see :func:`split_points`)."""
    ranges = split_points(turns, max_segments=max_segments, max_chars=max_chars, window=window)
    return [list(turns[a:b]) for a, b in ranges]
