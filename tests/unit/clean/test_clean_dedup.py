"""Exact and near-duplicate web documents: earliest kept, interviews never collapsed."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gtflow.clean.dedup import (
    find_duplicates,
    jaccard,
    minhash_signatures,
    near_duplicate_roots,
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
    assert near_duplicate_roots(["好", "好", ""], 0.5, 5, 32, 1).tolist() == [0, 1, 2]  # no link
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
    from gtflow.clean.dedup import candidate_pair_arrays, lsh_bands

    rng = np.random.default_rng(7)
    signatures = rng.integers(0, 4, size=(300, 32), dtype=np.uint32)  # few values: many buckets
    signatures[200:260] = signatures[5]  # one bucket past the pairwise limit
    usable = rng.random(300) > 0.1
    bands, rows = lsh_bands(0.5, 32)
    expected = bucket_pairs_by_sorting_band_rows(signatures, usable, bands, rows)
    assert len(expected) > 100
    firsts, seconds = candidate_pair_arrays(signatures, usable, 0.5)
    pairs = list(zip(firsts.tolist(), seconds.tolist()))
    assert set(pairs) == expected and pairs == sorted(set(pairs))


# --- The vectorized duplicate search against the straightforward code it replaced -------------

def reference_find_duplicates(documents, clean_texts, threshold, shingle_size, permutations, seed):
    """The former find_duplicates: SHA-256 groups, a set of candidate pairs compared one by one
    with Python shingle sets, a union-find, rows as dicts."""
    import hashlib
    from collections import defaultdict

    from gtflow.clean import dedup

    web = documents[documents["source_type"] != "interview"].sort_values(["date", "doc_id"])
    keep, texts = [], []
    for doc_id in web["doc_id"].tolist():
        text = clean_texts[doc_id]
        keep.append(len(text) > 0)
        if text:
            texts.append(dedup.compact(text))
    web = web[np.array(keep, dtype=bool)].reset_index(drop=True)
    if web.empty:
        return pd.DataFrame(columns=dedup.DUPLICATE_COLUMNS)
    digests = [hashlib.sha256(t.encode("utf-8")).digest() for t in texts]
    sets = dedup.UnionFind(len(web))
    first_by_digest = {}
    for i, digest in enumerate(digests):
        if digest in first_by_digest:
            sets.union(first_by_digest[digest], i)
        else:
            first_by_digest[digest] = i
    distinct = list(first_by_digest.values())
    distinct_texts = [texts[i] for i in distinct]
    signatures, usable = dedup.text_signatures(distinct_texts, shingle_size, permutations, seed)
    if usable.sum() >= 2:
        bands, rows = dedup.lsh_bands(max(threshold * 0.8, 0.05), permutations)
        for a, b in sorted(bucket_pairs_by_sorting_band_rows(signatures, usable, bands, rows)):
            if jaccard(shingles(distinct_texts[a], shingle_size),
                       shingles(distinct_texts[b], shingle_size)) >= threshold:
                sets.union(distinct[a], distinct[b])
    members = defaultdict(list)
    for i in range(len(web)):
        members[sets.find(i)].append(i)
    doc_ids, source_types, dates = (web[c].tolist() for c in ("doc_id", "source_type", "date"))
    rows = []
    clusters = sorted(root for root, group in members.items() if len(group) > 1)
    for cluster_no, root in enumerate(clusters, start=1):
        for i in members[root]:
            if i == root:
                kind, similarity = "kept", 1.0
            elif digests[i] == digests[root]:
                kind, similarity = "exact", 1.0
            else:
                kind = "near"
                similarity = round(jaccard(shingles(texts[root], shingle_size),
                                           shingles(texts[i], shingle_size)), 4)
            rows.append({"cluster_id": cluster_no, "doc_id": doc_ids[i],
                         "source_type": source_types[i], "date": dates[i],
                         "kept_doc_id": doc_ids[root], "kind": kind, "similarity": similarity})
    return pd.DataFrame(rows, columns=dedup.DUPLICATE_COLUMNS)


def varied_corpus(seed: int, n: int) -> pd.DataFrame:
    """Posts with exact, re-wrapped and near reposts, a boilerplate reposted past the pairwise
    bucket limit, short and empty texts, unicode white space and interviews."""
    rng = np.random.default_rng(seed)
    alphabet = list("平安涟源网格员下载注册排名通报群众政法委APPabc，。！")
    bases = ["".join(rng.choice(alphabet, rng.integers(20, 90))) for _ in range(max(n // 6, 1))]
    rows = []
    for k in range(n):
        base = bases[rng.integers(len(bases))]
        choice = rng.integers(8)
        if choice == 0:
            text = base
        elif choice == 1:
            text = base.replace("，", "，\n").replace("。", "。\u3000 ")
        elif choice == 2:  # a few characters changed
            chars = list(base)
            for at in rng.integers(0, len(chars), rng.integers(1, 6)):
                chars[at] = rng.choice(alphabet)
            text = "".join(chars)
        elif choice == 3:
            text = "转发：" + base[: rng.integers(5, len(base))]
        elif choice == 4:
            text = rng.choice(["", " ", "顶", "好的", "\u2028"])
        else:
            text = "".join(rng.choice(alphabet, rng.integers(1, 60)))
        rows.append((f"d{k:04d}", rng.choice(["web_post", "web_post", "web_page", "interview"]),
                     f"2019-0{1 + rng.integers(3)}-{1 + rng.integers(28):02d}", text))
    rows += [(f"b{k:03d}", "web_post", "2019-05-01", bases[0]) for k in range(60)]  # > 50 copies
    return corpus(rows)


def test_find_duplicates_equals_the_former_search_on_varied_corpora():
    for seed in range(6):
        docs = varied_corpus(seed, 30 + 60 * seed)
        for threshold in (0.5, 0.8):
            got = find_duplicates(*with_texts(docs), threshold, 5, 64, seed)
            expected = reference_find_duplicates(*with_texts(docs), threshold, 5, 64, seed)
            pd.testing.assert_frame_equal(got, expected)
            assert (got["kind"] == "near").any() and (got["kind"] == "exact").any()


def test_find_duplicates_of_nothing_and_of_interviews_only():
    empty = corpus([])
    pd.testing.assert_frame_equal(find_duplicates(*with_texts(empty), 0.8, 5, 32, 1),
                                  reference_find_duplicates(*with_texts(empty), 0.8, 5, 32, 1))
    interviews = corpus([("i1", "interview", "2019-01-01", BASE), ("i2", "interview", "2019-01-02", BASE)])
    assert find_duplicates(*with_texts(interviews), 0.8, 5, 32, 1).empty
    distinct = corpus([("a", "web_post", "2019-01-01", BASE), ("b", "web_post", "2019-01-02", "别的")])
    pd.testing.assert_frame_equal(find_duplicates(*with_texts(distinct), 0.8, 5, 32, 1),
                                  reference_find_duplicates(*with_texts(distinct), 0.8, 5, 32, 1))


def test_near_duplicate_roots_are_the_same_with_python_shingle_sets(monkeypatch):
    """The sparse matrix and the fallback for an alphabet too large for it agree."""
    from gtflow.clean import dedup

    texts = [dedup.compact(t) for t in varied_corpus(4, 200)["clean_text"] if t.strip()]
    texts = list(dict.fromkeys(texts))
    with_matrix = dedup.near_duplicate_roots(texts, 0.6, 5, 64, 2)
    monkeypatch.setattr(dedup, "shingle_matrix", lambda texts, size: None)
    assert (dedup.near_duplicate_roots(texts, 0.6, 5, 64, 2) == with_matrix).all()
    assert (with_matrix != np.arange(len(texts))).any()


def test_pair_similarities_are_exact_jaccard():
    from gtflow.clean.dedup import compact_shingles, pair_similarities, shingle_matrix

    rng = np.random.default_rng(5)
    texts = ["".join(rng.choice(list("ab平安𠀀"), rng.integers(4, 40))) for _ in range(80)]
    texts += ["aaaaaaaaaa", "aaaaaab", "ab平安𠀀ab平安𠀀ab"]  # repeated shingles; a 4-byte character
    matrix = shingle_matrix(texts, 3)
    first, second = rng.integers(0, len(texts), 500), rng.integers(0, len(texts), 500)
    usable = np.array([len(t) > 3 for t in texts])
    first, second = first[usable[first] & usable[second]], second[usable[first] & usable[second]]
    expected = [jaccard(compact_shingles(texts[a], 3), compact_shingles(texts[b], 3))
                for a, b in zip(first.tolist(), second.tolist())]
    assert pair_similarities(matrix, first, second).tolist() == expected
    assert np.diff(matrix.indptr)[~usable].sum() == 0


def test_shingle_matrix_declines_an_alphabet_too_large_for_its_columns():
    from gtflow.clean.dedup import shingle_matrix

    many = ["".join(chr(0x4E00 + (k * 7 + j) % 9000) for j in range(12)) for k in range(1000)]
    assert shingle_matrix(many, 5) is None  # 9000 ** 5 > 2 ** 63
    assert shingle_matrix(many, 4) is not None


def test_minhash_signatures_are_the_minimum_of_each_permutation():
    from gtflow.clean import dedup

    rng = np.random.default_rng(9)
    texts = ["".join(rng.choice(list("平安abc"), rng.integers(0, 30))) for _ in range(40)]
    hashes, starts = shingle_hashes(texts, 3)
    for block in (1 << 12, 8):  # many texts per block, and texts longer than a block
        dedup.BLOCK, before = block, dedup.BLOCK
        try:
            signatures = minhash_signatures(hashes, starts, 16, 4)
        finally:
            dedup.BLOCK = before
        draw = np.random.default_rng(4)
        multipliers = draw.integers(1, 2**63, size=16, dtype=np.uint64) | np.uint64(1)
        offsets = draw.integers(0, 2**63, size=16, dtype=np.uint64)
        for k in range(len(texts)):
            own = [int(h) for h in hashes[starts[k]:starts[k + 1]]]
            expected = [min(((int(a) * h + int(b)) % 2**64) >> 32 for h in own) if own else 0
                        for a, b in zip(multipliers, offsets)]
            assert signatures[k].tolist() == expected


def test_repeated_marks_the_keys_seen_more_than_once():
    from collections import Counter

    from gtflow.clean.dedup import repeated

    rng = np.random.default_rng(2)
    for keys in (rng.integers(0, 50, 300).astype(np.uint64),
                 rng.integers(0, 2**64 - 1, 300, dtype=np.uint64),
                 np.array([2**20, 0, 2**40, 3], dtype=np.uint64),  # equal low bits, unequal keys
                 np.zeros(0, dtype=np.uint64)):
        counts = Counter(keys.tolist())
        assert repeated(keys).tolist() == [counts[k] > 1 for k in keys.tolist()]


def test_candidate_pairs_of_no_shared_bucket_are_none():
    from gtflow.clean.dedup import candidate_pair_arrays

    signatures = np.arange(40 * 16, dtype=np.uint32).reshape(40, 16)
    first, second = candidate_pair_arrays(signatures, np.ones(40, dtype=bool), 0.5)
    assert len(first) == len(second) == 0
