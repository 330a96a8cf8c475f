"""The audio benchmark's command line and the scoring it (and test_audio) relies on.

No timing here: the benchmark itself is run by hand (``python tests/benchmarks/bench_audio.py``).
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
        ["--minutes", "2.5", "--runs", "2", "--set", "diarization_step=0.2", "--no-speed",
         "--real", "meetings", "--long", "sample,dev00"]
    )  # fmt: skip
    assert (args.minutes, args.runs, args.no_speed, args.child) == (2.5, 2, True, None)
    assert (args.real, args.long) == (Path("meetings"), "sample,dev00")
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
        (["--runs", "0"], "at least 1"),
        (["--minutes", "0"], "above 0"),
        (["--real", "/no/such/folder"], "not a folder"),
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
    # Apostrophes belong to the word, other marks split words; nothing heard: all deleted.
    assert wer("It's well-known.", "its well known") == pytest.approx(1 / 3)
    assert wer("Hello there", "") == 1.0


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


def test_references_by_file_id(tmp_path: Path) -> None:
    """One RTTM may hold several recordings (pyannote's tests/data does); STM lines join."""
    (tmp_path / "debug.rttm").write_text(
        "SPEAKER dev00 1 1.440 11.872 <NA> <NA> MEE009 <NA> <NA>\n"
        "SPEAKER dev01 1 4.304 2.448 <NA> <NA> MEE012 <NA> <NA>\n"
        "SPEAKER dev00 1 13.152 3.770 <NA> <NA> MEE012 <NA> <NA>\n"
    )
    (tmp_path / "x.stm").write_text("dev00 1 A 0.5 1.0 Hello there.\ndev00 1 B 1.2 2 Hi.\n")
    refs = bench.rttm_by_id([tmp_path / "debug.rttm"])
    assert refs == {
        "dev00": [(1440, 13312, "MEE009"), (13152, 16922, "MEE012")],
        "dev01": [(4304, 6752, "MEE012")],
    }
    assert bench.stm_by_id([tmp_path / "x.stm"]) == {"dev00": "Hello there. Hi."}


def test_accuracy_totals_weigh_real_recordings_by_speech_and_words() -> None:
    def rec(name: str, speech: int) -> bench.Recording:
        return bench.Recording(name, Path(f"{name}.wav"), 30.0, [(0, speech, "A")], None)

    recs = [rec("a", 1000), rec("b", 3000), rec("standup", 9000)]
    base = {"der_bare": 0.0, "der_transcript": 0.0, "der_one": 0.0, "speakers_ref": 2,
            "speakers_bare": 2, "wer_bare": 0.0}  # fmt: skip
    scores = {
        "a": {**base, "der_ours": 0.4, "speakers_ours": 2, "speech_ms": 1000, "wer_ours": 0.1,
              "words_ref": 10},
        "b": {**base, "der_ours": 0.0, "speakers_ours": 5, "speech_ms": 3000, "wer_ours": 0.2,
              "words_ref": 30},
        "standup": {**base, "der_ours": 0.9, "speakers_ours": 2, "speech_ms": 9000},
    }  # fmt: skip
    total = bench.accuracy_table(recs, scores).splitlines()[-1].split()
    assert total[:6] == ["total", "(real)", "10.0", "0.0", "0.0", "0.0"]
    assert total[6:] == ["±1:", "1/2", "of", "2", "17.5", "0.0"]
