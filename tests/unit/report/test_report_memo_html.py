"""Memo bodies converted in one pandoc process give what one pandoc run per body gave (the
former memo_body_html): headings, lists, code, footnotes, tables, raw HTML shown as text,
quotes left straight, line breaks of every kind, empty bodies, unicode beyond the BMP."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from fixture_study import MEMO

from gtflow.memos import parse_memo
from gtflow.report.explorer import memo_bodies_html
from gtflow.report.render import pandoc_path

DEMO_MEMOS = sorted((Path(__file__).resolve().parents[3] / "data" / "memos").glob("*.md"))
BODIES = [
    "# Same\n\n## Same\n\ntext *em* **strong** `code` [link](http://x.example) <b>raw</b>",
    "- a\n- b\n\n1. one\n2. two\n\n```python\nx = 1\n\ty = 2\n```\n\nfoo[^1]\n\n[^1]: a note",
    "| a | b |\n|---|---|\n| 1 | 2 |\n\n> quoted \"straight\" 'quotes' -- dashes...",
    "line one\r\nline two\r\n\r\nthird\rfourth",
    "", "   ", "\n\n", "<script>alert(1)</script> {{< pagebreak >}}\n\n# not a heading?",
    "平安 😀 emoji \u00a0nbsp\u2028sep", "mail me: a@b.example <http://auto.example>",
    "---\ntitle: inner\n---\n\nafter a metadata block", "$x^2$ and \\(y\\)\n\nTerm\n:   definition",
    "![img](pic.png)\n\n| line\n| block", "trailing  \nbreak\\\nother",
    "\tcode by tab\n\n平安\tx\ta\tb\r\tc\n- item\n\n\tmore",
    "a\u0301\tb 😀\tc\n\n    ```\n\tx\n    ```", "x\r\n\ty\r\n",
]


def former_html(body: str) -> str:
    """One pandoc run per body, as the explorer converted memos before."""
    return subprocess.run([pandoc_path(), "-f", "markdown-raw_html-raw_attribute-smart",
                           "-t", "html5", "--wrap=none"], input=body, text=True,
                          capture_output=True, check=True).stdout


def test_every_body_is_converted_as_on_its_own() -> None:
    memos = [parse_memo(MEMO, "m.md")] + [parse_memo(p.read_text(encoding="utf-8"), p)
                                          for p in DEMO_MEMOS]
    assert len(memos) > 5
    bodies = BODIES + [m.body for m in memos]
    assert memo_bodies_html(bodies) == [former_html(body) for body in bodies]


@pytest.mark.parametrize("bodies", [[], ["only *one*"]])
def test_no_or_one_body(bodies: list[str]) -> None:
    assert memo_bodies_html(bodies) == [former_html(body) for body in bodies]
