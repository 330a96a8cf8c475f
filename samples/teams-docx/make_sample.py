"""Write the Teams .docx samples (run from anywhere): Microsoft Teams transcripts as "Download as
.docx" writes them, with made-up meetings.

* ``weekly-sync.docx``: the current layout. A header (title, the start as Teams shows it, the
  length), a transcription notice, then one paragraph per speaker line (``Name   M:SS``, three
  spaces) and one per text, a turn past the hour (``1:02:15``), a closing notice.
* ``handover-pt.docx``: the same layout as a tool for real Teams files in Portuguese reads it:
  one paragraph per turn whose lines (name, time, words) are split by line breaks, and the
  Portuguese notices (``Começou a transcrição``); no header.
* ``legacy-cues.docx``: the older layout, a cue per paragraph block: ``0:0:5.100 --> 0:0:8.250``,
  the speaker, the words; a cue without a speaker line, a two-line cue.

Regenerate with ``/path/to/python samples/teams-docx/make_sample.py``.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

import docx
from docx.document import Document

HERE = Path(__file__).parent

WEEKLY = [
    ("Dana Whitfield", "0:03", "Morning all, let's start with the release checklist."),
    ("Ravi Menon", "0:11", "The migration scripts are merged. I ran them against staging twice."),
    ("Dana Whitfield", "0:24", "Great. Any blockers on the mobile side?"),
    ("Sofia Lindqvist", "0:31", "One: the login screen still shows the old logo on Android."),
    ("Ravi Menon", "1:02:15", "Before we close: I'm out Friday, Sofia covers on-call."),
]

HANDOVER = [
    ("Maria Souza", "0:03", "Bom dia, vamos passar a escala da semana."),
    ("João Pereira", "0:12", "Eu fico com o plantão de quarta e quinta."),
    ("Maria Souza", "0:20", "Combinado. Obrigada, João."),
]

LEGACY = [
    ("0:0:5.100 --> 0:0:8.250", ["Hannah Okoye", "Can everyone hear me all right?"]),
    ("0:0:8.500 --> 0:0:10.300", ["Tom Brandt", "Loud and clear."]),
    (
        "0:0:10.800 --> 0:0:14.500",
        ["Hannah Okoye", "Then let's look at the budget,", "page three."],
    ),
    ("0:0:15.200 --> 0:0:16.000", ["Mm-hmm."]),
]


def fixed(document: Document, name: str) -> None:
    """Save with fixed metadata and ZIP entry times, so that the file is the same bytes on
    every run (python-docx stamps each entry with the time of saving)."""
    props = document.core_properties
    props.author = props.last_modified_by = "omi-import samples"
    props.created = props.modified = datetime(2026, 1, 1)
    props.revision = 1
    saved = io.BytesIO()
    document.save(saved)
    out = io.BytesIO()
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(out, "w") as sink:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            sink.writestr(entry, source.read(info))
    (HERE / name).write_bytes(out.getvalue())


def weekly() -> None:
    document = docx.Document()
    document.add_paragraph("Weekly sync-20260302_100000-Meeting Recording")
    document.add_paragraph("March 2, 2026, 10:00AM")
    document.add_paragraph("1h 2m 40s")
    document.add_paragraph("Dana Whitfield started transcription")
    for name, time, text in WEEKLY:
        document.add_paragraph(f"{name}   {time}")
        document.add_paragraph(text)
    document.add_paragraph("Dana Whitfield stopped transcription")
    fixed(document, "weekly-sync.docx")


def handover() -> None:
    document = docx.Document()
    document.add_paragraph("Começou a transcrição")
    for name, time, text in HANDOVER:
        paragraph = document.add_paragraph()
        paragraph.add_run(name).add_break()
        paragraph.add_run(time).add_break()
        paragraph.add_run(text)
    document.add_paragraph("Parou a transcrição")
    fixed(document, "handover-pt.docx")


def legacy() -> None:
    document = docx.Document()
    for timing, lines in LEGACY:
        document.add_paragraph(timing)
        for line in lines:
            document.add_paragraph(line)
        document.add_paragraph("")
    fixed(document, "legacy-cues.docx")


if __name__ == "__main__":
    weekly()
    handover()
    legacy()
