"""Turn a raw file's bytes into text, recording the encoding that was used.

Researchers' files arrive as UTF-8 (with or without BOM), UTF-16 with a BOM (Windows tools) or
GB18030 (older Chinese Windows editors; a superset of GBK and GB2312). Anything else is refused
with a message rather than guessed at, because a wrong guess silently corrupts quotes.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from gtflow.errors import InputError

BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def looks_binary(data: bytes) -> bool:
    """True for bytes that are not text: NUL bytes outside a UTF-16 file, or many control bytes."""
    sample = data[:4096]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return bool(sample) and controls / len(sample) > 0.05


def decode_bytes(data: bytes, path: str | Path, declared: str | None = None) -> tuple[str, str]:
    """Decode ``data`` and return ``(text, encoding)``; refuse empty, binary or undecodable input.

    ``declared`` is an encoding the file names itself (an HTML meta charset); it is tried after a BOM
    and before the UTF-8 / GB18030 fallbacks.
    """
    if not data.strip():
        raise InputError(path, "the file is empty")
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as error:
                raise InputError(path, f"starts with a {encoding} byte-order mark but is not valid "
                                 f"{encoding} (byte {error.start})") from None
    if looks_binary(data):
        raise InputError(path, "is a binary file, not text (save it as UTF-8 text)")
    candidates = ["utf-8"]
    if declared:
        normalized = declared.strip().lower()
        if normalized in {"gbk", "gb2312", "gb_2312-80", "x-gbk"}:
            normalized = "gb18030"
        candidates.insert(0, normalized)
    candidates.append("gb18030")
    for encoding in dict.fromkeys(candidates):
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError):
            continue
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError(path, "contains bytes that are neither UTF-8 nor GB18030; save the file "
                         "as UTF-8", line=line) from None
    raise InputError(path, "could not be decoded")  # pragma: no cover - utf-8 succeeded above


def read_text_file(path: str | Path) -> tuple[str, str]:
    """Read a text file with :func:`decode_bytes`."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    return decode_bytes(data, path)
