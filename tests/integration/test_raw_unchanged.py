"""The workflow never writes data/raw: checksums of every raw file are equal before and after a run."""

from __future__ import annotations

import pytest
from studykit import REPO_ROOT, checksums

pytestmark = pytest.mark.integration


def test_raw_checksums_unchanged_after_a_run(small_study_copy, built_small_study):
    # The session's build (conftest.py) checksummed the raw files before it ran the workflow.
    assert built_small_study == small_study_copy.root
    assert (built_small_study / "results" / "clean" / "documents.parquet").is_file()
    assert len(small_study_copy.raw_before) > 5
    assert checksums(built_small_study / "data" / "raw") == small_study_copy.raw_before
    assert checksums(REPO_ROOT / "data" / "raw") == small_study_copy.repo_raw_before
