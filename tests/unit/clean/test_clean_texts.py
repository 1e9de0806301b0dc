"""Clean text storage: one shard per raw file, an index of byte ranges, one accessor."""

from __future__ import annotations

import pytest

from gtflow import contracts
from gtflow.clean.texts import CleanTexts, gather_indexes, index_frame, write_shard

TEXTS = {"p1": "平安涟源，打卡😀。", "p2": "", "p3": "naïve café\nline two", "p4": "𠮷野家"}


def test_a_shard_gives_back_every_text_exactly(tmp_path):
    shard = tmp_path / "text" / "posts" / "weibo.txt"
    index = write_shard(shard, list(TEXTS), TEXTS.values())
    contracts.validate("file_text_index", index)
    texts = CleanTexts(index, shard.parent)
    assert dict(texts) == TEXTS
    assert list(texts) == list(TEXTS) and len(texts) == 4 and "p2" in texts and "p9" not in texts
    # Byte offsets: the emoji and the astral ideograph take four bytes each.
    assert shard.read_bytes()[index["start"][3]:index["end"][3]] == "𠮷野家".encode()
    assert shard.read_text(encoding="utf-8") == "".join(t + "\n" for t in TEXTS.values())


def test_the_corpus_index_names_shards_from_its_own_folder(tmp_path):
    root = tmp_path / "results" / "clean" / "text"
    first = write_shard(root / "posts" / "a.txt", ["a1", "a2"], ["一", "二"])
    second = write_shard(root / "interviews" / "I1.txt", ["I1"], ["访谈全文"])
    third = write_shard(root / "interviews" / "I2.txt", ["I2"], ["另一份"])
    index = gather_indexes([("posts", first), ("interviews", second), ("interviews", third)])
    contracts.validate("text_index", index)
    assert index["shard"].tolist() == ["posts/a.txt", "posts/a.txt", "interviews/I1.txt",
                                       "interviews/I2.txt"]
    index.to_parquet(root / "index.parquet")
    texts = CleanTexts.open(root / "index.parquet")
    assert {d: texts[d] for d in ["I1", "a2", "nope"] if d in texts} == {"a2": "二", "I1": "访谈全文"}
    assert texts["I2"] == "另一份"
    assert texts["a1"] == "一"
    with pytest.raises(KeyError):
        texts["nope"]


@pytest.mark.parametrize("batch", [1, 2, 4096])
def test_texts_of_many_ids_are_the_text_of_each_in_order(tmp_path, batch):
    root = tmp_path / "text"
    parts = [("posts", write_shard(root / "posts" / "a.txt", list(TEXTS), TEXTS.values())),
             ("interviews", write_shard(root / "interviews" / "I1.txt", ["I1"], ["访谈全文"]))]
    texts = CleanTexts(gather_indexes(parts), root)
    # shards alternate, ids repeat, and batches split between them
    doc_ids = ["p3", "I1", "p1", "p3", "p2", "I1", "p4"]
    assert list(texts.texts_of(doc_ids, batch=batch)) == [texts.text(d) for d in doc_ids]
    assert list(texts.texts_of([], batch=batch)) == []
    with pytest.raises(KeyError):
        list(texts.texts_of(["p1", "nope"], batch=batch))


def test_an_empty_file_has_an_empty_shard_and_index(tmp_path):
    index = write_shard(tmp_path / "x.txt", [], [])
    assert index.empty and (tmp_path / "x.txt").read_bytes() == b""
    assert len(CleanTexts(index, tmp_path)) == 0
    assert gather_indexes([]).columns.tolist() == ["doc_id", "shard", "start", "end"]


def test_ids_and_texts_must_pair_up(tmp_path):
    with pytest.raises(ValueError):
        write_shard(tmp_path / "x.txt", ["a"], ["one", "two"])
    assert not (tmp_path / "x.txt").exists()


def corpus_of_shards(tmp_path):
    """Three shards (one empty of text) under one corpus index, and their texts."""
    root = tmp_path / "text"
    shards = {"posts/a.txt": {"a1": "一 二", "a2": "", "a3": "𠮷野家\u3000😀", "a4": "\n"},
              "posts/b.txt": {"b1": "naïve café\nline two", "b2": ""},
              "pages/c.txt": {"c1": "平安\u2028涟源\x1c"}}
    parts = []
    for name, texts in shards.items():
        folder, file = name.split("/")
        parts.append((folder, write_shard(root / folder / file, list(texts), texts.values())))
    everything = {doc_id: text for texts in shards.values() for doc_id, text in texts.items()}
    return CleanTexts(gather_indexes(parts), root), everything


def test_text_array_gives_the_texts_in_the_order_asked(tmp_path):
    texts, expected = corpus_of_shards(tmp_path)
    for doc_ids in (["c1", "a3", "b1", "a1", "a3", "a2", "b2", "a4"], list(expected)[::-1], ["b2"], []):
        assert texts.text_array(doc_ids).to_pylist() == [expected[d] for d in doc_ids]
    with pytest.raises(KeyError):
        texts.text_array(["a1", "zz"])


def test_compacted_corpus_texts_equal_the_per_text_compaction(tmp_path):
    """The Arrow path (a CleanTexts) against the Python one (a dict), every str.isspace
    character included."""
    import numpy as np

    from gtflow.clean.dedup import compacted_texts

    texts, expected = corpus_of_shards(tmp_path)
    spaces = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
    doc_ids = list(expected)[::-1] + ["a1"]
    keep, compacted = compacted_texts(texts, doc_ids)
    dict_keep, dict_compacted = compacted_texts(expected, doc_ids)
    assert keep.tolist() == dict_keep.tolist() == [bool(expected[d]) for d in doc_ids]
    assert compacted == dict_compacted == ["".join(expected[d].split()) for d in doc_ids if expected[d]]
    shard = tmp_path / "spaces"
    index = write_shard(shard / "s.txt", ["s"], ["a" + spaces + "b" + spaces])
    keep, compacted = compacted_texts(CleanTexts(index, shard), ["s"])
    assert compacted == ["ab"] and keep.dtype == np.bool_


ASKED = [["c1", "a3", "b1", "a1", "a3", "a2", "b2", "a4"], ["b2"], ["a3", "a3"], []]


@pytest.mark.parametrize("doc_ids", ASKED)
def test_code_point_lengths_are_the_length_of_each_text(tmp_path, doc_ids):
    texts, expected = corpus_of_shards(tmp_path)
    lengths = texts.code_point_lengths(doc_ids)
    assert lengths.dtype.kind == "i"
    assert lengths.tolist() == [len(expected[d]) for d in doc_ids]
    assert texts.code_point_lengths(list(expected)).tolist() == [len(t) for t in expected.values()]
    with pytest.raises(KeyError):
        texts.code_point_lengths(["a1", "zz"])


def test_code_point_lengths_of_bytes_that_are_not_utf8_raise_as_reading_them_does(tmp_path):
    shard = tmp_path / "x.txt"
    shard.write_bytes(b"good\n\xff\xfe\nalso good\n")
    texts = CleanTexts(index_frame(["a", "bad", "b"], ["x.txt"] * 3, [0, 5, 8], [4, 7, 17]),
                       tmp_path)
    with pytest.raises(UnicodeDecodeError):
        texts.text("bad")
    with pytest.raises(UnicodeDecodeError):
        texts.code_point_lengths(["a", "bad"])
    # The bad bytes lie between the texts asked for, which are counted all the same.
    assert texts.code_point_lengths(["b", "a"]).tolist() == [9, 4]


@pytest.mark.parametrize("doc_ids", ASKED)
@pytest.mark.parametrize("batch", [1, 3, 4096])
def test_encoded_texts_are_each_text_in_utf8(tmp_path, doc_ids, batch):
    texts, expected = corpus_of_shards(tmp_path)
    assert list(texts.encoded_texts_of(doc_ids, batch=batch)) == [
        expected[d].encode("utf-8") for d in doc_ids]
    with pytest.raises(KeyError):
        list(texts.encoded_texts_of(["a1", "zz"], batch=batch))
