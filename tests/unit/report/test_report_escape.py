"""The one escaping path: data becomes literal text in pandoc/Quarto Markdown and in SVG."""

from __future__ import annotations

import math

import pytest

from gtflow.report.escape import Markdown, escape_markdown, escape_xml, plain_text


def test_html_becomes_character_references() -> None:
    assert escape_markdown("<script>") == "&lt;script&gt;"
    assert escape_markdown("a & b") == "a &amp; b"


def test_markdown_syntax_is_backslash_escaped() -> None:
    assert escape_markdown("**x** [l](u) # _y_ |") == r"\*\*x\*\* \[l\]\(u\) \# \_y\_ \|"


def test_quarto_shortcode_cannot_survive() -> None:
    escaped = escape_markdown("{{< pagebreak >}}")
    assert "{{<" not in escaped and "{{" not in escaped
    assert escaped == r"\{\{&lt; pagebreak &gt;\}\}"


def test_fenced_div_and_attributes_are_broken() -> None:
    assert escape_markdown("::: {.x}") == r"\:\:\: \{\.x\}"


def test_whitespace_collapses_to_one_line() -> None:
    assert escape_markdown("  a\n\n  b\tc ") == "a b c"


@pytest.mark.parametrize("value", [None, float("nan")])
def test_missing_values_are_empty(value: object) -> None:
    assert escape_markdown(value) == ""


def test_numbers_and_cjk() -> None:
    assert escape_markdown(0.5) == r"0\.5"
    assert escape_markdown("“创新”。") == "“创新”。"


def test_escaping_is_not_applied_twice() -> None:
    once = escape_markdown("*a*")
    assert isinstance(once, Markdown)
    assert escape_markdown(once) == once


def test_control_characters_are_dropped() -> None:
    assert plain_text("a\x00b\x1b") == "ab"
    assert math.isnan(float("nan"))  # sanity for the NaN case above


def test_xml_escape_for_svg() -> None:
    assert escape_xml('<a href="x">&</a>') == "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"
