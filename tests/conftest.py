"""Shared test helpers: the repository root and ../shared, which tests skip without."""

from __future__ import annotations

import os
import subprocess
import sys
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
def run_python():
    """A function running Python code in a new interpreter that imports the gtflow under test;
    returns the finished process (stdout and stderr as text). With ``timeout`` (seconds), a
    process still running then is killed and subprocess.TimeoutExpired raised."""
    import gtflow

    source = str(Path(gtflow.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([source, os.environ.get("PYTHONPATH", "")])}

    def run(code: str, timeout: float | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              check=False, env=env, timeout=timeout)

    return run


@pytest.fixture
def modules_loaded_by(run_python):
    """A function returning which of the named modules some Python code loads (in a new
    interpreter)."""

    def loaded(code: str, modules: list[str]) -> list[str]:
        probe = f"{code}\nimport sys\nprint(' '.join(m for m in {modules!r} if m in sys.modules))"
        result = run_python(probe)
        assert result.returncode == 0, result.stderr
        return result.stdout.split()

    return loaded


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


#: Session fixtures that build a study or a report: every test using one runs on the same
#: pytest-xdist worker, so each is built once per run, not once per worker.
SHARED_BUILDS = ("built_small_study", "built_report", "built_report_zh")


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups from the markers
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Group tests for ``--dist loadgroup``: a test that uses a shared build goes with the other
    users of that build; any other test goes with the rest of its file (its module fixtures)."""
    for item in items:
        build = next((name for name in SHARED_BUILDS if name in item.fixturenames), None)
        group = build or item.nodeid.split("::", 1)[0]
        item.add_marker(pytest.mark.xdist_group(name=group))
