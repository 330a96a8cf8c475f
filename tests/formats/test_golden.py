"""Every sample ``samples/<adapter>/<case>`` converts to exactly its golden,
``tests/golden/<adapter>/<case>.expected.json`` (the same path under tests/golden/).

A sample may have a ``tests/golden/<adapter>/<case>.options.json`` with CLI-style options
(``{"me": ["Ann"], "no_merge": true, "timezone": "UTC"}``; paths in it are relative to the
sample's folder). Update the expected files with
``pytest tests/formats/test_golden.py --update-golden`` and review the diff.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support import GOLDEN, REPO, SAMPLES

from importers.conversion.options import ConvertOptions
from importers.conversion.pipeline import convert
from importers.registry import Registry

# .rttm: diarization companions of a sample (its options.json names them with "diarization").
# Markdown is a sample format (Limitless lifelogs): SOURCES.md and READMEs are left out by name.
NOT_SAMPLES = (".py", ".sh", ".txt.license", ".rttm")
BINARY_FOLDERS = {"audio"}  # run with real models in test_audio.py


def sample_files() -> list[Path]:
    if not SAMPLES.is_dir():
        return []
    return sorted(
        p
        for p in SAMPLES.rglob("*")
        if p.is_file()
        and not p.name.startswith(".")
        and not p.name.endswith(NOT_SAMPLES)
        and p.relative_to(SAMPLES).parts[0] not in BINARY_FOLDERS
        and p.name not in ("SOURCES.md", "README.md")
    )


def options_for(sample: Path) -> dict[str, Any]:
    """The sample's flags (its options.json), in UTC unless it says otherwise."""
    defaults: dict[str, Any] = {"timezone": "UTC"}
    opts_file = golden_for(sample, ".options.json")
    if opts_file.exists():
        given = json.loads(opts_file.read_text())
        for key in ("people", "diarization"):
            if key in given:
                given[key] = sample.parent / given[key]
        if "me" in given:
            given["me"] = tuple(given["me"])
        defaults.update(given)
    return defaults


def golden_for(sample: Path, suffix: str) -> Path:
    """``tests/golden/<adapter>/<case><suffix>`` for ``samples/<adapter>/<case>``."""
    rel = sample.relative_to(SAMPLES)
    return GOLDEN / rel.parent / (rel.name + suffix)


def expected_path(sample: Path) -> Path:
    return golden_for(sample, ".expected.json")


@pytest.mark.parametrize("sample", sample_files(), ids=lambda p: str(p.relative_to(SAMPLES)))
def test_sample_matches_golden(
    sample: Path, fixed_mtime: object, in_repo: Path, update_golden: bool
) -> None:
    """The sample is detected as its folder's format and converts to the expected JSON."""
    rel = sample.relative_to(REPO)
    registry = Registry.default()
    options = ConvertOptions.from_flags(registry=registry, **options_for(sample))
    result = convert(rel, options, registry=registry)
    assert result.format == sample.relative_to(SAMPLES).parts[0]
    actual = json.loads(result.to_json())
    golden = expected_path(sample)
    if update_golden or not golden.exists():
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(json.dumps(actual, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        if not update_golden:
            pytest.fail(f"{golden.name} did not exist; written now - review it and re-run")
    assert actual == json.loads(golden.read_text(encoding="utf-8"))


def test_every_adapter_has_a_sample() -> None:
    """Each built-in adapter that reads transcripts has at least one golden sample folder.

    Companion formats (RTTM: speaker turns, no words) convert to nothing by themselves; their
    samples sit beside the transcript they belong to and are tested in their own test module.
    """
    folders = {p.relative_to(SAMPLES).parts[0] for p in sample_files()} | BINARY_FOLDERS
    missing = [
        i.adapter.name
        for i in Registry.default().infos
        if i.adapter.name not in folders and not i.adapter.companion
    ]
    assert not missing, f"adapters without a samples/<name>/ folder: {missing}"


def test_every_golden_has_its_sample_and_none_is_left_in_samples() -> None:
    """A golden without its sample (renamed, deleted) would be kept for nothing, and one in
    samples/ would be imported by a user who imports that folder."""
    samples = {expected_path(s) for s in sample_files()} | {
        golden_for(s, ".options.json") for s in sample_files()
    }
    orphans = sorted(str(p.relative_to(GOLDEN)) for p in GOLDEN.rglob("*.json") if p not in samples)
    assert not orphans, f"goldens without a sample in samples/: {orphans}"
    stray = sorted(
        str(p.relative_to(SAMPLES))
        for p in SAMPLES.rglob("*")
        if p.name.endswith((".expected.json", ".options.json"))
    )
    assert not stray, f"goldens in samples/ (they belong under tests/golden/): {stray}"
