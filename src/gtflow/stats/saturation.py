"""Saturation: is the code set still growing as documents are added?

* :func:`incidence_matrix` — documents × codes 0/1 table, at concept or any higher level.
* :func:`accumulation_curve` — new and cumulative codes per document in collection order, with
  a band over seeded random orders (numpy-vectorised; 1,000 docs × 500 codes × 1,000
  permutations in well under 2 s, see ``bench/saturation``).
* :func:`guest_runs` / :func:`guest_saturation` — Guest, Namey & Chen (2020): fixed base,
  runs sliding by one document, new-information threshold, reported as "k+r";
  :func:`guest_sensitivity` over bases × runs × thresholds and
  :func:`guest_point_distribution` over the band's random orders.
* :func:`francis_stopping` — Francis et al. (2010) initial analysis sample + stopping criterion
  ("10+3").
* :func:`chao2` — Chao's incidence-based richness estimate exactly as vegan's ``specpool``
  (with the (m-1)/m small-sample factor), its standard error and Chao's (1987) log-normal
  interval, and the Chao & Jost (2012) incidence sample coverage.
* :func:`choose_holdout` / :func:`holdout_test` — codes (and model edges) seen only in held-out
  documents; :func:`holdout_reference` — the same count over seeded random holdouts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from gtflow.coding.codebook import edge_id
from gtflow.contracts import TABLES
from gtflow.errors import ConfigError, InputError
from gtflow.frames import distinct_values

CURVE_COLUMNS = ["position", "doc_id", "new_codes", "cumulative",
                 "band_low", "band_median", "band_high"]
GUEST_RUN_COLUMNS = ["base_size", "run_start", "run_end", "codes_in_base", "new_in_run",
                     "new_share"]
HOLDOUT_COLUMNS = ["level", "id", "n_holdout_docs", "holdout_docs"]
EDGE_LEVEL = "edge"


# --------------------------------------------------------------------------------------------
# Incidence and accumulation
# --------------------------------------------------------------------------------------------

def incidence_matrix(codings: pd.DataFrame, doc_order: Sequence[str],
                     code_of: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Documents × codes 0/1 table: 1 when the document has at least one coding of the code.

    Rows follow ``doc_order`` (documents without codings are all-zero rows); columns are the
    codes that occur, sorted. ``code_of`` maps concept_id → the code at another level
    (category, main category); None keeps concepts. Unknown documents or unmapped concepts
    raise InputError rather than being dropped silently.
    """
    if "doc_id" not in codings.columns or "concept_id" not in codings.columns:
        raise InputError(TABLES["codings"].path, "the codings table needs doc_id and concept_id columns")
    doc_order = list(doc_order)
    if len(set(doc_order)) != len(doc_order):
        raise InputError(TABLES["documents"].path, "the document order lists a document twice")
    unknown = sorted(distinct_values(codings["doc_id"]) - set(doc_order), key=str)
    if unknown:
        raise InputError(TABLES["codings"].path, "coded document(s) missing from the document order: "
                         + ", ".join(map(str, unknown)))
    codes = codings["concept_id"]
    if code_of is not None:
        unmapped = sorted(set(codes) - set(code_of), key=str)
        if unmapped:
            raise InputError("config/codebook.yaml", "no parent code for concept(s) "
                             + ", ".join(map(str, unmapped)))
        codes = codes.map(code_of)
    columns = sorted(codes.dropna().unique().tolist(), key=str)
    matrix = np.zeros((len(doc_order), len(columns)), dtype=np.int8)
    row_of = {d: i for i, d in enumerate(doc_order)}
    col_of = {c: j for j, c in enumerate(columns)}
    present = codes.notna()
    matrix[codings.loc[present, "doc_id"].map(row_of).to_numpy(dtype=np.int64),
           codes[present].map(col_of).to_numpy(dtype=np.int64)] = 1
    return pd.DataFrame(matrix, index=pd.Index(doc_order, name="doc_id"),
                        columns=pd.Index(columns, name="code"))


def _presence(incidence: Any) -> np.ndarray:
    """Boolean docs × codes array from a DataFrame or array of 0/1 (any value > 0 = present)."""
    values = np.asarray(incidence)
    if values.ndim != 2:
        raise ValueError("the incidence table must be documents × codes")
    try:
        return values.astype(float) > 0
    except (TypeError, ValueError) as exc:
        raise ValueError(f"the incidence table must hold 0/1 values: {exc}") from exc


def _first_positions_sparse(present: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """For each permutation (row of ``rank``) the position at which each code first appears.

    ``rank[p, d]`` is the position of document d in order p; every code must occur somewhere.
    Works on the non-zero cells only (min of the ranks of the code's documents), so its cost
    grows with the number of codings: the fast path for sparse tables.
    """
    code_idx, doc_idx = np.nonzero(present.T)          # sorted by code
    starts = np.flatnonzero(np.r_[True, code_idx[1:] != code_idx[:-1]])
    return np.minimum.reduceat(rank[:, doc_idx], starts, axis=1)


def _first_positions_common(present: np.ndarray, rank: np.ndarray, depth: int) -> np.ndarray:
    """Same result as :func:`_first_positions_sparse` for codes found in many documents.

    A common code almost always turns up within the first ``depth`` documents of an order, so
    only those rows are scanned (argmax stops at the first hit); the rare (permutation, code)
    pairs without a hit there fall back to the exact minimum over the code's documents.
    """
    depth = min(depth, present.shape[0])
    orders = np.argsort(rank, axis=1)[:, :depth]
    head = present[orders]                              # permutations × depth × codes
    first = head.argmax(axis=1).astype(rank.dtype)
    for p, code in zip(*np.nonzero(~head.any(axis=1))):
        first[p, code] = rank[p, present[:, code]].min()
    return first


def _first_positions(present: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """First position of every code in every order, choosing the cheaper path per code.

    Codes in at least COMMON_CODE_SHARE of the documents go through the truncated argmax
    (cost ~depth per code), the rest through the sparse minimum (cost ~their document count).
    """
    share = present.mean(axis=0)
    common = share >= COMMON_CODE_SHARE
    first = np.empty((rank.shape[0], present.shape[1]), dtype=rank.dtype)
    if (~common).any():
        first[:, ~common] = _first_positions_sparse(present[:, ~common], rank)
    if common.any():
        # Depth at which even the rarest common code is missed with probability < 1e-9.
        depth = math.ceil(math.log(1e-9) / math.log1p(-min(share[common].min(), 1 - 1e-12)))
        first[:, common] = _first_positions_common(
            np.ascontiguousarray(present[:, common]), rank, max(depth, 1))
    return first


# Codes in at least this share of documents use the truncated-argmax path (bench/saturation).
COMMON_CODE_SHARE = 0.15


def _random_ranks(n_docs: int, permutations: int, rng: np.random.Generator) -> np.ndarray:
    """Position of each document in each random order (a uniformly random permutation)."""
    dtype = np.int16 if n_docs < np.iinfo(np.int16).max else np.int32
    base = np.broadcast_to(np.arange(n_docs, dtype=dtype), (permutations, n_docs))
    return rng.permuted(base, axis=1)


def permutation_new_codes(incidence: Any, permutations: int = 1000, seed: int = 0) -> np.ndarray:
    """New codes per position in ``permutations`` random document orders (orders × positions).

    The orders are drawn with ``numpy.random.Generator(PCG64(seed))``, the same orders for the
    same seed, so the accumulation band and the Guest saturation-point distribution describe
    one set of orders. Per order, a code's first position is the minimum rank among its
    documents (rare codes) or the argmax over the first rows of the order (common codes; same
    result); new codes per position are a bincount of those.
    """
    present = _presence(incidence)
    permutations = int(permutations)
    if permutations < 1:
        raise ValueError("the random document orders need at least one permutation")
    n_docs = present.shape[0]
    present = present[:, present.any(axis=0)]
    rng = np.random.Generator(np.random.PCG64(seed))
    new = np.zeros((permutations, n_docs), dtype=np.int32)
    if present.shape[1] and n_docs:
        # Chunk the permutations so no intermediate exceeds ~16 M values.
        chunk = max(1, min(permutations, 16_000_000 // max(1, n_docs * present.shape[1] // 8)))
        for start in range(0, permutations, chunk):
            stop = min(permutations, start + chunk)
            first = _first_positions(present, _random_ranks(n_docs, stop - start, rng))
            offsets = (np.arange(stop - start)[:, None] * n_docs + first).ravel()
            counts = np.bincount(offsets, minlength=(stop - start) * n_docs)
            new[start:stop] = counts.reshape(stop - start, n_docs)
    return new


def accumulation_curve(incidence: pd.DataFrame, permutations: int = 1000, seed: int = 0,
                       band: tuple[float, float] = (0.025, 0.975)) -> pd.DataFrame:
    """Code accumulation in collection order with a band over random document orders.

    Columns: position (1..n), doc_id, new_codes (codes first seen in this document),
    cumulative (codes seen so far), and band_low / band_median / band_high: quantiles
    ``band`` and 0.5 of the cumulative count at that position over the ``permutations``
    random orders of :func:`permutation_new_codes` (same seed, same orders). Codes occurring
    in no document are ignored.
    """
    present = _presence(incidence)
    doc_ids = list(incidence.index) if isinstance(incidence, pd.DataFrame) \
        else list(range(present.shape[0]))
    low_q, high_q = band
    if not 0 <= low_q <= high_q <= 1:
        raise ValueError(f"the band must be two quantiles 0 <= low <= high <= 1, not {band}")
    n_docs = present.shape[0]
    random_new = permutation_new_codes(present, permutations, seed)
    if n_docs == 0:
        return pd.DataFrame(columns=CURVE_COLUMNS)
    present = present[:, present.any(axis=0)]
    observed_first = present.argmax(axis=0)
    new_codes = np.bincount(observed_first, minlength=n_docs)
    curve = pd.DataFrame({
        "position": np.arange(1, n_docs + 1),
        "doc_id": doc_ids,
        "new_codes": new_codes,
        "cumulative": np.cumsum(new_codes),
    })
    quantiles = np.quantile(random_new.cumsum(axis=1), [low_q, 0.5, high_q], axis=0)
    curve["band_low"], curve["band_median"], curve["band_high"] = quantiles
    return curve


# --------------------------------------------------------------------------------------------
# Stopping rules
# --------------------------------------------------------------------------------------------

def _new_counts(new_per_doc: Sequence[int]) -> np.ndarray:
    counts = np.asarray(list(new_per_doc), dtype=float)
    if counts.ndim != 1 or (counts < 0).any() or not np.allclose(counts, np.round(counts)):
        raise ValueError("new codes per document must be whole numbers >= 0")
    return counts.astype(np.int64)


@dataclass(frozen=True)
class GuestSaturation:
    """Guest, Namey & Chen (2020) saturation assessment of one document sequence.

    ``point`` is their "k+r" notation: k documents before the first run whose new information
    is within the threshold, plus that run's r documents; ``documents`` is that sum k + r, the
    number of documents at which saturation is reached. ``base_size`` (b) and
    ``codes_in_base`` (unique codes in documents 1..b) are fixed for every run. When
    ``saturated`` is False the run-specific numbers are None.
    """

    saturated: bool
    point: str | None
    k: int | None
    documents: int | None
    run_length: int
    threshold: float
    base_size: int
    codes_in_base: int | None
    new_in_run: int | None
    new_share: float | None
    share_of_all_codes: float | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _check_guest(base: int, run: int, threshold: float | None = None) -> None:
    if base < 1 or run < 1:
        raise ValueError("Guest saturation needs base >= 1 and run >= 1")
    if threshold is not None and not 0 <= threshold < 1:
        raise ValueError(f"the new-information threshold must be in [0, 1), not {threshold}")


def guest_runs(new_per_doc: Sequence[int], base: int = 4, run: int = 2) -> pd.DataFrame:
    """Every run of Guest, Namey & Chen (2020), sliding forward one document at a time.

    The base is fixed: documents 1..b, whose unique codes are the denominator of every run.
    Run i covers documents b+1+i .. b+i+r; its new codes are those not seen in any earlier
    document. ``new_share`` = new codes in the run / unique codes in the base (NaN when the
    base has no codes). Columns: base_size (b), run_start, run_end (1-based document
    numbers), codes_in_base, new_in_run, new_share.
    """
    counts = _new_counts(new_per_doc)
    _check_guest(base, run)
    cumulative = np.r_[0, np.cumsum(counts)]
    before = np.arange(base, len(counts) - run + 1)        # documents before each run
    in_base = np.full(before.shape, cumulative[min(base, len(counts))])
    in_run = cumulative[before + run] - cumulative[before]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(in_base > 0, in_run / np.where(in_base > 0, in_base, 1), np.nan)
    return pd.DataFrame({
        "base_size": np.full(before.shape, base), "run_start": before + 1,
        "run_end": before + run, "codes_in_base": in_base, "new_in_run": in_run,
        "new_share": share,
    }, columns=GUEST_RUN_COLUMNS)


# Why the epsilon: 0.05 of 60 codes is 3 new codes, and must count as "<= 5 %".
_SHARE_TOLERANCE = 1e-12


def guest_saturation(new_per_doc: Sequence[int], base: int = 4, run: int = 2,
                     threshold: float = 0.05) -> GuestSaturation:
    """First saturation point by Guest, Namey & Chen (2020), PLoS ONE 15(5): e0232076.

    Their three parameters: base size b (the first documents, whose unique codes are the fixed
    reference), run length r (consecutive documents examined for new codes) and the
    new-information threshold (new codes in the run / unique codes in the base, <= 5 % or
    0 %). Runs slide forward one document at a time until one is within the threshold; the
    result is reported as "k+r": the k documents before that run plus its r documents.
    ``share_of_all_codes`` = codes found in those k+r documents / codes found in the whole
    sequence.
    """
    _check_guest(base, run, threshold)
    runs = guest_runs(new_per_doc, base, run)
    counts = _new_counts(new_per_doc)
    total = int(counts.sum())
    in_base = int(counts[:base].sum()) if len(counts) >= base else None
    hits = runs[runs["new_share"].notna()
                & (runs["new_share"] <= threshold + _SHARE_TOLERANCE)]
    if hits.empty:
        return GuestSaturation(False, None, None, None, run, threshold, base, in_base, None,
                               None, None)
    first = hits.iloc[0]
    k, in_run = int(first["run_start"]) - 1, int(first["new_in_run"])
    found = int(counts[:k + run].sum())
    return GuestSaturation(
        saturated=True, point=f"{k}+{run}", k=k, documents=k + run, run_length=run,
        threshold=threshold,
        base_size=base, codes_in_base=in_base, new_in_run=in_run,
        new_share=float(first["new_share"]), share_of_all_codes=found / total if total else None)


SENSITIVITY_COLUMNS = ["base_size", "run_length", "threshold", "saturated", "point", "k",
                       "codes_in_base", "new_in_run", "new_share"]


def guest_sensitivity(new_per_doc: Sequence[int], bases: Sequence[int] = (4, 5, 6),
                      runs: Sequence[int] = (2, 3),
                      thresholds: Sequence[float] = (0.05, 0.0)) -> pd.DataFrame:
    """The Guest et al. (2020) saturation point for every base × run × threshold combination
    (their suggested sensitivity reporting). Columns: base_size, run_length, threshold,
    saturated, point ("k+r" or None), k, codes_in_base, new_in_run, new_share."""
    rows = []
    for base in bases:
        for run in runs:
            for threshold in thresholds:
                result = guest_saturation(new_per_doc, int(base), int(run), float(threshold))
                rows.append({key: result.as_dict()[key] for key in SENSITIVITY_COLUMNS})
    return pd.DataFrame(rows, columns=SENSITIVITY_COLUMNS)


def guest_point_distribution(random_new: np.ndarray, base: int = 4, run: int = 2,
                             threshold: float = 0.05,
                             quantiles: tuple[float, float] = (0.025, 0.975)) -> dict[str, Any]:
    """Distribution of the Guest et al. (2020) saturation point over random document orders.

    ``random_new`` is orders × positions of new codes per document (see
    :func:`permutation_new_codes`), the orders the accumulation band uses; this is the
    bootstrap idea of Guest et al.: how much the point depends on the order of collection.
    The point of one order is k + r, the documents needed. Orders that never reach the
    threshold count as "not reached" (larger than any point), so a quantile that falls among
    them is None. Returns orders, saturated_orders, median, low, high (documents).
    """
    _check_guest(base, run, threshold)
    counts = np.asarray(random_new, dtype=np.int64)
    n_orders, n_docs = counts.shape
    documents_needed = np.full(n_orders, np.inf)
    if n_docs >= base + run:
        cumulative = np.concatenate([np.zeros((n_orders, 1), np.int64), counts.cumsum(axis=1)],
                                    axis=1)
        in_base = cumulative[:, base][:, None]
        before = np.arange(base, n_docs - run + 1)
        in_run = cumulative[:, before + run] - cumulative[:, before]
        with np.errstate(divide="ignore", invalid="ignore"):
            within = (in_base > 0) & (in_run <= (threshold + _SHARE_TOLERANCE) * in_base)
        hit = within.any(axis=1)
        documents_needed[hit] = before[within[hit].argmax(axis=1)] + run
    low, median, high = np.quantile(documents_needed, [quantiles[0], 0.5, quantiles[1]],
                                    method="inverted_cdf")

    def finite_int(value: float) -> int | None:
        return int(value) if np.isfinite(value) else None

    return {"orders": int(n_orders), "saturated_orders": int(np.isfinite(documents_needed).sum()),
            "median": finite_int(median), "low": finite_int(low), "high": finite_int(high),
            "quantiles": list(quantiles)}


def francis_stopping(new_per_doc: Sequence[int], initial: int = 10, stop: int = 3) -> int | None:
    """Francis et al. (2010) stopping rule: the interview number at which saturation is declared.

    After an initial analysis sample of ``initial`` interviews, saturation is declared at the
    first interview that completes ``stop`` consecutive interviews, all after the initial
    sample, that add no new code ("10+3": at interview 13 at the earliest). None if never.
    """
    counts = _new_counts(new_per_doc)
    if initial < 0 or stop < 1:
        raise ValueError("the Francis rule needs initial >= 0 and stop >= 1")
    quiet = 0
    for number, new in enumerate(counts[initial:], start=initial + 1):
        quiet = quiet + 1 if new == 0 else 0
        if quiet == stop:
            return number
    return None


# --------------------------------------------------------------------------------------------
# Richness estimate
# --------------------------------------------------------------------------------------------

def _chao2_variance(s_obs: int, q1: int, q2: int, m: int, estimate: float) -> float:
    """Variance of Chao2 as vegan's ``specpool`` computes it (small-sample factor ssc).

    q2 > 0 (Chao 1987 with ssc = (m-1)/m, a = q1/q2):
        var = q2 ssc (1/2 + ssc (1 + a/4) a) a^2  =  q2 [ssc a^2/2 + ssc^2 a^3 + ssc^2 a^4/4]
    q2 == 0 (the bias-corrected form's variance):
        var = ssc (ssc (q1 (2 q1 - 1)^2 / 4 - q1^4 / (4 chao2)) + q1 (q1 - 1) / 2)
    """
    ssc = (m - 1) / m
    if q2 > 0:
        a = q1 / q2
        return q2 * ssc * (0.5 + ssc * (1 + a / 4) * a) * a * a
    if estimate == 0:
        return 0.0
    return ssc * (ssc * (q1 * (2 * q1 - 1) ** 2 / 4 - q1 ** 4 / estimate / 4) + q1 * (q1 - 1) / 2)


def _chao_log_normal_interval(s_obs: int, estimate: float, variance: float,
                              z: float = 1.959963984540054) -> tuple[float, float]:
    """Chao's (1987) log-normal 95 % interval: with T = chao2 - S_obs and
    K = exp(z sqrt(log(1 + var / T^2))), the interval is [S_obs + T/K, S_obs + T K]; its lower
    end is never below S_obs. With T = 0 (no uniques) it is the point [S_obs, S_obs]."""
    unseen = estimate - s_obs
    if unseen <= 0:
        return float(s_obs), float(s_obs)
    k = math.exp(z * math.sqrt(math.log1p(max(variance, 0.0) / unseen ** 2)))
    return s_obs + unseen / k, s_obs + unseen * k


def chao2(incidence: Any) -> dict[str, Any]:
    """Chao2 (incidence) richness estimate with its standard error, 95 % interval and sample
    coverage, for documents × codes 0/1 data.

    With m documents, S_obs codes seen, q1 codes seen in exactly one document (uniques) and
    q2 in exactly two (duplicates), as vegan's ``specpool`` (Chao 1987; Colwell & Coddington
    1994; small-sample factor (m-1)/m after Chiu et al. 2014):

    * q2 > 0:  chao2 = S_obs + (m-1)/m * q1^2 / (2 q2)            (classic form)
    * q2 == 0: chao2 = S_obs + (m-1)/m * q1 (q1 - 1) / 2          (bias-corrected form)

    ``se`` is the square root of specpool's variance (see :func:`_chao2_variance`);
    ``ci_low``/``ci_high`` Chao's (1987) log-normal 95 % interval. Sample coverage (Chao &
    Jost 2012, incidence form, as iNEXT): with U total incidences, coverage = 1 - q1/U *
    (m-1) q1 / ((m-1) q1 + 2 q2) when q2 > 0, and 1 - q1/U * (m-1)(q1-1) / ((m-1)(q1-1) + 2)
    when q2 == 0; NaN when nothing was seen. With fewer than two documents no code can be
    seen twice, so estimate, se, interval and coverage are undefined (NaN, form "undefined").
    Returns s_obs, q1, q2, m, chao2, se, ci_low, ci_high, form, coverage, u.
    """
    present = _presence(incidence)
    m = present.shape[0]
    if m == 0:
        raise ValueError("Chao2 needs at least one document")
    frequency = present.sum(axis=0)
    s_obs = int((frequency > 0).sum())
    q1, q2 = int((frequency == 1).sum()), int((frequency == 2).sum())
    u = int(frequency.sum())
    result = {"s_obs": s_obs, "q1": q1, "q2": q2, "m": m, "chao2": float("nan"),
              "se": float("nan"), "ci_low": float("nan"), "ci_high": float("nan"),
              "form": "undefined", "coverage": float("nan"), "u": u}
    if m < 2:
        return result
    small_sample = (m - 1) / m
    if q2 > 0:
        form, unseen = "classic", small_sample * q1 * q1 / (2 * q2)
        weight = (m - 1) * q1 / ((m - 1) * q1 + 2 * q2)
    else:
        form, unseen = "bias-corrected", small_sample * q1 * (q1 - 1) / 2
        denominator = (m - 1) * (q1 - 1) + 2
        weight = (m - 1) * (q1 - 1) / denominator if q1 > 0 else 1.0
    estimate = s_obs + unseen
    variance = _chao2_variance(s_obs, q1, q2, m, estimate)
    low, high = _chao_log_normal_interval(s_obs, estimate, variance)
    result.update(chao2=estimate, se=math.sqrt(max(variance, 0.0)), ci_low=low, ci_high=high,
                  form=form, coverage=1 - q1 / u * weight if u else float("nan"))
    return result


# --------------------------------------------------------------------------------------------
# Holdout
# --------------------------------------------------------------------------------------------

def choose_holdout(doc_order: Sequence[str], fraction: float | None = None,
                   ids: Sequence[str] | None = None) -> list[str]:
    """The held-out documents, from config: the LAST ``fraction`` of the collection order
    (rounded up, at least one, leaving at least one document in), or the listed ``ids``
    (returned in collection order). Exactly one of the two must be given."""
    doc_order = list(doc_order)
    if (fraction is None) == (ids is None):
        raise ConfigError("saturation.holdout", "give exactly one of fraction or ids")
    if ids is not None:
        wanted = set(ids)
        unknown = sorted(wanted - set(doc_order), key=str)
        if unknown:
            raise ConfigError("saturation.holdout.ids", "id(s) not among the documents: "
                             + ", ".join(map(str, unknown)))
        return [d for d in doc_order if d in wanted]
    if not 0 < fraction < 1:
        raise ConfigError("saturation.holdout.fraction", f"must lie between 0 and 1, not {fraction}")
    if len(doc_order) < 2:
        raise ConfigError("saturation.holdout", "a holdout needs at least two documents")
    # Why the epsilon: 0.3 * 10 is 3.0000000000000004 in floating point, which is 3 documents.
    count = min(len(doc_order) - 1, max(1, math.ceil(fraction * len(doc_order) - 1e-9)))
    return doc_order[-count:]


def _node_occurrence(incidence_by_level: Mapping[str, pd.DataFrame],
                     docs: pd.Index) -> dict[str, np.ndarray]:
    """node id → boolean occurrence per document, across levels (ids must not repeat)."""
    occurrence: dict[str, np.ndarray] = {}
    for level, table in incidence_by_level.items():
        present = _presence(table.reindex(docs).fillna(0))
        for j, node in enumerate(table.columns):
            if node in occurrence:
                raise ValueError(f"code id {node!r} occurs at more than one level "
                                 f"(again at {level!r}); edges cannot be resolved")
            occurrence[node] = present[:, j]
    return occurrence


def _holdout_documents(incidence_by_level: Mapping[str, pd.DataFrame],
                       holdout_ids: Sequence[str]) -> tuple[pd.Index, list[str]]:
    """Every document of the incidence tables, and the held-out ids (deduplicated, in order),
    which must all be among them."""
    docs = pd.Index([])
    for table in incidence_by_level.values():
        docs = docs.append(pd.Index(table.index)).drop_duplicates()
    holdout = list(dict.fromkeys(holdout_ids))
    unknown = sorted(set(holdout) - set(docs), key=str)
    if unknown:
        raise ConfigError("saturation.holdout.ids", "id(s) not among the documents: "
                         + ", ".join(map(str, unknown)))
    return docs, holdout


def holdout_test(incidence_by_level: Mapping[str, pd.DataFrame], holdout_ids: Sequence[str],
                 edges: Sequence[tuple[str, str]] | None = None) -> pd.DataFrame:
    """Codes, per level, and model edges that occur ONLY in held-out documents.

    ``incidence_by_level`` maps a level name (e.g. concept, category, main_category) to its
    documents × codes 0/1 table (see :func:`incidence_matrix`); all share one set of
    documents. An edge (from, to) — node ids at any level — occurs in a document when both
    ends occur in it; a node that no table lists occurs nowhere. An empty result supports
    saturation: the held-out documents brought nothing new.

    Columns: level ("edge" for edges), id ("from->to" for edges), n_holdout_docs,
    holdout_docs ("; "-joined). Rows follow the level order given, edges last, ids sorted.
    """
    if not incidence_by_level:
        raise ValueError("the holdout test needs at least one incidence table")
    docs, holdout = _holdout_documents(incidence_by_level, holdout_ids)
    is_holdout = docs.isin(holdout)
    doc_names = np.asarray(docs, dtype=object)

    def only_in_holdout(level: str, item: str, occurs: np.ndarray) -> dict[str, Any] | None:
        if occurs[~is_holdout].any() or not occurs[is_holdout].any():
            return None
        where = doc_names[occurs & is_holdout]
        return {"level": level, "id": item, "n_holdout_docs": int(where.size),
                "holdout_docs": "; ".join(map(str, where))}

    rows: list[dict[str, Any]] = []
    for level, table in incidence_by_level.items():
        present = _presence(table.reindex(docs).fillna(0))
        found = (only_in_holdout(level, str(code), present[:, j])
                 for j, code in enumerate(table.columns))
        rows.extend(sorted((r for r in found if r), key=lambda r: r["id"]))
    if edges:
        occurrence = _node_occurrence(incidence_by_level, docs)
        nowhere = np.zeros(len(docs), dtype=bool)
        found = (only_in_holdout(EDGE_LEVEL, edge_id(a, b),
                                 occurrence.get(a, nowhere) & occurrence.get(b, nowhere))
                 for a, b in dict.fromkeys(map(tuple, edges)))
        rows.extend(sorted((r for r in found if r), key=lambda r: r["id"]))
    return pd.DataFrame(rows, columns=HOLDOUT_COLUMNS)


REFERENCE_COLUMNS = ["level", "n_items", "n_holdout_docs", "observed", "random_mean",
                     "share_random_le_observed", "random_holdouts"]


def _occurrence_by_level(incidence_by_level: Mapping[str, pd.DataFrame], docs: pd.Index,
                         edges: Sequence[tuple[str, str]] | None) -> dict[str, np.ndarray]:
    """level → documents × items boolean occurrence, edges last (both ends in a document)."""
    tables = {level: _presence(table.reindex(docs).fillna(0))
              for level, table in incidence_by_level.items()}
    if edges:
        occurrence = _node_occurrence(incidence_by_level, docs)
        nowhere = np.zeros(len(docs), dtype=bool)
        pairs = list(dict.fromkeys(map(tuple, edges)))
        tables[EDGE_LEVEL] = np.column_stack(
            [occurrence.get(a, nowhere) & occurrence.get(b, nowhere) for a, b in pairs]
        ).reshape(len(docs), len(pairs))
    return tables


def _only_in(members: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Per holdout (rows of ``members``, holdouts × documents), how many items occur in its
    documents and nowhere else."""
    frequency = present.sum(axis=0)
    inside = members.astype(np.float32) @ present.astype(np.float32)
    return ((inside == frequency) & (frequency > 0)).sum(axis=1)


def holdout_reference(incidence_by_level: Mapping[str, pd.DataFrame], holdout_ids: Sequence[str],
                      edges: Sequence[tuple[str, str]] | None = None, n_random: int = 1000,
                      seed: int = 0) -> pd.DataFrame:
    """The holdout test with a chance reference: codes (per level) and model edges found ONLY
    in the held-out documents, against the same count for random holdouts of the same size.

    ``n_random`` holdouts of ``len(holdout_ids)`` documents are drawn without replacement
    with ``numpy.random.Generator(PCG64(seed))``. Per level: n_items (codes or edges that
    occur anywhere), n_holdout_docs, observed (as :func:`holdout_test` lists them),
    random_mean, share_random_le_observed (one-sided: the share of random holdouts whose count
    is <= the observed one; small means the held-out documents brought fewer new items than
    chance, which supports saturation) and random_holdouts. Levels in the given order, then
    "edge" when edges are given.
    """
    if not incidence_by_level:
        raise ValueError("the holdout test needs at least one incidence table")
    if int(n_random) < 1:
        raise ConfigError("saturation.holdout.random_holdouts", "the holdout reference needs at least one random holdout")
    docs, holdout = _holdout_documents(incidence_by_level, holdout_ids)
    size = len(holdout)
    observed_members = docs.isin(holdout)[None, :]
    rng = np.random.Generator(np.random.PCG64(seed))
    random_members = _random_ranks(len(docs), int(n_random), rng) < size
    rows = []
    for level, present in _occurrence_by_level(incidence_by_level, docs, edges).items():
        observed = int(_only_in(observed_members, present)[0])
        chance = _only_in(random_members, present)
        rows.append({"level": level, "n_items": int(present.any(axis=0).sum()),
                     "n_holdout_docs": size, "observed": observed,
                     "random_mean": float(chance.mean()),
                     "share_random_le_observed": float((chance <= observed).mean()),
                     "random_holdouts": int(n_random)})
    return pd.DataFrame(rows, columns=REFERENCE_COLUMNS)
