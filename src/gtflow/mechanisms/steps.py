"""The mechanisms stage: case matrices, co-occurrence, model evidence, quotes, recommendations.

:func:`mechanism_tables` is the pure core (frames in, frames out); :func:`build_mechanisms`
reads the stage's inputs and writes its outputs atomically.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from gtflow.clean.texts import CleanTexts
from gtflow.coding.codebook import Codebook, edge_id, load_codebook, load_model
from gtflow.coding.validity import concept_status
from gtflow.contracts import is_kept, read_columns, read_table, write_table
from gtflow.frames import text_isin, value_numbers
from gtflow.io import write_json
from gtflow.mechanisms.cases import (
    case_table,
    code_table,
    corpus_documents,
    evidence_codings,
    placed_codings,
)
from gtflow.mechanisms.evidence import concepts_with_status, select_evidence, support_changes
from gtflow.mechanisms.listing import EvidenceListing
from gtflow.mechanisms.model import (
    code_evidence,
    contrary_counts,
    edge_table,
    negative_cases,
    node_table,
    render_storyline,
    storyline_context,
)
from gtflow.mechanisms.presence import CodePresence
from gtflow.mechanisms.quotes import MANUAL_ORIGINS, concept_quotes, exemplar_quotes
from gtflow.mechanisms.recommendations import recommendation_table
from gtflow.mechanisms.tabulate import case_matrix, coding_units, cooccurrence

log = logging.getLogger(__name__)

#: The declared table (gtflow.contracts) of each output name of the stage.
OUTPUT_TABLES = {"case_main": "case_by_main_category", "case_category": "case_by_category",
                 "cooccurrence": "cooccurrence", "nodes": "nodes", "edges": "edges",
                 "quotes": "quotes", "concept_quotes": "concept_quotes",
                 "negative_cases": "negative_cases", "evidence": "evidence",
                 "recommendations": "recommendations"}
#: What the stage reads of the documents and segments tables (not their texts or metadata).
DOCUMENT_COLUMNS = ["doc_id", "source_type", "respondent_id", "duplicate_of"]
#: What the stage reads of the codings (their roll-up columns come from the codebook instead).
CODING_COLUMNS = ["doc_id", "seg_id", "start", "end", "concept_id", "coder", "origin", "rule"]
SEGMENT_COLUMNS = ["doc_id", "seg_id", "turn", "start", "end"]
EVIDENCE_RULES = {
    "all": "All codings count (auto-coder and every human coder)",
    "validated": "Human codings count, and auto codings of concepts whose rules pass "
                 "code.min_auto_f1 against the human coders or that no human judged "
                 "(unvalidated, flagged)",
    "human": "Only human codings count (auto codings a reviewer accepted included)",
}
EVIDENCE_RULE_TAIL = ("; auto codings a reviewer rejected never count; de-duplicated by "
                      "(doc_id, seg_id, concept_id); documents marked duplicate_of are left out.")


def corpus_counts(docs: pd.DataFrame, cases: pd.DataFrame) -> dict[str, int]:
    """Document and case counts of the counted corpus (the story lines' n_* values)."""
    by_type = docs["source_type"].value_counts()
    web_pages, web_posts = int(by_type.get("web_page", 0)), int(by_type.get("web_post", 0))
    return {"n_documents": len(docs), "n_interviews": int(by_type.get("interview", 0)),
            "n_web_documents": web_pages + web_posts, "n_web_pages": web_pages,
            "n_web_posts": web_posts,
            "n_respondents": int((cases["case_type"] == "respondent").sum()),
            "n_cases": len(cases)}


def texts_by_id(texts: Mapping[str, str], doc_ids: list[str]) -> dict[str, str]:
    """The texts of some documents, in that order; read as one Arrow array
    (:meth:`CleanTexts.text_array`: each shard read once, sliced by Arrow) when ``texts`` is
    the clean texts' accessor, whose lookup one document at a time costs about as much as
    decoding the text."""
    read_all = getattr(texts, "text_array", None)
    return dict(zip(doc_ids, read_all(doc_ids).to_pylist() if read_all is not None else
                    (texts[doc_id] for doc_id in doc_ids), strict=True))


def coded_documents(codings: pd.DataFrame) -> list[str]:
    """The distinct doc_ids of some codings, sorted (as ``sorted(set(...))`` sorts them):
    numbered by their runs (codings come sorted by document), not a Python set of every id."""
    distinct = value_numbers(pa.array(codings["doc_id"], from_pandas=True).cast(
        pa.large_string()))[1]
    return distinct.take(pc.sort_indices(distinct)).to_pylist()


def mechanism_tables(codings: pd.DataFrame, documents: pd.DataFrame, segments: pd.DataFrame,
                     texts: Mapping[str, str], codebook: Codebook, model: dict, settings: dict,
                     model_path: str = "config/model.yaml",
                     status: pd.DataFrame | None = None) -> dict[str, object]:
    """Every output of the stage as frames (and the summary as a dict); ``texts`` maps doc_id
    to clean text (quotes are cut from it). ``evidence`` is an
    :class:`~gtflow.mechanisms.listing.EvidenceListing`, written (or made a frame) in pieces.

    ``settings["evidence"]`` picks which codings count (:mod:`gtflow.mechanisms.evidence`);
    ``status`` is the per-concept validity status that ``validated`` needs.
    """
    threshold = int(settings["weak_edge_threshold"])
    mode = settings.get("evidence", "validated")
    # Each input is dropped once what is needed of it is taken: a caller that passes its only
    # reference (build_mechanisms) frees it here, so the raw tables are not held to the end.
    docs = corpus_documents(documents)
    n_duplicates_excluded = int((~is_kept(documents)).sum())
    del documents
    kept_segments = segments[text_isin(segments["doc_id"], docs["doc_id"])]
    del segments
    cases = case_table(docs)
    codes = code_table(codebook)
    every = placed_codings(codings, docs, codebook.hierarchy())
    del codings
    # Quotes come from coded documents only; each text is read once (not once per coding).
    texts = texts_by_id(texts, coded_documents(every))
    placed, excluded = select_evidence(every, mode, status)
    evidence = evidence_codings(placed)
    presence = CodePresence.index(evidence)
    main_ids = codes.loc[codes["level"] == "main_category", "code_id"].tolist()
    category_ids = codes.loc[codes["level"] == "category", "code_id"].tolist()
    evidence_by_code = code_evidence(presence, codes)
    nodes = node_table(model, codes, evidence_by_code)
    edges = edge_table(model, presence, codes, threshold)
    # With nothing excluded the "all" edges are these edges: no second index of the codings.
    edges_all = edges if excluded.empty else edge_table(
        model, CodePresence.index(evidence_codings(every)), codes, threshold)
    counts = corpus_counts(docs, cases)
    context = storyline_context(counts, evidence_by_code, edges)
    storylines = {key: render_storyline(model.get(key, "") or "", context, model_path, key)
                  for key in ("storyline", "storyline_en")}
    quotes = exemplar_quotes(placed, kept_segments, texts,
                             model, codes, int(settings["quotes_per_item"]),
                             int(settings["quote_min_chars"]), int(settings["quote_max_chars"]))
    auto_counted = placed[placed["coder"] == "auto"]
    weak = [edge_id(a, b) for a, b, w in zip(edges["from"], edges["to"], edges["weak"]) if w]
    negative = negative_cases(model, presence, codes)
    contrary = contrary_counts(edges, negative)
    summary = {
        **counts,
        "n_duplicates_excluded": n_duplicates_excluded,
        "n_codings": len(placed),
        "n_codings_manual": int(placed["origin"].isin(MANUAL_ORIGINS).sum()),
        "n_evidence_codings": len(evidence),
        "n_concepts_coded": int(evidence["concept_id"].nunique()),
        "n_nodes": len(nodes), "n_edges": len(edges), "n_weak_edges": len(weak),
        "weak_edges": weak, "weak_edge_threshold": threshold,
        "n_quotes": len(quotes), "quotes_per_item": int(settings["quotes_per_item"]),
        "quote_min_chars": int(settings["quote_min_chars"]),
        "quote_max_chars": int(settings["quote_max_chars"]),
        "evidence_rule": EVIDENCE_RULES[mode] + EVIDENCE_RULE_TAIL, **storylines,
        "evidence_mode": mode, "n_codings_excluded": len(excluded),
        "n_codings_all": len(every),
        "excluded_concepts": [c["id"] for c in codebook.concepts
                              if c["id"] in set(excluded["concept_id"])],
        "unvalidated_concepts": concepts_with_status(status, "unvalidated"),
        "n_unvalidated_codings": int(auto_counted["concept_id"].isin(
            set(concepts_with_status(status, "unvalidated"))).sum()),
        "edges_support_changed": support_changes(edges_all, edges),
        "contrary": contrary,
        "n_contrary_outnumbered": sum(c["outnumbered"] for c in contrary.values()),
    }
    return {
        "case_main": case_matrix(evidence, cases, main_ids, "main_category"),
        "case_category": case_matrix(evidence, cases, category_ids, "category"),
        "cooccurrence": cooccurrence(coding_units(placed, kept_segments),
                                     {"main_category": main_ids, "category": category_ids}),
        "nodes": nodes, "edges": edges, "quotes": quotes,
        "concept_quotes": concept_quotes(quotes, every, texts, [c["id"] for c in codebook.concepts],
                                         int(settings["quote_min_chars"]),
                                         int(settings["quote_max_chars"])),
        "negative_cases": negative,
        "evidence": EvidenceListing(evidence, presence, codes, model, texts,
                                    int(settings["evidence_quote_chars"])),
        "recommendations": recommendation_table(model, nodes, threshold),
        "summary": summary,
    }


def build_mechanisms(codings: str | Path, documents: str | Path, segments: str | Path,
                     texts: str | Path, codebook: str | Path, model: str | Path, settings: dict,
                     outputs: dict[str, str], validity: str | Path | None = None) -> None:
    """Read the stage's inputs, compute :func:`mechanism_tables`, write every output.

    ``outputs`` maps case_main, case_category, cooccurrence, nodes, edges, quotes,
    concept_quotes, negative_cases, evidence (results/tables/evidence.csv), recommendations (CSV)
    and summary (JSON) to paths. ``validity`` (results/code/validity.csv, whose status per concept
    compares its auto F1 with ``code.min_auto_f1``) decides which concepts' auto codings pass
    under ``validated``.
    """
    book = load_codebook(codebook)
    status = None
    if validity is not None:
        status = concept_status(read_table("validity", validity),
                                [c["id"] for c in book.concepts])
    tables = mechanism_tables(read_columns("codings", [codings], CODING_COLUMNS),
                              read_columns("documents", [documents], DOCUMENT_COLUMNS),
                              read_columns("segments", [segments], SEGMENT_COLUMNS),
                              CleanTexts.open(texts), book,
                              load_model(model, book),
                              settings, model_path=str(model), status=status)
    summary = tables.pop("summary")
    # Each table let go once written: the evidence listing, written last but one, is the
    # stage's largest piece of work, and the case tables need not be held through it.
    for name in list(tables):
        frame = tables.pop(name)
        if name == "evidence":
            frame.write(outputs[name])
        else:
            write_table(OUTPUT_TABLES[name], frame, outputs[name])
        del frame
    write_json(outputs["summary"], summary)
    log.info("%d documents in %d cases; %d evidence codings; %d of %d edges weakly supported; "
             "evidence mode %s excluded %d codings", summary["n_documents"], summary["n_cases"],
             summary["n_evidence_codings"], summary["n_weak_edges"], summary["n_edges"],
             summary["evidence_mode"], summary["n_codings_excluded"])
