"""The docs as data, for ``tests/cli/test_docs.py``: the pages, their fenced code blocks (with
what marks a block that cannot run), their relative links, their headings' anchors, and a
scratch place in which a block's commands run.

A block is run unless the line above it (blank lines aside) is one of::

    <!-- no-run: why it cannot run here -->      never run (an install, a service, a cluster...)
    <!-- needs: audio -->                         run only where that extra is installed

A ``bash`` block that runs holds ``omi-import`` commands only, one a line (``cat FILE |`` may feed
one its standard input). Each runs, through ``bash``, in a scratch folder where ``samples/`` is
the repository's, with a state folder, home and config of its own, and with ``OMI_API_KEY`` and
``OMI_API_BASE_URL`` pointing at the fake Omi server of the tests, so nothing real is touched.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fake_omi import GOOD_KEY, FakeOmi

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
DOCS = REPO / "docs"
#: Generated from the CLI itself (cog): no proof that anything is documented by hand.
GENERATED = DOCS / "cli.md"

EXTRAS = {"audio": "faster_whisper", "dask": "distributed"}


def pages() -> list[Path]:
    """README.md and every page of docs/."""
    return [README, *sorted(DOCS.glob("*.md"))]


def written_pages() -> list[Path]:
    """The pages written by hand: all but the generated command reference."""
    return [p for p in pages() if p != GENERATED]


def name(page: Path) -> str:
    return page.relative_to(REPO).as_posix()


@dataclass(frozen=True)
class Block:
    """A fenced code block: its page, the line of its opening fence, its language, its text,
    and the marker above it (``no-run: ...``, ``needs: audio``), if any."""

    page: Path
    line: int
    lang: str
    text: str
    marker: str | None

    @property
    def where(self) -> str:
        return f"{name(self.page)}:{self.line}"

    @property
    def needs(self) -> str | None:
        if self.marker and self.marker.startswith("needs:"):
            return self.marker.removeprefix("needs:").strip()
        return None

    @property
    def runs(self) -> bool:
        return not (self.marker or "").startswith("no-run:")


_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
_MARKER = re.compile(r"[ \t]*<!--[ \t]*((?:no-run|needs):[^>]*?)[ \t]*-->[ \t]*")


def blocks(page: Path, lang: str | None = None) -> list[Block]:
    """The fenced blocks of ``page`` (of one language, if given), in order."""
    lines = page.read_text(encoding="utf-8").splitlines()
    found = []
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        fence, indent = opening["fence"], opening["indent"]
        closing = re.compile(rf"[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*")
        end = next((j for j in range(i + 1, len(lines)) if closing.fullmatch(lines[j])), len(lines))
        body = [line.removeprefix(indent) for line in lines[i + 1 : end]]
        above = i - 1
        while above >= 0 and not lines[above].strip():
            above -= 1
        marker = _MARKER.fullmatch(lines[above]) if above >= 0 else None
        info = opening["info"].split()
        block = Block(
            page,
            i + 1,
            info[0] if info else "",
            "\n".join(body) + "\n",
            marker[1].strip() if marker else None,
        )
        if lang is None or block.lang == lang:
            found.append(block)
        i = end + 1
    return found


# -- links and anchors ---------------------------------------------------------------------------

_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_LINK = re.compile(r"(?<!!)\[(?:[^\[\]]|\[[^\[\]]*\])*\]\((?P<target>[^()\s]+)(?:\s+\"[^\"]*\")?\)")
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(?P<text>.*?)[ \t#]*$")


def prose(page: Path) -> list[str]:
    """The page's lines outside code blocks and HTML comments, inline code removed."""
    text = _COMMENT.sub("", page.read_text(encoding="utf-8"))
    lines, fence = [], None
    for line in text.splitlines():
        opening = _FENCE.match(line)
        if fence is None and opening:
            fence = opening["fence"]
            continue
        if fence is not None:
            if line.strip().startswith(fence[0] * len(fence)) and not line.strip().strip(fence[0]):
                fence = None
            continue
        lines.append(_INLINE_CODE.sub(lambda m: m.group(0).strip("`"), line))
    return lines


def links(page: Path) -> list[str]:
    """Every link target of the page's prose (``[text](target)``)."""
    text = _COMMENT.sub("", page.read_text(encoding="utf-8"))
    lines, fence = [], None
    for line in text.splitlines():  # as prose(), but inline code dropped, not unwrapped
        opening = _FENCE.match(line)
        if fence is None and opening:
            fence = opening["fence"]
        elif fence is not None:
            if line.strip().startswith(fence[0] * len(fence)) and not line.strip().strip(fence[0]):
                fence = None
        else:
            lines.append(_INLINE_CODE.sub("", line))
    return [m["target"] for line in lines for m in _LINK.finditer(line)]


def slug(heading: str) -> str:
    """GitHub's anchor of a heading (github-slugger): lower case, punctuation but ``-`` and
    ``_`` dropped, each space a ``-``."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link: its text
    text = text.lower()
    text = "".join(c for c in text if c.isalnum() or c in " -_")
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """The anchors of the page's headings, numbered as GitHub numbers repeats (``-1``...)."""
    seen: dict[str, int] = {}
    out = set()
    for line in prose(page):
        heading = _HEADING.match(line)
        if not heading:
            continue
        base = slug(heading["text"])
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.add(base if n == 0 else f"{base}-{n}")
    return out


# -- running commands ----------------------------------------------------------------------------


def commands(block: Block) -> list[str]:
    """The block's command lines (continuations joined, comments and blank lines left out)."""
    joined = re.sub(r"\\\n", " ", block.text)
    return [line for line in joined.splitlines() if shlex.split(line, comments=True)]


def argv(line: str) -> list[str] | None:
    """The ``omi-import`` arguments a line runs (after ``cat FILE |``), or None if it runs
    something else."""
    words = shlex.split(line, comments=True)
    if words[:1] == ["cat"] and "|" in words:
        words = words[words.index("|") + 1 :]
    if words[:1] != ["omi-import"] or "|" in words or ";" in words or "&&" in words:
        return None
    return words


@dataclass
class Place:
    """Where a block runs: a scratch folder, its environment, and the fake server."""

    root: Path
    env: dict[str, str]
    fake: FakeOmi


@contextmanager
def place(tmp: Path) -> Iterator[Place]:
    """A scratch folder that sees the repository's samples/, an ``omi-import`` on PATH that runs
    this checkout, a state folder, home and config of its own, and the fake Omi server."""
    root = tmp / "work"
    root.mkdir()
    (root / "samples").symlink_to(REPO / "samples", target_is_directory=True)
    bin_dir = tmp / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "omi-import"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m importers "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    with FakeOmi(limit=1000) as fake:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OMI_", "HF_", "PYTEST_"))}
        env.update(
            PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
            PYTHONPATH=str(REPO),
            HOME=str(tmp / "home"),
            XDG_CONFIG_HOME=str(tmp / "home" / ".config"),
            XDG_DATA_HOME=str(tmp / "home" / ".local" / "share"),
            XDG_CACHE_HOME=str(tmp / "home" / ".cache"),
            OMI_IMPORT_STATE=str(tmp / "state"),
            OMI_IMPORT_CONFIG=str(tmp / "no-config.toml"),
            OMI_API_KEY=GOOD_KEY,
            OMI_API_BASE_URL=fake.url,
            HF_HUB_OFFLINE="1",
            TZ="UTC",
            COLUMNS="100",
        )
        yield Place(root, env, fake)


def run(line: str, where: Place, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run one command line with bash in ``where``."""
    return subprocess.run(
        ["bash", "-o", "pipefail", "-c", line],
        cwd=where.root,
        env=where.env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def json_objects(text: str) -> list[object]:
    """The JSON values printed one after another (one pretty object, or JSON Lines)."""
    decoder, out, i = json.JSONDecoder(), [], 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i == len(text):
            return out
        value, i = decoder.raw_decode(text, i)
        out.append(value)


def check(words: list[str], done: subprocess.CompletedProcess[str], where: Place) -> str | None:
    """What is wrong with what ``omi-import`` printed for ``words``, or None."""
    args = words[1:]
    command = args[0] if args else ""
    if "--help" in args or "-h" in args:
        return None if done.stdout.startswith("Usage: omi-import") else "no usage printed"
    if (command == "convert" and not ({"-o", "--output"} & set(args))) or "--dry-run" in args:
        try:
            printed = json_objects(done.stdout)
        except ValueError as e:
            return f"stdout is not JSON: {e}"
        if not printed or not all(isinstance(o, dict) and o.get("conversations") for o in printed):
            return "no conversation printed"
        return None
    if command == "convert":
        out = args[args.index("-o" if "-o" in args else "--output") + 1]
        written = list((where.root / out).rglob("*.omi.json"))
        return None if written else f"nothing written under {out}"
    printed = done.stdout + done.stderr
    if command == "import":
        return None if re.search(r"\d+ of \d+ conversations? in Omi", printed) else "no summary"
    if command == "delete":
        return None if "deleted from Omi" in printed else "nothing deleted"
    if command == "formats":
        return None if re.search(r"^srt\s", done.stdout, re.M) else "srt is not listed"
    if command in ("list", "status", "doctor"):
        return None if done.stdout.strip() else "nothing printed"
    return f"no check for `omi-import {command}`: add one to docs_blocks.check"


def environ(where: Place) -> Mapping[str, str]:
    """The variables a Python block gets (the same key, server, state and config)."""
    keys = ("OMI_IMPORT_STATE", "OMI_IMPORT_CONFIG", "OMI_API_KEY", "OMI_API_BASE_URL", "HOME")
    return {k: where.env[k] for k in keys}
