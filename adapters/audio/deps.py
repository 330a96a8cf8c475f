"""Lazy imports of the heavy audio stack, with one clear error when it is missing."""

from __future__ import annotations

import importlib
import os
from types import ModuleType

from importers.errors import MissingDependencyError

INSTALL_HINT = (
    'install the audio extra: pip install "omi-import[audio]" - and install torch first '
    "(CPU: pip install torch --index-url https://download.pytorch.org/whl/cpu; CUDA: see "
    "pytorch.org), so that the extra never replaces your torch build"
)


def quiet_environment() -> None:
    """Telemetry off, Hugging Face progress bars off; set before pyannote is imported."""
    os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


def require(module: str) -> ModuleType:
    """Import ``module`` or raise :class:`MissingDependencyError` naming the pip command."""
    quiet_environment()
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(
            f"audio input needs {module.split('.')[0]} ({exc}); {INSTALL_HINT}"
        ) from None
