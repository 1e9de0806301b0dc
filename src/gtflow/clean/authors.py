"""Post authors are personal data: each becomes a stable pseudonym ``[U001]``, ``[U002]`` …

One table for the whole study (``private/authors.csv``, with the handles, so it stays private),
built from every ingested post export before any of them is cleaned, so that an author who posts
in two exports gets the same pseudonym in both. Numbers follow the first appearance of an author,
reading the exports in file-name order and each export in its own order: the same inputs give
the same pseudonyms.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from gtflow.contracts import columns, read_table, write_table

#: For an author missing from the table (it cannot happen when the workflow built the table):
#: never the handle itself.
UNKNOWN_AUTHOR = "[U]"


def author_pseudonyms(authors: list[str]) -> pd.DataFrame:
    """``author, pseudonym, posts`` for the non-empty authors, numbered by first appearance."""
    series = pd.Series([a for a in authors if isinstance(a, str) and a.strip()], dtype=str)
    counts = series.value_counts(sort=False)
    first_seen = pd.unique(series)
    return pd.DataFrame({"author": first_seen,
                         "pseudonym": [f"[U{n:03d}]" for n in range(1, len(first_seen) + 1)],
                         "posts": [int(counts[a]) for a in first_seen]}, columns=columns("authors"))


def write_author_table(ingested: list[str | Path], out: str | Path) -> None:
    """The study's author pseudonyms from its ingested post exports (``private/``)."""
    authors: list[str] = []
    for path in sorted(map(str, ingested)):
        # Only the author column of the (contract ``ingest_turns``) export: the texts can be large.
        authors += pd.read_parquet(path, columns=["author"])["author"].tolist()
    write_table("authors", author_pseudonyms(authors), out)


def read_author_table(path: str | Path | None) -> dict[str, str]:
    """author -> pseudonym (empty without a table)."""
    if not path:
        return {}
    table = read_table("authors", path)
    return dict(zip(table["author"].tolist(), table["pseudonym"].tolist()))
