"""The export stage's steps: SPSS/Stata files of the case matrix; tidy tables with a dictionary."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from gtflow.coding.codebook import load_codebook
from gtflow.contracts import copy_table, read_columns, read_table, write_table
from gtflow.export.spss import export_frame, write_dta, write_sav
from gtflow.export.tables import (
    FREQUENCY_COLUMNS,
    TABLE_DESCRIPTIONS,
    case_column_descriptions,
    data_dictionary,
    frequency_table,
)
from gtflow.mechanisms.cases import code_table, corpus_documents, evidence_codings, placed_codings

log = logging.getLogger(__name__)
#: What the evidence codings and the cases are made of (the rest of the tables is not read).
EVIDENCE_CODING_COLUMNS = ["doc_id", "seg_id", "start", "end", "concept_id", "coder", "origin"]
CASE_DOCUMENT_COLUMNS = ["doc_id", "source_type", "respondent_id", "duplicate_of"]
#: The declared table (gtflow.contracts) of each tidy table whose name differs from its stem.
TIDY_TABLES = {"case_by_main_category": "tables_case_by_main_category",
               "case_by_category": "tables_case_by_category"}

def export_spss(case_category: str | Path, codebook: str | Path, sav: str | Path,
                dta: str | Path) -> None:
    """Write results/exports/case_by_category.sav and .dta with variable and value labels."""
    book = load_codebook(codebook)
    frame, labels = export_frame(read_table("case_by_category", case_category), code_table(book))
    title = f"gtflow case x category counts ({book.core.get('label_en') or book.core['label']})"
    write_sav(frame, labels, sav, file_label=title)
    write_dta(frame, labels, dta, file_label=title)
    log.info("%d cases x %d variables written to %s and %s", len(frame), len(frame.columns), sav, dta)


def tidy_tables(codings: pd.DataFrame, documents: pd.DataFrame, codebook, case_main: pd.DataFrame,
                case_category: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Every table of results/tables/ (without the dictionary), keyed by file stem."""
    docs = corpus_documents(documents)
    hierarchy = codebook.hierarchy()
    evidence = evidence_codings(placed_codings(codings, docs, hierarchy))
    tables = {name: frequency_table(evidence, docs, hierarchy, level)
              for name, level in TABLE_DESCRIPTIONS.items()}
    tables["case_by_main_category"] = case_main
    tables["case_by_category"] = case_category
    return tables


def table_descriptions(tables: dict[str, pd.DataFrame], codes: pd.DataFrame) -> dict[str, dict]:
    """Column descriptions of every table, for the data dictionary."""
    descriptions = {name: FREQUENCY_COLUMNS for name in TABLE_DESCRIPTIONS}
    descriptions["case_by_main_category"] = case_column_descriptions(
        tables["case_by_main_category"], codes, "main category")
    descriptions["case_by_category"] = case_column_descriptions(
        tables["case_by_category"], codes, "category")
    return descriptions


def export_tables(codings: str | Path, documents: str | Path, codebook: str | Path,
                  case_main: str | Path, case_category: str | Path,
                  outputs: dict[str, str]) -> None:
    """Write the tidy tables of results/tables/ and data_dictionary.csv.

    ``outputs`` maps each table's file stem (concept_frequencies, category_frequencies,
    main_category_frequencies, case_by_main_category, case_by_category, data_dictionary) to
    its path.
    """
    book = load_codebook(codebook)
    tables = tidy_tables(read_columns("codings", [codings], EVIDENCE_CODING_COLUMNS),
                         read_columns("documents", [documents], CASE_DOCUMENT_COLUMNS), book,
                         read_table("case_by_main_category", case_main),
                         read_table("case_by_category", case_category))
    dictionary = data_dictionary(tables, table_descriptions(tables, code_table(book)))
    copied = {"case_by_main_category": case_main, "case_by_category": case_category}
    for name, frame in tables.items():
        if name in copied:  # read and checked above; at 1M posts 100 MB written again otherwise
            copy_table(TIDY_TABLES[name], copied[name], outputs[name])
        else:
            write_table(TIDY_TABLES.get(name, name), frame, outputs[name])
    write_table("data_dictionary", dictionary, outputs["data_dictionary"])
    log.info("%d tables and a dictionary of %d columns written", len(tables), len(dictionary))
