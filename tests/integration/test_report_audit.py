"""The reviewer's audit trail on the built small study: counts link into the evidence explorer
and match codings.parquet, contrary cases match a recomputation, memos reach the report and the
exported .qdpx (and come back), and the zh and en PDFs keep every word on its page."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import lxml.html
import pandas as pd
import pytest

from gtflow.coding.codebook import load_codebook, load_model
from gtflow.memos import load_memos, memo_files
from gtflow.refi import import_into_study, read_project
from gtflow.report.layout import missing_words, overlapping_words, words_off_page
from gtflow.report.render import cjk_fonts
from gtflow.resources import template_dir

NAME = "pseudo_innovation_report"


def explorer_lists(study: Path) -> dict[str, int]:
    """Anchor id -> number of document items in the explorer under it."""
    page = lxml.html.parse(str(study / "reports" / f"{NAME}_evidence.html")).getroot()
    counts = {}
    for element in page.xpath("//*[@id]"):
        counts[element.get("id")] = len(element.xpath(".//li[contains(@class, 'doc')]"))
    return counts


def presence(study: Path) -> dict[str, set[str]]:
    """Code id -> kept documents where it or a concept below it is coded, from codings.parquet
    under the study's evidence mode (summary.json: which auto codings the mode left out)."""
    import json

    book = load_codebook(study / "config" / "codebook.yaml")
    documents = pd.read_parquet(study / "results" / "clean" / "documents.parquet")
    kept = set(documents.loc[documents["duplicate_of"].fillna("") == "", "doc_id"])
    codings = pd.read_parquet(study / "results" / "code" / "codings.parquet")
    summary = json.loads((study / "results" / "mechanisms" / "summary.json").read_text("utf-8"))
    auto = codings["coder"] == "auto"
    if summary["evidence_mode"] == "human":
        codings = codings[~auto]
    elif summary["evidence_mode"] == "validated":
        codings = codings[~(auto & codings["concept_id"].isin(summary["excluded_concepts"]))]
    found: dict[str, set[str]] = {}
    for doc, concept in zip(codings["doc_id"], codings["concept_id"]):
        if doc not in kept or concept not in book.by_id:
            continue
        category = book.by_id[concept]["parent"]
        for code in (concept, category, book.by_id[category]["parent"]):
            found.setdefault(code, set()).add(doc)
    return found


def test_every_count_links_to_a_list_of_as_many_documents_as_codings_parquet_says(
        built_small_study: Path) -> None:
    study = built_small_study
    report = lxml.html.parse(str(study / "reports" / f"{NAME}.html")).getroot()
    lists = explorer_lists(study)
    present = presence(study)
    links = [a for a in report.xpath("//a[@href]") if f"{NAME}_evidence.html#" in a.get("href")]
    assert len(links) > 100
    code_links = 0
    for link in links:
        if not link.text_content().replace(",", "").isdigit():
            continue  # a memo's "About" line links code ids, not counts
        anchor = link.get("href").split("#", 1)[1]
        assert anchor in lists, anchor
        shown = int(link.text_content().replace(",", ""))
        assert lists[anchor] == shown, anchor
        whole_code = re.fullmatch(r"code-([A-Za-z0-9_.]+)", anchor)
        if whole_code:
            assert shown == len(present.get(whole_code.group(1), set())), anchor
            code_links += 1
    book = load_codebook(study / "config" / "codebook.yaml")
    # Every concept's document count in the open-coding table is one of them.
    assert code_links >= len(book.concepts)


def test_contrary_cases_agree_with_a_recomputation_from_the_codings(built_small_study: Path) -> None:
    study = built_small_study
    book = load_codebook(study / "config" / "codebook.yaml")
    model = load_model(study / "config" / "model.yaml", book)
    present = presence(study)
    expected = set()
    for edge in model["edges"]:
        a, b = present.get(edge["from"], set()), present.get(edge["to"], set())
        key = f"{edge['from']}->{edge['to']}"
        expected |= {(key, d, "source_only") for d in a - b} | {(key, d, "target_only") for d in b - a}
    table = pd.read_csv(study / "results" / "mechanisms" / "negative_cases.csv", dtype=str)
    assert list(table.columns) == ["edge", "doc_id", "kind"]
    assert set(table.itertuples(index=False, name=None)) == expected
    assert expected  # the small study has contrary cases to show


def test_memos_are_in_the_report_the_explorer_and_the_exported_project(built_small_study: Path,
                                                                      tmp_path: Path) -> None:
    study = built_small_study
    book = load_codebook(study / "config" / "codebook.yaml")
    memos = load_memos([study / p for p in memo_files(study)], book,
                       load_model(study / "config" / "model.yaml", book)).memos
    assert len(memos) >= 8
    report = lxml.html.parse(str(study / "reports" / f"{NAME}.html")).getroot()
    explorer = lxml.html.parse(str(study / "reports" / f"{NAME}_evidence.html")).getroot()
    for memo in memos:
        assert report.xpath(f"//div[@id='memo-{memo.id.lower()}']"), memo.id
        assert explorer.xpath(f"//article[@id='memo-{memo.id}']"), memo.id
    project = read_project(study / "results" / "exports" / "project.qdpx")
    assert sorted(n.name for n in project.notes) == sorted(m.title for m in memos)
    imported = tmp_path / "reimported"
    import_into_study(study / "results" / "exports" / "project.qdpx", imported)
    back = {m.id: m for m in load_memos([imported / p for p in memo_files(imported)]).memos}
    for memo in memos:
        assert (back[memo.id].title, back[memo.id].date, back[memo.id].author,
                back[memo.id].body.strip()) == (memo.title, memo.date, memo.author,
                                                memo.body.strip())
        assert len(back[memo.id].codes) == len(memo.codes)
        assert len(back[memo.id].edges) == len(memo.edges)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_pdf_keeps_every_word_on_its_page_and_shows_every_concept(built_small_study: Path,
                                                                   tmp_path: Path,
                                                                   language: str) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed (Debian poppler-utils; .ci/run installs it)")
    if not cjk_fonts():
        pytest.skip("no CJK font (Debian fonts-noto-cjk; .ci/run installs it)")
    from gtflow.report.document import render_report_pdf, write_report_qmd

    study = built_small_study
    shutil.copytree(study / "reports" / "figures", tmp_path / "figures")
    qmd = tmp_path / f"{NAME}.qmd"
    write_report_qmd(context=study / "results" / "report" / "context.json",
                     templates=template_dir(), language=language, out=qmd)
    pdf = tmp_path / f"{NAME}.pdf"
    render_report_pdf(qmd=qmd, cjk_font="", out=pdf)
    assert words_off_page(pdf) == []
    book = load_codebook(study / "config" / "codebook.yaml")
    assert missing_words(pdf, [c["id"] for c in book.concepts]) == []
    # No text printed over text (the piled-up rows of a table that could not break). Two code
    # ids on top of each other are a figure's crowded point labels, not table rows; they are
    # left to that figure (the validity chart labels every concept).
    ids = set(book.by_id)
    piled = [o for o in overlapping_words(pdf) if not (o[1] in ids and o[2] in ids)]
    assert piled == []
