"""Texts as arrays of code points, so that spans of many texts are examined in numpy.

Python indexes a text by code point: position ``i`` of a text is element ``first + i`` of the
joined code points, whatever the characters' UTF-8 widths.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from gtflow.clean.normalize import white_space_code_points


@functools.cache
def white_space_table() -> np.ndarray:
    """Per code point up to the last white space one: whether str.isspace() is true of it (the
    characters str.split() splits at), asked of this Python once."""
    spaces = list(white_space_code_points())
    table = np.zeros(max(spaces) + 1, dtype=bool)
    table[spaces] = True
    return table


def is_white_space(characters: np.ndarray) -> np.ndarray:
    """Per code point: whether Python counts it as white space."""
    table = white_space_table()
    return (characters < len(table)) & table[np.minimum(characters, len(table) - 1)]


def utf8_widths(characters: np.ndarray) -> np.ndarray:
    """The number of UTF-8 bytes of each code point."""
    return (1 + (characters >= 0x80).astype(np.int64) + (characters >= 0x800)
            + (characters >= 0x10000))


def prefix_counts(values: np.ndarray) -> np.ndarray:
    """0, then the running sums of ``values`` (one more entry than values)."""
    counts = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum(values, out=counts[1:])
    return counts


@dataclass(frozen=True)
class JoinedTexts:
    """Texts one after another as code points (lone surrogates included, as Python holds
    them): ``characters[first[i] + j]`` is ``texts[i][j]``."""

    characters: np.ndarray
    first: np.ndarray
    lengths: np.ndarray

    @classmethod
    def of(cls, texts: list[str]) -> JoinedTexts:
        """Join some texts."""
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        characters = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"),
                                   dtype=np.uint32)
        return cls(characters, prefix_counts(lengths)[:-1], lengths)

    def within(self, text: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """Per span (text number, start, end): whether 0 <= start < end <= the text's length,
        so that its first and last characters can be read."""
        return (starts >= 0) & (starts < ends) & (ends <= self.lengths[text])

    def at(self, text: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """The code points at some positions of some texts (positions within the texts)."""
        return self.characters[self.first[text] + positions]
