"""Inter-coder agreement: the standard coefficients, and per-concept tables for a study.

Coefficient functions (pure, array in, number out):

* :func:`percent_agreement`, :func:`cohen_kappa` — two coders' labels per unit.
* :func:`fleiss_kappa` — a units × categories count table (Fleiss 1971).
* :func:`gwet_ac1` — Gwet's AC1, coders × units, NaN = missing, any number of coders and
  categories (Gwet 2008; Handbook of Inter-Rater Reliability, 2014).
* :func:`krippendorff_alpha` — coders × units, NaN = missing, any number of coders, levels
  nominal / ordinal / interval / ratio (Krippendorff 2011), computed by the ``krippendorff``
  package, which the tests prove on Krippendorff's own worked examples.
* :func:`bootstrap_alpha_ci` — a seeded percentile bootstrap over units.

Table functions (pandas in, pandas out) on the project's data contracts:

* :func:`concept_agreement` — one row per concept plus a pooled ``__overall__`` row, on the
  segments of documents the coders reviewed (:mod:`gtflow.coding.coverage`).
* :func:`disagreements` — the segments where coders' concept sets differ, for adjudication.

Undefined coefficients are returned as NaN, never as a made-up number: a chance-corrected
coefficient has nothing to correct when every value is the same (expected disagreement 0).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import krippendorff
import numpy as np
import pandas as pd

from gtflow.coding.coverage import reviewed_documents
from gtflow.contracts import TABLES
from gtflow.errors import ConfigError, InputError

LEVELS = ("nominal", "ordinal", "interval", "ratio")
OVERALL = "__overall__"
AGREEMENT_COLUMNS = [
    "concept_id", "n_units", "n_positive_units", "positive_agreement", "cohen_kappa",
    "gwet_ac1", "ac1_ci_low", "ac1_ci_high", "krippendorff_alpha", "alpha_ci_low",
    "alpha_ci_high", "ci_resamples", "alpha_ci_usable", "enough_positive",
]
SEGMENT_KEY = ["doc_id", "seg_id"]


# --------------------------------------------------------------------------------------------
# Coefficients on plain arrays
# --------------------------------------------------------------------------------------------

def _is_missing(value: Any) -> bool:
    """None and float NaN mean 'this coder gave no value for this unit'."""
    return value is None or (isinstance(value, float) and np.isnan(value))


def _paired_labels(a: Sequence[Any], b: Sequence[Any]) -> tuple[list[Any], list[Any]]:
    """Keep the units both coders labelled; the two sequences must be equally long."""
    a, b = list(a), list(b)
    if len(a) != len(b):
        raise ValueError(f"the two coders label a different number of units "
                         f"({len(a)} and {len(b)}); give one label per unit for each coder")
    kept = [(x, y) for x, y in zip(a, b) if not (_is_missing(x) or _is_missing(y))]
    return [x for x, _ in kept], [y for _, y in kept]


def percent_agreement(a: Sequence[Any], b: Sequence[Any]) -> float:
    """Share of units on which two coders gave the same label (units either left blank are
    skipped). NaN when no unit was labelled by both."""
    a, b = _paired_labels(a, b)
    if not a:
        return float("nan")
    return sum(x == y for x, y in zip(a, b)) / len(a)


def cohen_kappa(a: Sequence[Any], b: Sequence[Any]) -> float:
    """Cohen's (1960) kappa for two coders: (p_o - p_e) / (1 - p_e).

    p_e uses each coder's own marginal distribution. Units either coder left blank are
    skipped. NaN when no unit is shared or when p_e == 1 (both coders used one and the same
    category throughout, so there is no chance agreement to correct for).
    """
    a, b = _paired_labels(a, b)
    n = len(a)
    categories = sorted(set(a) | set(b), key=repr)
    # Why count categories: p_e == 1 exactly when a single category occurs; a float test
    # (np.isclose) also fires for one rare agreed positive among 400,000 units.
    if n == 0 or len(categories) < 2:
        return float("nan")
    index = {c: i for i, c in enumerate(categories)}
    table = np.zeros((len(categories), len(categories)), dtype=np.int64)
    np.add.at(table, ([index[x] for x in a], [index[y] for y in b]), 1)
    # kappa = (N*sum(n_kk) - sum(r_k c_k)) / (N^2 - sum(r_k c_k)), in exact integers.
    chance = int(table.sum(axis=1) @ table.sum(axis=0))
    return (n * int(np.trace(table)) - chance) / (n * n - chance)


def fleiss_kappa(table: Any) -> float:
    """Fleiss' (1971) kappa from a units × categories table of counts.

    Cell (i, j) is how many raters put unit i in category j; every unit must have the same
    number of raters (at least 2). NaN when the expected agreement is 1 (one category only).
    """
    counts = np.asarray(table, dtype=float)
    if counts.ndim != 2 or counts.shape[0] == 0 or counts.shape[1] == 0:
        raise ValueError("Fleiss' kappa needs a non-empty units × categories count table")
    if (counts < 0).any() or not np.allclose(counts, np.round(counts)):
        raise ValueError("Fleiss' kappa needs whole, non-negative rater counts")
    raters = counts.sum(axis=1)
    if not np.allclose(raters, raters[0]):
        raise ValueError("Fleiss' kappa needs the same number of raters for every unit; "
                         f"row totals range from {raters.min():g} to {raters.max():g}")
    n = raters[0]
    if n < 2:
        raise ValueError("Fleiss' kappa needs at least two raters per unit")
    per_unit = ((counts ** 2).sum(axis=1) - n) / (n * (n - 1))
    p_bar = per_unit.mean()
    category_share = counts.sum(axis=0) / counts.sum()
    p_expected = float((category_share ** 2).sum())
    if (counts.sum(axis=0) > 0).sum() < 2:     # one category used: p_e == 1 exactly
        return float("nan")
    return float((p_bar - p_expected) / (1 - p_expected))


def _reliability_matrix(data: Any) -> np.ndarray:
    """coders × units as float, NaN for missing; rejects anything else."""
    try:
        matrix = np.asarray(data, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError("reliability data must be numbers (codes) with NaN for "
                         f"missing values: {exc}") from exc
    if matrix.ndim != 2:
        raise ValueError("reliability data must be a coders × units table")
    return matrix


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise ValueError(f"unknown level of measurement {level!r}; use one of "
                         + ", ".join(LEVELS))


def krippendorff_alpha(data: Any, level: str = "nominal") -> float:
    """Krippendorff's alpha for coders × units reliability data (NaN = missing value).

    Any number of coders; units coded by fewer than two coders do not count. Levels follow
    Krippendorff (2011): nominal, ordinal, interval, ratio. Computed by the ``krippendorff``
    package. Returns NaN when alpha is undefined: no unit has two values, or all pairable
    values are identical (expected disagreement is 0).
    """
    _check_level(level)
    matrix = _reliability_matrix(data)
    if matrix.size == 0:
        return float("nan")
    pairable = (~np.isnan(matrix)).sum(axis=0) >= 2
    values = matrix[:, pairable]
    values = values[~np.isnan(values)]
    # Why: alpha = 1 - Do/De is 0/0 when the pairable values do not vary.
    if values.size == 0 or np.unique(values).size < 2:
        return float("nan")
    return float(krippendorff.alpha(reliability_data=matrix, level_of_measurement=level))


def gwet_ac1(data: Any, categories: Sequence[float] | None = None) -> float:
    """Gwet's (2008) AC1 for coders × units reliability data (NaN = missing value).

    Gwet, *Handbook of Inter-Rater Reliability* (4th ed., 2014), ch. 4, unweighted AC1 for
    any number of raters with missing ratings. With r_i raters on unit i, r_ik of them in
    category k, and q categories:

    * p_a = mean over units with r_i >= 2 of sum_k r_ik (r_ik - 1) / (r_i (r_i - 1));
    * pi_k = mean over units with r_i >= 1 of r_ik / r_i;
    * p_e = sum_k pi_k (1 - pi_k) / (q - 1);   AC1 = (p_a - p_e) / (1 - p_e).

    ``categories`` is the rating scale (q = its length); by default the values that occur.
    Give it when a category may go unused, e.g. ``[0, 1]`` for a code nobody applied: AC1 is
    then 1 when everyone agreed. NaN when no unit has two ratings or q < 2.
    """
    matrix = _reliability_matrix(data)
    observed = np.unique(matrix[~np.isnan(matrix)])
    scale = observed if categories is None else np.asarray(list(categories), dtype=float)
    unknown = np.setdiff1d(observed, scale)
    if unknown.size:
        raise ValueError("ratings outside the given categories: "
                         + ", ".join(f"{v:g}" for v in unknown))
    if scale.size < 2:
        return float("nan")
    counts = np.stack([(matrix == value).sum(axis=0) for value in scale], axis=1)  # units × q
    raters = counts.sum(axis=1)
    rated, pairable = raters >= 1, raters >= 2
    if not pairable.any():
        return float("nan")
    pairs = counts[pairable]
    r = raters[pairable]
    p_a = float(np.mean((pairs * (pairs - 1)).sum(axis=1) / (r * (r - 1))))
    pi = (counts[rated] / raters[rated, None]).mean(axis=0)
    p_e = float((pi * (1 - pi)).sum() / (scale.size - 1))
    return (p_a - p_e) / (1 - p_e)


def _bootstrap_index_chunks(n_units: int, n_boot: int, seed: int) -> Iterator[np.ndarray]:
    """Bootstrap resamples of unit indices, a block of replicates at a time (rows = replicates).

    The one place the bootstrap draws random numbers: ``Generator(PCG64(seed))``, blocks of
    ~4 M indices whose size depends only on (n_units, n_boot), so every caller sees the same
    resamples for the same seed.
    """
    rng = np.random.Generator(np.random.PCG64(seed))
    block = max(1, 4_000_000 // max(1, n_units))
    for start in range(0, n_boot, block):
        yield rng.integers(0, n_units, size=(min(block, n_boot - start), n_units))


def _percentile_interval(replicates: np.ndarray, ci: float) -> tuple[float, float, int]:
    """Percentile interval over the defined replicates, and how many were defined (usable).

    Replicates where the coefficient is undefined (NaN) are left out; (NaN, NaN, 0) when
    none is defined."""
    defined = replicates[~np.isnan(replicates)]
    if defined.size == 0:
        return float("nan"), float("nan"), 0
    tail = (1 - ci) / 2
    low, high = np.quantile(defined, [tail, 1 - tail])
    return float(low), float(high), int(defined.size)


def _check_bootstrap(n_boot: int, ci: float) -> None:
    if int(n_boot) < 1:
        raise ValueError("the bootstrap needs at least one replicate (n_boot >= 1)")
    if not 0 < ci < 1:
        raise ValueError(f"the confidence level must lie between 0 and 1, not {ci}")


def bootstrap_alpha_ci(data: Any, level: str = "nominal", n_boot: int = 1000, seed: int = 0,
                       ci: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval for Krippendorff's alpha, resampling units (columns).

    Deterministic: the resamples come from ``Generator(PCG64(seed))`` (see
    ``_bootstrap_index_chunks``). Replicates where alpha is undefined (e.g. a resample with a
    single value) are left out; (NaN, NaN) when none is defined.
    """
    _check_level(level)
    _check_bootstrap(n_boot, ci)
    matrix = _reliability_matrix(data)
    n_units = matrix.shape[1]
    if n_units == 0:
        return float("nan"), float("nan")
    replicates = np.array([krippendorff_alpha(matrix[:, row], level)
                           for block in _bootstrap_index_chunks(n_units, int(n_boot), seed)
                           for row in block])
    low, high, _ = _percentile_interval(replicates, ci)
    return low, high


# --------------------------------------------------------------------------------------------
# Binary (applied / not applied) data, vectorised for many codes at once
# --------------------------------------------------------------------------------------------

class _UnitSums:
    """Per-unit sums from which every binary coefficient follows, for codes × units.

    With m coders who reviewed a unit and k of them applying the code: ``m``, ``ones`` = k,
    ``pairs_mixed`` = k(m-k)/(m-1) (Krippendorff's o01 contribution), ``pairs_agree`` =
    [k(k-1) + (m-k)(m-k-1)] / (m(m-1)) (Gwet's per-unit agreement), ``share`` = k/m,
    ``pos_pairs`` = k(k-1) and ``pos_any`` = k(m-1) (specific positive agreement), and
    ``units`` = 1. Coefficients are ratios of (weighted) sums of these over units, so a
    bootstrap resample is a weight vector, and the pooled row is the sum over codes.
    """

    NAMES = ("units", "m", "ones", "pairs_mixed", "pairs_agree", "share", "pos_pairs", "pos_any")

    def __init__(self, ones: np.ndarray, m: np.ndarray):
        k = ones.astype(float)
        m = np.broadcast_to(m.astype(float), k.shape)
        self.values = {
            "units": np.ones_like(k), "m": m, "ones": k,
            "pairs_mixed": k * (m - k) / (m - 1),
            "pairs_agree": (k * (k - 1) + (m - k) * (m - k - 1)) / (m * (m - 1)),
            "share": k / m, "pos_pairs": k * (k - 1), "pos_any": k * (m - 1),
        }

    def totals(self, weights: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """Each sum over units per code (shape: codes), or weights @ values (replicates ×
        codes) when bootstrap weights (replicates × units) are given."""
        return {name: value.sum(axis=1) if weights is None else weights @ value.T
                for name, value in self.values.items()}


def _pooled(totals: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The totals of all (code, unit) pairs: per-code totals summed over codes."""
    return {name: value.sum(axis=-1, keepdims=True) for name, value in totals.items()}


def _alpha_from(t: dict[str, np.ndarray]) -> np.ndarray:
    """Nominal alpha for binary data (Krippendorff 2011): 1 - (n-1) o01 / (n0 n1)."""
    n, n1 = t["m"], t["ones"]
    n0 = n - n1
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1 - (n - 1) * t["pairs_mixed"] / (n0 * n1)
    return np.where(n0 * n1 > 0, alpha, np.nan)


def _ac1_from(t: dict[str, np.ndarray]) -> np.ndarray:
    """Gwet's AC1 for binary data (q = 2): p_e = 2 pi (1 - pi) <= 1/2, so always defined."""
    with np.errstate(divide="ignore", invalid="ignore"):
        p_a, pi = t["pairs_agree"] / t["units"], t["share"] / t["units"]
    p_e = 2 * pi * (1 - pi)
    return (p_a - p_e) / (1 - p_e)


def _positive_agreement_from(t: dict[str, np.ndarray]) -> np.ndarray:
    """Specific positive agreement sum k(k-1) / sum k(m-1); for two coders 2 n11 / (2 n11 +
    n10 + n01). NaN when no coder applied the code."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(t["pos_any"] > 0, t["pos_pairs"] / t["pos_any"], np.nan)


def _binary_kappa(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Cohen's kappa per row for two coders' 0/1 values (rows = codes, columns = units).

    2 (n11 n00 - n10 n01) / ((n11 + n10)(n10 + n00) + (n11 + n01)(n01 + n00)), in integers:
    NaN exactly when one category was used throughout (the denominator is then 0)."""
    first, second = first.astype(np.int64), second.astype(np.int64)
    n11 = (first & second).sum(axis=1)
    n10 = (first & (1 - second)).sum(axis=1)
    n01 = ((1 - first) & second).sum(axis=1)
    n00 = first.shape[1] - n11 - n10 - n01
    numerator = 2 * (n11 * n00 - n10 * n01)
    denominator = (n11 + n10) * (n10 + n00) + (n11 + n01) * (n01 + n00)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1),
                        np.nan)


def _intervals(replicates: np.ndarray, ci: float) -> np.ndarray:
    """(low, high, usable) per column of a replicates × codes array."""
    return np.array([_percentile_interval(replicates[:, k], ci)
                     for k in range(replicates.shape[1])])


def _binary_agreement(values: np.ndarray, reviewed: np.ndarray, n_boot: int, seed: int,
                      ci: float) -> pd.DataFrame:
    """Agreement per code, plus the pooled row, for coders × codes × units 0/1 data.

    ``reviewed`` (coders × units) says which coder reviewed which unit; every unit has at
    least two reviewers. A coder's values on units they did not review are ignored (missing).
    Each code's bootstrap uses the same unit resamples as :func:`bootstrap_alpha_ci`; the
    pooled row resamples the same units, each with all its codes.
    """
    n_coders, n_codes, n_units = values.shape
    values = values * reviewed[:, None, :]
    m = reviewed.sum(axis=0)
    sums = _UnitSums(values.sum(axis=0), m[None, :])
    per_code = sums.totals()
    pooled = _pooled(per_code)

    alpha = np.r_[_alpha_from(per_code), _alpha_from(pooled)]
    ac1 = np.r_[_ac1_from(per_code), _ac1_from(pooled)]
    replicates_alpha, replicates_ac1 = [], []
    for block in _bootstrap_index_chunks(n_units, n_boot, seed):
        offsets = (np.arange(len(block))[:, None] * n_units + block).ravel()
        weights = np.bincount(offsets, minlength=block.size).reshape(len(block), n_units)
        resampled = sums.totals(weights.astype(float))
        resampled_pooled = _pooled(resampled)
        replicates_alpha.append(np.hstack([_alpha_from(resampled),
                                           _alpha_from(resampled_pooled)]))
        replicates_ac1.append(np.hstack([_ac1_from(resampled), _ac1_from(resampled_pooled)]))
    alpha_ci = _intervals(np.vstack(replicates_alpha), ci)
    ac1_ci = _intervals(np.vstack(replicates_ac1), ci)

    if n_coders == 2:
        kappa = _binary_kappa(values[0], values[1])
        pooled_kappa = _binary_kappa(values[0].reshape(1, -1), values[1].reshape(1, -1))[0]
    else:
        kappa, pooled_kappa = np.full(n_codes, np.nan), np.nan
    positive = sums.values["ones"] > 0
    return pd.DataFrame({
        "n_units": np.r_[np.full(n_codes, n_units), n_units * n_codes].astype(np.int64),
        "n_positive_units": np.r_[positive.sum(axis=1), positive.sum()].astype(np.int64),
        "positive_agreement": np.r_[_positive_agreement_from(per_code),
                                    _positive_agreement_from(pooled)],
        "cohen_kappa": np.r_[kappa, pooled_kappa],
        "gwet_ac1": ac1,
        "ac1_ci_low": ac1_ci[:, 0],
        "ac1_ci_high": ac1_ci[:, 1],
        "krippendorff_alpha": alpha,
        "alpha_ci_low": alpha_ci[:, 0],
        "alpha_ci_high": alpha_ci[:, 1],
        "ci_resamples": np.full(n_codes + 1, n_boot, dtype=np.int64),
        "alpha_ci_usable": alpha_ci[:, 2].astype(np.int64),
    })


# --------------------------------------------------------------------------------------------
# Tables on the data contracts
# --------------------------------------------------------------------------------------------

def _require_columns(table: pd.DataFrame, name: str, columns: Iterable[str]) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise InputError(name, "missing column(s) " + ", ".join(missing))


def _check_coders(coders: Sequence[str]) -> list[str]:
    coders = list(dict.fromkeys(coders))
    if len(coders) < 2:
        raise InputError(TABLES["codings"].path, "agreement needs at least two different coders; got "
                                    + (", ".join(map(str, coders)) or "none"))
    return coders


def _unit_documents(coverage: Mapping[str, frozenset[str]], coders: list[str],
                    doc_ids: Sequence[str] | None) -> list[str]:
    """Documents whose segments are units: reviewed by at least two of the coders (and among
    ``doc_ids`` when given; each of those must have two reviewers)."""
    reviewers: dict[str, int] = {}
    for coder in coders:
        for doc in coverage.get(coder, frozenset()):
            reviewers[doc] = reviewers.get(doc, 0) + 1
    if doc_ids is None:
        return sorted(d for d, n in reviewers.items() if n >= 2)
    wanted = list(dict.fromkeys(map(str, doc_ids)))
    short = [d for d in wanted if reviewers.get(d, 0) < 2]
    if short:
        raise ConfigError("reliability.documents", "lists document(s) fewer than two of the "
                          "coders reviewed: " + ", ".join(short)
                          + " (declare what each coder reviewed in code.coverage)")
    return wanted


def _reliability_units(codings: pd.DataFrame, segments: pd.DataFrame, coders: list[str],
                       doc_ids: Sequence[str] | None,
                       coverage: Mapping[str, frozenset[str]] | None,
                       ) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """The units (segments), the listed coders' codings on them, and who reviewed each unit.

    Units are the segments of the documents that at least two listed coders reviewed
    (``coverage``, by default :func:`gtflow.coding.coverage.reviewed_documents` of the
    codings), restricted to ``doc_ids`` when given. ``reviewed[c, u]`` is True when coder c
    reviewed unit u's document.
    """
    _require_columns(segments, "segments", ["doc_id", "seg_id", "start", "text"])
    _require_columns(codings, "codings", ["doc_id", "seg_id", "concept_id", "coder"])
    ours = codings[codings["coder"].isin(coders)]
    if coverage is None:
        coverage = reviewed_documents(ours)
    absent = [c for c in coders if not coverage.get(c)]
    if absent:
        raise InputError(TABLES["codings"].path, "no reviewed documents for coder(s) " + ", ".join(absent)
                         + "; check the coder ids in the config or declare code.coverage")
    unit_docs = _unit_documents(coverage, coders, doc_ids)
    unknown = sorted(set(unit_docs) - set(segments["doc_id"]))
    if unknown:
        raise InputError(TABLES["segments"].path, "document(s) not found in the segments: "
                         + ", ".join(map(str, unknown)))
    units = segments[segments["doc_id"].isin(unit_docs)]
    duplicated = units.duplicated(SEGMENT_KEY)
    if duplicated.any():
        row = units[duplicated].iloc[0]
        raise InputError(TABLES["segments"].path, f"segment {row['seg_id']!r} of document {row['doc_id']!r} "
                                     "occurs more than once")
    units = units.sort_values(["doc_id", "start", "seg_id"], kind="mergesort")
    units = units.reset_index(drop=True)
    ours = ours[ours["doc_id"].isin(unit_docs)]
    known = pd.MultiIndex.from_frame(units[SEGMENT_KEY])
    stray = ~pd.MultiIndex.from_frame(ours[SEGMENT_KEY]).isin(known)
    if stray.any():
        row = ours[stray].iloc[0]
        raise InputError(TABLES["codings"].path, f"coding of segment {row['seg_id']!r} in document "
                                    f"{row['doc_id']!r} does not match any segment",
                         record=str(ours.index[stray][0]))
    reviewed = np.array([units["doc_id"].isin(coverage.get(c, frozenset())).to_numpy()
                         for c in coders]).reshape(len(coders), len(units))
    return units, ours, reviewed


def _mapped_concepts(codings: pd.DataFrame,
                     concept_level_map: Mapping[str, str] | None) -> pd.Series:
    """Each coding's concept id, or the code it maps to at another level of the hierarchy."""
    if concept_level_map is None:
        return codings["concept_id"]
    unmapped = sorted(set(codings["concept_id"]) - set(concept_level_map))
    if unmapped:
        raise InputError("config/codebook.yaml", "no parent code for concept(s) " + ", ".join(unmapped))
    return codings["concept_id"].map(concept_level_map)


def concept_agreement(codings: pd.DataFrame, segments: pd.DataFrame, coders: Sequence[str],
                      doc_ids: Sequence[str] | None = None, n_boot: int = 1000, seed: int = 0,
                      concept_level_map: Mapping[str, str] | None = None,
                      ci: float = 0.95, coverage: Mapping[str, frozenset[str]] | None = None,
                      min_positive_units: int = 0) -> pd.DataFrame:
    """Agreement per concept between the listed coders, plus a pooled ``__overall__`` row.

    Units are segments of the documents at least two listed coders reviewed (``coverage``:
    coder → reviewed documents, see :mod:`gtflow.coding.coverage`; by default the documents
    each coder coded), optionally restricted to ``doc_ids``. On a unit, a coder who reviewed
    its document has value 1 for a concept if they applied it to that segment, else 0 (a
    reviewed document without codings is all 0); a coder who did not review it has no value
    (missing, never 0). ``concept_level_map`` (concept_id → category or main-category id)
    measures agreement at that level: a coder "applies" category A1 to a segment when they
    applied any of its concepts there.

    Columns: concept_id; n_units; n_positive_units (units at least one coder marked);
    positive_agreement (specific positive agreement, 2 n11 / (2 n11 + n10 + n01) for two
    coders, sum k(k-1) / sum k(m-1) for more); cohen_kappa (exactly two coders, else NaN);
    gwet_ac1 with ac1_ci_low/high; krippendorff_alpha (nominal) with alpha_ci_low/high;
    ci_resamples (``n_boot``) and alpha_ci_usable (resamples in which alpha was defined); and
    enough_positive (n_positive_units >= ``min_positive_units``). Intervals are percentile
    bootstraps over units from ``Generator(PCG64(seed))``, the resamples
    :func:`bootstrap_alpha_ci` draws. Concepts no listed coder applied are omitted. Rows are
    sorted by concept_id; ``__overall__`` comes last and pools all concept × unit pairs; its
    bootstrap resamples segments, each with all its concepts, because the codes on one
    segment are not independent of each other.

    Degenerate cases: alpha and kappa are NaN when every value is the same (nothing to
    correct for); AC1 is always defined on binary data (chance agreement is at most 1/2).
    """
    coders = _check_coders(coders)
    units, ours, reviewed = _reliability_units(codings, segments, coders, doc_ids, coverage)
    ours = ours.assign(code=_mapped_concepts(ours, concept_level_map))
    codes = sorted(ours["code"].dropna().unique().tolist(), key=str)
    if units.empty or not codes:
        return pd.DataFrame(columns=AGREEMENT_COLUMNS)

    # values[c, k, u] = 1 when coder c applied code k to unit u.
    unit_index = pd.Series(np.arange(len(units)),
                           index=pd.MultiIndex.from_frame(units[SEGMENT_KEY]))
    coder_pos = {c: i for i, c in enumerate(coders)}
    code_pos = {k: i for i, k in enumerate(codes)}
    values = np.zeros((len(coders), len(codes), len(units)), dtype=np.int8)
    values[ours["coder"].map(coder_pos).to_numpy(),
           ours["code"].map(code_pos).to_numpy(),
           unit_index.loc[pd.MultiIndex.from_frame(ours[SEGMENT_KEY])].to_numpy()] = 1

    _check_bootstrap(n_boot, ci)
    result = _binary_agreement(values, reviewed, int(n_boot), seed, ci)
    result.insert(0, "concept_id", [*codes, OVERALL])
    result["enough_positive"] = result["n_positive_units"] >= int(min_positive_units)
    return result[AGREEMENT_COLUMNS]


NOT_REVIEWED = "(not reviewed)"


def disagreements(codings: pd.DataFrame, segments: pd.DataFrame, coders: Sequence[str],
                  doc_ids: Sequence[str] | None = None,
                  coverage: Mapping[str, frozenset[str]] | None = None) -> pd.DataFrame:
    """The segments on which the coders who reviewed them applied different sets of concepts.

    Same units as :func:`concept_agreement`. Columns: doc_id, seg_id, text, then one column
    per coder (named by the coder id) holding that coder's concept ids, sorted and joined by
    "; " (empty when the coder applied none, "(not reviewed)" when the coder did not review
    the document). Rows in document order (doc_id, start, seg_id).
    """
    coders = _check_coders(coders)
    units, ours, reviewed = _reliability_units(codings, segments, coders, doc_ids, coverage)
    columns = ["doc_id", "seg_id", "text", *coders]
    if units.empty:
        return pd.DataFrame(columns=columns)
    applied = (ours.groupby(["doc_id", "seg_id", "coder"])["concept_id"]
               .agg(lambda ids: "; ".join(sorted(set(map(str, ids))))))
    table = applied.unstack("coder").reindex(columns=coders)
    table = units[SEGMENT_KEY + ["text"]].merge(
        table.reset_index(), on=SEGMENT_KEY, how="left")
    table[coders] = table[coders].astype(object).fillna("")
    given = table[coders].where(reviewed.T)          # NaN where the coder did not review
    differs = given.nunique(axis=1, dropna=True) > 1
    table[coders] = given.fillna(NOT_REVIEWED)
    result = table.loc[differs, columns].reset_index(drop=True)
    result.columns.name = None
    return result
