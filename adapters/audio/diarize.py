"""Who spoke when, with pyannote.audio 4: a hub pipeline id, a local pipeline, or ``builtin``."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from importers.errors import ModelLoadError
from importers.model import SpeakerTurn

from .builtin import BUILTIN_STEP, builtin_pipeline
from .decode import SAMPLE_RATE
from .deps import require
from .devices import torch_device
from .settings import BUILTIN, AudioSettings

Progress = Callable[[float], None]
TOKEN_ENVS = ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN")


@dataclass(frozen=True)
class DiarizationSpec:
    """Which pipeline and how: also the cache identity of a diarization."""

    source: str
    label: str
    device: str
    step: float | None
    num_speakers: int | None
    min_speakers: int | None
    max_speakers: int | None

    def identity(self) -> dict[str, object]:
        return {
            "pipeline": self.label,
            "step": self.step,
            "num": self.num_speakers,
            "min": self.min_speakers,
            "max": self.max_speakers,
        }


def resolve(settings: AudioSettings) -> DiarizationSpec:
    name = settings.diarization_model
    step = settings.diarization_step
    if name == BUILTIN:
        label = f"builtin:seg3+campplus:{step or BUILTIN_STEP}"
    elif Path(name).expanduser().exists():
        path = Path(name).expanduser().resolve()
        config = path if path.is_file() else path / "config.yaml"
        label = f"dir:{path}:{int(config.stat().st_mtime) if config.exists() else 0}"
        name = str(path)
    elif name.startswith((".", "/", "~")):
        raise ModelLoadError(
            f"--diarization-model {name}: no such file or directory; {_what_to_do(name)}"
        )
    else:
        label = name
    return DiarizationSpec(
        source=name,
        label=label,
        device=torch_device(settings.device),
        step=step,
        num_speakers=settings.num_speakers,
        min_speakers=settings.min_speakers,
        max_speakers=settings.max_speakers,
    )


def _what_to_do(name: str) -> str:
    page = (
        f"https://huggingface.co/{name}"
        if "/" in name and not name.startswith((".", "/", "~"))
        else None
    )
    steps = []
    if page:
        steps.append(
            f"accept the terms at {page} and set HF_TOKEN to a token of that account "
            "(https://huggingface.co/settings/tokens)"
        )
    steps.append("or pass --diarization-model DIR (a downloaded pipeline folder with config.yaml)")
    steps.append("or --diarization-model builtin (offline, no token)")
    steps.append("or --no-diarize (one speaker)")
    return "; ".join(steps)


def load(spec: DiarizationSpec, cache: Path) -> Any:
    """Load the pipeline; any failure becomes a :class:`ModelLoadError` that says what to do."""
    require("pyannote.audio")
    require("pyannote.audio.telemetry").set_telemetry_metrics(False)
    pipe = builtin_pipeline(cache, spec.step) if spec.source == BUILTIN else _load_pretrained(spec)
    if spec.device != "cpu":
        torch = require("torch")
        pipe.to(torch.device(spec.device))
    return pipe


def _load_pretrained(spec: DiarizationSpec) -> Any:
    pipeline_cls = require("pyannote.audio").Pipeline
    is_local = Path(spec.source).exists()
    token = next((os.environ[e] for e in TOKEN_ENVS if os.environ.get(e)), None)
    try:
        pipe = pipeline_cls.from_pretrained(spec.source, token=None if is_local else token)
    except Exception as exc:  # hub errors (gated, 401, offline), bad config, missing files
        reason = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".strip(": ")
        if token is None and not is_local:
            reason = f"no HF_TOKEN is set ({reason})"
        raise ModelLoadError(
            f"cannot load diarization pipeline {spec.source!r}: {reason}; "
            f"{_what_to_do(spec.source)}"
        ) from None
    if pipe is None:  # pyannote returns None (after printing) for some gated-access failures
        raise ModelLoadError(
            f"cannot load diarization pipeline {spec.source!r}"
            f"{'' if token else ' (no HF_TOKEN is set)'}; {_what_to_do(spec.source)}"
        )
    if spec.step is not None and hasattr(pipe, "_segmentation"):
        pipe.segmentation_step = spec.step
        pipe._segmentation.step = spec.step * pipe._segmentation.duration
    return pipe


def diarize(
    pipe: Any, spec: DiarizationSpec, wav: Any, progress: Progress | None = None
) -> list[SpeakerTurn]:
    """Run the pipeline on the in-memory waveform; return its exclusive turns."""
    torch = require("torch")
    duration = len(wav) / SAMPLE_RATE
    kwargs: dict[str, Any] = {}
    for key in ("num_speakers", "min_speakers", "max_speakers"):
        if getattr(spec, key) is not None:
            kwargs[key] = getattr(spec, key)
    if progress is not None:
        kwargs["hook"] = _hook(progress, duration)
    audio = {"waveform": torch.from_numpy(wav)[None], "sample_rate": SAMPLE_RATE}
    with torch.inference_mode():
        output = pipe(audio, **kwargs)
    annotation = getattr(output, "exclusive_speaker_diarization", None)
    if annotation is None:
        annotation = getattr(output, "speaker_diarization", output)
    turns = [
        SpeakerTurn(round(seg.start * 1000), round(seg.end * 1000), str(label))
        for seg, _, label in annotation.itertracks(yield_label=True)
    ]
    if progress is not None:
        progress(duration)
    return sorted(turns, key=lambda t: (t.start_ms, t.end_ms))


def _hook(progress: Progress, duration: float) -> Callable[..., None]:
    """pyannote's step hook -> audio seconds: segmentation is the first 20 %, then embeddings."""
    share = {"segmentation": (0.0, 0.2), "embeddings": (0.2, 0.95)}

    def hook(
        step: str,
        artifact: Any = None,
        file: Any = None,
        total: int | None = None,
        completed: int | None = None,
    ) -> None:
        if step in share and total and completed is not None:
            lo, hi = share[step]
            progress(duration * (lo + (hi - lo) * min(1.0, completed / total)))

    return hook
