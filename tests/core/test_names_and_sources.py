"""What Omi gets to keep: a source that gets its full processing, and the speakers' names.

server-behavior.md: segment uploads sent as `external_integration` or `workflow` fail on servers
before September 2026 and get no memories after; `desktop` may stay deferred. Omi shows
`Speaker N` for a segment that is neither the owner nor a person, so a name the source gave is
kept in the text, as Omi's own transcript importer does.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fake_omi import FakeOmi
from uploading import env_for, omi

from importers.cli import cli
from importers.conversion.options import ConvertOptions
from importers.conversion.pipeline import convert
from importers.errors import ConfigError
from importers.names import is_generic, is_me, with_name

VTT = "samples/vtt/team-sync.vtt"  # Priya Raman and Tomás Ortega


@pytest.mark.parametrize("source", ["external_integration", "workflow", "desktop"])
def test_a_source_that_loses_omis_processing_is_refused_before_any_request(
    source: str, tmp_path: Path
) -> None:
    with FakeOmi() as fake:
        env = env_for(tmp_path, base_url=fake.url)
        env["OMI_IMPORT_STATE"] = str(tmp_path / "state")
        done = omi(["import", str(Path(VTT).resolve()), "--source", source], env)
        assert done.returncode == 2
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1
        assert lines[0].startswith(f"Error: --source {source} is refused: ")
        assert "leave --source out" in lines[0]
        assert fake.requests == []
    with pytest.raises(ConfigError, match="is refused"):
        ConvertOptions(source=source)


def test_an_unknown_source_is_refused_by_the_library_too() -> None:
    with pytest.raises(ConfigError, match="none of Omi's sources"):
        ConvertOptions(source="fax")


def test_segments_go_as_phone_unless_told(in_repo: Path) -> None:
    assert json.loads(convert(VTT).conversations[0].json)["source"] == "phone"
    told = convert(VTT, ConvertOptions(source="omi")).conversations[0]
    assert json.loads(told.json)["source"] == "omi"


@pytest.mark.parametrize(
    ("name", "label", "me", "expected"),
    [
        ("Ana Lima", "SPEAKER_00", ["Ana Lima"], True),
        ("ana  LIMA", "SPEAKER_00", ["Ana Lima"], True),  # casefold, whitespace
        ("Ana", "SPEAKER_00", ["Ana Lima"], True),  # the first name alone
        ("Ana Lima", "SPEAKER_00", ["Ana"], False),  # not the other way round
        ("Anabel", "SPEAKER_00", ["Ana Lima"], False),
        ("Lima", "SPEAKER_00", ["Ana Lima"], False),
        (None, "SPEAKER_01", ["speaker_01"], True),  # a label
        ("Bo", "SPEAKER_01", ["SPEAKER_00"], False),
        ("Bo", "SPEAKER_01", [" "], False),
    ],
)
def test_me_matches_as_omi_matches_the_owner(
    name: str | None, label: str, me: list[str], expected: bool
) -> None:
    assert is_me(name, label, me) is expected


@pytest.mark.parametrize(
    "label",
    [
        "Speaker 2",
        "SPEAKER_01",
        "spk_0",
        "Speaker A",
        "Channel 1",
        "participant3",
        "参加者1",
        "话者 2",
    ],
)
def test_numbered_labels_are_no_names(label: str) -> None:
    assert is_generic(label)
    assert with_name("Hello.", label) == "Hello."


@pytest.mark.parametrize(
    "name", ["Priya Raman", "Interviewer", "Dr. Ade Okafor", "司会", "Speakers"]
)
def test_names_are_kept_in_the_text(name: str) -> None:
    assert not is_generic(name)
    assert with_name("Hello.", name) == f"{name}: Hello."


def texts(options: ConvertOptions) -> list[tuple[str, bool, str | None]]:
    body = json.loads(convert(VTT, options).conversations[0].json)
    return [(s["text"], s["is_user"], s["person_id"]) for s in body["transcript_segments"]]


def test_only_names_omi_cannot_show_enter_the_text(in_repo: Path, tmp_path: Path) -> None:
    """You (`--me`) and a person (`--people`) are shown by Omi by name: their text stays as it
    is. Everyone else's segments say who spoke; `--no-names-in-text` keeps every text bare."""
    plain = texts(ConvertOptions(names_in_text=False))
    named = texts(ConvertOptions())
    assert [t for t, _, _ in named] == [
        f"{'Priya Raman' if i % 2 == 0 else 'Tomás Ortega'}: {t}"
        for i, (t, _, _) in enumerate(plain)
    ]
    people = tmp_path / "people.json"
    people.write_text('{"tomás ortega": "person_7"}')
    both = ConvertOptions.from_flags(me=["priya  raman"], people=people)
    mapped = texts(both)
    assert mapped == [
        (t, i % 2 == 0, None if i % 2 == 0 else "person_7") for i, (t, _, _) in enumerate(plain)
    ]


def test_the_first_name_alone_is_you_and_not_reported_unmatched(tmp_path: Path) -> None:
    vtt = tmp_path / "call.vtt"
    vtt.write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Ana>Hello, this is Ana.</v>\n\n"
        "00:00:04.000 --> 00:00:06.000\n<v Bo Chen>Hi Ana, Bo here.</v>\n"
    )
    conversion = convert(vtt, ConvertOptions.from_flags(me=["Ana Lima"]))
    assert conversion.normalized.unmatched == ()
    assert [t.is_user for t in conversion.normalized.turns] == [True, False]
    missing = convert(vtt, ConvertOptions.from_flags(me=["Lima"]))
    assert missing.normalized.unmatched == ("Lima",)
    assert not any(t.is_user for t in missing.normalized.turns)


def test_the_flag_is_on_the_command_line(in_repo: Path) -> None:
    result = CliRunner().invoke(cli, ["convert", VTT, "--no-names-in-text"])
    assert result.exit_code == 0, result.output
    first = json.loads(result.stdout)["conversations"][0]["transcript_segments"][0]["text"]
    assert not first.startswith("Priya Raman:")
