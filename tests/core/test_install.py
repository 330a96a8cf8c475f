"""importers.install: the pip commands a message gives, for the way this copy was installed."""

from __future__ import annotations

import re
from pathlib import Path

from support import installs_extra

from importers.install import _requirement, add_extra, reinstall


def test_an_extra_comes_from_where_this_copy_was_installed() -> None:
    """These tests run on a clone installed with ``pip install -e`` (README, .ci/run): the
    command names that checkout's folder, editable, which pip can install from."""
    command = add_extra("audio")
    found = re.fullmatch(r'pip install -e "(.+)\[audio\]"', command)
    assert found, command
    assert (Path(found[1]) / "pyproject.toml").is_file()
    assert installs_extra(command, "audio")
    assert not installs_extra(command, "dask")


def test_each_way_of_installing_gets_its_own_requirement() -> None:
    """PEP 610 records: an editable folder, a plain folder (spaces in its name), a Git URL, a
    wheel's URL; no record at all (an index) gets the package's name."""
    editable = {"url": "file:///home/ana/omi-import", "dir_info": {"editable": True}}
    assert _requirement("audio", editable) == '-e "/home/ana/omi-import[audio]"'
    folder = {"url": "file:///home/ana/My%20Code/omi-import", "dir_info": {}}
    assert _requirement("dask", folder) == '"/home/ana/My Code/omi-import[dask]"'
    git = {
        "url": "https://github.com/ana/omi-import.git",
        "vcs_info": {"vcs": "git", "commit_id": "0" * 40},
    }
    assert _requirement("audio", git) == (
        '"omi-import[audio] @ https://github.com/ana/omi-import.git"'
    )
    wheel = {"url": "file:///tmp/omi_import-0.2.0-py3-none-any.whl", "archive_info": {}}
    assert _requirement("audio", wheel) == (
        '"omi-import[audio] @ file:///tmp/omi_import-0.2.0-py3-none-any.whl"'
    )
    assert _requirement("audio", None) == '"omi-import[audio]"'
    assert _requirement("audio", {"url": 3}) == '"omi-import[audio]"'


def test_a_damaged_package_is_put_back_alone_at_its_version() -> None:
    """Alone (--no-deps): reinstalling with its dependencies could replace the user's torch."""
    assert reinstall("click").startswith("pip install --force-reinstall --no-deps click==8.")
    assert reinstall("no-such-distribution") == (
        "pip install --force-reinstall --no-deps no-such-distribution"
    )
