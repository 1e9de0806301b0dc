"""The ingest stage's steps as the workflow calls them: read one raw file, write its table.

``limits`` is the study configuration's ``limits`` section (see :mod:`gtflow.limits`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gtflow.contracts import write_table, write_table_chunks
from gtflow.ingest.posts import ingest_post_chunks
from gtflow.ingest.roster import load_known_respondents
from gtflow.ingest.transcripts import ingest_transcript
from gtflow.ingest.web import check_manifest_files, ingest_page, read_manifest
from gtflow.limits import Limits
from gtflow.parallel import Workers


def ingest_interview_file(raw: str | Path, out: str | Path, roster: str | Path | None = None,
                          limits: dict[str, Any] | None = None) -> None:
    """Transcript -> turns table; respondent ids are checked against the roster when there is one."""
    write_table("ingest_turns", ingest_transcript(raw, load_known_respondents(roster),
                                                  Limits.from_config(limits)), out)


def ingest_page_file(raw: str | Path, manifest: str | Path, out: str | Path,
                     excluded: list[str] | None = None,
                     limits: dict[str, Any] | None = None) -> None:
    """Saved HTML page -> one-document table (main text via trafilatura)."""
    check_manifest_files(manifest, read_manifest(manifest))
    write_table("ingest_turns", ingest_page(raw, manifest, excluded, Limits.from_config(limits)),
                out)


def ingest_posts_file(raw: str | Path, out: str | Path, fields: dict | None = None,
                      year: int | None = None, timezone: str = "UTC",
                      limits: dict[str, Any] | None = None, workers: int = 1) -> None:
    """Post export -> one document per post (``fields``: this export's column mapping), written
    a chunk of posts at a time; the chunks are read by up to ``workers`` processes."""
    with Workers(workers) as pool:  # forked before the export is read
        write_table_chunks("ingest_turns", ingest_post_chunks(
            raw, fields, year, timezone, Limits.from_config(limits), workers=pool), out)
