"""The report stage as the workflow calls it: context + figures, .qmd, HTML, PDF."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd

from gtflow.contracts import read_table
from gtflow.io import write_json, write_text
from gtflow.report import figures
from gtflow.report.context import build_context
from gtflow.report.diagram import model_svg
from gtflow.report.inputs import ReportInputs
from gtflow.report.qmd import load_labels, render_qmd
from gtflow.report.render import render_html, render_pdf
from gtflow.report.sections.mechanisms import heatmap_cases
from gtflow.report.validity import validity_figure

log = logging.getLogger(__name__)


def saturation_markers(context: dict) -> dict[str, dict]:
    """Per level: the Guest point (k+r documents) and the first held-out position."""
    sat = context["saturation"]
    documents = list(sat.get("holdout_documents") or [])
    markers = {}
    for row in sat.get("levels", []):
        guest = row.get("guest") or {}
        point = (guest.get("k") or 0) + (guest.get("run_length") or 0) if guest else None
        markers[row["level"]] = {"guest": point or None}
    markers["holdout"] = {"first": documents[0] if documents else None}
    return markers


def draw_figures(context: dict, inputs: ReportInputs, labels: dict, language: str,
                 outputs: dict[str, str]) -> None:
    """Write the SVG figures: saturation, heatmap, timeline, model diagram, rule validity."""
    curves = read_table("curves", inputs.curves)
    markers = saturation_markers(context)
    figures.save_svg(figures.saturation_figure(curves, labels, markers), outputs["saturation_svg"])
    codes = context["mechanisms"]["cases"]["codes"]
    matrix = heatmap_cases(read_table("case_by_main_category", inputs.case_by_main_category),
                           [c["id"] for c in codes])
    names = {c["id"]: f"{c['id']} " + (c["label_en"] if language == "en" and c["label_en"]
                                      else c["label"]) for c in codes}
    figures.save_svg(figures.heatmap_figure(matrix.rename(columns=names), labels),
                     outputs["heatmap_svg"])
    timeline = pd.DataFrame(context["overview"]["timeline"], columns=["month", "source_type", "n"])
    figures.save_svg(figures.timeline_figure(timeline, labels), outputs["timeline_svg"])
    write_text(outputs["model_svg"], model_svg(context["model"], language, labels))
    if "validity_svg" in outputs:
        figures.save_svg(validity_figure(context["validity"], labels), outputs["validity_svg"])


def build_report_context(*, inputs: ReportInputs, config: dict, templates: str | Path,
                         outputs: dict[str, str]) -> None:
    """context.json and the figures, from the results named in ``inputs``."""
    language = config["report"]["language"]
    labels = load_labels(Path(templates) / f"labels.{language}.yaml")
    context = build_context(inputs, config)
    draw_figures(context, inputs, labels, language, outputs)
    write_json(outputs["context"], context)
    log.info("report context: %d documents, %d concepts, %d edges",
             context["overview"]["n_documents"], len(context["coding"]["concepts"]),
             len(context["model"]["edges"]))


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
