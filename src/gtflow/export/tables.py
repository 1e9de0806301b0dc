"""Tidy frequency tables and the data dictionary of results/tables/.

Frequency tables are long: one row per code and source type (``interview``, ``web_page``,
``web_post``, and ``all`` for the whole corpus), counting the evidence codings of
:mod:`gtflow.mechanisms.cases` (all coders, one per (doc_id, seg_id, concept_id), duplicates
left out). Shares are written as fixed 4-decimal strings so reruns give identical bytes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gtflow.frames import first_of_runs
from gtflow.mechanisms.cases import LEVEL_COLUMN, SOURCE_TYPES

ALL_SOURCES = "all"
COUNT_COLUMNS = ["source_type", "documents", "documents_share", "cases", "codings"]
#: Identifying columns of each frequency table (hierarchy column names).
KEY_COLUMNS = {
    "concept": ["concept_id", "concept", "concept_en", "category_id", "main_category_id"],
    "category": ["category_id", "category", "category_en", "main_category_id"],
    "main_category": ["main_category_id", "main_category", "main_category_en"],
}
CASE_TABLE_COLUMNS = {
    "case_id": "Case id: the respondent id for interviews (all interviews of one respondent form "
               "one case; an interview without respondent id is its own case), the document id "
               "for web documents.",
    "case_type": "Kind of case: respondent, web_page or web_post.",
    "source_type": "Source type of the case's documents: interview, web_page or web_post.",
    "n_documents": "Number of documents of the case (duplicates left out).",
}
FREQUENCY_COLUMNS = {
    "concept_id": "Concept id from config/codebook.yaml.",
    "concept": "Concept label in the study language.",
    "concept_en": "Concept label in English.",
    "category_id": "Id of the category the code belongs to (or is).",
    "category": "Category label in the study language.",
    "category_en": "Category label in English.",
    "main_category_id": "Id of the main category the code belongs to (or is).",
    "main_category": "Main category label in the study language.",
    "main_category_en": "Main category label in English.",
    "source_type": "Source type counted: interview, web_page, web_post, or all (whole corpus).",
    "documents": "Documents of this source type in which the code (or a concept below it) is coded.",
    "documents_share": "documents divided by the number of documents of this source type "
                       "(4 decimals; 0.0000 when there are none).",
    "cases": "Cases (respondents or web documents) of this source type in which the code occurs.",
    "codings": "Evidence codings of the code: all coders, one per (doc_id, seg_id, concept_id).",
}
TABLE_DESCRIPTIONS = {
    "concept_frequencies": "concept",
    "category_frequencies": "category",
    "main_category_frequencies": "main_category",
}


def share(numerator: int, denominator: int) -> str:
    """A fixed-format share (4 decimals) that is identical on every run and platform."""
    return f"{numerator / denominator:.4f}" if denominator else "0.0000"


def frequency_table(evidence: pd.DataFrame, docs: pd.DataFrame, hierarchy: pd.DataFrame,
                    level: str) -> pd.DataFrame:
    """Code x source type counts for one codebook level, in codebook order."""
    keys = KEY_COLUMNS[level]
    code_column = LEVEL_COLUMN[level]
    codes = hierarchy[keys].drop_duplicates(code_column).reset_index(drop=True)
    corpus_size = docs["source_type"].value_counts().to_dict()
    corpus_size[ALL_SOURCES] = len(docs)
    counts = code_counts(evidence, code_column)
    rows = []
    for code in codes.to_dict("records"):
        for source in (*SOURCE_TYPES, ALL_SOURCES):
            documents, cases, codings = counts.get((code[code_column], source), (0, 0, 0))
            rows.append({**code, "source_type": source, "documents": documents,
                         "documents_share": share(documents, int(corpus_size.get(source, 0))),
                         "cases": cases, "codings": codings})
    return pd.DataFrame(rows, columns=[*keys, *COUNT_COLUMNS])


def code_counts(evidence: pd.DataFrame, code_column: str) -> dict[tuple[str, str], tuple[int, int, int]]:
    """(code, source type or ``all``) -> (distinct documents, distinct cases, codings) of the
    evidence codings (a coding without a code at this level is not counted).

    Codes, source types, documents and cases are numbered once; each count is then a bincount
    over the distinct (group, document) or (group, case) pairs: grouping Arrow strings with
    ``nunique`` took several times longer.
    """
    code, codes = pd.factorize(evidence[code_column])
    source, sources = pd.factorize(evidence["source_type"])
    doc = pd.factorize(evidence["doc_id"])[0]
    case = pd.factorize(evidence["case_id"])[0]
    by_source = (code >= 0) & (source >= 0)
    counts = {}
    for rows, group, group_count, name_of in (
            (by_source, code * len(sources) + source, len(codes) * len(sources),
             lambda g: (codes[g // len(sources)], sources[g % len(sources)])),
            (code >= 0, code, len(codes), lambda g: (codes[g], ALL_SOURCES))):
        group = group[rows]
        documents = distinct_per_group(group, doc[rows], group_count)
        cases = distinct_per_group(group, case[rows], group_count)
        codings = np.bincount(group, minlength=group_count)
        for g in np.flatnonzero(codings).tolist():
            counts[name_of(g)] = (int(documents[g]), int(cases[g]), int(codings[g]))
    return counts


def distinct_per_group(group: np.ndarray, member: np.ndarray, group_count: int) -> np.ndarray:
    """How many distinct members each group 0..group_count-1 has; members are numbers from
    ``pd.factorize``, -1 (a missing value) not counted, as ``nunique`` does not count it."""
    kept = member >= 0
    span = int(member.max(initial=-1)) + 1
    if not span:
        return np.zeros(group_count, dtype=np.int64)
    pairs = np.sort(group[kept].astype(np.int64) * span + member[kept])
    # each distinct pair once (np.unique's hashing was slower than this sort)
    return np.bincount(pairs[first_of_runs(pairs)] // span, minlength=group_count)


def case_column_descriptions(frame: pd.DataFrame, codes: pd.DataFrame, level_name: str) -> dict:
    """Descriptions of a wide case table's columns (fixed columns plus one per code)."""
    info = codes.set_index("code_id")
    described = dict(CASE_TABLE_COLUMNS)
    for column in frame.columns:
        if column in described:
            continue
        label = (f"{info.at[column, 'label']} / {info.at[column, 'label_en']}"
                 if column in info.index else column)
        described[column] = (f"Evidence codings of {level_name} {column} ({label}) in the case's "
                             "documents; presence = count > 0.")
    return described


def data_dictionary(tables: dict[str, pd.DataFrame], descriptions: dict[str, dict[str, str]]) -> pd.DataFrame:
    """data_dictionary.csv: one row per (table, column), tables and columns in written order.

    Every column of every table must be described; a gap is a programming error, not input.
    """
    rows = []
    for table, frame in tables.items():
        for column in frame.columns:
            description = descriptions[table].get(column)
            if not description:
                raise KeyError(f"no description for column {column} of table {table}")
            rows.append({"table": f"{table}.csv", "column": column, "description": description})
    rows += [{"table": "data_dictionary.csv", "column": c, "description": d} for c, d in (
        ("table", "File name of the table in results/tables/."),
        ("column", "Column name, exactly as in the table's header."),
        ("description", "What the column holds and how it is counted."))]
    return pd.DataFrame(rows, columns=["table", "column", "description"])
