"""Turn a raw file's bytes into text, recording the encoding that was used.

Researchers' files arrive as UTF-8 (with or without BOM), UTF-16 with a BOM (Windows tools) or
GB18030 (older Chinese Windows editors; a superset of GBK and GB2312). Anything else is refused
with a message rather than guessed at, because a wrong guess silently corrupts quotes.

Order of attempts: a byte-order mark wins; then strict UTF-8; then an encoding the file declares
itself (an HTML meta charset); then GB18030. UTF-8 comes before a declared charset on purpose:
saved pages often keep a ``charset=gbk`` tag after a tool re-saved them as UTF-8, and valid UTF-8
of any length is practically never GBK text, while GB18030 decodes almost any byte sequence
(so trying it first would turn UTF-8 Chinese into mojibake without an error).
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from gtflow.errors import InputError
from gtflow.limits import default_limits, read_file

BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
#: Names a page may declare that GB18030 decodes correctly (it is their superset).
GB_FAMILY = {"gbk", "gb2312", "gb_2312-80", "x-gbk", "cp936", "gb18030", "euc-cn"}
#: C1 control characters: never in real text, a sign of a wrong single-byte decoding.
C1_CONTROLS = re.compile("[\x80-\x9f]")
#: Han characters, CJK punctuation and full-width forms.
CJK_CHARS = re.compile("[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
#: Encoded alike by every ASCII-compatible charset.
ASCII_PROBE = '<meta charset="utf-8">'
#: Control bytes other than tab, newline, vertical tab, form feed, carriage return and ESC.
CONTROL_BYTES = frozenset(b for b in range(32) if b not in (9, 10, 11, 12, 13, 27))


def looks_binary(data: bytes) -> bool:
    """True for bytes that are not text: NUL bytes outside a UTF-16 file, or many control bytes."""
    sample = data[:4096]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b in CONTROL_BYTES)
    return bool(sample) and controls / len(sample) > 0.05


def canonical_encoding(declared: str | None) -> str | None:
    """Python's codec name for a declared charset (GBK and relatives -> gb18030); None if
    unknown or not ASCII-compatible (a page that can declare its charset in ASCII bytes cannot
    be UTF-16 without a BOM, so such a declaration is ignored, as browsers do)."""
    if not declared:
        return None
    name = declared.strip().strip("\"'").lower()
    if name in GB_FAMILY:
        return "gb18030"
    try:
        codec = codecs.lookup(name)
    except LookupError:
        return None
    try:
        ascii_compatible = ASCII_PROBE.encode(codec.name) == ASCII_PROBE.encode("ascii")
    except (UnicodeError, LookupError, TypeError):
        return None
    return codec.name if ascii_compatible else None


def is_single_byte(encoding: str) -> bool:
    """True for a charset with one character per byte (Latin-1, Windows-1252, KOI8-R ...)."""
    high = bytes(range(0x80, 0x100))
    return len(high.decode(encoding, "replace")) == len(high)


def decodes_as_chinese(data: bytes) -> bool:
    """True when ``data`` is strict GB18030 whose non-ASCII characters are nearly all CJK.

    Real Latin-1 text puts single high bytes between ASCII ones, which GB18030 rejects or turns
    into stray symbols; GBK text is pairs of high bytes that become Han characters and CJK
    punctuation. Counted without a Python object per character.
    """
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return False
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    chinese = len(text) - len(CJK_CHARS.sub("", text))
    return non_ascii > 0 and chinese >= 0.9 * non_ascii


def line_of_byte(data: bytes, position: int) -> int:
    """1-based line number of the byte at ``position``."""
    return data[:position].count(b"\n") + 1


def decode_bytes(data: bytes, path: str | Path, declared: str | None = None) -> tuple[str, str]:
    """Decode ``data`` and return ``(text, encoding)``; refuse empty, binary or undecodable input.

    ``declared`` is an encoding the file names itself (an HTML meta charset); it is tried after a
    BOM and strict UTF-8, before the GB18030 fallback (see the module docstring).
    """
    if not data.strip():
        raise InputError(path, "the file is empty")
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as error:
                raise InputError(path, f"starts with a {encoding} byte-order mark but is not valid "
                                 f"{encoding}", line=line_of_byte(data, error.start)) from None
    if looks_binary(data):
        raise InputError(path, "is a binary file, not text (if it is UTF-16 text, save it with a "
                         "byte-order mark or as UTF-8)")
    candidates = ["utf-8", canonical_encoding(declared), "gb18030"]
    for encoding in dict.fromkeys(c for c in candidates if c):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding not in ("utf-8", "gb18030") and is_single_byte(encoding) and (
                C1_CONTROLS.search(text) or decodes_as_chinese(data)):
            # A single-byte charset decodes any bytes. C1 controls in the result, or bytes that
            # read as Chinese in GB18030, mean the declaration lied (GBK declared as Latin-1).
            continue
        return text, encoding
    failures = []
    for encoding in ("utf-8", "gb18030"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError as error:
            failures.append((error.start, encoding))
    # The encoding that got further is the one the file was most likely meant to be in: report
    # where that one breaks.
    position, encoding = max(failures)
    raise InputError(path, f"contains bytes that are neither UTF-8 nor GB18030 (as {encoding}, "
                     f"byte 0x{data[position]:02x} is invalid); save the file as UTF-8",
                     line=line_of_byte(data, position))


def read_bytes(path: str | Path, limit: int | None = None, kind: str = "source") -> bytes:
    """A raw file's bytes, refused beyond ``limit`` bytes (default: ``limits.source_mb``'s
    default); a missing file or a folder is an InputError naming it."""
    return read_file(path, default_limits().source_bytes if limit is None else limit, kind)


def read_text_file(path: str | Path, limit: int | None = None,
                   kind: str = "source") -> tuple[str, str]:
    """Read a text file within the size limit with :func:`decode_bytes`."""
    return decode_bytes(read_bytes(path, limit, kind), path)
