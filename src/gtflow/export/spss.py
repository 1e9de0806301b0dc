"""The case x category matrix as an SPSS .sav and a Stata .dta file (pyreadstat).

One row per case. Variables: ``case_id`` (string), ``case_type`` and ``source_type`` (numeric
codes with value labels), ``n_documents``, then one count variable per category named by its
category id (made a valid SPSS/Stata name when it is not one). Variable labels carry the
category's label in the study language and its English label ("权责失衡 / Powers ...").

Limits respected: names at most 32 characters, letters/digits/underscore, starting with a
letter, no reserved word of SPSS or Stata, unique (case-insensitively); SPSS labels at most
255 UTF-8 bytes, Stata variable labels at most 80 characters — longer labels are cut on a
character boundary and end in "…".

Both formats store the moment of writing in their header; that stamp is pinned to
1970-01-01 00:00 so the same inputs give byte-identical files (as for every other output).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pandas as pd
import pyreadstat

from gtflow.io import atomic_path

log = logging.getLogger(__name__)

CASE_TYPE_CODES = {"respondent": 1, "web_page": 2, "web_post": 3}
CASE_TYPE_LABELS = {1: "受访者 respondent", 2: "网页 web page", 3: "网帖 web post"}
SOURCE_TYPE_CODES = {"interview": 1, "web_page": 2, "web_post": 3}
SOURCE_TYPE_LABELS = {1: "访谈 interview", 2: "网页 web page", 3: "网帖 web post"}
FIXED_COLUMNS = ["case_id", "case_type", "source_type", "n_documents"]
FIXED_LABELS = {
    "case_id": "个案 Case (respondent id or web document id)",
    "case_type": "个案类型 Case type",
    "source_type": "资料类型 Source type",
    "n_documents": "资料数 Number of documents of the case",
}
MAX_NAME = 32
MAX_STATA_LABEL_CHARS = 80
MAX_SPSS_LABEL_BYTES = 255
ELLIPSIS = "…"
#: Reserved words of SPSS (case-insensitive) and Stata; a variable may not be named like them.
#: Header layout of the creation stamp: SPSS "dd mmm yyhh:mm:ss" at byte 92 after "$FL2";
#: Stata 118/119 "<timestamp>", a length byte (17), "dd Mon yyyy hh:mm".
SAV_STAMP_OFFSET, SAV_STAMP = 92, b"01 Jan 7000:00:00"
DTA_STAMP_TAG, DTA_STAMP = b"<timestamp>\x11", b"01 Jan 1970 00:00"
RESERVED = {"all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with",
            "_all", "_b", "byte", "_coef", "_cons", "double", "float", "if", "in", "int", "long",
            "_n", "_pi", "_pred", "_rc", "_skip", "strl", "using", "str"}


def variable_name(code_id: str, taken: set[str]) -> str:
    """A valid SPSS and Stata variable name for a code id, unique among ``taken`` (lower-cased)."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", code_id)
    if not re.match(r"[A-Za-z]", name):
        name = "v" + name
    name = name[:MAX_NAME]
    if name.lower() in RESERVED:
        name = (name + "_")[:MAX_NAME]
    base, number = name, 2
    while name.lower() in taken:
        suffix = f"_{number}"
        name = base[:MAX_NAME - len(suffix)] + suffix
        number += 1
    taken.add(name.lower())
    return name


def cut_chars(text: str, limit: int) -> str:
    """``text`` at most ``limit`` characters, ending in "…" when cut."""
    return text if len(text) <= limit else text[:limit - len(ELLIPSIS)] + ELLIPSIS


def cut_bytes(text: str, limit: int) -> str:
    """``text`` at most ``limit`` UTF-8 bytes, cut on a character boundary, "…" when cut."""
    if len(text.encode("utf-8")) <= limit:
        return text
    room = limit - len(ELLIPSIS.encode("utf-8"))
    while len(text.encode("utf-8")) > room:
        text = text[:-1]
    return text + ELLIPSIS


def code_label(label: str, label_en: str) -> str:
    """Variable label of a code: study-language label and English label."""
    return f"{label} / {label_en}" if label_en and label_en != label else label


def export_frame(case_category: pd.DataFrame, codes: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """The data set to write (numeric codes, valid names) and each variable's full label.

    ``case_category`` is results/mechanisms/case_by_category.csv; ``codes`` maps code_id to
    label and label_en (:func:`gtflow.mechanisms.cases.code_table`).
    """
    missing = [c for c in FIXED_COLUMNS if c not in case_category.columns]
    if missing:
        raise ValueError(f"the case x category table lacks the columns {missing}")
    info = codes.set_index("code_id")
    taken = {c.lower() for c in FIXED_COLUMNS}
    frame = pd.DataFrame({
        # Python strings (object), not Arrow-backed ones: pyreadstat reads the rows one value
        # at a time, and an Arrow value costs a microsecond each.
        "case_id": pd.Series(case_category["case_id"].astype(str).tolist(), dtype=object,
                             index=case_category.index),
        "case_type": case_category["case_type"].map(CASE_TYPE_CODES),
        "source_type": case_category["source_type"].map(SOURCE_TYPE_CODES),
        "n_documents": case_category["n_documents"].astype("int64"),
    })
    for column, mapping in (("case_type", CASE_TYPE_CODES), ("source_type", SOURCE_TYPE_CODES)):
        unknown = case_category.loc[frame[column].isna(), column]
        if len(unknown):
            raise ValueError(f"{column} '{unknown.iloc[0]}' is not one of {list(mapping)}")
        frame[column] = frame[column].astype("int64")
    labels = dict(FIXED_LABELS)
    for code_id in [c for c in case_category.columns if c not in FIXED_COLUMNS]:
        name = variable_name(str(code_id), taken)
        frame[name] = case_category[code_id].astype("int64")
        if code_id in info.index:
            labels[name] = code_label(info.at[code_id, "label"], info.at[code_id, "label_en"])
        else:
            labels[name] = str(code_id)
    return frame, labels


def value_labels() -> dict[str, dict[int, str]]:
    """Value labels of the coded variables."""
    return {"case_type": dict(CASE_TYPE_LABELS), "source_type": dict(SOURCE_TYPE_LABELS)}


def pin_timestamp(path: Path, kind: str) -> None:
    """Overwrite the header's creation stamp with a fixed one (left alone if the layout differs).
    Only the header is read and rewritten: at a million cases the file is hundreds of MB."""
    with open(path, "r+b") as handle:
        header = handle.read(max(400, SAV_STAMP_OFFSET + len(SAV_STAMP)))
        if kind == "sav" and header[:4] in (b"$FL2", b"$FL3"):
            at, stamp = SAV_STAMP_OFFSET, SAV_STAMP
        elif kind == "dta" and (found := header.find(DTA_STAMP_TAG, 0, 400)) >= 0:
            at, stamp = found + len(DTA_STAMP_TAG), DTA_STAMP
        else:
            log.warning("%s: unexpected %s header; creation stamp left as written", path, kind)
            return
        handle.seek(at)
        handle.write(stamp)


def write_sav(frame: pd.DataFrame, labels: dict[str, str], target: str | Path,
              file_label: str = "") -> None:
    """Write the SPSS file atomically (labels cut to SPSS's byte limit)."""
    counts = [c for c in frame.columns if c not in ("case_id", "case_type", "source_type")]
    with atomic_path(target) as tmp:
        pyreadstat.write_sav(
            frame, str(tmp), file_label=cut_bytes(file_label, 64),
            column_labels={c: cut_bytes(labels[c], MAX_SPSS_LABEL_BYTES) for c in frame.columns},
            variable_value_labels=value_labels(),
            variable_measure={"case_id": "nominal", "case_type": "nominal",
                              "source_type": "nominal", **{c: "scale" for c in counts}},
            variable_format={"case_type": "F1.0", "source_type": "F1.0",
                             **{c: "F8.0" for c in counts}})
        pin_timestamp(tmp, "sav")


def write_dta(frame: pd.DataFrame, labels: dict[str, str], target: str | Path,
              file_label: str = "") -> None:
    """Write the Stata file atomically (variable labels cut to 80 characters)."""
    with atomic_path(target) as tmp:
        pyreadstat.write_dta(
            frame, str(tmp), file_label=cut_chars(file_label, MAX_STATA_LABEL_CHARS),
            column_labels={c: cut_chars(labels[c], MAX_STATA_LABEL_CHARS) for c in frame.columns},
            variable_value_labels=value_labels(), version=15)
        pin_timestamp(tmp, "dta")
