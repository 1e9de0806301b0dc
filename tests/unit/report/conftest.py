"""Shared fixtures of the report tests: the tiny study's built report (built once per session)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fixture_study


@pytest.fixture(scope="session")
def built_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The tiny study's context, figures, .qmd and HTML (English)."""
    return fixture_study.build_report(tmp_path_factory.mktemp("tiny_en"), "en")


@pytest.fixture(scope="session")
def built_report_zh(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same report with Chinese headings and labels."""
    return fixture_study.build_report(tmp_path_factory.mktemp("tiny_zh"), "zh")
