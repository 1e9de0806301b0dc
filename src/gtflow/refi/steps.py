"""The export stage's REFI-QDA step: the study's clean texts, codebook, codings and memos as .qdpx."""

from __future__ import annotations

from pathlib import Path

from gtflow.coding.codebook import load_codebook, load_model
from gtflow.config import load_yaml
from gtflow.contracts import read_table
from gtflow.memos import load_memos
from gtflow.refi.writer import write_project


def export_study_project(documents: str | Path, codings: str | Path, codebook: str | Path,
                         out: str | Path, project_name: str, memos: list[str] | None = None,
                         model: str | Path | None = None) -> None:
    """Write results/exports/project.qdpx so NVivo, ATLAS.ti or MAXQDA users can open the coding
    and read the analytic memos (checked against the codebook and, when given, the model)."""
    docs = read_table("documents", documents)
    docs = docs[docs["duplicate_of"] == ""].sort_values("doc_id")
    sources = [(d, d, t) for d, t in zip(docs["doc_id"], docs["clean_text"])]
    frame = read_table("codings", codings)
    frame = frame[frame["doc_id"].isin(set(docs["doc_id"]))]
    memo_index = None
    if memos:
        book = load_codebook(codebook)
        memo_index = load_memos(memos, book, load_model(model, book) if model else None)
    write_project(out, sources=sources, codebook=load_yaml(codebook),
                  codings=frame[["doc_id", "start", "end", "concept_id", "coder"]],
                  project_name=project_name, memos=memo_index.memos if memo_index else ())
