"""Resolve ``--device auto`` and ``--compute-type auto``."""

from __future__ import annotations

import os

from .deps import require


def whisper_device(device: str) -> str:
    if device != "auto":
        return device
    ctranslate2 = require("ctranslate2")
    return "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"


def compute_type(device: str, compute: str) -> str:
    if compute != "auto":
        return compute
    return "float16" if device == "cuda" else "int8"


def torch_device(device: str) -> str:
    if device != "auto":
        return device
    torch = require("torch")
    return "cuda" if torch.cuda.is_available() else "cpu"


def cpu_threads() -> int:
    """Threads for CTranslate2 on CPU: ``OMP_NUM_THREADS`` when the process was given a share
    of the machine (a Dask worker gets 1, as torch does), else every core."""
    share = os.environ.get("OMP_NUM_THREADS", "").strip()
    if share.isdigit() and int(share) > 0:
        return int(share)
    return os.cpu_count() or 1
