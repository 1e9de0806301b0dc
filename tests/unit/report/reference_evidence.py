"""The evidence digest before its runs of rows were counted and chosen from document runs
(gtflow.report.evidence at dd12cea): the reference the faster digest is compared with."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from gtflow import contracts
from gtflow.errors import InputError
from gtflow.report.evidence import KeptRows, run_bounds

#: Document lists of an item: all documents, then by kind of material.
SOURCE_GROUPS = (("interview", ("interview",)), ("web", ("web_page", "web_post")))
#: Most rows per batch (Arrow reads the CSV in 1 MB blocks, which usually hold fewer).
BATCH_ROWS = 100_000
#: What identifies a row's item and document.
KEY_COLUMNS = ["item_type", "item_id", "role", "doc_id", "source_type"]
#: The listing's order within which a document's rows are consecutive.
ORDER_COLUMNS = ("item_type", "item_id", "role", "doc_id")
#: What the explorer shows of a coding.
SHOWN_COLUMNS = [*KEY_COLUMNS, "start", "end", "concept_id", "coder", "origin", "rule", "quote"]


@dataclass
class ItemTally:
    """One item's counts, and the documents (at most ``cap`` per kind) its lists show."""

    n_codings: int = 0
    n_documents: int = 0
    group_documents: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys((g for g, _ in SOURCE_GROUPS), 0))
    shown: dict[str, list[str]] = field(
        default_factory=lambda: {g: [] for g, _ in SOURCE_GROUPS})
    roles: list[str] = field(default_factory=list)
    #: Documents of the item's roles so far, while its rows are read (edges only: codes have
    #: the one role '').
    role_documents: set[str] = field(default_factory=set)

    def shown_documents(self) -> set[str]:
        return {doc for docs in self.shown.values() for doc in docs}


@dataclass
class EvidenceDigest:
    """What the report needs of evidence.csv: tallies by (item_type, item_id), the rows of the
    documents each list shows (``shown``) and the code rows of contrary documents."""

    tallies: dict[tuple[str, str], ItemTally]
    shown: pd.DataFrame
    contrary: pd.DataFrame

    def tally(self, item_type: str, item_id: str) -> ItemTally:
        """An item's tally (zero counts for an item without evidence)."""
        return self.tallies.get((item_type, item_id)) or ItemTally()

    def shown_rows(self, item_type: str) -> dict[str, pd.DataFrame]:
        """Item id -> the shown rows of that item, for items of one type."""
        rows = self.shown[self.shown["item_type"] == item_type]
        return dict(tuple(rows.groupby("item_id", sort=False)))

    def document_counts(self, item_type: str = "code") -> dict[str, int]:
        """Item id -> its documents, for items of one type."""
        return {item_id: tally.n_documents for (kind, item_id), tally in self.tallies.items()
                if kind == item_type}


class EvidenceDigester:
    """Reads the listing batch by batch (:meth:`add`), checking its order as it goes."""

    def __init__(self, source: str | Path, cap: int,
                 contrary_documents: Mapping[str, set[str]]) -> None:
        self.source, self.cap, self.contrary_documents = str(source), cap, contrary_documents
        self.tallies: dict[tuple[str, str], ItemTally] = {}
        self.shown: list[pa.RecordBatch] = []
        self.contrary: list[pa.RecordBatch] = []
        self.last: tuple[str, str, str, str] | None = None  # item_type, item_id, role, doc_id
        self.current: tuple[str, str] | None = None  # the item being read
        self.rows_read = 0

    def add(self, batch: pa.RecordBatch | pd.DataFrame) -> None:
        """Count one batch and keep the rows the report shows."""
        if isinstance(batch, pd.DataFrame):
            batch = pa.RecordBatch.from_pandas(batch, preserve_index=False)
        if not batch.num_rows:
            return
        keys = {c: batch.column(c) for c in KEY_COLUMNS}
        same_role, opens_document = self.compare_rows(keys)
        groups = group_numbers(keys["source_type"])
        kept = KeptRows()
        for start, end in pairwise(run_bounds(same_role)):
            self.add_segment(keys, opens_document, groups, start, end, kept)
        # One take per batch and list rather than one per run of rows.
        kept.take(batch, self.shown, self.contrary)
        self.rows_read += batch.num_rows
        self.last = tuple(keys[c][-1].as_py() for c in ORDER_COLUMNS)

    def compare_rows(self, keys: dict[str, pa.Array]) -> tuple[np.ndarray, np.ndarray]:
        """Per row: whether it has the item and role of the row before (the first row is
        compared with the previous batch's last), and whether it starts a new document within
        its item and role (its rows are consecutive there); the order is checked on the way."""
        last = self.last or (None,) * len(ORDER_COLUMNS)
        same = [equals_previous(keys[c], before) for c, before in zip(ORDER_COLUMNS, last)]
        same_role = same[0] & same[1] & same[2]
        same_doc = same_role & same[3]
        turns = np.flatnonzero(same_role & ~same_doc)
        backwards = turns[below_previous(keys["doc_id"], last[3])[turns]]
        if len(backwards):
            raise self.out_of_order(int(backwards[0]), "document")
        return same_role, ~same_doc

    def add_segment(self, keys: dict[str, pa.Array], opens_document: np.ndarray,
                    groups: np.ndarray, start: int, end: int, kept: KeptRows) -> None:
        """Rows ``start:end`` of a batch, all of one item and role: count them, note in
        ``kept`` the rows shown."""
        key = (keys["item_type"][start].as_py(), keys["item_id"][start].as_py())
        role = keys["role"][start].as_py()
        tally = self.tally_of(key, role, start)
        doc_ids = keys["doc_id"]
        first = start + np.flatnonzero(opens_document[start:end])  # batch rows
        if role:
            opened = doc_ids.take(first).to_pylist()
            new_to_item = np.fromiter((doc not in tally.role_documents for doc in opened),
                                      bool, len(opened))
            tally.role_documents.update(opened)
            first = first[new_to_item]
        self.count(tally, doc_ids, first, groups[first])
        tally.n_codings += end - start
        segment_doc_ids = doc_ids.slice(start, end - start)
        kept.shown.append(start + rows_of(segment_doc_ids, tally.shown_documents()))
        if key[0] == "code":
            kept.contrary.append(
                start + rows_of(segment_doc_ids, self.contrary_documents.get(key[1])))

    def tally_of(self, key: tuple[str, str], role: str, offset: int) -> ItemTally:
        """The tally of the item a run of rows belongs to: a new one when the item starts (an
        item's rows are consecutive, its roles in order)."""
        if key != self.current:
            if key in self.tallies:
                raise self.out_of_order(offset, "item")
            if self.current is not None:  # its rows are over: forget its documents
                self.tallies[self.current].role_documents.clear()
            self.current = key
            self.tallies[key] = ItemTally(roles=[role])
        tally = self.tallies[key]
        if role != tally.roles[-1]:
            if role < tally.roles[-1]:
                raise self.out_of_order(offset, "role")
            tally.roles.append(role)
        return tally

    def count(self, tally: ItemTally, doc_ids: pa.Array, rows: np.ndarray,
              groups: np.ndarray) -> None:
        """Count the documents new to an item (opened at batch ``rows``, of kinds ``groups``,
        see :func:`group_numbers`), and choose the first ``cap`` of each kind."""
        tally.n_documents += len(rows)
        for number, (group, _) in enumerate(SOURCE_GROUPS):
            mine = rows[groups == number]
            tally.group_documents[group] += len(mine)
            room = self.cap - len(tally.shown[group])
            if room > 0:
                tally.shown[group].extend(doc_ids.take(mine[:room]).to_pylist())

    def out_of_order(self, row: int, what: str) -> InputError:
        # Line numbers count the header as line 1 (quotes hold no line breaks).
        return InputError(self.source, f"rows are not in the order the mechanisms stage writes "
                          f"them (by item, role, doc_id): this {what} comes out of order",
                          line=self.rows_read + row + 2)

    def digest(self) -> EvidenceDigest:
        return EvidenceDigest(self.tallies, concat_rows(self.shown), concat_rows(self.contrary))


def equals_previous(column: pa.Array, before: str | None) -> np.ndarray:
    """Per row: whether it equals the row before (row 0: ``before``, None for no row)."""
    result = np.empty(len(column), dtype=bool)
    result[0] = before is not None and column[0].as_py() == before
    result[1:] = pc.equal(column.slice(1), column.slice(0, len(column) - 1)) \
        .fill_null(False).to_numpy(zero_copy_only=False)
    return result


def below_previous(column: pa.Array, before: str | None) -> np.ndarray:
    """Per row: whether it sorts before the row before (row 0: ``before``). Arrow compares
    UTF-8 bytes, which orders as Python orders the strings (by code point)."""
    result = np.empty(len(column), dtype=bool)
    result[0] = before is not None and column[0].as_py() < before
    result[1:] = pc.less(column.slice(1), column.slice(0, len(column) - 1)) \
        .fill_null(False).to_numpy(zero_copy_only=False)
    return result


def group_numbers(source_types: pa.Array) -> np.ndarray:
    """Per row: the index in :data:`SOURCE_GROUPS` of its kind of material (-1: none)."""
    numbers = np.full(len(source_types), -1)
    for number, (_, types) in enumerate(SOURCE_GROUPS):
        member = pc.is_in(source_types, value_set=pa.array(types, type=source_types.type))
        numbers[member.fill_null(False).to_numpy(zero_copy_only=False)] = number
    return numbers


def rows_of(doc_ids: pa.Array, wanted: set[str] | None) -> np.ndarray:
    """Positions of the rows of the ``wanted`` documents."""
    if not wanted:
        return np.empty(0, dtype=np.int64)
    value_set = pa.array(list(wanted), type=doc_ids.type)
    mask = pc.is_in(doc_ids, value_set=value_set).fill_null(False).to_numpy(zero_copy_only=False)
    return np.flatnonzero(mask)


def concat_rows(batches: list[pa.RecordBatch]) -> pd.DataFrame:
    """The kept rows as one frame, text as Python strings (the page reads them row by row,
    which Arrow-backed text makes several times slower)."""
    frames = [b.to_pandas() for b in batches if b.num_rows]
    if not frames:
        return contracts.empty_frame("evidence")[SHOWN_COLUMNS]
    rows = pd.concat(frames, ignore_index=True)
    return rows.astype({c: object for c in SHOWN_COLUMNS if c not in ("start", "end")})


def digest_evidence(batches: Iterable[pa.RecordBatch | pd.DataFrame], *, cap: int,
                    contrary_documents: Mapping[str, set[str]] | None = None,
                    source: str | Path = "evidence.csv") -> EvidenceDigest:
    """The digest of a listing given as consecutive batches (``source`` names it in errors)."""
    digester = EvidenceDigester(source, cap, contrary_documents or {})
    for batch in batches:
        digester.add(batch)
    return digester.digest()
