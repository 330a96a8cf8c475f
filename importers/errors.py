"""One exception hierarchy for everything omi-import reports to a user.

Every message is written for a person reading a terminal; ``str(error)`` is the whole line
(without the ``Error:`` prefix the CLI adds). No message ever contains the API key.

::

    ImporterError
    ├── InputError                  a problem with one input; the rest of a batch goes on
    │   ├── DecodeError             bytes that are not text in the detected/given encoding
    │   ├── ParseError              text that is not valid for its format (path, line, snippet)
    │   ├── UnknownFormatError      no adapter claims the file (suggests --format)
    │   ├── AmbiguousFormatError    several adapters claim it (suggests --format)
    │   ├── EmptyTranscriptError    nothing with words in it
    │   └── PayloadError            a request body that the server would reject
    ├── ConfigError                 bad options, settings, people file, insecure base URL
    ├── MissingDependencyError      an optional extra (audio) is not installed
    ├── ModelLoadError              a speech/diarization model cannot be loaded
    ├── ClusterError                the Dask cluster cannot be reached or went away (--dask)
    └── ApiError                    the Omi API answered with an error (status, detail)
        ├── StopError               nothing else can succeed either: the whole run stops
        │   ├── AuthError           401/403: the key is wrong or may not write
        │   ├── EndpointError       the base URL cannot work: bad TLS certificate, a redirect
        │   ├── UnreachableError    no connection to Omi, again and again (DNS, refused...)
        │   └── FailingError        the same failure for several conversations in a row
        ├── RejectedError           400/404/413/422: this conversation only, never retried
        ├── DeletedError            the key's conversation was deleted in Omi and stays so
        ├── TransientError          retries used up (5xx, timeouts...): a re-run tries again
        └── UncertainError          the request may or may not have created it (no answer
                                    from a server without idempotency, or the text endpoint)

Every message is one line of at most :data:`MAX_MESSAGE_CHARS` characters with nothing a
terminal acts on: control characters, lone surrogates and newlines are shown escaped
(:func:`importers.redact.printable`), whatever file name, cue text or value it quotes. So an
``Error:`` line stays under 2,000 characters, and a file name shows at most
:data:`MAX_PATH_CHARS` of them.

All errors are picklable (they may cross process boundaries in the audio path).

:class:`ImporterWarning` (a :class:`UserWarning`) is what the library tells the user without
stopping anything (a state folder made private, a config file other accounts can read), through
:mod:`warnings`: the CLI prints each as one ``Warning:`` line, the same bounded way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from importers.redact import printable

MAX_MESSAGE_CHARS = 1900
MAX_PATH_CHARS = 500


def _bounded(message: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    return printable(message, limit, keep_spaces=True)


class ImporterError(Exception):
    """Base of every error omi-import raises on purpose.

    ``message`` says what is wrong; ``hint``, when there is one, what to do about it (``use
    --format srt``, ``omi-import doctor shows what is ready``). ``str(error)`` is the whole line,
    ``message; hint``: the CLI prints it once, and a check that states the problem in its own
    words (doctor) takes ``message`` alone.
    """

    def __init__(self, message: str, *, hint: str = "") -> None:
        self.message = _bounded(message)
        self.hint = _bounded(hint) if hint else ""
        super().__init__(str(self))

    def __str__(self) -> str:
        if not self.hint:
            return self.message
        return _bounded(f"{self.message}; {self.hint}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.__dict__.copy()))


def _rebuild(cls: type[ImporterError], state: dict[str, Any]) -> ImporterError:
    error = cls.__new__(cls)
    Exception.__init__(error, state.get("message", ""))
    error.__dict__.update(state)
    return error


class InputError(ImporterError):
    """A problem with one input file: reported as ``FILE[:LINE]: reason``."""

    def __init__(
        self,
        reason: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        hint: str = "",
    ):
        self.reason = reason
        self.path = str(path) if path is not None else None
        self.line = line
        super().__init__(self._format(), hint=hint)

    def _format(self) -> str:
        where = _bounded(self.path, MAX_PATH_CHARS) if self.path else "<input>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.reason}"

    def with_path(self, path: Path | str) -> InputError:
        """Return the same error attributed to ``path`` (adapters may not know it)."""
        self.path = str(path)
        self.message = _bounded(self._format())
        self.args = (str(self),)
        return self


class DecodeError(InputError):
    """The file's bytes cannot be decoded as text."""


class ParseError(InputError):
    """The text is not valid for the format; carries the offending line when known."""

    def __init__(
        self,
        reason: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        snippet: str | None = None,
    ):
        self.snippet = snippet
        if snippet:
            shown = snippet if len(snippet) <= 60 else snippet[:57] + "..."
            reason = f"{reason}: {shown!r}"
        super().__init__(reason, path=path, line=line)


class UnknownFormatError(InputError):
    """No adapter recognises the file (its ``hint`` suggests ``--format``)."""


class AmbiguousFormatError(InputError):
    """More than one adapter recognises the file."""


class EmptyTranscriptError(InputError):
    """The input holds no segment with any words."""


class PayloadError(InputError):
    """A request body fails the checks the Omi server makes."""


class ConfigError(ImporterError):
    """Bad command-line options or settings."""


class MissingDependencyError(ImporterError):
    """An optional dependency is missing; the message names the pip command."""


class ModelLoadError(ImporterError):
    """A transcription or diarization model could not be loaded; says what to do."""


class ClusterError(ImporterError):
    """``--dask``: the scheduler cannot be reached, or the cluster went away mid-run."""


class ApiError(ImporterError):
    """The Omi API answered with an error status."""

    def __init__(self, message: str, *, status: int | None = None, detail: str | None = None):
        self.status = status
        self.detail = detail
        super().__init__(message)


class StopError(ApiError):
    """An answer that every other request would get too: the run stops."""


class AuthError(StopError):
    """401 or 403: the key is wrong or lacks a scope. Stops the whole run."""


class EndpointError(StopError):
    """The base URL cannot be used: its certificate fails verification, or it redirects.

    The key is never sent to a redirect's target (another host, or plain http://).
    """


class UnreachableError(StopError):
    """Omi could not be reached for several conversations in a row (the host does not resolve,
    refuses connections, fails the TLS handshake or never answers): the run stops; nothing was
    sent, so a re-run resumes."""


class FailingError(StopError):
    """Omi answered several different conversations in a row with the same failure (its
    processing fails, the user's own model provider is rate limited...): every request would
    only spend the write budget, so the run stops and the rest stays pending."""


class RejectedError(ApiError):
    """The server rejected one request (400/404/413/422); retrying cannot help."""


class DeletedError(ApiError):
    """The conversation of this ``client_session_id`` was deleted in Omi, and the server will
    not make it again under that key (server-behavior.md, Deletion: the ``deleted`` answer or
    410). ``conversation_id`` is the deleted conversation's id when the answer said it."""

    def __init__(self, message: str, *, conversation_id: str | None = None, status: int = 200):
        self.conversation_id = conversation_id
        super().__init__(message, status=status)


class TransientError(ApiError):
    """The server kept failing (5xx, timeouts, dropped connections) until the retries ran out."""


class UncertainError(ApiError):
    """A request may have created the conversation (no answer, or a gateway's error, after it
    was sent), and sending it again could make a second one: the text endpoint has no
    idempotency key, and an E0 server (or one not yet known to be newer) ignores the
    ``client_session_id``. It is read back before it is ever sent again.
    """


class ImporterWarning(UserWarning):
    """Something the user should know that stops nothing; ``str(warning)`` is the whole line
    (without the ``Warning:`` prefix the CLI adds)."""

    def __init__(self, message: str) -> None:
        super().__init__(_bounded(message))
