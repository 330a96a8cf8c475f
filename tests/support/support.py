"""Paths and constants shared by the tests (``support``: tests/support/ is on sys.path)."""

from __future__ import annotations

import io
import os
import re
from datetime import UTC, datetime
from pathlib import Path

from importers.source import Source

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"
#: The goldens: ``GOLDEN/<adapter>/<case>.expected.json`` (and ``.options.json``) for the sample
#: ``SAMPLES/<adapter>/<case>``, kept out of the folder users import.
GOLDEN = REPO / "tests" / "golden"
CORPUS = Path(os.environ.get("OMI_IMPORT_CORPUS", REPO.parent / "shared" / "corpus"))


def docx_bytes(paragraphs: list[str]) -> bytes:
    """A .docx with one paragraph per string, as Word writes it (python-docx)."""
    import docx

    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


#: The modification time golden tests give every file, so outputs do not depend on checkout time.
FIXED_MTIME = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)


def text_source(text: str, name: str = "<text>") -> Source:
    """A source holding ``text`` (UTF-8) under the file name ``name``, as an adapter sees one."""
    return Source(Path(name), text.encode("utf-8"), "utf-8")


_EXTRA_INSTALL = re.compile(r'pip install (?:-e )?"(?P<where>[^"\[]+)\[(?P<extra>[\w-]+)\]"')


def installs_extra(text: str, extra: str) -> bool:
    """Whether ``text`` tells the user to ``pip install`` ``extra`` of omi-import in a way that
    works: from a folder holding omi-import's pyproject.toml (a clone, as the README installs it),
    or by the package's name (a copy from an index)."""
    for found in _EXTRA_INSTALL.finditer(text):
        where = Path(found["where"])
        if found["extra"] != extra:
            continue
        if found["where"] == "omi-import":
            return True
        pyproject = where / "pyproject.toml"
        if pyproject.is_file() and 'name = "omi-import"' in pyproject.read_text(encoding="utf-8"):
            return True
    return False
