"""Where the API key and base URL come from, and the check that keeps the key off plain HTTP.

Precedence, first found wins: the ``--api-key`` / ``--base-url`` options, the ``OMI_API_KEY`` /
``OMI_API_BASE_URL`` environment variables, then ``config.toml`` in the user's config directory
(``platformdirs.user_config_path("omi-import")``)::

    api_key = "omi_dev_..."
    base_url = "https://api.omi.me"   # optional

The key is held as a :class:`pydantic.SecretStr`, whose ``repr``/``str`` print asterisks, so it
cannot leak through a log line, a report or an exception message by accident.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from pydantic import SecretStr

from importers.errors import ConfigError
from importers.redact import printable
from importers.upload.config import default_config_path, read_config

DEFAULT_BASE_URL = "https://api.omi.me"
ENV_API_KEY = "OMI_API_KEY"
ENV_BASE_URL = "OMI_API_BASE_URL"


@dataclass(frozen=True)
class Settings:
    """What the client needs to reach Omi. ``api_key`` is None when none was configured."""

    base_url: str
    api_key: SecretStr | None

    def require_key(self) -> SecretStr:
        if self.api_key is None:
            raise ConfigError(
                'no API key: pass --api-key, set OMI_API_KEY, or put api_key = "..." in '
                f"{default_config_path()} (create the key in the Omi app under Settings > "
                "Developer > API keys, with write access to conversations)"
            )
        return self.api_key


def load_settings(
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    environ: Mapping[str, str] | None = None,
    config_path: Path | None = None,
) -> Settings:
    """Resolve the settings (options, then environment, then config file) and check them.

    Raises:
        ConfigError: an unreadable config file, a malformed key, or an insecure base URL.
    """
    env = os.environ if environ is None else environ
    config = read_config(config_path or default_config_path())
    key = _first(api_key, env.get(ENV_API_KEY), config.get("api_key"))
    url = _first(base_url, env.get(ENV_BASE_URL), config.get("base_url")) or DEFAULT_BASE_URL
    return Settings(base_url=check_base_url(url), api_key=_check_key(key) if key else None)


def _first(*values: str | None) -> str | None:
    for value in values:
        if value is not None and value.strip():
            return value.strip()
    return None


def _check_key(key: str) -> SecretStr:
    # A key with whitespace or control characters would break (or inject into) the header line;
    # HTTP headers are ASCII, so any other character cannot be sent at all. The message says
    # where, never which character: it may be part of the key.
    for position, c in enumerate(key, 1):
        if c.isspace() or not c.isprintable():
            raise ConfigError(
                f"the API key contains spaces or control characters (character {position}); "
                "copy it again"
            )
        if not c.isascii():
            raise ConfigError(
                f"the API key contains a character that is not ASCII (character {position}): "
                "keys are omi_dev_ followed by 32 hex digits; copy it again"
            )
    if not _KEY_SHAPE.fullmatch(key):
        # Sent anyway it would only cost a request and a 401: say so before any request. The
        # message describes the shape, never the value (it may be most of a real key).
        raise ConfigError(
            f"the API key is not an Omi developer key ({len(key)} characters): those are "
            "omi_dev_ followed by 32 hex digits; copy it again from the Omi app (Settings > "
            "Developer > API keys)"
        )
    return SecretStr(key)


#: What Omi's developer keys look like (server-behavior.md: ``Bearer omi_dev_<32 hex>``).
_KEY_SHAPE = re.compile(r"omi_dev_[0-9a-fA-F]{32}")


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(url: str) -> str:
    """Return the URL without a trailing slash, or refuse it.

    ``http://`` is allowed only to a loopback host: anywhere else the key would cross the
    network in clear text. This is decided from the URL alone, before any connection.
    """
    url = url.strip()
    shown = printable(url, 200)
    try:
        parts = urlsplit(url)
        scheme, host, _ = parts.scheme.lower(), parts.hostname or "", parts.port
        httpx.URL(url)
    except (ValueError, httpx.InvalidURL):
        raise ConfigError(f"base URL {shown!r} is not a valid URL") from None
    if (
        scheme not in ("http", "https")
        or not host
        or any(not c.isprintable() or c.isspace() for c in url)
    ):
        raise ConfigError(f"base URL {shown!r} must look like https://api.omi.me")
    if parts.username or parts.password:
        raise ConfigError("the base URL must not contain a user name or password")
    if scheme == "http" and not is_loopback(host):
        raise ConfigError(
            f"refusing to send the API key over plain http:// to {host}; use https:// "
            "(http:// is allowed only to localhost)"
        )
    return url.rstrip("/")
