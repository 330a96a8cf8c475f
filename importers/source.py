"""Read an input once: raw bytes, content hash, and text decoded exactly once.

Decoding order (adapters only ever see ``str`` with ``\\n`` line endings):

1. ``--encoding`` when given (``utf-8``, ``cp1252``, ...): strict, with a fix-it message. It must
   name a text encoding of files (:func:`text_encoding`): ``rot13``, ``base64``, ``zlib`` and
   the like transform bytes, and ``idna``, ``punycode`` or ``unicode_escape`` decode host names
   and Python literals.
2. A byte-order mark: UTF-8, UTF-16 LE/BE, UTF-32 LE/BE.
3. Strict UTF-8 (covers ASCII).
4. A legacy code page: cp1252 when it reads the bytes as clean Western European text (see
   :func:`_reads_as_western`), else the guess of charset-normalizer.

CRLF and bare CR (classic Mac) line endings become ``\\n``, so line numbers are the same for every
file whatever its origin. Text never holds a lone surrogate (UTF-7's ``+2AA-`` decodes to one):
no request body could carry it, so such a file is a DecodeError naming the line.

JSON (:attr:`Source.json`) is read by orjson: strict JSON, nesting capped (1,024 levels), no
lone surrogates, numbers beyond a double refused. ``NaN`` and ``Infinity`` are not JSON, but
Python's ``json`` module writes them for float NaN and infinity (WhisperX does so for audio
without speech), so a file holding them is read again by that module with each one read as
``null``, a value the file does not know.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
import sys
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import orjson

from importers.bounds import in_range
from importers.errors import ConfigError, DecodeError, ParseError

HEAD_CHARS = 8192
#: The name standard input goes by in messages and outputs.
STDIN = Path("<stdin>")
WESTERN_CODE_PAGE = "cp1252"
#: Every non-ASCII character that Western European text (French, Spanish, Portuguese, Italian,
#: German, Dutch, the Nordic languages) has in cp1252: its letters and typographic punctuation.
#: Left out on purpose: what cp1252 shows for the letters of other Latin code pages, which would
#: otherwise "read cleanly" too -- ``š ž Ÿ`` (Czech, Baltic ``š``/``ž``, Polish ``ź``), ``ð þ``
#: (Lithuanian ``š ž``, Turkish ``ğ ş`` in cp1257/cp1254), ``¹ ³ ¾ ¥`` (Polish ``ą ł``, Slovak
#: ``ľ``, ``Ą``).
WESTERN_CHARS = frozenset(
    "àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿßœÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝŒ\u00a0¡¢£§©«®°´·»¿ªº‘’‚“”„–—…•€™"
)
#: Latin-script code pages charset-normalizer picks for Western text it cannot tell apart
#: (``déjà`` read as cp1257 ``déją``, ``forêt`` as cp1250 ``foręt``).
OTHER_LATIN_CODE_PAGES = frozenset(
    {
        "cp1250",
        "cp1257",
        "cp775",
        "cp850",
        "cp852",
        "iso8859_2",
        "iso8859_4",
        "iso8859_10",
        "iso8859_13",
        "iso8859_14",
        "iso8859_15",
        "iso8859_16",
        "latin_1",
        "mac_latin2",
        "mac_iceland",
        "mac_roman",
    }
)
#: A letter of another script written against an ASCII letter: a word no language writes,
#: which is what a wrong code page makes of Latin text (``Résumé`` read as cp1006 ``Rﻠsumﻠ``).
_MIXED_SCRIPT_WORD = re.compile(r"[A-Za-z][^\W\d_\x00-\u024f]|[^\W\d_\x00-\u024f][A-Za-z]")

_BOMS: tuple[tuple[bytes, str, str], ...] = (
    # UTF-32 before UTF-16: the UTF-32 LE BOM starts with the UTF-16 LE one.
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32-le-bom"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32-be-bom"),
    (codecs.BOM_UTF8, "utf-8", "utf-8-bom"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le-bom"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be-bom"),
)


#: Text encodings to Python that are no encodings of text files (see the module docstring).
NOT_FILE_ENCODINGS = frozenset(
    {"idna", "punycode", "unicode-escape", "raw-unicode-escape", "undefined"}
)
#: A lone surrogate: no character, and no UTF-8 (so no request body) can carry one.
SURROGATE = re.compile(r"[\ud800-\udfff]")
_NON_FINITE = ("NaN", "Infinity", "-Infinity")


def text_encoding(name: str) -> str:
    """``name`` when it is an encoding text files can be in (``--encoding``).

    Raises:
        ConfigError: an unknown name, or a codec that is no text file encoding.
    """
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise ConfigError(f"--encoding: unknown encoding {name!r}") from None
    # The flag str.decode itself checks: codecs.lookup("rot13") succeeds, b"".decode("rot13")
    # raises "not a text encoding" (CPython marks its bytes-to-bytes and str-to-str codecs).
    if not getattr(info, "_is_text_encoding", True) or info.name in NOT_FILE_ENCODINGS:
        raise ConfigError(
            f"--encoding: {name!r} is not a text encoding (use one such as utf-8 or cp1252)"
        )
    return name


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
        ConfigError: ``encoding`` is no text encoding (:func:`text_encoding`).
    """
    if encoding:
        try:
            text = data.decode(text_encoding(encoding))
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise DecodeError(
                f"not valid {encoding} (byte 0x{data[exc.start]:02x}); "
                "try another --encoding, e.g. --encoding cp1252",
                path=path,
                line=line,
            ) from None
        return _no_surrogates(normalize_newlines(text.removeprefix("\ufeff")), path), (
            encoding.lower()
        )
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
    from charset_normalizer import from_bytes  # 10 ms of start-up, for legacy files only

    best = from_bytes(data).best()
    if best is None:
        raise DecodeError("cannot detect the text encoding; pass --encoding", path=path)
    western = _reads_as_western(data, best.encoding, str(best))
    if western is not None:
        return _no_surrogates(normalize_newlines(western), path), WESTERN_CODE_PAGE
    return _no_surrogates(normalize_newlines(str(best)), path), best.encoding.replace("_", "-")


def _no_surrogates(text: str, path: Path | None) -> str:
    """``text``, unless a decoder made a lone surrogate (strict UTF-8/16/32 never do)."""
    found = SURROGATE.search(text)
    if found is None:
        return text
    line = text.count("\n", 0, found.start()) + 1
    raise DecodeError(
        f"decodes to a lone surrogate ({found.group()!r}), which is no character; "
        "try another --encoding",
        path=path,
        line=line,
    )


def path_text(path: Path) -> str:
    """``path`` as text that UTF-8 output (JSON, the ledger, the report) can hold.

    A file name's bytes that are not UTF-8 reach Python as lone surrogates
    (``surrogateescape``), which no UTF-8 encoder takes: they are written as ``\\xff``.
    """
    text = str(path)
    if SURROGATE.search(text) is None:
        return text
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _reads_as_western(data: bytes, guess: str, guessed_text: str) -> str | None:
    """The cp1252 text of ``data`` when it should win over charset-normalizer's ``guess``.

    On short or accent-poor text the detector cannot tell Latin code pages apart and ranks equal
    guesses by name: French in cp1252 came out as cp1250 (``forêt`` -> ``foręt``), as cp1257
    (``déjà`` -> ``déją``, ``Résumé: déjà vu`` rated *less* chaotic in cp1257), and a lone
    ``Résumé`` as Urdu cp1006. cp1252 is by far the most common legacy code page, so it wins when
    it decodes the bytes, every non-ASCII character it gives is a Western letter or punctuation
    (:data:`WESTERN_CHARS`), and the guess is another Latin code page or reads as words of mixed
    scripts. A file the detector reads as Greek, Cyrillic or Hebrew keeps that reading: cp1252
    would show Latin letters for those too.
    """
    if guess == WESTERN_CODE_PAGE:
        return None
    try:
        text = data.decode(WESTERN_CODE_PAGE)
    except UnicodeDecodeError:
        return None
    if any(c not in WESTERN_CHARS for c in text if c > "\x7f"):
        return None
    if guess in OTHER_LATIN_CODE_PAGES or _MIXED_SCRIPT_WORD.search(guessed_text):
        return text
    return None


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

    def __reduce__(self) -> tuple[type[Source], tuple[Path, bytes | None, str | None]]:
        """Pickled (to another process: :mod:`importers.conversion.cluster`) as its path and, when
        they were read already, its bytes; never its decoded views, which cost more to send than to
        make again. Unread bytes are read where the Source lands, from its path."""
        return (Source, (self.path, self.__dict__.get("data"), self.encoding_override))

    @classmethod
    def from_path(cls, path: Path | str, encoding: str | None = None) -> Source:
        return cls(Path(path), encoding_override=encoding)

    @classmethod
    def from_stdin(cls, encoding: str | None = None) -> Source:
        """Standard input (``omi-import convert -``), read whole; it has no name or extension,
        so every text format's sniffer is asked."""
        return cls(STDIN, sys.stdin.buffer.read(), encoding)

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
        """The text parsed as JSON (cached; sniffers and the parser share it; module doc).

        Raises:
            ParseError: not JSON, nested too deeply, a lone surrogate, a number too large.
        """
        text = self.text
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            if not text.startswith(_NON_FINITE, exc.pos):
                raise self._invalid_json(exc.msg, exc.lineno) from None
        return self._json_with_non_finite(text)

    def _json_with_non_finite(self, text: str) -> Any:
        """Python's json module for a file with NaN/Infinity: each is read as null."""
        try:
            data = json.loads(text, parse_constant=lambda _: None)
            # The checks orjson made: a lone surrogate fails to encode, too deep a nesting
            # recurses too far.
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except json.JSONDecodeError as exc:
            raise self._invalid_json(exc.msg, exc.lineno) from None
        except RecursionError:
            raise self._invalid_json("nested too deeply") from None
        except UnicodeEncodeError:
            raise self._invalid_json("a string holds a lone surrogate (\\ud800-\\udfff)") from None
        except ValueError as exc:  # an integer of more than 4,300 digits
            raise self._invalid_json(str(exc).split(";")[0]) from None
        return data

    def _invalid_json(self, reason: str, line: int | None = None) -> ParseError:
        return ParseError(f"invalid JSON: {reason}", path=self.path, line=line)

    @property
    def modified_at(self) -> datetime | None:
        """The file's modification time; None when unknown or outside :mod:`importers.bounds`'
        range (a clock reset to 1904, a bogus far-future stamp: not when it was recorded)."""
        try:
            mtime = datetime.fromtimestamp(self.path.stat().st_mtime, tz=UTC)
        except (OSError, OverflowError, ValueError):
            return None
        return mtime if in_range(mtime) else None
