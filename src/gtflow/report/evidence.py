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
import pyarrow as pa
import pyarrow.compute as pc

from gtflow import contracts
from gtflow.errors import InputError

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
    #: The documents of the item's roles so far, while its rows are read (edges only: codes
    #: have the one role '').
    role_documents: RoleDocuments = field(default_factory=lambda: RoleDocuments())

    def shown_documents(self) -> set[str]:
        return {doc for docs in self.shown.values() for doc in docs}


class RoleDocuments:
    """The documents each role (but '') of an item opened so far, in order: which documents a
    later role opens are new to the item (an edge's document under both ends counts once).

    A role's documents come in sorted order and, as the mechanisms stage writes an edge, its
    second role lists the same documents as its first: they are compared position by position
    (one Arrow comparison per run of rows), and only those that differ are looked up in the set
    of the earlier roles' documents."""

    def __init__(self) -> None:
        self.opened: dict[str, list[pa.Array]] = {}
        self.earlier: set | None = None  # the earlier roles' documents, made when needed
        self.earlier_for: str | None = None  # the role they are earlier than

    def new_documents(self, role: str, opened: pa.Array) -> np.ndarray:
        """Per document ``role`` opens next (documents it has not opened before): whether no
        earlier role (but '') opened it; they are then noted as opened."""
        new = np.ones(len(opened), dtype=bool)
        if not role:
            return new
        mine = self.opened.setdefault(role, [])
        earlier = [r for r in self.opened if r != role]
        if earlier:
            new = self.not_in_earlier(role, earlier, opened, sum(len(a) for a in mine))
        mine.append(opened)
        return new

    def not_in_earlier(self, role: str, earlier: list[str], opened: pa.Array,
                       position: int) -> np.ndarray:
        """Whether each of ``opened`` (the documents ``position`` onwards of ``role``) is in no
        ``earlier`` role."""
        found = np.zeros(len(opened), dtype=bool)
        if len(earlier) == 1:  # the same document at the same position: found
            documents = pa.chunked_array(self.opened[earlier[0]], type=opened.type)
            aligned = min(len(opened), max(len(documents) - position, 0))
            if aligned:
                same = pc.equal(opened.slice(0, aligned), documents.slice(position, aligned))
                found[:aligned] = mask_of(same)
        unsure = np.flatnonzero(~found)
        if len(unsure):
            known = self.earlier_documents(role, earlier)
            found[unsure] = [doc in known for doc in opened.take(unsure).to_pylist()]
        return ~found

    def earlier_documents(self, role: str, earlier: list[str]) -> set:
        """The documents of the ``earlier`` roles as a set (made once per role)."""
        if self.earlier_for != role:
            self.earlier = {doc for r in earlier for array in self.opened[r]
                            for doc in array.to_pylist()}
            self.earlier_for = role
        return self.earlier


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
        # Whether the document the last batch ended in is shown, and is a contrary one (its
        # rows may go on in the next batch).
        self.document_shown = self.document_contrary = False
        self.value_sets: dict[tuple[str, pa.DataType], pa.Array | None] = {}

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
        opens = opens_document[start:end]
        first = start + np.flatnonzero(opens)  # batch rows
        opened = keys["doc_id"].take(first)
        # A later role also shows the documents an earlier one chose; the first role shows
        # those it chooses (its documents come once each).
        shown_before = (is_in(opened, tally.shown_documents()) if len(tally.roles) > 1
                        else np.zeros(len(opened), dtype=bool))
        new = tally.role_documents.new_documents(role, opened)
        shown = shown_before | self.count(tally, opened, new, groups[first])
        tally.n_codings += end - start
        document_of_row = np.cumsum(opens) - 1  # -1: the document the previous batch ended in
        kept.shown.append(start + rows_of_documents(document_of_row, shown, self.document_shown))
        if len(opened):
            self.document_shown = bool(shown[-1])
        if key[0] == "code":
            contrary = is_in(opened, self.contrary_value_set(key[1], opened.type))
            kept.contrary.append(
                start + rows_of_documents(document_of_row, contrary, self.document_contrary))
            if len(opened):
                self.document_contrary = bool(contrary[-1])

    def contrary_value_set(self, code: str, kind: pa.DataType) -> pa.Array | None:
        """A code's contrary documents as an Arrow array (made once per code, not per run)."""
        if (code, kind) not in self.value_sets:
            wanted = self.contrary_documents.get(code)
            self.value_sets[code, kind] = pa.array(list(wanted), type=kind) if wanted else None
        return self.value_sets[code, kind]

    def tally_of(self, key: tuple[str, str], role: str, offset: int) -> ItemTally:
        """The tally of the item a run of rows belongs to: a new one when the item starts (an
        item's rows are consecutive, its roles in order)."""
        if key != self.current:
            if key in self.tallies:
                raise self.out_of_order(offset, "item")
            if self.current is not None:  # its rows are over: forget its documents
                self.tallies[self.current].role_documents = RoleDocuments()
            self.current = key
            self.tallies[key] = ItemTally(roles=[role])
        tally = self.tallies[key]
        if role != tally.roles[-1]:
            if role < tally.roles[-1]:
                raise self.out_of_order(offset, "role")
            tally.roles.append(role)
        return tally

    def count(self, tally: ItemTally, opened: pa.Array, new: np.ndarray,
              groups: np.ndarray) -> np.ndarray:
        """Count the documents new to an item (those ``opened`` in a run of rows that are
        ``new``, of kinds ``groups``, see :func:`group_numbers`) and choose the first ``cap``
        of each kind; which of ``opened`` were chosen."""
        chosen = np.zeros(len(opened), dtype=bool)
        tally.n_documents += int(np.count_nonzero(new))
        for number, (group, _) in enumerate(SOURCE_GROUPS):
            mine = np.flatnonzero(new & (groups == number))
            tally.group_documents[group] += len(mine)
            room = self.cap - len(tally.shown[group])
            if room > 0:
                tally.shown[group].extend(opened.take(mine[:room]).to_pylist())
                chosen[mine[:room]] = True
        return chosen

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
    result[1:] = mask_of(pc.equal(column.slice(1), column.slice(0, len(column) - 1)))
    return result


def below_previous(column: pa.Array, before: str | None) -> np.ndarray:
    """Per row: whether it sorts before the row before (row 0: ``before``). Arrow compares
    UTF-8 bytes, which orders as Python orders the strings (by code point)."""
    result = np.empty(len(column), dtype=bool)
    result[0] = before is not None and column[0].as_py() < before
    result[1:] = mask_of(pc.less(column.slice(1), column.slice(0, len(column) - 1)))
    return result


def group_numbers(source_types: pa.Array) -> np.ndarray:
    """Per row: the index in :data:`SOURCE_GROUPS` of its kind of material (-1: none)."""
    numbers = np.full(len(source_types), -1)
    for number, (_, types) in enumerate(SOURCE_GROUPS):
        for source_type in types:  # a comparison per type: cheaper than a set lookup
            numbers[mask_of(pc.equal(source_types, source_type))] = number
    return numbers


def mask_of(flags: pa.Array) -> np.ndarray:
    """An Arrow boolean array as a NumPy mask, a missing value as False."""
    if flags.null_count:
        flags = flags.fill_null(False)
    return flags.to_numpy(zero_copy_only=False)


def run_bounds(same_role: np.ndarray) -> list[int]:
    """Start positions of the runs of one item and role in a batch, and the batch's end."""
    changes = ~same_role
    changes[0] = True
    return [*np.flatnonzero(changes).tolist(), len(same_role)]


def is_in(values: pa.Array, wanted: set | pa.Array | None) -> np.ndarray:
    """Per value: whether it is one of ``wanted``."""
    if wanted is None or not len(wanted) or not len(values):
        return np.zeros(len(values), dtype=bool)
    if not isinstance(wanted, pa.Array):
        wanted = pa.array(list(wanted), type=values.type)
    return mask_of(pc.is_in(values, value_set=wanted))


def rows_of_documents(document_of_row: np.ndarray, wanted: np.ndarray,
                      previous: bool) -> np.ndarray:
    """Positions of the rows whose document is ``wanted`` (``document_of_row``: the index of
    each row's document in ``wanted``, -1 for the document continued from the previous batch,
    wanted when ``previous``)."""
    continued = document_of_row < 0
    mask = np.empty(len(document_of_row), dtype=bool)
    mask[continued] = previous
    mask[~continued] = wanted[document_of_row[~continued]]
    return np.flatnonzero(mask)


@dataclass
class KeptRows:
    """Positions in one batch of the rows kept as shown and as contrary, in batch order."""

    shown: list[np.ndarray] = field(default_factory=list)
    contrary: list[np.ndarray] = field(default_factory=list)

    def take(self, batch: pa.RecordBatch, shown: list[pa.RecordBatch],
             contrary: list[pa.RecordBatch]) -> None:
        """Add the kept rows of ``batch`` (shown columns) to the ``shown`` and ``contrary``
        batches."""
        for positions, kept in ((self.shown, shown), (self.contrary, contrary)):
            rows = np.concatenate(positions) if positions else np.empty(0, dtype=np.int64)
            if len(rows):
                kept.append(batch.select(SHOWN_COLUMNS).take(pa.array(rows)))


def concat_rows(batches: list[pa.RecordBatch]) -> pd.DataFrame:
    """The kept rows as one frame, text as Python strings (the page reads them row by row,
    which Arrow-backed text makes several times slower)."""
    batches = [b for b in batches if b.num_rows]
    if not batches:
        return contracts.empty_frame("evidence")[SHOWN_COLUMNS]
    rows = pa.Table.from_batches(batches)
    if any(column.null_count for column in rows.columns):  # pandas' way with missing values
        frame = pd.concat([b.to_pandas() for b in batches], ignore_index=True)
        return frame.astype({c: object for c in SHOWN_COLUMNS if c not in ("start", "end")})
    # Text straight to Python strings, not through pandas' Arrow-backed strings first.
    return pd.DataFrame({c: rows.column(c).to_numpy() if c in ("start", "end") else
                         pd.Series(rows.column(c).to_numpy(zero_copy_only=False), dtype=object,
                                   copy=False)
                         for c in SHOWN_COLUMNS})


def digest_evidence(batches: Iterable[pa.RecordBatch | pd.DataFrame], *, cap: int,
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
    batches = contracts.read_csv_record_batches("evidence", path, columns, rows or BATCH_ROWS)
    return digest_evidence(batches,
                           cap=cap, contrary_documents=contrary_documents, source=path)
