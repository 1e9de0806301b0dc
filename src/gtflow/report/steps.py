"""The report stage as the workflow calls it: context + figures, .qmd, HTML, PDF."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd

from gtflow.coding.codebook import load_codebook, load_model
from gtflow.io import sha256_file, write_json, write_text
from gtflow.report import figures, provenance
from gtflow.report.context import build_context, heatmap_cases, read_csv_table
from gtflow.report.diagram import model_svg
from gtflow.report.qmd import load_labels, render_qmd
from gtflow.report.render import render_html, render_pdf
from gtflow.report.validity import validity_figure

log = logging.getLogger(__name__)


def appendix(paths: dict[str, str | None], documents: pd.DataFrame) -> dict:
    """Checksums of inputs and raw files, versions, commit and build time."""
    roles = {role: paths.get(role) for role in ("config_file", "codebook", "model", "data_card",
                                                 "respondents")}
    manual = {f"manual_coding_{i + 1}": p for i, p in enumerate(paths.get("manual") or [])}
    # Raw files that are not documents (roster, page manifest) are hashed here directly.
    side = {f"raw_{Path(p).name}": p for p in paths.get("raw_side") or []}
    return {
        "inputs": provenance.input_checksums({**roles, **manual, **side}),
        "raw_files": provenance.raw_file_checksums(documents),
        "codebook_sha256": sha256_file(paths["codebook"]),
        "packages": provenance.package_versions(),
        "pandoc": provenance.pandoc_version(),
        "git_commit": provenance.git_commit("."),
        "generated_at": provenance.generated_at(),
    }


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


def draw_figures(context: dict, paths: dict, labels: dict, language: str,
                 outputs: dict[str, str]) -> None:
    """Write the SVG figures: saturation, heatmap, timeline, model diagram, rule validity."""
    curves = read_csv_table(paths.get("curves"))
    markers = saturation_markers(context)
    figures.save_svg(figures.saturation_figure(curves, labels, markers), outputs["saturation_svg"])
    codes = context["mechanisms"]["cases"]["codes"]
    matrix = heatmap_cases(read_csv_table(paths.get("case_main")), [c["id"] for c in codes])
    names = {c["id"]: f"{c['id']} " + (c["label_en"] if language == "en" and c["label_en"]
                                      else c["label"]) for c in codes}
    figures.save_svg(figures.heatmap_figure(matrix.rename(columns=names), labels),
                     outputs["heatmap_svg"])
    timeline = pd.DataFrame(context["overview"]["timeline"], columns=["month", "source_type", "n"])
    figures.save_svg(figures.timeline_figure(timeline, labels), outputs["timeline_svg"])
    write_text(outputs["model_svg"], model_svg(context["model"], language, labels))
    if "validity_svg" in outputs:
        figures.save_svg(validity_figure(context["validity"], labels), outputs["validity_svg"])


def build_report_context(*, paths: dict, config: dict, templates: str | Path,
                         outputs: dict[str, str]) -> None:
    """context.json and the figures, from the results named in ``paths`` (rule input names)."""
    book = load_codebook(paths["codebook"])
    model = load_model(paths["model"], book)
    language = config["report"]["language"]
    labels = load_labels(Path(templates) / f"labels.{language}.yaml")
    context = build_context(paths=paths, config=config, book=book, model=model)
    context["appendix"] = appendix(paths, pd.read_parquet(paths["documents"]))
    draw_figures(context, paths, labels, language, outputs)
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
