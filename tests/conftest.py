"""Shared fixtures: repo paths, the corpus, golden-file updating, a fixed file mtime."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from support import FIXED_MTIME, REPO

from importers.source import Source

settings.register_profile("ci", max_examples=300, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=60)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite tests/golden/**/*.expected.json from the current output (review the diff!).",
    )


@pytest.fixture(autouse=True)
def no_user_config(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A developer's own config.toml (key, [defaults]) never changes what a test sees."""
    missing = tmp_path_factory.getbasetemp() / "no-config" / "config.toml"
    monkeypatch.setenv("OMI_IMPORT_CONFIG", str(missing))


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture
def fixed_mtime(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """Make every Source report FIXED_MTIME as its modification time."""
    monkeypatch.setattr(Source, "modified_at", property(lambda self: FIXED_MTIME))
    return FIXED_MTIME


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run with the repository as the working directory (relative sample paths in outputs)."""
    monkeypatch.chdir(REPO)
    return REPO
