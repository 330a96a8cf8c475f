"""Where ``convert -o DIR`` writes each input's output: a file-name template under DIR.

``--output-name TEMPLATE`` (default :data:`DEFAULT_TEMPLATE`) may use:

* ``{root}``: the name of the folder (or archive) given on the command line (empty for a file
  named there);
* ``{dir}``: the file's folder below that one (empty at its top);
* ``{name}``: the file's name; ``{stem}``: without its last extension;
* ``{format}``: the adapter that read it;
* ``{date}`` / ``{time}``: when it started (``2026-03-02`` / ``14-30-00``).

``/`` separates folders; empty parts vanish (so ``{root}/{dir}/{name}`` of a named file is just
its name), and a name that would leave DIR (``..``) is refused.
"""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from importers.conversion.pipeline import Conversion
from importers.errors import ConfigError, InputError
from importers.source import STDIN

DEFAULT_TEMPLATE = "{root}/{dir}/{name}.omi.json"
FIELDS = ("root", "dir", "name", "stem", "format", "date", "time")


def check_template(template: str) -> str:
    """``template`` when it uses only :data:`FIELDS`.

    Raises:
        ConfigError: an unknown field or a malformed template.
    """
    try:
        used = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError as exc:
        raise ConfigError(f"--output-name {template!r}: {exc}") from None
    unknown = sorted(set(used) - set(FIELDS))
    if unknown:
        raise ConfigError(
            f"--output-name {template!r}: unknown field(s) {', '.join(unknown)}; "
            f"use {', '.join('{' + f + '}' for f in FIELDS)}"
        )
    return template


def output_path(
    out_dir: Path, result: Conversion, roots: Sequence[Path], template: str = DEFAULT_TEMPLATE
) -> Path:
    """The file under ``out_dir`` for ``result`` (see the module docstring).

    Raises:
        InputError: the name would leave ``out_dir``, or is empty.
    """
    parts = [
        p for p in template.format_map(_Fields(result, roots)).split("/") if p not in ("", ".")
    ]
    if not parts or ".." in parts:
        raise InputError(
            f"--output-name gives {'/'.join(parts) or 'an empty name'!r}, not a file in {out_dir}",
            path=result.input,
        )
    return out_dir.joinpath(*parts)


class _Fields(Mapping[str, str]):
    """The template's fields, each worked out only if the template uses it."""

    def __init__(self, result: Conversion, roots: Sequence[Path]) -> None:
        self._result, self._roots = result, roots

    def __getitem__(self, key: str) -> str:
        result = self._result
        if key in ("root", "dir"):
            for root in self._roots:
                # A folder given, or an archive (its members are below it: export.zip/x.md).
                if result.input != root and result.input.is_relative_to(root):
                    rel = result.input.relative_to(root).parent
                    return root.name if key == "root" else rel.as_posix().removeprefix(".")
            return ""
        name = "stdin" if result.input == STDIN else result.input.name
        if key == "name":
            return name
        if key == "stem":
            return Path(name).stem
        if key == "format":
            return result.format
        started = result.conversations[0].body.started_at if result.conversations else None
        if started is None:
            return ""
        return f"{started:%Y-%m-%d}" if key == "date" else f"{started:%H-%M-%S}"

    def __iter__(self) -> Iterator[str]:
        return iter(FIELDS)

    def __len__(self) -> int:
        return len(FIELDS)
