"""Inter-coder agreement: the standard coefficients, and per-concept tables for a study.

Coefficient functions (pure, array in, number out):

* :func:`percent_agreement`, :func:`cohen_kappa` — two coders' labels per unit.
* :func:`fleiss_kappa` — a units × categories count table (Fleiss 1971).
* :func:`krippendorff_alpha` — coders × units, NaN = missing, any number of coders, levels
  nominal / ordinal / interval / ratio (Krippendorff 2011), computed by the ``krippendorff``
  package, which the tests prove on Krippendorff's own worked examples.
* :func:`bootstrap_alpha_ci` — a seeded percentile bootstrap over units.

Table functions (pandas in, pandas out) on the project's data contracts:

* :func:`concept_agreement` — one row per concept plus a pooled ``__overall__`` row.
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

from gtflow.errors import InputError

LEVELS = ("nominal", "ordinal", "interval", "ratio")
OVERALL = "__overall__"
AGREEMENT_COLUMNS = [
    "concept_id", "n_units", "n_units_coded", "percent_agreement", "cohen_kappa",
    "krippendorff_alpha", "alpha_ci_low", "alpha_ci_high",
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
        raise InputError(None, f"the two coders label a different number of units "
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
    if n == 0:
        return float("nan")
    categories = sorted(set(a) | set(b), key=repr)
    index = {c: i for i, c in enumerate(categories)}
    table = np.zeros((len(categories), len(categories)))
    np.add.at(table, ([index[x] for x in a], [index[y] for y in b]), 1)
    p_observed = np.trace(table) / n
    p_expected = float((table.sum(axis=1) / n) @ (table.sum(axis=0) / n))
    if np.isclose(p_expected, 1.0):
        return float("nan")
    return float((p_observed - p_expected) / (1 - p_expected))


def fleiss_kappa(table: Any) -> float:
    """Fleiss' (1971) kappa from a units × categories table of counts.

    Cell (i, j) is how many raters put unit i in category j; every unit must have the same
    number of raters (at least 2). NaN when the expected agreement is 1 (one category only).
    """
    counts = np.asarray(table, dtype=float)
    if counts.ndim != 2 or counts.shape[0] == 0 or counts.shape[1] == 0:
        raise InputError(None, "Fleiss' kappa needs a non-empty units × categories count table")
    if (counts < 0).any() or not np.allclose(counts, np.round(counts)):
        raise InputError(None, "Fleiss' kappa needs whole, non-negative rater counts")
    raters = counts.sum(axis=1)
    if not np.allclose(raters, raters[0]):
        raise InputError(None, "Fleiss' kappa needs the same number of raters for every unit; "
                               f"row totals range from {raters.min():g} to {raters.max():g}")
    n = raters[0]
    if n < 2:
        raise InputError(None, "Fleiss' kappa needs at least two raters per unit")
    per_unit = ((counts ** 2).sum(axis=1) - n) / (n * (n - 1))
    p_bar = per_unit.mean()
    category_share = counts.sum(axis=0) / counts.sum()
    p_expected = float((category_share ** 2).sum())
    if np.isclose(p_expected, 1.0):
        return float("nan")
    return float((p_bar - p_expected) / (1 - p_expected))


def _reliability_matrix(data: Any) -> np.ndarray:
    """coders × units as float, NaN for missing; rejects anything else."""
    try:
        matrix = np.asarray(data, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError(None, "reliability data must be numbers (codes) with NaN for "
                               f"missing values: {exc}") from exc
    if matrix.ndim != 2:
        raise InputError(None, "reliability data must be a coders × units table")
    return matrix


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise InputError(None, f"unknown level of measurement {level!r}; use one of "
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


def _percentile_interval(replicates: np.ndarray, ci: float) -> tuple[float, float]:
    """Percentile interval over the defined replicates (NaN replicates are left out)."""
    defined = replicates[~np.isnan(replicates)]
    if defined.size == 0:
        return float("nan"), float("nan")
    tail = (1 - ci) / 2
    low, high = np.quantile(defined, [tail, 1 - tail])
    return float(low), float(high)


def _check_bootstrap(n_boot: int, ci: float) -> None:
    if int(n_boot) < 1:
        raise InputError(None, "the bootstrap needs at least one replicate (n_boot >= 1)")
    if not 0 < ci < 1:
        raise InputError(None, f"the confidence level must lie between 0 and 1, not {ci}")


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
    return _percentile_interval(replicates, ci)


# --------------------------------------------------------------------------------------------
# Binary (applied / not applied) data, vectorised for many concepts at once
# --------------------------------------------------------------------------------------------

def _binary_alpha(ones: np.ndarray, mixed: np.ndarray, n_values: float, n_coders: int) -> Any:
    """Nominal alpha for complete binary data from per-unit sums (Krippendorff 2011, sec. A/C).

    ``ones`` = number of 1-values, ``mixed`` = sum over units of k(m-k) with k ones among m
    coders. With o01 = mixed/(m-1): alpha = 1 - (n-1) o01 / (n0 n1). Broadcasts over arrays.
    """
    zeros = n_values - ones
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1 - (n_values - 1) * (mixed / (n_coders - 1)) / (zeros * ones)
    return np.where(zeros * ones > 0, alpha, np.nan)


def _binary_kappa(values: np.ndarray) -> np.ndarray:
    """Cohen's kappa per concept for two coders' 0/1 values (2 × concepts × units)."""
    first, second = values[0].astype(float), values[1].astype(float)
    observed = (first == second).mean(axis=1)
    p_first, p_second = first.mean(axis=1), second.mean(axis=1)
    expected = p_first * p_second + (1 - p_first) * (1 - p_second)
    with np.errstate(divide="ignore", invalid="ignore"):
        kappa = (observed - expected) / (1 - expected)
    return np.where(np.isclose(expected, 1.0), np.nan, kappa)


def _binary_agreement(values: np.ndarray, n_boot: int, seed: int, ci: float) -> pd.DataFrame:
    """Agreement per concept, plus the pooled row, for coders × concepts × units 0/1 data.

    Each concept's bootstrap uses the same unit resamples as :func:`bootstrap_alpha_ci`; the
    pooled row resamples the same units, each with all its concepts.
    """
    n_coders, n_codes, n_units = values.shape
    ones = values.sum(axis=0).astype(float)             # concepts × units
    mixed = ones * (n_coders - ones)
    # Column n_codes is the pooled "concept": per-unit sums over all concepts.
    ones_all = np.vstack([ones, ones.sum(axis=0)])
    mixed_all = np.vstack([mixed, mixed.sum(axis=0)])
    n_values = np.r_[np.full(n_codes, n_coders * n_units), n_coders * n_units * n_codes]
    alpha = _binary_alpha(ones_all.sum(axis=1), mixed_all.sum(axis=1), n_values, n_coders)

    replicates = []
    for block in _bootstrap_index_chunks(n_units, n_boot, seed):
        offsets = (np.arange(len(block))[:, None] * n_units + block).ravel()
        weights = np.bincount(offsets, minlength=block.size).reshape(len(block), n_units)
        weights = weights.astype(float)
        replicates.append(_binary_alpha(weights @ ones_all.T, weights @ mixed_all.T,
                                        n_values, n_coders))
    replicates = np.vstack(replicates)                  # n_boot × (concepts + 1)
    interval = np.array([_percentile_interval(replicates[:, k], ci)
                         for k in range(n_codes + 1)])

    agree = (ones == 0) | (ones == n_coders)
    kappa = _binary_kappa(values) if n_coders == 2 else np.full(n_codes, np.nan)
    pooled_kappa = _binary_kappa(values.reshape(2, 1, -1))[0] if n_coders == 2 else np.nan
    return pd.DataFrame({
        "n_units": np.r_[np.full(n_codes, n_units), n_units * n_codes].astype(np.int64),
        "n_units_coded": np.r_[(ones > 0).sum(axis=1), (ones > 0).sum()].astype(np.int64),
        "percent_agreement": np.r_[agree.mean(axis=1), agree.mean()],
        "cohen_kappa": np.r_[kappa, pooled_kappa],
        "krippendorff_alpha": alpha,
        "alpha_ci_low": interval[:, 0],
        "alpha_ci_high": interval[:, 1],
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
        raise InputError("codings", "agreement needs at least two different coders; got "
                                    + (", ".join(map(str, coders)) or "none"))
    return coders


def _reliability_units(codings: pd.DataFrame, segments: pd.DataFrame, coders: list[str],
                       doc_ids: Sequence[str] | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The units (segments) and the listed coders' codings on them.

    Units are the segments of ``doc_ids`` when given, else of every document each listed
    coder has coded at least once.
    """
    _require_columns(segments, "segments", ["doc_id", "seg_id", "start", "text"])
    _require_columns(codings, "codings", ["doc_id", "seg_id", "concept_id", "coder"])
    ours = codings[codings["coder"].isin(coders)]
    if doc_ids is None:
        absent = [c for c in coders if c not in set(ours["coder"])]
        if absent:
            raise InputError("codings", "no codings at all by coder(s) " + ", ".join(absent)
                             + "; check the coder ids in the config or pass doc_ids")
        docs_per_coder = [set(ours.loc[ours["coder"] == c, "doc_id"]) for c in coders]
        shared_docs = sorted(set.intersection(*docs_per_coder))
    else:
        shared_docs = list(dict.fromkeys(doc_ids))
        unknown = sorted(set(shared_docs) - set(segments["doc_id"]))
        if unknown:
            raise InputError("segments", "document(s) not found in the segments: "
                             + ", ".join(map(str, unknown)))
    units = segments[segments["doc_id"].isin(shared_docs)]
    duplicated = units.duplicated(SEGMENT_KEY)
    if duplicated.any():
        row = units[duplicated].iloc[0]
        raise InputError("segments", f"segment {row['seg_id']!r} of document {row['doc_id']!r} "
                                     "occurs more than once")
    units = units.sort_values(["doc_id", "start", "seg_id"], kind="mergesort")
    units = units.reset_index(drop=True)
    ours = ours[ours["doc_id"].isin(shared_docs)]
    known = pd.MultiIndex.from_frame(units[SEGMENT_KEY])
    stray = ~pd.MultiIndex.from_frame(ours[SEGMENT_KEY]).isin(known)
    if stray.any():
        row = ours[stray].iloc[0]
        raise InputError("codings", f"coding of segment {row['seg_id']!r} in document "
                                    f"{row['doc_id']!r} does not match any segment",
                         record=str(ours.index[stray][0]))
    return units, ours


def _mapped_concepts(codings: pd.DataFrame,
                     concept_level_map: Mapping[str, str] | None) -> pd.Series:
    """Each coding's concept id, or the code it maps to at another level of the hierarchy."""
    if concept_level_map is None:
        return codings["concept_id"]
    unmapped = sorted(set(codings["concept_id"]) - set(concept_level_map))
    if unmapped:
        raise InputError("codebook", "no parent code for concept(s) " + ", ".join(unmapped))
    return codings["concept_id"].map(concept_level_map)


def concept_agreement(codings: pd.DataFrame, segments: pd.DataFrame, coders: Sequence[str],
                      doc_ids: Sequence[str] | None = None, n_boot: int = 1000, seed: int = 0,
                      concept_level_map: Mapping[str, str] | None = None,
                      ci: float = 0.95) -> pd.DataFrame:
    """Agreement per concept between the listed coders, plus a pooled ``__overall__`` row.

    Units are segments: those of ``doc_ids`` if given, otherwise of every document that each
    listed coder has coded at least once. For each concept a coder's value on a unit is 1 if
    the coder applied the concept to that segment, else 0 (so no value is missing).
    ``concept_level_map`` (concept_id → category or main-category id) measures agreement at
    that level instead: a coder "applies" category A1 to a segment when they applied any of
    its concepts there.

    Columns: concept_id, n_units, n_units_coded (units at least one coder marked),
    percent_agreement (units on which all coders gave the same value), cohen_kappa (exactly
    two coders, else NaN), krippendorff_alpha (nominal), alpha_ci_low/high (percentile
    bootstrap over units, ``n_boot`` replicates, ``Generator(PCG64(seed))``; the same resample
    as :func:`bootstrap_alpha_ci` gives for that concept). Concepts no listed coder applied are
    omitted. Rows are sorted by concept_id; ``__overall__`` comes last and pools all concept ×
    unit pairs; its bootstrap resamples segments, each with all its concepts, because the
    codes on one segment are not independent of each other.

    Degenerate cases: alpha and kappa are NaN when every coder gave the same value on every
    unit (e.g. all coders applied the concept to all units): there is no variation to agree
    on. Bootstrap replicates with undefined alpha are left out of the interval.
    """
    coders = _check_coders(coders)
    units, ours = _reliability_units(codings, segments, coders, doc_ids)
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
    result = _binary_agreement(values, int(n_boot), seed, ci)
    result.insert(0, "concept_id", [*codes, OVERALL])
    return result[AGREEMENT_COLUMNS]


def disagreements(codings: pd.DataFrame, segments: pd.DataFrame, coders: Sequence[str],
                  doc_ids: Sequence[str] | None = None) -> pd.DataFrame:
    """The segments on which the listed coders applied different sets of concepts.

    Same units as :func:`concept_agreement`. Columns: doc_id, seg_id, text, then one column
    per coder (named by the coder id) holding that coder's concept ids, sorted and joined by
    "; " (empty when the coder applied none). Rows in document order (doc_id, start, seg_id).
    """
    coders = _check_coders(coders)
    units, ours = _reliability_units(codings, segments, coders, doc_ids)
    columns = ["doc_id", "seg_id", "text", *coders]
    if units.empty:
        return pd.DataFrame(columns=columns)
    applied = (ours.groupby(["doc_id", "seg_id", "coder"])["concept_id"]
               .agg(lambda ids: "; ".join(sorted(set(map(str, ids))))))
    table = applied.unstack("coder").reindex(columns=coders)
    table = units[SEGMENT_KEY + ["text"]].merge(
        table.reset_index(), on=SEGMENT_KEY, how="left")
    table[coders] = table[coders].astype(object).fillna("")
    differs = table[coders].nunique(axis=1) > 1
    result = table.loc[differs, columns].reset_index(drop=True)
    result.columns.name = None
    return result
