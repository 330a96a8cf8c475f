"""Text a server (or anything outside our control) supplies, made safe to show and to store.

Two steps, always in this order, on the *whole* text:

1. :class:`Redactor` masks the API key's secret part (the characters after ``omi_dev_``) and
   every run of 8 or more of its consecutive characters, in either case, also when invisible
   characters or whitespace are put between them (a newline inside an echoed header, a
   zero-width space). It works on the whole text because a key cut by a later truncation, or
   split by whitespace that a later step collapses, would no longer be recognised.
2. :func:`printable` collapses whitespace, escapes what a terminal would act on (control and
   format characters, lone surrogates: ``\\x1b`` is shown as the four characters ``\\x1b``) and
   bounds the length, so one line stays one short line.

A fragment of a random 32-hex-digit secret occurring by chance in ordinary text is improbable
(about 25 in 16**8 per position), so masking every 8-character run costs nothing in practice.
"""

from __future__ import annotations

import re

KEY_PREFIX = "omi_dev_"
#: The shortest run of the secret that is masked wherever it appears.
FRAGMENT = 8
MASK = "***"
#: Characters that may sit between two characters of an echoed key and still hide it from a
#: plain search: whitespace, C0/C1 controls, soft hyphen, zero-width and bidi marks, BOM.
_IGNORABLE = r"\s\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff"
_IGNORED = re.compile(f"[{_IGNORABLE}]")


class Redactor:
    """Masks one secret in any text (see the module docstring).

    Args:
        key: the whole API key; the part after ``omi_dev_`` is what must not appear.
    """

    def __init__(self, key: str) -> None:
        secret = key.removeprefix(KEY_PREFIX)
        if len(secret) < FRAGMENT:  # not a real key's shape: guard all of it
            secret = key
        self._size = min(FRAGMENT, len(secret))
        lowered = secret.lower()
        self._grams = {lowered[i : i + self._size] for i in range(len(lowered) - self._size + 1)}
        alphabet = "".join(sorted(set(lowered + secret.upper())))
        char = f"[{re.escape(alphabet)}]" if alphabet else "(?!)"
        # A run of the secret's characters, with ignorable ones allowed between them.
        self._runs = re.compile(f"{char}(?:[{_IGNORABLE}]*{char})*")

    def __call__(self, text: str) -> str:
        pieces: list[str] = []
        last = 0
        for run in self._runs.finditer(text):
            spans = self._masked_spans(run.group(), run.start())
            for start, end in spans:
                pieces.append(text[last:start])
                pieces.append(MASK)
                last = end
        pieces.append(text[last:])
        return "".join(pieces)

    def _masked_spans(self, run: str, offset: int) -> list[tuple[int, int]]:
        """The stretches of ``run`` (absolute positions) covered by fragments of the secret."""
        where = [i for i, c in enumerate(run) if not _IGNORED.match(c)]
        if len(where) < self._size:
            return []
        chars = "".join(run[i] for i in where).lower()
        spans: list[tuple[int, int]] = []
        for i in range(len(chars) - self._size + 1):
            if chars[i : i + self._size] in self._grams:
                start, end = where[i] + offset, where[i + self._size - 1] + 1 + offset
                if spans and start <= spans[-1][1]:
                    spans[-1] = (spans[-1][0], end)
                else:
                    spans.append((start, end))
        return spans


def printable(text: str, limit: int, *, keep_spaces: bool = False) -> str:
    """``text`` as one line of at most ``limit`` characters, with nothing a terminal acts on.

    ``keep_spaces``: spaces stay as they are (a file name's double space is part of the name)
    and other whitespace is escaped (a newline shows as ``\\n``) instead of collapsed.
    """
    shown: list[str] = []
    size = 0
    for c in text if keep_spaces else " ".join(text.split()):
        piece = c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
        shown.append(piece)
        size += len(piece)
        if size > limit:  # enough: a long text is cut here, not escaped to the end first
            break
    line = "".join(shown)
    return line if len(line) <= limit else line[: max(0, limit - 3)] + "..."
