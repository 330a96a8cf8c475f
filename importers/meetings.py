"""Zoom recording folders: one meeting, imported once.

A Zoom recording folder can hold the same talk twice: the cloud transcript
(``*.transcript.vtt``, adapter ``zoom``) and the saved closed captions
(``meeting_saved_closed_caption.txt`` / ``closed_caption.txt``, adapter ``zoom-captions``, or
the cloud ``*.cc.vtt``). Importing both would create two conversations of one meeting, so the
transcript is preferred (it has real end times and is what Zoom itself calls the transcript) and
each captions file is listed as skipped, with the reason. The chat (``zoom-chat``) is not speech
and goes in as its own text conversation either way.

Two files count as the same meeting when they lie in the same folder and that folder is a Zoom
folder (named ``YYYY-MM-DD HH.MM.SS Topic``) or the captions file has one of Zoom's own names:
a folder of unrelated exports with renamed files is never thinned out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from importers.errors import ImporterError
from importers.registry import Registry
from importers.source import Source

TRANSCRIPT_FORMAT = "zoom"
CAPTIONS_FORMAT = "zoom-captions"
ZOOM_CAPTION_NAMES = ("meeting_saved_closed_caption.txt", "closed_caption.txt")
ZOOM_FOLDER = re.compile(r"^(\d{4})-(\d{2})-(\d{2}) (\d{2})\.(\d{2})\.(\d{2})(?: .*)?$")


def zoom_folder_time(folder: Path) -> datetime | None:
    """The meeting start in a Zoom folder name (``YYYY-MM-DD HH.MM.SS Topic``), naive."""
    m = ZOOM_FOLDER.match(folder.name)
    if not m:
        return None
    year, month, day, hour, minute, second = (int(g) for g in m.groups())
    try:
        return datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None


def _format_of(path: Path, registry: Registry) -> str | None:
    try:
        return registry.detect(Source.from_path(path)).name
    except ImporterError:
        return None  # reported when the file itself is converted


def _is_caption_vtt(path: Path) -> bool:
    return path.name.lower().endswith(".cc.vtt")


def duplicate_captions(files: Sequence[Path], registry: Registry) -> dict[Path, str]:
    """Captions files in one folder that repeat that folder's Zoom transcript -> skip reason.

    ``files`` are the supported files of a single folder.
    """
    if len(files) < 2 or not {TRANSCRIPT_FORMAT, CAPTIONS_FORMAT} <= set(registry.names):
        return {}
    candidates = [p for p in files if p.suffix.lower() in (".txt", ".vtt")]
    formats = {p: _format_of(p, registry) for p in candidates}
    transcripts = sorted(
        p for p, f in formats.items() if f == TRANSCRIPT_FORMAT and not _is_caption_vtt(p)
    )
    if not transcripts:
        return {}
    zoom_folder = zoom_folder_time(files[0].parent) is not None
    skipped: dict[Path, str] = {}
    for path, fmt in formats.items():
        is_captions = fmt == CAPTIONS_FORMAT or (fmt == TRANSCRIPT_FORMAT and _is_caption_vtt(path))
        if not is_captions:
            continue
        if zoom_folder or path.name.lower() in ZOOM_CAPTION_NAMES or _is_caption_vtt(path):
            skipped[path] = (
                f"captions of the same Zoom meeting as {transcripts[0].name} "
                "(the transcript is imported instead)"
            )
    return skipped
