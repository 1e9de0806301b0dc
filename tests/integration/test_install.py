"""A built wheel, installed into a fresh virtual environment, gives a working `gtflow` command:
the schemas, templates and study template travel inside the package, not in a checkout."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
import yaml
from studykit import REPO_ROOT

pytestmark = pytest.mark.integration
_spec = importlib.util.spec_from_file_location(
    "refi_fixtures", REPO_ROOT / "tests" / "unit" / "refi" / "refi_fixtures.py")
refi_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(refi_fixtures)


def run(command: list[str], cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in command], cwd=cwd, env=env, check=False,
                          capture_output=True, text=True, timeout=900)


def build_wheel(tmp_path: Path, env: dict) -> Path:
    """The wheel of a copy of the project (so the build leaves nothing in the checkout)."""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO_ROOT / name, project)
    shutil.copytree(REPO_ROOT / "src", project / "src",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    dist = tmp_path / "dist"
    result = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, project],
                 tmp_path, env)
    assert result.returncode == 0, result.stderr[-3000:]
    (wheel,) = dist.glob("gtflow-*.whl")
    return wheel


def rules_env_gtflow_requirement() -> str:
    """The gtflow line of workflow/envs/gtflow.yaml (the env every rule runs in)."""
    environment = yaml.safe_load((REPO_ROOT / "workflow" / "envs" / "gtflow.yaml")
                                 .read_text(encoding="utf-8"))
    packages = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    (requirement,) = [p for p in packages if p.startswith("gtflow")]
    return requirement


def test_a_wheel_in_a_fresh_venv_runs_init_validate_and_import_without_the_checkout(tmp_path):
    # No PYTHONPATH: nothing of the source tree may be importable in the new environment.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    wheel = build_wheel(tmp_path, env)
    # The dependencies come from the shared environment; the package itself from the wheel,
    # found as the rules' conda env names it (gtflow==<version>) in a folder PIP_FIND_LINKS
    # names, as README tells a study repository without a package index holding gtflow.
    venv.create(tmp_path / "venv", system_site_packages=True, with_pip=True)
    bin_dir = tmp_path / "venv" / "bin"
    pinned = rules_env_gtflow_requirement()
    # --ignore-installed: the shared site-packages already holds an editable gtflow of that
    # version, which pip would otherwise take as satisfying the pin.
    result = run([bin_dir / "python", "-m", "pip", "install", "-q", "--no-deps",
                  "--ignore-installed", pinned],
                 tmp_path, {**env, "PIP_FIND_LINKS": str(wheel.parent), "PIP_NO_INDEX": "1"})
    assert result.returncode == 0, result.stderr[-3000:]

    work = tmp_path / "elsewhere"
    work.mkdir()
    where = run([bin_dir / "python", "-c",
                 ("import gtflow, gtflow.resources as r; print(gtflow.__file__); "
                  "print(r.schema_dir()); print(r.template_dir())")], work, env)
    assert where.returncode == 0, where.stderr
    for line in where.stdout.splitlines():
        assert Path(line).is_relative_to(tmp_path / "venv"), line

    gtflow = bin_dir / "gtflow"
    init = run([gtflow, "init", "my-study"], work, env)
    assert init.returncode == 0, init.stderr
    study = work / "my-study"
    assert (study / "config" / "codebook.yaml").exists()
    # An empty study fails validation with the one-line message about its missing documents...
    empty = run([gtflow, "validate", "my-study"], work, env)
    assert empty.returncode == 1 and "holds no documents" in empty.stderr, empty.stderr
    # ... and passes once it holds an interview and the roster naming its respondent.
    shutil.copy(REPO_ROOT / "data" / "raw" / "interviews" / "LY-I01.md",
                study / "data" / "raw" / "interviews")
    shutil.copy(REPO_ROOT / "data" / "raw" / "respondents.sav", study / "data" / "raw")
    valid = run([gtflow, "validate", "my-study"], work, env)
    assert valid.returncode == 0, valid.stderr
    assert "checks passed" in valid.stdout

    # A REFI-QDA project becomes a study whose codebook passes the packaged schema.
    qdpx = refi_fixtures.build_atlas_qdpx(work / "atlas.qdpx")
    imported = run([gtflow, "import-qdpx", qdpx.name, "--into", "imported"], work, env)
    assert imported.returncode == 0, imported.stderr
    assert run([gtflow, "validate", "imported"], work, env).returncode == 0
