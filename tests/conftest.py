"""Shared test helpers: the repository root and ../shared, which tests skip without."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is absent (it exists only beside the project's own checkout)")
    return SHARED


@pytest.fixture
def text_index(tmp_path):
    """A function writing clean texts (doc_id -> text) as one shard with its corpus index, as
    the clean stage does; returns the index's path (results/clean/text/index.parquet)."""
    from gtflow.clean.texts import gather_indexes, write_shard

    def write(texts, folder: Path | None = None) -> Path:
        root = (folder or tmp_path) / "results" / "clean" / "text"
        index = write_shard(root / "fixture" / "texts.txt", list(texts), texts.values())
        gather_indexes([("fixture", index)]).to_parquet(root / "index.parquet")
        return root / "index.parquet"

    return write
