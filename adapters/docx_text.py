"""The paragraphs of a ``.docx`` as lines of text (python-docx), for the DOCX transcript exports.

Otter's and Google Meet's DOCX exports hold the same lines as their TXT exports, one paragraph
each (a paragraph with soft line breaks gives several lines). python-docx is imported only
when a ``.docx`` is read, so ``.txt`` users never pay for it; the lines of one file are cached,
since detection and parsing read the same bytes.

A hostile file cannot blow up memory: what its parts may unpack to is checked against the ZIP
directory before python-docx reads it (:func:`check_docx_size`).
"""

from __future__ import annotations

import io
import zipfile
from functools import lru_cache

from importers.errors import ParseError

ZIP_MAGIC = b"PK\x03\x04"

#: What the parts of a .docx may unpack to, together: Otter's export of a ten-hour meeting is a
#: few MB of XML (python-docx holds each part in memory, and its XML tree at several times that).
MAX_DOCX_UNPACKED = 32 * 1024 * 1024
#: How much larger than its compressed size a part of over a MiB may be: XML deflates about
#: tenfold; a zip bomb (a 1 MB file unpacking to a GiB) a thousandfold.
MAX_DOCX_RATIO = 100


def check_docx_size(data: bytes) -> None:
    """Refuse a .docx whose parts would unpack to more than the limits above.

    The sizes are the ones the ZIP directory declares, and they bound the unpacking too: Python's
    zipfile, which python-docx reads with, stops at the declared size (a part that is longer
    fails its CRC check). Its XML is parsed with entities left unresolved and nothing fetched
    (python-docx's parser: ``resolve_entities=False``; lxml loads no DTD, reads no network).

    Raises:
        ParseError: too large, or too compressed to be a document.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # python-docx says why it cannot read it
    if sum(p.file_size for p in parts) > MAX_DOCX_UNPACKED:
        raise ParseError(
            f"not a .docx export: it unpacks to more than {MAX_DOCX_UNPACKED >> 20} MiB"
        )
    for part in parts:
        if part.file_size > 1 << 20 and part.file_size > MAX_DOCX_RATIO * max(
            1, part.compress_size
        ):
            raise ParseError(
                f"not a .docx export: {part.filename!r} unpacks "
                f"{part.file_size // max(1, part.compress_size):,} times larger (a zip bomb?)"
            )


@lru_cache(maxsize=8)
def paragraph_lines(data: bytes) -> tuple[str, ...]:
    """Every paragraph's text, split at line breaks.

    Raises:
        ParseError: the bytes are not a readable ``.docx``.
    """
    import docx  # python-docx

    if not data.startswith(ZIP_MAGIC):
        raise ParseError("not a .docx file (no ZIP signature)")
    check_docx_size(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several unrelated types on bad zips
        raise ParseError(f"not a readable .docx file ({type(exc).__name__})") from None
    return tuple(
        line
        for paragraph in document.paragraphs
        for line in paragraph.text.replace("\r", "\n").split("\n")
    )
