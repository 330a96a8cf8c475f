#!/usr/bin/env python3
"""Build samples/audio/standup.ogg: a short synthetic meeting with two espeak-ng voices.

Re-run it with ``python3 samples/audio/make_sample.py`` (needs ``espeak-ng`` and ``sox``:
``apt-get install -y espeak-ng sox``). It writes, next to itself:

* ``standup.ogg``     16 kHz mono Ogg Vorbis, the audio the tests transcribe;
* ``standup.rttm``    the reference speaker turns, from each synthesized turn's length;
* ``standup.ref.tsv`` the reference transcript, one ``speaker<TAB>start<TAB>end<TAB>text`` line
  per turn (not ``.txt``: text files are transcripts to the text adapters).

The recording carries a ``creation_time`` comment, which the audio adapter reads as the
conversation's start.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
NAME = "standup"
RATE = 16000
GAP_S = 0.8
CREATED = "2026-03-02T09:30:00Z"

# speaker -> espeak-ng arguments (voice, pitch, speed): the pair the design notes measured.
# Why two voices, not three: pyannote's segmentation-3.0 model (which the builtin diarization
# uses) often puts two synthetic male espeak voices on one local speaker inside its 10 s windows
# (3-15 of 17-41 windows, for every male pair tried), so any third voice made the test about
# espeak rather than about this code. These two are never merged (0 of 36 windows at step 0.2),
# their CAM++ embeddings score cosine 0.52 (one voice on different sentences: 0.85-0.9), and
# tiny.en transcribes them at about 4 % WER.
VOICES = {
    "alice": ["-v", "en+f3", "-p", "60", "-s", "160"],
    "bob": ["-v", "en-us", "-p", "45", "-s", "160"],
}

TURNS = [
    ("alice", "Good morning Bob. Let us start the weekly planning meeting."),
    ("bob", "Morning. The new search page went live on Monday and the error rate is down."),
    ("alice", "That is great news. Did the customers notice the faster results?"),
    ("bob", "Yes. Support got three emails thanking us for the change."),
    ("alice", "Nice work. How is the mobile release going?"),
    ("bob", "We found a problem with the login screen. I need two more days to fix it."),
    ("alice", "That is fine. Please send an updated plan by Thursday."),
    ("bob", "Sure, I will."),
    ("alice", "Can you also help the support team with the testing?"),
    ("bob", "Yes, I can do that this afternoon. That is all from me."),
    ("alice", "Great. Thanks everyone."),
]

# sox effect: trim the synthesizer's leading and trailing silence.
TRIM = ["silence", "1", "0.02", "0.5%", "reverse", "silence", "1", "0.02", "0.5%", "reverse"]


def run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        parts: list[str] = []
        rttm: list[str] = []
        ref: list[str] = []
        t = 0.0
        silence = str(Path(tmp) / "gap.wav")
        run("sox", "-n", "-r", str(RATE), "-c", "1", "-b", "16", silence, "trim", "0", str(GAP_S))
        for i, (speaker, text) in enumerate(TURNS):
            raw = str(Path(tmp) / f"raw{i}.wav")
            wav = str(Path(tmp) / f"turn{i}.wav")
            run("espeak-ng", *VOICES[speaker], "-w", raw, text)
            run("sox", raw, "-r", str(RATE), "-c", "1", "-b", "16", wav, *TRIM)
            length = float(run("soxi", "-D", wav))
            if i:
                parts.append(silence)
                t += GAP_S
            parts.append(wav)
            rttm.append(f"SPEAKER {NAME} 1 {t:.3f} {length:.3f} <NA> <NA> {speaker} <NA> <NA>")
            ref.append(f"{speaker}\t{t:.3f}\t{t + length:.3f}\t{text}")
            t += length
        joined = str(Path(tmp) / "joined.wav")
        run("sox", *parts, joined)
        out = HERE / f"{NAME}.ogg"
        comment = f"creation_time={CREATED}"
        run("sox", joined, "--comment", comment, "-C", "3", str(out), "gain", "-n", "-3")
    (HERE / f"{NAME}.rttm").write_text("\n".join(rttm) + "\n")
    (HERE / f"{NAME}.ref.tsv").write_text("\n".join(ref) + "\n")
    print(f"{out.name}: {t:.2f} s, {out.stat().st_size} bytes, {len(TURNS)} turns")  # noqa: T201


if __name__ == "__main__":
    main()
