"""Running the uploader against the fake server, as the upload tests do (importable helpers):
in this process (:func:`run`, :func:`remove`) or as ``python -m importers`` (:func:`omi`, with
the test adapters installed as a plugin by :func:`env_for`)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fake_adapters import SUPPORT, ChatAdapter, TalkAdapter, install_plugin
from fake_omi import GOOD_KEY, FakeOmi
from pydantic import SecretStr
from support import REPO

from importers.conversion.options import ConvertOptions
from importers.inputs import Period
from importers.registry import Registry
from importers.upload import Importer, UploadOptions
from importers.upload.client import RetryPolicy
from importers.upload.ledger import Ledger
from importers.upload.report import Report
from importers.upload.server import ServerFacts
from importers.upload.settings import Settings

REGISTRY = Registry([TalkAdapter(), ChatAdapter()])
#: What the answers of each era of the fake teach (importers.upload.server).
ERA_LEARNED = {"E0": "E0", "E1": "E1", "E2": "E2", "E2-410": "E2"}
#: Fast waits, and retries enough for the fault-injection tests (20 % of every fault): the
#: write-budget limits (RetryPolicy.max_failures, same_failure_stop) have tests of their own.
FAST = RetryPolicy(
    max_attempts=30,
    max_failures=30,
    same_failure_stop=1000,
    backoff_initial_s=0.01,
    backoff_max_s=0.05,
    processing_wait_s=0.05,
)


def upload(
    inputs: list[Any],
    *,
    settings: Settings,
    ledger: Ledger,
    period: Period | None = None,
    **kwargs: Any,
) -> Report:
    """``Importer(settings, ledger, **kwargs).run(inputs, period=period)``: one import."""
    return Importer(settings, ledger, **kwargs).run(inputs, period=period)


def run(
    fake: FakeOmi,
    inputs: list[Path],
    state: Path,
    key: str = GOOD_KEY,
    convert: ConvertOptions | None = None,
    known: bool = True,
    **opts: Any,
) -> Report:
    """``omi-import import INPUTS`` with the test adapters, fast retries and a 5 s timeout.

    ``known``: the ledger already knows the server's era (``fake.era``), as after any import
    that got an answer; False: a first import, which learns it from the answers
    (:mod:`importers.upload.server`; tests/upload/test_eras.py).
    """
    options = UploadOptions(**{"policy": FAST, "read_timeout_s": 5, **opts})
    if known:
        knows_era(fake, state)
    with Ledger.open(state) as ledger:
        return upload(
            inputs,
            settings=Settings(fake.url, SecretStr(key)),
            ledger=ledger,
            convert_options=convert,
            options=options,
            registry=REGISTRY,
        )


def knows_era(fake: FakeOmi, state: Path) -> None:
    """The ledger at ``state`` has learned ``fake``'s era, as from an earlier import's
    answers."""
    with Ledger.open(state) as ledger:
        ServerFacts(ledger, fake.url).learn(ERA_LEARNED[fake.era])


def remove(
    fake: FakeOmi, state: Path, *, paths: list[Path] | None = None, run_id: int | None = None
) -> Report:
    """``omi-import delete PATHS | --all-from-run RUN``."""
    with Ledger.open(state) as ledger:
        importer = Importer(
            Settings(fake.url, SecretStr(GOOD_KEY)),
            ledger,
            options=UploadOptions(policy=FAST, read_timeout_s=5),
        )
        return importer.delete(paths=paths or [], run=run_id)


def env_for(
    tmp_path: Path, key: str | None = GOOD_KEY, base_url: str | None = None
) -> dict[str, str]:
    site = install_plugin(tmp_path / "site")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMI_")}
    env["PYTHONPATH"] = os.pathsep.join([str(site), str(SUPPORT), str(REPO)])
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")  # no user config file leaks in
    if key is not None:
        env["OMI_API_KEY"] = key
    if base_url is not None:
        env["OMI_API_BASE_URL"] = base_url
    return env


def omi(
    args: list[str], env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "importers", *args], cwd=REPO, env=env, capture_output=True,
        text=True, timeout=timeout, check=False,
    )  # fmt: skip


def spawn(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    """``python -m importers ARGS`` started, its output captured (to signal it mid-run), with
    Ctrl-C's SIGINT handled as at a terminal: a shell that starts the tests in the background
    (``pytest &``) has them ignore SIGINT, and Python then never raises KeyboardInterrupt."""
    return subprocess.Popen(
        [sys.executable, "-m", "importers", *args], cwd=REPO, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=_sigint_as_at_a_terminal,
    )  # fmt: skip


def _sigint_as_at_a_terminal() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_for(condition: Callable[[], bool], timeout: float = 30) -> None:
    ends = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < ends, "timed out"
        time.sleep(0.02)


def read_until(proc: subprocess.Popen[str], text: str) -> list[str]:
    """stderr lines up to the first that holds ``text``."""
    assert proc.stderr is not None
    lines = []
    while text not in (line := proc.stderr.readline()):
        assert line, f"the process ended before printing {text!r}: {lines}"
        lines.append(line)
    return [*lines, line]
