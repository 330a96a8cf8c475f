"""Which adapters exist, and which one reads a given file.

Adapters come from the ``omi_import.adapters`` entry-point group. omi-import's own adapters are
declared in that group in its ``pyproject.toml``, exactly like a third-party plugin's;
:data:`BUILTIN_ADAPTERS` lists the same entries so that a source checkout that was never
installed still works (a test keeps the two lists equal).

``OMI_IMPORT_ADAPTERS=srt,vtt`` restricts which adapters load (handy to rule a plugin out).

Detection: the extension narrows the candidates, the content (each candidate's ``sniff``)
decides. When several say yes, a subclass beats the class it extends (``teams`` extends ``vtt``),
then the higher ``priority``; what is left must be one adapter, else an "ambiguous format" error
that suggests ``--format`` (as no adapter at all gives an "unknown format" one).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib.metadata import Distribution, EntryPoint, distribution, entry_points
from pathlib import Path

from importers.adapter import Adapter, AdapterOption
from importers.errors import (
    AmbiguousFormatError,
    ConfigError,
    DecodeError,
    EmptyTranscriptError,
    ImporterError,
    ParseError,
    UnknownFormatError,
)
from importers.source import Source

ENTRY_POINT_GROUP = "omi_import.adapters"
ENV_FILTER = "OMI_IMPORT_ADAPTERS"
DISTRIBUTION = "omi-import"

#: name -> "module:Class" of the built-in adapters (same as pyproject's entry points).
BUILTIN_ADAPTERS: tuple[tuple[str, str], ...] = (
    ("srt", "adapters.srt:SrtAdapter"),
    ("vtt", "adapters.vtt:VttAdapter"),
    ("sbv", "adapters.sbv:SbvAdapter"),
    ("teams", "adapters.teams:TeamsAdapter"),
    ("zoom", "adapters.zoom_vtt:ZoomVttAdapter"),
    ("zoom-captions", "adapters.zoom_captions:ZoomCaptionsAdapter"),
    ("zoom-chat", "adapters.zoom_chat:ZoomChatAdapter"),
    ("otter", "adapters.otter:OtterAdapter"),
    ("otter-docx", "adapters.otter:OtterDocxAdapter"),
    ("google-meet", "adapters.google_meet:GoogleMeetAdapter"),
    ("google-meet-docx", "adapters.google_meet:GoogleMeetDocxAdapter"),
    ("timestamped-text", "adapters.timestamped_text:TimestampedTextAdapter"),
    ("rttm", "adapters.rttm:RttmAdapter"),
    ("whisper", "adapters.whisper:WhisperAdapter"),
    ("whisperx", "adapters.whisperx:WhisperXAdapter"),
    ("whisper-timestamped", "adapters.whisper_timestamped:WhisperTimestampedAdapter"),
    ("deepgram", "adapters.deepgram:DeepgramAdapter"),
    ("assemblyai", "adapters.assemblyai:AssemblyAIAdapter"),
    ("aws-transcribe", "adapters.aws_transcribe:AwsTranscribeAdapter"),
    ("revai", "adapters.revai:RevAiAdapter"),
    ("json-segments", "adapters.json_segments:JsonSegmentsAdapter"),
    ("limitless", "adapters.limitless:LimitlessAdapter"),
    ("fireflies", "adapters.fireflies:FirefliesAdapter"),
    ("teams-docx", "adapters.teams_docx:TeamsDocxAdapter"),
    ("voice-memos", "adapters.voice_memos:VoiceMemosAdapter"),
    ("audio", "adapters.audio:AudioAdapter"),
)


@dataclass(frozen=True)
class AdapterInfo:
    """An adapter and where it came from (for ``omi-import formats``)."""

    adapter: Adapter
    distribution: str


class Registry:
    """An ordered set of adapters. Tests build their own; the CLI uses :meth:`default`."""

    def __init__(self, adapters: Iterable[Adapter | AdapterInfo] = ()) -> None:
        self._infos: dict[str, AdapterInfo] = {}
        for item in adapters:
            info = item if isinstance(item, AdapterInfo) else AdapterInfo(item, "(local)")
            self.add(info)

    def add(self, info: AdapterInfo) -> None:
        name = info.adapter.name
        if name in self._infos:
            raise ConfigError(
                f"two adapters are named {name!r} ({self._infos[name].distribution} and "
                f"{info.distribution}); set {ENV_FILTER} to choose"
            )
        self._infos[name] = info

    @classmethod
    def default(cls) -> Registry:
        """All installed adapters (built-in and plugins), filtered by ``OMI_IMPORT_ADAPTERS``."""
        wanted = _env_filter()
        registry = cls()
        for ep, dist in _entry_points():
            if wanted is not None and ep.name not in wanted:
                continue
            try:
                adapter_cls = ep.load()
            except ImportError as exc:
                raise ConfigError(
                    f"adapter plugin {ep.name!r} ({dist}) failed to load: {exc}"
                ) from exc
            if not (isinstance(adapter_cls, type) and issubclass(adapter_cls, Adapter)):
                raise ConfigError(f"entry point {ep.name!r} ({dist}) is not an Adapter subclass")
            registry.add(AdapterInfo(adapter_cls(), dist))
        return registry

    @property
    def adapters(self) -> list[Adapter]:
        return [i.adapter for i in self._infos.values()]

    @property
    def infos(self) -> list[AdapterInfo]:
        return list(self._infos.values())

    @property
    def names(self) -> list[str]:
        return list(self._infos)

    def get(self, name: str) -> Adapter:
        try:
            return self._infos[name].adapter
        except KeyError:
            raise ConfigError(
                f"unknown format {name!r}; known formats: {', '.join(sorted(self._infos))}"
            ) from None

    def candidates(self, path: Path) -> list[Adapter]:
        """Adapters whose extensions include the file's suffix."""
        suffix = path.suffix.lower()
        return [i.adapter for i in self._infos.values() if i.adapter.claims_extension(suffix)]

    def detect(self, source: Source, format_name: str | None = None) -> Adapter:
        """Return the one adapter for ``source``.

        The extension narrows the candidates; a file without one (standard input, ``notes``)
        is offered to every text format. An empty file, and a file whose content is another
        format than its extension says (WebVTT in a ``.srt``), say so.

        Raises:
            ConfigError: ``format_name`` is not a known adapter.
            EmptyTranscriptError: the file is empty.
            UnknownFormatError: no adapter recognises the file.
            AmbiguousFormatError: several do.
            DecodeError: a text format was expected but the bytes are not text.
        """
        if format_name:
            return self.get(format_name)
        candidates = self.candidates(source.path)
        if not candidates and not source.path.suffix:
            candidates = [a for a in self.adapters if not a.binary]
        if not candidates:
            raise UnknownFormatError(
                f"unsupported file type {source.path.suffix}; use --format with one of: "
                f"{', '.join(sorted(self._infos))}",
                path=source.path,
            )
        failures: list[ParseError] = []
        matches = most_specific([a for a in candidates if _sniff(a, source, failures)])
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise AmbiguousFormatError(
                f"matches several formats ({', '.join(a.name for a in matches)}); "
                "use --format to choose one",
                path=source.path,
            )
        if len(failures) == len(candidates) and len({str(f) for f in failures}) == 1:
            # Every candidate failed to read it the same way (a .docx that is no readable
            # document, a zip bomb): that says more than "not recognised".
            raise failures[0].with_path(source.path) if failures[0].path is None else failures[0]
        if any(not a.binary for a in candidates):
            _ = source.text  # an undecodable file gets the decoding error, which says more
            if not source.text.strip():
                raise EmptyTranscriptError("empty file", path=source.path)
        elsewhere = most_specific(
            [
                a
                for a in self.adapters
                if a not in candidates and not a.binary and _sniff(a, source, [])
            ]
        )
        if len(elsewhere) == 1:
            other = elsewhere[0]
            raise UnknownFormatError(
                f"the content reads as {other.name}, not as {source.path.suffix}",
                hint=f"use --format {other.name}",
                path=source.path,
            )
        if len(candidates) == 1 and not (candidates[0].companion or candidates[0].sniff_only):
            # The extension leaves one format (.srt): its parser says what is wrong, with the
            # line ("1: not an SRT cue ..."), which helps more than "not recognised". Not for
            # an extension any file may have (.md: Markdown notes beside Limitless lifelogs).
            return candidates[0]
        raise UnknownFormatError(
            f"not recognised as any of: {', '.join(a.name for a in candidates)}",
            hint="use --format to choose one",
            path=source.path,
        )

    def options(self) -> list[AdapterOption]:
        """Every adapter's own command-line options, each once (in registry order).

        Raises:
            ConfigError: two adapters declare the same flag differently.
        """
        found: dict[str, AdapterOption] = {}
        for info in self._infos.values():
            for option in info.adapter.options:
                known = found.setdefault(option.flag, option)
                if known != option:
                    raise ConfigError(
                        f"adapter {info.adapter.name!r} ({info.distribution}) declares "
                        f"{option.flag} differently from another adapter; set {ENV_FILTER} to "
                        "choose"
                    )
        return list(found.values())


def most_specific(matches: list[Adapter]) -> list[Adapter]:
    """The adapters left when a subclass beats its base class, then the highest priority wins."""
    kept = [
        a
        for a in matches
        if not any(type(b) is not type(a) and isinstance(b, type(a)) for b in matches)
    ]
    if len(kept) < 2:
        return kept
    top = max(a.priority for a in kept)
    return [a for a in kept if a.priority == top]


def _sniff(adapter: Adapter, source: Source, failures: list[ParseError]) -> bool:
    """The adapter's answer; a ParseError from a shared reader is kept in ``failures``."""
    try:
        return adapter.sniff(source)
    except DecodeError:
        return False
    except ParseError as exc:
        failures.append(exc)
        return False
    except ImporterError:
        raise


def _env_filter() -> set[str] | None:
    raw = os.environ.get(ENV_FILTER, "").strip()
    if not raw:
        return None
    return {name.strip() for name in raw.split(",") if name.strip()}


def _entry_points() -> Sequence[tuple[EntryPoint, str]]:
    found: list[tuple[EntryPoint, str]] = []
    # A distribution's name parses its METADATA file each time it is asked for: ask once per
    # distribution, not once per entry point (22 built-ins: a fifth of a small run's start).
    names: dict[Distribution, str] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.dist is None:
            found.append((ep, "unknown"))
            continue
        if ep.dist not in names:
            names[ep.dist] = ep.dist.name
        found.append((ep, names[ep.dist]))
    if not any(dist == DISTRIBUTION for _, dist in found) and not _installed():
        # Running from a source checkout that was never installed: the built-ins are not in
        # any entry-point metadata yet, so take them from the same list pyproject declares.
        # In declared order, before any plugin (inserting one by one at 0 reversed them).
        found[:0] = [
            (EntryPoint(name=name, value=target, group=ENTRY_POINT_GROUP), DISTRIBUTION)
            for name, target in BUILTIN_ADAPTERS
        ]
    # Installed metadata lists entry points in no useful order (alphabetical, per distribution):
    # built-ins first in their declared order, then plugins by distribution and name.
    order = {name: i for i, (name, _) in enumerate(BUILTIN_ADAPTERS)}
    builtin = len(order)
    return sorted(
        found,
        key=lambda item: (
            (0, order.get(item[0].name, builtin), "", "")
            if item[1] == DISTRIBUTION
            else (1, 0, item[1], item[0].name)
        ),
    )


def _installed() -> bool:
    try:
        distribution(DISTRIBUTION)
    except Exception:
        return False
    return True
