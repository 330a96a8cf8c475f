"""Deterministic conversation keys: the ``client_session_id`` of every request.

A key is derived from the file's *content* (SHA-256 of its bytes), the adapter, every option that
changes the request body, and the chunk's index. So the same file gives the same keys under any
name or path, a changed file gives new ones, and a retry, crash or re-run can never create a
second conversation: the server returns the existing one for a known ``client_session_id``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

KEY_PREFIX = "omi-import"
#: Part of every key's material. Changing it re-keys every file a user has imported, so each
#: re-run after the upgrade would create a second conversation of it: it may change only
#: together with a migration that maps the old keys in users' ledgers (and tests/test_keys.py
#: pins the keys this version gives). New options enter the material only when set (see
#: ConvertOptions.key_options), which needs no new version.
KEY_VERSION = 1


def fingerprint(content_sha256: str, format_name: str, options: Mapping[str, object]) -> str:
    """A hex digest of the content plus everything that shapes the bodies."""
    material = json.dumps(
        {"v": KEY_VERSION, "content": content_sha256, "format": format_name, "options": options},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def conversation_key(digest: str, index: int) -> str:
    """``omi-import-<40 hex>-<index>``: at most 200 characters, as the API requires."""
    return f"{KEY_PREFIX}-{digest[:40]}-{index:03d}"
