"""What a run tells about its progress, as it goes: the protocol the uploader reports to, and a
sink that shows nothing. The displays (a rich live display on a terminal, plain lines
elsewhere) are the command line's (:mod:`importers.cli.progress`): the uploader knows none of them.

The uploader calls these methods from worker threads: an implementation is thread-safe.
"""

from __future__ import annotations

from typing import Protocol


class ProgressSink(Protocol):
    def start(self, files: int) -> None:
        """``files`` inputs are to be read (converting and uploading overlap)."""

    def queued(self, to_send: int) -> None:
        """``to_send`` more requests to make (a file's conversations, or deletions)."""

    def all_queued(self) -> None:
        """Every input is converted: the requests :meth:`queued` counted are all there are."""

    def note(self, line: str) -> None: ...
    def sent(self) -> None: ...
    def finished(self, line: str) -> None: ...
    def waiting(self, until: float) -> None: ...

    def eta(self, seconds: float | None, assumed: bool) -> None:
        """The time left (None: unknown); ``assumed``: at Omi's documented limit, not yet
        the server's."""

    def close(self) -> None: ...


class NullProgress:
    """Shows nothing (a library call without a display); the displays extend it."""

    def start(self, files: int) -> None:
        pass

    def queued(self, to_send: int) -> None:
        pass

    def all_queued(self) -> None:
        pass

    def note(self, line: str) -> None:
        pass

    def sent(self) -> None:
        pass

    def finished(self, line: str) -> None:
        pass

    def waiting(self, until: float) -> None:
        pass

    def eta(self, seconds: float | None, assumed: bool) -> None:
        pass

    def close(self) -> None:
        pass
