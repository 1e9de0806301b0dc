"""``results/tables/evidence.csv`` read in batches: per item (code or model edge) its counts and
only the rows the report shows.

The listing has one row per evidence coding under each item it supports (1.6 GB for a million
posts), so the report never holds it: :func:`read_evidence` reads it a batch at a time and keeps
per item the number of codings and of documents (in all, and per kind of material), the rows
of the first ``cap`` documents of each kind (what the explorer lists), and the code rows of the
contrary documents the explorer shows. Memory grows with items × cap, not with the corpus.

Documents are counted without remembering them, from the listing's order (the mechanisms stage
sorts it by item, role, doc_id, offsets): within an item and role a document's rows are
consecutive. Only the documents of the edge being read are remembered, so that a document
under both of its ends counts once. A listing out of that order stops with a message naming the file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd

from gtflow import contracts
from gtflow.errors import InputError

#: Document lists of an item: all documents, then by kind of material.
SOURCE_GROUPS = (("interview", ("interview",)), ("web", ("web_page", "web_post")))
GROUP_OF = {source_type: group for group, types in SOURCE_GROUPS for source_type in types}
#: Most rows per batch (Arrow reads the CSV in 1 MB blocks, which usually hold fewer).
BATCH_ROWS = 100_000
#: What identifies a row's item and document.
KEY_COLUMNS = ["item_type", "item_id", "role", "doc_id", "source_type"]
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
        self.shown: list[pd.DataFrame] = []
        self.contrary: list[pd.DataFrame] = []
        self.last: tuple[str, str, str, str] | None = None  # item_type, item_id, role, doc_id
        self.current: tuple[str, str] | None = None  # the item being read
        self.rows_read = 0

    def add(self, batch: pd.DataFrame) -> None:
        """Count one batch and keep the rows the report shows."""
        if batch.empty:
            return
        keys = {c: batch[c].to_numpy(dtype=object) for c in KEY_COLUMNS}
        opens_role = self.opens_role(keys)
        for start, end in pairwise(segment_bounds(keys)):
            self.add_segment(batch, keys, opens_role, start, end)
        self.rows_read += len(batch)
        self.last = tuple(keys[c][-1] for c in ("item_type", "item_id", "role", "doc_id"))

    def opens_role(self, keys: dict[str, np.ndarray]) -> np.ndarray:
        """Per row: True where it starts a new document within its item and role (its rows
        are consecutive there); the order is checked on the way."""
        columns = [keys[c] for c in ("item_type", "item_id", "role", "doc_id")]
        previous = [np.empty(len(c), dtype=object) for c in columns]
        for column, before in zip(columns, previous):
            before[1:] = column[:-1]
            before[0] = None
        if self.last is not None:
            for before, value in zip(previous, self.last):
                before[0] = value
        same_role = ((columns[0] == previous[0]) & (columns[1] == previous[1])
                     & (columns[2] == previous[2]))
        same_doc = same_role & (columns[3] == previous[3])
        turns = np.flatnonzero(same_role & ~same_doc)
        backwards = turns[columns[3][turns] < previous[3][turns]]
        if len(backwards):
            raise self.out_of_order(int(backwards[0]), "document")
        return ~same_doc

    def add_segment(self, batch: pd.DataFrame, keys: dict[str, np.ndarray],
                    opens_role: np.ndarray, start: int, end: int) -> None:
        """Rows ``start:end`` of a batch, all of one item and role: count them, keep what is
        shown."""
        key, role = (keys["item_type"][start], keys["item_id"][start]), keys["role"][start]
        tally = self.tally_of(key, role, start)
        doc_ids = keys["doc_id"][start:end]
        first = np.flatnonzero(opens_role[start:end])
        if role:
            new_to_item = np.fromiter((doc_ids[i] not in tally.role_documents for i in first),
                                      bool, len(first))
            tally.role_documents.update(doc_ids[first].tolist())
            first = first[new_to_item]
        self.count(tally, doc_ids[first], keys["source_type"][start:end][first])
        tally.n_codings += end - start
        rows = batch.iloc[start:end]
        keep_rows(self.shown, rows, doc_ids, tally.shown_documents())
        if key[0] == "code":
            keep_rows(self.contrary, rows, doc_ids, self.contrary_documents.get(key[1]))

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

    def count(self, tally: ItemTally, doc_ids: np.ndarray, source_types: np.ndarray) -> None:
        """Count documents new to an item, and choose the first ``cap`` of each kind."""
        tally.n_documents += len(doc_ids)
        groups = np.array([GROUP_OF.get(t) for t in source_types], dtype=object)
        for group, _ in SOURCE_GROUPS:
            mine = doc_ids[groups == group]
            tally.group_documents[group] += len(mine)
            room = self.cap - len(tally.shown[group])
            if room > 0:
                tally.shown[group].extend(mine[:room].tolist())

    def out_of_order(self, row: int, what: str) -> InputError:
        # Line numbers count the header as line 1 (quotes hold no line breaks).
        return InputError(self.source, f"rows are not in the order the mechanisms stage writes "
                          f"them (by item, role, doc_id): this {what} comes out of order",
                          line=self.rows_read + row + 2)

    def digest(self) -> EvidenceDigest:
        return EvidenceDigest(self.tallies, concat_rows(self.shown), concat_rows(self.contrary))


def segment_bounds(keys: dict[str, np.ndarray]) -> list[int]:
    """Start positions of the runs of one item and role in a batch, and the batch's end."""
    size = len(keys["item_id"])
    changes = np.zeros(size, dtype=bool)
    changes[0] = True
    for column in ("item_type", "item_id", "role"):
        values = keys[column]
        changes[1:] |= values[1:] != values[:-1]
    return [*np.flatnonzero(changes).tolist(), size]


def keep_rows(kept: list[pd.DataFrame], rows: pd.DataFrame, doc_ids: np.ndarray,
              wanted: set[str] | None) -> None:
    """Add to ``kept`` the rows (shown columns) of the ``wanted`` documents."""
    if not wanted:
        return
    mask = np.fromiter((doc in wanted for doc in doc_ids), bool, len(doc_ids))
    if mask.any():
        kept.append(rows.loc[mask, SHOWN_COLUMNS])


def concat_rows(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The kept rows as one frame, text as Python strings (the page reads them row by row,
    which Arrow-backed text makes several times slower)."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return contracts.empty_frame("evidence")[SHOWN_COLUMNS]
    rows = pd.concat(frames, ignore_index=True)
    return rows.astype({c: object for c in SHOWN_COLUMNS if c not in ("start", "end")})


def digest_evidence(batches: Iterable[pd.DataFrame], *, cap: int,
                    contrary_documents: Mapping[str, set[str]] | None = None,
                    source: str | Path = "evidence.csv") -> EvidenceDigest:
    """The digest of a listing given as consecutive batches (``source`` names it in errors)."""
    digester = EvidenceDigester(source, cap, contrary_documents or {})
    for batch in batches:
        digester.add(batch)
    return digester.digest()


def read_evidence(path: str | Path, *, cap: int,
                  contrary_documents: Mapping[str, set[str]] | None = None,
                  rows: int | None = None) -> EvidenceDigest:
    """The digest of evidence.csv at ``path``, read ``rows`` (default :data:`BATCH_ROWS`) rows
    at a time; with ``cap`` 0 and no contrary documents only the counts (the quote column is
    then not read)."""
    columns = SHOWN_COLUMNS if cap or contrary_documents else KEY_COLUMNS
    batches = contracts.read_csv_batches("evidence", path, columns, rows or BATCH_ROWS)
    return digest_evidence(batches,
                           cap=cap, contrary_documents=contrary_documents, source=path)
