"""The export stage's REFI-QDA steps: the study's clean texts, codebook, codings and memos as
.qdpx, its codebook alone as .qdc, and the auto codings alone, for review in a QDA program."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pandas as pd

from gtflow.clean.texts import CleanTexts
from gtflow.coding.codebook import load_codebook, load_model
from gtflow.coding.review import rejected_codings, review_project_codings
from gtflow.config import load_yaml
from gtflow.contracts import kept_documents, read_table
from gtflow.memos import load_memos
from gtflow.refi.writer import write_codebook, write_project


def counted_documents(documents: str | Path) -> pd.DataFrame:
    """The documents that are not collapsed duplicates, by id."""
    docs = read_table("documents", documents)
    return kept_documents(docs).sort_values("doc_id")


class CleanSources(Sequence[tuple[str, str, str]]):
    """(doc_id, name, clean text) of each document, for a project's sources, read from the text
    index each time they are iterated (the writer goes over them more than once) rather than
    held in memory."""

    def __init__(self, doc_ids: list[str], texts: str | Path) -> None:
        self.doc_ids = doc_ids
        self.texts = CleanTexts.open(texts)

    def __len__(self) -> int:
        return len(self.doc_ids)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        doc_id = self.doc_ids[index]
        return doc_id, doc_id, self.texts[doc_id]

    def __iter__(self) -> Iterator[tuple[str, str, str]]:
        for doc_id in self.doc_ids:
            yield doc_id, doc_id, self.texts[doc_id]


def export_study_project(documents: str | Path, texts: str | Path, codings: str | Path,
                         codebook: str | Path, out: str | Path, project_name: str, memos: list[str] | None = None,
                         model: str | Path | None = None) -> None:
    """Write results/exports/project.qdpx so NVivo, ATLAS.ti or MAXQDA users can open the coding
    and read the analytic memos (checked against the codebook and, when given, the model)."""
    docs = counted_documents(documents)
    sources = CleanSources(docs["doc_id"].tolist(), texts)
    frame = read_table("codings", codings)
    frame = frame[frame["doc_id"].isin(set(docs["doc_id"]))]
    memo_index = None
    if memos:
        book = load_codebook(codebook)
        memo_index = load_memos(memos, book, load_model(model, book) if model else None)
    write_project(out, sources=sources, codebook=load_yaml(codebook),
                  codings=frame[["doc_id", "start", "end", "concept_id", "coder"]],
                  project_name=project_name, memos=memo_index.memos if memo_index else ())


def export_review_project(documents: str | Path, texts: str | Path, codings: str | Path,
                          review: str | Path, codebook: str | Path, out: str | Path, project_name: str) -> None:
    """Write results/exports/review.qdpx: clean texts, codebook and every auto coding (those a
    review rejected included) as codings by the user "auto", each with its rule as description."""
    docs = counted_documents(documents)
    frame = read_table("codings", codings)
    auto = pd.concat([frame[frame["coder"] == "auto"],
                      rejected_codings(read_table("review", review))], ignore_index=True)
    auto = auto[auto["doc_id"].isin(set(docs["doc_id"]))]
    write_project(out, sources=CleanSources(docs["doc_id"].tolist(), texts),
                  codebook=load_yaml(codebook), codings=review_project_codings(auto),
                  project_name=f"{project_name}_review")


def export_study_codebook(codebook: str | Path, out: str | Path) -> None:
    """Write results/exports/codebook.qdc (REFI Codebook Exchange) from config/codebook.yaml."""
    book = load_codebook(codebook)
    write_codebook(out, {"core": book.core, "main_categories": book.main_categories,
                         "categories": book.categories, "concepts": book.concepts})
