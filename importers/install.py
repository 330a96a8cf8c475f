"""The pip commands that add an extra, or mend a broken package, for this copy of omi-import.

omi-import is installed from a clone (``pip install -e ".[audio]"``), which no package index
serves, so ``pip install "omi-import[audio]"`` would fail: an extra is added from where this copy
came from. pip records that for every install from a folder or a URL (PEP 610's
``direct_url.json``); a copy with no such record came from an index, and gets the name.

A package whose files are damaged is reinstalled alone (``--no-deps``) at the version installed:
reinstalling an extra with its dependencies would replace the user's own torch build.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import metadata
from urllib.parse import unquote, urlparse

#: The distribution name of omi-import.
DIST = "omi-import"


@cache
def add_extra(extra: str) -> str:
    """``pip install ...`` that adds ``extra`` to this installation."""
    return f"pip install {_requirement(extra, _direct_url(DIST))}"


def _requirement(extra: str, direct: dict[str, object] | None) -> str:
    """The requirement pip is given: a folder (``-e`` when editable), a URL, or the name."""
    if direct is None or not isinstance(url := direct.get("url"), str):
        return f'"{DIST}[{extra}]"'
    parsed = urlparse(url)
    if parsed.scheme != "file" or "vcs_info" in direct or "archive_info" in direct:
        return f'"{DIST}[{extra}] @ {url}"'
    dir_info = direct.get("dir_info")
    editable = isinstance(dir_info, dict) and dir_info.get("editable") is True
    return f'{"-e " if editable else ""}"{unquote(parsed.path)}[{extra}]"'


def reinstall(dist: str) -> str:
    """``pip install ...`` that puts back the files of ``dist`` alone, at its installed version."""
    try:
        pin = f"=={metadata.version(dist)}"
    except metadata.PackageNotFoundError:
        pin = ""
    return f"pip install --force-reinstall --no-deps {dist}{pin}"


def _direct_url(dist: str) -> dict[str, object] | None:
    """PEP 610's record of where ``dist`` was installed from; None for an index or no record."""
    try:
        text = metadata.distribution(dist).read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return None
    if not text:
        return None
    try:
        found = json.loads(text)
    except ValueError:
        return None
    return found if isinstance(found, dict) else None
