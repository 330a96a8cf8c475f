"""The audio benchmark's command line and the scoring it (and test_audio) relies on.

No timing here: the benchmark itself is run by hand (``python tests/bench_audio.py``).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import bench_audio as bench
import pytest
from audio_score import (
    RefTurn,
    read_reference,
    shifted,
    turn_scores,
    turns_right,
    wer,
)
from support import SAMPLES


def test_arguments_parse() -> None:
    args = bench.build_parser().parse_args(
        ["--repeat", "3", "--runs", "2", "--set", "diarization_step=0.2", "--no-bare"]
    )
    assert (args.repeat, args.runs, args.no_bare, args.child) == (3, 2, True, None)
    assert bench.parse_sets(args.set) == {"diarization_step": 0.2}
    assert bench.parse_sets(["beam_size=5", "diarize=false", "device=cpu"]) == {
        "beam_size": 5,
        "diarize": False,
        "device": "cpu",
    }


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--set", "beam_size"], "expected KEY=VALUE"),
        (["--set", "diarization_step=5"], "--diarization-step must be between"),
        (["--set", "device=tpu"], "--device must be one of"),
        (["--repeat", "0"], "at least 1"),
    ],
)
def test_bad_arguments_are_usage_errors(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        bench.main(argv)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_the_sample_and_its_reference_are_where_the_bench_looks() -> None:
    assert bench.SAMPLE.is_file()
    turns = read_reference(bench.REFERENCE)
    assert turns == read_reference(SAMPLES / "audio" / "standup.ref.tsv")
    assert all(a.end_ms <= b.start_ms for a, b in itertools.pairwise(turns))


def test_long_input_is_the_sample_repeated(tmp_path: Path) -> None:
    pytest.importorskip("faster_whisper", reason="the audio extra decodes the sample")
    import wave

    path, one = bench.write_long(tmp_path, 3)
    with wave.open(str(path)) as w:
        seconds = w.getnframes() / w.getframerate()
    assert seconds == pytest.approx(3 * one + 2 * bench.GAP_S, abs=0.01)


def test_table_aligns_columns() -> None:
    text = bench.table([("a", ["1", "22"]), ("long label", ["333", "4"])], ["x", "col"])
    lines = text.splitlines()
    assert len({len(line) for line in lines}) == 1
    assert lines[2].startswith("long label") and lines[2].endswith("  4")


def test_wer() -> None:
    assert wer("Good morning, Bob.", "good morning bob") == 0
    assert wer("a b c d", "a x c") == 0.5  # one substitution, one deletion
    assert wer("a b", "a b c d") == 1.0  # two insertions


def turn(speaker: str, start: int, end: int) -> RefTurn:
    return RefTurn(speaker, start, end, "")


def test_turns_right_needs_one_speaker_per_person() -> None:
    ref = [turn("alice", 0, 1000), turn("bob", 1200, 2000), turn("alice", 2200, 3000)]
    good = [(0, 1000, "S0"), (1200, 2000, "S1"), (2200, 3000, "S0")]
    assert turns_right(turn_scores(ref, good)) == 3
    # Alice's second turn on Bob's label.
    swapped = [(0, 1000, "S0"), (1200, 2000, "S1"), (2200, 3000, "S1")]
    assert turns_right(turn_scores(ref, swapped)) == 2
    # Everyone on one label: only the person with more turns keeps it.
    merged = [(0, 3000, "S0")]
    assert turns_right(turn_scores(ref, merged)) == 2
    # 20 % of a turn on the wrong speaker; nothing at all for another.
    split = [(0, 800, "S0"), (800, 1000, "S1"), (2200, 3000, "S0")]
    scores = turn_scores(ref, split)
    assert [s.speaker for s in scores] == ["S0", None, "S0"]
    assert turns_right(scores) == 1
    assert turns_right(scores, min_share=0.75) == 2


def test_shifted() -> None:
    assert shifted([turn("a", 10, 20)], 1000) == [turn("a", 1010, 1020)]
