"""What a run says: each thing once, with the file it concerns, and only what is true.

The first hour of a new user (issue 23): an error said live is not said again in the summary, a
skipped file is counted by reason (listed with -v), an empty folder says so, a retry names its
file in words, a run that sends nothing takes no run number, ``status`` does not list thousands.
"""

from __future__ import annotations

from pathlib import Path

from fake_adapters import talk_file
from fake_omi import SEGMENTS, FakeOmi
from uploading import env_for, omi, run

from importers.cli.status import LISTED, status_text
from importers.upload.ledger import Ledger


def test_an_import_says_each_problem_once(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    talk_file(folder / "good.talk", 3, tag="g")
    (folder / "broken.talk").write_text("Alice|0|2|ok\nnot a cue line\n")
    for name in ("notes.pdf", "slides.pdf", "draft.docx.bak"):
        (folder / name).write_bytes(b"%PDF")
    with FakeOmi(limit=1000) as fake:
        env = env_for(tmp_path, base_url=fake.url)
        done = omi(["import", str(folder), "--state", str(tmp_path / "state")], env)
    said = done.stdout + done.stderr
    assert done.returncode == 1
    assert said.count("broken.talk:2:") == 1, said
    assert "notes.pdf" not in said  # counted, not listed
    assert "3 files skipped (3 unsupported file type)" in done.stdout
    verbose = omi(["import", str(folder), "--state", str(tmp_path / "s2"), "-v"], env)
    assert (verbose.stdout + verbose.stderr).count("notes.pdf") == 1


def test_quiet_says_the_problems_in_the_summary_once(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "broken.talk").write_text("Alice|0|2|ok\nnot a cue line\n")
    env = env_for(tmp_path, base_url="http://127.0.0.1:9")
    done = omi(["import", str(folder), "--state", str(tmp_path / "state"), "-q"], env)
    assert (done.stdout + done.stderr).count("broken.talk:2:") == 1


def test_an_empty_folder_says_no_transcripts_were_found(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "readme.pdf").write_bytes(b"%PDF")
    env = env_for(tmp_path, base_url="http://127.0.0.1:9")
    done = omi(["import", str(empty), "--state", str(tmp_path / "state")], env)
    assert done.returncode == 0
    assert done.stdout.strip() == (
        f"no transcripts found in {empty}: 1 file skipped (1 unsupported file type)"
    )


def test_a_run_that_sends_nothing_takes_no_run_number(tmp_path: Path) -> None:
    call = talk_file(tmp_path / "call.talk", 3)
    state = tmp_path / "state"
    with FakeOmi(limit=1000) as fake:
        first = run(fake, [call], state)
        again = run(fake, [call], state)  # everything is in Omi already
    assert first.run == 1
    assert again.run is None
    with Ledger.open(state) as ledger:
        assert [r.id for r in ledger.runs()] == [1]


def test_a_retry_names_its_file_in_words(tmp_path: Path) -> None:
    call = talk_file(tmp_path / "call.talk", 3)
    with FakeOmi(limit=1000) as fake:
        fake.queue("drop_before")
        env = env_for(tmp_path, base_url=fake.url)
        state = tmp_path / "state"
        from uploading import knows_era

        knows_era(fake, state)
        done = omi(["import", str(call), "--state", str(state)], env)
    assert done.returncode == 0, done.stderr
    (retry,) = [line for line in done.stderr.splitlines() if line.startswith("retrying: ")]
    assert retry == (
        f"retrying: {call} #1: no answer (the connection closed without a whole answer)"
    )


def test_status_lists_a_few_and_counts_the_rest(tmp_path: Path) -> None:
    extra = 5
    with Ledger.open(tmp_path / "state") as ledger:
        keys = [(f"omi-import-{'a' * 40}-{i:03d}", i, SEGMENTS) for i in range(LISTED + extra)]
        ledger.register_all("b" * 64, "call.talk", keys)
        text = status_text(ledger)
    assert text.count("\npending: call.talk #") == LISTED
    assert text.splitlines()[-2] == (
        f"... and {extra} more (`omi-import status --json` lists them all)"
    )
