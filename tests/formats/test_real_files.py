"""Real files nobody here wrote (issue 22), converted as a stranger's files: the facts a reader
of each file expects (format, language, speakers in order, first words), checked against a
folder of them named by ``OMI_IMPORT_REAL_FILES``.

The files stay out of the repository (several have licences that do not allow copying them
here, and none was written for omi-import); the repository reproduces each class with samples of
its own (``samples/SOURCES.md``, issue 22). Each entry names where its file comes from: fetch the
repository and write the file under the entry's path, for example::

    git -C whisper-timestamped show HEAD:tests/expected/corner_cases/arabic.mp3.words.json \\
        > "$OMI_IMPORT_REAL_FILES/whisper-timestamped/wt-corner_cases-arabic.mp3.words.json"

(Markdown files are saved as ``.txt``, as a user hands them to omi-import.) A file missing from
the folder skips its test with the reason.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from importers.conversion.options import ConvertOptions
from importers.conversion.pipeline import Conversion, convert
from importers.registry import Registry

ENV = "OMI_IMPORT_REAL_FILES"
FOLDER = Path(os.environ[ENV]) if os.environ.get(ENV) else None

pytestmark = pytest.mark.skipif(
    FOLDER is None or not FOLDER.is_dir(),
    reason=f"no folder of real files (set {ENV} to one; see this module's docstring)",
)


@dataclass(frozen=True)
class Real:
    """A real file and what a reader of it expects."""

    path: str
    origin: str
    format: str
    language: str
    #: Every speaker in order of first speech (None: a speaker without a name).
    speakers: tuple[str | None, ...]
    #: The first turn's first words.
    first: str
    #: Text no turn may contain (markup, a heading read as speech, a name left in the text).
    absent: tuple[str, ...] = ()
    diarization: str | None = None


WT = "linto-ai/whisper-timestamped tests/expected/"
DESCRIPT_SITE = "audrow-nash-podcast/audrownashpodcast.com transcripts/"
LADYBUG = "ladybug-podcast/ladybug-website transcripts/"

REAL = (
    # Language names a file gives: sent as codes.
    Real(
        "whisper-timestamped/wt-corner_cases-arabic.mp3.words.json",
        f"{WT}corner_cases/arabic.mp3.words.json ('language': 'Arabic')",
        "whisper-timestamped",
        "ar",
        (None,),
        "حبّي أنصار الهدى",
    ),
    Real(
        "whisper-timestamped/wt-corner_cases-random.nocond_apollo11.mp3.words.json",
        f"{WT}corner_cases/random.nocond_apollo11.mp3.words.json ('language': 'English')",
        "whisper-timestamped",
        "en",
        (None,),
        "Apollo 11, Houston",
    ),
    Real(
        "whisper-timestamped/wt-tiny_auto-accurate_jp_japanese.mp3.words.json",
        f"{WT}tiny_auto/accurate_jp_japanese.mp3.words.json ('language': 'Japanese')",
        "whisper-timestamped",
        "ja",
        (None,),
        "いきます",
    ),
    Real(
        "whisper/openai-reference-verbose-json.json",
        "OpenAI's API reference verbose_json example, as quoted in Tencent/WeKnora's "
        "openaitranscriptions test ('language': 'english')",
        "whisper",
        "en",
        (None,),
        "The beach was a popular spot",
    ),
    # Japanese words joined by script: the words are regrouped by a diarization (our RTTM).
    Real(
        "whisper-timestamped/wt-tiny_auto-japanese.mp3.words.json",
        f"{WT}tiny_auto/japanese.mp3.words.json, with ja-two-speakers.rttm (ours: A 0-20 s, "
        "B 20-21 s)",
        "whisper-timestamped",
        "ja",
        ("A", "B"),
        "いきます入室タブでの最図免証記が",
        absent=("タ ブ", "で の"),
        diarization="whisper-timestamped/ja-two-speakers.rttm",
    ),
    # Markdown around names: Descript's markdown export.
    Real(
        "descript/descript-9-foxglove.txt",
        f"{DESCRIPT_SITE}9-foxglove.md",
        "timestamped-text",
        "en",
        ("Audrow Nash", "Adrian Macneil"),
        "How can we make it easier to build robots?",
        absent=("**", "Episode Introduction", "## "),
    ),
    Real(
        "descript/descript-3-polymath.txt",
        f"{DESCRIPT_SITE}3-polymath.md",
        "timestamped-text",
        "en",
        ("Stefan Seltz-Axmacher", "Audrow Nash", "Ilia Baranov"),
        "this is a, super key problem",
        absent=("**", "Let's stop reinventing the wheel"),
    ),
    Real(
        "descript/descript-17-aria.txt",
        f"{DESCRIPT_SITE}17-aria.md",
        "timestamped-text",
        "en",
        ("Audrow Nash", "Jenny Read"),
        "Hi everyone. Audrow here.",
        absent=("**", "Introduction to Jenny Read and ARIA"),
    ),
    Real(
        "descript/descript-8-ship-a-factory.txt",
        "audrow-nash-podcast/transcripts src/8-can-you-ship-a-factory-a-bold-vision-to-make-"
        "homes-more-affordable.md (a 20-line table of contents first)",
        "timestamped-text",
        "en",
        (None, "Audrow Nash", "Oleg Kandrashou", "Aleks Gampel"),
        "I'm going to tell you about a company",
        absent=("**", "Introducing the Episode", "](#"),
    ),
    # Markdown around names: Otter's text published through markdown.
    Real(
        "otter-md/ladybug-48-traveling-dev.txt",
        f"{LADYBUG}48-traveling-dev.md ('**Emma**  0:00', '****Rachel Nabors****  31:12')",
        "otter",
        "en",
        ("Emma", None, "Rachel Nabors", "Ali"),
        "Have you ever dreamed about selling everything",
    ),
    Real(
        "otter-md/ladybug-51-react.txt",
        f"{LADYBUG}51-react.md ('**Unknown Speaker**': nobody, turn by turn)",
        "otter",
        "en",
        ("Ali", None, "Emma", "Kelly"),
        "react is a front end library",
    ),
    Real(
        "otter-md/ladybug-01-new-career-who-dis.txt",
        f"{LADYBUG}01-new-career-who-dis.md ('**Ali** [00:00:00] text', HTML entities)",
        "timestamped-text",
        "en",
        ("Ali", "Kelly", "Emma", "Lindsey"),
        "Today we're going to talk about how to get started in tech.",
        absent=("**", "&#39;"),
    ),
    # Old Teams layout copied as plain text (unpadded milliseconds: 2.90 is 2.090 s).
    Real(
        "teams-plain-gherkin.txt",
        "a Teams transcription parser's Gherkin feature (RegExpTranscriptionParser), "
        "found by find_string; its repository is not shown by the index",
        "teams",
        "en",
        ("Jane Doe", "John Doe"),
        "Hi I'm Jane Doe, CEO.",
        absent=("Jane Doe Hi", "John Doe Hi"),
    ),
)


def _convert(real: Real, folder: Path) -> Conversion:
    path = folder / real.path
    if not path.is_file():
        pytest.skip(f"{path} not in the folder (from {real.origin})")
    registry = Registry.default()
    diarization = folder / real.diarization if real.diarization else None
    options = ConvertOptions.from_flags(registry=registry, timezone="UTC", diarization=diarization)
    return convert(path, options, registry=registry)


@pytest.mark.parametrize("real", REAL, ids=lambda r: r.path)
def test_a_real_file_converts_as_its_reader_expects(real: Real) -> None:
    assert FOLDER is not None
    result = _convert(real, FOLDER)
    assert result.format == real.format
    assert result.language == real.language
    names: list[str | None] = []
    for name in result.normalized.speakers.values():
        if name not in names:
            names.append(name)
    assert tuple(names) == real.speakers
    turns = result.normalized.turns
    assert turns[0].text.startswith(real.first)
    for text in real.absent:
        assert not any(text in t.text for t in turns), text


def test_old_teams_milliseconds_in_the_copied_layout() -> None:
    """``0:0:2.90`` is 2.090 s and ``0:0:7.80`` 7.080 s in this layout, not 2.9 and 7.8."""
    assert FOLDER is not None
    (real,) = (r for r in REAL if r.format == "teams")
    turns = _convert(real, FOLDER).normalized.turns
    assert [t.start_ms for t in turns[:2]] == [0, 2090]
