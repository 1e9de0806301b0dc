"""The report's validity section, evidence-mode notes and rule-audit appendix (tiny study)."""

from __future__ import annotations

import json

import pandas as pd
from fixture_study import EVIL

from gtflow.coding.codebook import check_codebook
from gtflow.report.validity import validity_section


def test_the_section_shows_each_level_the_flag_and_the_figure(built_report):
    qmd = built_report["qmd"].read_text(encoding="utf-8")
    section = qmd.split("# How far the rules can be trusted", 1)[1].split("\n# ", 1)[0]
    # One sentence per level, each naming every reference.
    for level in ("Concept level:", "Category level:", "Main category level:"):
        sentence = next(line for line in section.splitlines() if level in line)
        assert all(r in sentence for r in ("coder\\_a", "coder\\_b", "consensus"))
    # a1: F1 2·4/(5+5) = 0.80 against coder_a; a2 fails the bar (mean of 1/3 and 0).
    a1 = next(line for line in section.splitlines() if line.startswith("| a1 "))
    assert "| 0\\.80 |" in a1 and "passes" in a1
    a2 = next(line for line in section.splitlines() if line.startswith("| a2 "))
    assert "below bar" in a2 and "| 0\\.17 |" in a2
    assert "1 of the 2 concepts with rules" in section
    assert "figures/validity.svg" in section
    assert (built_report["out"] / "figures" / "validity.svg").read_text().lstrip().startswith("<svg")
    assert "coder\\_c (coder\\_c\\.qdpx): 1 accepted, 1 rejected" in section


def test_the_mechanism_tables_say_the_evidence_mode_and_what_it_excluded(built_report):
    qmd = built_report["qmd"].read_text(encoding="utf-8")
    assert "Evidence mode “validated”" in qmd and "left out 1 of 3" in qmd
    assert "lose support: AA1\\-&gt;AA2 1 → 0 documents." in qmd
    paragraph = qmd.split("Evidence mode", 1)[1].split("\n\n", 1)[0]
    assert "do not count" in paragraph and "| Layer |" not in paragraph
    for caption in ("Evidence for the model's nodes", "Evidence for the model's edges",
                    "Mechanisms targeted by R1"):
        line = next(line for line in qmd.splitlines() if line.startswith(f": {caption}"))
        assert "evidence mode validated; codings excluded: 1" in line


def test_the_audit_appendix_ranks_phrases_and_shows_escaped_examples(built_report):
    qmd = built_report["qmd"].read_text(encoding="utf-8")
    appendix = qmd.split("# Appendix: rule audit", 1)[1].split("\n# ", 1)[0]
    rows = [line for line in appendix.splitlines() if line.startswith("| a")]
    assert rows[0].startswith("| a2 | any\\:刷 | 4 | 3 | 75\\.0\\% |")
    assert "<script>" not in appendix and "script" in appendix
    html = built_report["html"].read_text(encoding="utf-8")
    assert "<script>document.title" not in html
    context = json.loads(built_report["context"].read_text(encoding="utf-8"))
    assert context["validity"]["audit"]["examples"][0]["text"] == EVIL


def test_without_human_codings_the_section_says_so():
    book = check_codebook({"core": {"id": "C", "label": "c"}, "main_categories": [],
                           "categories": [], "concepts": []}, "codebook.yaml")
    section = validity_section(pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), pd.DataFrame(),
                               {}, book, 0.5, {})
    assert section["assessed"] is False and section["concepts"] == []
