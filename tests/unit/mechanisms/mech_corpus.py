"""A tiny hand-made study for the mechanisms tests (expected counts are worked out by hand).

Codebook: core C; main categories M1 (categories K1, K2), M2 (category K3);
concepts c1 -> K1, c2 -> K2, c3 -> K3.

Documents (a sentence per string; turns group sentences):
  I1 interview, respondent R1   turn 0: s1 {c1 auto + c1 coder_a}, s2 {c3}
  I2 interview, respondent R1   turn 0: s1 {c2}
  I3 interview, respondent R2   turn 0: s1 {c1, c3}
  P1 web page                   turn 0: s1 {c3}; turn 1: s2 {c1}
  Q1 web post                   turn 0: s1 {c2}
  Q2 web post, duplicate of Q1  turn 0: s1 {c2}   (left out everywhere)
"""

from __future__ import annotations

import pandas as pd

from gtflow import contracts
from gtflow.coding.codebook import Codebook, check_codebook

RAW_CODEBOOK = {
    "version": 1, "language": "zh",
    "core": {"id": "C", "label": "核心", "label_en": "Core"},
    "main_categories": [{"id": "M1", "label": "主一", "label_en": "Main one"},
                        {"id": "M2", "label": "主二", "label_en": "Main two"}],
    "categories": [{"id": "K1", "parent": "M1", "label": "类一", "label_en": "Cat one"},
                   {"id": "K2", "parent": "M1", "label": "类二", "label_en": "Cat two"},
                   {"id": "K3", "parent": "M2", "label": "类三", "label_en": "Cat three"}],
    "concepts": [{"id": "c1", "parent": "K1", "label": "概念一", "label_en": "Concept one"},
                 {"id": "c2", "parent": "K2", "label": "概念二", "label_en": "Concept two"},
                 {"id": "c3", "parent": "K3", "label": "概念三", "label_en": "Concept three"}],
}

MODEL = {
    "layers": [{"id": "cause"}, {"id": "effect"}],
    "nodes": [{"id": "M1", "layer": "cause"}, {"id": "K1", "layer": "cause"},
              {"id": "K2", "layer": "cause"}, {"id": "M2", "layer": "effect"}],
    "edges": [{"from": "M1", "to": "M2", "relation": "导致", "relation_en": "leads to"},
              {"from": "K1", "to": "M2", "relation": "", "relation_en": ""},
              {"from": "K2", "to": "M2", "relation": "", "relation_en": ""}],
    "storyline": "共 {{ n_documents }} 份；M1 {{ node[\"M1\"].documents }}；"
                 "边 {{ edge[\"M1->M2\"].documents }}/{{ edge[\"K2->M2\"].respondents }}",
    "storyline_en": "{{ n_interviews }} interviews, {{ n_web_documents }} web",
    "recommendations": [{"id": "R1", "title": "建议一", "title_en": "One", "targets": ["M1", "M2"]},
                        {"id": "R2", "title": "建议二", "title_en": "Two", "targets": ["K2"]}],
}

SETTINGS = {"weak_edge_threshold": 2, "quotes_per_item": 2, "quote_min_chars": 4,
            "quote_max_chars": 40, "evidence_quote_chars": 200}

# doc_id -> (source_type, respondent_id, duplicate_of, [turns of sentences])
DOCS = {
    "I1": ("interview", "R1", "", [["权责失衡，乡镇兜底。", "上面压下来的任务太多了。"]]),
    "I2": ("interview", "R1", "", [["层层加码到了村里。"]]),
    "I3": ("interview", "R2", "", [["属地责任无限，考核排名压力很大。"]]),
    "P1": ("web_page", "", "", [["通报排名倒数的乡镇。"], ["事权财权不匹配的问题。"]]),
    "Q1": ("web_post", "", "", [["下载任务分到每个人头上。"]]),
    "Q2": ("web_post", "", "Q1", [["下载任务分到每个人头上。"]]),
}

# (doc_id, sentence number, concept_id, coder, origin)
CODINGS = [
    ("I1", 1, "c1", "auto", "auto"), ("I1", 1, "c1", "coder_a", "csv"), ("I1", 2, "c3", "auto", "auto"),
    ("I2", 1, "c2", "auto", "auto"),
    ("I3", 1, "c1", "auto", "auto"), ("I3", 1, "c3", "auto", "auto"),
    ("P1", 1, "c3", "auto", "auto"), ("P1", 2, "c1", "auto", "auto"),
    ("Q1", 1, "c2", "auto", "auto"),
    ("Q2", 1, "c2", "auto", "auto"),
]


def codebook() -> Codebook:
    return check_codebook(RAW_CODEBOOK, "config/codebook.yaml")


def clean_texts() -> dict[str, str]:
    """doc_id -> clean text of every document (what gtflow.clean.texts.CleanTexts gives)."""
    return dict(corpus()[2])


def documents_and_segments() -> tuple[pd.DataFrame, pd.DataFrame]:
    """documents and sentence segments with offsets into the clean texts."""
    documents, segments, _ = corpus()
    return documents, segments


def corpus() -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    documents, segments, texts = [], [], {}
    for doc_id, (source, respondent, duplicate, turns) in DOCS.items():
        text, seg_id = "", 0
        for turn, sentences in enumerate(turns):
            for sentence in sentences:
                seg_id += 1
                segments.append({"doc_id": doc_id, "seg_id": seg_id, "turn": turn,
                                 "start": len(text), "end": len(text) + len(sentence),
                                 "text": sentence})
                text += sentence
            text += "\n"
        documents.append({"doc_id": doc_id, "source_type": source, "respondent_id": respondent,
                          "duplicate_of": duplicate})
        texts[doc_id] = text
    return contracts.frame("documents", documents), contracts.frame("segments", segments), texts


def codings(segments: pd.DataFrame) -> pd.DataFrame:
    spans = segments.set_index(["doc_id", "seg_id"])
    rows = []
    for doc_id, seg_id, concept, coder, origin in CODINGS:
        span = spans.loc[(doc_id, seg_id)]
        rows.append({"doc_id": doc_id, "seg_id": seg_id, "start": int(span["start"]),
                     "end": int(span["end"]), "concept_id": concept, "coder": coder,
                     "origin": origin, "rule": ""})
    return contracts.frame("codings", rows)
