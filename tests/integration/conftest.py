"""A small copy of the demo study, built once per test session and only read by the tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from studykit import REPO_ROOT, checksums, copy_small_study, snakemake


@dataclass(frozen=True)
class StudyCopy:
    """A fresh copy of the small study, with the checksums of every raw file (of the copy and
    of the repository's demo) taken before any workflow run."""

    root: Path
    raw_before: dict[str, str]
    repo_raw_before: dict[str, str]


@pytest.fixture(scope="session")
def small_study_copy(tmp_path_factory) -> StudyCopy:
    study = copy_small_study(tmp_path_factory.mktemp("built"))
    return StudyCopy(study, checksums(study / "data" / "raw"), checksums(REPO_ROOT / "data" / "raw"))


@pytest.fixture(scope="session")
def built_small_study(small_study_copy) -> Path:
    """The whole pipeline (rule all) run on a few interviews, pages and posts of the demo."""
    snakemake(small_study_copy.root, "--cores", "2")
    return small_study_copy.root
