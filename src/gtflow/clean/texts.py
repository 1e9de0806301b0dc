"""Where clean text is stored, and the one way to read it back.

Each raw file's clean documents are written one after another into one UTF-8 *shard*
(``results/clean/text/{source}/{stem}.txt``); an *index* says where each document's bytes are
(``doc_id, shard, start, end``; the shard path is relative to the index's folder, ``end``
exclusive). A post export of a million posts is then one file and a million index rows, not a
million small files; an interview or a saved page is still one shard of one document.

Every reader (the auto-coder, re-anchoring, quotes, the REFI export) goes through
:class:`CleanTexts`, so none of them knows how text is stored. Offsets in codings and segments
stay code points within one document's text, as before.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Self

import numpy as np
import pandas as pd

from gtflow.contracts import read_table
from gtflow.io import atomic_path

#: Written after each document, so a shard also reads well as a plain text file.
SEPARATOR = b"\n"


class ShardWriter:
    """Write one raw file's clean texts into its shard, a chunk of documents at a time; the
    shard appears whole or not at all (use as a context manager)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.position = 0

    def __enter__(self) -> Self:
        self._atomic = atomic_path(self.path)
        self._handle = open(self._atomic.__enter__(), "wb")  # closed in __exit__
        return self

    def add(self, doc_ids: list[str], texts: Iterable[str]) -> pd.DataFrame:
        """Append ``texts`` (one per id); return their index rows (shard = the file's name)."""
        encoded = [text.encode("utf-8") for text in texts]
        if len(encoded) != len(doc_ids):
            raise ValueError(f"{len(doc_ids)} document ids for {len(encoded)} texts")
        # Each text's start is the position plus the lengths (and separators) of those before.
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        starts = self.position + np.cumsum(lengths + len(SEPARATOR)) - lengths - len(SEPARATOR)
        # Text, separator, text, ...: written from C, without one more copy of the chunk.
        self._handle.writelines(
            itertools.chain.from_iterable(zip(encoded, itertools.repeat(SEPARATOR))))
        self.position += int(lengths.sum()) + len(SEPARATOR) * len(encoded)
        return index_frame(doc_ids, [self.path.name] * len(doc_ids), starts, starts + lengths)

    def __exit__(self, kind, error, trace) -> bool | None:
        self._handle.close()
        return self._atomic.__exit__(kind, error, trace)


def write_shard(path: str | Path, doc_ids: list[str], texts: Iterable[str]) -> pd.DataFrame:
    """Write ``texts`` into one shard at ``path``; return its index (shard = the file's name)."""
    with ShardWriter(path) as shard:
        return shard.add(doc_ids, texts)


def index_frame(doc_ids: list[str], shards: list[str], starts: list[int],
                ends: list[int]) -> pd.DataFrame:
    """A text index (contract ``text_index`` / ``file_text_index``) from its columns."""
    return pd.DataFrame({"doc_id": pd.Series(doc_ids, dtype=object),
                         "shard": pd.Series(shards, dtype=object),
                         "start": np.asarray(starts, dtype=np.int64),
                         "end": np.asarray(ends, dtype=np.int64)})


def gather_indexes(indexes: Iterable[tuple[str, pd.DataFrame]]) -> pd.DataFrame:
    """The per-file indexes as one, each shard named relative to the corpus index's folder.

    ``indexes`` are (the folder of the file's shard relative to the corpus index's folder,
    e.g. ``posts``; the file's index)."""
    parts = [index.assign(shard=folder + "/" + index["shard"]) for folder, index in indexes]
    if not parts:
        return index_frame([], [], [], [])
    return pd.concat(parts, ignore_index=True)


class CleanTexts(Mapping[str, str]):
    """The clean text of the documents an index lists: a read-only mapping doc_id -> text.

    Shards are read whole, one at a time and only when a document in them is asked for; the
    texts of a shard are kept until another shard is read (readers go file by file).
    """

    def __init__(self, index: pd.DataFrame, folder: str | Path) -> None:
        self.folder = Path(folder)
        self._where = {doc_id: i for i, doc_id in enumerate(index["doc_id"].tolist())}
        # Arrays and shard numbers, not lists of Python objects: at a million documents the
        # lists took about 200 MB, and one lookup costs far less than the decoding.
        shard_of, shard_names = pd.factorize(index["shard"])
        self._shard_of = shard_of.astype(np.int32)
        # A list, not the Index factorize gives: indexing an Arrow-backed Index costs ~10 µs,
        # about 2 of the 12 s of exporting 100k texts to REFI-QDA (each text is read twice).
        self._shard_names: list[str] = shard_names.tolist()
        self._starts = index["start"].to_numpy(np.int64)
        self._ends = index["end"].to_numpy(np.int64)
        self._open_shard: tuple[str, bytes] | None = None

    @classmethod
    def open(cls, index_path: str | Path, table: str = "text_index") -> CleanTexts:
        """The texts behind an index file (``text_index``, or ``file_text_index`` for one
        raw file's)."""
        return cls(read_table(table, index_path), Path(index_path).parent)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._where

    def __len__(self) -> int:
        return len(self._where)

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __getitem__(self, doc_id: str) -> str:
        return self.text(doc_id)

    def _shard_bytes(self, shard: str) -> bytes:
        if self._open_shard is None or self._open_shard[0] != shard:
            self._open_shard = (shard, (self.folder / shard).read_bytes())
        return self._open_shard[1]

    def text(self, doc_id: str) -> str:
        """One document's clean text; KeyError for a document the index does not list."""
        i = self._where[doc_id]
        shard = self._shard_bytes(self._shard_names[self._shard_of[i]])
        return shard[self._starts[i]:self._ends[i]].decode("utf-8")

    def texts_of(self, doc_ids: Sequence[str], batch: int = 4096) -> Iterator[str]:
        """The clean texts of ``doc_ids``, in order (KeyError for one the index does not
        list): :meth:`text` of each, with the index looked up a batch of ids at a time (a
        NumPy scalar per document and field cost more than the decoding)."""
        return (data.decode("utf-8") for data in self.encoded_texts_of(doc_ids, batch))

    def encoded_texts_of(self, doc_ids: Sequence[str], batch: int = 4096) -> Iterator[bytes]:
        """:meth:`texts_of` as the UTF-8 bytes they are stored in, not decoded (for a writer
        that would encode them again)."""
        for first in range(0, len(doc_ids), batch):
            rows = np.fromiter((self._where[doc_id] for doc_id in doc_ids[first:first + batch]),
                               dtype=np.int64)
            for shard, start, end in zip(self._shard_of[rows].tolist(),
                                         self._starts[rows].tolist(), self._ends[rows].tolist()):
                yield self._shard_bytes(self._shard_names[shard])[start:end]

    def text_array(self, doc_ids: Sequence[str]):
        """The clean texts of ``doc_ids`` as one Arrow string array, in order (KeyError for
        one the index does not list): each shard read once and sliced by Arrow, for a reader
        of a whole corpus (a Python string per text and lookup cost more than its work)."""
        import pyarrow as pa  # only whole-corpus readers need it

        if not len(doc_ids):
            return pa.array([], type=pa.large_string())
        slices, slots = self._shard_slices(doc_ids)
        return slices.take(pa.array(slots))

    def code_point_lengths(self, doc_ids: Sequence[str]) -> np.ndarray:
        """``len`` of the clean text of each of ``doc_ids``, in order (KeyError for one the
        index does not list), counted on the shards' UTF-8 bytes without a string per text;
        UnicodeDecodeError, as reading would raise, where the bytes are not UTF-8."""
        import pyarrow as pa
        import pyarrow.compute as pc

        if not len(doc_ids):
            return np.zeros(0, dtype=np.int64)
        slices, slots = self._shard_slices(doc_ids)
        try:
            slices.validate(full=True)  # Arrow counts code points without checking them
        except pa.ArrowInvalid:
            # Only the asked texts matter (the bytes between them may be anything): decoding
            # them raises the error reading them would.
            return np.fromiter(map(len, self.texts_of(doc_ids)), dtype=np.int64,
                               count=len(doc_ids))
        return pc.utf8_length(slices).to_numpy()[slots]

    def _shard_slices(self, doc_ids: Sequence[str]):
        """The asked texts' shards as Arrow strings without a copy, and where each of
        ``doc_ids`` is among them (KeyError for an id the index does not list)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        # The ids looked up in the index by one Arrow hash join, not a dict look-up each.
        found = pc.index_in(pa.array(doc_ids, type=pa.string()),
                            value_set=pa.array(list(self._where), type=pa.string()))
        if found.null_count:
            missing = np.flatnonzero(found.is_null().to_numpy(zero_copy_only=False))[0]
            raise KeyError(doc_ids[int(missing)])
        rows = np.fromiter(self._where.values(), dtype=np.int64, count=len(self._where))[
            found.to_numpy(zero_copy_only=False)]
        parts, positions, slices = [], [], 0
        asked = np.zeros(len(self._starts), dtype=bool)  # a mask, not np.unique (which hashes)
        asked[rows] = True
        unique_rows = np.flatnonzero(asked)
        # The rows asked for by shard, each shard's in byte order.
        by_shard = unique_rows[np.lexsort((self._starts[unique_rows], self._shard_of[unique_rows]))]
        shard_of = self._shard_of[by_shard]
        bounds = np.flatnonzero(np.r_[True, shard_of[1:] != shard_of[:-1], True]).tolist()
        for first, end in itertools.pairwise(bounds):
            in_shard, shard = by_shard[first:end], int(shard_of[first])
            parts.append(alternating_slices(self._shard_bytes(self._shard_names[shard]),
                                            self._starts[in_shard], self._ends[in_shard]))
            positions.append((in_shard, slices))
            slices += len(parts[-1])
        # Where each requested row's text is among the shards' slices: every other one.
        slot = np.empty(len(self._starts), dtype=np.int64)
        for in_shard, first in positions:
            slot[in_shard] = first + 2 * np.arange(len(in_shard))
        whole = parts[0] if len(parts) == 1 else pa.concat_arrays(parts)
        return whole, slot[rows]


def alternating_slices(data: bytes, starts: np.ndarray, ends: np.ndarray):
    """Arrow strings over ``data`` without a copy, for byte ranges in increasing, non-overlapping
    order: element 2k is ``data[starts[k]:ends[k]]``, element 2k+1 what lies before the next."""
    import pyarrow as pa

    offsets = np.empty(2 * len(starts) + 1, dtype=np.int64)
    offsets[0:-1:2], offsets[1::2] = starts, ends
    offsets[-1] = ends[-1]
    return pa.LargeStringArray.from_buffers(len(offsets) - 1, pa.py_buffer(offsets),
                                            pa.py_buffer(data))
