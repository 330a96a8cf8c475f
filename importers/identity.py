"""Deterministic conversation keys: the ``client_session_id`` of every request.

A key is derived from the file's *content* (SHA-256 of its bytes), the adapter, every option that
changes the request body, and the chunk's index. So the same file gives the same keys under any
name or path, a changed file gives new ones, and a retry, crash or re-run can never create a
second conversation: the server returns the existing one for a known ``client_session_id``.
A conversation deleted from Omi is imported again under the next *generation* of its key
(:func:`conversation_key`), which the ledger keeps.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping

KEY_PREFIX = "omi-import"
#: Part of every key's material. Changing it re-keys every file a user has imported, so each
#: re-run after the upgrade would create a second conversation of it: it may change only
#: together with a migration that maps the old keys in users' ledgers (and tests/core/test_keys.py
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


def conversation_key(digest: str, index: int, generation: int = 0) -> str:
    """``omi-import-<40 hex>-<index>``, and ``-g<generation>`` after it from generation 1 on:
    at most 200 characters, as the API requires.

    A generation is a new key for the same conversation once its key is spent: Omi deleted the
    conversation, and a server that remembers deletions (server-behavior.md, E2) answers that
    key ``deleted`` forever. Generation 0 has no suffix, so no key sent before changes.
    """
    key = f"{KEY_PREFIX}-{digest[:40]}-{index:03d}"
    return key if generation == 0 else f"{key}-g{generation}"


def generation_of(key: str) -> int:
    """The generation of a key (0 for a key without the suffix)."""
    found = _GENERATION.search(key)
    return int(found.group(1)) if found else 0


def regenerated(key: str, generation: int) -> str:
    """``key`` (of any generation) at ``generation``."""
    found = _GENERATION.search(key)
    base = key[: found.start()] if found else key
    return base if generation == 0 else f"{base}-g{generation}"


_GENERATION = re.compile(r"-g([0-9]+)$")
