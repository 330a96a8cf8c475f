"""The paragraphs of a ``.docx`` as lines of text (python-docx), for the DOCX transcript exports.

Otter's and Google Meet's DOCX exports hold the same lines as their TXT exports, one paragraph
each (a paragraph with soft line breaks gives several lines). python-docx is imported only
when a ``.docx`` is read, so ``.txt`` users never pay for it; the lines of one file are cached,
since detection and parsing read the same bytes.
"""

from __future__ import annotations

import io
from functools import lru_cache

from importers.errors import ParseError

ZIP_MAGIC = b"PK\x03\x04"


@lru_cache(maxsize=8)
def paragraph_lines(data: bytes) -> tuple[str, ...]:
    """Every paragraph's text, split at line breaks.

    Raises:
        ParseError: the bytes are not a readable ``.docx``.
    """
    import docx  # python-docx

    if not data.startswith(ZIP_MAGIC):
        raise ParseError("not a .docx file (no ZIP signature)")
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several unrelated types on bad zips
        raise ParseError(f"not a readable .docx file ({type(exc).__name__})") from None
    return tuple(
        line
        for paragraph in document.paragraphs
        for line in paragraph.text.replace("\r", "\n").split("\n")
    )
