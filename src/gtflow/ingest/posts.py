"""Exports of web posts and comments (.jsonl or .csv): one document per post, threads kept.

An export names its fields as its tool does; ``ingest.posts.fields`` maps them to gtflow's
``id, url, date, author, text, parent_id``. Dates come in the forms scrapers write and are read
to a calendar date (YYYY-MM-DD).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import re
import zoneinfo
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from gtflow.errors import ConfigError, InputError
from gtflow.ingest.decode import read_text_file
from gtflow.ingest.documents import languages_of, turn_table
from gtflow.ingest.post_fields import POST_FIELDS, column_names
from gtflow.io import sha256_file
from gtflow.limits import Limits, default_limits
from gtflow.parallel import Workers, batches

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
#: Seconds (9-10 digits: 1973-2286) or milliseconds (13 digits) since 1970-01-01 UTC.
EPOCH = re.compile(r"^(\d{9,10})(?:\.\d+)?$|^(\d{13})$")
#: Weibo's display date: 03月18日 10:20, with or without the year (2021年03月18日).
WEIBO_DATE = re.compile(r"^(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?$")
DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T]|$)")
DATE_FORMS = "2021-03-18 10:20, ISO 8601, epoch seconds or 03月18日 10:20"


def time_zone(name: str) -> dt.tzinfo:
    """The zone in which epoch times are read as calendar dates (config ingest.posts.timezone)."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError("ingest.posts.timezone", f"'{name}' is not a time zone name (e.g. "
                          "UTC, Asia/Shanghai, America/New_York)") from None


def post_date(value: str, year: int | None, zone: dt.tzinfo) -> str:
    """The calendar date (YYYY-MM-DD) of a post's date in any of DATE_FORMS; ValueError says
    why not. An ISO time with an offset keeps its own date; epoch times are dated in ``zone``."""
    text = value.strip()
    epoch = EPOCH.match(text)
    if epoch:
        seconds = float(text) if epoch.group(1) else int(text) / 1000
        return dt.datetime.fromtimestamp(seconds, zone).date().isoformat()
    weibo = WEIBO_DATE.match(text)
    if weibo:
        if weibo.group(1) is None and year is None:
            raise ValueError("has no year; set ingest.posts.year in config/config.yaml")
        the_year = int(weibo.group(1)) if weibo.group(1) else year
        return dt.date(the_year, int(weibo.group(2)), int(weibo.group(3))).isoformat()
    try:
        return dt.datetime.fromisoformat(text).date().isoformat()
    except ValueError:
        # A date followed by what ISO does not know ("2021-03-18 10:20 CST") keeps its date.
        if not DATE_PREFIX.match(text):
            raise
        return dt.date.fromisoformat(text[:10]).isoformat()


def jsonl_lines(text: str) -> Iterator[tuple[int, str]]:
    """The non-blank lines of a JSON Lines export, with their line numbers (each one record)."""
    for line_no, line in enumerate(io.StringIO(text), start=1):
        if line.strip():
            yield line_no, line


def parse_jsonl_line(line: str, line_no: int, path: Path) -> dict:
    """One JSON Lines record, naming the line of a malformed one."""
    try:
        # json.loads is this decoder behind a check for a leading BOM, which the decoder
        # rejects too; json.loads then reads a failed line again for its own message.
        record = _JSON.decode(line)
    except json.JSONDecodeError:
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise InputError(path, f"is not valid JSON ({error.msg})", line=line_no) from None
    if not isinstance(record, dict):
        raise InputError(path, "must hold one JSON object per line", line=line_no)
    return record


_JSON = json.JSONDecoder()


def records_from_csv(text: str, path: Path) -> Iterator[tuple[int, dict]]:
    """Parse a CSV export one record at a time; the line reported is where the record starts."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    start = 2  # line where the next record begins (the header is line 1)
    try:
        for record in reader:
            if None in record:
                raise InputError(path, "has more fields than the header", line=start)
            if any(value is None for value in record.values()):
                raise InputError(path, "has fewer fields than the header", line=start)
            yield start, record
            start = reader.line_num + 1
    except csv.Error as error:
        raise InputError(path, f"is not valid CSV ({error})", line=start) from None


def missing_columns_message(missing: list[str], columns: dict[str, str | None],
                            mapped: bool, present: list[str] | None = None) -> str:
    """One line naming the absent columns (and, for a mapped export, what they were mapped to)."""
    if not mapped:
        return (f"lacks {', '.join(missing)} (required: {', '.join(POST_FIELDS)}; map other "
                "column names with ingest.posts.fields)")
    mapped_to = {column: name for name, column in columns.items()}
    named = ", ".join(f"'{column}' (mapped to {mapped_to[column]})" for column in missing)
    shown = f"; its columns are {', '.join(present)}" if present is not None else ""
    return f"has no column {named} named by ingest.posts.fields{shown}"


def check_header(header: list[str], columns: dict[str, str | None], mapped: bool,
                 path: Path) -> None:
    """A CSV export must have every column the mapping names: one line naming those it lacks."""
    missing = [column for column in columns.values() if column is not None and column not in header]
    if header and missing:  # an empty file is reported as holding no posts
        raise InputError(path, missing_columns_message(missing, columns, mapped, header), line=1)


def check_post(record: dict, path: Path, line: int, columns: dict[str, str | None] | None = None,
               mapped: bool = False, year: int | None = None,
               zone: dt.tzinfo = dt.UTC, dates: dict[str, str] | None = None) -> dict:
    """Validate one post record and return it with gtflow's field names and string values.
    ``dates`` (date as written -> calendar date) spares reading a date written before."""
    columns = columns or column_names(None)
    post = post_fields(record, columns)
    if post is None:
        raise field_problem(record, path, line, columns, mapped)
    if not post["id"]:
        raise InputError(path, "record has an empty id", line=line)
    if not ID_PATTERN.match(post["id"]):
        raise InputError(path, f"post id '{post['id']}' may contain only letters, digits, '.', "
                         "'_' and '-' (it names the post's clean text file)", line=line)
    written = post["date"]
    if dates is not None and written in dates:
        post["date"] = dates[written]
        return post
    try:
        post["date"] = post_date(written, year, zone)
    except ValueError as error:
        reason = str(error) if "ingest.posts.year" in str(error) else f"is none of {DATE_FORMS}"
        raise InputError(path, f"post '{post['id']}' has date '{written}', which {reason}",
                         line=line) from None
    if dates is not None:
        dates[written] = post["date"]
    return post


_ABSENT = object()


def post_fields(record: dict, columns: dict[str, str | None]) -> dict[str, str] | None:
    """gtflow's fields of ``record`` as stripped text ("" for a null or unmapped field), or None
    when a column is absent or holds a JSON object or array (see :func:`field_problem`)."""
    post = {}
    for name, column in columns.items():
        value = _ABSENT if column is None else record.get(column, _ABSENT)
        if value is None or column is None:
            post[name] = ""
        elif value.__class__ is str:
            post[name] = value.strip()
        elif value is _ABSENT or isinstance(value, (dict, list)):
            return None
        else:
            post[name] = str(value).strip()
    return post


def field_problem(record: dict, path: Path, line: int, columns: dict[str, str | None],
                  mapped: bool) -> InputError:
    """What is wrong with a record :func:`post_fields` refused: the absent columns first, then
    the first field that holds a JSON object or array."""
    missing = [column for column in columns.values() if column is not None and column not in record]
    if missing:
        return InputError(path, "record " + missing_columns_message(missing, columns, mapped),
                          line=line)
    column = next(column for column in columns.values()
                  if column is not None and isinstance(record[column], (dict, list)))
    return InputError(path, f"field '{column}' holds a JSON {type(record[column]).__name__}, "
                      "not text", line=line)


#: Posts turned into one ingest table at a time: memory holds the export's text and one chunk.
CHUNK_POSTS = 50_000


def ingest_posts(path: str | Path, fields: dict[str, str | None] | None = None,
                 year: int | None = None, timezone: str = "UTC",
                 limits: Limits | None = None) -> pd.DataFrame:
    """Read one export of posts into the ingest table (each post a document with one turn);
    see :func:`ingest_post_chunks`, whose chunks this joins."""
    chunks = list(ingest_post_chunks(path, fields, year, timezone, limits))
    return pd.concat([c for c in chunks if len(c)] or chunks[:1], ignore_index=True)


def ingest_post_chunks(path: str | Path, fields: dict[str, str | None] | None = None,
                       year: int | None = None, timezone: str = "UTC",
                       limits: Limits | None = None, chunk_posts: int = CHUNK_POSTS,
                       workers: Workers | None = None) -> Iterator[pd.DataFrame]:
    """The ingest table of one export of posts, ``chunk_posts`` posts at a time.

    ``fields`` maps gtflow's field names to the export's columns (see fields_for_file);
    ``year`` completes dates written without one; epoch times are dated in ``timezone``. An
    export over ``limits.export_mb`` (default: the schema's) is refused before it is read.
    Checks that need the whole export (a repeated id, a reply to a post not in it, no posts at
    all) raise when they are found, so a caller writing chunks must discard what it wrote.
    The chunks are parsed and checked by ``workers`` where given; the first problem in line
    order is the one reported, whatever their number.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in {".jsonl", ".csv"}:
        raise InputError(path, "is not a post export gtflow reads (.jsonl or .csv)")
    columns, mapped, zone = column_names(fields), bool(fields), time_zone(timezone)
    text, encoding = read_text_file(path, (limits or default_limits()).export_bytes, "export")
    if suffix == ".csv":
        check_header(next(csv.reader(io.StringIO(text, newline="")), []), columns, mapped, path)
    form = PostForm(path, columns, mapped, year, zone, encoding, sha256_file(path),
                    suffix == ".jsonl")
    records = jsonl_lines(text) if form.jsonl else records_from_csv(text, path)
    jobs = ((form, batch) for batch in batches(problem_as_record(records), chunk_posts))
    seen: dict[str, int] = {}
    replies: list[tuple[str, str]] = []  # (post, parent): checked once every id is known
    held = None  # the last chunk waits for the checks of the whole export
    for frame, posts, problem in (workers or Workers(1)).ordered_map(ingest_post_batch, jobs):
        # The batch's posts before its problem (if any) are checked first: a repeated id on an
        # earlier line is the problem to report.
        for post_id, line, parent in posts:
            if post_id in seen:
                raise InputError(path, f"post id '{post_id}' appears twice (first at line "
                                 f"{seen[post_id]})", line=line)
            seen[post_id] = line
            if parent:
                replies.append((post_id, parent))
        if problem is not None:
            raise problem
        if held is not None:
            yield held
        held = frame
    del text
    if not seen:
        raise InputError(path, "holds no posts")
    for doc_id, parent in replies:
        if parent not in seen:
            raise InputError(path, f"post '{doc_id}' replies to '{parent}', which is not in "
                             "this export", line=seen[doc_id])
    if held is not None:
        yield held


def problem_as_record(records: Iterator[tuple[int, object]]) -> Iterator[tuple[int, object]]:
    """The records, then a malformed one (CSV with a missing field) as its InputError in the
    record's place: the worker reaching it raises it in line order, after the posts before it
    are checked, instead of the reader raising it while earlier batches are still out."""
    try:
        yield from records
    except InputError as problem:
        yield problem.line or 0, problem


@dataclasses.dataclass(frozen=True)
class PostForm:
    """What a worker needs to read an export's records: where from, its fields and dates."""

    path: Path
    columns: dict[str, str | None]
    mapped: bool
    year: int | None
    zone: dt.tzinfo
    encoding: str
    digest: str
    jsonl: bool  # records are raw JSON lines, else parsed CSV records


def ingest_post_batch(_shared: None, job: tuple[PostForm, tuple]
                      ) -> tuple[pd.DataFrame | None, list[tuple[str, int, str]],
                                 InputError | None]:
    """One batch of records -> (its ingest table, (id, line, parent id) of each post, the
    first problem). At a problem the table is None and the posts are those before it, so the
    caller can report an earlier repeated id first."""
    form, batch = job
    posts: list[tuple[str, int, str]] = []
    kept = PostColumns()  # posts with text: a post without any has no turn to code
    dates: dict[str, str] = {}  # an export's posts share their dates (or minutes)
    try:
        for line, record in batch:
            if isinstance(record, InputError):
                raise record
            if form.jsonl:
                record = parse_jsonl_line(record, line, form.path)
            post = check_post(record, form.path, line, form.columns, form.mapped, form.year,
                              form.zone, dates)
            posts.append((post["id"], line, post["parent_id"]))
            if post["text"]:
                kept.add(post, line)
    except InputError as problem:
        return None, posts, problem
    return kept.table(form), posts, None


@dataclasses.dataclass
class PostColumns:
    """The posts of a batch as column lists, from which its ingest table is built at once."""

    doc_id: list[str] = dataclasses.field(default_factory=list)
    date: list[str] = dataclasses.field(default_factory=list)
    author: list[str] = dataclasses.field(default_factory=list)
    url: list[str] = dataclasses.field(default_factory=list)
    parent_id: list[str] = dataclasses.field(default_factory=list)
    line: list[int] = dataclasses.field(default_factory=list)
    text: list[str] = dataclasses.field(default_factory=list)

    def add(self, post: dict[str, str], line: int) -> None:
        self.doc_id.append(post["id"])
        self.date.append(post["date"])
        self.author.append(post["author"])
        self.url.append(post["url"])
        self.parent_id.append(post["parent_id"])
        self.line.append(line)
        self.text.append(post["text"])

    def table(self, form: PostForm) -> pd.DataFrame:
        """The ingest table: one document of one turn per post (columns as document_frame's)."""
        count = len(self.doc_id)
        return turn_table({
            "doc_id": self.doc_id, "source_type": ["web_post"] * count, "title": [""] * count,
            "date": self.date, "author": self.author, "respondent_id": [""] * count,
            "url": self.url, "lang": languages_of(self.text), "sha256_raw": [form.digest] * count,
            "raw_path": [str(form.path)] * count, "encoding": [form.encoding] * count,
            "location": [form.path.stem] * count, "parent_id": self.parent_id,
            "turn": [0] * count, "speaker": [""] * count, "role": [""] * count,
            "timestamp": [""] * count, "line": self.line, "text": self.text})
