"""Limitless exports: a lifelog, the export ZIP (one run, one conversation per lifelog, resumable,
exactly once), the unpacked export folder, times and the wearer (issue 24)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fake_omi import GOOD_KEY, FakeOmi
from pydantic import SecretStr
from support import REPO, SAMPLES, text_source
from uploading import FAST, upload

from adapters.limitless import LimitlessAdapter
from importers.conversion.options import ConvertOptions
from importers.conversion.pipeline import convert, convert_all
from importers.registry import Registry
from importers.source import Source
from importers.upload import UploadOptions
from importers.upload.ledger import Ledger
from importers.upload.report import Report
from importers.upload.settings import Settings

LIFELOGS = SAMPLES / "limitless"
WEEKLY = LIFELOGS / "2025-12-03_12h01m51s_Weekly-planning-sync.md"
STANDUP = LIFELOGS / "2025-10-08_07h00m25s_Standup.md"
WALK = LIFELOGS / "2024-05-08_05h46m33s_Morning-walk-thoughts.md"
#: The export's own layout: lifelogs by day, audio fragments, chats, settings.
EXPORT = {
    f"lifelogs/2025/12/03/{WEEKLY.name}": WEEKLY.read_bytes(),
    f"lifelogs/2025/10/08/{STANDUP.name}": STANDUP.read_bytes(),
    f"lifelogs/2024/05/08/{WALK.name}": WALK.read_bytes(),
    "lifelogs/2025/12/04/2025-12-04_08h00m00s_Quiet-morning.md": b"# Quiet morning\n\n## Nothing\n",
    "audio/pendant/2025/12/03/0001.ogg": b"OggS\x00fragment",
    "audio/mobile/2025/12/03/0002.ogg": b"OggS\x00fragment",
    "chats/2025/12/03/ask.json": b'{"messages": []}',
    "persons/p1.json": b"{}",
    "user/user.json": b"{}",
}
REGISTRY = Registry.default()


def write_zip(
    path: Path, members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED
) -> Path:
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def import_(fake: FakeOmi, paths: list[Path], state: Path, **opts: object) -> Report:
    with Ledger.open(state) as ledger:
        return upload(
            paths,
            settings=Settings(fake.url, SecretStr(GOOD_KEY)),
            ledger=ledger,
            convert_options=ConvertOptions(timezone=UTC),
            options=UploadOptions(**{"policy": FAST, "read_timeout_s": 5, **opts}),  # type: ignore[arg-type]
            registry=REGISTRY,
        )


def keys_of(paths: list[Path], **flags: object) -> dict[str, list[str]]:
    """Input name -> its conversations' keys (converted, not sent)."""
    options = ConvertOptions.from_flags(registry=REGISTRY, timezone="UTC", **flags)  # type: ignore[arg-type]
    out = {}
    for outcome in convert_all(paths, options, registry=REGISTRY):
        if outcome.conversion is not None:
            out[outcome.path.name] = [c.key for c in outcome.conversion.conversations]
    return out


def test_the_export_zip_is_one_run_with_one_conversation_per_lifelog(tmp_path: Path) -> None:
    export = write_zip(tmp_path / "data-export_2025-12-07_11-47-23.zip", EXPORT)
    outcomes = list(convert_all([export], ConvertOptions(timezone=UTC), registry=REGISTRY))
    by_name = {o.path.relative_to(export).as_posix(): o for o in outcomes}
    assert set(by_name) == set(EXPORT)  # every member is accounted for, each once
    converted = {n for n, o in by_name.items() if o.status == "converted"}
    assert converted == {
        n for n in EXPORT if Path(n).name in {WEEKLY.name, STANDUP.name, WALK.name}
    }
    assert "audio fragment" in str(by_name["audio/pendant/2025/12/03/0001.ogg"].skipped)
    assert "not a conversation" in str(by_name["user/user.json"].skipped)
    quiet = by_name["lifelogs/2025/12/04/2025-12-04_08h00m00s_Quiet-morning.md"]
    assert quiet.status == "skipped" and "not recognised" in str(quiet.skipped)
    # Each lifelog converts inside the ZIP exactly as the same file alone.
    for name in converted:
        alone = convert(LIFELOGS / Path(name).name, ConvertOptions(timezone=UTC))
        inside = by_name[name].conversion
        assert inside is not None
        assert [c.json for c in inside.conversations] == [c.json for c in alone.conversations]


def test_each_lifelog_is_sent_once_through_faults_and_a_rerun_of_zip_or_folder(
    tmp_path: Path,
) -> None:
    export = write_zip(tmp_path / "export.zip", EXPORT)
    expected = keys_of([export])
    assert len(expected) == 3 and len({k for ks in expected.values() for k in ks}) == 3
    with FakeOmi(fault_rate=0.6, seed=24, limit=1000) as fake:
        # One attempt per request: the run ends with lifelogs left to send (interrupted).
        first = import_(fake, [export], tmp_path / "state", policy=FAST.__class__(max_attempts=1))
        assert not first.ok
        fake.fault_rate = 0.0
        second = import_(fake, [export], tmp_path / "state")
        assert second.ok
        per_key = Counter(c.client_session_id for c in fake.conversations)
        assert set(per_key) == {k for ks in expected.values() for k in ks}
        assert set(per_key.values()) == {1}
        # The unpacked export, a newer export with rewritten titles: nothing more is sent.
        folder = tmp_path / "unpacked"
        with zipfile.ZipFile(export) as archive:
            archive.extractall(folder)
        retitled = dict(EXPORT)
        old = f"lifelogs/2025/12/03/{WEEKLY.name}"
        retitled.pop(old)
        rewritten = WEEKLY.read_bytes().replace(b"# Weekly planning sync", b"# Garden crew sync")
        retitled[old.replace("Weekly-planning-sync", "Garden-crew-sync")] = rewritten
        newer = write_zip(tmp_path / "export-2025-12-19.zip", retitled)
        sent = len(fake.requests)
        third = import_(fake, [folder, newer], tmp_path / "state")
        assert third.ok
        assert Counter(c.client_session_id for c in fake.conversations) == per_key
        assert not [r for r in fake.requests[sent:] if r.method == "POST"]


def test_the_unpacked_export_skips_its_audio_and_data_by_the_folder_rule(tmp_path: Path) -> None:
    folder = tmp_path / "limitless-export"
    with zipfile.ZipFile(write_zip(tmp_path / "e.zip", EXPORT)) as archive:
        archive.extractall(folder)
    outcomes = {o.path.relative_to(folder).as_posix(): o for o in convert_all([folder])}
    assert "audio fragment" in str(outcomes["audio/pendant/2025/12/03/0001.ogg"].skipped)
    assert "not a conversation" in str(outcomes["chats/2025/12/03/ask.json"].skipped)
    assert outcomes[f"lifelogs/2025/12/03/{WEEKLY.name}"].status == "converted"
    # Keys are the same as the ZIP's members'.
    assert keys_of([folder]) == keys_of([tmp_path / "e.zip"])
    # An "audio" folder elsewhere (not beside lifelogs/) is no export's: nothing is skipped.
    other = tmp_path / "podcast" / "audio"
    other.mkdir(parents=True)
    (other / "episode.srt").write_text("1\n00:00:01,000 --> 00:00:02,000\nHello\n")
    assert [o.status for o in convert_all([other.parent])] == ["converted"]


def test_hostile_and_broken_members_stay_below_the_archive_and_fail_alone(
    tmp_path: Path,
) -> None:
    members = {
        "../../escape/lifelogs/x.md": WEEKLY.read_bytes(),
        "/abs/lifelogs/y.md": STANDUP.read_bytes(),
        f"lifelogs/{WALK.name}": WALK.read_bytes(),
    }
    export = write_zip(tmp_path / "e.zip", members, zipfile.ZIP_STORED)
    # Corrupt the stored words of the last member: its CRC check fails; the others go through.
    data = bytearray(export.read_bytes())
    data[data.index(b"Note to self")] ^= 0x20
    export.write_bytes(bytes(data))
    outcomes = {
        o.path.relative_to(export).as_posix(): o
        for o in convert_all([export], ConvertOptions(timezone=UTC), registry=REGISTRY)
    }
    assert set(outcomes) == {"escape/lifelogs/x.md", "abs/lifelogs/y.md", f"lifelogs/{WALK.name}"}
    assert outcomes["escape/lifelogs/x.md"].status == "converted"
    assert outcomes["abs/lifelogs/y.md"].status == "converted"
    broken = outcomes[f"lifelogs/{WALK.name}"]
    assert broken.status == "failed"
    assert (
        str(broken.error)
        == f"{export}/lifelogs/{WALK.name}: cannot be read from the ZIP (BadZipFile)"
    )


def test_a_zip_that_is_no_export(tmp_path: Path) -> None:
    photos = write_zip(tmp_path / "photos.zip", {"a.jpg": b"\xff\xd8"})
    named = list(convert_all([photos]))
    assert named[0].status == "failed" and "not an archive omi-import reads" in str(named[0].error)
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04 not really")
    walked = {o.path.name: o for o in convert_all([tmp_path])}
    assert walked["photos.zip"].status == "skipped"
    assert walked["broken.zip"].status == "skipped"


def test_markdown_notes_beside_lifelogs_are_skipped_not_failed(tmp_path: Path) -> None:
    shutil.copy(WEEKLY, tmp_path / WEEKLY.name)
    (tmp_path / "README.md").write_text("# My notes\n\nNothing to import.\n")
    walked = {o.path.name: o.status for o in convert_all([tmp_path])}
    assert walked == {WEEKLY.name: "converted", "README.md": "skipped"}
    named = next(iter(convert_all([tmp_path / "README.md"])))
    assert named.status == "failed" and "not recognised" in str(named.error)


def test_the_name_time_is_utc_and_timezone_does_not_move_it() -> None:
    for zone in ("UTC", "America/Los_Angeles", "Asia/Tokyo"):
        options = ConvertOptions.from_flags(registry=REGISTRY, timezone=zone)
        body = convert(WEEKLY, options).conversations[0].body
        assert body.started_at == datetime(2025, 12, 3, 12, 1, 51, tzinfo=UTC)
        assert body.transcript_segments[0].start == 0.412  # the first instant, 412 ms later
    started = convert(STANDUP, ConvertOptions(timezone=UTC)).conversations[0].body.started_at
    assert started == datetime(2025, 10, 8, 7, 0, 25, tzinfo=UTC)  # offsets: dated by the name


def test_the_wearer_is_the_user_and_me_adds_to_it() -> None:
    body = convert(WEEKLY, ConvertOptions(timezone=UTC)).conversations[0].body
    users = {s.speaker_id for s in body.transcript_segments if s.is_user}
    assert users == {0}  # Speaker 1 (SPEAKER_00) only
    options = ConvertOptions.from_flags(registry=REGISTRY, timezone="UTC", me=("Speaker 4",))
    body = convert(WEEKLY, options).conversations[0].body
    assert {s.speaker_id for s in body.transcript_segments if s.is_user} == {0, 2}


def test_keys_follow_the_transcript_not_the_headings_or_name(tmp_path: Path) -> None:
    base = keys_of([WEEKLY])[WEEKLY.name]
    retitled = tmp_path / "2025-12-03_12h01m51s_Another-title.md"
    retitled.write_bytes(
        WEEKLY.read_bytes().replace(b"## Budget", b"## Money").replace(b"# Weekly", b"# Sync")
    )
    assert keys_of([retitled])[retitled.name] == base
    edited = tmp_path / WEEKLY.name
    edited.write_bytes(WEEKLY.read_bytes().replace(b"Perfect.", b"Perfect, thanks."))
    assert keys_of([edited])[edited.name] != base
    # Offsets (not instants): the name's time is part of what is keyed.
    moved = tmp_path / "2025-10-09_07h00m25s_Standup.md"
    moved.write_bytes(STANDUP.read_bytes())
    assert keys_of([moved])[moved.name] != keys_of([STANDUP])[STANDUP.name]


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("> [1](#startMs=99999999999999999999&endMs=1): x", "out of range"),
        ("> [1](#startMs=7300000000000&endMs=7300000001000): year 2201", "out of range"),
    ],
)
def test_times_out_of_range_name_the_line(tmp_path: Path, line: str, error: str) -> None:
    path = tmp_path / "2025-01-01_00h00m00s_x.md"
    path.write_text(f"# t\n\n{line}\n")
    outcome = next(iter(convert_all([path])))
    assert outcome.status == "failed"
    assert f"{path}:3:" in str(outcome.error) and error in str(outcome.error)


def test_sniff_reads_the_head_and_lifelog_names() -> None:
    adapter = LimitlessAdapter()
    assert adapter.sniff(Source.from_path(WEEKLY))
    assert not adapter.sniff(text_source("# Notes\n\n> a quote\n", "notes.md"))
    late = "# t\n\n" + "## heading\n\n" * 2000 + "> [1](#startMs=1&endMs=2): hi\n"
    assert adapter.sniff(text_source(late, "2025-01-01_00h00m00s_t.md"))
    assert not adapter.sniff(text_source(late, "notes.md"))


def test_convert_writes_a_zips_lifelogs_as_json_lines_and_files_below_its_name(
    tmp_path: Path,
) -> None:
    twins = {f"{d}/lifelogs/{STANDUP.name}": STANDUP.read_bytes() for d in ("a", "b")}
    export = write_zip(tmp_path / "export.zip", {**EXPORT, **twins})
    run = [sys.executable, "-m", "importers", "convert", str(export), "--timezone", "UTC"]
    done = subprocess.run(run, cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    inputs = [json.loads(line)["input"] for line in done.stdout.splitlines()]  # one per line
    assert len(inputs) == 5 and all(i.startswith(f"{export}/") for i in inputs)
    out = tmp_path / "out"
    done = subprocess.run([*run, "-o", str(out)], cwd=REPO, capture_output=True, text=True,
                          timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.omi.json"))
    assert f"export.zip/a/lifelogs/{STANDUP.name}.omi.json" in written
    assert f"export.zip/b/lifelogs/{STANDUP.name}.omi.json" in written  # no overwrite
    assert len(written) == 5
