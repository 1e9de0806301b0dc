"""Review of the auto-coder's suggestions in the QDA program a coder already uses.

Way out (:func:`review_project_codings`): every auto coding becomes a coding by the user
``auto`` in ``results/exports/review.qdpx``, in a selection of its own whose description names
the concept and the rule that fired. A coder opens it in QualCoder, NVivo, ATLAS.ti or MAXQDA,
deletes the wrong codings, adds missed ones and exports a ``.qdpx`` into
``data/coding/review/``.

Way back (:func:`read_review`): for each reviewed file, the auto codings of the documents the
file holds are *covered* by the review. A covered auto coding still present in the file (same
document, concept and span, after re-anchoring its quote on the current clean text) is
``accepted``; one that is absent is ``rejected``. Codings by any other user are the reviewer's
own manual codings. The reviewer is the one user other than ``auto`` who coded in the file, or,
when there is none or several, the file's name without extension.

Applied to the codings (:func:`apply_reviews`): rejected auto codings leave the table (a coding
rejected by any review is out); each accepted one is confirmed by a row of the reviewer's
(origin ``review``, the rule kept), so it counts as a human's coding in validity and evidence.
Auto codings of documents a review did not cover, or that the rules produced after the export,
are covered when they first appear in a reviewed file: re-export after changing the rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from gtflow.coding.autocode import CODING_COLUMNS
from gtflow.coding.codebook import Codebook
from gtflow.coding.manual import anchor_codings, codings_on_segments
from gtflow.coding.qdpx import read_manual_qdpx, source_document
from gtflow.refi import read_project

AUTO = "auto"
REVIEW_ORIGIN = "review"
REVIEW_COLUMNS = ["doc_id", "seg_id", "start", "end", "concept_id", "rule", "decision",
                  "reviewer", "review_file"]
SPAN = ["doc_id", "start", "end", "concept_id"]


def review_description(concept_id: str, rule: str) -> str:
    """What a reviewer reads beside an auto coding: the concept and the rule that fired."""
    return f"auto-coded {concept_id} by rule {rule}"


def review_project_codings(auto: pd.DataFrame) -> pd.DataFrame:
    """The auto codings as the REFI writer takes them: user ``auto``, the rule as description."""
    frame = auto.loc[auto["coder"] == AUTO, ["doc_id", "start", "end", "concept_id", "rule"]]
    return frame.assign(
        coder=AUTO, description=review_descriptions(frame["concept_id"], frame["rule"]),
    )[["doc_id", "start", "end", "concept_id", "coder", "description"]]


def review_descriptions(concepts: pd.Series, rules: pd.Series) -> np.ndarray:
    """:func:`review_description` of each row's concept and rule, made once per distinct pair
    (a few hundred among 100k codings) rather than once per row."""
    concept_of_row, concept_values = pd.factorize(concepts)
    rule_of_row, rule_values = pd.factorize(rules)
    known = (concept_of_row >= 0) & (rule_of_row >= 0)
    pair_of_row = concept_of_row.astype(np.int64) * len(rule_values) + rule_of_row
    pairs, row_pair = np.unique(pair_of_row[known], return_inverse=True)
    concept_values, rule_values = concept_values.tolist(), rule_values.tolist()
    descriptions = np.empty(len(known), dtype=object)
    descriptions[known] = np.array([review_description(concept_values[pair // len(rule_values)],
                                                       rule_values[pair % len(rule_values)])
                                    for pair in pairs.tolist()], dtype=object)[row_pair]
    # A missing value (None, NaN, NA) is written as it is, so those rows are made one by one.
    for row in np.flatnonzero(~known).tolist():
        descriptions[row] = review_description(concepts.iloc[row], rules.iloc[row])
    return descriptions


def reviewer_name(path: Path, users: list[str]) -> str:
    """The single non-auto user who coded in the file, else the file's stem."""
    people = sorted(set(users) - {AUTO, ""})
    return people[0] if len(people) == 1 else path.stem


def read_review(path: str | Path, auto: pd.DataFrame, texts: Mapping[str, str],
                segments: pd.DataFrame, codebook: Codebook,
                min_score: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One reviewed project: (decisions on the auto codings it covers, the reviewer's added
    codings on segments). ``auto`` holds the current auto codings (CODING_COLUMNS)."""
    path = Path(path)
    covered_docs = {source_document(s.name, set(texts)) for s in read_project(path).sources}
    selections = read_manual_qdpx(path, set(texts), codebook)
    anchored = anchor_codings(selections, texts, {c["id"] for c in codebook.concepts}, min_score)
    anchored = anchored[anchored["status"] != "orphaned"]
    reviewer = reviewer_name(path, anchored["coder"].tolist())
    kept = anchored.loc[anchored["coder"] == AUTO, SPAN].drop_duplicates()
    covered = auto[(auto["coder"] == AUTO) & auto["doc_id"].isin(covered_docs)]
    judged = covered.merge(kept.assign(present=True), on=SPAN, how="left")
    decisions = judged.assign(
        decision=judged["present"].eq(True).map({True: "accepted", False: "rejected"}),
        reviewer=reviewer, review_file=path.name)[REVIEW_COLUMNS]
    added = anchored[anchored["coder"] != AUTO]
    return decisions, codings_on_segments(added, segments, origin="qdpx")


def read_reviews(paths: list[str], auto: pd.DataFrame, texts: Mapping[str, str],
                 segments: pd.DataFrame, codebook: Codebook,
                 min_score: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every reviewed project in order: (review.csv rows, the reviewers' added codings);
    ``texts`` maps doc_id to clean text."""
    decisions, added = [pd.DataFrame(columns=REVIEW_COLUMNS)], [pd.DataFrame(columns=CODING_COLUMNS)]
    for path in sorted(paths):
        decided, extra = read_review(path, auto, texts, segments, codebook, min_score)
        decisions.append(decided)
        added.append(extra)
    review = pd.concat([d for d in decisions if len(d)] or decisions[:1], ignore_index=True)
    review = review.sort_values(["review_file", "doc_id", "start", "end", "concept_id"],
                                kind="stable").reset_index(drop=True)
    return review, pd.concat([a for a in added if len(a)] or added[:1], ignore_index=True)


def apply_reviews(codings: pd.DataFrame, review: pd.DataFrame) -> pd.DataFrame:
    """Codings with rejected auto codings removed and accepted ones confirmed by the reviewer."""
    if review.empty:
        return codings
    rejected = review.loc[review["decision"] == "rejected", SPAN].drop_duplicates()
    marked = codings.merge(rejected.assign(rejected=True), on=SPAN, how="left")
    is_rejected = (marked["coder"] == AUTO) & marked["rejected"].eq(True)
    kept = codings[~is_rejected.to_numpy()]
    accepted = review[review["decision"] == "accepted"]
    accepted = accepted.merge(rejected.assign(rejected=True), on=SPAN, how="left")
    accepted = accepted[~accepted["rejected"].eq(True)]
    confirmations = pd.DataFrame({
        "doc_id": accepted["doc_id"], "seg_id": accepted["seg_id"], "start": accepted["start"],
        "end": accepted["end"], "concept_id": accepted["concept_id"],
        "coder": accepted["reviewer"], "origin": REVIEW_ORIGIN, "rule": accepted["rule"]},
        columns=CODING_COLUMNS)
    return pd.concat([kept, confirmations], ignore_index=True)


def rejected_codings(review: pd.DataFrame) -> pd.DataFrame:
    """The rejected auto codings as codings rows (validity judges the rules on them too)."""
    rejected = review[review["decision"] == "rejected"].drop_duplicates(SPAN)
    return pd.DataFrame({"doc_id": rejected["doc_id"], "seg_id": rejected["seg_id"],
                         "start": rejected["start"], "end": rejected["end"],
                         "concept_id": rejected["concept_id"], "coder": AUTO, "origin": AUTO,
                         "rule": rejected["rule"]}, columns=CODING_COLUMNS)


def review_coverage(review: pd.DataFrame) -> dict[str, set[str]]:
    """Reviewer → the documents the reviewer's files covered."""
    return {name: set(group["doc_id"]) for name, group in review.groupby("reviewer")}
