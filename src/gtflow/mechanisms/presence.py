"""Where each code occurs in a set of evidence codings, indexed once for the whole corpus.

Every count of the stage asks the same two questions many times: which codings fall under a
code (at any level), and in which documents is the code present. Asking them of the coding table
per code compares a text column per code (hundreds of codes, millions of codings on a web
corpus). :class:`CodePresence` answers both from one grouping per level: the row positions of
each code's codings, and documents numbered in ``doc_id`` order so that document sets are sorted
integer arrays (intersections and differences come out in document order).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from gtflow.frames import is_ascending, positions_by_code, value_numbers
from gtflow.mechanisms.cases import LEVEL_COLUMN, SOURCE_TYPES

#: What the presence index keeps of each document (one row per document, in doc_id order).
DOCUMENT_FIELDS = ["doc_id", "source_type", "case_id", "case_type"]
NO_ROWS = np.zeros(0, dtype=np.int64)


def document_numbers(doc_ids: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Per row its document's number (0, 1, ... in doc_id order) and each document's first
    row: from the runs of equal ids when the codings come sorted by document (they do), not
    a sorted factorize of every id."""
    numbers, distinct, first_rows = value_numbers(
        pa.array(doc_ids, from_pandas=True).cast(pa.large_string()))
    if is_ascending(distinct):
        return numbers, first_rows
    numbers = pd.factorize(doc_ids, sort=True)[0].astype(np.int64)
    first_rows = pd.Series(np.arange(len(doc_ids))).groupby(numbers).first().to_numpy()
    return numbers, first_rows


@dataclass(frozen=True)
class CodePresence:
    """The codings and documents of every code of a coding table (see the module docstring).

    ``documents`` has one row per document of the codings (position = document number);
    ``doc_of_row`` gives each coding's document number; ``rows`` maps (level, code id) to the
    ascending row positions of the codings under that code.
    """

    documents: pd.DataFrame
    doc_of_row: np.ndarray
    rows: dict[tuple[str, str], np.ndarray]

    @classmethod
    def index(cls, codings: pd.DataFrame) -> CodePresence:
        """Index ``codings`` (placed codings: the hierarchy, source and case columns present)."""
        doc_of_row, first_rows = document_numbers(codings["doc_id"])
        documents = codings[DOCUMENT_FIELDS].iloc[first_rows].reset_index(drop=True)
        rows = {}
        every_row = np.arange(len(codings), dtype=np.int64)
        for level, column in LEVEL_COLUMN.items():
            if column not in codings:
                continue
            codes, names = pd.factorize(codings[column])  # a missing code: -1, left out
            for code, positions in positions_by_code(codes, every_row).items():
                if code >= 0:
                    rows[(level, str(names[code]))] = positions
        return cls(documents, doc_of_row, rows)

    def codings_of(self, code_id: str, level: str) -> np.ndarray:
        """Row positions of the codings under a code (ascending)."""
        return self.rows.get((level, code_id), NO_ROWS)

    def documents_of(self, code_id: str, level: str) -> np.ndarray:
        """Numbers of the documents where a code is present (ascending = doc_id order)."""
        return self.documents_of_rows(self.codings_of(code_id, level))

    def documents_of_rows(self, rows: np.ndarray) -> np.ndarray:
        """Numbers of the documents of some codings (ascending, each once)."""
        # A mask over the documents: linear, where sorting the rows' documents is not.
        return np.flatnonzero(self.membership(self.doc_of_row[rows]))

    def common_documents(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """The document numbers in both of two document sets (each ascending, as
        :meth:`documents_of` gives them); ascending. A mask, not a sort of both sets."""
        return a[self.membership(b)[a]]

    def documents_without(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """The document numbers of set ``a`` not in set ``b`` (ascending)."""
        return a[~self.membership(b)[a]]

    def membership(self, numbers: np.ndarray) -> np.ndarray:
        """A mask over every document: True for the given document numbers."""
        mask = np.zeros(len(self.documents), dtype=bool)
        mask[numbers] = True
        return mask

    def document_rows(self, numbers: np.ndarray) -> pd.DataFrame:
        """The documents (``DOCUMENT_FIELDS``) of some document numbers, in that order."""
        return self.documents.iloc[numbers]

    @functools.cached_property
    def source_numbers(self) -> np.ndarray:
        """Per document its source type's place in :data:`SOURCE_TYPES` (one past the end
        for another type), so that counting documents by type is a bincount."""
        types = pa.array(self.documents["source_type"], from_pandas=True).cast(pa.large_string())
        found = pc.index_in(types, value_set=pa.array(SOURCE_TYPES, type=pa.large_string()))
        return found.fill_null(len(SOURCE_TYPES)).to_numpy(zero_copy_only=False).astype(np.int64)

    @functools.cached_property
    def respondent_cases(self) -> np.ndarray:
        """Per document the number of its case when that is a respondent, else -1."""
        cases = pd.factorize(self.documents["case_id"])[0].astype(np.int64)
        is_respondent = (self.documents["case_type"] == "respondent").to_numpy(
            dtype=bool, na_value=False)
        return np.where(is_respondent, cases, -1)

    def respondents_of(self, numbers: np.ndarray) -> np.ndarray:
        """A mask over the case numbers: the respondents of some documents."""
        cases = self.respondent_cases[numbers]
        mask = np.zeros(len(self.documents), dtype=bool)  # never more cases than documents
        mask[cases[cases >= 0]] = True
        return mask

    @functools.cached_property
    def doc_ids(self) -> pa.Array:
        """The documents' ids as one Arrow array (position = document number)."""
        return pa.array(self.documents["doc_id"], from_pandas=True).cast(pa.large_string())
