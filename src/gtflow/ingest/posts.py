"""Exports of web posts and comments (.jsonl or .csv): one document per post, threads kept."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import pandas as pd

from gtflow.errors import InputError
from gtflow.ingest.decode import read_text_file
from gtflow.ingest.documents import document_frame, language_of
from gtflow.limits import Limits, default_limits

POST_FIELDS = ("id", "url", "date", "author", "text", "parent_id")
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def records_from_jsonl(text: str, path: Path) -> list[tuple[int, dict]]:
    """Parse JSON Lines, naming the line of any malformed record."""
    records = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise InputError(path, f"is not valid JSON ({error.msg})", line=line_no) from None
        if not isinstance(record, dict):
            raise InputError(path, "must hold one JSON object per line", line=line_no)
        records.append((line_no, record))
    return records


def records_from_csv(text: str, path: Path) -> list[tuple[int, dict]]:
    """Parse a CSV export; the line reported is where the record starts."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    records = []
    start = 2  # line where the next record begins (the header is line 1)
    try:
        for record in reader:
            if None in record:
                raise InputError(path, "has more fields than the header", line=start)
            if any(value is None for value in record.values()):
                raise InputError(path, "has fewer fields than the header", line=start)
            records.append((start, record))
            start = reader.line_num + 1
    except csv.Error as error:
        raise InputError(path, f"is not valid CSV ({error})", line=start) from None
    return records


def check_post(record: dict, path: Path, line: int) -> dict:
    """Validate one post record and return it with string fields."""
    missing = [f for f in POST_FIELDS if f not in record]
    if missing:
        raise InputError(path, f"record lacks {', '.join(missing)} (required: "
                         f"{', '.join(POST_FIELDS)})", line=line)
    for name in POST_FIELDS:
        if isinstance(record[name], (dict, list)):
            raise InputError(path, f"field '{name}' holds a JSON {type(record[name]).__name__}, "
                             "not text", line=line)
    post = {f: "" if record[f] is None else str(record[f]).strip() for f in POST_FIELDS}
    if not post["id"]:
        raise InputError(path, "record has an empty id", line=line)
    if not ID_PATTERN.match(post["id"]):
        raise InputError(path, f"post id '{post['id']}' may contain only letters, digits, '.', "
                         "'_' and '-' (it names the post's clean text file)", line=line)
    try:
        dt.date.fromisoformat(post["date"][:10])
    except ValueError:
        raise InputError(path, f"post '{post['id']}' has date '{post['date']}', not YYYY-MM-DD",
                         line=line) from None
    return post


def ingest_posts(path: str | Path, limits: Limits | None = None) -> pd.DataFrame:
    """Read one export of posts into the ingest table (each post a document with one turn).

    An export over ``limits.export_mb`` (default: the schema's) is refused before it is read.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in {".jsonl", ".csv"}:
        raise InputError(path, "is not a post export gtflow reads (.jsonl or .csv)")
    text, encoding = read_text_file(path, (limits or default_limits()).export_bytes, "export")
    parse = records_from_jsonl if suffix == ".jsonl" else records_from_csv
    records = parse(text, path)
    del text  # the records hold what is needed; a large export need not be in memory twice
    if not records:
        raise InputError(path, "holds no posts")
    documents, turns, seen = [], {}, {}
    for line, record in records:
        post = check_post(record, path, line)
        if post["id"] in seen:
            raise InputError(path, f"post id '{post['id']}' appears twice (first at line "
                             f"{seen[post['id']]})", line=line)
        seen[post["id"]] = line
        documents.append({
            "doc_id": post["id"], "source_type": "web_post", "title": "",
            "date": post["date"][:10], "author": post["author"], "respondent_id": "",
            "url": post["url"], "lang": language_of(post["text"]), "raw_path": str(path),
            "encoding": encoding, "location": path.stem, "parent_id": post["parent_id"],
        })
        turns[post["id"]] = ([{"turn": 0, "speaker": "", "role": "", "timestamp": "",
                               "line": line, "text": post["text"]}] if post["text"] else [])
    for document in documents:
        parent = document["parent_id"]
        if parent and parent not in seen:
            raise InputError(path, f"post '{document['doc_id']}' replies to '{parent}', which is "
                             "not in this export", line=seen[document["doc_id"]])
    return document_frame(path, documents, turns)
