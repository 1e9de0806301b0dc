"""The presence index agrees with filtering the coding table code by code."""

from __future__ import annotations

import numpy as np
import pytest
from mech_corpus import codebook, codings, documents_and_segments

from gtflow.mechanisms.cases import (
    LEVEL_COLUMN,
    code_table,
    codings_under,
    corpus_documents,
    evidence_codings,
    placed_codings,
)
from gtflow.mechanisms.presence import CodePresence


def evidence():
    documents, segments = documents_and_segments()
    docs = corpus_documents(documents)
    return evidence_codings(placed_codings(codings(segments), docs, codebook().hierarchy()))


def test_codings_and_documents_of_every_code_match_a_filter_of_the_table():
    rows = evidence()
    presence = CodePresence.index(rows)
    assert presence.documents["doc_id"].tolist() == sorted(set(rows["doc_id"]))
    for code_id, level in zip(*code_table(codebook())[["code_id", "level"]].T.to_numpy()):
        expected = codings_under(rows, code_id, level)
        assert presence.codings_of(code_id, level).tolist() == expected.index.tolist()
        documents = presence.document_rows(presence.documents_of(code_id, level))
        assert documents["doc_id"].tolist() == sorted(set(expected["doc_id"]))
    assert set(LEVEL_COLUMN) >= {level for level, _ in presence.rows}


def test_a_code_without_codings_has_no_rows_and_no_documents():
    presence = CodePresence.index(evidence())
    assert presence.codings_of("c9", "concept").tolist() == []
    assert presence.documents_of("M1", "concept").tolist() == []  # M1 is a main category
    assert presence.document_rows(np.zeros(0, dtype=np.int64)).empty


def test_common_documents_and_documents_without_are_set_intersection_and_difference():
    presence = CodePresence.index(evidence())
    codes = code_table(codebook())
    sets = [presence.documents_of(code_id, level) for code_id, level in
            zip(codes["code_id"], codes["level"])]
    assert any(len(s) and len(t) and len(np.intersect1d(s, t)) < min(len(s), len(t))
               for s in sets for t in sets)  # some pairs overlap only in part
    for a in sets:
        for b in sets:
            assert presence.common_documents(a, b).tolist() == np.intersect1d(a, b).tolist()
            assert presence.documents_without(a, b).tolist() == np.setdiff1d(a, b).tolist()


@pytest.mark.parametrize("ordered", [True, False])
def test_document_numbers_follow_doc_id_order(ordered):
    import random

    import pandas as pd

    from gtflow.mechanisms.presence import document_numbers

    rng = random.Random(4)
    ids = [rng.choice(["D2", "D10", "文", "Dé", "a"]) for _ in range(300)]
    if ordered:
        ids.sort()
    for dtype in ("str", object):
        column = pd.Series(ids, dtype=dtype)
        numbers, first_rows = document_numbers(column)
        expected = pd.factorize(column, sort=True)[0]
        assert numbers.tolist() == expected.tolist()
        assert first_rows.tolist() == [ids.index(d) for d in sorted(set(ids))]
        assert numbers.dtype == np.int64
