"""Shared fixtures of the REFI-QDA tests: the real NVivo sample and small vendor-style projects."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[4] / "shared" / "refi-qda"
NVIVO_SAMPLE = SHARED / "nvivo12win-sample.qdpx"
PROJECT_XSD = SHARED / "Project.xsd"
CODEBOOK_XSD = SHARED / "Codebook.xsd"


@pytest.fixture(scope="session")
def nvivo_sample() -> Path:
    if not NVIVO_SAMPLE.is_file():
        pytest.skip(f"NVivo sample project not available (expected {NVIVO_SAMPLE}; "
                    "it lives in the shared folder next to the checkout)")
    return NVIVO_SAMPLE


def schema_file(path: Path) -> Path:
    """A REFI-QDA schema from the shared folder; the test skips, saying why, without it."""
    if not path.is_file():
        pytest.skip(f"REFI-QDA {path.name} not available (expected {path}); "
                    "schema validation needs the shared folder next to the checkout")
    return path


@pytest.fixture(scope="session")
def project_xsd() -> Path:
    return schema_file(PROJECT_XSD)


@pytest.fixture(scope="session")
def codebook_xsd() -> Path:
    return schema_file(CODEBOOK_XSD)
