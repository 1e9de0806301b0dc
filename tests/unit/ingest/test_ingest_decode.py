"""Encoding detection: UTF-8 (with or without BOM), GB18030, UTF-16 with BOM; refusals."""

from __future__ import annotations

import codecs

import pytest

from gtflow.errors import InputError
from gtflow.ingest.decode import decode_bytes

TEXT = "问：您好。\n答：“平安涟源”APP，我叫罗志强。\n"


@pytest.mark.parametrize(("data", "encoding"), [
    (TEXT.encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
    (TEXT.encode("gb18030"), "gb18030"),
    (TEXT.encode("gbk"), "gb18030"),
    (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16"),
    (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
])
def test_each_accepted_encoding_is_detected_and_recorded(data, encoding):
    text, used = decode_bytes(data, "x.txt")
    assert text == TEXT
    assert used == encoding


def test_declared_charset_that_lies_is_overruled_by_valid_utf8():
    text, used = decode_bytes(TEXT.encode("utf-8"), "page.html", declared="gbk")
    assert (text, used) == (TEXT, "utf-8")


def test_declared_gbk_is_used_for_gbk_bytes():
    assert decode_bytes(TEXT.encode("gbk"), "page.html", declared="GBK") == (TEXT, "gb18030")


def test_unknown_declared_charset_is_ignored():
    assert decode_bytes(TEXT.encode("utf-8"), "p.html", declared="x-nonsense")[1] == "utf-8"


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "empty"),
    (b"  \n\t\n", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    (TEXT.encode("utf-16-le"), "binary"),  # UTF-16 without BOM: NUL bytes
    (b"line one\nline two \xff\xfe\xff bad\n", "neither UTF-8 nor GB18030"),
])
def test_refusals_name_the_problem(data, reason):
    with pytest.raises(InputError, match=reason):
        decode_bytes(data, "x.txt")


def test_undecodable_bytes_name_the_line():
    with pytest.raises(InputError) as error:
        decode_bytes(b"ok\nok\nbad \x80\x80 here\n", "data/raw/interviews/x.txt")
    assert error.value.line == 3
    assert "data/raw/interviews/x.txt, line 3" in str(error.value)


@pytest.mark.parametrize("declared", ["iso-8859-1", "windows-1252", "utf-16", "utf-16le"])
def test_declared_charset_that_lies_about_gbk_bytes_is_overruled(declared):
    # Latin-1 decodes any bytes and UTF-16 any even number of them: both would give mojibake.
    text, used = decode_bytes(TEXT.encode("gbk"), "page.html", declared=declared)
    assert (text, used) == (TEXT, "gb18030")


@pytest.mark.parametrize(("sample", "declared", "codec"), [
    ("Café résumé, naïve déjà vu; über die Straße.", "iso-8859-1", "iso8859-1"),
    ("Привет мир, как дела?", "windows-1251", "cp1251"),
    ("Привет мир, как дела?", "koi8-r", "koi8-r"),
])
def test_true_single_byte_declarations_are_kept(sample, declared, codec):
    data = sample.encode(codec)
    assert decode_bytes(data, "page.html", declared=declared) == (sample, codec)


def test_read_bytes_refuses_a_file_over_the_limit_before_reading(tmp_path):
    from gtflow.ingest.decode import read_bytes

    path = tmp_path / "big.txt"
    with open(path, "wb") as handle:
        handle.truncate(5_000_000)  # sparse: nothing to read, only the size to check
    with pytest.raises(InputError, match=r"larger than 1 MB, the limit for one source"):
        read_bytes(path, 1_000_000)
    assert read_bytes(path, 5_000_000) == b"\0" * 5_000_000
