"""The export stage's REFI-QDA steps: the study's clean texts, codebook, codings and memos as
.qdpx, its codebook alone as .qdc, and the auto codings alone, for review in a QDA program."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from gtflow.clean.texts import CleanTexts
from gtflow.coding.codebook import load_codebook, load_model
from gtflow.coding.review import rejected_codings, review_project_codings
from gtflow.config import load_yaml
from gtflow.contracts import kept_documents, read_columns, read_table
from gtflow.frames import text_isin
from gtflow.memos import load_memos
from gtflow.refi.writer import ProjectContent, write_codebook, write_projects

#: The codings columns a project is written from (``rule`` only for the review's descriptions).
PROJECT_CODING_COLUMNS = ["doc_id", "start", "end", "concept_id", "coder"]


def counted_document_ids(documents: str | Path) -> list[str]:
    """The ids of the documents that are not collapsed duplicates, sorted."""
    docs = read_columns("documents", [documents], ["doc_id", "duplicate_of"])
    return sorted(kept_documents(docs)["doc_id"].tolist())


def rows_of_documents(frame: pd.DataFrame, doc_ids: list[str]) -> pd.DataFrame:
    """The rows of ``frame`` whose ``doc_id`` is one of ``doc_ids`` (by Arrow's is_in: pandas
    goes value by value over Arrow strings)."""
    return frame[text_isin(frame["doc_id"], doc_ids)]


class CleanSources(Sequence[tuple[str, str, str]]):
    """(doc_id, name, clean text) of each document, for a project's sources, read from the text
    index each time they are iterated rather than held in memory. The writer takes their
    lengths and UTF-8 bytes straight from the shards (:class:`gtflow.refi.writer.EncodedSources`):
    decoding each text to count it and encoding it again to store it was a tenth of an export."""

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
        return zip(self.doc_ids, self.doc_ids, self.texts.texts_of(self.doc_ids))

    def ids(self) -> list[str]:
        return self.doc_ids

    def names(self) -> list[str]:
        return self.doc_ids

    def code_point_lengths(self) -> np.ndarray:
        return self.texts.code_point_lengths(self.doc_ids)

    def encoded_texts(self) -> Iterator[bytes]:
        return self.texts.encoded_texts_of(self.doc_ids)


def export_projects(documents: str | Path, texts: str | Path, codings: str | Path,
                    review: str | Path, codebook: str | Path, project_out: str | Path,
                    review_out: str | Path, project_name: str, memos: list[str] | None = None,
                    model: str | Path | None = None) -> None:
    """Write the study's two REFI-QDA projects of the same clean texts, each text compressed
    once for both: results/exports/project.qdpx (:func:`study_project`) and
    results/exports/review.qdpx (:func:`review_project`)."""
    doc_ids = counted_document_ids(documents)

    def projects() -> Iterator[ProjectContent]:  # each read when its turn comes
        yield study_project(doc_ids, codings, codebook, project_out, project_name, memos, model)
        yield review_project(doc_ids, codings, review, codebook, review_out, project_name)

    write_projects(projects(), sources=CleanSources(doc_ids, texts))


def study_project(doc_ids: list[str], codings: str | Path, codebook: str | Path,
                  out: str | Path, project_name: str, memos: list[str] | None = None,
                  model: str | Path | None = None) -> ProjectContent:
    """The study's project, so NVivo, ATLAS.ti or MAXQDA users can open the coding and read
    the analytic memos (checked against the codebook and, when given, the model)."""
    frame = rows_of_documents(read_columns("codings", [codings], PROJECT_CODING_COLUMNS), doc_ids)
    memo_index = None
    if memos:
        book = load_codebook(codebook)
        memo_index = load_memos(memos, book, load_model(model, book) if model else None)
    return ProjectContent(out, load_yaml(codebook), frame, project_name,
                          memos=memo_index.memos if memo_index else ())


def review_project(doc_ids: list[str], codings: str | Path, review: str | Path,
                   codebook: str | Path, out: str | Path, project_name: str) -> ProjectContent:
    """The review project: every auto coding (those a review rejected included) as codings by
    the user "auto", each with its rule as description."""
    columns = [*PROJECT_CODING_COLUMNS, "rule"]
    frame = read_columns("codings", [codings], columns)
    auto = pd.concat([frame[frame["coder"] == "auto"],
                      rejected_codings(read_table("review", review))[columns]], ignore_index=True)
    del frame
    return ProjectContent(out, load_yaml(codebook),
                          review_project_codings(rows_of_documents(auto, doc_ids)),
                          f"{project_name}_review")


def export_study_project(documents: str | Path, texts: str | Path, codings: str | Path,
                         codebook: str | Path, out: str | Path, project_name: str, memos: list[str] | None = None,
                         model: str | Path | None = None) -> None:
    """Write the study's project alone (:func:`study_project`), for ``gtflow export-qdpx``."""
    doc_ids = counted_document_ids(documents)
    write_projects([study_project(doc_ids, codings, codebook, out, project_name, memos, model)],
                   sources=CleanSources(doc_ids, texts))


def export_study_codebook(codebook: str | Path, out: str | Path) -> None:
    """Write results/exports/codebook.qdc (REFI Codebook Exchange) from config/codebook.yaml."""
    book = load_codebook(codebook)
    write_codebook(out, {"core": book.core, "main_categories": book.main_categories,
                         "categories": book.categories, "concepts": book.concepts})
