"""Decoding once: BOMs, UTF-16, legacy code pages, line endings, --encoding."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from importers.errors import DecodeError
from importers.source import Source, decode_bytes

TEXT = "1\n00:00:01,000 --> 00:00:02,000\nCafé – naïve “quotes”\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-bom"),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16-le-bom"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16-be-bom"),
        (codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le"), "utf-32-le-bom"),
    ],
)
def test_unicode_encodings(data: bytes, encoding: str) -> None:
    """BOMs are recognised and removed; the text is the same whatever the encoding."""
    assert decode_bytes(data) == (TEXT, encoding)


def test_ascii_is_reported_as_ascii() -> None:
    assert decode_bytes(b"hello\n") == ("hello\n", "ascii")


def test_cp1252_detected() -> None:
    """Legacy bytes that are not UTF-8 go through charset-normalizer."""
    french = (
        "Il était une fois, dans une forêt très éloignée, un garçon qui rêvait "
        "de châteaux. « Où vas-tu ? » demanda sa sœur, déçue.\n" * 4
    )
    text, encoding = decode_bytes(french.encode("cp1252"))
    assert text == french
    assert encoding == "cp1252"  # charset-normalizer alone says cp1250 ("foręt")


@pytest.mark.parametrize(
    ("text", "detector_alone"),
    [
        # Each of these came out in another Latin code page, or worse, before the cp1252 rule.
        ("Résumé: déjà vu. Où est la forêt ? Très bien, à demain.\n", "cp1257 'déją'"),
        ("1\n00:00:01,000 --> 00:00:03,000\nRésumé\n", "cp1006 'Rﻠsumﻠ'"),
        ("1\n00:00:01,000 --> 00:00:03,000\nC'est déjà fini ?\n", "cp1250 on a tie"),
        ("¿Qué pasó? Mañana será otro día. El niño está en la canción.\n", "cp1252"),
        ("Ça va très bien, merci. À bientôt ! « Voilà » – 5 €\n", "cp1250 on a tie"),
    ],
)
def test_western_cp1252_text_is_read_as_cp1252(text: str, detector_alone: str) -> None:
    """Short French and Spanish files in cp1252 never come out in a Baltic or other code page."""
    assert decode_bytes(text.encode("cp1252")) == (text, "cp1252"), detector_alone


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        # cp1252 reads these without an error, as 'Dziêkujê ... £odzi ... ³' and 'Dìkuji ...
        # pøíštì ... až': not Western text, so the detector's Central European reading stays.
        (
            "Dziękuję bardzo. Będziemy w Łodzi w przyszłym tygodniu, jeśli pogoda się poprawi.\n",
            "cp1250",
        ),
        ("Děkuji mnohokrát. Příští týden se uvidíme v Praze, až bude hezké počasí.\n", "cp1250"),
        # Greek in cp1253 would be Latin letters in cp1252 ('Êáëçìİñá'): the detector's script.
        ("Καλημέρα σας, τι κάνετε σήμερα; Πολύ καλά, ευχαριστώ.\n", "cp1253"),
        ("Привет, как дела? Всё хорошо, спасибо большое.\n", "cp1251"),
    ],
)
def test_other_code_pages_are_not_forced_to_cp1252(text: str, encoding: str) -> None:
    assert decode_bytes(text.encode(encoding)) == (text, encoding)


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_line_endings_become_lf(newline: str) -> None:
    data = TEXT.replace("\n", newline).encode("utf-8")
    text, _ = decode_bytes(data)
    assert text == TEXT
    assert Source(Path("x.srt"), data).lines == TEXT.split("\n")


def test_encoding_override_wins() -> None:
    """cp1252 bytes that happen to be valid UTF-8 are read as cp1252 when asked."""
    data = "Ã©".encode("cp1252")  # valid UTF-8 for "é"
    assert decode_bytes(data)[0] == "é"
    assert decode_bytes(data, "cp1252") == ("Ã©", "cp1252")


def test_encoding_override_strips_a_bom() -> None:
    assert decode_bytes(codecs.BOM_UTF8 + b"hi", "utf-8") == ("hi", "utf-8")


def test_wrong_override_has_a_fix_it_with_line(tmp_path: Path) -> None:
    path = tmp_path / "a.srt"
    path.write_bytes(b"line one\nline two\ncaf\xe9\n")
    with pytest.raises(DecodeError) as info:
        _ = Source.from_path(path, "utf-8").text
    assert str(info.value) == (
        f"{path}:3: not valid utf-8 (byte 0xe9); try another --encoding, e.g. --encoding cp1252"
    )


def test_unknown_encoding_name() -> None:
    with pytest.raises(DecodeError, match="unknown encoding 'klingon'"):
        decode_bytes(b"x", "klingon")


def test_binary_is_refused() -> None:
    with pytest.raises(DecodeError, match="looks like a binary file"):
        decode_bytes(b"\x00\x01\x02\xff\xfe\x00garbage")


def test_bom_with_invalid_body() -> None:
    with pytest.raises(DecodeError, match="utf-8-bom byte-order mark but is not valid utf-8"):
        decode_bytes(codecs.BOM_UTF8 + b"\xff\xfe\xfd")


def test_head_is_empty_for_undecodable_and_json_is_cached(tmp_path: Path) -> None:
    assert Source(Path("x"), b"\x00\x01\x02\xff").head == ""
    s = Source.from_text('{"a": [1]}', "x.json")
    assert s.json is s.json
    assert s.json == {"a": [1]}


def test_missing_file_is_a_decode_error_when_first_read(tmp_path: Path) -> None:
    source = Source.from_path(tmp_path / "nope.srt")  # nothing is read yet
    with pytest.raises(DecodeError, match=r"nope\.srt: cannot read: No such file"):
        _ = source.text


def test_sha256_is_of_the_bytes() -> None:
    a = Source(Path("a.srt"), b"same")
    b = Source(Path("elsewhere/b.srt"), b"same")
    assert a.sha256 == b.sha256
    assert a.sha256 != Source(Path("a.srt"), b"other").sha256
