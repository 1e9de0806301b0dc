"""Check a whole study without running the pipeline: `gtflow validate [STUDY]`.

Every check that the pipeline would make on the way is made here in one pass, and every problem
is reported (one line each) instead of stopping at the first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from gtflow.coding.codebook import load_codebook, load_model
from gtflow.coding.manual import read_manual_csv
from gtflow.config import complete_config, load_config
from gtflow.errors import REPORTED_ERRORS
from gtflow.ingest.post_fields import fields_for_file
from gtflow.ingest.posts import ingest_posts
from gtflow.ingest.roster import read_roster
from gtflow.ingest.transcripts import ingest_transcript
from gtflow.ingest.web import check_manifest_files, ingest_page, read_manifest
from gtflow.limits import Limits
from gtflow.memos import load_memos, memo_files
from gtflow.study import StudyFiles


@dataclass
class ValidationReport:
    """What was checked and what failed."""

    checked: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def attempt(self, what: str, check: Callable[[], object]) -> object | None:
        """Run one check; record its InputError or ConfigError instead of raising."""
        try:
            result = check()
        except REPORTED_ERRORS as error:
            self.problems.append(error.describe())
            return None
        self.checked.append(what)
        return result


def validate_study(root: str | Path, *, source_mb: float | None = None,
                   package_mb: float | None = None) -> ValidationReport:
    """Run every input check on the study in ``root``, within the config's ``limits`` (with
    ``source_mb``/``package_mb`` from the command line overriding them)."""
    root = Path(root)
    report = ValidationReport()
    config = report.attempt("config/config.yaml", lambda: load_config(root / "config" / "config.yaml"))
    limits = Limits.from_config((config or {}).get("limits")).with_overrides(
        source_mb=source_mb, package_mb=package_mb)
    codebook = report.attempt("config/codebook.yaml", lambda: load_codebook(root / "config" / "codebook.yaml"))
    model = None
    if codebook is not None:
        model = report.attempt("config/model.yaml", lambda: load_model(root / "config" / "model.yaml", codebook))
    memos = memo_files(root)
    failed = len(report.problems)
    for path in memos:
        report.attempt(path, lambda p=path: load_memos([root / p], codebook, model))
    if memos and len(report.problems) == failed:  # each memo is fine: now ids across files
        report.attempt("data/memos/", lambda: load_memos([root / p for p in memos], codebook, model))
    study = report.attempt("data/", lambda: StudyFiles.discover(root))
    if study is None:
        return report
    known = None
    if study.roster:
        roster = report.attempt(study.roster, lambda: read_roster(root / study.roster))
        known = set(roster[0]["respondent_id"]) if roster is not None else None
    for path in study.interviews.values():
        report.attempt(path, lambda p=path: ingest_transcript(root / p, known, limits))
    if study.manifest:
        rows = report.attempt(study.manifest, lambda: read_manifest(root / study.manifest))
        if rows is not None:
            report.attempt(study.manifest, lambda: check_manifest_files(root / study.manifest, rows))
        excluded = (config or {}).get("ingest", {}).get("excluded_pages", [])
        for path in study.pages.values():
            report.attempt(path, lambda p=path: ingest_page(root / p, root / study.manifest,
                                                            excluded, limits))
    posts = (config or complete_config({}))["ingest"]["posts"]
    for path in study.posts.values():
        fields = fields_for_file(Path(path).name, posts["fields"])
        report.attempt(path, lambda p=path, f=fields: ingest_posts(root / p, f, posts["year"],
                                                                   posts["timezone"], limits))
    for path in study.manual_codings:
        report.attempt(path, lambda p=path: read_manual_csv(root / p))
    return report
