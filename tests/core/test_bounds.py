"""The one range of times and dates (importers.bounds), and every place an input meets it."""

from __future__ import annotations

import os
import time
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from fake_adapters import ChatAdapter, TalkAdapter

from adapters.wallclock import zoom_folder_time
from importers.adapter import ParseOptions
from importers.bounds import (
    MAX_OFFSET_MS,
    check_offset_ms,
    end_in_range,
    field_value,
    in_range,
    seconds_to_ms,
)
from importers.conversion.options import ConvertOptions, parse_period
from importers.conversion.pipeline import Conversion, convert
from importers.errors import ConfigError, ImporterError, InputError, ParseError, PayloadError
from importers.model import Transcript
from importers.registry import Registry
from importers.source import Source

UTC_OPTIONS = {"timezone": "UTC"}


def convert_text(tmp_path: Path, name: str, text: str, **flags: object) -> Conversion:
    path = tmp_path / name
    path.write_text(text)
    return convert(path, ConvertOptions.from_flags(**{**UTC_OPTIONS, **flags}))  # type: ignore[arg-type]


def error_of(tmp_path: Path, name: str, text: str, **flags: object) -> str:
    with pytest.raises(ImporterError) as info:
        convert_text(tmp_path, name, text, **flags)
    return str(info.value).replace(f"{tmp_path}/", "")


def test_the_media_time_range() -> None:
    """10,000 hours either way: 9999:59:59.999 (HLS-style hours) is in, a millisecond more out."""
    assert check_offset_ms(MAX_OFFSET_MS, "t") == MAX_OFFSET_MS
    assert check_offset_ms(-MAX_OFFSET_MS, "t") == -MAX_OFFSET_MS
    with pytest.raises(ParseError, match=r"^<input>: t is out of range \(times must be within 10,"):
        check_offset_ms(MAX_OFFSET_MS + 1, "t")


@pytest.mark.parametrize(
    ("value", "ms"),
    [(1.5, 1500), (0.0005, 0), (Decimal("0.0005"), 0), (Decimal("0.0015"), 2), (36_000_000, 36e9)],
)
def test_seconds_to_ms_rounds_as_before(value: float | Decimal, ms: float) -> None:
    """Floats by round(), RTTM Decimals half to even: the values earlier releases produced."""
    assert seconds_to_ms(value, "t") == ms


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (1e16, "t is out of range"),
        (1e308, "t is out of range"),
        (-1e308, "t is out of range"),
        (10**400, "t is out of range"),
        (float("nan"), "t is not a finite number (nan)"),
        (float("inf"), "t is not a finite number (inf)"),
        (Decimal("1e999999999"), "t is out of range"),
        (Decimal("NaN"), "t is not a finite number (NaN)"),
        (Decimal("-Infinity"), "t is not a finite number (-Infinity)"),
    ],
)
def test_seconds_beyond_the_range_are_refused_before_any_arithmetic(
    value: float | Decimal, reason: str
) -> None:
    started = time.perf_counter()
    with pytest.raises(ParseError) as info:
        seconds_to_ms(value, "t", line=4)
    assert str(info.value).startswith(f"<input>:4: {reason}")
    assert time.perf_counter() - started < 0.5  # Decimal("1e999999999") * 1000 took 32 s


def test_a_clock_field_of_thousands_of_digits_is_out_of_range_without_int() -> None:
    """int() refuses more than 4,300 digits; leading zeros are still a small number."""
    assert field_value("0" * 5000 + "7", "t") == 7
    with pytest.raises(ParseError, match="out of range"):
        field_value("9" * 5000, "t")


def test_the_datetime_range() -> None:
    assert in_range(datetime(1970, 1, 1, tzinfo=UTC))
    assert in_range(datetime(2200, 1, 1, tzinfo=UTC))
    assert in_range(datetime(2026, 3, 2, 10, 0))  # naive: taken as UTC
    assert not in_range(datetime(1969, 12, 31, 23, 59, tzinfo=UTC))
    assert not in_range(datetime(1, 1, 1, 0, 30))
    assert not in_range(datetime(9999, 12, 31, 23, 59, 59))
    assert end_in_range(datetime(2199, 12, 31, 23, 0, tzinfo=UTC), 3_600_000)
    assert not end_in_range(datetime(2199, 12, 31, 23, 0, tzinfo=UTC), 3_600_001)
    assert not end_in_range(datetime(2026, 1, 1, tzinfo=UTC), 10**30)  # no OverflowError


SRT_OK = "1\n00:00:01,000 --> 00:00:02,000\nhello\n\n"


@pytest.mark.parametrize(
    ("name", "text", "error"),
    [
        (
            "a.srt",
            SRT_OK + "2\n99999999:99:99,999 --> 99999999:99:99,999\nhi\n",
            "a.srt:6: cue start is out of range (times must be within 10,000 hours): "
            "'99999999:99:99,999 --> 99999999:99:99,999'",
        ),
        (
            "b.srt",
            SRT_OK + f"2\n00:00:03,000 --> {'9' * 5000}:00:00,000\nhi\n",
            "b.srt:6: cue end is out of range (times must be within 10,000 hours): "
            "'00:00:03,000 --> 9999999999999999999999999999999999999999...'",
        ),
        (
            "c.vtt",
            "WEBVTT\n\n9999999999:00:00.000 --> 9999999999:00:01.000\nhi\n",
            "c.vtt:3: cue start is out of range (times must be within 10,000 hours): "
            "'9999999999:00:00.000 --> 9999999999:00:01.000'",
        ),
        (
            "d.json",
            '{"segments": [{"start": 1e16, "end": 1e16, "text": "x", "speaker": "A"}]}',
            "d.json: segment 0: start is out of range (times must be within 10,000 hours)",
        ),
        (
            "e.json",
            '{"segments": [{"start": 1, "end": 2, "text": "x", "speaker": "A", '
            '"words": [{"word": "x", "start": 1, "end": 1e308}]}]}',
            "e.json: segment 0: word end is out of range (times must be within 10,000 hours)",
        ),
    ],
)
def test_media_times_out_of_range_name_the_file_and_line(
    tmp_path: Path, name: str, text: str, error: str
) -> None:
    assert error_of(tmp_path, name, text) == error


def test_the_largest_times_in_range_still_convert(tmp_path: Path) -> None:
    """Four-digit hours (HLS cue times count from the stream's start) read on both VTT paths."""
    last = (9999 * 3600 + 59 * 60 + 58) * 1000
    for name, text in [
        ("hls.vtt", "WEBVTT\n\n9999:59:58.000 --> 9999:59:59.999\nhi\n"),
        ("hls.srt", "1\n9999:59:58,000 --> 9999:59:59,999\nhi\n"),
    ]:
        (turn,) = convert_text(tmp_path, name, text).normalized.turns
        assert (turn.start_ms, turn.end_ms) == (last, last + 1999)


WHISPER = (
    '{"text": "x", "segments": [{"id": 0, "seek": 0, "start": 0.0, "end": 2.0, "text": "hi", '
    '"tokens": [1]}]}'
)


@pytest.mark.parametrize(
    ("rttm", "error"),
    [
        ("1e999999999 1", "--diarization turns.rttm:1: RTTM start is out of range"),
        ("0 1e999999999", "--diarization turns.rttm:1: RTTM duration is out of range"),
        ("NaN 1", "--diarization turns.rttm:1: RTTM start is not a finite number (NaN)"),
        ("0 Infinity", "--diarization turns.rttm:1: RTTM duration is not a finite number"),
        (f"{'9' * 5000} 1", "--diarization turns.rttm:1: RTTM start is out of range"),
        ("35999999 3600", "--diarization turns.rttm:1: RTTM turn end is out of range"),
    ],
)
def test_rttm_times_out_of_range(tmp_path: Path, rttm: str, error: str) -> None:
    (tmp_path / "turns.rttm").write_text(f"SPEAKER t 1 {rttm} <NA> <NA> A <NA> <NA>\n")
    started = time.perf_counter()
    with pytest.raises(ConfigError) as info:
        ConvertOptions.from_flags(diarization=tmp_path / "turns.rttm")
    assert str(info.value).replace(f"{tmp_path}/", "").startswith(error)
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize(
    ("started_at", "error"),
    [
        ("0001-01-01", "--started-at '0001-01-01' is outside 1970-01-01 to 2200-01-01"),
        ("9999-12-31T23:59:59", "--started-at '9999-12-31T23:59:59' is outside 1970-01-01 to "
         "2200-01-01"),
        ("1969-12-31T23:00:00+00:00", "--started-at '1969-12-31T23:00:00+00:00' is outside "
         "1970-01-01 to 2200-01-01"),
    ],
)  # fmt: skip
def test_started_at_out_of_range_is_a_config_error(started_at: str, error: str) -> None:
    with pytest.raises(ConfigError) as info:
        ConvertOptions.from_flags(started_at=started_at)
    assert str(info.value) == error


@pytest.mark.parametrize(
    ("since", "until", "error"),
    [
        ("0001-01-01", None, "--since '0001-01-01' is outside 1970-01-01 to 2200-01-01"),
        (None, "2300-01-01T00:00", "--until '2300-01-01T00:00' is outside 1970-01-01 to "
         "2200-01-01"),
    ],
)  # fmt: skip
def test_a_period_out_of_range_names_its_own_option(
    since: str | None, until: str | None, error: str
) -> None:
    with pytest.raises(ConfigError) as info:
        parse_period(since, until)
    assert str(info.value) == error


def test_a_conversation_may_not_end_past_the_range(tmp_path: Path) -> None:
    """started_at in range, but started_at + the last cue's end is not: refused, not sent."""
    error = error_of(
        tmp_path,
        "late.srt",
        "1\n00:00:01,000 --> 00:02:00,000\nhello\n",
        started_at="2199-12-31T23:59:00+00:00",
    )
    assert error == (
        "late.srt: starts 2199-12-31T23:59:00+00:00 and lasts 0.0 hours, so it would end "
        "outside 1970-01-01 to 2200-01-01"
    )


@pytest.mark.parametrize(
    "folder", ["0001-01-01 00.30.00 x", "9999-12-31 23.59.59 x", "1969-12-31 23.00.00 x"]
)
def test_a_zoom_folder_dated_outside_the_range_is_no_zoom_folder(
    tmp_path: Path, folder: str
) -> None:
    """Its captions are dated from the file's mtime instead (no OverflowError a day later)."""
    assert zoom_folder_time(Path(folder)) is None
    captions = tmp_path / folder / "meeting_saved_closed_caption.txt"
    captions.parent.mkdir()
    captions.write_text("[Ana] 23:59:59\nhello\n\n[Bo] 00:00:05\nhi\n")
    os.utime(captions, (0, datetime(2026, 3, 3, 9, tzinfo=UTC).timestamp()))
    result = convert(captions, ConvertOptions.from_flags(timezone="UTC"))
    assert result.started_at_source == "input"
    assert result.conversations[0].body.started_at == datetime(2026, 3, 2, 23, 59, 59, tzinfo=UTC)


def test_a_plugin_start_time_out_of_range_is_an_input_error(tmp_path: Path) -> None:
    """A plugin may return any datetime: the pipeline checks it before zones are applied."""

    class AncientTalk(TalkAdapter):
        name = "ancient"

        def parse(self, source: Source, options: ParseOptions) -> Transcript:
            return replace(super().parse(source, options), started_at=datetime(1, 1, 1, 0, 30))

    path = tmp_path / "a.talk"
    path.write_text("A|0|1|hello\n")
    registry = Registry([AncientTalk()])
    with pytest.raises(InputError) as info:
        convert(path, ConvertOptions.from_flags(registry=registry), registry=registry)
    assert str(info.value) == (
        f"{path}: the start time the file gives 0001-01-01T00:30:00 is outside 1970-01-01 to "
        "2200-01-01"
    )


@pytest.mark.parametrize("adapter", [TalkAdapter(), ChatAdapter()])
def test_plugin_times_out_of_range_are_a_payload_error(tmp_path: Path, adapter: object) -> None:
    """Times a plugin computed itself: the body's dates are checked where offsets are added."""
    path = tmp_path / ("a.talk" if isinstance(adapter, TalkAdapter) else "a.chatlog")
    path.write_text("A|1e13|2e13|hello\n" if isinstance(adapter, TalkAdapter) else "A|1e13|hi\n")
    registry = Registry([adapter])  # type: ignore[list-item]
    options = ConvertOptions.from_flags(registry=registry, started_at="2026-01-01T00:00:00Z")
    with pytest.raises(PayloadError, match="so it would end outside 1970-01-01 to 2200-01-01"):
        convert(path, options, registry=registry)


@pytest.mark.parametrize(("flag", "value"), [("max_pause", float("inf")), ("max_turn", 1e308),
                                             ("max_pause", float("nan"))])  # fmt: skip
def test_durations_must_be_finite_and_in_range(flag: str, value: float) -> None:
    with pytest.raises(ConfigError, match=r"^--max-(pause|turn) must be 0 to 10,000 hours"):
        ConvertOptions.from_flags(**{flag: value})  # type: ignore[arg-type]
