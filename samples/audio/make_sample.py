#!/usr/bin/env python3
"""Build samples/audio/standup.ogg: a short synthetic meeting with three espeak-ng voices.

Re-run it with ``python3 samples/audio/make_sample.py`` (needs ``espeak-ng`` and ``sox``:
``apt-get install -y espeak-ng sox``). It writes, next to itself:

* ``standup.ogg``     16 kHz mono Ogg Vorbis, the audio the tests transcribe;
* ``standup.rttm``    the reference speaker turns, from each synthesized turn's length;
* ``standup.ref.txt`` the reference transcript, one ``SPEAKER<TAB>start<TAB>end<TAB>text`` line per turn.

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

# speaker -> espeak-ng arguments (voice, pitch, speed): three clearly different voices.
VOICES = {
    "alice": ["-v", "en-us+f3", "-p", "60", "-s", "160"],
    "bob": ["-v", "en-us", "-p", "40", "-s", "160"],
    "carol": ["-v", "en-us+klatt4", "-p", "60", "-s", "150"],
}

TURNS = [
    ("alice", "Good morning everyone. Let us start the weekly planning meeting."),
    ("bob", "Morning. The new search page went live on Monday and the error rate is down."),
    ("carol", "That is great news. Did the customers notice the faster results?"),
    ("bob", "Yes. Support got three emails thanking us for the change."),
    ("alice", "Nice work. Carol, how is the mobile release going?"),
    ("carol", "We found a problem with the login screen. I need two more days to fix it."),
    ("alice", "That is fine. Please send an updated plan by Thursday."),
    ("bob", "I can help with the testing if you want."),
    ("carol", "Thank you Bob. I will send you the build this afternoon."),
    ("alice", "Great. That is all for today. Thanks everyone."),
]


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
            # Resample to 16 kHz mono and trim the synthesizer's leading/trailing silence.
            run("sox", raw, "-r", str(RATE), "-c", "1", "-b", "16", wav,
                "silence", "1", "0.02", "0.5%", "reverse", "silence", "1", "0.02", "0.5%", "reverse")  # fmt: skip
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
        run(
            "sox",
            joined,
            "--comment",
            f"creation_time={CREATED}",
            "-C",
            "3",
            str(out),
            "gain",
            "-n",
            "-3",
        )
    (HERE / f"{NAME}.rttm").write_text("\n".join(rttm) + "\n")
    (HERE / f"{NAME}.ref.txt").write_text("\n".join(ref) + "\n")
    print(f"{out.name}: {t:.2f} s, {out.stat().st_size} bytes, {len(TURNS)} turns")  # noqa: T201


if __name__ == "__main__":
    main()
