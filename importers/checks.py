"""What ``omi-import doctor`` reports: a :class:`Check` each, from the core and from every
adapter (:meth:`importers.adapter.Adapter.checks`), so an adapter says what it needs without
knowing the command that shows it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Status = Literal["ok", "warn", "fail"]
CORE = "omi-import"


@dataclass(frozen=True)
class Check:
    """One finding: ``fix`` says what to run or change (empty when there is nothing to do)."""

    name: str
    status: Status
    detail: str
    fix: str = ""
    group: str = CORE  # who checked: the core, or the adapter's name (set by :func:`run_checks`)


def folder_check(name: str, path: Path) -> Check:
    """Whether ``path`` is a writable folder, or can be made one (nothing is created)."""
    if path.exists():
        if not path.is_dir():
            return Check(name, "fail", f"{path} is not a folder", "remove it or choose another")
        if os.access(path, os.W_OK | os.X_OK):
            return Check(name, "ok", f"{path} (writable)")
        return Check(name, "fail", f"{path} is not writable", f"make it writable: chmod u+w {path}")
    parent = next(p for p in path.parents if p.exists())
    if parent.is_dir() and os.access(parent, os.W_OK | os.X_OK):
        return Check(name, "ok", f"{path} (created on first use)")
    return Check(
        name,
        "fail",
        f"{path} cannot be created ({parent} is not writable)",
        "choose another folder",
    )
