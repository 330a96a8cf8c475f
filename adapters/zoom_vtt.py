"""Zoom cloud-recording transcripts: WebVTT whose cues start with ``Display Name: ``.

Zoom saves them as ``<meeting>.transcript.vtt`` / ``audio_transcript_<id>.vtt``. Each cue is
``Name: text``; a long utterance is split over several cues and Zoom leaves the name off some
of the later ones (``zoom/zoom-cloud-transcript-speaker-prefix.vtt``: ``And that``), so a cue
without a prefix continues the previous speaker. Names may hold parentheses and commas
(``Ashlee Kupor (SL)``), the text may hold more colons, and NBSP is ordinary whitespace.

Parsing is :class:`adapters.vtt.VttAdapter`'s with ``continue_previous``; the speaker rules are
in :mod:`adapters.speakers`. Detection is narrower than plain WebVTT's (which it extends, and
so wins over): Zoom's file names, or consistent ``Name:`` prefixes, and no ``<v>`` voice spans.

**One meeting, imported once.** A Zoom recording folder holds the same talk several times: this
transcript, the saved closed captions (``meeting_saved_closed_caption.txt`` /
``closed_caption.txt``, adapter ``zoom-captions``, or the cloud ``*.cc.vtt``) and the recording
itself (``.m4a``, ``.mp4``). Importing each would create several conversations of one meeting,
so the transcript is the meeting (it has real end times and is what Zoom itself calls the
transcript) and the captions and recordings beside it are skipped, each with the reason
(:meth:`ZoomVttAdapter.folder_skips`); without a transcript they are imported as usual (the
recording then transcribed). The chat is not speech and goes in on its own either way.

Files count as the same meeting when they lie in one folder and that folder is a Zoom folder
(named ``YYYY-MM-DD HH.MM.SS Topic``) or the captions file has one of Zoom's own names: a folder
of unrelated exports with renamed files is never thinned out. The rule decides from the names
first, so an ordinary folder costs nothing; in a Zoom folder it looks at the detections of the
``.txt`` / ``.vtt`` files, which the folder walk shares (no second read).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from adapters.speakers import has_consistent_prefixes
from adapters.timing import TIMING
from adapters.vtt import VttAdapter, has_voices, is_webvtt
from adapters.wallclock import zoom_folder_time
from adapters.zoom_captions import ZOOM_CAPTION_NAMES, ZoomCaptionsAdapter
from importers.source import Source

if TYPE_CHECKING:
    from importers.inputs import Found

_ZOOM_FILE = re.compile(r"(?:\.transcript|^audio_transcript[^/]*)\.vtt$", re.IGNORECASE)
#: How many cues of the head the prefix test looks at.
SNIFF_CUES = 40


def head_cue_texts(head: str) -> list[str]:
    """The first lines of the first cues in the head (enough for the prefix test)."""
    lines = head.split("\n")
    texts = []
    for i, line in enumerate(lines[:-2]):
        if "-->" in line and TIMING.match(line):
            texts.append(lines[i + 1])
            if len(texts) == SNIFF_CUES:
                break
    return texts


class ZoomVttAdapter(VttAdapter):
    """Zoom cloud-recording transcript (``*.transcript.vtt``)."""

    name = "zoom"
    description = "Zoom cloud-recording transcript (.transcript.vtt, 'Name: text' cues)"
    continue_previous: ClassVar[bool] = True

    def folder_skips(
        self, files: Sequence[Path], found: Callable[[Path], Found]
    ) -> Mapping[Path, str]:
        """Captions and recordings of the Zoom meeting whose transcript lies in the same folder
        (see the module docstring)."""
        zoom_folder = bool(files) and zoom_folder_time(files[0].parent) is not None
        if len(files) < 2 or not (zoom_folder or any(_zoom_named(p) for p in files)):
            return {}
        detected = [found(p) for p in files if p.suffix.lower() in (".txt", ".vtt")]
        transcripts = [
            f.path
            for f in detected
            if isinstance(f.adapter, ZoomVttAdapter) and not _caption_vtt(f.path)
        ]
        if not transcripts:
            return {}
        instead = (
            f"of the same Zoom meeting as {transcripts[0].name} "
            "(the transcript is imported instead)"
        )
        skips = {
            f.path: f"captions {instead}"
            for f in detected
            if (
                isinstance(f.adapter, ZoomCaptionsAdapter)
                or (isinstance(f.adapter, ZoomVttAdapter) and _caption_vtt(f.path))
            )
            and (zoom_folder or _zoom_named(f.path))
        }
        if zoom_folder:
            for path in files:
                if path.suffix.lower() not in (".txt", ".vtt") and (
                    (f := found(path)).adapter is not None and f.adapter.binary
                ):
                    skips[path] = f"recording {instead}"
        return skips

    def sniff(self, source: Source) -> bool:
        if not is_webvtt(source) or has_voices(source.head):
            return False
        return bool(_ZOOM_FILE.search(source.path.name)) or has_consistent_prefixes(
            head_cue_texts(source.head), bracketed=False
        )


def _caption_vtt(path: Path) -> bool:
    return path.name.lower().endswith(".cc.vtt")


def _zoom_named(path: Path) -> bool:
    return path.name.lower() in ZOOM_CAPTION_NAMES or _caption_vtt(path)
