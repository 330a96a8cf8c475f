"""Where omi-import keeps its state: the ledger and the audio caches (one folder, so that a
state folder moved or shared moves everything together)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "omi-import"
ENV_STATE = "OMI_IMPORT_STATE"


def state_dir() -> Path:
    """The state folder (the ledger, the audio caches): ``$OMI_IMPORT_STATE``, else the user
    data folder (``~/.local/share/omi-import`` on Linux). ``import --state DIR`` moves the
    ledger of one run."""
    override = os.environ.get(ENV_STATE, "").strip()
    if override:
        return Path(override).expanduser()
    return platformdirs.user_data_path(APP_NAME)
