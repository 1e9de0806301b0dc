"""Analytic memos: ``data/memos/*.md``, YAML front matter plus a Markdown body.

Front matter (``gtflow/resources/schemas/memo.schema.yaml``): ``id``, ``title``, ``date``, ``author``,
``codes`` (codebook ids of any level), optional ``edges`` (``"A->B"``, edges of the model) and
``synthetic`` (invented demonstration memos are labelled so wherever they are shown). A bad memo
stops with one line naming the file and, where it can, the line of the offending key.

Memos are read by the report (beside the codes and edges they discuss), the evidence explorer,
the REFI-QDA export (as Notes) and written by ``gtflow import-qdpx`` from a project's Notes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from gtflow.config import fill_defaults, load_schema
from gtflow.errors import InputError
from gtflow.ingest.front_matter import split_front_matter

if TYPE_CHECKING:  # the workflow imports this module to list memos; the codebook loads pandas
    from gtflow.coding.codebook import Codebook

MEMO_DIR = Path("data") / "memos"
MEMO_SUFFIX = ".md"
MEMO_KEYS = "id, title, date, author and codes"


@dataclass(frozen=True)
class Memo:
    """One analytic memo."""

    id: str
    title: str
    date: str
    author: str
    codes: tuple[str, ...]
    body: str
    edges: tuple[str, ...] = ()
    synthetic: bool = False
    path: str = ""

    def as_dict(self) -> dict:
        """A JSON-able form (the report context and the explorer use it)."""
        return {"id": self.id, "title": self.title, "date": self.date, "author": self.author,
                "codes": list(self.codes), "edges": list(self.edges),
                "synthetic": self.synthetic, "body": self.body, "path": self.path}


@dataclass
class MemoIndex:
    """Memos with lookups by the code or edge they discuss."""

    memos: list[Memo] = field(default_factory=list)

    def for_code(self, code_id: str) -> list[Memo]:
        """Memos that name this code."""
        return [m for m in self.memos if code_id in m.codes]

    def for_edge(self, key: str) -> list[Memo]:
        """Memos that name this edge (``"A->B"``)."""
        return [m for m in self.memos if key in m.edges]


def memo_files(root: str | Path = ".") -> list[str]:
    """The memo files of a study (relative to it), sorted; none when data/memos is absent."""
    root = Path(root)
    folder = root / MEMO_DIR
    if not folder.is_dir():
        return []
    return sorted(str(p.relative_to(root)) for p in folder.iterdir()
                  if p.is_file() and p.suffix.lower() == MEMO_SUFFIX
                  and not p.name.startswith((".", "~$")) and p.name.lower() != "readme.md")


def schema_error_line(error_path: list, lines: dict[str, int]) -> int:
    """File line of the front-matter key a schema error points at (the front matter's first
    line when the error is about the whole mapping)."""
    return lines.get(str(error_path[0]), 2) if error_path else 2


def parse_memo(text: str, path: str | Path) -> Memo:
    """A memo from its file text; any problem is an InputError naming ``path`` and a line."""
    meta, body, _ = split_front_matter(text, Path(path), expected=MEMO_KEYS)
    lines = meta.pop("_lines", {})
    # YAML reads a bare date as a date; the schema and the memo hold it as YYYY-MM-DD text.
    if isinstance(meta.get("date"), (dt.date, dt.datetime)):
        meta["date"] = meta["date"].isoformat()[:10]
    import jsonschema  # here, not at the top: most jobs that import this module read no memo

    schema = load_schema("memo.schema.yaml")
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(meta),
                    key=lambda e: list(e.absolute_path))
    if errors:
        keys = list(errors[0].absolute_path)
        where = ".".join(str(k) for k in keys) or "front matter"
        raise InputError(path, f"memo {where}: {errors[0].message}",
                         line=schema_error_line(keys, lines))
    try:
        dt.date.fromisoformat(meta["date"])
    except ValueError:
        raise InputError(path, f"memo date '{meta['date']}' is not a date (write YYYY-MM-DD)",
                         line=lines.get("date", 2)) from None
    meta = fill_defaults(schema, meta)
    if not body.strip():
        raise InputError(path, "memo has front matter but no text after it")
    return Memo(id=meta["id"], title=meta["title"].strip(), date=meta["date"],
                author=meta["author"].strip(), codes=tuple(meta["codes"]),
                edges=tuple(meta["edges"]), synthetic=bool(meta["synthetic"]),
                body=body.strip() + "\n", path=str(path))


def check_references(memo: Memo, codebook: Codebook | None, edge_keys: set[str] | None) -> None:
    """A memo may only name codes of the codebook and edges of the model."""
    if codebook is not None:
        unknown = [c for c in memo.codes if c not in codebook.by_id]
        if unknown:
            raise InputError(memo.path, f"memo names code(s) {', '.join(unknown)}, not in "
                             f"{codebook.path}")
    if edge_keys is not None:
        unknown = [e for e in memo.edges if e not in edge_keys]
        if unknown:
            raise InputError(memo.path, f"memo names edge(s) {', '.join(unknown)}, not edges of "
                             "the model (config/model.yaml)")
    if not memo.codes and not memo.edges:
        raise InputError(memo.path, "memo names no codes and no edges: list what it discusses "
                         "under codes (or edges)")


def load_memos(paths: list[str | Path], codebook: Codebook | None = None,
               model: dict | None = None) -> MemoIndex:
    """Read and check memo files; ids must be unique. Memos come sorted by date, then id."""
    edge_keys = {f"{e['from']}->{e['to']}" for e in model["edges"]} if model is not None else None
    memos: list[Memo] = []
    seen: dict[str, str] = {}
    for path in paths:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise InputError(path, "is not UTF-8 text") from None
        except FileNotFoundError:
            raise InputError(path, "file not found") from None
        memo = parse_memo(text, path)
        check_references(memo, codebook, edge_keys)
        if memo.id in seen:
            raise InputError(path, f"memo id '{memo.id}' is used by {seen[memo.id]} too")
        seen[memo.id] = str(path)
        memos.append(memo)
    return MemoIndex(sorted(memos, key=lambda m: (m.date, m.id)))


def memo_text(memo: Memo) -> str:
    """The file text of a memo (front matter + body), as :func:`parse_memo` reads it."""
    meta: dict = {"id": memo.id, "title": memo.title, "date": memo.date, "author": memo.author,
                  "codes": list(memo.codes)}
    if memo.edges:
        meta["edges"] = list(memo.edges)
    if memo.synthetic:
        meta["synthetic"] = True
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=None)
    return f"---\n{front}---\n\n{memo.body.strip()}\n"
