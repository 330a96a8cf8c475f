"""Pinned client_session_ids: a release must never re-key a file it has already sent.

Every literal below was produced by omi-import 0.1.0, the first release, and sent to Omi by its
users. If one of these tests fails, the change would make every re-run after an upgrade create a
second conversation of each file already imported: fix the change, never the literal. Options
added after 0.1.0 must not enter the key at their default value (``importers.identity``).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import REPO

from adapters.audio import AudioAdapter
from importers import ConvertOptions, NormalizeOptions, Transcript, convert
from importers.adapter import ParseOptions
from importers.cli import cli
from importers.model import Segment
from importers.registry import Registry
from importers.source import Source

VTT = "samples/vtt/team-sync.vtt"
WHISPER = "samples/whisper/parking-words-diarized.json"

SEGMENT_KEYS = [
    ([VTT], "a3e16624de7805fa7c49397a133d41a355e4870c"),
    ([VTT, "--format", "vtt"], "a3e16624de7805fa7c49397a133d41a355e4870c"),
    ([VTT, "--me", "Ana Lima"], "eab134b8b913523d3fe705be0302d5bafefdd067"),
    ([VTT, "--no-merge"], "4037788146765dc73dc070a29d0e6375222424bd"),
    ([VTT, "--source", "phone"], "5a19767a1f217db4b104f3ada9a710526bc1a052"),
    ([VTT, "--language", "de"], "aa22b2375cdebe66930a92cf0f7bc47dfacbdba4"),
    (
        [VTT, "--started-at", "2026-03-02T14:00:00+01:00"],
        "bfb82471bb367439d0bc6bff37f3d3667f1a1139",
    ),
    ([VTT, "--started-at", "2026-03-02"], "95658e3b4aa5bc04306bcfb21cbb9779415ac982"),
    ([VTT, "--timezone", "Europe/Berlin"], "55c7f80a17bf2659ffc461dbb9c1aed51cf5c9b5"),
    ([VTT, "--max-pause", "3", "--max-turn", "30"], "88cce2d32bb79634cbb8b5a5e70421dc0daf9989"),
    ([VTT, "--people", "{people}"], "f3df353c92ba5c919489e2aaead6865bf82b7b47"),
    ([VTT, "--encoding", "utf-8"], "0957767adfba1d8fe5cc3d61f0e0e6dc8000f65a"),
    (
        [VTT, "--me", "Ana Lima", "--me", "SPEAKER_01", "--no-merge", "--source", "phone"],
        "fa363cd8c1e598555bd8a059edf50810597827de",
    ),
    (["samples/srt/whisperx-call.srt"], "1e2e31f4e71b2fbe8fa2144b3bf13e80f24232f2"),
    (["samples/whisperx/shipment-word-speakers.json"], "290935372fb296ac92b2595e5a7851fa5f4190c4"),
    ([WHISPER], "5d45e57d1ca1ee9b27a8b941540d6c9e22105710"),
    (
        [WHISPER, "--diarization", "samples/whisper/parking-words-diarized.rttm"],
        "6fc072a2baf5cc107e7e20efe43a9eb759ff94ca",
    ),
    (["samples/teams/weekly-standup.vtt"], "556da6c3b0d4a504682606b0c546b9acfc08c6ef"),
    (["samples/zoom/cloud-recording.transcript.vtt"], "11ab7a68fdf3716d4d78a639bd6f29bc5496df61"),
    (["samples/otter-docx/interview.docx"], "6b559184601bafc32d22f9a6d8790ad967d545f4"),
    (
        ["samples/zoom-captions/last-first-names.txt", "--timezone", "UTC"],
        "f5bc242ad7ec7eefba9aca1345db63bce04ea2c4",
    ),
]


@pytest.mark.parametrize(
    ("args", "digest"),
    SEGMENT_KEYS,
    ids=lambda v: " ".join(v)[-60:] if isinstance(v, list) else v[:8],
)
def test_cli_keys_are_pinned(
    args: list[str], digest: str, in_repo: Path, tmp_path: Path, fixed_mtime: object
) -> None:
    """`omi-import convert FILE [options]` gives the client_session_id 0.1.0 sent."""
    people = tmp_path / "people.json"
    people.write_text('{"Ana Lima": "person_1"}')
    argv = ["convert", *(a.replace("{people}", str(people)) for a in args)]
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 0, result.output
    bodies = json.loads(result.stdout)["conversations"]
    assert [b["client_session_id"] for b in bodies] == [f"omi-import-{digest}-000"]


@pytest.mark.parametrize(
    ("path", "extra", "digest"),
    [
        ("samples/zoom-chat/from-to-everyone.txt", {}, "b6ce7d00e0c3fe649f4fd404f3795c2947a65d76"),
        (
            "samples/zoom-chat/from-to-everyone.txt",
            {"skip_private_messages": True},
            "84b2209e15e8d045c6aa13f78976dbe217519fd6",
        ),
        ("samples/zoom-chat/legacy-private.txt", {}, "16422d749d5899de573d179dc06b446f9903ab10"),
    ],
)
def test_chat_keys_are_pinned(
    path: str, extra: dict[str, object], digest: str, in_repo: Path
) -> None:
    """Text conversations have no client_session_id on the wire, but the ledger knows them by
    key: a changed key would send a chat a second time."""
    conversion = convert(path, ConvertOptions(extra=extra))
    assert [c.key for c in conversion.conversations] == [f"omi-import-{digest}-000"]


class _FixedAudio(AudioAdapter):
    """The audio adapter with the models replaced by a fixed result (the key never sees them)."""

    def parse(self, source: Source, options: ParseOptions) -> Transcript:
        return Transcript((Segment("Hello there.", 0, 1500, "SPEAKER_00"),), format="audio")


@pytest.mark.parametrize(
    ("extra", "digest"),
    [
        ({}, "f82a2b7236a454269cd192a6baee5c530227e029"),
        (
            {"whisper_model": "builtin", "diarization_model": "builtin"},
            "c28e11c7ddc0531877ce74b34cfb59bd454f0d21",
        ),
        ({"diarize": False}, "bc05c42e24bdcdde0955648836468b95286946da"),
        (
            {"num_speakers": 2, "beam_size": 5, "diarization_step": 0.5},
            "5191b2ac11523131e56370a0ea037c6871de15a9",
        ),
    ],
)
def test_audio_keys_are_pinned(extra: dict[str, object], digest: str, in_repo: Path) -> None:
    """A recording's key is its content, the adapter and the audio flags the user set."""
    registry = Registry([_FixedAudio()])
    conversion = convert(
        "samples/audio/standup.ogg", ConvertOptions(extra=extra), registry=registry
    )
    assert [c.key for c in conversion.conversations] == [f"omi-import-{digest}-000"]


def long_srt() -> str:
    """1,200 cues, two speakers: three conversations of at most 500 segments."""
    cues = []
    for i in range(1200):
        s = i * 3
        t = f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"
        cues.append(
            f"{i + 1}\n{t},000 --> {t},900\n{'Ana' if i % 2 else 'Ben'}: line number {i}.\n"
        )
    return "\n".join(cues)


def test_keys_of_a_long_file_are_pinned(tmp_path: Path) -> None:
    """Each chunk of a long transcript has its own key: the digest and the chunk's index."""
    path = tmp_path / "long.srt"
    path.write_text(long_srt())
    assert hashlib.sha256(path.read_bytes()).hexdigest() == (
        "dcad36ad701d1eda7edf28a05c9bd5e25cbbac920250202cb90fbb98a741b38f"
    )
    conversion = convert(path, ConvertOptions(normalize=NormalizeOptions(merge=False)))
    digest = "dda5f5aa89ea0a47170a7722558a818cc8ca7326"
    assert [c.key for c in conversion.conversations] == [
        f"omi-import-{digest}-000",
        f"omi-import-{digest}-001",
        f"omi-import-{digest}-002",
    ]


#: Keys of options added after 0.1.0, pinned from the release that first sent them.
LATER_KEYS = [
    # 0.2.0: names kept out of the segment text (the default keeps them, and its key is 0.1.0's).
    ([VTT, "--no-names-in-text"], "175a9f0db510c83f3bdaabca0142508be5acf10e"),
]


@pytest.mark.parametrize(("args", "digest"), LATER_KEYS, ids=lambda v: str(v)[-40:])
def test_keys_of_later_options_are_pinned(args: list[str], digest: str, in_repo: Path) -> None:
    result = CliRunner().invoke(cli, ["convert", *args])
    assert result.exit_code == 0, result.output
    bodies = json.loads(result.stdout)["conversations"]
    assert [b["client_session_id"] for b in bodies] == [f"omi-import-{digest}-000"]


def test_the_new_default_source_is_sent_under_the_old_defaults_key(in_repo: Path) -> None:
    """0.1.0 sent `external_integration` by default; the body now says `phone` (full processing
    in every server era) and the key stays the one 0.1.0 sent for the same file."""
    result = CliRunner().invoke(cli, ["convert", VTT])
    body = json.loads(result.stdout)["conversations"][0]
    assert body["source"] == "phone"
    assert body["client_session_id"] == "omi-import-a3e16624de7805fa7c49397a133d41a355e4870c-000"


def test_a_conversation_imported_again_after_a_deletion_gets_the_next_generation(
    in_repo: Path,
) -> None:
    """Generation 0 is the key 0.1.0 sent; generation 1 adds `-g1`, and only that changes."""
    conversation = convert(VTT, ConvertOptions()).conversations[0]
    again = conversation.at_generation(1)
    assert again.key == "omi-import-a3e16624de7805fa7c49397a133d41a355e4870c-000-g1"
    assert json.loads(again.json)["client_session_id"] == again.key
    same = {k: v for k, v in json.loads(again.json).items() if k != "client_session_id"}
    assert same == {
        k: v for k, v in json.loads(conversation.json).items() if k != "client_session_id"
    }
    assert again.at_generation(0).key == conversation.key
    assert again.at_generation(2).key.endswith("-000-g2")


#: The bytes the keys above were made from: a changed sample is a new file with new keys, so a
#: failure here (not in the key tests) means the sample, not the key derivation, changed.
SAMPLE_SHA256 = {
    "samples/vtt/team-sync.vtt": "fcad125cc574417f1b96dbe9463572c6c8a498815bb64e1c1d9c42782fa565b5",
    "samples/srt/whisperx-call.srt": (
        "1e525f3e28633dfa9829907850d40e8741c8e87de6ba0bfe1aa42b6869b09ead"
    ),
    "samples/whisperx/shipment-word-speakers.json": (
        "7457cdb52d19b4836ed7a261b9ccb5eff5c3e2e37180f895c52fc3aa83f7df80"
    ),
    "samples/whisper/parking-words-diarized.json": (
        "3db8eff384afbdd8770b4e82c6691c3cd095ca51fe131bf8330e7d60b2bf8c39"
    ),
    "samples/whisper/parking-words-diarized.rttm": (
        "5abfff24e52a756aa2ee2b6442713ac4a94723f8c0d6831d5cdac07cf17d9799"
    ),
    "samples/teams/weekly-standup.vtt": (
        "f4ce363796faa3117dee962666899429331a29b033050f57c343cc042ebfd7a4"
    ),
    "samples/zoom/cloud-recording.transcript.vtt": (
        "ce0901483e45e3bded54c25ea5a94be07258f447831a10ee2d9950b422687a6d"
    ),
    "samples/otter-docx/interview.docx": (
        "a3e1deccc249453da82bc341b3fe11773515f2afdc82df7a1846a483be3480b7"
    ),
    "samples/zoom-captions/last-first-names.txt": (
        "e2caa7fb9d67d45ab0075f09f87b97f44876e56f72695f19397174880564579a"
    ),
    "samples/zoom-chat/from-to-everyone.txt": (
        "c5b53ae6049c12d798276bf1f6fc20243047a9f0803079029cf13b6ce16afb18"
    ),
    "samples/zoom-chat/legacy-private.txt": (
        "c42acb4fbd275e446e8f8d4d3489c2c2bd3ee342a412f337b9ff4c6da7121d41"
    ),
    "samples/audio/standup.ogg": "99a06960b22a2af2b7ced614f2ed11aa66d0381c30cf7291dbdf9727d776484b",
}


@pytest.mark.parametrize(("path", "sha256"), sorted(SAMPLE_SHA256.items()))
def test_the_pinned_samples_are_unchanged(path: str, sha256: str) -> None:
    """The samples behind the pinned keys still hold the bytes the keys were made from."""
    assert hashlib.sha256((REPO / path).read_bytes()).hexdigest() == sha256
