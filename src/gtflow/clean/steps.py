"""The clean stage's steps: one ingested file -> clean documents and segments; then the corpus."""

from __future__ import annotations

import itertools
import logging
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from gtflow.clean.dedup import find_duplicates
from gtflow.clean.deidentify import Pseudonymizer, name_table
from gtflow.clean.document import SEGMENT_COLUMNS, clean_document, clean_metadata
from gtflow.contracts import columns, read_table, read_tables, write_table
from gtflow.errors import InputError
from gtflow.ingest.documents import DOCUMENT_COLUMNS
from gtflow.io import sha256_text

log = logging.getLogger(__name__)
CLEAN_DOCUMENT_COLUMNS = DOCUMENT_COLUMNS + ["n_chars", "n_segments", "sha256_clean", "clean_text"]
#: Free-text metadata that can hold a name (a title, an author's handle, an interview place).
PSEUDONYMIZED_METADATA = ("title", "author", "location")


def build_pseudonymizer(roster: str | Path | None, extra_names: list[str],
                        titles: list[str] | None = None) -> Pseudonymizer:
    """The de-identifier for a study: roster names, aliases, surname + title, config extra names."""
    rows = read_table("roster", roster).to_dict("records") if roster else []
    return Pseudonymizer(name_table(rows, extra_names or [], titles))


def clean_table(ingested: pd.DataFrame, pseudonymize: Pseudonymizer) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clean every document in an ingest table; return (documents, segments).

    The table is read as plain column lists and walked once in (document order, turn) order, and
    the outputs are built column by column: a pandas groupby or ``to_dict("records")`` per
    document cost more than the cleaning itself on an export of 100k short posts.
    """
    order = pd.unique(ingested["doc_id"])
    position = pd.Series(range(len(order)), index=order)
    ordered = ingested.assign(_doc=ingested["doc_id"].map(position)).sort_values(
        ["_doc", "turn"], kind="stable")
    turn_keys = ["turn", "speaker", "role", "timestamp", "text"]
    doc_ids = ordered["doc_id"].tolist()
    columns = {c: ordered[c].tolist() for c in turn_keys}
    firsts = [0, *(i for i in range(1, len(doc_ids)) if doc_ids[i] != doc_ids[i - 1])]
    boundaries = [*firsts, len(doc_ids)] if doc_ids else [0]
    # Document metadata straight from pandas (one row per document), not through Python lists.
    documents = ordered.iloc[firsts if doc_ids else []][DOCUMENT_COLUMNS].astype(str).reset_index(drop=True)
    metadata_cache: dict[str, str] = {}  # authors and places repeat across posts

    def clean_value(value: str) -> str:
        if value not in metadata_cache:
            metadata_cache[value] = clean_metadata(value, pseudonymize)
        return metadata_cache[value]

    for column in PSEUDONYMIZED_METADATA:
        documents[column] = [clean_value(value) for value in documents[column].tolist()]
    texts, n_segments = [], []
    segments: dict[str, list] = {c: [] for c in SEGMENT_COLUMNS}
    for first, end in itertools.pairwise(boundaries):
        doc_id = doc_ids[first]
        turns = [{key: columns[key][i] for key in turn_keys} for i in range(first, end)]
        text, doc_segments = clean_document(turns, pseudonymize, doc_id)
        texts.append(text)
        n_segments.append(len(doc_segments))
        segments["doc_id"].extend([doc_id] * len(doc_segments))
        for column in SEGMENT_COLUMNS[1:]:
            segments[column].extend(segment[column] for segment in doc_segments)
    del columns
    documents["n_chars"] = [len(t) for t in texts]
    documents["n_segments"] = n_segments
    documents["sha256_clean"] = [sha256_text(t) for t in texts]
    documents["clean_text"] = texts
    return documents[CLEAN_DOCUMENT_COLUMNS], pd.DataFrame(segments, columns=SEGMENT_COLUMNS)


def clean_file(ingested: str | Path, documents_out: str | Path, segments_out: str | Path,
               roster: str | Path | None = None, extra_names: list[str] | None = None,
               title_aliases: list[str] | None = None) -> None:
    """Normalize, de-identify and segment one ingested raw file."""
    table = read_table("ingest_turns", ingested)
    documents, segments = clean_table(table, build_pseudonymizer(roster, extra_names or [],
                                                                 title_aliases))
    write_table("file_documents", documents, documents_out)
    write_table("file_segments", segments, segments_out)


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


def write_texts(text_dir: str | Path, doc_ids: list[str], texts: list[str]) -> None:
    """One UTF-8 file per document, written into a fresh folder that replaces ``text_dir`` whole.

    Writing into a temporary sibling folder and renaming it at the end keeps a failed run from
    leaving half a folder, at the cost of one rename instead of one per file.
    """
    text_dir = Path(text_dir)
    text_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{text_dir.name}.", dir=text_dir.parent))
    try:
        folder = str(staging)
        for doc_id, text in zip(doc_ids, texts):
            # Plain os calls: creating 100k small files is the cost here, not encoding them.
            handle = os.open(f"{folder}/{doc_id}.txt", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            try:
                os.write(handle, text.encode("utf-8"))
            finally:
                os.close(handle)
        if text_dir.exists():
            shutil.rmtree(text_dir)
        os.replace(staging, text_dir)
    finally:
        if staging.exists():
            shutil.rmtree(staging)


def clean_corpus(documents: list[str], segments: list[str], documents_out: str | Path,
                 segments_out: str | Path, duplicates_out: str | Path, text_dir: str | Path,
                 threshold: float, shingle_size: int, permutations: int, seed: int) -> None:
    """Gather the per-file tables, mark duplicates, and write one clean text per document."""
    docs = read_tables("file_documents", documents)
    check_unique_ids(docs)
    duplicates = find_duplicates(docs, threshold, shingle_size, permutations, seed)
    dropped = duplicates[duplicates["kind"] != "kept"].set_index("doc_id")["kept_doc_id"]
    docs["duplicate_of"] = docs["doc_id"].map(dropped).fillna("")
    log.info("%d documents, %d duplicates collapsed", len(docs), len(dropped))
    write_texts(text_dir, docs["doc_id"].tolist(), docs["clean_text"].tolist())
    write_table("documents", docs, documents_out)
    del docs
    # Segments are only gathered, so they are read after the memory-hungry duplicate search.
    write_table("segments", read_tables("file_segments", segments), segments_out)
    write_table("duplicates", duplicates, duplicates_out)


def write_pseudonym_key(roster: str | Path, extra_names: list[str], out: str | Path) -> None:
    """The key from pseudonyms back to names, for the research team only (private/)."""
    frame = read_table("roster", roster)
    rows = [{"pseudonym": p, "respondent_id": r, "name": n}
            for p, r, n in zip(frame["pseudonym"], frame["respondent_id"], frame["name"])]
    table = name_table(frame.to_dict("records"), extra_names or [])
    rows += [{"pseudonym": p, "respondent_id": "", "name": n}
             for n, p in table.items() if p.startswith("[N")]
    write_table("pseudonym_key", pd.DataFrame(rows, columns=columns("pseudonym_key")), out)
