"""Adapter registry: built-ins equal pyproject, detection, plugins, the env filter."""

from __future__ import annotations

import importlib
import sys
import tomllib
from pathlib import Path
from typing import ClassVar

import pytest
from support import CORPUS, REPO, text_source

from importers.adapter import Adapter, ParseOptions
from importers.errors import AmbiguousFormatError, ConfigError, UnknownFormatError
from importers.model import Segment, Transcript
from importers.registry import BUILTIN_ADAPTERS, ENTRY_POINT_GROUP, Registry, most_specific
from importers.source import Source


def load_builtin(target: str) -> type[Adapter]:
    """Import a ``module:Class`` target."""
    module_name, _, attr = target.partition(":")
    obj = getattr(importlib.import_module(module_name), attr)
    assert isinstance(obj, type) and issubclass(obj, Adapter)
    return obj


def test_builtins_equal_pyproject_entry_points_and_load() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    declared = pyproject["project"]["entry-points"][ENTRY_POINT_GROUP]
    assert dict(BUILTIN_ADAPTERS) == declared
    assert len(BUILTIN_ADAPTERS) == len(declared)
    for name, target in BUILTIN_ADAPTERS:
        cls = load_builtin(target)
        assert cls.name == name
        assert cls.extensions
        assert all(e.startswith(".") and e == e.lower() for e in cls.extensions)


class Fake(Adapter):
    name: ClassVar[str] = "fake"
    extensions: ClassVar[tuple[str, ...]] = (".txt", ".fake")
    description: ClassVar[str] = "test adapter"

    def sniff(self, source: Source) -> bool:
        return source.head.startswith("FAKE")

    def parse(self, source: Source, options: ParseOptions) -> Transcript:
        return Transcript((Segment(source.text[4:].strip(), 0, 1000),), self.name)


class Greedy(Fake):
    name: ClassVar[str] = "greedy"

    def sniff(self, source: Source) -> bool:
        return True


class Other(Fake):
    name: ClassVar[str] = "other"
    extensions: ClassVar[tuple[str, ...]] = (".txt",)

    def sniff(self, source: Source) -> bool:
        return source.head.startswith("OTHER")


def src(text: str, name: str) -> Source:
    return text_source(text, name)


def test_extension_narrows_and_sniff_decides() -> None:
    registry = Registry([Fake(), Other()])
    assert registry.detect(src("FAKE hi", "a.txt")).name == "fake"
    assert registry.detect(src("OTHER hi", "a.txt")).name == "other"
    # .fake is only Fake's: when its sniff says no, Fake's parser gets the file, so its error
    # (with the line) is what the user sees...
    assert registry.detect(src("garbage", "a.fake")).name == "fake"
    # ...unless the content is another format's: then that is what the user needs to hear.
    with pytest.raises(UnknownFormatError) as elsewhere:
        registry.detect(src("OTHER hi", "a.fake"))
    assert str(elsewhere.value) == (
        "a.fake: the content reads as other, not as .fake; use --format other"
    )
    assert [a.name for a in registry.candidates(Path("x.TXT"))] == ["fake", "other"]
    # Several candidates and none matches: nothing to guess from.
    with pytest.raises(UnknownFormatError) as info:
        registry.detect(src("NEITHER", "a.txt"))
    assert (
        str(info.value)
        == "a.txt: not recognised as any of: fake, other; use --format to choose one"
    )


def test_unknown_extension_lists_formats() -> None:
    with pytest.raises(UnknownFormatError) as info:
        Registry([Fake(), Other()]).detect(src("FAKE", "a.doc"))
    assert (
        str(info.value)
        == "a.doc: unsupported file type .doc; use --format with one of: fake, other"
    )


class Sibling(Adapter):
    """Claims FAKE files too, without extending Fake."""

    name: ClassVar[str] = "sibling"
    extensions: ClassVar[tuple[str, ...]] = (".txt",)

    def sniff(self, source: Source) -> bool:
        return source.head.startswith("FAKE")

    def parse(self, source: Source, options: ParseOptions) -> Transcript:
        raise AssertionError("never parsed")


class Preferred(Sibling):
    name: ClassVar[str] = "preferred"
    priority: ClassVar[int] = 1


def test_ambiguous_names_both() -> None:
    with pytest.raises(AmbiguousFormatError) as info:
        Registry([Fake(), Sibling()]).detect(src("FAKE hi", "a.txt"))
    assert str(info.value) == (
        "a.txt: matches several formats (fake, sibling); use --format to choose one"
    )


def test_a_subclass_beats_its_base_then_priority_decides() -> None:
    """Greedy extends Fake: it wins where both say yes; between unrelated ones, priority."""
    assert Registry([Fake(), Greedy()]).detect(src("FAKE hi", "a.txt")).name == "greedy"
    assert Registry([Greedy(), Fake()]).detect(src("FAKE hi", "a.txt")).name == "greedy"
    assert Registry([Fake(), Preferred()]).detect(src("FAKE hi", "a.txt")).name == "preferred"


def test_format_option_skips_detection_and_unknown_format_is_config_error() -> None:
    registry = Registry([Fake(), Greedy()])
    assert registry.detect(src("anything", "a.doc"), "greedy").name == "greedy"
    with pytest.raises(ConfigError, match="unknown format 'nope'; known formats: fake, greedy"):
        registry.detect(src("x", "a.txt"), "nope")


def test_duplicate_names_are_a_config_error() -> None:
    with pytest.raises(ConfigError, match="two adapters are named 'fake'"):
        Registry([Fake(), Fake()])


def test_default_registry_has_the_builtins() -> None:
    names = Registry.default().names
    assert {name for name, _ in BUILTIN_ADAPTERS} <= set(names)


def test_env_filter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMI_IMPORT_ADAPTERS", "whisper, rttm")
    assert sorted(Registry.default().names) == ["rttm", "whisper"]


def test_entry_point_of_a_fake_distribution(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A third-party package that declares the entry point is found and loaded like a built-in."""
    (tmp_path / "omi_fake_plugin.py").write_text(
        "from tests_fake_base import Fake\n"
        "class Plugin(Fake):\n"
        "    name = 'plugin'\n"
        "    extensions = ('.plg',)\n"
    )
    (tmp_path / "tests_fake_base.py").write_text(
        "from importers.adapter import Adapter\n"
        "from importers.model import Segment, Transcript\n"
        "class Fake(Adapter):\n"
        "    name = 'fakebase'\n"
        "    extensions = ('.plg',)\n"
        "    def sniff(self, source): return source.head.startswith('PLG')\n"
        "    def parse(self, source, options):\n"
        "        return Transcript((Segment(source.text[3:].strip(), 0, 1000),), self.name)\n"
    )
    info = tmp_path / "omi_fake_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: omi-fake-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\nplugin = omi_fake_plugin:Plugin\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    registry = Registry.default()
    plugin = next(i for i in registry.infos if i.adapter.name == "plugin")
    assert plugin.distribution == "omi-fake-plugin"
    assert registry.detect(src("PLG hello", "x.plg")).name == "plugin"
    sys.modules.pop("omi_fake_plugin", None)
    sys.modules.pop("tests_fake_base", None)


def test_plugin_that_fails_to_import_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    info = tmp_path / "broken_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\nbroken = no_such_module:X\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(
        ConfigError, match=r"adapter plugin 'broken' \(broken-plugin\) failed to load"
    ):
        Registry.default()


def test_builtins_keep_their_declared_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OMI_IMPORT_ADAPTERS", raising=False)
    names = Registry.default().names
    builtin = [name for name, _ in BUILTIN_ADAPTERS]
    assert [n for n in names if n in builtin] == builtin


#: The adapters issue 12 added: none of them may claim a file another adapter owns.
NEW_ADAPTERS = (
    "sbv",
    "google-meet",
    "google-meet-docx",
    "timestamped-text",
    "whisper-timestamped",
    "deepgram",
    "assemblyai",
    "aws-transcribe",
    "revai",
    "json-segments",
    # issue 24: the exports people migrate with
    "limitless",
    "fireflies",
    "teams-docx",
    "voice-memos",
)


def _sample_files() -> list[Path]:
    skip = (".py", ".rttm", "SOURCES.md", "README.md")
    return sorted(
        p
        for p in (REPO / "samples").glob("*/**/*")
        if p.is_file()
        and not p.name.endswith(skip)
        and p.relative_to(REPO / "samples").parts[0] != "audio"
    )


@pytest.mark.parametrize(
    "path", _sample_files(), ids=lambda p: str(p.relative_to(REPO / "samples"))
)
def test_every_sample_is_claimed_by_its_own_adapter_only(path: Path) -> None:
    """Of the adapters of the file's extension that say yes, the owner of the sample's folder is
    the one left once an extending adapter beats the one it extends (teams and zoom over vtt)."""
    registry = Registry.default()
    owner = path.relative_to(REPO / "samples").parts[0]
    source = Source.from_path(path)
    claims = most_specific([a for a in registry.candidates(path) if a.sniff(source)])
    assert [a.name for a in claims] == [owner]


@pytest.mark.parametrize(
    "path",
    sorted(p for p in CORPUS.glob("*/*") if p.is_file()),
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_no_new_adapter_claims_a_corpus_file(path: Path) -> None:
    source = Source.from_path(path)
    registry = Registry.default()
    claims = most_specific([a for a in registry.candidates(path) if a.sniff(source)])
    assert [a.name for a in claims if a.name in NEW_ADAPTERS] == []
