"""Finished transcriptions and diarizations, kept by audio content hash + model + options.

One JSON file per result under ``<state dir>/audio-cache/``, written atomically, so a crash or a
re-run never redoes finished work and ``convert`` then ``import`` costs one transcription. They are
whole transcriptions: the folder is ``0700`` and every file ``0600`` (:mod:`importers.private`).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from importers.private import private_temp

CACHE_VERSION = 1


class ResultCache:
    """A directory of JSON results; unreadable entries count as missing."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @staticmethod
    def key(audio_sha256: str, stage: str, identity: dict[str, object]) -> str:
        blob = json.dumps([CACHE_VERSION, audio_sha256, stage, identity], sort_keys=True)
        return f"{stage}-{hashlib.sha256(blob.encode()).hexdigest()[:32]}"

    def get(self, key: str) -> Any:
        try:
            return json.loads((self.root / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def put(self, key: str, value: Any) -> None:
        write_json(self.root / f"{key}.json", value)


def write_json(path: Path, value: Any, indent: int | None = None) -> None:
    """Write ``value`` to ``path`` atomically: processes sharing the state folder (Dask
    workers) read the old file or the new one, never half of one."""
    fd, tmp = private_temp(path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(value, f, indent=indent)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
