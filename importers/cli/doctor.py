"""``omi-import doctor``: what is ready and what to fix, as a list of checks.

The core checks what every import needs: Python, omi-import itself, the state folder (the
ledger) and the API key - its presence only, or with ``online`` its acceptance through one read
request (``GET /v1/dev/user/conversations?limit=1``) - and says what earlier imports learned of
the server's era (:mod:`importers.upload.server`) and what only a write can show. Every registered
adapter then adds its own checks through :meth:`~importers.adapter.Adapter.checks` (the audio
adapter: torch, CUDA, models, ``HF_TOKEN``); the core knows none of them.

A config file, when there is one, is checked too: a warning when it holds the API key and other
accounts can read it (with the ``chmod 600`` that fixes it).

A check is ``ok``, ``warn`` (works, or is only needed for some inputs, but deserves a look) or
``fail`` (something a run needs is not ready). The exit code is 1 when any check failed.
No check ever shows the API key.
"""

from __future__ import annotations

import contextlib
import sqlite3
import sys
import textwrap
from collections.abc import Iterable
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from importers import __version__
from importers.checks import CORE, Check, folder_check
from importers.errors import ConfigError, ImporterError
from importers.state import state_dir as default_state_dir
from importers.upload.config import config_key_exposed, default_config_path, key_fix
from importers.upload.settings import load_settings
from importers.wording import count

if TYPE_CHECKING:
    from importers.registry import Registry


def core_checks(state_dir: Path, *, online: bool) -> list[Check]:
    """Python, omi-import, the state folder, the API key and what is known of the server (see
    the module docstring)."""
    python = ".".join(map(str, sys.version_info[:3]))
    return [
        Check("Python", "ok", f"{python} ({sys.executable})"),  # older ones cannot import us
        Check(CORE, "ok", __version__),
        folder_check("state folder", state_dir),
        *config_check(default_config_path()),
        api_key_check(online=online),
        server_check(state_dir),
    ]


class _LedgerMeta:
    """The ledger's ``meta`` table, read only (doctor neither creates nor migrates a ledger)."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def get_meta(self, name: str) -> str | None:
        if not self._path.exists():
            return None
        try:
            with contextlib.closing(
                sqlite3.connect(f"{self._path.as_uri()}?mode=ro", uri=True)
            ) as db:
                row = db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        except sqlite3.Error:
            return None
        return None if row is None else str(row[0])

    def set_meta(self, name: str, value: str) -> None:  # pragma: no cover - never learns
        raise AssertionError("doctor only reads the ledger")


def server_check(state_dir: Path) -> Check:
    """What earlier imports' answers showed of the server (:mod:`importers.upload.server`), and what
    no read can show."""
    from importers.upload.ledger import LEDGER_FILE
    from importers.upload.server import WRITE_ONLY, ServerFacts

    try:
        base_url = load_settings().base_url
    except ConfigError:
        return Check("Omi server", "warn", "the settings cannot be read (see API key)")
    facts = ServerFacts(_LedgerMeta(state_dir / LEDGER_FILE), base_url)
    return Check("Omi server", "ok", f"{base_url}: {facts.describe()}; {WRITE_ONLY}")


def config_check(path: Path) -> list[Check]:
    """The config file, when there is one: a warning when it holds the API key and other
    accounts can read it (an unreadable file is the API key check's failure)."""
    if not path.is_file():
        return []
    try:
        exposed = config_key_exposed(path)
    except ConfigError:
        return []
    if exposed is not None:
        return [Check("config file", "warn", exposed, key_fix(path))]
    return [Check("config file", "ok", str(path))]


def api_key_check(*, online: bool) -> Check:
    """The key's presence; with ``online``, what one read request says of it."""
    from importers.upload.client import OmiClient
    from importers.upload.decisions import KEY_HELP

    name = "API key"
    try:
        settings = load_settings()
    except ConfigError as exc:
        return Check(name, "fail", "the settings cannot be read", str(exc))
    try:
        key = settings.require_key()
    except ConfigError as exc:
        return Check(name, "fail", "not set", str(exc))
    if not online:
        return Check(name, "ok", f"set, for {settings.base_url} (not sent: --online checks it)")
    with OmiClient(settings.base_url, key, read_timeout_s=30) as client:
        try:
            status, detail = client.probe()
        except httpx.HTTPError as exc:
            reason = client.shown(f"{type(exc).__name__}: {exc}".strip(": "))
            return Check(
                name,
                "fail",
                f"cannot reach {settings.base_url} ({reason})",
                "check the network and OMI_API_BASE_URL",
            )
    unseen = "write access (conversations:write) shows only on a write: the first import tells"
    if status == 200:
        return Check(name, "ok", f"accepted by {settings.base_url} (it can read); {unseen}")
    if status == 401:
        return Check(
            name, "fail", f"refused by {settings.base_url}", KEY_HELP.format(detail=detail)
        )
    if status == 403:
        return Check(
            name, "warn", f"accepted, but it may not read conversations (403: {detail}); {unseen}"
        )
    return Check(name, "warn", f"{settings.base_url} answered {status} ({detail}); not checked")


def run_checks(
    registry: Registry,
    *,
    online: bool = False,
    state_dir: Path | None = None,
) -> list[Check]:
    """The core's checks, then each adapter's (an adapter's error becomes a failed check)."""
    checks = core_checks(state_dir or default_state_dir(), online=online)
    for adapter in (info.adapter for info in registry.infos):
        try:
            found = list(adapter.checks(online=online))
        except ImporterError as exc:
            found = [Check("checks", "fail", str(exc))]
        checks += [replace(c, group=adapter.name) for c in found]
    return checks


def exit_code(checks: Iterable[Check]) -> int:
    return 1 if any(c.status == "fail" for c in checks) else 0


def to_json(checks: list[Check]) -> dict[str, Any]:
    """``{"ok": bool, "checks": [{"group", "name", "status", "detail", "fix"}...]}``."""
    return {"ok": exit_code(checks) == 0, "checks": [asdict(c) for c in checks]}


def render(checks: list[Check], width: int = 100) -> str:
    """One entry per check, grouped, with a ``fix:`` under each problem, then a verdict."""
    name_width = max((len(c.name) for c in checks), default=0)
    indent = " " * (name_width + 10)
    lines: list[str] = []
    for i, c in enumerate(checks):
        if i == 0 or c.group != checks[i - 1].group:
            lines += ["", c.group] if lines else [c.group]
        head = f"  {c.status:<4}  {c.name:<{name_width}}  "
        lines += _wrap(c.detail, width, head, indent)
        if c.fix:
            lines += _wrap(f"fix: {c.fix}", width, indent, indent + "     ")
    failed = sum(c.status == "fail" for c in checks)
    warned = sum(c.status == "warn" for c in checks)
    notes = f" ({count(warned, 'warning')})" if warned else ""
    if failed:
        lines += ["", f"Not ready: {count(failed, 'problem')} to fix{notes}."]
    else:
        lines += ["", f"Ready{notes}."]
    return "\n".join(lines)


def _wrap(text: str, width: int, first: str, rest: str) -> list[str]:
    # Paths and URLs stay whole: broken at their hyphens they could not be copied.
    return textwrap.wrap(
        text,
        width,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    )
