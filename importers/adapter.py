"""The adapter contract: how a file format becomes a :class:`~importers.model.Transcript`.

To add a format, subclass :class:`Adapter` and register it in the ``omi_import.adapters``
entry-point group of your package's ``pyproject.toml``::

    [project.entry-points."omi_import.adapters"]
    myformat = "my_package.myformat:MyFormatAdapter"

    class MyFormatAdapter(Adapter):
        name = "myformat"                      # what --format takes and the output names
        extensions = (".myf",)                 # the extension narrows...
        description = "My app's transcript export"

        def sniff(self, source: Source) -> bool:   # ...the content decides
            return source.head.startswith("MYFORMAT")

        def parse(self, source: Source, options: ParseOptions) -> Transcript:
            ...

Rules an adapter keeps:

* ``sniff`` looks at ``source.head`` (the first 8 KiB of decoded text) or, for JSON,
  ``source.json``; it must be cheap. It answers for its own format only: when several adapters
  say yes, a subclass beats the class it extends (``teams`` and ``zoom`` over ``vtt``), then the
  higher :attr:`Adapter.priority`; a remaining tie is an "ambiguous format" error. So a plugin
  that subclasses a built-in adapter claims the files its sniff recognises without touching it.
* ``parse`` returns every cue it read. It never drops words silently: what it skips or repairs
  goes into ``Transcript.repairs`` with the source line. Times may be ``None`` where the format
  has none; normalization estimates them and reports it.
* Problems are raised as :class:`~importers.errors.ParseError` with the line number.
* Binary adapters (audio) set ``binary = True`` and read ``source.path`` / ``source.data``
  instead of ``source.text``.

Optional hooks, each with a default that does nothing:

* :attr:`Adapter.options`: command-line options the adapter adds to ``convert`` and ``import``
  (:class:`AdapterOption`); their values reach ``parse`` in ``ParseOptions.extra``.
* :meth:`Adapter.check_options`: refuse a combination of those values before anything runs.
* :meth:`Adapter.folder_skips`: a rule over the files of one folder (a Zoom recording folder
  holds the same meeting twice: the transcript is imported, the captions are skipped).
* :attr:`Adapter.archives` and :meth:`Adapter.members`: an archive that holds many recordings
  (a Limitless export ``.zip``): each member is an input of its own, detected like a file of a
  folder, with a key of its own (its content's).
* :meth:`Adapter.content_sha256`: what a file's keys hash, when not all of its bytes (a
  Limitless lifelog's transcript lines, not the summary headings each export rewrites).
* :meth:`Adapter.estimate`: a line to show before a batch starts (the audio adapter's time to
  expect for a folder of recordings).
* :meth:`Adapter.media_seconds`: for recordings, how long one plays (from its header), for
  throughput figures (``--dask``'s audio hours per hour).
* :meth:`Adapter.read_speaker_turns`: for diarization formats (RTTM), the turns that
  ``--diarization FILE`` gives a transcript.
* :meth:`Adapter.checks`: for an adapter that needs more than Python (models, tokens,
  libraries), whether they are ready; ``omi-import doctor`` shows them. Cheap, and no network
  unless ``online``.
"""

from __future__ import annotations

import importlib.util
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from importers.errors import ConfigError, InputError
from importers.model import SpeakerTurn, Transcript
from importers.source import Source

if TYPE_CHECKING:
    from importers.checks import Check
    from importers.inputs import Found


def module_installed(module: str) -> bool:
    """Whether ``module`` (``pyannote.audio``) can be imported, found without importing it."""
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # its parent package (pyannote) is not installed
        return False


@dataclass(frozen=True)
class ParseOptions:
    """What an adapter may need beyond the file itself.

    Attributes:
        timezone: zone for wall-clock times in files that carry no offset (None: local zone).
        started_at: the user's ``--started-at``, if given (e.g. to date a caption file).
        language: the user's ``--language``, if given.
        extra: the values of adapters' own options (:attr:`Adapter.options`) the user set.
    """

    timezone: tzinfo | None = None
    started_at: datetime | None = None
    language: str | None = None
    extra: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Member:
    """One file inside an archive (:meth:`Adapter.members`).

    Exactly one of ``data`` (its bytes: an input of its own, detected like a file of a folder),
    ``skipped`` (why it is left out, shown as a skipped file) or ``error`` (why it cannot be read:
    a failed input) is set. ``name`` is the member's name in the archive (``lifelogs/2025/x.md``);
    it is shown as a path below the archive's (``export.zip/lifelogs/2025/x.md``).
    """

    name: str
    data: bytes | None = None
    skipped: str | None = None
    error: InputError | None = None


@dataclass(frozen=True)
class AdapterOption:
    """A command-line option an adapter adds to ``convert`` and ``import``.

    The value a user gives is stored in ``ParseOptions.extra[key]``. An option left unset stores
    nothing, so an option added in a later release never changes a ``client_session_id`` of a
    file imported without it. Several adapters may declare the same option (the subtitle
    adapters share ``--speaker-prefixes``) as long as the declarations are equal.

    Attributes:
        flag: the option as typed, ``"--num-speakers"``.
        key: where its value goes in ``extra``, ``"num_speakers"``.
        help: one line for ``--help``.
        type: a click parameter type (``click.IntRange(min=1)``, ``click.Choice([...])``) or a
            Python type; ``str`` when omitted. Ignored for on/off flags.
        metavar: the value's name in ``--help``.
        flag_value: makes it an on/off flag; giving the flag stores this value.
    """

    flag: str
    key: str
    help: str
    type: Any = None
    metavar: str | None = None
    flag_value: object = None

    @property
    def is_flag(self) -> bool:
        return self.flag_value is not None

    @property
    def dest(self) -> str:
        """The keyword name of the option (``--no-diarize`` -> ``no_diarize``)."""
        return self.flag.lstrip("-").replace("-", "_")

    def to_extra(self, value: object) -> object | None:
        """The value stored in ``extra`` for what the user gave (None: store nothing)."""
        if self.is_flag:
            return self.flag_value if value else None
        return value


class Adapter(ABC):
    """Base class of every format adapter (built-in or plugin)."""

    name: ClassVar[str]
    extensions: ClassVar[tuple[str, ...]]
    description: ClassVar[str] = ""
    binary: ClassVar[bool] = False
    #: Set (to a short reason) by formats that are not transcripts on their own, such as RTTM
    #: speaker turns: a folder walk skips such files with this reason instead of failing.
    companion: ClassVar[str | None] = None
    #: Breaks a tie between adapters whose sniffs both say yes and neither extends the other.
    priority: ClassVar[int] = 0
    #: Set by adapters of an extension that many other files share (``.md``: any Markdown note):
    #: a file whose content the sniff does not recognise is "not recognised" (skipped in a
    #: folder walk), never handed to the parser as the extension's only format.
    sniff_only: ClassVar[bool] = False
    #: Command-line options of this adapter (see :class:`AdapterOption`).
    options: ClassVar[tuple[AdapterOption, ...]] = ()
    #: Modules it needs beyond omi-import's own dependencies, and the command that installs
    #: them (``omi-import formats`` says when they are missing; ``doctor`` checks them fully).
    requires: ClassVar[tuple[str, ...]] = ()
    install: ClassVar[str | None] = None
    #: Extensions of the archives this adapter unpacks (see :meth:`members`).
    archives: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    def sniff(self, source: Source) -> bool:
        """Return True when ``source`` is in this adapter's format."""

    @abstractmethod
    def parse(self, source: Source, options: ParseOptions) -> Transcript:
        """Read ``source`` into a Transcript. Raise ParseError on invalid input."""

    def checks(self, *, online: bool = False) -> Sequence[Check]:
        """What ``omi-import doctor`` should report for this adapter (default: nothing)."""
        return ()

    def claims_extension(self, suffix: str) -> bool:
        return suffix.lower() in self.extensions

    def missing(self) -> list[str]:
        """The modules of :attr:`requires` that are not installed (found, not imported)."""
        return [m for m in self.requires if not module_installed(m)]

    def check_options(self, extra: Mapping[str, object]) -> None:  # noqa: B027 - optional
        """Raise :class:`~importers.errors.ConfigError` for values of :attr:`options` that
        cannot work together (checked once, before the first file)."""

    def folder_skips(
        self, files: Sequence[Path], found: Callable[[Path], Found]
    ) -> Mapping[Path, str]:
        """Files of one folder that this adapter's rule leaves out, each with the reason shown.

        ``files`` are the folder's files (sorted); ``found(path)`` is a file's detection, made
        once and shared with the walk, so looking at a file costs no second read. A rule that
        does not apply to the folder should decide so from the names alone.
        """
        return {}

    def members(self, source: Source) -> Iterator[Member] | None:
        """The files of ``source``, an archive with one of :attr:`archives`' extensions, or None
        when it is no archive of this adapter's (then the next such adapter is asked, and at last
        the file is detected as any other). Decided cheaply (the archive's directory, not its
        members' bytes); each member is read when the iteration reaches it.
        """
        return None

    def content_sha256(self, source: Source) -> str:
        """The hash that stands for ``source``'s content in its conversations' keys and in the
        ledger: the file's bytes (the default). A format whose files also carry text that is
        never sent and that its app rewrites on each export (a Limitless lifelog's title and
        summary headings) hashes what the conversations are made of instead, so that such a
        re-export keeps its keys and is not sent twice. Called after a successful parse."""
        return source.sha256

    def estimate(self, files: Sequence[Path], options: ParseOptions) -> str | None:
        """A line to show before a batch of ``files`` (this adapter's by extension) starts."""
        return None

    def media_seconds(self, source: Source) -> float | None:
        """How long the recording ``source`` plays, when this adapter reads recordings and its
        header says (cheap: nothing is decoded); None otherwise."""
        return None

    def read_speaker_turns(self, source: Source) -> Mapping[str, Sequence[SpeakerTurn]]:
        """Speaker turns per recording id, for ``--diarization FILE`` (diarization formats)."""
        raise ConfigError(f"--diarization {source.path}: {self.name} files hold no speaker turns")
