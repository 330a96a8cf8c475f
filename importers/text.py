"""Cue-text cleanup shared by every adapter: markup, entities, whitespace.

Adapters pull out what markup *means* first (a VTT ``<v Name>`` voice span is a speaker); what is
left is presentation, which this module removes:

* HTML-ish tags: ``<i>``, ``<b>``, ``<u>``, ``<s>``, ``<font ...>``, ``<c.colorE5E5E5>``,
  ``<lang en>``, ``<ruby>``/``<rt>``, ``<v ...>``, including unclosed and never-opened ones
  (pysrt's capability tester and astisub's styled sample have all of these).
* WebVTT inline timestamps ``<00:05:04.199>`` / ``<00:17.500>`` (YouTube auto-captions).
* ASS override blocks ``{\\an8}`` and the ``\\N`` / ``\\n`` / ``\\h`` escapes SRT files inherit.
* HTML entities (``&amp;``, ``&nbsp;``...), after tags, so ``&lt;i&gt;`` stays literal text.

A bare ``<`` or ``>`` that is not a tag is text and stays.

Words are joined the way their script writes them (:func:`join_words`): Chinese, Japanese, Thai,
Lao, Khmer and Myanmar put no space between words, so where a speech-to-text service or an
aligner gives one character or word at a time (Deepgram's Chinese, whisper-timestamped's
Japanese) the words join without spaces; every other script, Korean included, takes a space.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

_TAG = re.compile(r"</?[A-Za-z][\w.\-#]*(?:\s[^<>]*)?/?>")
_TIMESTAMP_TAG = re.compile(r"<\d{1,}(?::\d{1,2}){0,2}[.,]\d+>|<\d{1,}(?::\d{1,2}){1,2}>")
_ASS_BLOCK = re.compile(r"\{\\[^{}]*\}")
_ASS_NEWLINE = re.compile(r"\\[Nn]")
_SPACES = re.compile(r"[^\S\n]+")
# html.unescape int()s a numeric character reference's digits, and Python refuses more than
# 4,300 of them (a fuzzed "&#999..."): leading zeros go, and a reference of more than seven
# digits, beyond U+10FFFF, becomes U+FFFD, as html.unescape makes it.
_NUMERIC_REF = re.compile(r"&#(?:([xX])0*+([0-9a-fA-F]+)|0*+([0-9]+));?")


def _short_ref(match: re.Match[str]) -> str:
    digits = match[2] or match[3]
    return "\ufffd" if len(digits) > 7 else f"&#{match[1] or ''}{digits};"


def strip_markup(text: str) -> str:
    """Remove tags, inline timestamps and ASS overrides; decode entities. Keeps line breaks."""
    if "<" in text:
        text = _TIMESTAMP_TAG.sub("", text)
        text = _TAG.sub("", text)
    if "\\" in text:
        text = _ASS_BLOCK.sub("", text)
        text = _ASS_NEWLINE.sub("\n", text).replace("\\h", " ")
    if "&" in text:
        if "&#" in text:
            text = _NUMERIC_REF.sub(_short_ref, text)
        text = html.unescape(text)
    return text


def clean_lines(text: str, *, markup: bool = True) -> list[str]:
    """Whitespace-collapsed, non-empty lines of a cue, markup stripped unless ``markup=False``.

    ``markup=False`` is for typed text (chat messages), where a ``<b>`` or ``&amp;`` is text.
    """
    lines = []
    for raw in (strip_markup(text) if markup else text).split("\n"):
        # str.split() splits on exactly the characters regex \s matches (str.isspace), so this
        # is _SPACES.sub(" ", raw).strip(), at a third of the cost.
        line = " ".join(raw.split())
        if line:
            lines.append(line)
    return lines


#: Characters of scripts written without spaces between words: Thai, Lao, Myanmar, Khmer, CJK
#: radicals, symbols and punctuation, kana, Bopomofo, CJK strokes, katakana extensions, CJK
#: ideographs (with extension A and compatibility ideographs), full- and half-width forms (not
#: Hangul: Korean spaces its words), and the ideographs of the supplementary planes.
UNSPACED = (
    "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u2e80-\u2fdf\u3000-\u312f\u3190-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\U00020000-\U0003ffff"
)
_SPACE_BETWEEN_UNSPACED = re.compile(f"(?<=[{UNSPACED}]) (?=[{UNSPACED}])")


def join_words(words: Iterable[str]) -> str:
    """``words`` joined by a space, except between two characters of scripts written without
    spaces (:data:`UNSPACED`): ``["這", "不"]`` -> ``這不``, ``["我", "iPhone"]`` -> ``我 iPhone``.

    Each word is taken as it is (no inner whitespace expected); empty words are skipped.
    """
    text = " ".join(w for w in words if w)
    return text if text.isascii() else _SPACE_BETWEEN_UNSPACED.sub("", text)


def word_count(text: str) -> int:
    return len(text.split())
