"""How far the auto-coder's rules can be trusted: agreement of its codings with human coders.

Unit of comparison: a (document, sentence segment, code) triple. A coding covers every sentence
segment its span overlaps (a turn-level auto coding covers the sentences of its turn); manual
codings are already split onto sentences by :mod:`gtflow.coding.manual`. A code at a higher level
(category, main category) is present on a segment when any concept below it is.

For one code and one reference, on the segments of the documents the reference reviewed:

* ``n_auto`` — segments the auto-coder gave the code; ``n_reference`` — segments the reference
  gave it; ``n_both`` — segments both did;
* ``precision = n_both / n_auto``, ``recall = n_both / n_reference``,
  ``f1 = 2 n_both / (n_auto + n_reference)`` (the harmonic mean of the two; NaN when both
  counts are 0, 0 when only one side coded).

References are every human coder, and ``consensus``: the segments of the documents every listed
human coder reviewed, restricted — per code — to the segments on which they all agree (all gave
the code, or none did). Disputed segments say nothing about the rules, so they are left out (the
conservative reading of "segments both humans coded the same"). ``human_f1`` beside each row is
the ceiling: the mean F1 between the reference and each other human coder on the documents both
reviewed (for ``consensus``, the mean over pairs of human coders).

A ``__overall__`` row per level and reference pools the counts over the level's codes (micro
average). Per code (:func:`with_code_means`, the same on every reference row of the code):
``mean_auto_f1`` is the mean of its F1 over the individual human references (consensus left
out), ``mean_human_f1`` the mean of their ``human_f1`` (the ceiling the rules are measured
against), and ``status`` compares ``mean_auto_f1`` with ``code.min_auto_f1``: ``validated`` at
or above it, ``failed`` below it, ``unvalidated`` when no reference gives an F1 (nothing coded by
either side on the reviewed documents). :func:`concept_status` reads a concept's status back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import combinations

import numpy as np
import pandas as pd

from gtflow.coding.coverage import reviewed_documents
from gtflow.frames import text_isin

AUTO = "auto"
CONSENSUS = "consensus"
OVERALL = "__overall__"
LEVELS = ("concept", "category", "main_category")
LEVEL_COLUMN = {"concept": "concept_id", "category": "category_id",
                "main_category": "main_category_id"}
COUNT_COLUMNS = ["level", "code_id", "reference", "n_documents", "n_auto", "n_reference",
                 "n_both", "precision", "recall", "f1", "human_f1"]
CODE_COLUMNS = ["mean_auto_f1", "mean_human_f1", "status"]
VALIDITY_COLUMNS = [*COUNT_COLUMNS, *CODE_COLUMNS]
STATUS_COLUMNS = ["concept_id", *CODE_COLUMNS]
UNIT = ["doc_id", "seg_id"]


def sentence_units(codings: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """Each coding once per sentence segment its span overlaps: codings' columns with the
    sentence's ``seg_id``.

    Codings that already lie inside their own segment (nearly all) are kept as they are; only
    spans reaching past it (turn-level rules) are expanded against the document's segments.
    """
    if codings.empty:
        return codings.copy()
    bounds = segments[["doc_id", "seg_id", "start", "end"]].rename(
        columns={"start": "seg_start", "end": "seg_end"})
    placed = codings.merge(bounds, on=UNIT, how="left")
    inside = (placed["start"] >= placed["seg_start"]) & (placed["end"] <= placed["seg_end"])
    kept = placed.loc[inside, list(codings.columns)]
    wide = codings[~inside.to_numpy()]
    if wide.empty:
        return kept.reset_index(drop=True)
    spread = wide.drop(columns="seg_id").merge(bounds, on="doc_id")
    spread = spread[(spread["seg_start"] < spread["end"]) & (spread["seg_end"] > spread["start"])]
    return pd.concat([kept, spread[list(codings.columns)]], ignore_index=True)


def on_reviewed_documents(codings: pd.DataFrame, segments: pd.DataFrame,
                          coverage: Mapping[str, set[str]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The codings and segments of the documents some human coder reviewed (``coverage``):
    the rules are judged there only, so the auto codings of the rest need no sentence units
    (at a million posts coded by rules alone, that was all of them)."""
    reviewed = set().union(*coverage.values())
    return (codings[text_isin(codings["doc_id"], reviewed)],
            segments[text_isin(segments["doc_id"], reviewed)])


def human_coverage(codings: pd.DataFrame, declared: Mapping[str, Sequence[str]] | None = None,
                   reviews: Mapping[str, set[str]] | None = None) -> dict[str, set[str]]:
    """Human coder → the documents the coder reviewed (:mod:`gtflow.coding.coverage`), plus,
    for a reviewer of auto codings, every document of the review files (a reviewer who deleted
    every auto coding of a document and added none still reviewed it)."""
    coverage = {c: set(d) for c, d in reviewed_documents(codings, declared).items() if c != AUTO}
    for reviewer, docs in (reviews or {}).items():
        coverage[reviewer] = coverage.get(reviewer, set()) | set(docs)
    return coverage


def f1_score(n_auto: int, n_reference: int, n_both: int) -> float:
    """2·both / (auto + reference); NaN when neither side coded anything."""
    total = n_auto + n_reference
    return 2 * n_both / total if total else float("nan")


def ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else float("nan")


def presence(units: pd.DataFrame, column: str) -> pd.DataFrame:
    """Distinct (doc_id, seg_id, code) triples of a set of codings at one level."""
    return units[[*UNIT, column]].dropna().drop_duplicates().rename(columns={column: "code_id"})


def count_row(level: str, code_id: str, reference: str, n_documents: int, n_auto: int,
              n_reference: int, n_both: int) -> dict:
    return {"level": level, "code_id": code_id, "reference": reference,
            "n_documents": n_documents, "n_auto": n_auto, "n_reference": n_reference,
            "n_both": n_both, "precision": ratio(n_both, n_auto),
            "recall": ratio(n_both, n_reference), "f1": f1_score(n_auto, n_reference, n_both)}


def compare(auto: pd.DataFrame, reference: pd.DataFrame, code_ids: Sequence[str], level: str,
            name: str, n_documents: int) -> list[dict]:
    """Rows of one reference at one level: every code, then the pooled ``__overall__``."""
    key = [*UNIT, "code_id"]
    both = auto.merge(reference, on=key)
    n_auto = auto["code_id"].value_counts()
    n_ref = reference["code_id"].value_counts()
    n_both = both["code_id"].value_counts()
    rows = [count_row(level, code, name, n_documents, int(n_auto.get(code, 0)),
                      int(n_ref.get(code, 0)), int(n_both.get(code, 0))) for code in code_ids]
    rows.append(count_row(level, OVERALL, name, n_documents, int(n_auto.sum()),
                          int(n_ref.sum()), int(n_both.sum())))
    return rows


def consensus_presence(humans: Mapping[str, pd.DataFrame], units: pd.DataFrame,
                       code_ids: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Where all humans agree, per code: (segments all gave the code, segments disputed)."""
    key = [*UNIT, "code_id"]
    frames = list(humans.values())
    marks = pd.concat(frames, ignore_index=True).groupby(key).size().rename("n").reset_index()
    marks = marks.merge(units[UNIT], on=UNIT)
    marks = marks[marks["code_id"].isin(set(code_ids))]
    agreed = marks.loc[marks["n"] == len(frames), key]
    disputed = marks.loc[marks["n"] < len(frames), key]
    return agreed.reset_index(drop=True), disputed.reset_index(drop=True)


def human_ceiling(humans: Mapping[str, pd.DataFrame], documents: Mapping[str, set[str]],
                  code_ids: Sequence[str], level: str) -> dict[tuple[str, str], float]:
    """(reference, code_id) → mean F1 between that human and each other human (on the documents
    both reviewed); ``consensus`` gets the mean over all pairs."""
    pair_f1: dict[tuple[str, str], dict[str, float]] = {}
    for a, b in combinations(sorted(humans), 2):
        shared = documents[a] & documents[b]
        left = humans[a][humans[a]["doc_id"].isin(shared)]
        right = humans[b][humans[b]["doc_id"].isin(shared)]
        rows = compare(left, right, code_ids, level, "", len(shared))
        pair_f1[(a, b)] = {row["code_id"]: row["f1"] for row in rows}
    ceiling: dict[tuple[str, str], float] = {}
    for code in [*code_ids, OVERALL]:
        for coder in humans:
            values = [f1[code] for pair, f1 in pair_f1.items() if coder in pair]
            ceiling[(coder, code)] = nan_mean(values)
        ceiling[(CONSENSUS, code)] = nan_mean([f1[code] for f1 in pair_f1.values()])
    return ceiling


def nan_mean(values: Sequence[float]) -> float:
    finite = [v for v in values if not np.isnan(v)]
    return float(np.mean(finite)) if finite else float("nan")


def validity_table(codings: pd.DataFrame, segments: pd.DataFrame, hierarchy: pd.DataFrame,
                   consensus_coders: Sequence[str] = (),
                   coverage: Mapping[str, set[str]] | None = None) -> pd.DataFrame:
    """The counts of validity.csv: every level × code × reference (see the module docstring);
    :func:`with_code_means` adds the per-code columns.

    ``codings`` holds the auto-coder's codings (coder ``auto``, rejected ones included: the
    rules are judged on everything they produced) and the human coders'. ``coverage`` maps each
    human coder to the documents the coder reviewed (:func:`human_coverage`, its default).
    ``consensus_coders`` are the humans whose agreement
    forms the ``consensus`` reference (at least two present, else no consensus rows).
    """
    columns = ["concept_id", "category_id", "main_category_id"]
    documents = dict(coverage) if coverage is not None else human_coverage(codings)
    codings, segments = on_reviewed_documents(codings, segments, documents)
    units = sentence_units(codings[[*UNIT, "start", "end", "concept_id", "coder"]], segments)
    units = units.merge(hierarchy[columns], on="concept_id", how="inner")
    coders = sorted(documents)
    auto_units = units[units["coder"] == AUTO]
    panel = [c for c in dict.fromkeys(consensus_coders) if c in documents]
    rows: list[dict] = []
    for level in LEVELS:
        column = LEVEL_COLUMN[level]
        code_ids = list(dict.fromkeys(hierarchy[column]))
        auto = presence(auto_units, column)
        humans = {c: presence(units[units["coder"] == c], column) for c in coders}
        ceiling = human_ceiling(humans, documents, code_ids, level)
        level_rows = []
        for coder in coders:
            reviewed = documents[coder]
            level_rows += compare(auto[auto["doc_id"].isin(reviewed)], humans[coder], code_ids,
                                  level, coder, len(reviewed))
        if len(panel) >= 2:
            shared = set.intersection(*(documents[c] for c in panel))
            shared_units = segments.loc[segments["doc_id"].isin(shared), UNIT]
            panel_codes = {c: humans[c][humans[c]["doc_id"].isin(shared)] for c in panel}
            agreed, disputed = consensus_presence(panel_codes, shared_units, code_ids)
            judged = auto[auto["doc_id"].isin(shared)].merge(
                disputed, on=[*UNIT, "code_id"], how="left", indicator=True)
            judged = judged[judged["_merge"] == "left_only"].drop(columns="_merge")
            level_rows += compare(judged, agreed, code_ids, level, CONSENSUS, len(shared))
        for row in level_rows:
            row["human_f1"] = ceiling.get((row["reference"], row["code_id"]), float("nan"))
        rows += level_rows
    table = pd.DataFrame(rows, columns=COUNT_COLUMNS)
    for column in ("precision", "recall", "f1", "human_f1"):
        table[column] = table[column].astype(float).round(4)
    return table


def round_4(value: float) -> float:
    return value if np.isnan(value) else round(float(value), 4)


def with_code_means(counts: pd.DataFrame, min_f1: float) -> pd.DataFrame:
    """validity.csv: ``counts`` (:func:`validity_table`) with each code's mean auto F1, mean
    human ceiling and status (see the module docstring) on every row of the code.

    The means are taken over the rounded values the table holds and rounded to 4 decimals
    with Python's ``round`` (correct rounding of the binary value; the report showed these
    figures rounded so before they became columns, and ``Series.round`` differs at halves).
    """
    individual = counts[counts["reference"] != CONSENSUS]
    means = individual.groupby(["level", "code_id"])[["f1", "human_f1"]].mean()
    status = pd.Series("unvalidated", index=means.index)
    judged = means["f1"].notna()
    status[judged] = np.where(means.loc[judged, "f1"] >= min_f1, "validated", "failed")
    per_code = pd.DataFrame({"mean_auto_f1": means["f1"].map(round_4),
                             "mean_human_f1": means["human_f1"].map(round_4),
                             "status": status}).reset_index()
    table = counts.merge(per_code, on=["level", "code_id"], how="left")
    table["status"] = table["status"].fillna("unvalidated")
    return table[VALIDITY_COLUMNS]


def concept_status(validity: pd.DataFrame, concept_ids: Sequence[str]) -> pd.DataFrame:
    """Per concept, read from validity.csv: mean auto F1, mean human ceiling and status
    (``unvalidated``, means missing, for a concept the table does not hold)."""
    rows = validity[validity["level"] == "concept"].drop_duplicates("code_id")
    found = rows.set_index("code_id")[CODE_COLUMNS]
    out = found.reindex(list(concept_ids))
    out["status"] = out["status"].fillna("unvalidated")
    return out.rename_axis("concept_id").reset_index()[STATUS_COLUMNS]
