"""Zoom saved chats (``meeting_saved_chat.txt``, ``chat.txt``): messages, not speech.

The layouts Zoom has written over the years, detected from the first line::

    12:45:05	 From  Nora Jones : I can see it          legacy (TAB, "From", double spaces)
    14:08:19	 From  Nora Jones  to  Kim(Privately) : hi

    08:02:35 Host:	Yang mau request lagu            2020-2022 local (TAB after the colon;
        more lines of the same message                continuation lines start with a TAB)
    10:34:24 Participant44  to  Host(Direct:	...

    00:58:04	Alex:	Depends on your style            cloud recording chat.txt

    10:02:33 From Jane Doe to Everyone:              2022+ ("new meeting chat experience"):
        Hello everyone                                the message on indented lines below
    10:03:10 From Jane Doe to Bob (Direct Message):
        see you

Every message with text becomes one Segment whose speaker is the *sender* (for ``X to Y`` that
is X). The Transcript's kind is ``"messages"``: the pipeline sends it to the text endpoint.

Private and direct messages are kept but marked: the text starts ``(privately to Y)`` and each is
reported (``private_message_kept``). A saved chat only ever holds the private messages its owner
sent or received, and the conversation goes into that same person's Omi account, so keeping them
loses nothing and exposes nothing to anyone else; the mark keeps an AI summary from presenting a
private remark as said to the room. ``--skip-private`` (this adapter's option:
``extra["skip_private_messages"]``)
leaves them out instead, each reported as ``private_message_skipped``.

Times are wall-clock, handled like the captions' (see :mod:`adapters.wallclock`), except in the
chat of a *cloud recording*: Zoom names it ``GMT<yyyymmdd>-<hhmmss>_Recording.txt`` (since 2021
``..._RecordingnewChat.txt``), the recording's start in UTC, and its times are offsets from
that start (``00:26:59`` is 27 minutes in), not times of day. There the file name gives the
start and each message keeps its offset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import ClassVar

from adapters.wallclock import meeting_started_at, name_time, offsets_ms, parse_time_of_day
from importers.adapter import Adapter, AdapterOption, ParseOptions
from importers.errors import ParseError
from importers.model import Repair, Segment, Transcript
from importers.source import Source

_T = r"(?P<time>\d{1,2}:\d{2}:\d{2})"
#: name -> header regex. ``who`` is the sender, possibly ``X  to  Y(...)``.
LAYOUTS: dict[str, re.Pattern[str]] = {
    "legacy": re.compile(_T + r"\t ?From  ?(?P<who>.+?) :(?: (?P<text>.*))?$"),
    "new": re.compile(_T + r"[ \t]From (?P<who>.+?):[ \t]*$"),
    "tabbed": re.compile(_T + r"[ \t](?P<who>[^\t]+?):\t(?P<text>.*)$"),
}
#: A cloud recording's chat: ``GMT20230720-130043_RecordingnewChat.txt`` (start in UTC).
CLOUD_RECORDING = re.compile(r"^GMT(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})_Recording")
_EVERYONE = re.compile(r"^everyone\b", re.IGNORECASE)
# The name ends in a non-space and the parenthesis holds none: each run of spaces and each "("
# is tried once, so a long line takes linear time (".*?\s*" was quadratic in a run of spaces).
_RECIPIENT = re.compile(r"^(?P<name>(?:.*?\S)?)\s*\((?P<how>[^()]*)\)?\s*$")
# Starts where a run of whitespace starts, for the same reason.
_TO_NEW = re.compile(r"(?<!\s)\s+to\s+")
_TO = re.compile(r" {1,2}to {1,2}")


@dataclass
class _Message:
    seconds: int
    line: int
    sender: str
    recipient: str | None
    lines: list[str] = field(default_factory=list)


def _split_who(who: str, layout: str) -> tuple[str, str | None]:
    """``X  to  Y(Privately)`` -> ("X", "Y"); ``X to Everyone`` -> ("X", None)."""
    sep = _TO_NEW if layout == "new" else _TO
    parts = sep.split(who.strip(), maxsplit=1) if " to " in who else [who]
    if len(parts) != 2 or not parts[0].strip():
        return who.strip(), None
    sender, recipient = parts[0].strip(), parts[1].strip()
    if _EVERYONE.match(recipient):
        return sender, None
    m = _RECIPIENT.match(recipient)
    if m and re.search(r"privately|direct", m.group("how"), re.IGNORECASE):
        recipient = m.group("name").strip()
    return sender, recipient or "someone"


def recording_start(name: str) -> datetime | None:
    """The UTC start a cloud recording's file name gives, or None for other names."""
    m = CLOUD_RECORDING.match(name)
    return None if m is None else name_time(m, UTC)


def _layout(text: str) -> str | None:
    for line in text.split("\n", 40):
        if line.strip():
            for name, pattern in LAYOUTS.items():
                m = pattern.match(line.rstrip())
                if m and parse_time_of_day(m.group("time")) is not None:
                    return name
            return None
    return None


#: Where the messages come from, as the text endpoint's ``text_source_spec`` says it.
TEXT_SOURCE_SPEC = "zoom_chat"
SKIP_PRIVATE = "skip_private_messages"


class ZoomChatAdapter(Adapter):
    name = "zoom-chat"
    extensions = (".txt",)
    description = "Zoom saved chat (meeting_saved_chat.txt, chat.txt), sent as text messages"
    options: ClassVar[tuple[AdapterOption, ...]] = (
        AdapterOption(
            "--skip-private",
            SKIP_PRIVATE,
            "Zoom chats: leave private/direct messages out (default: keep them, marked).",
            flag_value=True,
        ),
    )

    def sniff(self, source: Source) -> bool:
        return _layout(source.head) is not None

    def parse(self, source: Source, options: ParseOptions) -> Transcript:
        layout = _layout(source.text)
        if layout is None:
            raise ParseError(
                "first line is not a Zoom chat message (HH:MM:SS ... Name: text)", line=1
            )
        pattern = LAYOUTS[layout]
        messages: list[_Message] = []
        for number, line in enumerate(source.lines, start=1):
            m = pattern.match(line.rstrip())
            seconds = parse_time_of_day(m.group("time")) if m else None
            if m is not None and seconds is not None:
                sender, recipient = _split_who(m.group("who"), layout)
                first = m.groupdict().get("text")
                messages.append(
                    _Message(seconds, number, sender, recipient, [first] if first else [])
                )
            elif messages:
                # A continuation: TAB-indented in the newer layouts; blank lines inside a
                # pasted message stay (trailing ones are stripped with the text).
                messages[-1].lines.append(line.removeprefix("\t"))
            elif line.strip():
                raise ParseError("text before the first chat message", line=number, snippet=line)

        skip_private = bool(options.extra.get(SKIP_PRIVATE, False))
        repairs: list[Repair] = []
        kept: list[_Message] = []
        for msg in messages:
            if msg.recipient is not None:
                if skip_private:
                    repairs.append(Repair("private_message_skipped", msg.line))
                    continue
                repairs.append(Repair("private_message_kept", msg.line))
            kept.append(msg)
        if not kept:
            return Transcript(
                (),
                self.name,
                kind="messages",
                repairs=tuple(repairs),
                text_source_spec=TEXT_SOURCE_SPEC,
            )
        recording = recording_start(source.path.name)
        if recording is not None:  # offsets from the recording's start, not times of day
            offsets = [m.seconds * 1000 for m in kept]
            # In --timezone (default: local), like every other start, so the messages' [HH:MM:SS]
            # read as the user's clock; the instant is the file name's.
            started_at: datetime | None = recording.astimezone(options.timezone)
        else:
            offsets, days = offsets_ms(m.seconds for m in kept)
            started_at = meeting_started_at(source, options, kept[0].seconds, days)
        segments = tuple(
            Segment(
                text=_text(msg),
                start_ms=offset,
                end_ms=None,
                speaker=msg.sender,
                line=msg.line,
            )
            for msg, offset in zip(kept, offsets, strict=True)
        )
        return Transcript(
            segments=segments,
            format=self.name,
            started_at=started_at,
            repairs=tuple(repairs),
            kind="messages",
            text_source_spec=TEXT_SOURCE_SPEC,
        )


def _text(msg: _Message) -> str:
    text = "\n".join(msg.lines).strip()
    if msg.recipient is not None and text:
        return f"(privately to {msg.recipient}) {text}"
    return text
