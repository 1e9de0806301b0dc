"""A tiny study's results, written to a folder, for the report tests (unit and browser).

Three documents: two interviews and one web post whose title and text carry hostile content —
a <script>, an <img onerror=...>, Markdown syntax and a Quarto shortcode — which must reach
the report as literal text.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import yaml

from gtflow import contracts
from gtflow.coding.codebook import check_codebook
from gtflow.coding.validity import COUNT_COLUMNS, with_code_means
from gtflow.config import complete_config
from gtflow.mechanisms.cases import code_table, corpus_documents, evidence_codings, placed_codings
from gtflow.mechanisms.listing import evidence_listing
from gtflow.mechanisms.model import contrary_counts, negative_cases
from gtflow.mechanisms.presence import CodePresence
from gtflow.report.inputs import ReportInputs

#: What the planted post says; the report must show it and never run it.
EVIL = ("<script>document.title='PWNED'</script> "
        "<img src=x onerror=\"document.body.setAttribute('data-pwned','1')\"> "
        "**bold** [link](http://evil.example) {{< pagebreak >}} | pipe # hash :::")
EVIL_TITLE = "<script>window.pwned=1</script>帖子 *title*"

CODEBOOK = {
    "version": 1, "language": "zh",
    "core": {"id": "CORE", "label": "核心", "label_en": "Core <b>category</b>",
             "definition": "核心定义", "definition_en": "Core definition"},
    "main_categories": [
        {"id": "AA1", "label": "压力", "label_en": "Pressure", "definition": "压力定义"},
        {"id": "AA2", "label": "后果", "label_en": "Outcome", "definition": "后果定义"}],
    "categories": [
        {"id": "A1", "parent": "AA1", "label": "上级压力", "label_en": "Pressure from above"},
        {"id": "A2", "parent": "AA2", "label": "负担", "label_en": "Burden"}],
    "concepts": [
        {"id": "a1", "parent": "A1", "label": "排名", "label_en": "Rankings",
         "rules": {"any": ["排名"]}},
        {"id": "a2", "parent": "A2", "label": "刷数据", "label_en": "Inflated figures",
         "rules": {"any": ["刷"]}}],
}

MODEL = {
    "layers": [{"id": "mechanism", "label": "机制", "label_en": "Mechanisms"},
               {"id": "outcome", "label": "结果", "label_en": "Outcome"}],
    "nodes": [{"id": "A1", "layer": "mechanism"}, {"id": "AA1", "layer": "mechanism"},
              {"id": "AA2", "layer": "outcome"}],
    "edges": [{"from": "A1", "to": "AA1", "relation": "构成", "relation_en": "makes up"},
              {"from": "AA1", "to": "AA2", "relation": "扭曲", "relation_en": "distorts"}],
    "storyline": "共 {{ n_documents }} 份资料，压力 {{ node[\"AA1\"].documents }} 份。",
    "storyline_en": "{{ n_documents }} documents; pressure in {{ node[\"AA1\"].documents }}.",
    "recommendations": [{"id": "R1", "title": "减压", "title_en": "Relieve pressure",
                         "text": "建议正文", "text_en": "Recommendation text",
                         "measures": ["措施一"], "measures_en": ["Measure one"],
                         "targets": ["AA1"]}],
}

TEXTS = {
    "I01": "问：压力大吗？答：排名压力很大，每周都排名。",
    "I02": "答：我们只能刷数据，排名靠后要挨批。",
    "P01": EVIL + " 排名 刷数据",
}


#: An analytic memo whose body tries HTML, a shortcode and a heading; it must stay text.
MEMO = """---
id: M1
title: "Pressure <b>memo</b>"
date: 2021-05-01
author: coder_a
codes: [a1, AA1]
edges: ["AA1->AA2"]
synthetic: true
---

Rankings *drive* the pressure. <script>document.title='MEMO'</script> {{< pagebreak >}}
# not a heading
"""


def write_evidence_tables(results: Path, documents: str, codings: str) -> dict[str, str]:
    """evidence.csv and negative_cases.csv computed by the library from the tiny codings."""
    book = check_codebook(CODEBOOK, "config/codebook.yaml")
    kept = corpus_documents(contracts.read_table("documents", documents))
    evidence = evidence_codings(placed_codings(contracts.read_table("codings", codings), kept,
                                               book.hierarchy()))
    codes = code_table(book)
    texts = {doc_id: TEXTS[doc_id] for doc_id in kept["doc_id"]}
    paths = {"evidence": str(results / "evidence.csv"),
             "negative_cases": str(results / "negative_cases.csv")}
    contracts.write_table("evidence", evidence_listing(evidence, codes, MODEL, texts, 40),
                          paths["evidence"])
    contracts.write_table("negative_cases", negative_cases(MODEL, CodePresence.index(evidence), codes),
                          paths["negative_cases"])
    return paths


AGREEMENT_ROW = {
    "level": "concept", "concept_id": "a1", "n_units": 3, "n_positive_units": 2,
    "positive_agreement": 0.8, "cohen_kappa": 0.8, "gwet_ac1": 0.85, "ac1_ci_low": 0.6,
    "ac1_ci_high": 1.0, "krippendorff_alpha": 0.79, "alpha_ci_low": 0.5, "alpha_ci_high": 1.0,
    "ci_resamples": 100, "alpha_ci_usable": 97, "enough_positive": True,
}
#: (code, reference) -> (n_auto, n_reference, n_both): a1 passes the 0.5 bar, a2 fails it.
VALIDITY_COUNTS = {("a1", "coder_a"): (5, 5, 4), ("a1", "coder_b"): (5, 3, 3),
                   ("a1", "consensus"): (4, 3, 3), ("a2", "coder_a"): (4, 2, 1),
                   ("a2", "coder_b"): (4, 1, 0), ("a2", "consensus"): (3, 1, 0)}


def validity_rows() -> list[dict]:
    """validity.csv of the tiny study: concepts, categories and main categories (one concept
    each, so the same counts) and the pooled rows, with the code stage's per-code means and
    status (bar 0.5)."""
    rows = []
    levels = {"concept": {"a1": "a1", "a2": "a2"}, "category": {"a1": "A1", "a2": "A2"},
              "main_category": {"a1": "AA1", "a2": "AA2"}}
    for level, codes in levels.items():
        for reference in ("coder_a", "coder_b", "consensus"):
            totals = [0, 0, 0]
            for concept, code in codes.items():
                auto, ref, both = VALIDITY_COUNTS[(concept, reference)]
                totals = [totals[0] + auto, totals[1] + ref, totals[2] + both]
                rows.append(validity_row(level, code, reference, auto, ref, both))
            rows.append(validity_row(level, "__overall__", reference, *totals))
    return with_code_means(pd.DataFrame(rows, columns=COUNT_COLUMNS), 0.5).to_dict("records")


def validity_row(level: str, code: str, reference: str, auto: int, ref: int, both: int) -> dict:
    return {"level": level, "code_id": code, "reference": reference, "n_documents": 2,
            "n_auto": auto, "n_reference": ref, "n_both": both,
            "precision": both / auto, "recall": both / ref, "f1": 2 * both / (auto + ref),
            "human_f1": 0.7}


def write(results: Path, name: str, rows: list[dict], extra: tuple[str, ...] = ()) -> str:
    """Table ``name`` built from ``rows`` through its declaration, written where it belongs."""
    path = results / Path(contracts.table(name).path).name
    contracts.write_table(name, contracts.frame(name, rows, extra=extra), path)
    return str(path)


def write_study(root: Path) -> ReportInputs:
    """Write the tiny study under ``root``; return the report's inputs."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "config").mkdir(exist_ok=True)
    (root / "data").mkdir(exist_ok=True)
    codebook = root / "config" / "codebook.yaml"
    codebook.write_text(yaml.safe_dump(CODEBOOK, allow_unicode=True), encoding="utf-8")
    model = root / "config" / "model.yaml"
    model.write_text(yaml.safe_dump(MODEL, allow_unicode=True), encoding="utf-8")
    config_file = root / "config" / "config.yaml"
    config_file.write_text("study:\n  name: tiny\n", encoding="utf-8")
    (root / "data" / "memos").mkdir(exist_ok=True)
    memo = root / "data" / "memos" / "M1.md"
    memo.write_text(MEMO, encoding="utf-8")
    card = root / "data" / "README.md"
    card.write_text("# Data card\n\nAll material here is SYNTHETIC demonstration data "
                    "<b>written</b> for tests.\nNo real persons.\n\n## Sources\n\nMore.\n",
                    encoding="utf-8")
    results = root / "results"
    results.mkdir(exist_ok=True)
    documents = [
        {"doc_id": "I01", "source_type": "interview", "title": "I01", "date": "2021-03-01",
         "author": "INT", "respondent_id": "R01", "lang": "zh", "sha256_raw": "a" * 64,
         "raw_path": "data/raw/interviews/I01.md"},
        {"doc_id": "I02", "source_type": "interview", "title": "I02", "date": "2021-04-01",
         "author": "INT", "respondent_id": "R02", "lang": "zh", "sha256_raw": "b" * 64,
         "raw_path": "data/raw/interviews/I02.md"},
        {"doc_id": "P01", "source_type": "web_post", "title": EVIL_TITLE, "date": "2020-01-05",
         "author": "u1", "url": "http://x.example/1", "lang": "zh", "sha256_raw": "c" * 64,
         "raw_path": "data/raw/web/posts/p.jsonl"},
    ]
    for document in documents:
        text = TEXTS[document["doc_id"]]
        document.update(n_chars=len(text), n_segments=1)
    evil_at = TEXTS["P01"].index("排名")
    a1_quote = {"doc_id": "P01", "start": 0, "end": evil_at + 2,
                "quote": TEXTS["P01"][:evil_at + 2]}
    case = {"case_type": "respondent", "source_type": "interview", "n_documents": 1}
    paths = {
        "documents": write(results, "documents", documents),
        "segments": write(results, "segments", [
            {"doc_id": d, "seg_id": 1, "start": 0, "end": len(t), "text": t}
            for d, t in TEXTS.items()]),
        "codings": write(results, "codings", [
            {"doc_id": "I01", "seg_id": 1, "start": 6, "end": 22, "concept_id": "a1",
             "coder": "auto", "origin": "auto", "rule": "any:排名", "category_id": "A1",
             "main_category_id": "AA1"},
            {"doc_id": "I02", "seg_id": 1, "start": 2, "end": 18, "concept_id": "a2",
             "coder": "auto", "origin": "auto", "rule": "any:刷", "category_id": "A2",
             "main_category_id": "AA2"},
            {"doc_id": "P01", "seg_id": 1, "start": 0, "end": evil_at + 2, "concept_id": "a1",
             "coder": "coder_a", "origin": "csv", "category_id": "A1",
             "main_category_id": "AA1"}]),
        "respondents": write(results, "respondents", [
            {"respondent_id": "R01", "pseudonym": "[P01]", "role": "干部 cadre",
             "level": "县 county"},
            {"respondent_id": "R02", "pseudonym": "[P02]", "role": "群众 resident",
             "level": "村 village"}]),
        "duplicates": write(results, "duplicates", []),
        "anchoring": write(results, "anchoring", [
            {"source": "data/coding/coder_a.csv", "line": 2, "doc_id": "P01", "concept_id": "a1",
             "coder": "coder_a", "status": "ok"}]),
        "agreement": write(results, "agreement", [
            {**AGREEMENT_ROW, "concept_id": "__overall__"}, {**AGREEMENT_ROW, "concept_id": "a1"},
            {**AGREEMENT_ROW, "concept_id": "a2", "n_positive_units": 1,
             "enough_positive": False}]),
        "disagreements": write(results, "disagreements", [
            {"doc_id": "P01", "seg_id": 1, "text": EVIL, "coder_a": "a1", "coder_b": ""}]),
        "curves": write(results, "curves", [
            {"level": "concept", "position": i + 1, "doc_id": d, "new_codes": n, "cumulative": c,
             "band_low": c - 1, "band_median": c, "band_high": c}
            for i, (d, n, c) in enumerate([("I01", 1, 1), ("I02", 1, 2)])]),
        "holdout": write(results, "holdout", []),
        "holdout_reference": write(results, "holdout_reference", []),
        "guest_sensitivity": write(results, "guest_sensitivity", []),
        "case_by_main_category": write(results, "case_by_main_category", [
            {"case_id": "R01", **case, "AA1": 1, "AA2": 0},
            {"case_id": "R02", **case, "AA1": 0, "AA2": 1},
            {"case_id": "P01", "case_type": "web_post", "source_type": "web_post",
             "n_documents": 1, "AA1": 1, "AA2": 0}]),
        "cooccurrence": write(results, "cooccurrence", []),
        "nodes": write(results, "nodes", [
            {"node_id": "A1", "documents": 2, "interviews": 1, "respondents": 1,
             "web_documents": 1},
            {"node_id": "AA1", "documents": 2, "interviews": 1, "respondents": 1,
             "web_documents": 1},
            {"node_id": "AA2", "documents": 1, "interviews": 1, "respondents": 1,
             "web_documents": 0}]),
        "edges": write(results, "edges", [
            {"from": "A1", "to": "AA1", "documents": 2, "interviews": 1, "weak": False,
             "threshold": 3},
            {"from": "AA1", "to": "AA2", "documents": 0, "interviews": 0, "weak": True,
             "threshold": 3}]),
        "quotes": write(results, "quotes", [
            {"item_type": "concept", "item_id": "a1", "rank": 1, **a1_quote},
            {"item_type": "node", "item_id": "AA1", "rank": 1, "doc_id": "I01", "start": 6,
             "end": 22, "quote": TEXTS["I01"][6:22]}]),
        "concept_quotes": write(results, "concept_quotes", [
            {"concept_id": "a1", "rank": 1, **a1_quote}]),
        "recommendations": write(results, "recommendations", [
            {"rec_id": "R1", "targets": "AA1", "target_evidence_documents": 2,
             "target_strengths": "AA1=weak", "strength": "weak"}]),
        "validity": write(results, "validity", validity_rows()),
        "rule_audit": write(results, "rule_audit", [
            {"concept_id": "a2", "kind": "auto_only", "doc_id": "P01", "seg_id": 1, "start": 0,
             "end": len(TEXTS["P01"]), "rule": "any:刷", "phrase": "刷", "coders": "coder_a",
             "text": EVIL},
            {"concept_id": "a1", "kind": "human_only", "doc_id": "I02", "seg_id": 1, "start": 2,
             "end": 18, "coders": "coder_a;coder_b", "text": TEXTS["I02"][2:18]}]),
        "rule_phrases": write(results, "rule_phrases", [
            {"concept_id": "a2", "rule": "any:刷", "phrase": "刷", "n_fired": 4,
             "n_confirmed": 1, "n_misfired": 3, "misfire_rate": 0.75},
            {"concept_id": "a1", "rule": "any:排名", "phrase": "排名", "n_fired": 5,
             "n_confirmed": 4, "n_misfired": 1, "misfire_rate": 0.2}]),
        "review": write(results, "review", [
            {"doc_id": "I01", "seg_id": 1, "start": 6, "end": 22, "concept_id": "a1",
             "rule": "any:排名", "decision": "accepted", "reviewer": "coder_c",
             "review_file": "coder_c.qdpx"},
            {"doc_id": "I02", "seg_id": 1, "start": 2, "end": 18, "concept_id": "a2",
             "rule": "any:刷", "decision": "rejected", "reviewer": "coder_c",
             "review_file": "coder_c.qdpx"}]),
    }
    for name, value in {
        "reliability_summary": {"assessed": True, "coders": ["coder_a", "coder_b"],
                                "n_units": 3, "n_documents": 1, "bootstrap": 100,
                                "n_reviewed_empty": 0, "min_positive_units": 5},
        "saturation_summary": {
            "documents": ["I01", "I02"], "sources": ["interview"],
            "settings": {"base_size": 1, "run_length": 1, "threshold": 0.05,
                         "francis_initial": 1, "francis_stop": 1, "permutations": 10},
            "coders": ["coder_a", "coder_b"],
            "levels": {"concept": {
                "codes": 2, "francis_stop_at": None,
                "guest": {"saturated": True, "point": "1+1", "k": 1, "documents": 2, "run_length": 1,
                          "base_size": 1, "codes_in_base": 2, "new_in_run": 0,
                          "new_share": 0.0, "share_of_all_codes": 1.0},
                "guest_orders": {"orders": 10, "saturated_orders": 9, "median": 2,
                                 "low": 2, "high": None},
                "guest_runs": [], "chao2": {"s_obs": 2, "chao2": 3.0, "se": 1.2,
                                            "ci_low": 2.1, "ci_high": 9.5,
                                            "m": 2, "q1": 2, "q2": 0}},
                "category": {"codes": 1, "francis_stop_at": None, "guest": {},
                             "chao2": {"s_obs": 1, "chao2": None, "m": 1}}},
            "holdout": {"documents": ["I02"], "new_items": 0, "alpha": 0.05,
                        "by_level": {"concept": {
                            "n_items": 2, "n_holdout_docs": 1, "observed": 0,
                            "random_mean": 0.5, "share_random_le_observed": 0.5,
                            "random_holdouts": 1000,
                            "verdict": "not_fewer_than_chance"}}}},
        "mechanisms_summary": {
            "n_documents": 3, "weak_edge_threshold": 3,
            "storyline": "共 3 份资料，压力 2 份。", "storyline_en": "3 documents; pressure in 2.",
            "evidence_mode": "validated", "n_codings_excluded": 1,
            "n_codings_all": 3, "excluded_concepts": ["a2"],
            "unvalidated_concepts": [], "n_unvalidated_codings": 0,
            "evidence_rule": "Human codings count, and passing auto codings.",
            "edges_support_changed": [{"edge": "AA1->AA2", "documents_all": 1,
                                       "documents": 0, "weak_all": True, "weak": True}]},
    }.items():
        target = results / f"{name}.json"
        target.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
        paths[name] = str(target)
    paths.update(write_evidence_tables(results, paths["documents"], paths["codings"]))
    add_contrary_counts(paths["mechanisms_summary"], paths["edges"], paths["negative_cases"])
    return ReportInputs(**paths, codebook=str(codebook), model=str(model),
                        config_file=str(config_file), data_card=str(card), memos=(str(memo),))


def add_contrary_counts(summary: str, edges: str, negative: str) -> None:
    """The mechanisms summary's per-edge contrary counts, as the stage computes them."""
    value = json.loads(Path(summary).read_text(encoding="utf-8"))
    value["contrary"] = contrary_counts(contracts.read_table("edges", edges),
                                        contracts.read_table("negative_cases", negative))
    Path(summary).write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")


def tiny_config(language: str = "en") -> dict:
    """A complete configuration for the tiny study."""
    return complete_config({"study": {"name": "tiny", "title": "小研究 <i>t</i>",
                                      "title_en": "Tiny study: *test*"},
                            "report": {"language": language}})


def build_report(root: Path, language: str = "en") -> dict[str, Path]:
    """Context, figures, .qmd and HTML of the tiny study under ``root``; their paths."""
    from gtflow.report.document import render_report_html, write_report_qmd
    from gtflow.report.steps import build_evidence_explorer, build_report_context
    from gtflow.resources import template_dir

    templates = template_dir()
    inputs = write_study(root)
    out = root / "reports"
    outputs = {"context": str(root / "results" / "context.json"),
               **{f"{name}_svg": str(out / "figures" / f"{name}.svg")
                  for name in ("saturation", "heatmap", "timeline", "model", "validity")}}
    build_report_context(inputs=inputs, config=tiny_config(language), templates=templates,
                         outputs=outputs)
    qmd, html = out / "tiny.qmd", out / "tiny.html"
    write_report_qmd(context=outputs["context"], templates=templates, language=language, out=qmd)
    render_report_html(qmd=qmd, css=templates / "report.css", renderer="pandoc", out=html)
    explorer = out / "tiny_evidence.html"
    build_evidence_explorer(evidence=inputs.evidence, negative_cases=inputs.negative_cases,
                            mechanisms_summary=inputs.mechanisms_summary,
                            codebook=inputs.codebook, model=inputs.model,
                            memos=list(inputs.memos), config=tiny_config(language),
                            templates=templates, out=explorer)
    return {"context": Path(outputs["context"]), "qmd": qmd, "html": html, "out": out,
            "explorer": explorer, "inputs": inputs}
