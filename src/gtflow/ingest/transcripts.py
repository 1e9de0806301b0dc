"""Interview transcripts: YAML front matter plus speaker-tagged turns (txt, md, docx).

A transcript becomes one row per speaker turn with the document's metadata repeated, so the
clean stage can treat every source type alike.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pandas as pd

from gtflow.errors import InputError
from gtflow.ingest.decode import decode_bytes, read_bytes, read_text_file
from gtflow.ingest.documents import document_frame, language_of
from gtflow.ingest.front_matter import split_front_matter
from gtflow.limits import Limits, check_zip_package, default_limits

FRONT_MATTER_KEYS = ("id", "date", "respondent", "interviewer", "location")
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")

#: Tags with a fixed role. Other tags (a person's name) count only when they open several lines.
INTERVIEWER_TAGS = {"问", "访谈者", "访问者", "主持人", "Q", "I", "Interviewer", "INT"}
RESPONDENT_TAGS = {"答", "受访者", "被访者", "A", "R", "Respondent"}
TAG_LINE = re.compile(
    r"^\s*(?:[\[［(（](?P<ts>\d{1,2}:\d{2}(?::\d{2})?)[\]］)）]\s*)?"
    r"(?P<tag>[^\s:：，,。！？!?、；;（）()\[\]“”\"']{1,12})\s*[:：]\s?(?P<rest>.*)$"
)
TIMESTAMP_ONLY = re.compile(r"^\s*[\[［(（](?P<ts>\d{1,2}:\d{2}(?::\d{2})?)[\]］)）]\s*(?P<rest>.*)$")


def read_docx_text(path: Path, limits: Limits | None = None) -> str:
    """Paragraph text of a .docx file, one paragraph per line (soft line breaks kept).

    A .docx is a zip package that python-docx unpacks whole, trusting its headers; so the
    package is first unpacked once within ``limits`` (every member counted, nothing kept).
    """
    import zipfile

    import docx  # python-docx; imported here so text transcripts never need it

    if not path.is_file():
        raise InputError(path, "file not found")
    if not zipfile.is_zipfile(path):
        raise InputError(path, "is not a .docx file (Word documents are zip packages; save it "
                         "again from Word as .docx, or as UTF-8 text)")
    check_zip_package(path, limits or default_limits())
    try:
        document = docx.Document(str(path))
    except Exception as error:  # noqa: BLE001 - python-docx raises several types for a broken package
        raise InputError(path, f"is not a readable .docx file ({type(error).__name__})") from None
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    if not text.strip():
        raise InputError(path, "the document is empty (no paragraph text)")
    return text


def read_transcript_text(path: Path, limits: Limits | None = None) -> tuple[str, str]:
    """Return ``(text, encoding)`` for a .txt/.md/.docx transcript ('docx' for Word files)."""
    limits = limits or default_limits()
    if path.suffix.lower() == ".docx":
        return read_docx_text(path, limits), "docx"
    if path.suffix.lower() not in {".txt", ".md"}:
        raise InputError(path, "is not a transcript type gtflow reads (.txt, .md, .docx)")
    return decode_bytes(read_bytes(path, limits.source_bytes), path)


def check_front_matter(meta: dict, path: Path) -> dict:
    """Validate the front matter keys and normalize their values to strings."""
    lines = meta.pop("_lines", {})
    missing = [key for key in FRONT_MATTER_KEYS if key not in meta]
    if missing:
        raise InputError(path, f"front matter lacks {', '.join(missing)} (required: "
                         f"{', '.join(FRONT_MATTER_KEYS)})", line=2)
    doc_id = str(meta["id"]).strip()
    if not ID_PATTERN.match(doc_id):
        raise InputError(path, f"front matter id '{doc_id}' may contain only letters, digits, "
                         "'.', '_' and '-'", line=lines.get("id", 2))
    date = meta["date"]
    if isinstance(date, dt.datetime):
        date = date.date()
    if not isinstance(date, dt.date):
        try:
            date = dt.date.fromisoformat(str(date).strip())
        except ValueError:
            raise InputError(path, f"front matter date '{meta['date']}' is not a date "
                             "(write YYYY-MM-DD)", line=lines.get("date", 2)) from None
    clean = {key: ("" if meta.get(key) is None else str(meta[key]).strip()) for key in meta}
    clean["id"] = doc_id
    clean["date"] = date.isoformat()
    clean["_lines"] = lines
    return clean


def recurring_name_tags(lines: list[str]) -> set[str]:
    """Tags that are not standard roles but open at least two lines: speakers' names."""
    counts: Counter[str] = Counter()
    for line in lines:
        match = TAG_LINE.match(line)
        if match:
            counts[match.group("tag")] += 1
    standard = INTERVIEWER_TAGS | RESPONDENT_TAGS
    # A name has letters: "00" from an unbracketed "00:12:31" is a clock, not a speaker.
    return {tag for tag, n in counts.items()
            if n >= 2 and tag not in standard and any(ch.isalpha() for ch in tag)}


def role_of(tag: str) -> str:
    """interviewer, respondent or speaker (a named participant)."""
    if tag in INTERVIEWER_TAGS:
        return "interviewer"
    if tag in RESPONDENT_TAGS:
        return "respondent"
    return "speaker"


def parse_turns(body: str, path: Path, first_line: int) -> list[dict]:
    """Split the body into speaker turns; untagged lines continue the current turn."""
    lines = body.split("\n")
    tags = INTERVIEWER_TAGS | RESPONDENT_TAGS | recurring_name_tags(lines)
    turns: list[dict] = []
    for offset, line in enumerate(lines):
        match = TAG_LINE.match(line)
        if match and match.group("tag") in tags:
            rest, timestamp = match.group("rest"), match.group("ts") or ""
            stamped = TIMESTAMP_ONLY.match(rest)
            if stamped and not timestamp:  # "答：[00:12:31] ..." keeps the time out of the text
                rest, timestamp = stamped.group("rest"), stamped.group("ts")
            turns.append({"speaker": match.group("tag"), "role": role_of(match.group("tag")),
                          "timestamp": timestamp, "line": first_line + offset,
                          "parts": [rest.strip()]})
            continue
        stamped = TIMESTAMP_ONLY.match(line)
        text = (stamped.group("rest") if stamped else line).strip()
        if not text:
            continue
        if not turns:
            turns.append({"speaker": "", "role": "", "timestamp": stamped.group("ts") if stamped
                          else "", "line": first_line + offset, "parts": []})
        turns[-1]["parts"].append(text)
    result = [
        {"turn": n, "speaker": t["speaker"], "role": t["role"], "timestamp": t["timestamp"],
         "line": t["line"], "text": "\n".join(p for p in t["parts"] if p)}
        for n, t in enumerate(turns)
    ]
    result = [t for t in result if t["text"]]
    if not result:
        raise InputError(path, "has front matter but no transcript text after it", line=first_line)
    return result


def check_respondent(respondent: str, known_respondents: set[str] | None, path: Path,
                     line: int) -> None:
    """A transcript's respondent id must be on the roster; naming one without a roster is an error."""
    if not respondent:
        return
    if known_respondents is None:
        raise InputError(path, f"names respondent '{respondent}', but the study has no roster; add "
                         "data/raw/respondents.sav (.dta or .csv) listing every respondent id",
                         line=line)
    if respondent not in known_respondents:
        raise InputError(path, f"respondent '{respondent}' is not in the roster "
                         "(data/raw/respondents.*); check the id or add the person", line=line)


def ingest_transcript(path: str | Path, known_respondents: set[str] | None = None,
                      limits: Limits | None = None) -> pd.DataFrame:
    """Read one transcript into a table of turns carrying the document's metadata.

    ``known_respondents`` is the roster's set of ids, or None when the study has no roster (then
    a transcript that names a respondent is an error: the id could not be checked or pseudonymized).
    A file over ``limits.source_mb`` (default: the schema's) is refused before it is read.
    """
    path = Path(path)
    text, encoding = read_transcript_text(path, limits)
    meta, body, first_line = split_front_matter(text, path)
    meta = check_front_matter(meta, path)
    lines = meta.pop("_lines")
    respondent = meta.get("respondent", "")
    check_respondent(respondent, known_respondents, path, lines.get("respondent", 2))
    turns = parse_turns(body, path, first_line)
    document = {
        "doc_id": meta["id"], "source_type": "interview", "title": meta.get("title", meta["id"]),
        "date": meta["date"], "author": meta.get("interviewer", ""), "respondent_id": respondent,
        "url": "", "lang": language_of(" ".join(t["text"] for t in turns)),
        "raw_path": str(path), "encoding": encoding, "location": meta.get("location", ""),
        "parent_id": "",
    }
    return document_frame(path, [document], {meta["id"]: turns})


__all__ = ["ingest_transcript", "read_text_file"]
