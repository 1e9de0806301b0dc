"""The clean stage's steps: one ingested file -> clean documents and segments; then the corpus."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from gtflow.clean.authors import UNKNOWN_AUTHOR, read_author_table
from gtflow.clean.dedup import find_duplicates
from gtflow.clean.deidentify import (
    Counts,
    Pseudonymizer,
    compile_extra_patterns,
    count_into,
    name_table,
    placeholder_type,
)
from gtflow.clean.document import SEGMENT_COLUMNS, TurnColumns, clean_documents, clean_metadata
from gtflow.clean.texts import CleanTexts, ShardWriter, gather_indexes
from gtflow.clean.urls import strip_user_ids
from gtflow.contracts import (
    ChunkedTableWriter,
    columns,
    empty_frame,
    read_columns,
    read_table,
    read_table_chunks,
    read_tables,
    write_table,
)
from gtflow.errors import InputError
from gtflow.ingest.documents import DOCUMENT_COLUMNS
from gtflow.io import sha256_text
from gtflow.parallel import Workers

log = logging.getLogger(__name__)
CLEAN_DOCUMENT_COLUMNS = DOCUMENT_COLUMNS + ["n_chars", "n_segments", "sha256_clean", "clean_text"]
#: Free-text metadata that can hold a name (a title, an author's handle, an interview place).
PSEUDONYMIZED_METADATA = ("title", "author", "location")


def build_pseudonymizer(roster: str | Path | None, extra_names: list[str], titles: list[str],
                        phone_regions: list[str], extra_patterns: dict | None = None,
                        authors: dict[str, str] | None = None) -> Pseudonymizer:
    """The de-identifier for a study: roster names, aliases, surname + title, config extra names,
    @-mentions of post authors; phone regions (empty: international numbers only) and the
    study's own identifier patterns."""
    rows = read_table("roster", roster).to_dict("records") if roster else []
    names = name_table(rows, extra_names or [], titles)
    names.update(mention_table(authors or {}))
    return Pseudonymizer(names, tuple(phone_regions), compile_extra_patterns(extra_patterns))


def mention_table(authors: dict[str, str]) -> dict[str, str]:
    """"@涟源老街坊" -> "@[U001]": a post that mentions an author names them."""
    return {f"@{author}": f"@{pseudonym}" for author, pseudonym in authors.items()
            if len(author) >= 2}


def clean_table(ingested: pd.DataFrame, pseudonymize: Pseudonymizer,
                authors: dict[str, str] | None = None
                ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Clean every document in an ingest table; return (documents, segments, counts).

    ``counts`` (contract ``file_deidentification``) says how many identifiers of each placeholder
    type were replaced in each document. Post authors become their pseudonym from ``authors``;
    user ids in URLs become ``[USER]``.

    The table is read as plain column lists and walked once in (document order, turn) order, and
    the outputs are built column by column: a pandas groupby or ``to_dict("records")`` per
    document cost more than the cleaning itself on an export of 100k short posts.
    """
    order = pd.unique(ingested["doc_id"])
    position = pd.Series(range(len(order)), index=order)
    ordered = ingested.assign(_doc=ingested["doc_id"].map(position)).sort_values(
        ["_doc", "turn"], kind="stable")
    doc_ids = ordered["doc_id"].tolist()
    turns = TurnColumns(*(ordered[c].tolist() for c in TurnColumns._fields))
    firsts = [0, *(i for i in range(1, len(doc_ids)) if doc_ids[i] != doc_ids[i - 1])]
    boundaries = [*firsts, len(doc_ids)] if doc_ids else [0]
    # Document metadata straight from pandas (one row per document), not through Python lists.
    documents = ordered.iloc[firsts if doc_ids else []][DOCUMENT_COLUMNS].astype(str).reset_index(drop=True)
    tallies: list[Counts] = [{} for _ in range(len(documents))]
    clean_metadata_columns(documents, pseudonymize, tallies, authors)
    texts, n_segments, segments = clean_documents(turns, boundaries, doc_ids, pseudonymize, tallies)
    del turns
    documents["n_chars"] = [len(t) for t in texts]
    documents["n_segments"] = n_segments
    documents["sha256_clean"] = text_column([sha256_text(t) for t in texts])
    documents["clean_text"] = text_column(texts)
    return (documents[CLEAN_DOCUMENT_COLUMNS], segment_frame(segments),
            deidentification_counts(documents["doc_id"].tolist(), tallies))


def text_column(values: list[str]) -> pd.api.extensions.ExtensionArray | list[str]:
    """A list of texts as pandas' text column (what pandas makes of the list itself), built
    by Arrow: pandas' own reading of a list of 400k texts took twice as long. The list itself
    when it is empty (pandas gives it no text type) or holds anything but texts."""
    if not values:
        return values
    try:
        return pd.array(pa.array(values, type=pa.large_string()), dtype="str")
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return values


#: The segment columns that hold whole numbers.
SEGMENT_NUMBERS = ("seg_id", "turn", "start", "end")


def segment_frame(segments: dict[str, list]) -> pd.DataFrame:
    """The segments table from its column lists: ``pd.DataFrame(segments)``, built faster."""
    if not segments["doc_id"]:
        return pd.DataFrame(segments, columns=SEGMENT_COLUMNS)
    return pd.DataFrame({column: np.array(values, dtype=np.int64) if column in SEGMENT_NUMBERS
                         else text_column(values) for column, values in segments.items()},
                        columns=SEGMENT_COLUMNS)


def clean_metadata_columns(documents: pd.DataFrame, pseudonymize: Pseudonymizer,
                           tallies: list[Counts], authors: dict[str, str] | None) -> None:
    """De-identify titles, authors, places and URLs of ``documents`` in place, counting into
    ``tallies`` (one per document). Post authors are replaced whole by their pseudonym."""
    cache: dict[str, tuple[str, Counts]] = {}  # titles, authors and places repeat across posts
    pseudonyms = authors or {}
    kinds: dict[str, str] = {}  # pseudonym -> its placeholder type
    is_post = (documents["source_type"] == "web_post").tolist()
    for column in PSEUDONYMIZED_METADATA:
        values = documents[column].tolist()
        for index, value in enumerate(values):
            tally = tallies[index]
            if column == "author" and is_post[index] and value:
                values[index] = pseudonym = pseudonyms.get(value, UNKNOWN_AUTHOR)
                if pseudonym not in kinds:
                    kinds[pseudonym] = placeholder_type(pseudonym)
                count_into(tally, kinds[pseudonym], 1)
                continue
            if value not in cache:
                found: Counts = {}
                cache[value] = (clean_metadata(value, pseudonymize, found), found)
            values[index], found = cache[value]
            if found:
                for kind, count in found.items():
                    count_into(tally, kind, count)
        documents[column] = values
    urls = documents["url"].tolist()
    for index, url in enumerate(urls):
        urls[index], found = strip_user_ids(url)
        count_into(tallies[index], "[USER]", found)
    documents["url"] = urls


def deidentification_counts(doc_ids: list[str], tallies: list[Counts]) -> pd.DataFrame:
    """One row per document and placeholder type with at least one replacement."""
    rows = [(doc_id, kind, count) for doc_id, tally in zip(doc_ids, tallies)
            for kind, count in sorted(tally.items()) if count > 0]
    if not rows:
        return pd.DataFrame(rows, columns=columns("file_deidentification")).astype({"count": "int64"})
    documents, kinds, counts = (list(column) for column in zip(*rows))
    return pd.DataFrame(dict(zip(columns("file_deidentification"), [
        text_column(documents), text_column(kinds), np.array(counts, dtype=np.int64)])))


def clean_file(ingested: str | Path, documents_out: str | Path, segments_out: str | Path,
               counts_out: str | Path, text_out: str | Path, text_index_out: str | Path, *,
               phone_regions: list[str], roster: str | Path | None = None,
               extra_names: list[str] | None = None, title_aliases: list[str] | None = None,
               extra_patterns: dict | None = None, authors: str | Path | None = None,
               workers: int = 1) -> None:
    """Normalize, de-identify and segment one ingested raw file; ``phone_regions`` as resolved
    by :func:`gtflow.clean.phones.study_phone_regions`. The clean texts go to one shard
    (``text_out``) with its index (see :mod:`gtflow.clean.texts`). A file of several chunks is
    cleaned by up to ``workers`` processes; the outputs do not depend on their number."""
    author_table = read_author_table(authors)
    pseudonymize = build_pseudonymizer(roster, extra_names or [], title_aliases or [],
                                       phone_regions, extra_patterns, author_table)
    # A chunk of whole documents at a time, so memory does not grow with the export. The
    # workers are forked before anything is read.
    with Workers(workers, shared=(pseudonymize, author_table)) as pool, \
            ShardWriter(text_out) as shard, \
            ChunkedTableWriter("file_text_index", text_index_out) as index, \
            ChunkedTableWriter("file_documents", documents_out) as documents, \
            ChunkedTableWriter("file_segments", segments_out) as segments, \
            ChunkedTableWriter("file_deidentification", counts_out) as counts:
        chunks = whole_document_chunks(ingested, CHUNK_TURNS)
        for cleaned, cleaned_segments, cleaned_counts in pool.ordered_map(clean_chunk, chunks):
            index.write(shard.add(cleaned["doc_id"].tolist(), cleaned.pop("clean_text").tolist()))
            documents.write(cleaned)
            segments.write(cleaned_segments)
            counts.write(cleaned_counts)


def clean_chunk(state: tuple[Pseudonymizer, dict[str, str]], turns: pd.DataFrame
                ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """:func:`clean_table` for one chunk, with the file's (de-identifier, author table)."""
    pseudonymize, author_table = state
    return clean_table(turns, pseudonymize, author_table)


#: Ingested turns cleaned at a time (a post is one turn; an interview a few hundred).
CHUNK_TURNS = 50_000


def whole_document_chunks(ingested: str | Path, turns: int) -> Iterator[pd.DataFrame]:
    """The ingest table about ``turns`` rows at a time, never splitting a document's turns
    (they are consecutive rows) across two chunks. A table that fits one batch is one chunk,
    so a small file is written as one row group, as a whole-table write would."""
    carried = None
    batches = read_table_chunks("ingest_turns", ingested, turns)
    following = next(batches, None)
    while following is not None:
        chunk, following = following, next(batches, None)
        if carried is not None and len(carried):
            chunk = pd.concat([carried, chunk], ignore_index=True)
        if following is None or not len(chunk):
            carried = chunk
            continue
        last = chunk["doc_id"].iat[-1]
        tail_start = len(chunk)
        doc_ids = chunk["doc_id"].to_numpy()
        while tail_start > 0 and doc_ids[tail_start - 1] == last:
            tail_start -= 1
        if tail_start == 0:  # one document fills the chunk: carry it whole
            carried = chunk
            continue
        yield chunk.iloc[:tail_start].reset_index(drop=True)
        carried = chunk.iloc[tail_start:].reset_index(drop=True)
    if carried is not None:
        yield carried


def check_unique_ids(documents: pd.DataFrame) -> None:
    """Two raw files (or two exports) must not produce the same doc_id."""
    clashes = documents[documents["doc_id"].duplicated(keep=False)]
    if len(clashes):
        doc_id = clashes["doc_id"].iloc[0]
        paths = list(dict.fromkeys(clashes.loc[clashes["doc_id"] == doc_id, "raw_path"]))
        other = paths[0] if len(paths) > 1 else "another document in the same file"
        raise InputError(paths[-1], f"document id '{doc_id}' is also used by {other}; document "
                         "ids (post ids, front matter ids, page file names) must be unique "
                         "across the study", record=doc_id)


def gather_text_indexes(paths: list[str], index_out: str | Path) -> CleanTexts:
    """The per-file text indexes as the corpus index at ``index_out`` (each shard named from
    the corpus index's folder); returns the texts it indexes."""
    index_folder = Path(index_out).parent
    indexes = [(Path(os.path.relpath(Path(path).parent, index_folder)).as_posix(),
                read_table("file_text_index", path)) for path in paths]
    index = gather_indexes(indexes)
    write_table("text_index", index, index_out)
    return CleanTexts(index, index_folder)


def clean_corpus(documents: list[str], segments: list[str], text_indexes: list[str],
                 documents_out: str | Path, segments_out: str | Path,
                 duplicates_out: str | Path, text_index_out: str | Path, counts: list[str],
                 counts_out: str | Path, threshold: float, shingle_size: int, permutations: int,
                 seed: int) -> None:
    """Gather the per-file tables and text indexes, mark duplicates and gather the
    de-identification counts of every document.

    Only the columns the duplicate search needs are held for the whole corpus; the documents
    and segments tables are then copied file by file, in chunks (see :func:`gather_in_chunks`).
    """
    meta = read_columns("file_documents", documents, ["doc_id", "source_type", "date", "raw_path"])
    check_unique_ids(meta)
    texts = gather_text_indexes(text_indexes, text_index_out)
    duplicates = find_duplicates(meta, texts, threshold, shingle_size, permutations, seed)
    dropped = duplicates[duplicates["kind"] != "kept"].set_index("doc_id")["kept_doc_id"]
    log.info("%d documents, %d duplicates collapsed", len(meta), len(dropped))
    del meta, texts

    def with_duplicate_of(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.assign(duplicate_of=frame["doc_id"].map(dropped).fillna(""))

    gather_in_chunks("file_documents", documents, "documents", documents_out, with_duplicate_of)
    gather_in_chunks("file_segments", segments, "segments", segments_out)
    write_table("duplicates", duplicates, duplicates_out)
    write_table("deidentification", gather_counts(counts), counts_out)


#: Rows gathered into one row group of a corpus table: small files are pooled until then, so a
#: study of a few hundred documents writes one row group, as a whole-table write would.
CHUNK_ROWS = 50_000


def gather_in_chunks(name: str, paths: list[str], out_name: str, out: str | Path,
                     finish=None) -> None:
    """Concatenate the per-file tables ``paths`` of table ``name`` into table ``out_name``,
    ``CHUNK_ROWS`` rows at a time (``finish`` adds columns to each pooled chunk)."""
    with ChunkedTableWriter(out_name, out) as writer:
        pooled, size = [], 0
        for path in paths:
            for frame in read_table_chunks(name, path, CHUNK_ROWS):
                if len(frame):
                    pooled.append(frame)
                    size += len(frame)
                if size >= CHUNK_ROWS:
                    writer.write(pooled_frame(pooled, finish))
                    pooled, size = [], 0
        if pooled:  # with nothing at all, the writer writes the declared empty table
            writer.write(pooled_frame(pooled, finish))


def pooled_frame(frames: list[pd.DataFrame], finish=None) -> pd.DataFrame:
    """The pooled frames as one, with ``finish`` applied."""
    frame = pd.concat(frames, ignore_index=True)
    return finish(frame) if finish else frame


def gather_counts(paths: list[str]) -> pd.DataFrame:
    """The per-file de-identification counts as one table, by document and placeholder type."""
    table = read_tables("file_deidentification", paths)
    if table.empty:
        return empty_frame("deidentification")
    return table.sort_values(["doc_id", "placeholder"], kind="stable").reset_index(drop=True)


def write_pseudonym_key(roster: str | Path, extra_names: list[str], out: str | Path) -> None:
    """The key from pseudonyms back to names, for the research team only (private/)."""
    frame = read_table("roster", roster)
    rows = [{"pseudonym": p, "respondent_id": r, "name": n}
            for p, r, n in zip(frame["pseudonym"], frame["respondent_id"], frame["name"])]
    table = name_table(frame.to_dict("records"), extra_names or [])
    rows += [{"pseudonym": p, "respondent_id": "", "name": n}
             for n, p in table.items() if p.startswith("[N")]
    write_table("pseudonym_key", pd.DataFrame(rows, columns=columns("pseudonym_key")), out)
