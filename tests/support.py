"""Paths and constants shared by the tests (importable as ``support``; tests/ is on sys.path)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"
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


def omi(
    args: list[str], env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """``python -m importers ARGS`` in a subprocess, from the repository root."""
    return subprocess.run(
        [sys.executable, "-m", "importers", *args], cwd=REPO, env=env, capture_output=True,
        text=True, timeout=timeout, check=False,
    )  # fmt: skip
