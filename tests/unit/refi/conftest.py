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


@pytest.fixture(scope="session")
def project_xsd() -> Path:
    if not PROJECT_XSD.is_file():
        pytest.skip(f"REFI-QDA Project.xsd not available (expected {PROJECT_XSD}); "
                    "schema validation needs the shared folder next to the checkout")
    return PROJECT_XSD


@pytest.fixture(scope="session")
def codebook_xsd() -> Path:
    if not CODEBOOK_XSD.is_file():
        pytest.skip(f"REFI-QDA Codebook.xsd not available (expected {CODEBOOK_XSD}); "
                    "schema validation needs the shared folder next to the checkout")
    return CODEBOOK_XSD
