"""The clean stage's steps: one ingested file -> clean documents and segments; then the corpus."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from gtflow.clean.dedup import find_duplicates
from gtflow.clean.deidentify import Pseudonymizer, name_table
from gtflow.clean.document import SEGMENT_COLUMNS, clean_document, clean_metadata
from gtflow.errors import InputError
from gtflow.ingest.documents import DOCUMENT_COLUMNS
from gtflow.io import read_parquets, sha256_text, write_csv, write_parquet, write_text

log = logging.getLogger(__name__)
CLEAN_DOCUMENT_COLUMNS = DOCUMENT_COLUMNS + ["n_chars", "n_segments", "sha256_clean", "clean_text"]


def build_pseudonymizer(roster: str | Path | None, extra_names: list[str]) -> Pseudonymizer:
    """The de-identifier for a study: roster names/aliases and config extra names."""
    rows = pd.read_parquet(roster).to_dict("records") if roster else []
    return Pseudonymizer(name_table(rows, extra_names or []))


def clean_table(ingested: pd.DataFrame, pseudonymize: Pseudonymizer) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clean every document in an ingest table; return (documents, segments)."""
    documents, segments = [], []
    for doc_id, turns in ingested.groupby("doc_id", sort=False):
        text, doc_segments = clean_document(turns.sort_values("turn"), pseudonymize)
        first = turns.iloc[0]
        document = {c: str(first[c]) for c in DOCUMENT_COLUMNS}
        document["title"] = clean_metadata(document["title"], pseudonymize)
        document["author"] = clean_metadata(document["author"], pseudonymize)
        document.update(n_chars=len(text), n_segments=len(doc_segments),
                        sha256_clean=sha256_text(text), clean_text=text)
        documents.append(document)
        segments.extend({"doc_id": doc_id, **s} for s in doc_segments)
    return (pd.DataFrame(documents, columns=CLEAN_DOCUMENT_COLUMNS),
            pd.DataFrame(segments, columns=SEGMENT_COLUMNS))


def clean_file(ingested: str | Path, documents_out: str | Path, segments_out: str | Path,
               roster: str | Path | None = None, extra_names: list[str] | None = None) -> None:
    """Normalize, de-identify and segment one ingested raw file."""
    table = pd.read_parquet(ingested)
    documents, segments = clean_table(table, build_pseudonymizer(roster, extra_names or []))
    write_parquet(documents_out, documents)
    write_parquet(segments_out, segments)


def check_unique_ids(documents: pd.DataFrame) -> None:
    """Two raw files must not produce the same doc_id."""
    clashes = documents[documents["doc_id"].duplicated(keep=False)]
    if len(clashes):
        doc_id = clashes["doc_id"].iloc[0]
        paths = sorted(set(clashes.loc[clashes["doc_id"] == doc_id, "raw_path"]))
        raise InputError(paths[-1], f"document id '{doc_id}' is also used by {paths[0]}; "
                         "document ids must be unique across the study")


def clean_corpus(documents: list[str], segments: list[str], documents_out: str | Path,
                 segments_out: str | Path, duplicates_out: str | Path, text_dir: str | Path,
                 threshold: float, shingle_size: int, permutations: int, seed: int) -> None:
    """Gather the per-file tables, mark duplicates, and write one clean text per document."""
    docs = read_parquets(documents)
    segs = read_parquets(segments)
    check_unique_ids(docs)
    duplicates = find_duplicates(docs, threshold, shingle_size, permutations, seed)
    dropped = duplicates[duplicates["kind"] != "kept"].set_index("doc_id")["kept_doc_id"]
    docs["duplicate_of"] = docs["doc_id"].map(dropped).fillna("")
    log.info("%d documents, %d segments, %d duplicates collapsed", len(docs), len(segs), len(dropped))
    text_dir = Path(text_dir)
    text_dir.mkdir(parents=True, exist_ok=True)
    for doc_id, text in zip(docs["doc_id"], docs["clean_text"]):
        write_text(text_dir / f"{doc_id}.txt", text)
    write_parquet(documents_out, docs)
    write_parquet(segments_out, segs)
    write_csv(duplicates_out, duplicates)


def write_pseudonym_key(roster: str | Path, extra_names: list[str], out: str | Path) -> None:
    """The key from pseudonyms back to names, for the research team only (private/)."""
    frame = pd.read_parquet(roster)
    rows = [{"pseudonym": p, "respondent_id": r, "name": n}
            for p, r, n in zip(frame["pseudonym"], frame["respondent_id"], frame["name"])]
    table = name_table(frame.to_dict("records"), extra_names or [])
    rows += [{"pseudonym": p, "respondent_id": "", "name": n}
             for n, p in table.items() if p.startswith("[N")]
    write_csv(out, pd.DataFrame(rows, columns=["pseudonym", "respondent_id", "name"]))
