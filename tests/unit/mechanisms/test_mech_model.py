"""Node evidence, edge support, weak flags and story lines on the hand-made study."""

from __future__ import annotations

import pytest
from mech_corpus import MODEL, codebook, codings, documents_and_segments

from gtflow.errors import InputError
from gtflow.mechanisms.cases import code_table, corpus_documents, evidence_codings, placed_codings
from gtflow.mechanisms.model import (
    code_evidence,
    edge_table,
    node_table,
    render_storyline,
    storyline_context,
)
from gtflow.mechanisms.presence import CodePresence


@pytest.fixture()
def evidence():
    documents, segments = documents_and_segments()
    docs = corpus_documents(documents)
    return CodePresence.index(
        evidence_codings(placed_codings(codings(segments), docs, codebook().hierarchy())))


def test_node_evidence(evidence):
    codes = code_table(codebook())
    nodes = node_table(MODEL, codes, code_evidence(evidence, codes)).set_index("node_id")
    assert nodes.loc["M1", ["documents", "interviews", "web_pages", "web_posts", "respondents",
                            "codings", "web_documents"]].tolist() == [5, 3, 1, 1, 2, 5, 2]
    assert nodes.loc["M2", ["documents", "interviews", "web_pages", "web_posts", "respondents",
                            "codings"]].tolist() == [3, 2, 1, 0, 2, 3]
    assert nodes.loc["K1", ["documents", "respondents", "codings"]].tolist() == [3, 2, 3]
    assert nodes.loc["K1", "level"] == "category" and nodes.loc["M1", "label_en"] == "Main one"
    assert nodes.loc["M2", "layer"] == "effect"


def test_edge_support_and_weak_flag(evidence):
    edges = edge_table(MODEL, evidence, code_table(codebook()), threshold=2)
    rows = {(r["from"], r["to"]): r for r in edges.to_dict("records")}
    m1 = rows[("M1", "M2")]
    assert (m1["documents"], m1["respondents"], m1["interviews"], m1["web_documents"]) == (3, 2, 2, 1)
    assert not m1["weak"] and m1["threshold"] == 2
    k2 = rows[("K2", "M2")]
    # No document holds both ends, but respondent R1 voices K2 in I2 and M2 in I1.
    assert (k2["documents"], k2["respondents"], k2["weak"]) == (0, 1, True)
    assert len(edges) == 3  # weak edges are flagged, never dropped


def test_storyline_is_filled(evidence):
    codes = code_table(codebook())
    by_code = code_evidence(evidence, codes)
    edges = edge_table(MODEL, evidence, codes, threshold=2)
    context = storyline_context({"n_documents": 5, "n_interviews": 3, "n_web_documents": 2},
                                by_code, edges)
    assert render_storyline(MODEL["storyline"], context, "config/model.yaml", "storyline") == \
        "共 5 份；M1 5；边 3/1"
    assert render_storyline(MODEL["storyline_en"], context, "m.yaml", "storyline_en") == \
        "3 interviews, 2 web"


@pytest.mark.parametrize("template", ['{{ node["ZZ9"].documents }}', "{{ n_docs }}",
                                      '{{ edge["M2->M1"].documents }}', "{{ ''.__class__ }}",
                                      "{{ n_documents "])
def test_bad_placeholder_is_an_input_error_naming_the_model(template):
    with pytest.raises(InputError, match="config/model.yaml: storyline"):
        render_storyline(template, {"n_documents": 1, "node": {}, "edge": {}},
                         "config/model.yaml", "storyline")


def random_evidence(seed: int, n_docs: int, n_codings: int):
    """Evidence codings of a random corpus: interviews of shared respondents, web pages and
    posts, every level of code, non-ASCII ids."""
    import random

    import pandas as pd

    rng = random.Random(seed)
    concepts = {"c1": "K1", "c2": "K1", "c3": "K2", "c4": "K3"}
    mains = {"K1": "M1", "K2": "M1", "K3": "M2"}
    docs = {}
    for i in range(n_docs):
        source = rng.choice(["interview", "web_page", "web_post"])
        doc_id = rng.choice(["D", "文"]) + str(i)
        case = rng.choice(["R1", "R2", "受访者3"]) if source == "interview" else doc_id
        docs[doc_id] = (source, case, "respondent" if source == "interview" else source)
    records = []
    for _ in range(n_codings):
        doc_id = rng.choice(sorted(docs))
        concept = rng.choice(sorted(concepts))
        records.append((doc_id, *docs[doc_id], concept, concepts[concept],
                        mains[concepts[concept]], "C"))
    frame = pd.DataFrame(records, columns=["doc_id", "source_type", "case_id", "case_type",
                                           "concept_id", "category_id", "main_category_id",
                                           "core_id"])
    return frame.sort_values(["doc_id", "concept_id"], kind="stable").reset_index(drop=True)


RANDOM_CODES = [("C", "core"), ("M1", "main_category"), ("M2", "main_category"),
                ("M3", "main_category"), ("K1", "category"), ("K2", "category"),
                ("K3", "category"), ("c1", "concept"), ("c2", "concept"), ("c3", "concept"),
                ("c4", "concept"), ("c9", "concept")]
RANDOM_MODEL = {"nodes": [{"id": n, "layer": "x"} for n in ("M1", "M2", "M3", "K1", "K3", "C")],
                "edges": [{"from": a, "to": b} for a, b in (
                    ("M1", "M2"), ("K1", "K3"), ("K1", "K1"), ("C", "M2"), ("M3", "M1"),
                    ("K3", "M1"), ("M1", "M2"))]}


@pytest.mark.parametrize(("seed", "n_docs", "n_codings"), [(0, 0, 0), (1, 1, 1), (2, 5, 12),
                                                           (3, 40, 300), (4, 300, 2000)])
def test_counts_match_the_former_frames_and_sets(seed, n_docs, n_codings):
    import pandas as pd
    import reference_model

    from gtflow.mechanisms.model import contrary_counts, negative_cases

    presence = CodePresence.index(random_evidence(seed, n_docs, n_codings))
    codes = pd.DataFrame(RANDOM_CODES, columns=["code_id", "level"])
    pd.testing.assert_frame_equal(code_evidence(presence, codes),
                                  reference_model.code_evidence(presence, codes))
    edges = edge_table(RANDOM_MODEL, presence, codes, threshold=3)
    pd.testing.assert_frame_equal(edges, reference_model.edge_table(RANDOM_MODEL, presence, codes,
                                                                    threshold=3))
    negative = negative_cases(RANDOM_MODEL, presence, codes)
    former = reference_model.negative_cases(RANDOM_MODEL, presence, codes)
    pd.testing.assert_frame_equal(negative, former)
    assert contrary_counts(edges, negative) == reference_model.contrary_counts(edges, former)
    if n_codings > 100:
        assert len(negative) and edges["respondents"].gt(0).any()
        assert code_evidence(presence, codes)["respondents"].gt(1).any()
