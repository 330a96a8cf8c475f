"""A Zoom recording folder imports as one meeting: transcript over captions, chat on its own.

The rule is the zoom-captions adapter's (:meth:`ZoomCaptionsAdapter.folder_skips`), run by the
folder walk on its shared detections."""

from __future__ import annotations

import builtins
import io
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from adapters.vtt import VttAdapter
from adapters.wallclock import zoom_folder_time
from adapters.zoom_captions import ZoomCaptionsAdapter
from adapters.zoom_chat import ZoomChatAdapter
from adapters.zoom_vtt import ZoomVttAdapter
from importers.cli import cli
from importers.conversion.pipeline import convert_all
from importers.inputs import FolderPart, find_inputs
from importers.registry import Registry

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


def registry() -> Registry:
    return Registry([VttAdapter(), ZoomVttAdapter(), ZoomCaptionsAdapter(), ZoomChatAdapter()])


def meeting(root: Path, folder: str = "2026-03-02 10.00.00 Weekly sync") -> Path:
    path = root / folder
    path.mkdir(parents=True)
    (path / "GMT20260302-090000_Recording.transcript.vtt").write_text(VTT)
    (path / "meeting_saved_closed_caption.txt").write_text(CAPTIONS)
    (path / "meeting_saved_chat.txt").write_text(CHAT)
    (path / "video1234.mp4").write_bytes(b"\x00")
    return path


def items(root: Path, reg: Registry) -> dict[str, str | None]:
    return {item.path.name: item.skipped for item in find_inputs([root], reg)}


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
    outcomes = list(convert_all([tmp_path], registry=registry()))
    results = [o.conversion for o in outcomes if o.conversion is not None]
    assert sorted(r.format for r in results) == ["zoom", "zoom-chat"]
    assert {r.normalized.kind for r in results} == {"speech", "messages"}
    assert [o.path.name for o in outcomes if o.status == "skipped"] == [
        "meeting_saved_closed_caption.txt",
        "video1234.mp4",
    ]
    assert not [o for o in outcomes if o.status == "failed"]


def test_a_dry_run_of_a_zoom_folder_opens_each_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Detection, the meeting rule, conversion and hashing share one read of each file."""
    folder = meeting(tmp_path)
    opened: list[str] = []
    real_open = io.open

    def counting_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if str(file).startswith(str(folder)):
            opened.append(Path(file).name)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", counting_open)
    monkeypatch.setattr(io, "open", counting_open)
    result = CliRunner().invoke(cli, ["import", str(folder), "--dry-run"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert sorted(opened) == [
        "GMT20260302-090000_Recording.transcript.vtt",
        "meeting_saved_chat.txt",
        "meeting_saved_closed_caption.txt",
    ]
    assert (
        f"Skipped: {folder / 'video1234.mp4'}: recording of the same Zoom meeting as "
        "GMT20260302-090000_Recording.transcript.vtt (the transcript is imported instead)"
    ) in result.stderr


def test_a_recording_without_a_transcript_is_imported(tmp_path: Path) -> None:
    """Only the transcript makes the recording redundant; the captions do not."""
    folder = meeting(tmp_path)
    (folder / "GMT20260302-090000_Recording.transcript.vtt").unlink()
    found = {f.path.name: f for f in find_inputs([folder], Registry.default())}
    assert found["video1234.mp4"].adapter is not None
    assert found["video1234.mp4"].adapter.name == "audio"
    assert found["meeting_saved_closed_caption.txt"].skipped is None


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
        for i in find_inputs([tmp_path], registry())
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
    assert [i.skipped for i in find_inputs(files, registry())] == [None, None]


def test_files_of_a_folder_taken_later_are_judged_among_the_folder(tmp_path: Path) -> None:
    """The watcher hands over the files that became complete (a FolderPart): the recording,
    complete after the transcript was taken, is still left out for it; the transcript is not
    read again, only looked at by the rule."""
    folder = meeting(tmp_path)
    recording = folder / "video1234.mp4"
    part = FolderPart(folder, (recording,), tuple(sorted(p for p in folder.iterdir())))
    (found,) = find_inputs([part], Registry.default())
    assert found.path == recording
    assert found.skipped == (
        "recording of the same Zoom meeting as GMT20260302-090000_Recording.transcript.vtt "
        "(the transcript is imported instead)"
    )
    alone = FolderPart(folder, (recording,), (recording,))
    (found,) = find_inputs([alone], Registry.default())
    assert found.adapter is not None and found.adapter.name == "audio"


def test_zoom_folder_names() -> None:
    assert zoom_folder_time(Path("2026-03-02 10.00.00 Weekly sync")) is not None
    assert zoom_folder_time(Path("2026-03-02 10.00.00")) is not None
    assert zoom_folder_time(Path("2026-02-30 10.00.00 Bad date")) is None
    assert zoom_folder_time(Path("Weekly sync 2026-03-02")) is None
