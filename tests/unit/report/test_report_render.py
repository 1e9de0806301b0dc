"""Rendering: one self-contained HTML file with hostile data shown as text; the PDF font check."""

from __future__ import annotations

import shutil
from pathlib import Path

import fixture_study
import lxml.html
import pytest

from gtflow.errors import ConfigError
from gtflow.report import render
from gtflow.report.render import choose_renderer, find_cjk_font, pandoc_markdown


def html_tree(path: Path):
    return lxml.html.parse(str(path)).getroot()


def test_html_is_one_self_contained_file(built_report: dict) -> None:
    tree = html_tree(built_report["html"])
    images = tree.xpath("//img")
    assert len(images) == 5  # saturation, validity, heatmap, timeline, model
    assert all(img.get("src", "").startswith("data:image/svg+xml") for img in images)
    assert not tree.xpath("//link[@rel='stylesheet']")  # CSS embedded
    assert tree.xpath("//style")


def test_hostile_post_appears_as_literal_text(built_report: dict) -> None:
    tree = html_tree(built_report["html"])
    assert not tree.xpath("//script")
    assert not tree.xpath("//*[@onerror]")
    assert not tree.xpath("//a[contains(@href, 'evil.example')]")
    assert not tree.xpath("//strong[text()='bold']")
    text = tree.text_content()
    for piece in ("<script>document.title='PWNED'</script>",
                  "<img src=x onerror=\"document.body.setAttribute('data-pwned','1')\">",
                  "**bold**", "[link](http://evil.example)", "{{< pagebreak >}}",
                  "| pipe # hash :::"):
        assert piece in text, piece


def test_sections_title_and_banner(built_report: dict) -> None:
    tree = html_tree(built_report["html"])
    ids = set(tree.xpath("//section/@id"))
    assert {"sec-overview", "sec-method", "sec-open-coding", "sec-reliability",
            "sec-saturation", "sec-cases", "sec-mechanisms", "sec-model",
            "sec-recommendations", "sec-appendix"} <= ids
    assert tree.xpath("//title")[0].text == "Tiny study: *test*"
    banner = tree.xpath("//div[contains(@class, 'callout-warning')]")[0].text_content()
    assert "SYNTHETIC demonstration data <b>written</b>" in banner


def test_chinese_report_renders(built_report_zh: dict) -> None:
    tree = html_tree(built_report_zh["html"])
    headings = [h.text_content() for h in tree.xpath("//h1")]
    assert "研究与资料概况" in headings and "可重复性附录" in headings
    assert tree.get("lang") == "zh-CN"


def test_pandoc_gets_only_its_own_front_matter() -> None:
    text = pandoc_markdown('---\ntitle: "T"\nlang: en\nformat:\n  html:\n    toc: true\n---\n\nBody\n')
    assert "format" not in text and 'title: "T"' in text and text.endswith("Body\n")


def test_renderer_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert choose_renderer("auto") == "pandoc"
    with pytest.raises(ConfigError, match="report.renderer.*quarto is not on PATH"):
        choose_renderer("quarto")
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/quarto")
    assert choose_renderer("auto") == "quarto"
    assert choose_renderer("pandoc") == "pandoc"


def test_no_cjk_font_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render, "fontconfig", lambda arguments: [])
    with pytest.raises(ConfigError, match="report.cjk_font.*fonts-noto-cjk"):
        find_cjk_font("")
    with pytest.raises(ConfigError, match="report.cjk_font"):
        find_cjk_font("No Such Font")


def test_font_preference(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = ["/f/a.ttc: Noto Serif CJK SC,Noto Serif CJK SC Medium",
             "/g/b.ttc: Noto Sans CJK SC,Noto Sans CJK SC Regular", "/h/c.ttf: AR PL UMing CN"]
    monkeypatch.setattr(render, "fontconfig", lambda arguments: lines)
    assert find_cjk_font("") == ("Noto Sans CJK SC", ["/g"])


@pytest.mark.skipif(not shutil.which("fc-list") or not render.cjk_fonts(),
                    reason="no CJK font installed (Debian: fonts-noto-cjk)")
def test_pdf_renders_with_a_cjk_font(built_report_zh: dict) -> None:
    pytest.importorskip("typst")
    pdf = built_report_zh["out"] / "tiny.pdf"
    family = render.render_pdf(built_report_zh["qmd"], pdf)
    assert pdf.read_bytes().startswith(b"%PDF") and family
    assert not list(built_report_zh["out"].glob("*.typ"))  # the intermediate is removed


def test_fixture_is_hostile() -> None:
    assert "<script>" in fixture_study.EVIL and "{{<" in fixture_study.EVIL
