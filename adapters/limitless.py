"""Limitless pendant lifelogs: the data export (a ZIP, or the folder it unpacks to).

::

    data-export_2025-12-07_11-47-23.zip
    ├── lifelogs/2025/12/03/2025-12-03_12h01m51s_Weekly-planning-sync.md    one conversation each
    ├── audio/pendant/2025/12/03/*.ogg, audio/mobile/...                    skipped (see below)
    └── chats/, meetings/, persons/, pendants/, user/                       skipped (not speech)

A lifelog::

    # Weekly planning sync                                          title (H1)
    ## Budget for the offsite                                       AI summary headings (H2, H3)
    > [1](#startMs=1764763311793&endMs=1764763317793): Morning!    speaker 1, times, words
    > [8](#startMs=1764763318000&endMs=1764763321500): Hi there.

* Each ``> [N](#startMs=…&endMs=…): text`` line is a segment of speaker ``N`` (``Speaker N``).
  Speaker 1 is the pendant's wearer, as Omi's own Limitless importer has it
  (``backend/utils/imports/limitless.py``): those segments are the user's (``is_user``), as if
  ``--me "Speaker 1"`` were given (``--me`` adds to it). Exports copied from the Limitless app
  name speakers instead (``[You]``, ``[Speaker 2]``): ``You`` is the user.
* Headings are summaries Limitless wrote, not speech: each is reported (``heading_skipped``).
  A ``>`` line without a speaker continues the line before; any other text is reported and
  left out (``block_skipped``).
* Times: ``startMs``/``endMs`` are Unix times in milliseconds (UTC instants; an export's first
  line starts within the second its file name gives). The file name's time,
  ``YYYY-MM-DD_HHhMMmSSs``, is the lifelog's start **in UTC** (the first line's instant, cut to
  the second; Omi's importer reads it as UTC too), so ``--timezone`` does not move it (it has a
  zone); ``--started-at`` still wins. The conversation starts at the name's time and each
  segment at its offset from it. When the name has no time (a renamed file), the first line's
  instant is the start; when the two disagree by more than a minute, the lines' instants win
  and that is reported (``name_time_disagrees``). Small values (``startMs=1000``) are offsets
  from the lifelog's start, dated by the name's time (else the file's time).

One lifelog is one conversation, keyed by its own bytes, whether it is read from the ZIP, from
the unpacked folder or alone: importing the ZIP and later the folder sends nothing twice. The
ZIP is unpacked as a folder of its members (:meth:`LimitlessAdapter.members`); in the unpacked
folder, the audio fragments and the other data are left out by the folder rule
(:meth:`LimitlessAdapter.folder_skips`), so a walk of the export does not transcribe thousands
of fragments of speech whose words the lifelogs already hold.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from adapters.wallclock import name_time
from importers.adapter import Adapter, Member, ParseOptions
from importers.bounds import LATEST, check_datetime, check_offset_ms, out_of_range
from importers.errors import ParseError
from importers.model import Repair, Segment, Transcript
from importers.source import Source

if TYPE_CHECKING:
    from importers.inputs import Found

#: ``> [N](#startMs=…&endMs=…): text`` (the speaker may be a name in copies from the app).
LINE = re.compile(
    r"^>[ \t]*\[(?P<speaker>[^\]\n]{0,200})\]\(#startMs=(?P<start>\d+)&endMs=(?P<end>\d+)\)"
    r":?[ \t]*(?P<text>.*)$"
)
HEADING = re.compile(r"^#{1,6}(?:[ \t]|$)")
#: The export's file names: ``2025-12-03_12h01m51s_Weekly-planning-sync.md``.
FILE_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})_(\d{2})h(\d{2})m(\d{2})s(?:_.*)?\.md$", re.I)
#: A lifelog inside an export ZIP: a Markdown file below a ``lifelogs`` folder.
LIFELOG_MEMBER = re.compile(r"(?:^|/)lifelogs/(?:.*/)?[^/]+\.md$", re.I)
#: Unix milliseconds from 2000 on are instants; smaller values are offsets from the start.
EPOCH_MS_FROM = 946_684_800_000
#: The latest instant a time may be (:mod:`importers.bounds`), in Unix milliseconds.
LATEST_MS = (LATEST - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)
#: How far the first line may start after the name's time (the name is cut to the second).
NAME_SLACK_MS = 60_000
#: The speaker who is the wearer: numeric speaker 1, or "You" in copies from the app.
WEARER_ID = "1"
WEARER_NAME = "you"
#: A lifelog is kilobytes; a member that unpacks to more is no lifelog (or a zip bomb).
MAX_LIFELOG_BYTES = 16 * 1024 * 1024
#: Folders of an export besides ``lifelogs``, and why their files are left out.
AUDIO_SKIP = "Limitless audio fragment (its words are in the export's lifelogs)"
DATA_SKIP = "Limitless export data, not a conversation (chats, meetings, persons, settings)"
EXPORT_FOLDERS = {
    "audio": AUDIO_SKIP,
    "chats": DATA_SKIP,
    "meetings": DATA_SKIP,
    "persons": DATA_SKIP,
    "pendants": DATA_SKIP,
    "user": DATA_SKIP,
}
_HEAD_LINES = 60


def speaker_name(label: str) -> str | None:
    """``1`` -> ``Speaker 1``; a name stays itself; an empty label is no speaker."""
    label = label.strip()
    if not label:
        return None
    return f"Speaker {int(label)}" if label.isdigit() and len(label) < 10 else label


def is_wearer(label: str) -> bool:
    label = label.strip()
    return (label.isdigit() and label.lstrip("0") == WEARER_ID) or label.casefold() == WEARER_NAME


def lifelog_start(path: Path) -> datetime | None:
    """The UTC start in a lifelog's file name, or None (another name, no real date)."""
    m = FILE_NAME.match(path.name)
    return None if m is None else name_time(m, UTC)


def looks_like_lifelog(source: Source) -> bool:
    """A transcript line near the top, or anywhere in a file named as the export names them."""
    if any(LINE.match(line) for line in source.head.split("\n", _HEAD_LINES)[:_HEAD_LINES]):
        return True
    if FILE_NAME.match(source.path.name) is None or "#startMs=" not in source.text:
        return False
    return any(LINE.match(line) for line in source.lines)


class LimitlessAdapter(Adapter):
    name = "limitless"
    extensions = (".md",)
    archives = (".zip",)
    description = (
        "Limitless pendant export: lifelogs/*.md ('> [N](#startMs=…&endMs=…): text'), "
        "the export ZIP or its folder"
    )
    sniff_only = True

    def sniff(self, source: Source) -> bool:
        return looks_like_lifelog(source)

    def parse(self, source: Source, options: ParseOptions) -> Transcript:
        return parse_lifelog(source.lines, lifelog_start(source.path), self.name)

    def content_sha256(self, source: Source) -> str:
        """The hash of the transcript lines (and of the name's time when they hold offsets,
        not instants): Limitless rewrites a lifelog's title, file name and summary headings
        from one export to the next, none of which is sent, so a re-export keeps its keys."""
        return transcript_sha256(source.lines, lifelog_start(source.path))

    def members(self, source: Source) -> Iterator[Member] | None:
        """The export ZIP's files: its lifelogs, and the rest as skipped; None for a ZIP that
        holds no ``lifelogs/*.md`` (not an export) or no ZIP at all."""
        try:
            archive = zipfile.ZipFile(
                source.path if source.path.is_file() else io.BytesIO(source.data)
            )
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
            return None
        infos = sorted((i for i in archive.infolist() if not i.is_dir()), key=lambda i: i.filename)
        if not any(LIFELOG_MEMBER.search(i.filename) for i in infos):
            archive.close()
            return None
        return _members(archive, infos)

    def folder_skips(
        self, files: Sequence[Path], found: Callable[[Path], Found]
    ) -> Mapping[Path, str]:
        """In an unpacked export, the files of ``audio/``, ``chats/``... (beside ``lifelogs/``)."""
        if not files:
            return {}
        reason = export_folder_reason(files[0].parent)
        return dict.fromkeys(files, reason) if reason else {}


def transcript_sha256(lines: Sequence[str], named_start: datetime | None) -> str:
    """What a lifelog's keys hash (:meth:`LimitlessAdapter.content_sha256`): everything its
    conversation is made of, each cue (speaker, times, words) and the start, and nothing else
    (not the title, the headings or stray notes, which are not sent)."""
    cues, _ = _cues(lines)
    _, started_at = _origin(cues, named_start, []) if cues else (0, None)
    material = [f"start={started_at.isoformat() if started_at else ''}"]
    material += [f"{label}|{start}|{end}|{' '.join(text)}" for label, start, end, text, _ in cues]
    return hashlib.sha256("\n".join(material).encode("utf-8")).hexdigest()


def export_folder_reason(folder: Path) -> str | None:
    """Why the files of ``folder`` are left out, when it lies in a folder of a Limitless export
    other than ``lifelogs`` (decided from the names; a folder is looked up only then)."""
    for ancestor in (folder, *folder.parents[:6]):
        reason = EXPORT_FOLDERS.get(ancestor.name.lower())
        if reason is not None and (ancestor.parent / "lifelogs").is_dir():
            return reason
    return None


def _members(archive: zipfile.ZipFile, infos: Sequence[zipfile.ZipInfo]) -> Iterator[Member]:
    with archive:
        for info in infos:
            name = info.filename
            if not LIFELOG_MEMBER.search(name):
                top = name.replace("\\", "/").lstrip("/").split("/", 1)[0].lower()
                yield Member(name, skipped=EXPORT_FOLDERS.get(top, DATA_SKIP))
            elif info.file_size > MAX_LIFELOG_BYTES:
                yield Member(
                    name,
                    error=ParseError(
                        f"unpacks to {info.file_size:,} bytes, more than a lifelog "
                        f"({MAX_LIFELOG_BYTES >> 20} MiB)"
                    ),
                )
            else:
                yield _read(archive, info)


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Member:
    try:
        with archive.open(info) as member:
            # The declared size bounds the read (a longer member fails its CRC check).
            return Member(info.filename, data=member.read(MAX_LIFELOG_BYTES + 1))
    except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError, OSError) as exc:
        why = "encrypted" if "encrypted" in str(exc) else type(exc).__name__
        return Member(info.filename, error=ParseError(f"cannot be read from the ZIP ({why})"))
    except EOFError:
        return Member(info.filename, error=ParseError("cannot be read from the ZIP (truncated)"))


Cue = tuple[str, int, int, list[str], int]  # label, start, end, lines of words, line number


def parse_lifelog(
    lines: Sequence[str], named_start: datetime | None, format_name: str
) -> Transcript:
    """Read a lifelog's lines (module docstring); ``named_start``: its file name's UTC time."""
    cues, repairs = _cues(lines)
    if not cues:
        raise ParseError("no Limitless transcript line ('> [N](#startMs=…&endMs=…): text')", line=1)
    origin, started_at = _origin(cues, named_start, repairs)
    segments = tuple(
        Segment(
            text=" ".join(t for t in text if t).strip(),
            start_ms=check_offset_ms(start - origin, "startMs", line=number),
            end_ms=check_offset_ms(end - origin, "endMs", line=number),
            speaker=speaker_name(label),
            line=number,
        )
        for label, start, end, text, number in cues
    )
    wearers = {speaker_name(label) for label, *_ in cues if is_wearer(label)}
    return Transcript(
        segments=segments,
        format=format_name,
        started_at=started_at,
        repairs=tuple(repairs),
        user_speakers=tuple(sorted(w for w in wearers if w)),
    )


def _cues(lines: Sequence[str]) -> tuple[list[Cue], list[Repair]]:
    """The transcript lines (a ``>`` line or text right under one continues it), and what was
    left out (headings, other text)."""
    repairs: list[Repair] = []
    cues: list[Cue] = []
    after_cue = False
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        m = LINE.match(line)
        if m is not None:
            start = _ms(m["start"], "startMs", number, line)
            end = _ms(m["end"], "endMs", number, line)
            cues.append((m["speaker"], start, end, [m["text"]], number))
            after_cue = True
        elif not line:
            after_cue = False
        elif HEADING.match(line):
            repairs.append(Repair("heading_skipped", number))
            after_cue = False
        elif cues and (line.startswith(">") or after_cue):
            cues[-1][3].append(line.removeprefix(">").strip())
        else:
            repairs.append(Repair("block_skipped", number))
    return cues, repairs


def _ms(digits: str, what: str, line: int, snippet: str) -> int:
    """Unix milliseconds or an offset; refused beyond :data:`LATEST_MS` (a time in 2200)."""
    significant = digits.lstrip("0")
    if len(significant) > len(str(LATEST_MS)) or int(significant or "0") > LATEST_MS:
        raise out_of_range(what, line=line, snippet=snippet)
    return int(significant or "0")


def _origin(
    cues: Sequence[Cue],
    named_start: datetime | None,
    repairs: list[Repair],
) -> tuple[int, datetime | None]:
    """The time the segments' offsets count from (ms), and the conversation's start."""
    first = min(cues, key=lambda c: c[1])
    first_ms, first_line = first[1], first[4]
    if first_ms < EPOCH_MS_FROM:  # offsets from the lifelog's start
        return 0, named_start
    instant = check_datetime(
        datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=first_ms),
        "the first line's startMs",
        line=first_line,
    )
    if named_start is not None:
        named_ms = (named_start - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)
        if 0 <= first_ms - named_ms <= NAME_SLACK_MS:
            return named_ms, named_start
        repairs.append(Repair("name_time_disagrees", first_line))
    return first_ms, instant
