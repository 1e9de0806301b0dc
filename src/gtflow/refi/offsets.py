"""Offset conversion between QDA programs' counting units and gtflow's code points.

REFI-QDA says selection positions count characters (Unicode code points) of the plain text.
Vendors deviate: NVivo counts UTF-16 code units with CRLF as two, ATLAS.ti counts a CRLF line
break as one, Taguette counts UTF-8 bytes. gtflow stores code points into the *normalized*
text (BOM stripped, every CRLF or lone CR turned into "\\n"), so each vendor offset is converted
here, once, at the edge.

The conversion follows a cumulative table: ``table[i]`` is the number of vendor units that
precede normalized character ``i``; a vendor offset is found in it by bisection. The table is
kept per block and built with numpy only where an offset falls (:class:`OffsetMap`), so memory
stays proportional to the text, not to a Python object per character.
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


def normalize_text(raw_text: str) -> str:
    """gtflow's form of a source text: no BOM, every line break a single "\\n"."""
    return strip_bom(raw_text).replace("\r\n", "\n").replace("\r", "\n")


def _units_of(codes: np.ndarray, unit: str) -> np.ndarray:
    """Units each code point takes in the given counting unit (int64, one per code point)."""
    if unit == "codepoint":
        return np.ones(len(codes), dtype=np.int64)
    if unit == "utf16":
        return 1 + (codes > 0xFFFF).astype(np.int64)
    return (1 + (codes >= 0x80).astype(np.int64) + (codes >= 0x800)
            + (codes >= 0x10000))  # utf8


def _block_units(block: str, unit: str) -> int:
    """Vendor units of a block of raw text with every character counted on its own."""
    if unit == "codepoint" or block.isascii():
        return len(block)
    if unit == "utf16":
        return len(block.encode("utf-16-le", "surrogatepass")) // 2
    return len(block.encode("utf-8", "surrogatepass"))


class OffsetMap:
    """Vendor offsets of one source text → code points of its normalized text.

    Holds, for blocks of about ``block`` characters, how many raw characters, normalized
    characters and vendor units precede each block (a few integers per block). A block's
    per-character table is built only when an offset falls into it, with numpy, so a 200 MB
    source never becomes millions of Python objects. Conceptually the map is the cumulative
    table ``table[i]`` = vendor units before normalized character ``i``; lookups follow it.
    """

    def __init__(self, raw_text: str, scheme: OffsetScheme, *, block: int = 1 << 16) -> None:
        self._text = raw_text
        self.scheme = scheme
        skip = 1 if raw_text.startswith(BOM) else 0  # vendors never count a BOM
        raw_starts, norm_starts, unit_starts = [skip], [0], [0]
        position, length = skip, len(raw_text)
        lost_per_crlf = 2 - scheme.crlf_units
        while position < length:
            end = min(position + block, length)
            if raw_text[end - 1] == "\r" and end < length and raw_text[end] == "\n":
                end += 1  # never split a CRLF between blocks
            piece = raw_text[position:end]
            crlf = piece.count("\r\n")
            raw_starts.append(end)
            norm_starts.append(norm_starts[-1] + len(piece) - crlf)
            unit_starts.append(unit_starts[-1] + _block_units(piece, scheme.unit)
                               - crlf * lost_per_crlf)
            position = end
        self._raw_starts = np.array(raw_starts, dtype=np.int64)
        self._norm_starts = np.array(norm_starts, dtype=np.int64)
        self._unit_starts = np.array(unit_starts, dtype=np.int64)

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
        piece = self._text[self._raw_starts[index]:self._raw_starts[index + 1]]
        codes = np.frombuffer(piece.encode("utf-32-le", "surrogatepass"), dtype="<u4")
        units = _units_of(codes, self.scheme.unit)
        # A CRLF is one "\n" in gtflow's text and crlf_units vendor units.
        crlf = np.flatnonzero((codes[:-1] == 13) & (codes[1:] == 10))
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
