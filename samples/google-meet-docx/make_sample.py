"""Write design-review.docx: a Google Meet transcript downloaded as .docx (run from anywhere).

Google Docs' "Download > Microsoft Word" gives one paragraph per line of the transcript
document: the date, the "<meeting> - Transcript" title, a timestamp paragraph every few
minutes, one "Name: text" paragraph per turn, "Transcription ended after", and the footer. The
text is made up for this sample. Regenerate with:

    /path/to/python samples/google-meet-docx/make_sample.py
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import docx

PARAGRAPHS = [
    "Feb 9, 2026",
    "Design review - Transcript",
    "00:00:00",
    "\u00a0",
    "Sofia Brandt: Can everyone see the new onboarding screens?",
    "Kenji Watanabe: Yes. The second one feels crowded.",
    "Sofia Brandt: Agreed, we can drop the progress bar there.",
    "\u00a0",
    "00:00:48",
    "\u00a0",
    "Kenji Watanabe: And the colours pass the contrast check now.",
    "\u00a0",
    "Transcription ended after 00:01:05",
    "",
    "This editable transcript was computer generated and might contain errors. "
    "People can also change the text after it was created.",
]


def main() -> None:
    document = docx.Document()
    for text in PARAGRAPHS:
        document.add_paragraph(text)
    # Fixed metadata (the zip entries still carry the time the file was written).
    props = document.core_properties
    props.author = "omi-import samples"
    props.last_modified_by = "omi-import samples"
    props.created = props.modified = datetime(2026, 1, 1)
    props.revision = 1
    document.save(str(Path(__file__).with_name("design-review.docx")))


if __name__ == "__main__":
    main()
