"""The report document's jobs as the workflow calls them: the .qmd from the context, and its
HTML and PDF.

Kept apart from :mod:`gtflow.report.steps` so that these short jobs, on the report's critical
path, load neither pandas nor the tables' code: importing them cost each job about 0.6 s, longer
than its work.
"""

from __future__ import annotations

import json
from pathlib import Path

from gtflow.io import write_text
from gtflow.report.qmd import render_qmd
from gtflow.report.render import render_html, render_pdf


def write_report_qmd(*, context: str | Path, templates: str | Path, language: str,
                     out: str | Path) -> None:
    """The report's .qmd in the configured language."""
    value = json.loads(Path(context).read_text(encoding="utf-8"))
    write_text(out, render_qmd(value, templates, language))


def render_report_html(*, qmd: str | Path, css: str | Path | None, renderer: str,
                       out: str | Path) -> None:
    """One self-contained HTML file."""
    render_html(qmd, out, renderer=renderer, css=css)


def render_report_pdf(*, qmd: str | Path, cjk_font: str, out: str | Path) -> None:
    """The PDF (pandoc → Typst) with a checked CJK font."""
    render_pdf(qmd, out, cjk_font=cjk_font)
