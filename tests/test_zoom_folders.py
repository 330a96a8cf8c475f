"""A Zoom recording folder imports as one meeting: transcript over captions, chat on its own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from adapters.zoom_captions import ZoomCaptionsAdapter
from adapters.zoom_chat import ZoomChatAdapter
from importers.adapter import Adapter, ParseOptions
from importers.cli import convert_all
from importers.meetings import zoom_folder_time
from importers.model import Segment, Transcript
from importers.pipeline import Conversion, ConvertOptions, iter_inputs
from importers.registry import Registry
from importers.source import Source

VTT = """WEBVTT

1
00:00:01.000 --> 00:00:04.000
Brennan, Siobhan: Morning all, let's start with the status round.

2
00:00:09.000 --> 00:00:12.000
Haddad, Omar: The importer is done.
"""
CAPTIONS = (
    "[Brennan, Siobhan] 10:00:41\nMorning all, let's start.\n\n"
    "[Haddad, Omar] 10:00:50\nThe importer is done.\n"
)
CHAT = "10:01:10 From Omar Haddad to Everyone:\n\thttps://example.org/pr/42\n"
_CUE = re.compile(
    r"(\d\d):(\d\d):(\d\d)\.(\d{3}) --> (\d\d):(\d\d):(\d\d)\.(\d{3})\n([^:\n]+): (.+)"
)


class StubZoomVtt(Adapter):
    """Stands in for the subtitles branch's ``zoom`` adapter (Zoom cloud transcript VTT)."""

    name = "zoom"
    extensions = (".vtt",)

    def sniff(self, source: Source) -> bool:
        return source.head.startswith("WEBVTT") and bool(_CUE.search(source.head))

    def parse(self, source: Source, options: ParseOptions) -> Transcript:
        def ms(h: str, m: str, s: str, f: str) -> int:
            return ((int(h) * 60 + int(m)) * 60 + int(s)) * 1000 + int(f)

        segments = tuple(
            Segment(g[9], ms(*g[0:4]), ms(*g[4:8]), speaker=g[8])
            for g in (m.groups() for m in _CUE.finditer(source.text))
        )
        return Transcript(segments, self.name)


def registry() -> Registry:
    return Registry([StubZoomVtt(), ZoomCaptionsAdapter(), ZoomChatAdapter()])


def meeting(root: Path, folder: str = "2026-03-02 10.00.00 Weekly sync") -> Path:
    path = root / folder
    path.mkdir(parents=True)
    (path / "GMT20260302-090000_Recording.transcript.vtt").write_text(VTT)
    (path / "meeting_saved_closed_caption.txt").write_text(CAPTIONS)
    (path / "meeting_saved_chat.txt").write_text(CHAT)
    (path / "video1234.mp4").write_bytes(b"\x00")
    return path


def items(root: Path, reg: Registry) -> dict[str, str | None]:
    return {item.path.name: item.skipped for item in iter_inputs([root], reg)}


def test_transcript_preferred_over_captions_chat_kept(tmp_path: Path) -> None:
    meeting(tmp_path)
    found = items(tmp_path, registry())
    assert found["GMT20260302-090000_Recording.transcript.vtt"] is None
    assert found["meeting_saved_chat.txt"] is None
    assert found["meeting_saved_closed_caption.txt"] == (
        "captions of the same Zoom meeting as GMT20260302-090000_Recording.transcript.vtt "
        "(the transcript is imported instead)"
    )
    assert found["video1234.mp4"] == "unsupported file type"


def test_convert_all_gives_one_speech_and_one_text_conversation(tmp_path: Path) -> None:
    meeting(tmp_path)
    results: list[Conversion] = []
    outcome = convert_all((tmp_path,), ConvertOptions(), registry(), results.append, quiet=True)
    assert sorted(r.format for r in results) == ["zoom", "zoom-chat"]
    assert {r.normalized.kind for r in results} == {"speech", "messages"}
    assert [p.name for p, _ in outcome.skipped] == [
        "meeting_saved_closed_caption.txt",
        "video1234.mp4",
    ]
    assert not outcome.failed


def test_captions_alone_are_imported(tmp_path: Path) -> None:
    path = meeting(tmp_path)
    (path / "GMT20260302-090000_Recording.transcript.vtt").unlink()
    assert items(tmp_path, registry())["meeting_saved_closed_caption.txt"] is None


def test_folders_are_separate_meetings(tmp_path: Path) -> None:
    meeting(tmp_path)
    other = tmp_path / "2026-03-03 10.00.00 Another"
    other.mkdir()
    (other / "meeting_saved_closed_caption.txt").write_text(CAPTIONS)
    found = {
        i.path.parent.name: i.skipped
        for i in iter_inputs([tmp_path], registry())
        if i.path.suffix == ".txt" and "caption" in i.path.name
    }
    assert found["2026-03-03 10.00.00 Another"] is None
    assert found["2026-03-02 10.00.00 Weekly sync"] is not None


def test_renamed_files_in_an_ordinary_folder_are_not_thinned(tmp_path: Path) -> None:
    (tmp_path / "standup.vtt").write_text(VTT)
    (tmp_path / "retro-captions.txt").write_text(CAPTIONS)
    assert items(tmp_path, registry()) == {"standup.vtt": None, "retro-captions.txt": None}


def test_zoom_default_caption_name_groups_outside_a_zoom_folder(tmp_path: Path) -> None:
    (tmp_path / "talk.transcript.vtt").write_text(VTT)
    (tmp_path / "closed_caption.txt").write_text(CAPTIONS)
    assert items(tmp_path, registry())["closed_caption.txt"] is not None


def test_explicit_files_are_never_skipped(tmp_path: Path) -> None:
    path = meeting(tmp_path)
    files = [
        path / "GMT20260302-090000_Recording.transcript.vtt",
        path / "meeting_saved_closed_caption.txt",
    ]
    assert [i.skipped for i in iter_inputs(files, registry())] == [None, None]


def test_zoom_folder_names() -> None:
    assert zoom_folder_time(Path("2026-03-02 10.00.00 Weekly sync")) is not None
    assert zoom_folder_time(Path("2026-03-02 10.00.00")) is not None
    assert zoom_folder_time(Path("2026-02-30 10.00.00 Bad date")) is None
    assert zoom_folder_time(Path("Weekly sync 2026-03-02")) is None


def test_with_the_real_zoom_adapter(tmp_path: Path) -> None:
    real = Registry.default()
    if "zoom" not in real.names:
        pytest.skip(
            "no 'zoom' (Zoom transcript VTT) adapter registered yet: it comes from branch subs"
        )
    meeting(tmp_path)
    found = items(tmp_path, real)
    assert found["meeting_saved_closed_caption.txt"] is not None
    assert found["GMT20260302-090000_Recording.transcript.vtt"] is None
