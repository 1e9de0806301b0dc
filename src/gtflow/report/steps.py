"""The report stage as the workflow calls it: context + figures, the evidence page. The .qmd
and its HTML and PDF are in :mod:`gtflow.report.document`."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from gtflow.coding.codebook import load_codebook, load_model
from gtflow.config import load_yaml
from gtflow.io import write_json, write_text
from gtflow.memos import load_memos
from gtflow.report.context import context_of
from gtflow.report.diagram import model_svg
from gtflow.report.evidence import read_evidence
from gtflow.report.explorer import (
    contrary_documents,
    explorer_html,
    memo_bodies_html,
    read_contrary_lists,
)
from gtflow.report.inputs import ReportInputs
from gtflow.report.qmd import load_labels
from gtflow.report.results import Results, read_json_object
from gtflow.report.sections.mechanisms import heatmap_cases

log = logging.getLogger(__name__)


def saturation_markers(context: dict) -> dict[str, dict]:
    """Per level: the Guest point as the saturation stage gave it (documents k + r, None when
    not saturated), and the first held-out document."""
    sat = context["saturation"]
    documents = list(sat.get("holdout_documents") or [])
    markers = {row["level"]: {"guest": (row.get("guest") or {}).get("documents")}
               for row in sat.get("levels", [])}
    markers["holdout"] = {"first": documents[0] if documents else None}
    return markers


def draw_figures(context: dict, results: Results, labels: dict, language: str,
                 outputs: dict[str, str]) -> None:
    """Write the SVG figures: saturation, heatmap, timeline, model diagram, rule validity
    (from the tables ``results`` read for the context)."""
    # Imported here: matplotlib takes about a second to load, and only this job draws.
    from gtflow.report import figures

    curves = results.table("curves")
    markers = saturation_markers(context)
    figures.save_svg(figures.saturation_figure(curves, labels, markers), outputs["saturation_svg"])
    codes = context["mechanisms"]["cases"]["codes"]
    matrix = heatmap_cases(results.table("case_by_main_category"), [c["id"] for c in codes])
    names = {c["id"]: f"{c['id']} " + (c["label_en"] if language == "en" and c["label_en"]
                                      else c["label"]) for c in codes}
    figures.save_svg(figures.heatmap_figure(matrix.rename(columns=names), labels),
                     outputs["heatmap_svg"])
    timeline = pd.DataFrame(context["overview"]["timeline"], columns=["month", "source_type", "n"])
    figures.save_svg(figures.timeline_figure(timeline, labels), outputs["timeline_svg"])
    write_text(outputs["model_svg"], model_svg(context["model"], language, labels))
    if "validity_svg" in outputs:
        figures.save_svg(figures.validity_figure(context["validity"], labels), outputs["validity_svg"])


def build_report_context(*, inputs: ReportInputs, config: dict, templates: str | Path,
                         outputs: dict[str, str]) -> None:
    """context.json and the figures, from the results named in ``inputs``."""
    language = config["report"]["language"]
    labels = load_labels(Path(templates) / f"labels.{language}.yaml")
    results = Results(inputs, config)
    context = context_of(results)
    draw_figures(context, results, labels, language, outputs)
    write_json(outputs["context"], context)
    log.info("report context: %d documents, %d concepts, %d edges",
             context["overview"]["n_documents"], len(context["coding"]["concepts"]),
             len(context["model"]["edges"]))


def build_evidence_explorer(*, evidence: str | Path, negative_cases: str | Path,
                            mechanisms_summary: str | Path, codebook: str | Path,
                            model: str | Path, memos: list[str], config: dict,
                            templates: str | Path, out: str | Path) -> None:
    """reports/<name>_evidence.html: every count's supporting codings, contrary cases (counted
    and flagged in the mechanisms summary), memos."""
    book = load_codebook(codebook)
    model_value = load_model(model, book)
    memo_index = load_memos(memos, book, model_value)
    language = config["report"]["language"]
    labels = {str(k): str(v).strip() for k, v in
              load_yaml(Path(templates) / f"labels.{language}.yaml").items()}
    study = config["study"]
    title = study.get("title_en") if language == "en" and study.get("title_en") else study["title"]
    cap = int(config["report"]["evidence_per_code"])
    contrary_docs = read_contrary_lists(negative_cases, cap)
    digest = read_evidence(evidence, cap=cap,
                           contrary_documents=contrary_documents(contrary_docs, model_value))
    page = explorer_html(
        evidence=digest, contrary_docs=contrary_docs,
        contrary=read_json_object(mechanisms_summary)["contrary"], book=book, model=model_value,
        memos=memo_index,
        memo_bodies=dict(zip((m.id for m in memo_index.memos),
                             memo_bodies_html([m.body for m in memo_index.memos]))),
        labels=labels, language=language, title=title,
        cap=cap, evidence_source=str(evidence),
        negative_source=str(negative_cases))
    write_text(out, page)
    log.info("evidence explorer: %d memos, cap %d documents per list", len(memo_index.memos),
             config["report"]["evidence_per_code"])
