"""Redactor and printable: the key never survives, whatever a server wraps it in."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from importers.redact import Redactor, printable

SECRET = "5f0c9a7e3b1d48e6a2c47f9b0d3e8a61"
KEY = "omi_dev_" + SECRET
redact = Redactor(KEY)
#: What may be slipped between two characters of the key.
GLUE = " \n\r\t\x00\x1b\u200b\u2028\ufeff\u00ad"
SEPARATORS = st.text(st.sampled_from(GLUE), max_size=3)


def test_the_whole_key_is_masked_and_the_prefix_stays() -> None:
    assert redact(f"Invalid API Key: {KEY}.") == "Invalid API Key: omi_dev_***."


def test_a_key_split_by_a_newline_or_cut_short_is_masked() -> None:
    assert redact(f"Bearer omi_dev_{SECRET[:12]}\n{SECRET[12:]} end") == "Bearer omi_dev_*** end"
    assert redact(f"... Bearer {KEY[:20]}") == "... Bearer omi_dev_***"  # 12 of 32 hex digits


def test_any_eight_character_run_is_masked_in_any_case() -> None:
    assert redact(f"id {SECRET[5:13].upper()} ok") == "id *** ok"
    assert redact(f"id {SECRET[5:12]} ok") == f"id {SECRET[5:12]} ok"  # 7: too short to mean it


def test_ordinary_text_is_left_alone() -> None:
    text = "Segment 3: end time must be after start time; Rate limit exceeded. Try again in 3599s."
    assert redact(text) == text


@given(
    before=st.text(max_size=40),
    after=st.text(max_size=40),
    start=st.integers(0, len(SECRET) - 8),
    size=st.integers(8, len(SECRET)),
    glue=st.lists(SEPARATORS, min_size=len(SECRET), max_size=len(SECRET)),
    upper=st.booleans(),
)
def test_no_fragment_survives_separators_or_surroundings(
    before: str, after: str, start: int, size: int, glue: list[str], upper: bool
) -> None:
    """Any 8+ run of the secret, separators between its characters, text around: masked."""
    fragment = SECRET[start : start + size]
    if upper:
        fragment = fragment.upper()
    hidden = "".join(c + g for c, g in zip(fragment, glue, strict=False))
    out = redact(before + hidden + after)
    squeezed = "".join(c for c in out if c not in GLUE).lower()
    assert not any(SECRET[i : i + 8] in squeezed for i in range(len(SECRET) - 7))


@given(st.text(), st.integers(4, 400))
def test_printable_is_one_bounded_line_without_controls(text: str, limit: int) -> None:
    line = printable(text, limit)
    assert len(line) <= limit
    assert all(c.isprintable() for c in line)
    assert not any(unicodedata.category(c) in ("Cc", "Cf", "Cs") for c in line)


def test_printable_escapes_what_a_terminal_would_act_on() -> None:
    assert printable("red\x1b[31m bell\x07 \ud800 \u202eevil\nnext", 100) == (
        "red\\x1b[31m bell\\x07 \\ud800 \\u202eevil next"
    )
    assert printable("x" * 1_000_000, 300) == "x" * 297 + "..."
