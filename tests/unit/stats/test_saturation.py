"""Tests for gtflow.stats.saturation against published worked examples and by-hand counts."""

from __future__ import annotations

import io
import itertools

import numpy as np
import pandas as pd
import pytest

from gtflow.errors import ConfigError, InputError
from gtflow.stats.saturation import (
    COMMON_CODE_SHARE,
    CURVE_COLUMNS,
    HOLDOUT_COLUMNS,
    REFERENCE_COLUMNS,
    SENSITIVITY_COLUMNS,
    _first_positions,
    _first_positions_common,
    _first_positions_sparse,
    accumulation_curve,
    chao2,
    choose_holdout,
    francis_stopping,
    guest_point_distribution,
    guest_runs,
    guest_saturation,
    guest_sensitivity,
    holdout_reference,
    holdout_test,
    incidence_matrix,
    permutation_new_codes,
)

# vegan's `dune` data (Jongman, ter Braak & van Tongeren 1987): 20 sites × 30 species cover
# classes with dune.env$Management, as exported to CSV in pcinereus/SUYR_public
# data/dune.csv (rows in that file's order; the species pool per Management class is what
# matters for specpool).
DUNE_CSV = """\
MANAGEMENT,Belper,Empnig,Junbuf,Junart,Airpra,Elepal,Rumace,Viclat,Brarut,Ranfla,Cirarv,Hyprad,Leoaut,Potpal,Poapra,Calcus,Tripra,Trirep,Antodo,Salrep,Achmil,Poatri,Chealb,Elyrep,Sagpro,Plalan,Agrsto,Lolper,Alogen,Brohor
BF,3,0,0,0,0,0,0,0,0,0,0,0,5,0,4,0,0,5,0,0,3,7,0,4,0,0,0,5,2,4
SF,0,0,3,0,0,0,0,0,0,2,0,0,2,0,2,0,0,2,0,0,0,9,1,0,2,0,5,0,5,0
SF,2,0,0,0,0,0,0,0,2,0,2,0,2,0,4,0,0,1,0,0,0,5,0,4,5,0,8,5,2,3
SF,0,0,0,3,0,8,0,0,4,2,0,0,0,0,0,3,0,0,0,0,0,2,0,0,0,0,7,0,4,0
HF,0,0,0,0,0,0,6,0,6,0,0,0,3,0,3,0,5,5,3,0,2,4,0,0,0,5,0,6,0,0
SF,0,0,0,0,0,0,0,0,0,0,0,0,0,0,4,0,0,0,0,0,1,2,0,4,0,0,0,7,0,0
HF,0,0,0,4,0,4,0,0,2,2,0,0,3,0,4,0,0,2,0,0,0,4,0,0,2,0,4,4,5,0
HF,2,0,0,0,0,0,5,0,2,0,0,0,3,0,2,0,2,2,4,0,2,6,0,4,0,5,0,2,0,2
NM,0,0,0,0,2,0,0,0,0,0,0,2,2,0,1,0,0,0,4,0,2,0,0,0,0,2,0,0,0,0
NM,0,0,0,3,0,5,0,0,4,2,0,0,2,2,0,0,0,1,0,0,0,0,0,0,0,0,4,0,0,0
BF,2,0,0,0,0,0,0,1,2,0,0,0,3,0,4,0,0,6,4,0,4,4,0,0,0,3,0,6,0,4
BF,0,0,0,0,0,0,0,2,4,0,0,2,5,0,4,0,0,3,0,0,0,0,0,0,2,3,0,7,0,0
HF,0,0,4,4,0,0,2,0,2,0,0,0,2,0,4,0,0,3,0,0,0,5,0,6,2,0,3,2,3,0
NM,2,0,0,0,0,0,0,1,6,0,0,0,5,0,3,0,0,2,0,3,0,0,0,0,0,3,0,2,0,0
SF,2,0,0,0,0,0,0,0,2,0,0,0,2,0,5,0,0,2,0,0,0,6,0,4,0,0,4,6,7,0
NM,0,0,0,4,0,4,0,0,4,4,0,0,2,0,0,3,0,0,0,5,0,0,0,0,0,0,5,0,0,0
NM,0,0,0,0,0,4,0,0,0,2,0,0,2,2,0,4,0,6,0,0,0,0,0,0,0,0,4,0,0,0
NM,0,2,0,0,3,0,0,0,3,0,0,5,6,0,0,0,0,2,4,3,0,0,0,0,3,0,0,0,0,0
SF,0,0,4,0,0,0,2,0,4,0,0,0,2,0,0,0,0,3,0,0,0,4,0,0,4,0,4,0,8,0
HF,0,0,2,0,0,0,3,0,2,0,0,0,3,0,4,0,2,2,2,0,2,5,0,0,0,5,0,6,0,2
"""


def _codings(rows: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame([{"doc_id": d, "seg_id": f"{d}-s0", "start": 0, "end": 1,
                          "concept_id": c, "coder": "auto", "origin": "auto", "rule": ""}
                         for d, c in rows])


# --------------------------------------------------------------------------------------------
# Incidence
# --------------------------------------------------------------------------------------------

def test_incidence_matrix_by_concept_and_by_category():
    codings = _codings([("d2", "a1"), ("d2", "a1"), ("d1", "b1"), ("d2", "a2")])
    table = incidence_matrix(codings, ["d1", "d2", "d3"])
    assert list(table.index) == ["d1", "d2", "d3"]
    assert list(table.columns) == ["a1", "a2", "b1"]
    assert table.to_numpy().tolist() == [[0, 0, 1], [1, 1, 0], [0, 0, 0]]
    by_category = incidence_matrix(codings, ["d1", "d2", "d3"],
                                   code_of={"a1": "A", "a2": "A", "b1": "B"})
    assert by_category.to_numpy().tolist() == [[0, 1], [1, 0], [0, 0]]


def test_incidence_matrix_rejects_unknown_docs_and_unmapped_concepts():
    codings = _codings([("d9", "a1")])
    with pytest.raises(InputError, match="d9"):
        incidence_matrix(codings, ["d1"])
    with pytest.raises(InputError, match="no parent code"):
        incidence_matrix(_codings([("d1", "a1")]), ["d1"], code_of={})
    with pytest.raises(InputError, match="twice"):
        incidence_matrix(_codings([]).reindex(columns=["doc_id", "concept_id"]), ["d1", "d1"])


def test_incidence_matrix_of_no_codings_is_all_zero_rows():
    empty = pd.DataFrame(columns=["doc_id", "seg_id", "concept_id"])
    table = incidence_matrix(empty, ["d1", "d2"])
    assert table.shape == (2, 0)


# --------------------------------------------------------------------------------------------
# Accumulation curve
# --------------------------------------------------------------------------------------------

def test_accumulation_curve_observed_order_by_hand():
    """d1 {a,b}, d2 {b}, d3 {c,d,a}, d4 {} -> new 2,0,2,0, cumulative 2,2,4,4."""
    table = pd.DataFrame([[1, 1, 0, 0, 0], [0, 1, 0, 0, 0], [1, 0, 1, 1, 0], [0, 0, 0, 0, 0]],
                         index=["d1", "d2", "d3", "d4"], columns=list("abcde"))
    curve = accumulation_curve(table, permutations=50, seed=1)
    assert list(curve.columns) == CURVE_COLUMNS
    assert curve["doc_id"].tolist() == ["d1", "d2", "d3", "d4"]
    assert curve["new_codes"].tolist() == [2, 0, 2, 0]
    assert curve["cumulative"].tolist() == [2, 2, 4, 4]
    assert (curve["band_low"] <= curve["band_median"]).all()
    assert (curve["band_median"] <= curve["band_high"]).all()
    assert curve["band_low"].iloc[-1] == curve["band_high"].iloc[-1] == 4  # code e never seen


def test_accumulation_band_matches_exact_order_distribution():
    """Two documents, A = {x, y}, B = {z}: at position 1 half of all orders have 2 codes and
    half 1, so the 2.5 % / 97.5 % band is [1, 2]; at position 2 it is always 3."""
    table = pd.DataFrame([[1, 1, 0], [0, 0, 1]], index=["A", "B"], columns=["x", "y", "z"])
    curve = accumulation_curve(table, permutations=400, seed=3)
    assert curve.loc[0, ["band_low", "band_high"]].tolist() == [1, 2]
    assert curve.loc[1, ["band_low", "band_median", "band_high"]].tolist() == [3, 3, 3]


def _naive_band(present: np.ndarray, orders: list[list[int]]) -> np.ndarray:
    """Pure-Python reference: walk each order, count new codes with a set."""
    curves = []
    for order in orders:
        seen: set[int] = set()
        curve = []
        for doc in order:
            seen |= set(np.flatnonzero(present[doc]).tolist())
            curve.append(len(seen))
        curves.append(curve)
    return np.array(curves)


@pytest.mark.parametrize("density", [0.3, 0.8])
def test_accumulation_band_equals_naive_loop_over_all_orders(density):
    """With 3,000 random orders of 4 documents all 24 orders occur, so the 0 % / 100 % band
    must equal the min / max of the naive set-based curves over all 24 orders. Run on a
    sparse and a dense table (the two vectorised code paths)."""
    rng = np.random.default_rng(0)
    present = rng.random((4, 9)) < density
    present[0, ~present.any(axis=0)] = True
    table = pd.DataFrame(present.astype(int), index=list("ABCD"))
    curve = accumulation_curve(table, permutations=3000, seed=2, band=(0.0, 1.0))
    exhaustive = _naive_band(present, [list(p) for p in itertools.permutations(range(4))])
    assert curve["band_low"].tolist() == exhaustive.min(axis=0).tolist()
    assert curve["band_high"].tolist() == exhaustive.max(axis=0).tolist()


def test_first_position_paths_agree_with_the_definition():
    """The sparse path, the truncated-argmax path (deep enough, and so shallow that the exact
    fallback must fill in) and the per-code mix all equal the naive definition: the smallest
    rank among the code's documents."""
    rng = np.random.default_rng(4)
    present = rng.random((40, 15)) < np.linspace(0.02, 0.9, 15)
    present[0, ~present.any(axis=0)] = True
    rank = np.array([rng.permutation(40) for _ in range(25)], dtype=np.int16)
    naive = [[min(rank[p, d] for d in np.flatnonzero(present[:, c])) for c in range(15)]
             for p in range(25)]
    assert _first_positions_sparse(present, rank).tolist() == naive
    assert _first_positions_common(present, rank, depth=40).tolist() == naive
    assert _first_positions_common(present, rank, depth=2).tolist() == naive
    assert _first_positions(present, rank).tolist() == naive
    assert 0 < COMMON_CODE_SHARE < 1


def test_accumulation_curve_is_seeded_and_handles_empty():
    rng = np.random.default_rng(5)
    table = pd.DataFrame((rng.random((30, 12)) < 0.2).astype(int))
    first = accumulation_curve(table, permutations=200, seed=9)
    pd.testing.assert_frame_equal(first, accumulation_curve(table, permutations=200, seed=9))
    assert accumulation_curve(table.iloc[:0], permutations=10).empty
    zeros = accumulation_curve(pd.DataFrame(np.zeros((3, 2), dtype=int)), permutations=10)
    assert zeros["cumulative"].tolist() == [0, 0, 0]
    with pytest.raises(ValueError):
        accumulation_curve(table, permutations=0)


# --------------------------------------------------------------------------------------------
# Guest, Namey & Chen (2020)
# --------------------------------------------------------------------------------------------

# Guest, Namey & Chen (2020), PLoS ONE 15(5): e0232076, worked example of the method: a base
# of 4 interviews holds 37 unique themes; the run of interviews 5-6 adds 7 new themes (7/37 =
# 19 %), a later run adds 4 (4/37 = 11 %), the last run adds 1 (1/37 = 2.7 %, <= 5 %:
# saturation). The base stays fixed and runs slide by one interview. The split of the 37 over
# interviews 1-4 and of the runs over single interviews is ours; the run totals are the paper's.
GUEST_NEW_PER_INTERVIEW = [20, 8, 5, 4, 4, 3, 2, 2, 1, 0, 0, 0]


def test_guest_reproduces_the_published_37_7_4_1_example():
    runs = guest_runs(GUEST_NEW_PER_INTERVIEW, base=4, run=2).set_index("run_start")
    assert set(runs["codes_in_base"]) == {37} and set(runs["base_size"]) == {4}
    assert runs.loc[5, ["run_end", "new_in_run"]].tolist() == [6, 7]
    assert runs.loc[7, ["run_end", "new_in_run"]].tolist() == [8, 4]
    assert runs.loc[9, ["run_end", "new_in_run"]].tolist() == [10, 1]
    assert runs.loc[[5, 7, 9], "new_share"].round(3).tolist() == [0.189, 0.108, 0.027]
    assert runs["new_in_run"].tolist() == [7, 5, 4, 3, 1, 0, 0]   # sliding by one
    result = guest_saturation(GUEST_NEW_PER_INTERVIEW, base=4, run=2, threshold=0.05)
    assert result.saturated and result.point == "8+2" and result.k == 8
    assert result.documents == 10                       # saturation reached at interview 10
    assert (result.codes_in_base, result.new_in_run) == (37, 1)
    assert result.new_share == pytest.approx(1 / 37)
    assert result.share_of_all_codes == 1.0               # all 49 themes by interview 10
    zero = guest_saturation(GUEST_NEW_PER_INTERVIEW, base=4, run=2, threshold=0.0)
    assert zero.point == "9+2"                           # interviews 10-11 add nothing


def test_guest_denominator_is_fixed_not_growing():
    """A growing base (37, 44, ...) would pass 5 % earlier: 2 new on 44 is 4.5 %, but on the
    fixed base of 37 it is 5.4 % and does not qualify."""
    sequence = [20, 8, 5, 4, 4, 3, 1, 1, 1, 0]
    runs = guest_runs(sequence, base=4, run=2)
    assert runs.set_index("run_start").loc[7, "new_in_run"] == 2
    assert guest_saturation(sequence, base=4, run=2, threshold=0.05).point == "8+2"


def test_guest_threshold_boundary_and_not_reached():
    """3 new on a base of 60 is exactly 5 % and counts as '<= 5 %'."""
    assert guest_saturation([60, 0, 0, 3, 0], base=1, run=3, threshold=0.05).point == "1+3"
    never = guest_saturation([5, 5, 5, 5, 5, 5], base=2, run=2)
    assert not never.saturated and never.point is None and never.as_dict()["k"] is None
    assert never.documents is None
    assert not guest_saturation([3, 1], base=4, run=2).saturated  # too few documents
    with pytest.raises(ValueError):
        guest_saturation([1, -1, 0], base=1, run=1)
    with pytest.raises(ValueError):
        guest_saturation([1, 0, 0], base=1, run=1, threshold=1.5)


def test_guest_sensitivity_table_over_bases_runs_and_thresholds():
    table = guest_sensitivity(GUEST_NEW_PER_INTERVIEW)
    assert len(table) == 3 * 2 * 2
    assert list(table.columns) == SENSITIVITY_COLUMNS
    row = table.set_index(["base_size", "run_length", "threshold"])
    assert row.loc[(4, 2, 0.05), "point"] == "8+2"
    assert row.loc[(4, 2, 0.0), "point"] == "9+2"
    # base 5 holds 41 codes: run 9-10 adds 1 (2.4 %) -> 8+2; run 10-12 adds 0 -> 9+3 at 0 %.
    assert row.loc[(5, 2, 0.05), "codes_in_base"] == 41
    assert row.loc[(5, 3, 0.0), "point"] == "9+3"
    assert row.loc[(6, 3, 0.05), "point"] == "8+3"       # run 9-11 adds 1 to a base of 44


def test_guest_point_distribution_by_hand_and_over_the_band_orders():
    """Three hand-made orders: saturation after 4, 5 and never (not reached)."""
    orders = np.array([[5, 3, 0, 0, 0],    # base 5+3 = 8 (2 docs), run 3-4 adds 0 -> 2+2 = 4
                       [5, 3, 2, 0, 0],    # run 3-4 adds 2 (25 %), run 4-5 adds 0 -> 3+2 = 5
                       [5, 3, 2, 2, 2]])   # never
    result = guest_point_distribution(orders, base=2, run=2, threshold=0.05)
    assert (result["orders"], result["saturated_orders"]) == (3, 2)
    assert (result["low"], result["median"], result["high"]) == (4, 5, None)
    incidence = pd.DataFrame(np.random.default_rng(0).random((12, 30)) < 0.3).astype(int)
    random_new = permutation_new_codes(incidence, permutations=200, seed=9)
    curve = accumulation_curve(incidence, permutations=200, seed=9)
    assert np.array_equal(np.quantile(random_new.cumsum(axis=1), 0.5, axis=0),
                          curve["band_median"].to_numpy())
    for row in random_new[:20]:
        expected = guest_saturation(row.tolist(), base=4, run=2)
        single = guest_point_distribution(row[None, :], base=4, run=2)
        assert single["median"] == (expected.k + 2 if expected.saturated else None)


# --------------------------------------------------------------------------------------------
# Francis et al. (2010)
# --------------------------------------------------------------------------------------------

def test_francis_study_2_saturation_at_interview_17():
    """Francis et al. (2010), Psychology & Health 25(10): 1229-1245, Study 2: initial analysis
    sample 10, stopping criterion 3, 17 interviews, 44 shared beliefs, studywise saturation at
    interview 17. Per-interview counts are illustrative but keep the published facts: 44 in
    total, the last new belief at interview 14, none in 15-17."""
    study_2 = [12, 8, 5, 4, 3, 2, 2, 1, 1, 1, 1, 0, 1, 3, 0, 0, 0]
    assert sum(study_2) == 44 and len(study_2) == 17
    assert francis_stopping(study_2, initial=10, stop=3) == 17


def test_francis_study_1_not_saturated():
    """Francis et al. (2010) Study 1: 14 interviews, 84 beliefs, studywise saturation not
    achieved (counts illustrative, same totals)."""
    study_1 = [20, 14, 10, 8, 7, 5, 4, 3, 3, 2, 2, 0, 0, 6]
    assert sum(study_1) == 84
    assert francis_stopping(study_1, initial=10, stop=3) is None


def test_francis_quiet_run_must_follow_the_initial_sample():
    """Zeros inside the initial sample do not count: earliest declaration is 10 + 3 = 13."""
    assert francis_stopping([5] * 7 + [0] * 9, initial=10, stop=3) == 13
    assert francis_stopping([5] * 10 + [0, 0], initial=10, stop=3) is None
    assert francis_stopping([], initial=10, stop=3) is None


# --------------------------------------------------------------------------------------------
# Chao2 and coverage
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("management, species, chao", [
    ("BF", 16, 17.19048), ("HF", 21, 21.51429), ("NM", 21, 22.87500), ("SF", 21, 29.88889),
])
def test_chao2_equals_vegan_specpool_dune(management, species, chao):
    """vegan reference page for specpool, example `with(dune.env, specpool(dune,
    Management))` prints Species / chao: BF 16 17.19048, HF 21 21.51429, NM 21 22.87500,
    SF 21 29.88889 (vegan >= 2.2 with the (N-1)/N small-sample factor)."""
    dune = pd.read_csv(io.StringIO(DUNE_CSV))
    sites = dune[dune["MANAGEMENT"] == management].drop(columns="MANAGEMENT")
    result = chao2(sites)
    assert result["s_obs"] == species
    assert result["chao2"] == pytest.approx(chao, abs=5e-6)
    assert result["form"] == "classic"


def test_chao2_bias_corrected_when_no_duplicates_and_coverage_by_hand():
    """vegan specpool help: with a2 = 0, S_P = S_0 + (N-1)/N * a1 (a1 - 1)/2. Four documents,
    codes seen in 1, 1, 1, 3, 4 documents: 5 + 3/4 * 3*2/2 = 7.25. Chao & Jost (2012)
    coverage with U = 10: 1 - 3/10 * (3*2)/(3*2 + 2) = 0.775."""
    incidence = np.array([
        [1, 0, 0, 1, 1],
        [0, 1, 0, 1, 1],
        [0, 0, 1, 1, 1],
        [0, 0, 0, 0, 1],
    ])
    result = chao2(incidence)
    assert (result["s_obs"], result["q1"], result["q2"], result["m"]) == (5, 3, 0, 4)
    assert result["form"] == "bias-corrected"
    assert result["chao2"] == pytest.approx(7.25)
    assert result["coverage"] == pytest.approx(0.775)


def test_chao2_coverage_dune_bf_by_hand():
    """Dune BF (m = 3): q1 = 5, q2 = 7, U = 31 incidences; Chao & Jost (2012) incidence
    coverage 1 - 5/31 * (2*5)/(2*5 + 2*7) = 1 - 50/744."""
    dune = pd.read_csv(io.StringIO(DUNE_CSV))
    result = chao2(dune[dune["MANAGEMENT"] == "BF"].drop(columns="MANAGEMENT"))
    assert (result["q1"], result["q2"], result["u"]) == (5, 7, 31)
    assert result["coverage"] == pytest.approx(1 - 50 / 744)


def test_chao2_edge_cases():
    assert chao2(np.zeros((3, 4)))["chao2"] == 0 and np.isnan(chao2(np.zeros((3, 4)))["coverage"])
    one_doc = chao2(np.array([[1, 1, 0]]))
    assert one_doc["s_obs"] == 2 and one_doc["form"] == "undefined"
    assert np.isnan(one_doc["chao2"]) and np.isnan(one_doc["coverage"])
    assert np.isnan(one_doc["se"]) and np.isnan(one_doc["ci_low"])
    with pytest.raises(ValueError):
        chao2(np.zeros((0, 3)))


# --------------------------------------------------------------------------------------------
# Holdout
# --------------------------------------------------------------------------------------------

def test_choose_holdout_fraction_and_ids():
    docs = [f"d{i}" for i in range(10)]
    assert choose_holdout(docs, fraction=0.3) == ["d7", "d8", "d9"]
    assert choose_holdout(docs, fraction=0.25) == ["d7", "d8", "d9"]  # rounded up
    assert choose_holdout(docs, fraction=0.01) == ["d9"]
    assert choose_holdout(docs, ids=["d5", "d1", "d5"]) == ["d1", "d5"]
    with pytest.raises(ConfigError, match="d42"):
        choose_holdout(docs, ids=["d42"])
    with pytest.raises(ConfigError, match="exactly one"):
        choose_holdout(docs)
    with pytest.raises(ConfigError):
        choose_holdout(docs, fraction=1.0)


def test_holdout_test_codes_and_edges():
    docs = ["d1", "d2", "d3", "d4"]
    concepts = incidence_matrix(_codings([
        ("d1", "a1"), ("d2", "a2"), ("d3", "a1"), ("d4", "a3"), ("d4", "b1"), ("d3", "b1"),
    ]), docs)
    categories = incidence_matrix(_codings([("d1", "a1"), ("d4", "a3"), ("d4", "b1")]), docs,
                                  code_of={"a1": "A1", "a3": "A2", "b1": "B1"})
    result = holdout_test({"concept": concepts, "category": categories}, ["d3", "d4"],
                          edges=[("A2", "B1"), ("A1", "B1"), ("a1", "b1"), ("X", "a1")])
    assert list(result.columns) == HOLDOUT_COLUMNS
    assert result[["level", "id", "n_holdout_docs", "holdout_docs"]].values.tolist() == [
        ["concept", "a3", 1, "d4"],
        ["concept", "b1", 2, "d3; d4"],
        ["category", "A2", 1, "d4"],
        ["category", "B1", 1, "d4"],
        ["edge", "A2->B1", 1, "d4"],
        ["edge", "a1->b1", 1, "d3"],
    ]
    nothing_new = holdout_test({"concept": concepts}, ["d1"])
    assert nothing_new.empty and list(nothing_new.columns) == HOLDOUT_COLUMNS
    with pytest.raises(ConfigError, match="d9"):
        holdout_test({"concept": concepts}, ["d9"])
    with pytest.raises(ValueError, match="more than one level"):
        holdout_test({"a": concepts, "b": concepts}, ["d4"], edges=[("a1", "a3")])


def test_chao2_standard_error_and_interval_dune_bf_by_hand():
    """Dune BF: m = 3, S_obs = 16, q1 = 5, q2 = 7. vegan specpool's variance with
    ssc = 2/3, a = 5/7: q2 ssc (1/2 + ssc (1 + a/4) a) a^2; Chao (1987) log-normal interval
    with T = chao2 - 16 and K = exp(1.96 sqrt(log(1 + var/T^2)))."""
    dune = pd.read_csv(io.StringIO(DUNE_CSV))
    result = chao2(dune[dune["MANAGEMENT"] == "BF"].drop(columns="MANAGEMENT"))
    ssc, a = 2 / 3, 5 / 7
    variance = 7 * ssc * (0.5 + ssc * (1 + a / 4) * a) * a * a
    assert result["se"] == pytest.approx(variance ** 0.5, rel=1e-12)
    unseen = result["chao2"] - 16
    k = np.exp(1.959963984540054 * np.sqrt(np.log(1 + variance / unseen ** 2)))
    assert result["ci_low"] == pytest.approx(16 + unseen / k, rel=1e-12)
    assert result["ci_high"] == pytest.approx(16 + unseen * k, rel=1e-12)
    assert 16 <= result["ci_low"] < result["chao2"] < result["ci_high"]


def test_chao2_standard_error_without_duplicates_by_hand():
    """q2 = 0 (the incidence matrix of the bias-corrected test): m = 4, q1 = 3, chao2 = 7.25;
    specpool's variance ssc (ssc (q1 (2 q1 - 1)^2/4 - q1^4/(4 chao2)) + q1 (q1 - 1)/2)."""
    incidence = np.array([[1, 0, 0, 1, 1], [0, 1, 0, 1, 1], [0, 0, 1, 1, 1], [0, 0, 0, 0, 1]])
    result = chao2(incidence)
    ssc = 3 / 4
    variance = ssc * (ssc * (3 * 25 / 4 - 81 / 7.25 / 4) + 3)
    assert result["se"] == pytest.approx(variance ** 0.5, rel=1e-12)
    no_uniques = chao2(np.array([[1, 1], [1, 1]]))
    assert (no_uniques["chao2"], no_uniques["se"]) == (2, 0)
    assert (no_uniques["ci_low"], no_uniques["ci_high"]) == (2, 2)


def test_holdout_reference_counts_by_hand_and_matches_the_list():
    """Four documents, holdout of 2: the 6 possible pairs are equally likely. Concept a3 is
    only in d4 and b1 only in d3+d4; a2 only in d2; a1 in d1 and d3. Pairs and their
    only-in counts: d1d2 1 (a2), d1d3 1 (a1), d1d4 1 (a3), d2d3 1 (a2), d2d4 2 (a2, a3),
    d3d4 2 (a3, b1): mean 8/6; share <= 2 is 1, share <= 1 is 4/6."""
    docs = ["d1", "d2", "d3", "d4"]
    concepts = incidence_matrix(_codings([
        ("d1", "a1"), ("d2", "a2"), ("d3", "a1"), ("d4", "a3"), ("d4", "b1"), ("d3", "b1"),
    ]), docs)
    table = holdout_reference({"concept": concepts}, ["d3", "d4"], n_random=6000, seed=4)
    assert list(table.columns) == REFERENCE_COLUMNS
    row = table.iloc[0]
    assert row["observed"] == len(holdout_test({"concept": concepts}, ["d3", "d4"])) == 2
    assert row["share_random_le_observed"] == 1.0
    assert row["random_mean"] == pytest.approx(8 / 6, abs=0.03)
    one = holdout_reference({"concept": concepts}, ["d1", "d2"], n_random=6000, seed=4).iloc[0]
    assert one["observed"] == 1 and one["share_random_le_observed"] == pytest.approx(4 / 6, abs=0.02)
    again = holdout_reference({"concept": concepts}, ["d1", "d2"], n_random=6000, seed=4)
    assert again.iloc[0].equals(one)


def test_holdout_reference_includes_edges_and_rejects_bad_input():
    docs = ["d1", "d2", "d3", "d4"]
    concepts = incidence_matrix(_codings([
        ("d1", "a1"), ("d2", "a2"), ("d3", "a1"), ("d4", "a3"), ("d4", "b1"), ("d3", "b1"),
    ]), docs)
    edges = [("a1", "b1"), ("a3", "b1"), ("a1", "a2")]
    table = holdout_reference({"concept": concepts}, ["d4"], edges=edges, n_random=1000)
    edge = table.set_index("level").loc["edge"]
    listed = holdout_test({"concept": concepts}, ["d4"], edges=edges)
    assert edge["n_items"] == 2                     # a1 -> a2 never co-occurs
    assert edge["observed"] == (listed["level"] == "edge").sum() == 1
    with pytest.raises(ConfigError, match="d9"):
        holdout_reference({"concept": concepts}, ["d9"])
    with pytest.raises(ConfigError, match="at least one random holdout"):
        holdout_reference({"concept": concepts}, ["d1"], n_random=0)
