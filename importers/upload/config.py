"""The config file (``config.toml``): where it is, reading it, and its ``[defaults]``.

``$OMI_IMPORT_CONFIG``, else ``config.toml`` in the user config folder
(``~/.config/omi-import/config.toml`` on Linux)::

    api_key = "omi_dev_..."            # the API key (importers.upload.settings)
    base_url = "https://api.omi.me"    # optional

    [defaults]                         # a default for any command-line option
    me = ["Ana Lima"]
    timezone = "Europe/Berlin"
    state = "~/omi-state"

Errors name the file and the line but never quote it: a line may hold the key. A file that
holds the key and that other accounts can read is warned about (as ssh does for keys), with the
``chmod 600`` that fixes it; ``omi-import doctor`` shows it too.
"""

from __future__ import annotations

import os
import re
import tomllib
import warnings
from pathlib import Path

import platformdirs

from importers.errors import ConfigError, ImporterWarning
from importers.private import open_to_others
from importers.state import APP_NAME

ENV_CONFIG = "OMI_IMPORT_CONFIG"
CONFIG_FILE = "config.toml"
_TOML_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)|\s*\(at end of document\)")
_QUOTES = re.compile("[\"'`]")


def default_config_path() -> Path:
    """``$OMI_IMPORT_CONFIG``, else ``config.toml`` in the user config folder."""
    override = os.environ.get(ENV_CONFIG, "").strip()
    if override:
        return Path(override).expanduser()
    return platformdirs.user_config_path(APP_NAME) / CONFIG_FILE


def read_config(path: Path) -> dict[str, str]:
    """The string settings of a TOML config file ({} when it does not exist)."""
    data = _config_table(path)
    out: dict[str, str] = {}
    for name in ("api_key", "base_url"):
        value = data.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise ConfigError(f"{path}: {name} must be a string")
        out[name] = value
    if (exposed := _key_exposed(path, out.get("api_key"))) is not None:
        warnings.warn(ImporterWarning(f"{exposed}; {key_fix(path)}"), stacklevel=2)
    return out


def _key_exposed(path: Path, key: object) -> str | None:
    """``PATH holds the API key and other accounts can read it (mode 0644)`` when ``key`` (the
    file's ``api_key``) is set and the group or others may read the file; else None."""
    if not isinstance(key, str) or not key.strip() or (mode := open_to_others(path)) is None:
        return None
    return f"{path} holds the API key and other accounts can read it (mode {mode:04o})"


def key_fix(path: Path) -> str:
    """What fixes a config file that other accounts can read."""
    return f"make it readable only by you: chmod 600 {path}"


def config_key_exposed(path: Path) -> str | None:
    """:func:`_key_exposed` of the config file at ``path`` (None when there is none).

    Raises:
        ConfigError: the file cannot be read.
    """
    return _key_exposed(path, _config_table(path).get("api_key"))


def config_defaults(path: Path | None = None) -> dict[str, object]:
    """The ``[defaults]`` table of the config file: option name -> value ({} when none).

    ``[defaults]`` gives any command-line option a default of the user's (``me = ["Ana
    Lima"]``, ``timezone = "Europe/Berlin"``, ``source = "phone"``, ``state = "~/omi"``); a
    flag given on the command line still wins.

    Raises:
        ConfigError: an unreadable file, or ``defaults`` that is not a table of plain values.
    """
    path = path or default_config_path()
    defaults = _config_table(path).get("defaults", {})
    if not isinstance(defaults, dict) or not all(
        isinstance(v, str | int | float | bool)
        or (isinstance(v, list) and all(isinstance(x, str) for x in v))
        for v in defaults.values()
    ):
        raise ConfigError(
            f"{path}: [defaults] must map option names to strings, numbers, true/false or "
            "lists of strings"
        )
    return dict(defaults)


def _config_table(path: Path) -> dict[str, object]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ConfigError(f"{path}:{line}: not valid TOML: not UTF-8 text") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Where, and the parser's reason only when it quotes nothing: a line may hold the key.
        where = _toml_position(exc, text)
        raise ConfigError(f"{path}:{where}: not valid TOML{_toml_reason(exc)}") from None
    return data


def _toml_position(exc: tomllib.TOMLDecodeError, text: str) -> str:
    """``LINE:COLUMN`` of a TOML error (attributes since Python 3.14, the message before)."""
    line, column = getattr(exc, "lineno", None), getattr(exc, "colno", None)
    if line is None and (found := _TOML_AT.search(str(exc))) and found[1] is not None:
        line, column = int(found[1]), int(found[2])
    if line is None:  # "at end of document"
        lines = text.split("\n")
        line, column = len(lines), len(lines[-1]) + 1
    return f"{line}:{column}"


def _toml_reason(exc: tomllib.TOMLDecodeError) -> str:
    """The parser's reason, unless it quotes the file (whose line may hold the key)."""
    reason = str(getattr(exc, "msg", None) or _TOML_AT.sub("", str(exc))).strip()
    return f" ({reason})" if reason and not _QUOTES.search(reason) else ""
