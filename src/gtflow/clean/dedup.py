"""Exact and near-duplicate web documents (reposts), collapsed onto the earliest copy.

Candidates come from MinHash LSH over character shingles (datasketch, seeded), and each
candidate pair is confirmed with the exact Jaccard similarity of the two shingle sets, so the
result does not depend on the sketch's luck. Interviews are never collapsed.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

DUPLICATE_COLUMNS = ["cluster_id", "doc_id", "source_type", "date", "kept_doc_id", "kind", "similarity"]


def shingles(text: str, size: int) -> set[str]:
    """Character shingles of a text with white space removed (reposts re-wrap lines)."""
    compact = "".join(text.split())
    if len(compact) < size:
        return {compact} if compact else set()
    return {compact[i:i + size] for i in range(len(compact) - size + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    """Exact Jaccard similarity of two sets (0 for two empty sets)."""
    if not a and not b:
        return 0.0
    return len(a & b) / len(a | b)


class UnionFind:
    """Disjoint sets over positions 0..n-1."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        ri, rj = self.find(i), self.find(j)
        if ri != rj:
            self.parent[max(ri, rj)] = min(ri, rj)


def near_duplicate_pairs(texts: list[str], threshold: float, shingle_size: int,
                         permutations: int, seed: int) -> list[tuple[int, int, float]]:
    """Pairs ``(i, j, similarity)`` with exact shingle Jaccard >= threshold (i < j)."""
    from datasketch import MinHash, MinHashLSH

    sets = [shingles(t, shingle_size) for t in texts]
    lsh = MinHashLSH(threshold=max(threshold * 0.8, 0.05), num_perm=permutations)
    pairs = []
    for i, shingle_set in enumerate(sets):
        if len(shingle_set) < 2:
            continue
        sketch = MinHash(num_perm=permutations, seed=seed)
        sketch.update_batch([s.encode("utf-8") for s in sorted(shingle_set)])
        for j in sorted(int(k) for k in lsh.query(sketch)):
            similarity = jaccard(sets[i], sets[j])
            if similarity >= threshold:
                pairs.append((j, i, similarity))
        lsh.insert(str(i), sketch)
    return sorted(pairs)


def find_duplicates(documents: pd.DataFrame, threshold: float, shingle_size: int,
                    permutations: int, seed: int) -> pd.DataFrame:
    """Cluster web documents that are exact or near copies; the earliest (date, doc_id) is kept.

    ``documents`` needs doc_id, source_type, date and clean_text. Returns one row per document
    in a cluster of two or more (DUPLICATE_COLUMNS); kind is kept, exact or near.
    """
    web = documents[documents["source_type"] != "interview"].sort_values(["date", "doc_id"])
    web = web[web["clean_text"].str.len() > 0].reset_index(drop=True)
    if web.empty:
        return pd.DataFrame(columns=DUPLICATE_COLUMNS)
    texts = web["clean_text"].tolist()
    digests = [hashlib.sha256("".join(t.split()).encode("utf-8")).hexdigest() for t in texts]
    sets = UnionFind(len(web))
    first_by_digest: dict[str, int] = {}
    for i, digest in enumerate(digests):
        if digest in first_by_digest:
            sets.union(first_by_digest[digest], i)
        else:
            first_by_digest[digest] = i
    similarity_to_root: dict[tuple[int, int], float] = {}
    for i, j, similarity in near_duplicate_pairs(texts, threshold, shingle_size, permutations, seed):
        sets.union(i, j)
        similarity_to_root[(i, j)] = similarity
    roots = np.array([sets.find(i) for i in range(len(web))])
    rows = []
    clusters = [r for r in sorted(set(roots.tolist())) if (roots == r).sum() > 1]
    for cluster_no, root in enumerate(clusters, start=1):
        root_shingles = shingles(texts[root], shingle_size)
        for i in np.flatnonzero(roots == root).tolist():
            if i == root:
                kind, similarity = "kept", 1.0
            elif digests[i] == digests[root]:
                kind, similarity = "exact", 1.0
            else:
                kind = "near"
                similarity = round(jaccard(root_shingles, shingles(texts[i], shingle_size)), 4)
            rows.append({"cluster_id": cluster_no, "doc_id": web.at[i, "doc_id"],
                         "source_type": web.at[i, "source_type"], "date": web.at[i, "date"],
                         "kept_doc_id": web.at[root, "doc_id"], "kind": kind,
                         "similarity": similarity})
    return pd.DataFrame(rows, columns=DUPLICATE_COLUMNS)
