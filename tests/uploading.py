"""Running the uploader against the fake server, as the upload tests do (importable helpers)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fake_adapters import ChatAdapter, TalkAdapter
from fake_omi import GOOD_KEY, FakeOmi
from pydantic import SecretStr

from importers.client import RetryPolicy
from importers.ledger import Ledger
from importers.options import ConvertOptions
from importers.registry import Registry
from importers.report import Report
from importers.settings import Settings
from importers.upload import UploadOptions, delete, upload

REGISTRY = Registry([TalkAdapter(), ChatAdapter()])
FAST = RetryPolicy(
    max_attempts=30, backoff_initial_s=0.01, backoff_max_s=0.05, processing_wait_s=0.05
)


def run(
    fake: FakeOmi,
    inputs: list[Path],
    state: Path,
    key: str = GOOD_KEY,
    convert: ConvertOptions | None = None,
    **opts: Any,
) -> Report:
    """``omi-import import INPUTS`` with the test adapters, fast retries and a 5 s timeout."""
    options = UploadOptions(policy=FAST, read_timeout_s=5, **opts)
    with Ledger.open(state) as ledger:
        return upload(
            inputs,
            settings=Settings(fake.url, SecretStr(key)),
            ledger=ledger,
            convert_options=convert,
            options=options,
            registry=REGISTRY,
        )


def remove(
    fake: FakeOmi, state: Path, *, paths: list[Path] | None = None, run_id: int | None = None
) -> Report:
    """``omi-import delete PATHS | --all-from-run RUN``."""
    with Ledger.open(state) as ledger:
        return delete(
            settings=Settings(fake.url, SecretStr(GOOD_KEY)),
            ledger=ledger,
            paths=paths or [],
            run=run_id,
            options=UploadOptions(policy=FAST, read_timeout_s=5),
        )
