"""A small copy of the demo study, built once per test session and only read by the tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from studykit import copy_small_study, snakemake


@pytest.fixture(scope="session")
def built_small_study(tmp_path_factory) -> Path:
    """The whole pipeline (rule all) run on a few interviews, pages and posts of the demo."""
    study = copy_small_study(tmp_path_factory.mktemp("built"))
    snakemake(study, "--cores", "2")
    return study
