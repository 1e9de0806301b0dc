"""The ingest stage's steps as the workflow calls them: read one raw file, write its table.

``limits`` is the study configuration's ``limits`` section (see :mod:`gtflow.limits`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gtflow.ingest.posts import ingest_posts
from gtflow.ingest.roster import load_known_respondents
from gtflow.ingest.transcripts import ingest_transcript
from gtflow.ingest.web import check_manifest_files, ingest_page, read_manifest
from gtflow.io import write_parquet
from gtflow.limits import Limits


def ingest_interview_file(raw: str | Path, out: str | Path, roster: str | Path | None = None,
                          limits: dict[str, Any] | None = None) -> None:
    """Transcript -> turns table; respondent ids are checked against the roster when there is one."""
    write_parquet(out, ingest_transcript(raw, load_known_respondents(roster),
                                         Limits.from_config(limits)))


def ingest_page_file(raw: str | Path, manifest: str | Path, out: str | Path,
                     excluded: list[str] | None = None,
                     limits: dict[str, Any] | None = None) -> None:
    """Saved HTML page -> one-document table (main text via trafilatura)."""
    check_manifest_files(manifest, read_manifest(manifest))
    write_parquet(out, ingest_page(raw, manifest, excluded, Limits.from_config(limits)))


def ingest_posts_file(raw: str | Path, out: str | Path,
                      limits: dict[str, Any] | None = None) -> None:
    """Post export -> one document per post."""
    write_parquet(out, ingest_posts(raw, Limits.from_config(limits)))
