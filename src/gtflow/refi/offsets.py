"""Offset conversion between QDA programs' counting units and gtflow's code points.

REFI-QDA says selection positions count characters (Unicode code points) of the plain text.
Vendors deviate: NVivo counts UTF-16 code units with CRLF as two, ATLAS.ti counts a CRLF line
break as one, Taguette counts UTF-8 bytes. gtflow stores code points into the *normalized*
text (BOM stripped, every CRLF or lone CR turned into "\\n"), so each vendor offset is converted
here, once, at the edge.

The conversion is a cumulative table: ``table[i]`` is the number of vendor units that precede
normalized character ``i``; a vendor offset is found in the table by bisection.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

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


def _char_units(char: str, unit: str) -> int:
    """Units one code point takes in the given counting unit."""
    if unit == "codepoint":
        return 1
    code = ord(char)
    if unit == "utf16":
        return 2 if code > 0xFFFF else 1
    # utf8
    if code < 0x80:
        return 1
    if code < 0x800:
        return 2
    if code < 0x10000:
        return 3
    return 4


def unit_table(raw_text: str, scheme: OffsetScheme) -> list[int]:
    """Cumulative vendor units before each character of the normalized text.

    ``raw_text`` is the source as the vendor saw it (line endings untouched; a BOM is ignored).
    The result has ``len(normalize_line_breaks(raw_text)) + 1`` entries; the last is the text's length
    in vendor units.
    """
    text = strip_bom(raw_text)
    table = [0]
    total = 0
    index = 0
    length = len(text)
    unit = scheme.unit
    while index < length:
        char = text[index]
        if char == "\r":
            # CRLF becomes one "\n" in gtflow's text; the vendor counted it as 1 or 2 units.
            if index + 1 < length and text[index + 1] == "\n":
                total += scheme.crlf_units
                index += 2
            else:
                total += 1
                index += 1
        else:
            total += _char_units(char, unit)
            index += 1
        table.append(total)
    return table


def units_to_codepoint(table: Sequence[int], offset: int, *, round_up: bool = False) -> int:
    """Code-point index for one vendor offset, given a table from :func:`unit_table`.

    An offset inside a character (between the halves of a surrogate pair, between CR and LF)
    is snapped to the character's start, or to its end with ``round_up`` (use it for ends, so a
    selection keeps every character it touched). Offsets outside the text are clamped to it.
    """
    if offset <= 0:
        return 0
    if offset >= table[-1]:
        return len(table) - 1
    index = bisect_left(table, offset)
    if table[index] == offset or round_up:
        return index
    return index - 1


def convert_offsets(raw_text: str, offsets: Iterable[int], scheme: OffsetScheme, *,
                    round_up: bool = False) -> list[int]:
    """Convert many vendor offsets of one text to code points of its normalized text."""
    table = unit_table(raw_text, scheme)
    return [units_to_codepoint(table, offset, round_up=round_up) for offset in offsets]


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
