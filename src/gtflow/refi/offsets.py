"""Offset conversion between QDA programs' counting units and gtflow's code points.

REFI-QDA says selection positions count characters (Unicode code points) of the plain text.
Vendors deviate: NVivo counts UTF-16 code units with CRLF as two, ATLAS.ti counts a CRLF line
break as one, Taguette counts UTF-8 bytes. gtflow stores code points into the *normalized*
text (BOM stripped, every CRLF or lone CR turned into "\\n"), so each vendor offset is converted
here, once, at the edge.

The conversion follows a cumulative table: ``table[i]`` is the number of vendor units that
precede normalized character ``i``; a vendor offset is found in it by bisection. The table is
kept per block, counted with numpy on the text's UTF-8 bytes and built in full only where an
offset falls (:class:`OffsetMap`), so memory stays proportional to the text, not to a Python
object per character.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

BOM = "\ufeff"

#: Counting units a vendor may use for positions.
UNITS = ("codepoint", "utf16", "utf8")


@dataclass(frozen=True)
class OffsetScheme:
    """How a program counts positions: the unit and how many units a CRLF line break takes."""

    unit: str = "codepoint"
    crlf_units: int = 2

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"unknown offset unit {self.unit!r}; expected one of {UNITS}")
        if self.crlf_units not in (1, 2):
            raise ValueError("a CRLF line break counts as 1 or 2 units")

    def describe(self) -> str:
        return f"{self.unit}, CRLF={self.crlf_units}"


def strip_bom(text: str) -> str:
    """Drop a leading byte-order mark (vendors never count it)."""
    return text[1:] if text.startswith(BOM) else text


def normalize_line_breaks(raw_text: str) -> str:
    """gtflow's form of a source text: no BOM, every line break a single "\\n"."""
    return strip_bom(raw_text).replace("\r\n", "\n").replace("\r", "\n")


def normalize_utf8(data: bytes | bytearray) -> str:
    """:func:`normalize_line_breaks` of UTF-8 bytes, decoded once (raises UnicodeDecodeError).

    The line breaks are replaced in the bytes, so the text is never held twice as Python
    strings. A bytearray is consumed: it is emptied piece by piece as the normalized copy grows,
    so the raw and the normalized bytes are never both held whole.
    """
    if isinstance(data, bytearray):
        normalized = bytearray()
        while data:
            end = min(_PIECE, len(data))
            if end < len(data) and data[end - 1] == _CR and data[end] == _LF:
                end += 1  # keep a CRLF in one piece
            normalized += _normalize_breaks(data[:end])
            del data[:end]  # cheap at the front of a bytearray; its memory is given back
    else:
        normalized = _normalize_breaks(data)
    skip = len(UTF8_BOM) if normalized.startswith(UTF8_BOM) else 0
    return str(memoryview(normalized)[skip:], "utf-8")


def _normalize_breaks(data: bytes | bytearray) -> bytes | bytearray:
    normalized = data.replace(b"\r\n", b"\n")
    return normalized.replace(b"\r", b"\n") if b"\r" in normalized else normalized


_PIECE = 1 << 22
UTF8_BOM = BOM.encode("utf-8")
_CR, _LF = 13, 10


def _is_char_start(block: np.ndarray) -> np.ndarray:
    """True at the first byte of each UTF-8 character (every byte but 0b10xxxxxx)."""
    return (block & 0xC0) != 0x80


class OffsetMap:
    """Vendor offsets of one source text → code points of its normalized text.

    Works on the raw text's UTF-8 bytes. It holds, for blocks of about ``block`` bytes, how many
    bytes, normalized characters and vendor units precede each block (a few integers per
    block), counted with numpy over the bytes. A block's per-character table is built only when
    an offset falls into it, so a 200 MB source never becomes a Python object per character.
    Conceptually the map is the cumulative table ``table[i]`` = vendor units before normalized
    character ``i``; lookups follow it.
    """

    def __init__(self, raw: bytes | bytearray | str, scheme: OffsetScheme, *,
                 block: int = 1 << 16) -> None:
        data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
        self._data = data
        self.scheme = scheme
        skip = len(UTF8_BOM) if data.startswith(UTF8_BOM) else 0  # vendors never count a BOM
        byte_starts, norm_starts, unit_starts = [skip], [0], [0]
        position, length = skip, len(data)
        while position < length:
            end = min(position + block, length)
            # Never split a character or a CRLF between blocks.
            while end < length and ((data[end] & 0xC0) == 0x80
                                    or (data[end] == _LF and data[end - 1] == _CR)):
                end += 1
            chars, units = self._count(np.frombuffer(data, np.uint8, end - position, position))
            byte_starts.append(end)
            norm_starts.append(norm_starts[-1] + chars)
            unit_starts.append(unit_starts[-1] + units)
            position = end
        self._byte_starts = np.array(byte_starts, dtype=np.int64)
        self._norm_starts = np.array(norm_starts, dtype=np.int64)
        self._unit_starts = np.array(unit_starts, dtype=np.int64)

    def _count(self, block: np.ndarray) -> tuple[int, int]:
        """(normalized characters, vendor units) of one block."""
        crlf = int(np.count_nonzero((block[:-1] == _CR) & (block[1:] == _LF)))
        chars = int(np.count_nonzero(_is_char_start(block)))
        if self.scheme.unit == "utf8":
            units = len(block)
        elif self.scheme.unit == "utf16":
            units = chars + int(np.count_nonzero(block >= 0xF0))  # 4-byte sequences: 2 units
        else:
            units = chars
        # A CRLF is one normalized character and crlf_units units (counted above as 2 and 2).
        return chars - crlf, units - crlf * (2 - self.scheme.crlf_units)

    @property
    def length(self) -> int:
        """Characters of the normalized text."""
        return int(self._norm_starts[-1])

    @property
    def total_units(self) -> int:
        """The text's length in vendor units."""
        return int(self._unit_starts[-1])

    def block_table(self, index: int) -> np.ndarray:
        """Cumulative vendor units before each normalized character of one block (and after it)."""
        start, end = int(self._byte_starts[index]), int(self._byte_starts[index + 1])
        block = np.frombuffer(self._data, np.uint8, end - start, start)
        starts = np.flatnonzero(_is_char_start(block))
        if self.scheme.unit == "utf8":
            units = np.diff(np.append(starts, len(block)))
        elif self.scheme.unit == "utf16":
            units = 1 + (block[starts] >= 0xF0).astype(np.int64)
        else:
            units = np.ones(len(starts), dtype=np.int64)
        units = units.astype(np.int64)
        # A CRLF is one "\n" in gtflow's text and crlf_units vendor units.
        codes = block[starts]
        crlf = np.flatnonzero((codes[:-1] == _CR) & (codes[1:] == _LF))
        units[crlf] = self.scheme.crlf_units
        units = np.delete(units, crlf + 1)
        table = np.empty(len(units) + 1, dtype=np.int64)
        table[0] = self._unit_starts[index]
        np.cumsum(units, out=table[1:])
        table[1:] += table[0]
        return table

    def to_codepoints(self, offsets: Iterable[int], *, round_up: bool = False) -> list[int]:
        """Code-point index for each vendor offset.

        An offset inside a character (between the halves of a surrogate pair, between CR and LF)
        is snapped to the character's start, or to its end with ``round_up`` (use it for ends,
        so a selection keeps every character it touched). Offsets outside the text are clamped.
        """
        wanted = np.asarray(list(offsets), dtype=np.int64)
        result = np.where(wanted <= 0, 0, self.length).astype(np.int64)
        inside = np.flatnonzero((wanted > 0) & (wanted < self.total_units))
        # Block j holds the offsets with unit_starts[j] < offset <= unit_starts[j + 1].
        blocks = np.searchsorted(self._unit_starts, wanted[inside], side="left") - 1
        for block in np.unique(blocks):
            members = inside[blocks == block]
            table = self.block_table(int(block))
            found = np.searchsorted(table, wanted[members], side="left")
            exact = table[found] == wanted[members]
            local = found if round_up else np.where(exact, found, found - 1)
            result[members] = self._norm_starts[block] + local
        return [int(value) for value in result]

    def to_codepoint(self, offset: int, *, round_up: bool = False) -> int:
        return self.to_codepoints([offset], round_up=round_up)[0]


def convert_offsets(raw_text: str, offsets: Iterable[int], scheme: OffsetScheme, *,
                    round_up: bool = False) -> list[int]:
    """Convert many vendor offsets of one text to code points of its normalized text."""
    return OffsetMap(raw_text, scheme).to_codepoints(offsets, round_up=round_up)


def utf16_units_to_codepoints(raw_text: str, offsets: Iterable[int], *, crlf_units: int = 2,
                              round_up: bool = False) -> list[int]:
    """UTF-16 code-unit offsets (NVivo: CRLF as 2; some tools: CRLF as 1) → code points."""
    return convert_offsets(raw_text, offsets, OffsetScheme("utf16", crlf_units), round_up=round_up)


def utf8_bytes_to_codepoints(raw_text: str, offsets: Iterable[int], *, crlf_units: int = 2,
                             round_up: bool = False) -> list[int]:
    """UTF-8 byte offsets (Taguette) → code points of the normalized text."""
    return convert_offsets(raw_text, offsets, OffsetScheme("utf8", crlf_units), round_up=round_up)


def raw_codepoints_to_codepoints(raw_text: str, offsets: Iterable[int], *, crlf_units: int = 2,
                                 round_up: bool = False) -> list[int]:
    """Raw-text code points (the REFI-QDA standard) → code points of the normalized text."""
    return convert_offsets(raw_text, offsets, OffsetScheme("codepoint", crlf_units),
                           round_up=round_up)


def is_word_boundary(text: str, position: int) -> bool:
    """True unless ``position`` falls between two letters/digits, splitting a word."""
    if position <= 0 or position >= len(text):
        return True
    return not (text[position - 1].isalnum() and text[position].isalnum())
