"""Conformance over ../shared/corpus: every real file imports, with the facts in expected.json.

With ``--no-merge`` the number of segments equals ``cues_with_text``, less only the cues that
normalization reported dropping for having nothing but markup or for repeating the previous
caption. Speakers come out in order, and the time span matches.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support import CORPUS

from importers.conversion.options import ConvertOptions
from importers.conversion.pipeline import Conversion, convert
from importers.registry import Registry

EXPECTED: dict[str, dict[str, Any]] = (
    json.loads((CORPUS / "expected.json").read_text())
    if (CORPUS / "expected.json").exists()
    else {}
)
REPORTED_DROPS = ("markup_only_cue_dropped", "duplicate_cue_dropped")
TOLERANCE_S = 0.0015

pytestmark = pytest.mark.skipif(
    not EXPECTED, reason=f"corpus not found at {CORPUS} (set OMI_IMPORT_CORPUS to its folder)"
)


def text_files() -> list[str]:
    return sorted(k for k, v in EXPECTED.items() if "cues_with_text" in v)


def convert_no_merge(rel: str) -> Conversion:
    registry = Registry.default()
    options = ConvertOptions.from_flags(registry=registry, timezone="UTC", no_merge=True)
    return convert(CORPUS / rel, options, registry=registry)


def reported(result: Conversion, reason: str) -> int:
    return sum(1 for r in result.normalized.repairs if r.reason == reason)


@pytest.mark.parametrize("rel", text_files())
def test_corpus_file(rel: str) -> None:
    """Counts, speakers (in order), time span and encoding match expected.json."""
    facts = EXPECTED[rel]
    result = convert_no_merge(rel)
    turns = result.normalized.turns
    dropped = sum(reported(result, r) for r in REPORTED_DROPS)
    assert len(turns) + dropped == facts["cues_with_text"]

    if "speakers" in facts:
        names = [n for n in result.normalized.speakers.values() if n is not None]
        assert names == facts["speakers"]

    # Source names BOM encodings "utf-8-bom", "utf-16-le-bom"... exactly as expected.json does.
    if facts["encoding"] == "ascii":
        assert result.encoding in ("ascii", "utf-8")
    else:
        assert result.encoding == facts["encoding"]

    first = min(t.start_ms for t in turns) / 1000
    if "last_end" in facts:
        assert first == pytest.approx(facts.get("min_start", facts["first_start"]), abs=TOLERANCE_S)
        last = max(t.end_ms for t in turns) / 1000
        assert last == pytest.approx(facts.get("max_end", facts["last_end"]), abs=TOLERANCE_S)
    else:  # start-only formats: times are offsets from the first entry
        span = (max(t.start_ms for t in turns) - min(t.start_ms for t in turns)) / 1000
        assert span == pytest.approx(facts["last_start"] - facts["first_start"], abs=TOLERANCE_S)


def test_corpus_is_complete() -> None:
    """Every corpus file is listed in expected.json (so none is silently left untested)."""
    files = {str(p.relative_to(CORPUS)) for p in Path(CORPUS).rglob("*") if p.is_file()}
    files -= {"MANIFEST.md", "expected.json"}
    assert files == set(EXPECTED)
