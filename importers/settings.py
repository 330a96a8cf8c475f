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
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs
from pydantic import SecretStr

from importers.errors import ConfigError

APP_NAME = "omi-import"
DEFAULT_BASE_URL = "https://api.omi.me"
ENV_API_KEY = "OMI_API_KEY"
ENV_BASE_URL = "OMI_API_BASE_URL"
ENV_STATE = "OMI_IMPORT_STATE"
CONFIG_FILE = "config.toml"


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


def state_dir() -> Path:
    """The state folder (the ledger, the audio caches): ``$OMI_IMPORT_STATE``, else the user
    data folder (``~/.local/share/omi-import`` on Linux). ``import --state DIR`` moves the
    ledger of one run."""
    override = os.environ.get(ENV_STATE, "").strip()
    if override:
        return Path(override).expanduser()
    return platformdirs.user_data_path(APP_NAME)


def default_config_path() -> Path:
    return platformdirs.user_config_path(APP_NAME) / CONFIG_FILE


def read_config(path: Path) -> dict[str, str]:
    """The string settings of a TOML config file ({} when it does not exist)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        # The parser's message may quote the line, which may hold the key: say only where.
        where = f" (line {exc.lineno})" if hasattr(exc, "lineno") else ""
        raise ConfigError(f"{path}: not valid TOML{where}") from None
    out: dict[str, str] = {}
    for name in ("api_key", "base_url"):
        value = data.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise ConfigError(f"{path}: {name} must be a string")
        out[name] = value
    return out


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
    # A key with whitespace or control characters would break (or inject into) the header line.
    if any(c.isspace() or not c.isprintable() for c in key):
        raise ConfigError("the API key contains spaces or control characters; copy it again")
    return SecretStr(key)


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
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    if scheme not in ("http", "https") or not host:
        raise ConfigError(f"base URL {url!r} must look like https://api.omi.me")
    if parts.username or parts.password:
        raise ConfigError("the base URL must not contain a user name or password")
    if scheme == "http" and not is_loopback(host):
        raise ConfigError(
            f"refusing to send the API key over plain http:// to {host}; use https:// "
            "(http:// is allowed only to localhost)"
        )
    return url.strip().rstrip("/")
