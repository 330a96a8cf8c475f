"""Write interview.docx: a small Otter.ai-style DOCX export (run from this folder).

Otter's DOCX has the TXT's structure, one paragraph each: a "Name  M:SS" header paragraph (name in
bold), the paragraph of speech below it, and the "Transcribed by https://otter.ai" footer. The
text is made up for this sample. Regenerate with:

    /path/to/python samples/otter-docx/make_sample.py
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import docx

TURNS = [
    ("Sam Rivera", "0:00", "Welcome to the show. Today we talk about community gardens."),
    ("Lee Chen", "0:06", "Thanks for having me. We started ours with six raised beds."),
    ("Sam Rivera", "0:14", "And how many are there now?"),
    ("Lee Chen", "1:05:30", "Forty, and a waiting list."),
]


def main() -> None:
    document = docx.Document()
    for name, time, text in TURNS:
        header = document.add_paragraph()
        header.add_run(name).bold = True
        header.add_run(f"  {time}")
        document.add_paragraph(text)
    document.add_paragraph("")
    document.add_paragraph("Transcribed by https://otter.ai")
    # Fixed metadata so the file is the same bytes on every run.
    props = document.core_properties
    props.author = "omi-import samples"
    props.last_modified_by = "omi-import samples"

    props.created = props.modified = datetime(2026, 1, 1)
    props.revision = 1
    document.save(str(Path(__file__).with_name("interview.docx")))


if __name__ == "__main__":
    main()
