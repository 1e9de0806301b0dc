"""Offset conversion: UTF-16 units, CRLF as 1 or 2, UTF-8 bytes → code points."""

from __future__ import annotations

import pytest

from gtflow.refi.offsets import (
    OffsetMap,
    OffsetScheme,
    is_word_boundary,
    normalize_line_breaks,
    raw_codepoints_to_codepoints,
    utf8_bytes_to_codepoints,
    utf16_units_to_codepoints,
)

RAW = "\ufeffAb 😤 cd\r\n中文 🤦🏼\u200d♀️ x\r\nend"


def test_normalize_strips_bom_and_line_endings():
    assert normalize_line_breaks("\ufeffa\r\nb\rc\nd") == "a\nb\nc\nd"


def _vendor_offset(prefix: str, *, encoding: str, crlf_units: int) -> int:
    """Offset of the end of ``prefix`` (raw, no BOM) as a vendor would count it."""
    if crlf_units == 1:
        prefix = prefix.replace("\r\n", "\n")
    data = prefix.encode(encoding)
    return len(data) // 2 if encoding == "utf-16-le" else len(data)


@pytest.mark.parametrize("crlf_units", [1, 2])
def test_utf16_units_map_to_every_codepoint(crlf_units):
    raw = RAW[1:]
    text = normalize_line_breaks(raw)
    # Every code-point boundary of the normalized text, expressed in vendor units, comes back.
    raw_positions = _raw_positions(raw)
    offsets = [_vendor_offset(raw[:p], encoding="utf-16-le", crlf_units=crlf_units)
               for p in raw_positions]
    assert utf16_units_to_codepoints(RAW, offsets, crlf_units=crlf_units) == \
        list(range(len(text) + 1))


@pytest.mark.parametrize("crlf_units", [1, 2])
def test_utf8_bytes_map_to_every_codepoint(crlf_units):
    raw = RAW[1:]
    text = normalize_line_breaks(raw)
    offsets = [_vendor_offset(raw[:p], encoding="utf-8", crlf_units=crlf_units)
               for p in _raw_positions(raw)]
    assert utf8_bytes_to_codepoints(RAW, offsets, crlf_units=crlf_units) == \
        list(range(len(text) + 1))


def test_raw_codepoints_with_crlf_as_two():
    raw = "ab\r\ncd"
    # standard counting on the raw file: c is at 4; in normalized text "ab\ncd" it is at 3
    assert raw_codepoints_to_codepoints(raw, [0, 2, 4, 6]) == [0, 2, 3, 5]
    assert raw_codepoints_to_codepoints(raw, [0, 2, 3, 5], crlf_units=1) == [0, 2, 3, 5]


def _raw_positions(raw: str) -> list[int]:
    """Raw indices at which each normalized character starts (plus the end)."""
    positions, index = [], 0
    while index < len(raw):
        positions.append(index)
        index += 2 if raw.startswith("\r\n", index) else 1
    positions.append(len(raw))
    return positions


def test_emoji_selection_nvivo_style():
    raw = "Hi 😤😤\r\nnext"
    # NVivo: "Hi " = 3, each emoji 2 units, CRLF 2 units
    start, end = utf16_units_to_codepoints(raw, [3, 7])
    assert normalize_line_breaks(raw)[start:end] == "😤😤"
    assert utf16_units_to_codepoints(raw, [9], crlf_units=2) == [6]  # "n" of next


def test_offsets_inside_a_character_snap_outward():
    offsets = OffsetMap("a😤b", OffsetScheme("utf16", 2))
    assert offsets.block_table(0).tolist() == [0, 1, 3, 4]
    assert offsets.to_codepoint(2) == 1                 # start inside emoji → its start
    assert offsets.to_codepoint(2, round_up=True) == 2  # end inside emoji → its end
    assert offsets.to_codepoint(99) == 3                # clamped to the text
    assert offsets.to_codepoint(-5) == 0


def _reference_table(raw: str, scheme: OffsetScheme) -> list[int]:
    """The cumulative unit table, one character at a time (the definition, slow but plain)."""
    table, total, index = [0], 0, 0
    while index < len(raw):
        if raw.startswith("\r\n", index):
            total, index = total + scheme.crlf_units, index + 2
        else:
            char = raw[index]
            total += {"codepoint": 1, "utf16": len(char.encode("utf-16-le")) // 2,
                      "utf8": len(char.encode("utf-8"))}[scheme.unit]
            index += 1
        table.append(total)
    return table


@pytest.mark.parametrize("unit", ["codepoint", "utf16", "utf8"])
@pytest.mark.parametrize("crlf_units", [1, 2])
def test_small_blocks_agree_with_the_whole_table(unit, crlf_units):
    # Blocks of 3 characters split the text everywhere, CRLFs and surrogate pairs included.
    raw = ("Ab 😤 cd\r\n中文\r\r\n 🤦🏼\u200d♀️ x\r\nend\r" * 3)
    scheme = OffsetScheme(unit, crlf_units)
    table = _reference_table(raw, scheme)
    offsets = OffsetMap(raw, scheme, block=3)
    assert offsets.length == len(normalize_line_breaks(raw)) == len(table) - 1
    assert offsets.total_units == table[-1]
    every = list(range(-1, table[-1] + 2))
    expected_down = [0 if o <= 0 else len(table) - 1 if o >= table[-1]
                     else max(i for i, t in enumerate(table) if t <= o) for o in every]
    expected_up = [0 if o <= 0 else len(table) - 1 if o >= table[-1]
                   else min(i for i, t in enumerate(table) if t >= o) for o in every]
    assert offsets.to_codepoints(every) == expected_down
    assert offsets.to_codepoints(every, round_up=True) == expected_up


def test_empty_text_maps_everything_to_zero():
    offsets = OffsetMap("", OffsetScheme("utf16", 2))
    assert offsets.to_codepoints([-1, 0, 5]) == [0, 0, 0]


def test_lone_cr_counts_as_one_line_break():
    assert normalize_line_breaks("a\rb") == "a\nb"
    assert utf16_units_to_codepoints("a\rb", [2]) == [2]


def test_scheme_rejects_nonsense():
    with pytest.raises(ValueError):
        OffsetScheme("utf32", 2)
    with pytest.raises(ValueError):
        OffsetScheme("utf16", 3)


def test_word_boundary():
    assert is_word_boundary("ab cd", 0)
    assert is_word_boundary("ab cd", 2)
    assert is_word_boundary("ab cd", 5)
    assert not is_word_boundary("ab cd", 1)
    assert is_word_boundary("ab😤", 2)


@pytest.mark.parametrize("piece", [1, 2, 3, 1 << 22])
def test_normalize_utf8_matches_normalize_line_breaks_and_consumes_a_bytearray(monkeypatch, piece):
    from gtflow.refi import offsets

    monkeypatch.setattr(offsets, "_PIECE", piece)
    raw = "\ufeffAb 😤\r\n中文\r\r\n x\rend\r"
    data = bytearray(raw.encode("utf-8"))
    assert offsets.normalize_utf8(data) == normalize_line_breaks(raw)
    assert data == bytearray()  # consumed as it was converted
    assert offsets.normalize_utf8(raw.encode("utf-8")) == normalize_line_breaks(raw)
