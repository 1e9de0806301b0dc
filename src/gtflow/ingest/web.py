"""Saved HTML pages listed in manifest.csv: main text and metadata extracted with trafilatura."""

from __future__ import annotations

import csv
import datetime as dt
import logging
import re
from pathlib import Path

import pandas as pd

from gtflow.errors import InputError
from gtflow.ingest.decode import canonical_encoding, decode_bytes, read_bytes
from gtflow.ingest.documents import document_frame, language_of
from gtflow.ingest.extract import extract_page
from gtflow.limits import Limits, default_limits

MANIFEST_COLUMNS = ("file", "url", "accessed", "site", "kind")
PAGE_KINDS = {"news", "notice", "commentary", "forum", "blog", "other"}
log = logging.getLogger(__name__)
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_-]+)""",
                          re.IGNORECASE)


def read_manifest(path: str | Path) -> dict[str, dict]:
    """Read and validate manifest.csv; return its rows keyed by file name."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "file not found: saved pages need a manifest.csv beside them")
    text, _ = decode_bytes(read_bytes(path), path)
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in MANIFEST_COLUMNS if c not in header]
    if missing:
        raise InputError(path, f"lacks the column(s) {', '.join(missing)} (required: "
                         f"{', '.join(MANIFEST_COLUMNS)})", line=1)
    rows: dict[str, dict] = {}
    for line_no, row in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        if not row["file"]:
            raise InputError(path, "a row has an empty file name", line=line_no)
        if row["file"] in rows:
            raise InputError(path, f"lists '{row['file']}' twice", line=line_no)
        if not row["url"]:
            raise InputError(path, f"row for '{row['file']}' has no url", line=line_no)
        try:
            dt.date.fromisoformat(row["accessed"][:10])
        except ValueError:
            raise InputError(path, f"row for '{row['file']}' has accessed date "
                             f"'{row['accessed']}', not YYYY-MM-DD", line=line_no) from None
        if row["kind"] not in PAGE_KINDS:
            raise InputError(path, f"row for '{row['file']}' has kind '{row['kind']}'; use one "
                             f"of {', '.join(sorted(PAGE_KINDS))}", line=line_no)
        row["line"] = line_no
        rows[row["file"]] = row
    return rows


def check_manifest_files(manifest_path: str | Path, rows: dict[str, dict]) -> None:
    """Every manifest row must name a file that exists beside the manifest."""
    folder = Path(manifest_path).parent
    for name, row in rows.items():
        if not (folder / name).is_file():
            raise InputError(manifest_path, f"lists '{name}', but there is no such file in "
                             f"{folder}", line=row["line"])


def decode_html(path: Path, limits: Limits | None = None) -> tuple[str, str]:
    """Decode a saved page: BOM, then UTF-8, then its meta charset, then GB18030.

    A page whose meta tag says ``gbk`` but whose bytes are valid UTF-8 (re-saved by a tool that
    kept the old tag) is read as UTF-8: the declaration lies more often than the bytes do. The
    encoding actually used is recorded; a mismatch is logged. A page over ``limits.source_mb``
    is refused before it is read.
    """
    data = read_bytes(path, (limits or default_limits()).source_bytes)
    match = META_CHARSET.search(data[:4096])
    declared = match.group(1).decode("ascii") if match else None
    text, encoding = decode_bytes(data, path, declared)
    declared_codec = canonical_encoding(declared)
    if declared_codec and encoding not in {declared_codec, "utf-8-sig"} and \
            not (declared_codec == "utf-8" and encoding == "utf-8-sig"):
        log.warning("%s declares charset %s but was read as %s", path, declared, encoding)
    return text, encoding


def ingest_page(path: str | Path, manifest: str | Path, excluded: list[str] | None = None,
                limits: Limits | None = None) -> pd.DataFrame:
    """Read one saved page listed in the manifest into the ingest table (one turn).

    The main text is extracted in a child process bounded by ``limits.page_seconds`` and
    ``limits.page_memory_mb`` (:mod:`gtflow.ingest.extract`).
    """
    path = Path(path)
    limits = limits or default_limits()
    rows = read_manifest(manifest)
    row = rows.get(path.name)
    if row is None:
        raise InputError(manifest, f"has no row for the page '{path.name}'; add file, url, "
                         "accessed, site and kind")
    html, encoding = decode_html(path, limits)
    extracted = extract_page(html, path, limits)
    del html
    text = extracted["text"].strip()
    if not text:
        if path.name not in set(excluded or []):
            raise InputError(path, "has no extractable main text; fix the page or list it under "
                             "ingest.excluded_pages in config/config.yaml")
        log.info("%s has no main text and is listed in ingest.excluded_pages: left out", path)
    doc_id = path.stem
    document = {
        "doc_id": doc_id, "source_type": "web_page", "title": extracted["title"],
        "date": extracted["date"] or row["accessed"][:10], "author": row["site"],
        "respondent_id": "", "url": row["url"], "lang": language_of(text), "raw_path": str(path),
        "encoding": encoding, "location": row["kind"], "parent_id": "",
    }
    turns = [{"turn": 0, "speaker": "", "role": "", "timestamp": "", "line": 0, "text": text}] if text else []
    return document_frame(path, [document], {doc_id: turns})
