"""The uploader: conversions into Omi, exactly once, within the write budget.

One way through it: :class:`~importers.upload.importer.Importer` (the run object; a method per
run: import, stream, delete) begins a :class:`~importers.upload.session.Session` (one run in the
ledger), whose :class:`~importers.upload.producer.Producer` converts the inputs and turns them
into :mod:`~importers.upload.jobs`, which the :class:`~importers.upload.scheduler.Scheduler`
runs against the rate limit (:mod:`~importers.upload.pacing`), one request an attempt through
the :class:`~importers.upload.client.OmiClient` (:mod:`~importers.upload.transport`,
:mod:`~importers.upload.answers`), every state written to the
:class:`~importers.upload.ledger.Ledger` around it. Beside them: what is known of the server
(:mod:`~importers.upload.server`), the recordings the ledger holds
(:mod:`~importers.upload.recordings`), the run's :mod:`~importers.upload.report` and
:mod:`~importers.upload.progress` protocol, the settings (:mod:`~importers.upload.settings`,
:mod:`~importers.upload.config`), and drop folders (:mod:`~importers.upload.watch`,
:mod:`~importers.upload.arrivals`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importers.upload.importer import Importer, UploadOptions
    from importers.upload.session import INTERRUPTED

__all__ = ["INTERRUPTED", "Importer", "UploadOptions"]

#: Loaded when first used: ``omi-import convert`` reads the config file through this package
#: (:mod:`importers.upload.config`) and must not pay for the uploader (httpx, SQLite) at start.
_LAZY = {
    "Importer": "importers.upload.importer",
    "UploadOptions": "importers.upload.importer",
    "INTERRUPTED": "importers.upload.session",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
