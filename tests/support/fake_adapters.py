"""Tiny test-only adapters, so the uploader's tests do not depend on the real format adapters.

``.talk``: one cue per line, ``SPEAKER|start_s|end_s|text``. ``.chatlog``: one message per line,
``Name|seconds|text`` (a "messages" transcript: it goes to the text endpoint). ``.slowtalk``: a
``.talk`` that takes ``$SLOW_TALK_S`` seconds (default 0.5) to parse, like a recording being
transcribed; each parse's end time is appended to ``SlowTalkAdapter.parsed``. ``.sleeptalk``
(the Dask tests, whose workers are other processes): a ``sleep SECONDS`` line, then a ``.talk``
file's lines; its parse leaves ``.ran/NAME.PID.started`` beside the file (so a test knows which
process converts it, and can kill it), sleeps (a negative time is a ConfigError), then leaves
``.ran/NAME.PID.finished``.

Subprocess tests load them as a real plugin: :func:`install_plugin` writes a ``dist-info`` with
an ``omi_import.adapters`` entry point into a folder that goes on ``PYTHONPATH``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from importers.adapter import Adapter, ParseOptions
from importers.errors import ConfigError, ParseError
from importers.model import Segment, Transcript
from importers.source import Source

#: tests/support/, put on the PYTHONPATH of the subprocesses that load these adapters.
SUPPORT = Path(__file__).resolve().parent


class TalkAdapter(Adapter):
    name = "test-talk"
    extensions = (".talk",)
    description = "test-only: SPEAKER|start|end|text lines"

    def sniff(self, source: Source) -> bool:
        return source.head.count("|") >= 3

    def parse(self, source: Source, options: ParseOptions) -> Transcript:
        return self.cues(source.lines, options)

    def cues(self, lines: Sequence[str], options: ParseOptions, first: int = 1) -> Transcript:
        segments = []
        for n, line in enumerate(lines, first):
            if not line.strip():
                continue
            parts = line.split("|", 3)
            if len(parts) != 4:
                raise ParseError("expected SPEAKER|start|end|text", line=n, snippet=line)
            speaker, start, end, text = parts
            try:
                segments.append(
                    Segment(
                        text, round(float(start) * 1000), round(float(end) * 1000), speaker, line=n
                    )
                )
            except ValueError:
                raise ParseError("bad time", line=n, snippet=line) from None
        return Transcript(tuple(segments), self.name, options.started_at)


class SlowTalkAdapter(TalkAdapter):
    name = "test-slowtalk"
    extensions = (".slowtalk",)
    description = "test-only: a .talk that parses slowly"
    parsed: ClassVar[list[float]] = []

    def parse(self, source: Source, options: ParseOptions) -> Transcript:
        time.sleep(float(os.environ.get("SLOW_TALK_S", "0.5")))
        transcript = super().parse(source, options)
        SlowTalkAdapter.parsed.append(time.monotonic())
        return transcript


class SleepTalkAdapter(TalkAdapter):
    name = "test-sleeptalk"
    extensions = (".sleeptalk",)
    description = "test-only: a sleep SECONDS line, then SPEAKER|start|end|text lines"

    def parse(self, source: Source, options: ParseOptions) -> Transcript:
        ran = source.path.parent / ".ran"  # hidden: folder walks pass over it
        ran.mkdir(exist_ok=True)
        (ran / f"{source.path.name}.{os.getpid()}.started").touch()
        seconds = float(source.lines[0].split()[1])
        if seconds < 0:  # stands for an option found bad while converting (the audio's are)
            raise ConfigError(f"test-sleeptalk: cannot sleep {seconds} s")
        time.sleep(seconds)
        (ran / f"{source.path.name}.{os.getpid()}.finished").touch()
        return self.cues(source.lines[1:], options, first=2)


def sleep_file(path: Path, seconds: float, cues: int = 3) -> Path:
    """Write a .sleeptalk file that takes ``seconds`` to parse."""
    talk_file(path, cues, tag=path.stem)
    path.write_text(f"sleep {seconds}\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    return path


def runs(path: Path, stage: str = "started") -> list[int]:
    """The process ids that started (or ``"finished"``) parsing the .sleeptalk file ``path``."""
    return sorted(
        int(m.name.split(".")[-2]) for m in (path.parent / ".ran").glob(f"{path.name}.*.{stage}")
    )


class ChatAdapter(Adapter):
    name = "test-chat"
    extensions = (".chatlog",)
    description = "test-only: Name|seconds|text messages"

    def sniff(self, source: Source) -> bool:
        return "|" in source.head

    def parse(self, source: Source, options: ParseOptions) -> Transcript:
        segments = []
        for n, line in enumerate(source.lines, 1):
            if not line.strip():
                continue
            name, at, text = line.split("|", 2)
            ms = round(float(at) * 1000)
            segments.append(Segment(text, ms, ms + 1000, name, line=n))
        return Transcript(tuple(segments), self.name, options.started_at, kind="messages")


def install_plugin(site: Path) -> Path:
    """Make the adapters loadable through entry points by a subprocess with ``site`` on its path."""
    info = site / "omi_import_test_adapters-0.0.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: omi-import-test-adapters\nVersion: 0.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        "[omi_import.adapters]\n"
        "test-talk = fake_adapters:TalkAdapter\n"
        "test-slowtalk = fake_adapters:SlowTalkAdapter\n"
        "test-chat = fake_adapters:ChatAdapter\n"
        "test-sleeptalk = fake_adapters:SleepTalkAdapter\n",
        encoding="utf-8",
    )
    return site


def talk_file(path: Path, cues: int, *, words: int = 8, tag: str = "") -> Path:
    """Write a .talk file of ``cues`` cues alternating two speakers, 3 s each."""
    lines = []
    for i in range(cues):
        speaker = "Alice" if i % 2 == 0 else "Bob"
        text = " ".join(f"word{tag}{i}x{j}" for j in range(words))
        lines.append(f"{speaker}|{i * 3}|{i * 3 + 2.5}|{text}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
