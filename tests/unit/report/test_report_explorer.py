"""The evidence explorer page and the report's audit trail, on the tiny study."""

from __future__ import annotations

from pathlib import Path

import lxml.html

from gtflow.config import load_config
from gtflow.report.steps import build_evidence_explorer
from gtflow.resources import template_dir


def page(path: Path):
    return lxml.html.parse(str(path)).getroot()


def test_every_code_and_edge_has_its_anchor_and_documents(built_report):
    dom = page(built_report["explorer"])
    ids = set(dom.xpath("//@id"))
    for anchor in ("code-a1", "code-A1", "code-AA1", "code-a2", "edge-A1-AA1", "edge-AA1-AA2",
                   "edge-AA1-AA2-source_only", "edge-AA1-AA2-target_only", "memo-M1"):
        assert anchor in ids, anchor
    a1 = dom.get_element_by_id("code-a1")
    assert [li.get("data-doc") for li in a1.xpath(".//li[@class='doc']")] == ["I01", "P01"]
    coding = a1.xpath(".//li[@class='coding']")[0]
    assert coding.text_content().endswith("I01 [6–22) · a1 · auto · auto · any:排名")
    # The edge's section lists its supporting documents only; contrary ones come after it.
    assert dom.get_element_by_id("edge-AA1-AA2").xpath(".//li[@class='doc']") == []
    assert len(dom.get_element_by_id("edge-AA1-AA2-source_only").xpath("./li")) == 2


def test_data_stays_text_and_nothing_external_is_named(built_report):
    text = built_report["explorer"].read_text(encoding="utf-8")
    dom = page(built_report["explorer"])
    assert len(dom.xpath("//script")) == 1 and not dom.xpath("//script[@src]")
    assert not dom.xpath("//*[@onerror] | //img | //link")
    assert "&lt;script&gt;document.title=" in text
    memo = dom.get_element_by_id("memo-M1")
    assert "<script>document.title='MEMO'</script>" in memo.text_content()
    assert all(h.startswith("#") for h in dom.xpath("//a/@href"))


def test_the_cap_shortens_lists_and_says_so(built_report, tmp_path):
    inputs = built_report["inputs"]
    config = load_config(Path(inputs.config_file))
    config["study"]["name"] = "tiny"
    config["report"]["evidence_per_code"] = 1
    out = tmp_path / "capped.html"
    build_evidence_explorer(evidence=inputs.evidence, negative_cases=inputs.negative_cases,
                            mechanisms_summary=inputs.mechanisms_summary,
                            codebook=inputs.codebook, model=inputs.model,
                            memos=list(inputs.memos), config=config,
                            templates=template_dir(), out=out)
    listed = page(out).get_element_by_id("edge-AA1-AA2-source_only")
    assert len(listed.xpath("./li")) == 1
    assert listed.getprevious().text_content().startswith("Showing the first 1 of 2 documents")


def test_the_report_links_counts_shows_contrary_cases_and_memos(built_report):
    qmd = built_report["qmd"].read_text(encoding="utf-8")
    assert "| [2](tiny_evidence.html#code-a1) |" in qmd
    assert "[0](tiny_evidence.html#edge-AA1-AA2) | [2](tiny_evidence.html#edge-AA1-AA2-source_only)" in qmd
    assert "AA1 → AA2 **more contrary than supporting**" in qmd
    html = page(built_report["html"])
    memo = html.get_element_by_id("memo-m1")
    assert "<script>document.title='MEMO'</script>" in memo.text_content()
    assert not html.xpath("//div[@id='memo-m1']//script | //div[@id='memo-m1']//h1")
    assert html.xpath("//details[@class='checksums']//table")
