"""The finished results of a study as the report's sections read them: each file read once,
through its declaration in :mod:`gtflow.contracts`, and values made JSON-able."""

from __future__ import annotations

import json
import math
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gtflow import contracts
from gtflow.coding.codebook import Codebook, load_codebook, load_model
from gtflow.errors import InputError
from gtflow.frames import text_isin
from gtflow.report.evidence import read_evidence
from gtflow.report.inputs import ReportInputs

#: The columns of the large tables that the sections use (the rest is never read).
DOCUMENT_COLUMNS = ["doc_id", "source_type", "date", "respondent_id", "sha256_raw", "raw_path",
                    "n_chars", "duplicate_of"]
CODING_COLUMNS = ["doc_id", "concept_id", "coder", "origin"]
#: Rows per batch when reading a whole table through Arrow (its 1 MB blocks are smaller).
WHOLE_TABLE_ROWS = 1 << 40


def plain(value: Any) -> Any:
    """A JSON-able version of a pandas/numpy value (NaN -> None)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows of a frame as JSON-able dicts, in frame order."""
    return [plain(row) for row in frame.to_dict(orient="records")]


def read_json_object(path: str | Path) -> dict:
    """A results JSON object (an InputError naming the file otherwise)."""
    try:
        value = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(path, "is missing") from None
    except json.JSONDecodeError as error:
        raise InputError(path, f"is not valid JSON ({error.msg})", line=error.lineno) from None
    if not isinstance(value, dict):
        raise InputError(path, "must hold a JSON object")
    return value


class Results:
    """One study's finished results, codebook, model and configuration, read on demand."""

    def __init__(self, inputs: ReportInputs, config: dict) -> None:
        self.inputs = inputs
        self.config = config
        self._tables: dict[str, pd.DataFrame] = {}

    @cached_property
    def book(self) -> Codebook:
        return load_codebook(self.inputs.codebook)

    @cached_property
    def model(self) -> dict:
        return load_model(self.inputs.model, self.book)

    def table(self, name: str) -> pd.DataFrame:
        """The table ``name`` of gtflow.contracts, from the input of the same name."""
        if name not in self._tables:
            self._tables[name] = contracts.read_table(name, getattr(self.inputs, name))
        return self._tables[name]

    def summary(self, stage: str) -> dict:
        """A stage's summary.json (reliability, saturation, mechanisms)."""
        return read_json_object(getattr(self.inputs, f"{stage}_summary"))

    @cached_property
    def respondents(self) -> pd.DataFrame | None:
        """The public roster, or None for a study without one."""
        return self.table("respondents") if self.inputs.respondents else None

    @cached_property
    def documents(self) -> pd.DataFrame:
        """The documents table, in the columns the sections use (:data:`DOCUMENT_COLUMNS`)."""
        return contracts.read_columns("documents", [self.inputs.documents], DOCUMENT_COLUMNS)

    @cached_property
    def segment_documents(self) -> pd.Series:
        """The document of every segment (the overview counts segments of kept documents)."""
        return contracts.read_columns("segments", [self.inputs.segments], ["doc_id"])["doc_id"]

    @cached_property
    def kept_codings(self) -> pd.DataFrame:
        """Codings on kept documents, in the columns the sections use (:data:`CODING_COLUMNS`)."""
        codings = contracts.read_columns("codings", [self.inputs.codings], CODING_COLUMNS)
        kept = self.documents.loc[contracts.is_kept(self.documents), "doc_id"]
        return codings[text_isin(codings["doc_id"], kept)]

    @cached_property
    def evidence_document_counts(self) -> dict[str, int]:
        """Code id -> its documents in results/tables/evidence.csv (the mode-filtered
        evidence), counted in batches without the quotes."""
        return read_evidence(self.inputs.evidence, cap=0).document_counts("code")

    def source(self, name: str) -> str:
        """The path a caption cites for input ``name``."""
        return str(getattr(self.inputs, name) or "")

    def node_quotes(self, item_type: str) -> dict[str, dict]:
        """item id -> its rank-1 quote (doc_id, start, end, text) from quotes.csv."""
        quotes = self.table("quotes")
        quotes = quotes[quotes["item_type"] == item_type].sort_values("rank", kind="stable")
        first = quotes.drop_duplicates("item_id")
        return {row["item_id"]: quote_of(row) for row in first.to_dict(orient="records")}


def quote_of(row: dict) -> dict:
    """The quote fields the report cites: document, offsets, the quoted text, and whether it
    was cut (the text then ends in "…")."""
    return {"doc_id": str(row["doc_id"]), "start": int(row["start"]), "end": int(row["end"]),
            "text": str(row["quote"]), "truncated": bool(row["truncated"])}
