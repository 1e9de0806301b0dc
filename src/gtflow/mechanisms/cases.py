"""Cases and the evidence codings every mechanism table counts.

A *case* is the unit a reader compares: for interviews the respondent (several interviews of one
respondent are one case), for web material each document on its own. Documents collapsed as
duplicates (``duplicate_of`` set) are left out everywhere, so a repost never counts twice.

Evidence rule: every coding counts, whoever made it (the auto-coder and every human coder), but
one passage coded with one concept counts once — codings are de-duplicated by
``(doc_id, seg_id, concept_id)``. Manual codings are kept in preference to auto codings when
both mark the same unit, so provenance shown downstream favours a person's judgement.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from gtflow.coding.codebook import Codebook
from gtflow.contracts import kept_documents
from gtflow.frames import (
    contiguous,
    first_of_runs,
    index_in_runs,
    sorted_stably,
    starts_of_runs,
)

log = logging.getLogger(__name__)

#: Source types in the order every table lists them.
SOURCE_TYPES = ("interview", "web_page", "web_post")
#: Case types in the order every table lists them, and the case type of each source type.
CASE_TYPES = ("respondent", "web_page", "web_post")
CASE_TYPE_OF_SOURCE = {"interview": "respondent", "web_page": "web_page", "web_post": "web_post"}
#: Manual codings come before auto codings wherever one coding must be preferred.
ORIGIN_RANK = {"review": 0, "qdpx": 1, "csv": 2, "auto": 3}
#: The hierarchy column that holds the codes of each codebook level.
LEVEL_COLUMN = {"concept": "concept_id", "category": "category_id",
                "main_category": "main_category_id", "core": "core_id"}
CODE_COLUMNS = ["code_id", "level", "label", "label_en", "parent_id"]
#: What a placed coding takes of its document and of its concept's place in the hierarchy.
PLACED_DOCUMENT_COLUMNS = ["doc_id", "source_type", "case_id", "case_type"]
PLACED_HIERARCHY_COLUMNS = ["concept_id", "category_id", "main_category_id", "core_id"]


def corpus_documents(documents: pd.DataFrame) -> pd.DataFrame:
    """The documents that count (duplicates removed), with ``case_id`` and ``case_type`` added.

    An interview's case is its respondent id; an interview without a respondent id is a case of
    its own (case id = document id). Each web document is its own case.
    """
    kept = kept_documents(documents).copy()
    unknown = kept[~kept["source_type"].isin(SOURCE_TYPES)]
    if len(unknown):
        # ingest sets source_type; another value is a bug upstream, not a researcher's input
        raise ValueError(f"document {unknown['doc_id'].iloc[0]} has source type "
                         f"'{unknown['source_type'].iloc[0]}'; expected one of "
                         f"{', '.join(SOURCE_TYPES)}")
    respondent = kept["respondent_id"].fillna("").astype(str).str.strip()
    is_interview = kept["source_type"] == "interview"
    kept["case_id"] = kept["doc_id"].astype(str)
    kept.loc[is_interview & (respondent != ""), "case_id"] = respondent[is_interview & (respondent != "")]
    kept["case_type"] = kept["source_type"].map(CASE_TYPE_OF_SOURCE)
    return kept.sort_values("doc_id", kind="stable").reset_index(drop=True)


def case_table(docs: pd.DataFrame) -> pd.DataFrame:
    """One row per case: case_id, case_type, source_type, n_documents (sorted by type, then id).

    A case is a (case_type, case_id, source_type) group of the documents (one with a missing
    key in none), numbered as the groups first appear; its documents are its distinct doc_ids.
    Found from integer codes of the columns, not a pandas groupby of three text columns.
    """
    codes = [pd.factorize(docs[key])[0].astype(np.int64)
             for key in ("case_type", "case_id", "source_type")]
    rows = np.flatnonzero(np.logical_and.reduce([code >= 0 for code in codes], axis=0)
                          if len(docs) else np.zeros(0, dtype=bool))
    combined = np.zeros(len(rows), dtype=np.int64)
    for code in codes:  # each code is below the number of documents: the key cannot overflow
        combined = combined * (int(code.max(initial=0)) + 1) + code[rows]
    group = pd.factorize(combined)[0].astype(np.int64)
    n_groups = int(group.max(initial=-1)) + 1
    row_of_group = np.zeros(n_groups, dtype=np.int64)
    row_of_group[group] = rows  # any row of a group holds its three keys
    documents = pd.factorize(docs["doc_id"])[0].astype(np.int64)[rows]
    width = int(documents.max(initial=0)) + 1
    pairs = np.sort(group[documents >= 0] * width + documents[documents >= 0])  # nunique: no NaN
    n_documents = np.bincount(pairs[first_of_runs(pairs)] // width, minlength=n_groups)
    cases = docs[["case_id", "case_type", "source_type"]].take(row_of_group).reset_index(drop=True)
    cases["n_documents"] = n_documents.astype(np.int64)
    type_order = cases["case_type"].map({t: i for i, t in enumerate(CASE_TYPES)})
    order = np.lexsort((case_id_ranks(cases["case_id"]),
                        type_order.fillna(len(CASE_TYPES)).to_numpy(np.int64)))
    return cases.take(order).reset_index(drop=True)


def case_id_ranks(case_ids: pd.Series) -> np.ndarray:
    """Each case id's rank among the distinct ids, sorted as text sorts (by code point)."""
    return pc.rank(pa.array(case_ids, from_pandas=True).cast(pa.large_string()),
                   sort_keys="ascending", tiebreaker="dense").to_numpy().astype(np.int64)


def code_table(codebook: Codebook) -> pd.DataFrame:
    """Every code of the codebook in codebook order: code_id, level, label, label_en, parent_id."""
    rows = [{"code_id": codebook.core["id"], "level": "core", "label": codebook.core["label"],
             "label_en": codebook.core.get("label_en", ""), "parent_id": ""}]
    for section, level in (("main_categories", "main_category"), ("categories", "category"),
                           ("concepts", "concept")):
        for code in getattr(codebook, section):
            rows.append({"code_id": code["id"], "level": level, "label": code["label"],
                         "label_en": code.get("label_en", ""),
                         "parent_id": code.get("parent", codebook.core["id"])})
    return pd.DataFrame(rows, columns=CODE_COLUMNS)


def placed_codings(codings: pd.DataFrame, docs: pd.DataFrame, hierarchy: pd.DataFrame) -> pd.DataFrame:
    """Codings on counted documents, with the hierarchy and the document's case and source type.

    The hierarchy is taken from the codebook (not from the codings' own roll-up columns), so the
    tables always agree with the codebook; a coding of a concept the codebook lacks is dropped.
    """
    base = codings.drop(columns=[c for c in ("category_id", "main_category_id") if c in codings])
    documents = docs[PLACED_DOCUMENT_COLUMNS]
    concepts = hierarchy[PLACED_HIERARCHY_COLUMNS]
    doc_rows = unique_key_rows(base["doc_id"], documents["doc_id"])
    concept_rows = unique_key_rows(base["concept_id"], concepts["concept_id"])
    if doc_rows is None or concept_rows is None:  # a key listed twice: a merge repeats codings
        on_documents = base.merge(documents, on="doc_id", how="inner")
        placed = on_documents.merge(concepts, on="concept_id", how="inner")
        n_on_documents = len(on_documents)
    else:
        # Each coding's document and concept looked up by Arrow (two merges hashed and
        # reordered every text column); codings keep their order, as an inner merge keeps it.
        rows = np.flatnonzero((doc_rows >= 0) & (concept_rows >= 0))
        kept = base if len(rows) == len(base) else base.take(rows)  # most keep every coding
        placed = pd.concat([kept.reset_index(drop=True),
                            documents.drop(columns="doc_id").take(doc_rows[rows]).reset_index(drop=True),
                            concepts.drop(columns="concept_id").take(concept_rows[rows]).reset_index(drop=True)],
                           axis=1)
        n_on_documents = int((doc_rows >= 0).sum())
    if len(placed) < n_on_documents:
        log.warning("%d codings name concepts missing from the codebook; left out",
                    n_on_documents - len(placed))
    placed["origin_rank"] = origin_ranks(placed["origin"])
    for column in ("seg_id", "start", "end"):
        placed[column] = placed[column].astype("int64")
    return single_chunk_columns(sorted_stably(
        placed, ["doc_id", "seg_id", "concept_id", "origin_rank", "coder", "start", "end"]
    ).reset_index(drop=True))


def unique_key_rows(values: pd.Series, keys: pd.Series) -> np.ndarray | None:
    """Per value the row of ``keys`` that equals it (-1: none), or None when a key is listed
    twice (or the columns are not text)."""
    try:
        keys_array = contiguous(pa.array(keys, from_pandas=True)).cast(pa.large_string())
        values_array = pa.array(values, from_pandas=True).cast(pa.large_string())
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return None
    ascending = len(keys_array) < 2 or pc.all(pc.greater(keys_array[1:], keys_array[:-1]),
                                              skip_nulls=False).as_py()
    if not ascending and pc.count_distinct(keys_array, mode="all").as_py() < len(keys_array):
        return None
    return index_in_runs(values_array, keys_array)


def origin_ranks(origins: pd.Series) -> np.ndarray:
    """Each origin's :data:`ORIGIN_RANK` (another origin: after them all)."""
    found = pc.index_in(pa.array(origins, from_pandas=True).cast(pa.large_string()),
                        value_set=pa.array(list(ORIGIN_RANK), type=pa.large_string()))
    ranks = np.array([*ORIGIN_RANK.values(), len(ORIGIN_RANK)], dtype=np.int64)
    return ranks[found.fill_null(len(ORIGIN_RANK)).to_numpy(zero_copy_only=False)]


def single_chunk_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with each Arrow-backed column in one piece.

    A Parquet read leaves a text column in several Arrow chunks, and every row selection
    (``take``) of a chunked column costs about four times a contiguous one's: the stage selects
    the codings hundreds of times (per concept, node and edge).
    """
    arrow_arrays = (pd.arrays.ArrowStringArray, pd.arrays.ArrowExtensionArray)
    pieces = {}
    for column in frame.columns:
        values = frame[column].array
        if isinstance(values, arrow_arrays):
            joined = pa.chunked_array(values.__arrow_array__()).combine_chunks()
            pieces[column] = pd.Series(pd.array(joined, dtype=frame[column].dtype),
                                       index=frame.index)
    return frame.assign(**pieces) if pieces else frame


def evidence_codings(placed: pd.DataFrame) -> pd.DataFrame:
    """One coding per (doc_id, seg_id, concept_id): the counting basis of every evidence table.

    ``placed`` comes from :func:`placed_codings`, already sorted so the first row of each unit
    is the manual coding when there is one.
    """
    repeated = ~starts_of_runs(placed, ["doc_id", "seg_id", "concept_id"])  # sorted: neighbours
    if not repeated.any():  # every unit coded once: the codings themselves, not a copy
        return with_row_numbers(placed)
    return placed[~repeated].reset_index(drop=True)


def with_row_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame itself when its index is already 0..n-1, else a copy so numbered."""
    index = frame.index
    if isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1:
        return frame
    return frame.reset_index(drop=True)


def codings_under(evidence: pd.DataFrame, code_id: str, level: str) -> pd.DataFrame:
    """The evidence codings of every concept below (or equal to) one code."""
    return evidence[level_mask(evidence, code_id, level)]


def level_mask(codings: pd.DataFrame, code_id: str, level: str) -> np.ndarray:
    """Whether each coding falls under a code (the rows :func:`codings_under` selects)."""
    return (codings[LEVEL_COLUMN[level]] == code_id).to_numpy(dtype=bool, na_value=False)
