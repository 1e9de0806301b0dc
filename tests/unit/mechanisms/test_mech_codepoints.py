"""Texts as arrays of code points (gtflow.mechanisms.codepoints)."""

from __future__ import annotations

import sys

import numpy as np

from gtflow.mechanisms.codepoints import JoinedTexts, is_white_space


def test_white_space_table_is_what_str_split_splits_at():
    characters = np.arange(sys.maxunicode + 1, dtype=np.uint32)
    expected = np.array([len(f"a{chr(c)}b".split()) == 2 for c in range(sys.maxunicode + 1)])
    assert (is_white_space(characters) == expected).all()


def test_joined_texts_read_what_python_indexes():
    texts = ["", "涟源 a", "😀\ud800x", "", "\u3000平安\n"]
    joined = JoinedTexts.of(texts)
    assert joined.lengths.tolist() == [len(t) for t in texts]
    text = np.array([i for i, t in enumerate(texts) for _ in t], dtype=np.int64)
    position = np.array([j for t in texts for j in range(len(t))], dtype=np.int64)
    assert joined.at(text, position).tolist() == [ord(c) for t in texts for c in t]
    starts = np.array([0, 0, 2, 1, 3, 0], dtype=np.int64)
    ends = np.array([0, 1, 4, 4, 3, 1], dtype=np.int64)
    assert joined.within(np.array([1, 1, 1, 4, 2, 0]), starts, ends).tolist() == [
        False, True, True, True, False, False]
    empty = JoinedTexts.of([])
    assert len(empty.characters) == len(empty.first) == len(empty.lengths) == 0
