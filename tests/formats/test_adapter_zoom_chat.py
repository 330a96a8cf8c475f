"""Zoom saved chats: every layout, senders, private messages, and the text-endpoint bodies."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

import pytest
from support import text_source

from adapters.zoom_chat import ZoomChatAdapter
from importers.adapter import ParseOptions
from importers.conversion.options import ConvertOptions
from importers.conversion.payload import MAX_TEXT_CHARS, TEXT_ENDPOINT, TextRequest, check_body
from importers.conversion.pipeline import convert
from importers.errors import ParseError
from importers.registry import Registry
from importers.source import Source

ADAPTER = ZoomChatAdapter()
START = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)

LEGACY = (
    "12:45:05\t From  Nora Jones : I can see it : all of it\r\n"
    "14:08:19\t From  Nora Jones  to  Chris Kelly(Privately) : for OneNote\r\n"
    "14:09:00\t From  Neil Young : yes\r\n"
)
TABBED = (
    "08:42:56 Participant33:\tizin bertanya \n"
    "\tperbedaan wsgi sama asgi\n"
    "\n"
    "\tfatal: not a git repository\n"
    "10:34:24 Participant44  to  Host(Direct:\tkemarin *****?\n"
)
NEW = (
    "10:02:33 From Jane Doe to Everyone:\n"
    "\tHello everyone\n"
    "10:03:10 From Jane Doe to Bob Smith (Direct Message):\n"
    "\tsee you\n"
)
CLOUD = "00:58:04\tAlex:\tDepends on your style.\n00:58:20\tWheezy:\tDid you check it?\n"


def parse(text: str, **extra: object) -> list[tuple[str | None, str, int | None]]:
    t = ADAPTER.parse(text_source(text), ParseOptions(extra=extra))
    assert t.kind == "messages"
    return [(s.speaker, s.text, s.start_ms) for s in t.segments]


def test_legacy_layout_sender_of_private_message() -> None:
    assert parse(LEGACY) == [
        ("Nora Jones", "I can see it : all of it", 0),
        ("Nora Jones", "(privately to Chris Kelly) for OneNote", 4_994_000),
        ("Neil Young", "yes", 5_035_000),
    ]


def test_tabbed_layout_continuations_and_direct_messages() -> None:
    assert parse(TABBED) == [
        (
            "Participant33",
            "izin bertanya\nperbedaan wsgi sama asgi\n\nfatal: not a git repository",
            0,
        ),
        ("Participant44", "(privately to Host) kemarin *****?", 6_688_000),
    ]


def test_2022_layout() -> None:
    assert parse(NEW) == [
        ("Jane Doe", "Hello everyone", 0),
        ("Jane Doe", "(privately to Bob Smith) see you", 37_000),
    ]


def test_cloud_recording_layout() -> None:
    assert [s for s, _, _ in parse(CLOUD)] == ["Alex", "Wheezy"]


def test_private_messages_can_be_skipped_and_are_reported() -> None:
    t = ADAPTER.parse(text_source(LEGACY), ParseOptions(extra={"skip_private_messages": True}))
    assert [s.text for s in t.segments] == ["I can see it : all of it", "yes"]
    assert [(r.reason, r.line) for r in t.repairs] == [("private_message_skipped", 2)]


def test_kept_private_messages_are_reported() -> None:
    t = ADAPTER.parse(text_source(LEGACY), ParseOptions())
    assert [(r.reason, r.line) for r in t.repairs] == [("private_message_kept", 2)]


def test_text_before_first_message_is_an_error() -> None:
    with pytest.raises(ParseError):
        ADAPTER.parse(text_source("hello\n" + LEGACY), ParseOptions())


@pytest.mark.parametrize("text", [LEGACY, TABBED, NEW, CLOUD])
def test_sniff_accepts_every_layout(text: str) -> None:
    assert ADAPTER.sniff(text_source(text))


@pytest.mark.parametrize(
    "text",
    ["[A] 10:00:00\nhi\n", "Dora  00:03\nhello\n", "10:00:00 just a line\n", "99:00:00\tA:\tx\n"],
)
def test_sniff_rejects(text: str) -> None:
    assert not ADAPTER.sniff(text_source(text))


def chat_file(tmp_path: object, text: str) -> object:
    path = tmp_path / "meeting_saved_chat.txt"  # type: ignore[operator]
    path.write_text(text, encoding="utf-8")
    return path


def convert_chat(path: object, **kw: object) -> list[TextRequest]:
    options = ConvertOptions(started_at=START, **kw)  # type: ignore[arg-type]
    result = convert(path, options, registry=Registry([ADAPTER]))  # type: ignore[arg-type]
    bodies = [c.body for c in result.conversations]
    assert all(isinstance(b, TextRequest) for b in bodies)
    assert all(c.endpoint == TEXT_ENDPOINT for c in result.conversations)
    return bodies  # type: ignore[return-value]


def test_chat_becomes_one_text_body(tmp_path: object) -> None:
    (body,) = convert_chat(chat_file(tmp_path, LEGACY))
    data = json.loads(body.model_dump_json())
    assert data["text_source"] == "message"
    assert data["text_source_spec"] == "zoom_chat"
    assert 1 <= len(body.text) <= MAX_TEXT_CHARS
    assert body.text.splitlines() == [
        "[09:00:00] Nora Jones: I can see it : all of it",
        "[10:23:14] Nora Jones: (privately to Chris Kelly) for OneNote",
        "[10:23:55] Neil Young: yes",
    ]
    assert body.started_at == START
    assert body.finished_at > body.started_at
    assert not check_body(body, len(body.model_dump_json().encode()))


def test_long_chat_splits_below_the_limit_and_loses_nothing(tmp_path: object) -> None:
    word = "lorem ipsum dolor sit amet " * 40  # ~1,080 characters a message
    lines = [
        f"{10 + i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}\t From  P{i % 7} : {word}{i}"
        for i in range(300)
    ]
    bodies = convert_chat(chat_file(tmp_path, "\n".join(lines) + "\n"))
    assert len(bodies) == 4
    for body in bodies:
        assert 1 <= len(body.text) <= MAX_TEXT_CHARS
        assert body.text_source == "message"
        assert body.text_source_spec == "zoom_chat"
    messages = [line for b in bodies for line in b.text.split("\n")]
    assert len(messages) == 300
    assert [m.rsplit(" ", 1)[1] for m in messages] == [str(i) for i in range(300)]
    starts = [b.started_at for b in bodies]
    assert starts == sorted(starts)
    assert starts[0] == START


def test_one_message_over_the_limit_is_cut_not_truncated(tmp_path: object) -> None:
    huge = "x" * (MAX_TEXT_CHARS + 5_000)
    bodies = convert_chat(
        chat_file(tmp_path, f"10:00:00\t From  Ann : {huge}\n10:00:05\t From  Bo : ok\n")
    )
    assert all(1 <= len(b.text) <= MAX_TEXT_CHARS for b in bodies)
    joined = "".join(b.text for b in bodies)
    assert joined.count("x") == len(huge)
    assert bodies[-1].text.endswith("Bo: ok")


def test_typed_markup_is_text_in_chats(tmp_path: object) -> None:
    (body,) = convert_chat(
        chat_file(tmp_path, "10:00:00\t From  Ann : is x<y and y>z? &amp; <b>bold</b>\n")
    )
    assert body.text.endswith("Ann: is x<y and y>z? &amp; <b>bold</b>")


@pytest.mark.parametrize(
    "name",
    ["GMT00010101-000000_RecordingnewChat.txt", "GMT99991231-235959_RecordingnewChat.txt"],
)
def test_a_recording_name_outside_the_date_range_is_no_start(tmp_path: object, name: str) -> None:
    """Such a name is not Zoom's (it once overflowed in the user's zone: a traceback): the
    chat converts as any other chat, its times of day on the file's date."""
    path = tmp_path / name  # type: ignore[operator]
    path.write_text(CLOUD, encoding="utf-8")
    when = datetime(2026, 3, 2, 12, 0, tzinfo=UTC).timestamp()
    os.utime(path, (when, when))
    zone = ZoneInfo("America/New_York")
    (conversation,) = convert(path, ConvertOptions(timezone=zone)).conversations
    assert conversation.body.started_at == datetime(2026, 3, 2, 0, 58, 4, tzinfo=zone)


def test_cloud_recording_chat_times_are_offsets_from_the_named_start(tmp_path: object) -> None:
    """GMT20230720-130043_RecordingnewChat.txt: 13:00:43 UTC + 00:58:04 is 13:58:47 UTC."""
    path = tmp_path / "GMT20230720-130043_RecordingnewChat.txt"  # type: ignore[operator]
    path.write_text(CLOUD, encoding="utf-8")
    source = Source.from_path(path)
    t = ADAPTER.parse(source, ParseOptions(timezone=ZoneInfo("Europe/Berlin")))
    assert [(s.speaker, s.start_ms) for s in t.segments] == [
        ("Alex", 3_484_000),
        ("Wheezy", 3_500_000),
    ]
    assert t.started_at == datetime(2023, 7, 20, 13, 0, 43, tzinfo=UTC)
    assert t.started_at.utcoffset() == timedelta(hours=2)  # shown on the user's clock
    result = convert(path, ConvertOptions(timezone=ZoneInfo("Europe/Berlin")))
    (conversation,) = result.conversations
    body = conversation.body
    assert isinstance(body, TextRequest)
    assert result.started_at_source == "input"
    assert body.text.splitlines() == [
        "[15:58:47] Alex: Depends on your style.",
        "[15:59:03] Wheezy: Did you check it?",
    ]
    assert body.started_at == datetime(2023, 7, 20, 13, 58, 47, tzinfo=UTC)


@pytest.mark.parametrize(
    "name",
    [
        "GMT20231345-130043_Recording.txt",
        "meeting_saved_chat.txt",
        "xGMT20230720-130043_Recording.txt",
    ],
)
def test_other_chat_names_keep_times_of_day(tmp_path: object, name: str) -> None:
    """Without Zoom's cloud-recording name (or with an impossible date) times are times of day."""
    path = tmp_path / name  # type: ignore[operator]
    path.write_text(CLOUD, encoding="utf-8")
    t = ADAPTER.parse(Source.from_path(path), ParseOptions(timezone=UTC))
    assert [s.start_ms for s in t.segments] == [0, 16_000]
    assert t.started_at is not None and t.started_at.time() == clock(0, 58, 4)


@pytest.mark.parametrize(
    "line",
    [
        "10:02:33 From Jane" + " " * 100_000 + "x to Bob:",  # "\s+to\s+" from every space
        "10:02:33 From Jane to Bob" + " " * 100_000 + "x:",  # ".*?\s*\(" in the recipient
        "10:02:33 From Jane to Bob" + "(" * 50_000 + ")x:",
        "12:45:05\t From  Jane  to  Bob" + " " * 100_000 + "x : hi",
    ],
)
def test_senders_and_recipients_are_read_in_linear_time(line: str) -> None:
    started = time.perf_counter()
    parse(f"{line}\n\tmessage\n")
    assert time.perf_counter() - started < 1


def test_the_private_mark_is_the_last_parenthesis() -> None:
    assert parse("10:03:10 From Jane Doe to Bob (Dev) (Direct Message):\n\tsee you\n") == [
        ("Jane Doe", "(privately to Bob (Dev)) see you", 0)
    ]
