"""Resolve ``--device auto`` and ``--compute-type auto``."""

from __future__ import annotations

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
