"""Exact and near-duplicate web documents (reposts), collapsed onto the earliest copy.

Exact duplicates (same text once white space is removed) are found by hash, always. Near
duplicates: candidates come from MinHash LSH over character shingles, and each candidate pair is
confirmed with the exact Jaccard similarity of the two shingle sets, so the result does not depend
on the sketch's luck. Interviews are never collapsed.

The MinHash is computed with numpy for the whole corpus at once — shingle hashes by a rolling
polynomial over code points (deterministic, unlike Python's ``hash``), permutations by
multiply-shift hashing seeded from config — because one Python MinHash object per post
(datasketch) took most of the clean stage's time and memory on an export of 100k posts.
"""

from __future__ import annotations

import functools
import hashlib
from collections import defaultdict
from collections.abc import Mapping

import numpy as np
import pandas as pd

DUPLICATE_COLUMNS = ["cluster_id", "doc_id", "source_type", "date", "kept_doc_id", "kind", "similarity"]
MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)
#: Shingles per block when hashing permutations: bounds the temporary (block x permutations) array.
BLOCK = 1 << 16
#: A bucket larger than this is compared against its first member only (boilerplate reposted
#: hundreds of times would otherwise cost a quadratic number of exact comparisons).
MAX_PAIRWISE_BUCKET = 50


def compact(text: str) -> str:
    """The text without white space (reposts re-wrap lines)."""
    return "".join(text.split())


def shingles(text: str, size: int) -> set[str]:
    """Character shingles of a text with white space removed."""
    text = compact(text)
    if len(text) < size:
        return {text} if text else set()
    return {text[i:i + size] for i in range(len(text) - size + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    """Exact Jaccard similarity of two sets (0 for two empty sets)."""
    if not a and not b:
        return 0.0
    return len(a & b) / len(a | b)


class UnionFind:
    """Disjoint sets over positions 0..n-1; the smaller index becomes the root."""

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


def mix64(values: np.ndarray) -> np.ndarray:
    """splitmix64 finalizer: spreads polynomial hashes over all 64 bits."""
    values = values ^ (values >> np.uint64(30))
    values = values * np.uint64(0xBF58476D1CE4E5B9)
    values = values ^ (values >> np.uint64(27))
    values = values * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))


def shingle_hashes(texts: list[str], size: int) -> tuple[np.ndarray, np.ndarray]:
    """64-bit hashes of every shingle of every text, and each text's start in that array.

    Texts with fewer than ``size + 1`` characters get no shingles (they take part in exact
    de-duplication only). Returns ``(hashes, starts)`` with ``len(starts) == len(texts) + 1``.
    """
    lengths = np.array([len(t) for t in texts], dtype=np.int64)
    counts = np.where(lengths > size, lengths - size + 1, 0)
    starts = np.concatenate([[0], np.cumsum(counts)])
    joined = "".join(texts)
    if not joined or not counts.sum():
        return np.zeros(0, dtype=np.uint64), starts
    points = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    windows = len(points) - size + 1
    with np.errstate(over="ignore"):
        rolling = np.zeros(max(windows, 0), dtype=np.uint64)
        for j in range(size):  # polynomial hash, wrapping mod 2**64
            rolling = rolling * np.uint64(1_000_003) + points[j:j + windows]
        rolling = mix64(rolling)
    del points
    # Windows that cross from one text into the next are dropped: each text's last size-1
    # windows (all of a text too short to have a shingle). A +1/-1 marker array finds them.
    text_ends = np.cumsum(lengths)
    marks = np.zeros(windows + 1, dtype=np.int32)
    np.add.at(marks, np.minimum(np.where(lengths > size, text_ends - size + 1, text_ends - lengths),
                                  windows), 1)
    np.add.at(marks, np.minimum(text_ends, windows), -1)
    keep = np.cumsum(marks[:-1]) == 0
    return rolling[keep], starts


def minhash_signatures(hashes: np.ndarray, starts: np.ndarray, permutations: int,
                       seed: int) -> np.ndarray:
    """One MinHash signature (``permutations`` uint32 values) per text; zeros for no shingles."""
    rng = np.random.default_rng(seed)
    multipliers = rng.integers(1, 2**63, size=permutations, dtype=np.uint64) | np.uint64(1)
    offsets = rng.integers(0, 2**63, size=permutations, dtype=np.uint64)
    n_texts = len(starts) - 1
    signatures = np.zeros((n_texts, permutations), dtype=np.uint32)
    counts = np.diff(starts)
    text = 0
    while text < n_texts:
        # A block of whole texts holding at most BLOCK shingles (at least one text).
        last = int(np.searchsorted(starts, starts[text] + BLOCK, side="right")) - 1
        last = max(last, text + 1)
        block = hashes[starts[text]:starts[last]]
        if len(block):
            with np.errstate(over="ignore"):
                # (permutations x shingles): reducing along contiguous rows is several times
                # faster than along columns.
                values = np.multiply.outer(multipliers, block)
                values += offsets[:, None]
                values >>= np.uint64(32)  # multiply-shift: the high 32 bits
            local = (starts[text:last] - starts[text]).astype(np.int64)
            nonempty = counts[text:last] > 0
            reduced = np.minimum.reduceat(values, local[nonempty], axis=1)
            signatures[np.arange(text, last)[nonempty]] = reduced.T.astype(np.uint32)
        text = last
    return signatures


#: Texts whose shingle sets the exact-Jaccard check keeps at once.
SHINGLE_CACHE = 10_000
#: Texts shingled and hashed at a time: only their signatures are kept, so memory holds the
#: signatures of the corpus and the shingle hashes of one chunk.
CHUNK_TEXTS = 50_000


def text_signatures(texts: list[str], size: int, permutations: int,
                    seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(MinHash signature of each text, whether it has at least two shingles), computed
    ``CHUNK_TEXTS`` texts at a time (a signature depends on its own text only)."""
    signatures = np.zeros((len(texts), permutations), dtype=np.uint32)
    usable = np.zeros(len(texts), dtype=bool)
    for first in range(0, len(texts), CHUNK_TEXTS):
        chunk = texts[first:first + CHUNK_TEXTS]
        hashes, starts = shingle_hashes(chunk, size)
        usable[first:first + len(chunk)] = np.diff(starts) >= 2
        signatures[first:first + len(chunk)] = minhash_signatures(hashes, starts, permutations,
                                                                  seed)
    return signatures, usable


def lsh_bands(threshold: float, permutations: int) -> tuple[int, int]:
    """(bands, rows) minimizing false positives + false negatives around ``threshold``."""
    grid_low, grid_high = np.linspace(0, threshold, 200), np.linspace(threshold, 1, 200)
    best, best_cost = (1, permutations), float("inf")
    for bands in range(1, permutations + 1):
        rows = permutations // bands
        false_pos = np.trapezoid(1 - (1 - grid_low ** rows) ** bands, grid_low)
        false_neg = np.trapezoid((1 - grid_high ** rows) ** bands, grid_high)
        if false_pos + false_neg < best_cost:
            best, best_cost = (bands, rows), false_pos + false_neg
    return best


def band_keys(band: np.ndarray) -> np.ndarray:
    """One 64-bit key per row of a band (texts x rows of signature values): equal bands get
    equal keys. Unequal bands collide with a chance of about 2**-64 per pair, which only adds
    a candidate for the exact Jaccard check to reject. Sorting these keys is several times
    faster than sorting the band rows as opaque byte strings."""
    keys = np.zeros(len(band), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for column in band.T:
            keys = mix64(keys * np.uint64(1_000_003) + column.astype(np.uint64))
    return keys


def candidate_pairs(signatures: np.ndarray, usable: np.ndarray, threshold: float) -> set[tuple[int, int]]:
    """Pairs (i, j), i < j, that share at least one LSH band bucket."""
    bands, rows = lsh_bands(threshold, signatures.shape[1])
    index = np.flatnonzero(usable)
    pairs: set[tuple[int, int]] = set()
    for band in range(bands):
        keys = band_keys(signatures[index, band * rows:(band + 1) * rows])
        order = np.argsort(keys, kind="stable")  # a bucket's members stay in text order
        sorted_keys = keys[order]
        starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        sizes = np.diff(np.r_[starts, len(keys)])
        for start, size in zip(starts[sizes > 1].tolist(), sizes[sizes > 1].tolist()):
            members = index[order[start:start + size]].tolist()
            if len(members) <= MAX_PAIRWISE_BUCKET:
                pairs.update((a, b) for n, a in enumerate(members) for b in members[n + 1:])
            else:
                pairs.update((members[0], b) for b in members[1:])
    return pairs


def near_duplicate_pairs(texts: list[str], threshold: float, shingle_size: int,
                         permutations: int, seed: int) -> list[tuple[int, int, float]]:
    """Pairs ``(i, j, similarity)`` with exact shingle Jaccard >= threshold (i < j)."""
    compacted = [compact(t) for t in texts]
    signatures, usable = text_signatures(compacted, shingle_size, permutations, seed)
    if usable.sum() < 2:
        return []
    # Candidates at a lower threshold than asked: the exact Jaccard below has the final word.
    candidates = candidate_pairs(signatures, usable, max(threshold * 0.8, 0.05))
    del signatures

    # Pairs come sorted, so a text's shingles are wanted again soon or not at all: a bounded
    # cache keeps memory flat on a corpus with millions of candidate texts.
    @functools.lru_cache(maxsize=SHINGLE_CACHE)
    def shingle_set(i: int) -> set[str]:
        return shingles(compacted[i], shingle_size)

    pairs = []
    for i, j in sorted(candidates):
        similarity = jaccard(shingle_set(i), shingle_set(j))
        if similarity >= threshold:
            pairs.append((i, j, similarity))
    return pairs


def find_duplicates(documents: pd.DataFrame, clean_texts: Mapping[str, str], threshold: float,
                    shingle_size: int, permutations: int, seed: int) -> pd.DataFrame:
    """Cluster web documents that are exact or near copies; the earliest (date, doc_id) is kept.

    ``documents`` needs doc_id, source_type and date; ``clean_texts`` gives each one's clean
    text. Returns one row per document in a cluster of two or more (DUPLICATE_COLUMNS); kind is
    kept, exact or near.
    """
    web = documents[documents["source_type"] != "interview"].sort_values(["date", "doc_id"])
    # Every comparison below is on the text without white space: keep only that form.
    keep, texts = [], []
    for doc_id in web["doc_id"].tolist():
        text = clean_texts[doc_id]
        keep.append(len(text) > 0)
        if text:
            texts.append(compact(text))
    web = web[np.array(keep, dtype=bool)].reset_index(drop=True)
    if web.empty:
        return pd.DataFrame(columns=DUPLICATE_COLUMNS)
    # Raw 32-byte digests, not hex text: a million of them is half the memory.
    digests = [hashlib.sha256(t.encode("utf-8")).digest() for t in texts]
    sets = UnionFind(len(web))
    first_by_digest: dict[bytes, int] = {}
    for i, digest in enumerate(digests):
        if digest in first_by_digest:
            sets.union(first_by_digest[digest], i)
        else:
            first_by_digest[digest] = i
    # Near duplicates among the distinct texts only; exact copies follow their first.
    distinct = list(first_by_digest.values())
    for a, b, _ in near_duplicate_pairs([texts[i] for i in distinct], threshold, shingle_size,
                                        permutations, seed):
        sets.union(distinct[a], distinct[b])
    roots = np.array([sets.find(i) for i in range(len(web))])
    members: dict[int, list[int]] = defaultdict(list)
    for i, root in enumerate(roots.tolist()):
        members[root].append(i)
    doc_ids, source_types, dates = (web[c].tolist() for c in ("doc_id", "source_type", "date"))
    rows = []
    clusters = sorted(root for root, group in members.items() if len(group) > 1)
    for cluster_no, root in enumerate(clusters, start=1):
        root_shingles = shingles(texts[root], shingle_size)
        for i in members[root]:
            if i == root:
                kind, similarity = "kept", 1.0
            elif digests[i] == digests[root]:
                kind, similarity = "exact", 1.0
            else:
                kind = "near"
                similarity = round(jaccard(root_shingles, shingles(texts[i], shingle_size)), 4)
            rows.append({"cluster_id": cluster_no, "doc_id": doc_ids[i],
                         "source_type": source_types[i], "date": dates[i],
                         "kept_doc_id": doc_ids[root], "kind": kind, "similarity": similarity})
    return pd.DataFrame(rows, columns=DUPLICATE_COLUMNS)
