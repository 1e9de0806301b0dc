"""Exact and near-duplicate web documents: earliest kept, interviews never collapsed."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gtflow.clean.dedup import (
    find_duplicates,
    jaccard,
    minhash_signatures,
    near_duplicate_pairs,
    shingle_hashes,
    shingles,
)

BASE = ("县里开了推进会，要求各乡镇把平安涟源APP的下载注册任务分解到村，每周排名通报，"
        "排在后面的乡镇书记要作检讨。网格员每天截图打卡，证明自己登录过。")


def with_texts(docs):
    """The documents and their clean texts, as find_duplicates takes them."""
    return docs, dict(zip(docs["doc_id"], docs["clean_text"]))


def corpus(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["doc_id", "source_type", "date", "clean_text"])


def test_exact_and_near_reposts_collapse_onto_the_earliest():
    docs = corpus([
        ("p3", "web_post", "2019-07-03", "转发：" + BASE + "【转】"),
        ("p1", "web_post", "2019-07-01", BASE),
        ("p2", "web_page", "2019-07-02", BASE.replace("，", "，\n")),  # re-wrapped: exact
        ("p4", "web_post", "2019-07-04", "完全不同的一条帖子，说的是验证码收不到的问题，和上面无关。"),
        ("i1", "interview", "2019-06-01", BASE),  # interviews are never collapsed
    ])
    table = find_duplicates(*with_texts(docs), threshold=0.8, shingle_size=5, permutations=128, seed=1)
    by_doc = table.set_index("doc_id")
    assert set(by_doc.index) == {"p1", "p2", "p3"}
    assert set(by_doc["kept_doc_id"]) == {"p1"}
    assert by_doc.loc["p1", "kind"] == "kept"
    assert by_doc.loc["p2", "kind"] == "exact"
    assert by_doc.loc["p3", "kind"] == "near" and 0.8 <= by_doc.loc["p3", "similarity"] < 1
    assert table["cluster_id"].nunique() == 1


def test_threshold_from_config_decides():
    docs = corpus([("a", "web_post", "2019-01-01", BASE),
                   ("b", "web_post", "2019-01-02", BASE[:60] + "后面改写了很多内容，意思已经完全不一样了。")])
    similarity = jaccard(shingles(docs.clean_text[0], 5), shingles(docs.clean_text[1], 5))
    assert len(find_duplicates(*with_texts(docs), similarity - 0.05, 5, 128, 1)) == 2
    assert find_duplicates(*with_texts(docs), similarity + 0.05, 5, 128, 1).empty


def test_deterministic_and_independent_of_row_order():
    rng = np.random.default_rng(3)
    texts = ["".join(rng.choice(list("平安涟源网格员下载注册排名通报群众政法委"), 80)) for _ in range(40)]
    rows = [(f"d{i:02d}", "web_post", f"2019-01-{1 + i % 28:02d}", t) for i, t in enumerate(texts)]
    rows += [("dup", "web_post", "2019-02-01", texts[5] + "。")]
    first = find_duplicates(*with_texts(corpus(rows)), 0.8, 5, 64, 7)
    second = find_duplicates(*with_texts(corpus(rows[::-1])), 0.8, 5, 64, 7)
    pd.testing.assert_frame_equal(first, second)
    assert set(first["doc_id"]) == {"d05", "dup"}


def test_minhash_estimates_jaccard():
    a, b = BASE, BASE[:70] + "换了结尾的一些字句而已。"
    hashes, starts = shingle_hashes([a, b], 5)
    signatures = minhash_signatures(hashes, starts, 256, 11)
    estimate = float((signatures[0] == signatures[1]).mean())
    assert abs(estimate - jaccard(shingles(a, 5), shingles(b, 5))) < 0.12


def test_short_and_empty_texts_take_part_in_exact_matching_only():
    assert near_duplicate_pairs(["好", "好", ""], 0.5, 5, 32, 1) == []
    docs = corpus([("a", "web_post", "2019-01-01", "顶"), ("b", "web_post", "2019-01-02", "顶"),
                   ("c", "web_post", "2019-01-03", "")])
    table = find_duplicates(*with_texts(docs), 0.8, 5, 32, 1)
    assert table.set_index("doc_id")["kind"].to_dict() == {"a": "kept", "b": "exact"}


def test_corpus_shingle_hashes_equal_per_text_hashes():
    """Hashing all texts at once must not create shingles across text boundaries."""
    import random

    rng = random.Random(1)
    for _ in range(200):
        texts = ["".join(rng.choice("abcde平安") for _ in range(rng.randint(0, 12)))
                 for _ in range(rng.randint(1, 8))]
        size = rng.randint(2, 5)
        hashes, starts = shingle_hashes(texts, size)
        assert len(hashes) == starts[-1]
        for k, text in enumerate(texts):
            expected = len(text) - size + 1 if len(text) > size else 0
            assert starts[k + 1] - starts[k] == expected
            assert np.array_equal(hashes[starts[k]:starts[k + 1]], shingle_hashes([text], size)[0])


def test_signatures_computed_in_chunks_are_those_of_the_whole_corpus(monkeypatch):
    from gtflow.clean import dedup

    texts = [f"第{i}条帖子：平安涟源上线了，请大家下载打卡{i % 5}。" * (1 + i % 3) for i in range(23)]
    texts += ["短", ""]
    whole, whole_usable = dedup.text_signatures(texts, 5, 32, 3)
    monkeypatch.setattr(dedup, "CHUNK_TEXTS", 4)
    chunked, chunked_usable = dedup.text_signatures(texts, 5, 32, 3)
    assert (chunked == whole).all() and (chunked_usable == whole_usable).all()
    assert whole_usable.sum() == 23 and (whole[-2:] == 0).all()


def bucket_pairs_by_sorting_band_rows(signatures, usable, bands, rows):
    """Reference: texts whose band rows are equal, found by comparing the rows themselves."""
    pairs = set()
    index = np.flatnonzero(usable).tolist()
    for band in range(bands):
        buckets = {}
        for i in index:
            buckets.setdefault(signatures[i, band * rows:(band + 1) * rows].tobytes(), []).append(i)
        for members in buckets.values():
            if len(members) <= 50:
                pairs.update((a, b) for n, a in enumerate(members) for b in members[n + 1:])
            else:
                pairs.update((members[0], b) for b in members[1:])
    return pairs


def test_candidate_pairs_are_the_texts_sharing_a_band():
    from gtflow.clean.dedup import candidate_pairs, lsh_bands

    rng = np.random.default_rng(7)
    signatures = rng.integers(0, 4, size=(300, 32), dtype=np.uint32)  # few values: many buckets
    signatures[200:260] = signatures[5]  # one bucket past the pairwise limit
    usable = rng.random(300) > 0.1
    bands, rows = lsh_bands(0.5, 32)
    expected = bucket_pairs_by_sorting_band_rows(signatures, usable, bands, rows)
    assert len(expected) > 100
    assert candidate_pairs(signatures, usable, 0.5) == expected
