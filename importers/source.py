"""Read an input once: raw bytes, content hash, and text decoded exactly once.

Decoding order (adapters only ever see ``str`` with ``\\n`` line endings):

1. ``--encoding`` when given (``utf-8``, ``cp1252``, ...): strict, with a fix-it message.
2. A byte-order mark: UTF-8, UTF-16 LE/BE, UTF-32 LE/BE.
3. Strict UTF-8 (covers ASCII).
4. A legacy code page guessed by charset-normalizer (cp1252 and friends).

CRLF and bare CR (classic Mac) line endings become ``\\n``, so line numbers are the same for every
file whatever its origin.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import sys
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from charset_normalizer import from_bytes

from importers.errors import DecodeError, ParseError

HEAD_CHARS = 8192
#: The name standard input goes by in messages and outputs.
STDIN = Path("<stdin>")
#: Legacy code pages chosen when the detector rates them as good as its first guess.
PREFERRED_ON_TIE = ("cp1252",)

_BOMS: tuple[tuple[bytes, str, str], ...] = (
    # UTF-32 before UTF-16: the UTF-32 LE BOM starts with the UTF-16 LE one.
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32-le-bom"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32-be-bom"),
    (codecs.BOM_UTF8, "utf-8", "utf-8-bom"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le-bom"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be-bom"),
)


def normalize_newlines(text: str) -> str:
    """CRLF and lone CR become LF."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode_bytes(
    data: bytes, encoding: str | None = None, *, path: Path | None = None
) -> tuple[str, str]:
    """Decode ``data`` to text; return ``(text, encoding name)``.

    Raises:
        DecodeError: the bytes are not valid in the given encoding, or no encoding fits.
    """
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise DecodeError(f"unknown encoding {encoding!r}", path=path) from None
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise DecodeError(
                f"not valid {encoding} (byte 0x{data[exc.start]:02x}); "
                "try another --encoding, e.g. --encoding cp1252",
                path=path,
                line=line,
            ) from None
        return normalize_newlines(text.removeprefix("\ufeff")), encoding.lower()
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                return normalize_newlines(data[len(bom) :].decode(codec)), name
            except UnicodeDecodeError:
                raise DecodeError(
                    f"starts with a {name} byte-order mark but is not valid {codec}",
                    path=path,
                ) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return normalize_newlines(text), "ascii" if text.isascii() else "utf-8"
    if b"\x00" in data[:4096]:
        raise DecodeError(
            "looks like a binary file, not text (pass --encoding if it is UTF-16 without a BOM)",
            path=path,
        )
    results = from_bytes(data)
    best = results.best()
    if best is None:
        raise DecodeError("cannot detect the text encoding; pass --encoding", path=path)
    # charset-normalizer ranks equally good guesses by name, so French text in cp1252 came out
    # as cp1250 ("forêt" -> "foręt"). On a tie, prefer the most common legacy code page.
    for match in results:
        if (
            match.encoding in PREFERRED_ON_TIE
            and match.chaos == best.chaos
            and match.coherence >= best.coherence
        ):
            best = match
            break
    return normalize_newlines(str(best)), best.encoding.replace("_", "-")


class Source:
    """One input, read once: its bytes on first use (never before), its text decoded once.

    Nothing is read when a Source is made, so a folder walk can hold the Sources of recordings
    it has not converted yet without their bytes; each cached view (``data``, ``text``,
    ``head``, ``lines``, ``json``, ``sha256``) is computed at most once.
    """

    def __init__(
        self, path: Path, data: bytes | None = None, encoding_override: str | None = None
    ) -> None:
        self.path = path
        self.encoding_override = encoding_override
        self._encoding: str | None = None
        if data is not None:
            self.__dict__["data"] = data

    def __repr__(self) -> str:
        return f"Source({str(self.path)!r})"

    @classmethod
    def from_path(cls, path: Path | str, encoding: str | None = None) -> Source:
        return cls(Path(path), encoding_override=encoding)

    @classmethod
    def from_stdin(cls, encoding: str | None = None) -> Source:
        """Standard input (``omi-import convert -``), read whole; it has no name or extension,
        so every text format's sniffer is asked."""
        return cls(STDIN, sys.stdin.buffer.read(), encoding)

    @classmethod
    def from_text(cls, text: str, name: str = "<text>") -> Source:
        """A source made from a string (tests, library callers)."""
        return cls(Path(name), text.encode("utf-8"), "utf-8")

    @cached_property
    def data(self) -> bytes:
        """The file's bytes (read on first use).

        Raises:
            DecodeError: the file cannot be read.
        """
        try:
            return self.path.read_bytes()
        except OSError as exc:
            raise DecodeError(f"cannot read: {exc.strerror or exc}", path=self.path) from None

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @cached_property
    def text(self) -> str:
        text, self._encoding = decode_bytes(self.data, self.encoding_override, path=self.path)
        return text

    @property
    def encoding(self) -> str:
        """The encoding the text was decoded with (decodes if not done yet)."""
        _ = self.text
        assert self._encoding is not None
        return self._encoding

    @cached_property
    def head(self) -> str:
        """The first ~8 KiB of text, for sniffing. Empty when the bytes are not text."""
        try:
            return self.text[:HEAD_CHARS]
        except DecodeError:
            return ""

    @cached_property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    @cached_property
    def json(self) -> Any:
        """The text parsed as JSON (cached; sniffers and the parser share it)."""
        try:
            return json.loads(self.text)
        except json.JSONDecodeError as exc:
            raise ParseError(f"invalid JSON: {exc.msg}", path=self.path, line=exc.lineno) from None

    @property
    def modified_at(self) -> datetime | None:
        try:
            return datetime.fromtimestamp(self.path.stat().st_mtime, tz=UTC)
        except OSError:
            return None
