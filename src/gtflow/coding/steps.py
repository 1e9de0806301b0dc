"""The code stage's steps: auto-code one file's documents; merge all codings with provenance."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from gtflow.clean.texts import CleanTexts
from gtflow.coding.audit import rule_audit
from gtflow.coding.autocode import CODING_COLUMNS, autocode
from gtflow.coding.codebook import Codebook, load_codebook
from gtflow.coding.manual import (
    ANCHOR_COLUMNS,
    anchor_codings,
    codings_on_segments,
    read_manual_csv,
)
from gtflow.coding.qdpx import read_manual_qdpx
from gtflow.coding.review import (
    REVIEW_COLUMNS,
    apply_reviews,
    read_reviews,
    rejected_codings,
    review_coverage,
)
from gtflow.coding.validity import human_coverage, validity_table, with_code_means
from gtflow.contracts import is_kept, read_columns, read_table, read_tables, write_table
from gtflow.frames import sorted_without_repeats, text_isin

log = logging.getLogger(__name__)


def autocode_file(documents: str | Path, segments: str | Path, texts: str | Path,
                  codebook: str | Path, out: str | Path) -> None:
    """Rule-based codings of the documents of one raw file (``texts``: its text index)."""
    doc_ids = read_table("file_documents", documents)["doc_id"].tolist()
    clean_texts = CleanTexts.open(texts, "file_text_index")
    table = pd.DataFrame({"doc_id": doc_ids, "clean_text": [clean_texts[d] for d in doc_ids]})
    frame = autocode(table, read_table("file_segments", segments), load_codebook(codebook))
    write_table("auto_codings", frame, out)


def manual_codings(paths: list[str], texts: Mapping[str, str], segments: pd.DataFrame,
                   book: Codebook, min_score: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Anchored manual codings from every CSV and REFI-QDA project, split onto segments; plus
    the anchoring table. ``texts``: doc_id -> clean text (e.g. :class:`CleanTexts`)."""
    concept_ids = {c["id"] for c in book.concepts}
    anchors, codings = [], []
    for path in sorted(paths):
        if Path(path).suffix.lower() in {".qdpx", ".qde"}:
            manual, origin = read_manual_qdpx(path, set(texts), book), "qdpx"
        else:
            manual, origin = read_manual_csv(path), "csv"
        anchored = anchor_codings(manual, texts, concept_ids, min_score)
        anchors.append(anchored)
        codings.append(codings_on_segments(anchored, segments, origin=origin))
    if not anchors:
        return pd.DataFrame(columns=CODING_COLUMNS), pd.DataFrame(columns=ANCHOR_COLUMNS)
    return pd.concat(codings, ignore_index=True), pd.concat(anchors, ignore_index=True)


def merge_codings(auto: list[str], manual: list[str], documents: str | Path, segments: str | Path,
                  texts: str | Path, codebook: str | Path, codings_out: str | Path, anchors_out: str | Path,
                  hierarchy_out: str | Path, min_score: float, reviews: list[str] = (),
                  review_out: str | Path | None = None) -> None:
    """All codings in one long table with provenance and the concept hierarchy rolled up.

    Codings on documents collapsed as duplicates are left out (their kept copy carries them).
    Reviewed projects (``reviews``, see :mod:`gtflow.coding.review`) remove the auto codings
    they rejected, confirm the accepted ones and add the reviewers' own codings; their
    decisions go to ``review_out``.
    """
    book = load_codebook(codebook)
    hierarchy = book.hierarchy()
    # Only what merging needs of the corpus tables (not segment texts or document metadata).
    docs = read_columns("documents", [documents], ["doc_id", "duplicate_of"])
    segs = read_columns("segments", [segments], ["doc_id", "seg_id", "start", "end"])
    # The texts anchor manual and reviewed codings; a study coded by rules alone needs none
    # (opening the index of a million posts took about two seconds).
    clean_texts = CleanTexts.open(texts) if manual or reviews else {}
    manual_rows, anchors = manual_codings(manual, clean_texts, segs, book, min_score)
    auto_rows = read_tables("auto_codings", auto)
    review, added = read_reviews(list(reviews), auto_rows, clean_texts, segs, book, min_score)
    frames = [f for f in (auto_rows, manual_rows, added) if len(f)]
    codings = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=CODING_COLUMNS)
    codings = apply_reviews(codings, review)
    collapsed = set(docs.loc[~is_kept(docs), "doc_id"])
    codings = codings[~text_isin(codings["doc_id"], collapsed)]
    codings = codings.merge(hierarchy[["concept_id", "category_id", "main_category_id"]],
                            on="concept_id", how="left")
    codings = sorted_without_repeats(codings, ["doc_id", "start", "end", "concept_id", "coder"])
    codings = codings.reset_index(drop=True)
    for column in ("seg_id", "start", "end"):
        codings[column] = codings[column].astype("int64")
    log.info("%d codings (%s)", len(codings), codings["origin"].value_counts().to_dict())
    write_table("codings", codings, codings_out)
    write_table("anchoring", anchors, anchors_out)
    write_table("hierarchy", hierarchy, hierarchy_out)
    if review_out is not None:
        write_table("review", review[REVIEW_COLUMNS], review_out)


def assess_rules(codings: str | Path, review: str | Path, segments: str | Path,
                 codebook: str | Path, validity_out: str | Path, audit_out: str | Path,
                 phrases_out: str | Path, consensus_coders: list[str], min_auto_f1: float,
                 coverage: dict | None = None) -> None:
    """validity.csv, rule_audit.csv and the phrase ranking: the rules judged against the human
    coders on everything they produced (auto codings a review rejected included), on the
    documents each coder reviewed (``coverage`` = config ``code.coverage``, plus review files);
    a code's status compares its mean auto F1 with ``min_auto_f1`` (``code.min_auto_f1``)."""
    book = load_codebook(codebook)
    merged = read_table("codings", codings)
    decisions = read_table("review", review)
    judged = pd.concat([merged[CODING_COLUMNS], rejected_codings(decisions)], ignore_index=True)
    if not consensus_coders:  # reliability.coders empty: every coder of manual codings
        consensus_coders = sorted(set(merged.loc[merged["origin"].isin(["csv", "qdpx"]), "coder"]))
    reviewed = human_coverage(judged, coverage, review_coverage(decisions))
    segs = read_table("segments", segments)
    validity = with_code_means(
        validity_table(judged, segs, book.hierarchy(), consensus_coders, reviewed), min_auto_f1)
    audit, phrases = rule_audit(judged, segs, reviewed)
    log.info("validity: %d rows; audit: %d segments; %d rule parts ranked", len(validity),
             len(audit), len(phrases))
    write_table("validity", validity, validity_out)
    write_table("rule_audit", audit, audit_out)
    write_table("rule_phrases", phrases, phrases_out)
