"""Lazy imports of the heavy audio stack: one clear error when a part is missing or cannot load,
and none of its noise on stderr.

Two parts of what ``pip install "omi-import[audio]"`` brings cannot load on a machine whose torch
is a CPU build, because PyPI's Linux wheels of torchaudio and torchcodec are CUDA builds:

* torchaudio's C++ extension (``torchaudio/lib/*.so`` needs ``libc10_cuda.so``). pyannote only
  uses torchaudio's Python code (Kaldi fbank, resampling, MFCC), so when the extension fails to
  load, torchaudio is imported again as if the extension were absent - which torchaudio itself
  supports (``_IS_TORCHAUDIO_EXT_AVAILABLE`` is then False). The files stay as pip put them.
* torchcodec (pyannote's file decoder). It is never needed: the audio reaches pyannote as an
  in-memory waveform (see :mod:`.decode`), so pyannote's warning that torchcodec cannot load is
  filtered, that warning only.
"""

from __future__ import annotations

import importlib
import os
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

from importers.errors import MissingDependencyError
from importers.install import add_extra

DOCTOR_HINT = "`omi-import doctor` shows what is ready and what to fix"
TORCH_HINT = (
    "install torch first (CPU: pip install torch --index-url "
    "https://download.pytorch.org/whl/cpu; CUDA: see pytorch.org)"
)


def install_hint() -> str:
    """How to install the audio extra, for this installation (see :mod:`importers.install`)."""
    return (
        f"install the audio extra: {add_extra('audio')} - and {TORCH_HINT}, so that the extra "
        "never replaces your torch build"
    )


#: Warnings that say nothing to an omi-import user: (message regex, category, module regex).
QUIET_WARNINGS: tuple[tuple[str, type[Warning], str], ...] = (
    # pyannote warns at import when torchcodec cannot load; we pass audio in memory instead.
    (r"\s*torchcodec is not installed correctly", UserWarning, r"pyannote\.audio\.core\.io"),
)
#: The torchaudio module that finds its compiled extension, and a folder that cannot exist.
_TORCHAUDIO_LIBS = "torchaudio._extension.utils"
_NO_LIBS = Path(os.devnull) / "torchaudio-extension-skipped"


def quiet_environment() -> None:
    """Telemetry off, Hugging Face progress bars off; set before pyannote is imported."""
    os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


@contextmanager
def quiet_warnings() -> Iterator[None]:
    """Within: the :data:`QUIET_WARNINGS` are ignored (every other warning is shown as usual)."""
    with warnings.catch_warnings():
        for message, category, module in QUIET_WARNINGS:
            warnings.filterwarnings("ignore", message=message, category=category, module=module)
        yield


def require(module: str) -> ModuleType:
    """Import ``module`` or raise :class:`MissingDependencyError` that says what to run."""
    quiet_environment()
    if module.split(".")[0] in ("pyannote", "torchaudio") and "torchaudio" not in sys.modules:
        _import_torchaudio()
    try:
        with quiet_warnings():
            return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(
            f"audio input needs {module.split('.')[0]} ({exc}); {install_hint()}",
            hint=DOCTOR_HINT,
        ) from None
    except OSError as exc:  # a compiled library that cannot load (a CUDA build without CUDA...)
        raise MissingDependencyError(
            f"{module.split('.')[0]} cannot load ({first_line(exc)}); reinstall it for this "
            "machine's torch build",
            hint=DOCTOR_HINT,
        ) from None


def torchaudio_extension_skipped() -> bool:
    """True when torchaudio was imported without its compiled extension (see the docstring)."""
    return getattr(sys.modules.get(_TORCHAUDIO_LIBS), "_LIB_DIR", None) == _NO_LIBS


def _import_torchaudio() -> None:
    try:
        importlib.import_module("torchaudio")
        return
    except ImportError:
        return  # require() reports the missing package when it imports what needs it
    except OSError as exc:
        first = exc
    # The failed import left its already-finished submodules in sys.modules, among them the one
    # that globs for the extension's files: pointing it at a folder that cannot exist makes the
    # second import see no extension, as torchaudio allows.
    libs: Any = sys.modules.get(_TORCHAUDIO_LIBS)
    if libs is None or not hasattr(libs, "_LIB_DIR"):
        raise MissingDependencyError(
            f"torchaudio cannot load ({first_line(first)})", hint=DOCTOR_HINT
        ) from None
    libs._LIB_DIR = _NO_LIBS
    try:
        importlib.import_module("torchaudio")
    except (ImportError, OSError) as exc:
        raise MissingDependencyError(
            f"torchaudio cannot load ({first_line(exc)})", hint=DOCTOR_HINT
        ) from None


def first_line(exc: BaseException) -> str:
    """``Type: the first line of the message`` (library messages run to many lines)."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
