"""Speaker names as Omi treats them: who is the user, which labels are no names, and how a
name survives in a conversation.

Omi shows a segment's speaker as the owner's name (``is_user``), a person's name
(``person_id``), or ``Speaker N``; a name the source gave is otherwise lost, and with it who
said what in the summary and action items. So, as Omi's own transcript importer does
(``backend/utils/imports/transcript_files.py``; server-behavior.md), a name that is neither
stays in the segment's text as ``Name: text``, except labels that name nobody
(:func:`is_generic`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Labels that number speakers rather than name them: ``Speaker 2``, ``SPEAKER_01``,
#: ``spk_0``, ``Speaker A`` (AssemblyAI), ``Channel 1`` (Deepgram's channels), and the same in
#: Japanese, Chinese and Korean meeting tools (``参加者1``, ``话者 2``, ``发言人1``, ``화자1``).
_GENERIC = re.compile(
    r"(?:(?:speaker|spk|channel|participant|person|guest)(?:[\s_-]*\d+|[\s_-]+[a-z])"
    r"|(?:参加者|話者|话者|スピーカー|发言人|發言人|说话人|說話人|화자|참가자)\s*[0-9０-９]+)",
    re.IGNORECASE,
)


def folded(name: str) -> str:
    """``name`` as names are compared: casefolded, runs of whitespace one space."""
    return " ".join(name.casefold().split())


def is_generic(name: str) -> bool:
    """Whether ``name`` is a numbered label (``Speaker 2``), not anybody's name."""
    return _GENERIC.fullmatch(name.strip()) is not None


def is_me(name: str | None, label: str, me: Iterable[str]) -> bool:
    """Whether the speaker ``name`` (labelled ``label``, ``SPEAKER_NN``) is the user, given
    the ``--me`` values: a value matches the label, or the name in full or by its first
    word alone, casefolded and with whitespace normalised, as Omi matches the owner's name
    (``--me "Ana Lima"`` is the speaker ``Ana Lima`` and the speaker ``Ana``)."""
    label_key = label.casefold()
    name_key = folded(name) if name else None
    for wanted in me:
        key = folded(wanted)
        if key == label_key:
            return True
        if name_key and key and name_key in (key, key.split()[0]):
            return True
    return False


def with_name(text: str, name: str | None) -> str:
    """``Name: text`` for a name Omi would otherwise lose (not a generic label)."""
    if not name or is_generic(name):
        return text
    return f"{name}: {text}"
