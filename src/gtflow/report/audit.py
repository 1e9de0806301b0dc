"""The reviewer's audit trail in the report: links into the evidence explorer, the cases that
do not fit each model edge, and the analytic memos placed beside what they discuss.

The report section :mod:`gtflow.report.sections.audit_trail` calls :func:`audit_context`;
the coding section takes its document counts from the evidence listing
(:attr:`gtflow.report.results.Results.evidence_document_counts`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from gtflow import contracts
from gtflow.coding.codebook import Codebook
from gtflow.mechanisms.model import CONTRARY_KINDS
from gtflow.memos import Memo, MemoIndex, load_memos
from gtflow.report.evidence import BATCH_ROWS
from gtflow.report.explorer import explorer_file_name

#: Report sections a memo can sit in, in report order.
MEMO_SECTIONS = ("open", "axial", "mechanisms")


def contrary_section(contrary: dict[str, dict], examples: dict[tuple[str, str], list[str]],
                     model: dict, exemplars: int, source: str) -> dict:
    """Per model edge: supporting documents, contrary documents of each kind and whether they
    outnumber the supporting ones, as the mechanisms stage counted them (``contrary``, its
    summary's ``contrary``), with up to ``exemplars`` contrary document ids of each kind
    (``examples``: :func:`read_contrary_examples`)."""
    rows = []
    for edge in model["edges"]:
        key = f"{edge['from']}->{edge['to']}"
        counted = contrary.get(key) or {}
        rows.append({"key": key, "from": edge["from"], "to": edge["to"],
                     "supporting": counted.get("supporting"),
                     **{f"n_{kind}": counted.get(kind, 0) for kind in CONTRARY_KINDS},
                     **{f"examples_{kind}": examples.get((key, kind), [])
                        for kind in CONTRARY_KINDS},
                     "n_contrary": counted.get("n_contrary", 0),
                     "flag": bool(counted.get("outnumbered", False))})
    return {"edges": rows, "exemplars": exemplars, "source": source,
            "n_flagged": sum(1 for r in rows if r["flag"])}


def read_contrary_examples(path: str | Path, exemplars: int,
                           rows: int = BATCH_ROWS) -> dict[tuple[str, str], list[str]]:
    """(edge key, kind) -> the ``exemplars`` smallest document ids under it in
    negative_cases.csv at ``path`` (sorted, as Python sorts strings; repeats kept). Read
    ``rows`` rows at a time, so that memory holds a batch rather than the table (4.4 million
    rows at a million posts): the smallest of a batch are merged with those so far."""
    smallest: dict[tuple[str, str], list[str]] = {}
    for batch in contracts.read_csv_record_batches(
            "negative_cases", path, contracts.columns("negative_cases"), rows):
        table = pa.Table.from_batches([batch])
        keys = table.group_by(["edge", "kind"], use_threads=False).aggregate([])
        for edge, kind in zip(keys["edge"].to_pylist(), keys["kind"].to_pylist()):
            mine = pc.and_(pc.equal(table["edge"], edge), pc.equal(table["kind"], kind))
            found = smallest_texts(table["doc_id"].filter(mine), exemplars)
            smallest[edge, kind] = sorted(smallest.get((edge, kind), []) + found)[:exemplars]
    return smallest


def smallest_texts(values: pa.Array | pa.ChunkedArray | pd.Series, count: int) -> list[str]:
    """``sorted(values.astype(str))[:count]``, sorted by Arrow rather than Python (whose
    string order, by code point, is the order of UTF-8 bytes that Arrow sorts by)."""
    text = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else \
        pa.array(values.astype(str))
    order = pc.array_sort_indices(text).to_numpy()[:count]
    return text.take(order).to_pylist()


def memo_home(memo: Memo, book: Codebook) -> str:
    """The report section a memo is printed in: beside the edges when it names any (or the core
    category), beside the axial table when it names a category or main category, else beside
    the open-coding table."""
    levels = {book.level_of[c] for c in memo.codes}
    if memo.edges or "core" in levels:
        return "mechanisms"
    if levels & {"category", "main_category"}:
        return "axial"
    return "open"


def sections_touched(memo: Memo, book: Codebook) -> set[str]:
    """Every report section whose table shows a code or edge the memo names."""
    levels = {book.level_of[c] for c in memo.codes}
    touched = {"open"} if "concept" in levels else set()
    if levels & {"category", "main_category"}:
        touched.add("axial")
    if memo.edges or "core" in levels:
        touched.add("mechanisms")
    return touched


def memo_sections(memos: MemoIndex, book: Codebook) -> dict:
    """Memos per report section, each with its section and its code levels."""
    placed = {section: [] for section in MEMO_SECTIONS}
    also = {section: [] for section in MEMO_SECTIONS}
    for memo in memos.memos:
        home = memo_home(memo, book)
        for section in sections_touched(memo, book):
            if section != home:
                also[section].append({"id": memo.id, "title": memo.title})
        entry = memo.as_dict()
        entry["codes"] = [{"id": c, "level": book.level_of[c]} for c in memo.codes]
        entry["edges"] = [{"key": e, "from": e.split("->", 1)[0], "to": e.split("->", 1)[1]}
                          for e in memo.edges]
        # What the memo's "About" line links to: its codes, then its edges.
        entry["refs"] = [{"item": c, "label": c} for c in memo.codes] + \
            [{"item": e, "label": e.replace("->", " → ")} for e in memo.edges]
        placed[memo_home(memo, book)].append(entry)
    return {"n": len(memos.memos), "by_section": placed, "also": also,
            "synthetic": sum(1 for m in memos.memos if m.synthetic)}


def audit_context(*, memo_paths: Iterable[str], config: dict, book: Codebook, model: dict,
                  contrary: dict[str, dict], negative: str | Path,
                  negative_source: str) -> dict:
    """The explorer's file name, the contrary cases (``negative``: negative_cases.csv) and the
    memos, for the report template."""
    exemplars = int(config["report"]["contrary_exemplars"])
    return {
        "explorer": explorer_file_name(config["study"]["name"]),
        "contrary": contrary_section(contrary, read_contrary_examples(negative, exemplars),
                                     model, exemplars, negative_source),
        "memos": memo_sections(load_memos([str(p) for p in memo_paths], book, model), book),
        "memo_dir": str(Path("data") / "memos"),
    }
