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
from collections.abc import Mapping

import numpy as np
import pandas as pd

from gtflow.clean.normalize import white_space_code_points
from gtflow.clean.texts import CleanTexts
from gtflow.frames import first_of_runs, offsets_within_runs

DUPLICATE_COLUMNS = ["cluster_id", "doc_id", "source_type", "date", "kept_doc_id", "kind", "similarity"]
MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)
#: Shingles per block when hashing permutations: bounds the temporary (block x permutations) array,
#: which at 4 MB stays in cache between its passes (several times faster than at 64 MB).
BLOCK = 1 << 12
#: A bucket larger than this is compared against its first member only (boilerplate reposted
#: hundreds of times would otherwise cost a quadratic number of exact comparisons).
MAX_PAIRWISE_BUCKET = 50


def compact(text: str) -> str:
    """The text without white space (reposts re-wrap lines)."""
    return "".join(text.split())


def shingles(text: str, size: int) -> set[str]:
    """Character shingles of a text with white space removed."""
    return compact_shingles(compact(text), size)


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
    return rolling[shingle_windows(lengths, size, windows)], starts


def shingle_windows(lengths: np.ndarray, size: int, windows: int) -> np.ndarray:
    """Which of the ``windows`` windows of ``size`` code points over texts of ``lengths``
    joined are shingles: not those that cross from one text into the next, each text's last
    size-1 windows (all of a text of at most ``size`` characters). A +1/-1 marker array
    finds them."""
    text_ends = np.cumsum(lengths)
    marks = np.zeros(windows + 1, dtype=np.int32)
    np.add.at(marks, np.minimum(np.where(lengths > size, text_ends - size + 1, text_ends - lengths),
                                  windows), 1)
    np.add.at(marks, np.minimum(text_ends, windows), -1)
    return np.cumsum(marks[:-1]) == 0


def minhash_signatures(hashes: np.ndarray, starts: np.ndarray, permutations: int,
                       seed: int) -> np.ndarray:
    """One MinHash signature (``permutations`` uint32 values) per text; zeros for no shingles.

    The array is the transpose of a (permutations x texts) one: the LSH reads a few
    permutations of every text at a time, which are then contiguous."""
    rng = np.random.default_rng(seed)
    multipliers = rng.integers(1, 2**63, size=permutations, dtype=np.uint64) | np.uint64(1)
    offsets = rng.integers(0, 2**63, size=permutations, dtype=np.uint64)
    n_texts = len(starts) - 1
    signatures = np.zeros((permutations, n_texts), dtype=np.uint32)
    counts = np.diff(starts)
    buffer = np.empty((permutations, BLOCK), dtype=np.uint64)  # reused: no page faults per block
    text = 0
    while text < n_texts:
        # A block of whole texts holding at most BLOCK shingles (at least one text).
        last = int(np.searchsorted(starts, starts[text] + BLOCK, side="right")) - 1
        last = max(last, text + 1)
        block = hashes[starts[text]:starts[last]]
        if len(block):
            values = (buffer[:, :len(block)] if len(block) <= BLOCK
                      else np.empty((permutations, len(block)), dtype=np.uint64))
            with np.errstate(over="ignore"):
                # (permutations x shingles): reducing along contiguous rows is several times
                # faster than along columns.
                np.multiply(multipliers[:, None], block[None, :], out=values)
                values += offsets[:, None]
            local = (starts[text:last] - starts[text]).astype(np.int64)
            nonempty = counts[text:last] > 0
            reduced = np.minimum.reduceat(values, local[nonempty], axis=1)
            # Multiply-shift keeps the high 32 bits; shifting is monotone, so shifting the
            # minimum gives the minimum of the shifted values at a fraction of the work.
            reduced >>= np.uint64(32)
            signatures[:, np.arange(text, last)[nonempty]] = reduced
        text = last
    return signatures.T


#: Texts whose shingle sets the exact-Jaccard check keeps at once.
SHINGLE_CACHE = 10_000
#: Texts shingled and hashed at a time: only their signatures are kept, so memory holds the
#: signatures of the corpus and the shingle hashes of one chunk.
CHUNK_TEXTS = 50_000


def text_signatures(texts: list[str], size: int, permutations: int,
                    seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(MinHash signature of each text, whether it has at least two shingles), computed
    ``CHUNK_TEXTS`` texts at a time (a signature depends on its own text only)."""
    signatures = np.zeros((permutations, len(texts)), dtype=np.uint32).T  # see minhash_signatures
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
    scratch = np.empty_like(keys)
    with np.errstate(over="ignore"):
        for column in band.T:
            keys *= np.uint64(1_000_003)
            keys += column
            mix64_in_place(keys, scratch)
    return keys


def mix64_in_place(values: np.ndarray, scratch: np.ndarray) -> None:
    """:func:`mix64` of uint64 ``values``, in place (``scratch``: an array of their shape),
    without a new array per operation."""
    for shift, multiplier in ((30, 0xBF58476D1CE4E5B9), (27, 0x94D049BB133111EB)):
        np.right_shift(values, np.uint64(shift), out=scratch)
        values ^= scratch
        values *= np.uint64(multiplier)
    np.right_shift(values, np.uint64(31), out=scratch)
    values ^= scratch


def candidate_pair_arrays(signatures: np.ndarray, usable: np.ndarray,
                          threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """The pairs (i, j), i < j, of texts that share at least one LSH band bucket, as two
    arrays sorted by (i, j): pairs are built and de-duplicated as int64 codes ``i * n + j``,
    since a Python set of a million tuples cost more time and memory than the rest of the
    LSH."""
    bands, rows = lsh_bands(threshold, signatures.shape[1])
    index = np.flatnonzero(usable)
    n = len(signatures)
    codes = [np.zeros(0, dtype=np.int64)]
    for band in range(bands):
        keys = band_keys(signatures[index, band * rows:(band + 1) * rows])
        # Only the texts that share their bucket are sorted stably (most texts are alone in
        # theirs): a stable sort of every key took most of the LSH's time.
        shared = np.flatnonzero(repeated(keys))
        order = shared[np.argsort(keys[shared], kind="stable")]  # members in text order
        sorted_keys = keys[order]
        starts = np.flatnonzero(first_of_runs(sorted_keys))
        sizes = np.diff(np.r_[starts, len(order)])
        firsts, seconds = bucket_pairs(index[order], starts, sizes)
        codes.append(firsts * n + seconds)
    # A pair in several bands once: sorted and compared with its neighbour (np.unique hashes,
    # which took forty times longer on a million pairs).
    merged = np.concatenate(codes)
    merged.sort()
    merged = merged[first_of_runs(merged)]
    return merged // max(n, 1), merged % max(n, 1)


def repeated(keys: np.ndarray) -> np.ndarray:
    """Whether each key occurs more than once in ``keys``."""
    ordered = np.sort(keys)
    twice = ordered[1:][ordered[1:] == ordered[:-1]]
    twice = twice[first_of_runs(twice)]
    found = np.zeros(len(keys), dtype=bool)
    if not len(twice):
        return found
    # A binary search per key is slow on a million keys: a table of the repeated keys' low
    # bits (all bits of a mixed key are random) picks the few keys worth searching for.
    low_bits = np.uint64(LOW_BITS_TABLE - 1)
    table = np.zeros(LOW_BITS_TABLE, dtype=bool)
    table[twice & low_bits] = True
    maybe = np.flatnonzero(table[keys & low_bits])
    at = np.minimum(np.searchsorted(twice, keys[maybe]), len(twice) - 1)
    found[maybe] = twice[at] == keys[maybe]
    return found


#: Entries in :func:`repeated`'s table of low key bits (a power of two).
LOW_BITS_TABLE = 1 << 20


def bucket_pairs(members: np.ndarray, starts: np.ndarray,
                 sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pairs of each bucket (``members[start:start + size]``, in text order): every pair of
    a bucket up to MAX_PAIRWISE_BUCKET members, its first member with each other one above."""
    firsts, seconds = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    for size in np.unique(sizes[(sizes > 1) & (sizes <= MAX_PAIRWISE_BUCKET)]).tolist():
        left, right = np.triu_indices(size, k=1)
        bucket_starts = starts[sizes == size][:, None]
        firsts.append(members[bucket_starts + left].ravel())
        seconds.append(members[bucket_starts + right].ravel())
    large = sizes > MAX_PAIRWISE_BUCKET
    if large.any():
        large_starts, large_sizes = starts[large], sizes[large]
        # Offsets 1..size-1 within each large bucket, all buckets at once.
        within = offsets_within_runs(large_sizes - 1) + 1
        firsts.append(np.repeat(members[large_starts], large_sizes - 1))
        seconds.append(members[np.repeat(large_starts, large_sizes - 1) + within])
    return (np.concatenate(firsts).astype(np.int64, copy=False),
            np.concatenate(seconds).astype(np.int64, copy=False))


def near_duplicate_roots(texts: list[str], threshold: float, shingle_size: int,
                         permutations: int, seed: int) -> np.ndarray:
    """For each text (white space already removed, see :func:`compact`), the smallest index
    linked to it by a chain of near-duplicate pairs (LSH candidates whose exact shingle
    Jaccard is at least ``threshold``): the clusters those pairs make.

    Every candidate pair's exact similarity is computed on a sparse shingle matrix, a chunk of
    pairs at a time, instead of from Python sets pair by pair (a million candidates at a
    million posts, nearly all rejected); the clusters of the pairs that pass are the same."""
    signatures, usable = text_signatures(texts, shingle_size, permutations, seed)
    if usable.sum() < 2:
        return np.arange(len(texts))
    firsts, seconds = candidate_pair_arrays(signatures, usable, max(threshold * 0.8, 0.05))
    del signatures
    matrix = shingle_matrix(texts, shingle_size)
    if matrix is None:
        return linked_roots_checking_sets(texts, firsts, seconds, threshold, shingle_size)
    sets = UnionFind(len(texts))
    for first in range(0, len(firsts), PAIR_CHUNK):
        pairs = slice(first, first + PAIR_CHUNK)
        similar = pair_similarities(matrix, firsts[pairs], seconds[pairs]) >= threshold
        for i, j in zip(firsts[pairs][similar].tolist(), seconds[pairs][similar].tolist()):
            sets.union(i, j)
    return np.array([sets.find(i) for i in range(len(texts))], dtype=np.int64)


#: Candidate pairs whose exact similarity is computed at once (two sparse rows each).
PAIR_CHUNK = 100_000


def linked_roots_checking_sets(texts: list[str], firsts: np.ndarray, seconds: np.ndarray,
                               threshold: float, shingle_size: int) -> np.ndarray:
    """:func:`near_duplicate_roots` from the candidate pairs, comparing Python shingle sets
    (for an alphabet too large for :func:`shingle_matrix`). A pair whose texts are already
    linked is skipped: its similarity cannot change the clusters."""
    sets = UnionFind(len(texts))

    # Pairs come sorted, so a text's shingles are wanted again soon or not at all.
    @functools.lru_cache(maxsize=SHINGLE_CACHE)
    def shingle_set(i: int) -> set[str]:
        return compact_shingles(texts[i], shingle_size)

    find = sets.find
    for i, j in zip(firsts.tolist(), seconds.tolist()):
        root_i, root_j = find(i), find(j)
        if root_i == root_j:
            continue
        a, b = shingle_set(i), shingle_set(j)
        shared = len(a & b)  # |a | b| = |a| + |b| - |a & b|: the same ratio as jaccard()
        if shared / (len(a) + len(b) - shared) >= threshold:
            sets.parent[max(root_i, root_j)] = min(root_i, root_j)
    return np.array([find(i) for i in range(len(texts))], dtype=np.int64)


def shingle_matrix(texts: list[str], size: int):
    """A sparse 0/1 matrix, texts x shingles, for the texts of more than ``size`` characters
    (other rows are empty); None when the corpus alphabet is too large for it.

    A shingle's column is its code points' ranks in the corpus alphabet read as the digits of
    one number: exact (two texts share a column only if they share the shingle), unlike a hash,
    as long as alphabet ** size fits in an int64 (an alphabet of up to ~6,000 characters for
    shingles of 5)."""
    from scipy import sparse  # only the duplicate search needs it

    seen = np.zeros(0x110000, dtype=bool)
    for first in range(0, len(texts), CHUNK_TEXTS):
        seen[code_points(texts[first:first + CHUNK_TEXTS])] = True
    alphabet = int(seen.sum())
    if max(alphabet, 2) ** size >= 2 ** 63:
        return None
    ranks = np.cumsum(seen, dtype=np.int64) - 1
    del seen
    blocks = []
    for first in range(0, len(texts), CHUNK_TEXTS):
        chunk = texts[first:first + CHUNK_TEXTS]
        lengths = np.array([len(t) for t in chunk], dtype=np.int64)
        digits = ranks[code_points(chunk)]
        windows = max(len(digits) - size + 1, 0)
        keys = np.zeros(windows, dtype=np.int64)
        for j in range(size):
            keys = keys * alphabet + digits[j:j + windows]
        keep = shingle_windows(lengths, size, windows) if windows else np.zeros(0, dtype=bool)
        counts = np.where(lengths > size, lengths - size + 1, 0)
        block = sparse.csr_array((np.ones(int(keep.sum()), dtype=np.int8), keys[keep],
                                  np.concatenate([[0], np.cumsum(counts)])),
                                 shape=(len(chunk), 2 ** 63 - 1))
        block.sum_duplicates()  # a shingle repeated in a text is one member of its set
        block.data[:] = 1
        blocks.append(block)
    return sparse.vstack(blocks, format="csr") if blocks else None


def code_points(texts: list[str]) -> np.ndarray:
    """The code points of ``texts`` joined."""
    return np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)


def pair_similarities(matrix, firsts: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    """Exact Jaccard similarity of the shingle sets of texts ``firsts[k]`` and ``seconds[k]``
    (rows of :func:`shingle_matrix`; each row non-empty), as :func:`jaccard` computes it."""
    sizes = np.diff(matrix.indptr)
    shared = np.diff(matrix[firsts].multiply(matrix[seconds]).tocsr().indptr)
    # int64 counts to float64 are exact, and one IEEE division is rounded as Python's int / int.
    return shared / (sizes[firsts] + sizes[seconds] - shared)


def compact_shingles(text: str, size: int) -> set[str]:
    """:func:`shingles` of a text that has no white space left."""
    if len(text) < size:
        return {text} if text else set()
    return {text[i:i + size] for i in range(len(text) - size + 1)}


def find_duplicates(documents: pd.DataFrame, clean_texts: Mapping[str, str], threshold: float,
                    shingle_size: int, permutations: int, seed: int) -> pd.DataFrame:
    """Cluster web documents that are exact or near copies; the earliest (date, doc_id) is kept.

    ``documents`` needs doc_id, source_type and date; ``clean_texts`` gives each one's clean
    text. Returns one row per document in a cluster of two or more (DUPLICATE_COLUMNS); kind is
    kept, exact or near.
    """
    web = documents[documents["source_type"] != "interview"].sort_values(["date", "doc_id"])
    # Every comparison below is on the text without white space: keep only that form.
    keep, texts = compacted_texts(clean_texts, web["doc_id"].tolist())
    web = web[keep].reset_index(drop=True)
    if web.empty:
        return pd.DataFrame(columns=DUPLICATE_COLUMNS)
    # Each text's exact group (numbered in order of first appearance; equal texts, as their
    # digests were compared before: a dict of the texts themselves needs no hashing pass) and
    # each group's first text.
    group_of_text: dict[str, int] = {}
    groups = np.fromiter((group_of_text.setdefault(t, len(group_of_text)) for t in texts),
                         dtype=np.int64, count=len(texts))
    firsts = np.full(len(group_of_text), len(texts), dtype=np.int64)
    np.minimum.at(firsts, groups, np.arange(len(texts)))
    del group_of_text
    # Near duplicates among the distinct texts only; exact copies follow their first. A
    # cluster's root is its earliest text: the first of its earliest exact group.
    near_roots = near_duplicate_roots([texts[i] for i in firsts.tolist()], threshold,
                                      shingle_size, permutations, seed)
    roots = firsts[near_roots[groups]]
    return duplicate_rows(web, texts, groups, roots, shingle_size)


def compacted_texts(clean_texts: Mapping[str, str], doc_ids: list[str]) -> tuple[np.ndarray, list[str]]:
    """(Whether each document's clean text is non-empty, the :func:`compact` form of those
    texts.) For :class:`CleanTexts`, by Arrow over the whole corpus at once."""
    if not isinstance(clean_texts, CleanTexts):
        texts = [clean_texts[doc_id] for doc_id in doc_ids]
        return (np.array([len(t) > 0 for t in texts], dtype=bool),
                [compact(t) for t in texts if t])
    import pyarrow.compute as pc  # only the corpus path needs it

    array = clean_texts.text_array(doc_ids)
    keep = pc.greater(pc.binary_length(array), 0)
    compacted = pc.replace_substring_regex(array.filter(keep), white_space_run(), "")
    return keep.to_numpy(zero_copy_only=False), compacted.to_pylist()


@functools.cache
def white_space_run() -> str:
    """A run of what str.split() splits on (str.isspace), as an Arrow regular expression."""
    return "[" + "".join(f"\\x{{{code:x}}}" for code in white_space_code_points()) + "]+"


def duplicate_rows(web: pd.DataFrame, texts: list[str], groups: np.ndarray, roots: np.ndarray,
                   shingle_size: int) -> pd.DataFrame:
    """One row per document of a cluster of two or more (clusters by root, members in order),
    given each document's exact group and cluster root."""
    order = np.argsort(roots, kind="stable")  # a cluster's members stay in (date, doc_id) order
    sorted_roots = roots[order]
    starts = np.flatnonzero(first_of_runs(sorted_roots))
    sizes = np.diff(np.r_[starts, len(roots)])
    clustered = sizes > 1
    if not clustered.any():
        return pd.DataFrame(columns=DUPLICATE_COLUMNS)
    # The members of each cluster, the root (its smallest position) first.
    members = order[np.concatenate([np.arange(a, a + n) for a, n in
                                    zip(starts[clustered].tolist(), sizes[clustered].tolist())])]
    cluster_no = np.repeat(np.arange(1, clustered.sum() + 1), sizes[clustered])
    kept = np.repeat(members[np.r_[0, np.cumsum(sizes[clustered])[:-1]]], sizes[clustered])
    kind = np.where(members == kept, "kept", np.where(groups[members] == groups[kept], "exact", "near"))
    similarity = np.ones(len(members))
    near = kind == "near"
    similarity[near] = [round(value, 4) for value in
                        root_similarities(texts, kept[near], members[near], shingle_size)]
    doc_ids = web["doc_id"].to_numpy(dtype=object)
    return pd.DataFrame({"cluster_id": cluster_no, "doc_id": doc_ids[members].tolist(),
                         "source_type": web["source_type"].to_numpy(dtype=object)[members].tolist(),
                         "date": web["date"].to_numpy(dtype=object)[members].tolist(),
                         "kept_doc_id": doc_ids[kept].tolist(), "kind": kind.tolist(),
                         "similarity": similarity}, columns=DUPLICATE_COLUMNS)


def root_similarities(texts: list[str], roots: np.ndarray, members: np.ndarray,
                      shingle_size: int) -> list[float]:
    """:func:`jaccard` of the shingles of ``texts[roots[k]]`` and ``texts[members[k]]``: on a
    shingle matrix of just those texts when it can be built and no text lacks shingles."""
    needed, rows = np.unique(np.r_[roots, members], return_inverse=True)
    matrix = shingle_matrix([texts[i] for i in needed.tolist()], shingle_size) if len(needed) else None
    if matrix is None or (np.diff(matrix.indptr) == 0).any():
        return [jaccard(compact_shingles(texts[a], shingle_size),
                        compact_shingles(texts[b], shingle_size))
                for a, b in zip(roots.tolist(), members.tolist())]
    return pair_similarities(matrix, rows[:len(roots)], rows[len(roots):]).tolist()
