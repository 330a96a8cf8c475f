"""``omi-import formats``: the adapters, as a table that fits 80 columns or as JSON."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence

from importers.registry import AdapterInfo

#: Extensions shown in the table before "+N more" (the audio adapter has two dozen).
SHOWN_EXTENSIONS = 4


def _extensions(extensions: Sequence[str]) -> str:
    shown = " ".join(extensions[:SHOWN_EXTENSIONS])
    more = len(extensions) - SHOWN_EXTENSIONS
    return f"{shown} +{more} more" if more > 0 else shown


def _note(info: AdapterInfo) -> str:
    adapter = info.adapter
    parts = [adapter.description]
    if adapter.companion:
        parts.append(f"[{adapter.companion}]")
    if missing := adapter.missing():
        parts.append(f"[not installed: {', '.join(missing)}; {adapter.install or 'see its docs'}]")
    return " ".join(parts)


def formats_table(infos: Sequence[AdapterInfo], width: int = 80) -> str:
    """A table with a header; descriptions wrap in their column (rich)."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    table.add_column("FORMAT", no_wrap=True)
    table.add_column("FILES", max_width=16)
    table.add_column("FROM", no_wrap=True)
    table.add_column("WHAT IT READS", ratio=1, overflow="fold")
    for info in infos:
        # Text, not markup: ``[audio]`` in an install command, or brackets in a plugin's
        # description, are what they say.
        files = (*info.adapter.extensions, *info.adapter.archives)  # .zip: an export of them
        cells = (info.adapter.name, _extensions(files), info.distribution)
        table.add_row(*(Text(cell) for cell in (*cells, _note(info))))
    buffer = io.StringIO()
    Console(file=buffer, width=width, no_color=True, highlight=False).print(table)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines())


def formats_json(infos: Sequence[AdapterInfo]) -> str:
    """One object per adapter: name, extensions (and archives it unpacks), distribution,
    description, and readiness."""
    return json.dumps(
        [
            {
                "name": i.adapter.name,
                "extensions": list(i.adapter.extensions),
                "archives": list(i.adapter.archives),
                "distribution": i.distribution,
                "description": i.adapter.description,
                "companion": i.adapter.companion,
                "options": [o.flag for o in i.adapter.options],
                "missing": i.adapter.missing(),
                "install": i.adapter.install,
            }
            for i in infos
        ],
        indent=2,
        ensure_ascii=False,
    )
