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
