"""The export stage's REFI-QDA steps: the study's clean texts, codebook and codings as .qdpx,
and its codebook alone as .qdc."""

from __future__ import annotations

from pathlib import Path

from gtflow.coding.codebook import load_codebook
from gtflow.config import load_yaml
from gtflow.contracts import kept_documents, read_table
from gtflow.refi.writer import write_codebook, write_project


def export_study_project(documents: str | Path, codings: str | Path, codebook: str | Path,
                         out: str | Path, project_name: str) -> None:
    """Write results/exports/project.qdpx so NVivo, ATLAS.ti or MAXQDA users can open the coding."""
    docs = read_table("documents", documents)
    docs = kept_documents(docs).sort_values("doc_id")
    sources = [(d, d, t) for d, t in zip(docs["doc_id"], docs["clean_text"])]
    frame = read_table("codings", codings)
    frame = frame[frame["doc_id"].isin(set(docs["doc_id"]))]
    write_project(out, sources=sources, codebook=load_yaml(codebook),
                  codings=frame[["doc_id", "start", "end", "concept_id", "coder"]],
                  project_name=project_name)


def export_study_codebook(codebook: str | Path, out: str | Path) -> None:
    """Write results/exports/codebook.qdc (REFI Codebook Exchange) from config/codebook.yaml."""
    book = load_codebook(codebook)
    write_codebook(out, {"core": book.core, "main_categories": book.main_categories,
                         "categories": book.categories, "concepts": book.concepts})
