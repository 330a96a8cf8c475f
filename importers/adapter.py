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
  ``source.json``; it must be cheap and must not claim files another adapter owns. Two adapters
  that both say yes make detection fail with an "ambiguous format" error.
* ``parse`` returns every cue it read. It never drops words silently: what it skips or repairs
  goes into ``Transcript.repairs`` with the source line. Times may be ``None`` where the format
  has none; normalization estimates them and reports it.
* Problems are raised as :class:`~importers.errors.ParseError` with the line number.
* Binary adapters (audio) set ``binary = True`` and read ``source.path`` / ``source.data``
  instead of ``source.text``.
* An adapter that needs more than Python (models, tokens, libraries) says whether they are ready
  in :meth:`Adapter.checks`, which ``omi-import doctor`` shows; cheap, and no network unless
  ``online``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, ClassVar

from importers.model import Transcript
from importers.source import Source

if TYPE_CHECKING:
    from importers.doctor import Check


@dataclass(frozen=True)
class ParseOptions:
    """What an adapter may need beyond the file itself.

    Attributes:
        timezone: zone for wall-clock times in files that carry no offset (None: local zone).
        started_at: the user's ``--started-at``, if given (e.g. to date a caption file).
        language: the user's ``--language``, if given.
        extra: adapter-specific options (the audio adapter's model choices, for example).
    """

    timezone: tzinfo | None = None
    started_at: datetime | None = None
    language: str | None = None
    extra: Mapping[str, object] = field(default_factory=dict)


class Adapter(ABC):
    """Base class of every format adapter (built-in or plugin)."""

    name: ClassVar[str]
    extensions: ClassVar[tuple[str, ...]]
    description: ClassVar[str] = ""
    binary: ClassVar[bool] = False
    #: Set (to a short reason) by formats that are not transcripts on their own, such as RTTM
    #: speaker turns: a folder walk skips such files with this reason instead of failing.
    companion: ClassVar[str | None] = None

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
