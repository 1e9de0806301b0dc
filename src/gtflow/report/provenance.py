"""The reproducibility appendix: input checksums, versions and the git commit.

Read-only: the git commit is read from the ``.git`` folder's files (no git command runs), so the
report can be built where git is not installed.
"""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import pandas as pd

from gtflow.io import sha256_file

#: Packages whose versions decide the numbers and the rendering.
PACKAGES = ("gtflow", "snakemake", "pandas", "numpy", "scipy", "pyarrow", "pyyaml", "jsonschema",
            "jinja2", "pyreadstat", "trafilatura", "rapidfuzz", "ahocorasick-rs",
            "krippendorff", "matplotlib", "pypandoc-binary", "typst")


def package_versions(names: tuple[str, ...] = PACKAGES) -> list[dict]:
    """Installed version of each package ('not installed' when absent)."""
    rows = [{"name": "python", "version": platform.python_version()}]
    for name in names:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "not installed"
        rows.append({"name": name, "version": version})
    return rows


def pandoc_version() -> str:
    """Version of the pandoc bundled with pypandoc-binary ('' when unavailable)."""
    try:
        import pypandoc

        return str(pypandoc.get_pandoc_version())
    except (ImportError, OSError, RuntimeError):
        return ""


def git_commit(start: str | Path = ".") -> str:
    """The commit checked out in the enclosing repository, read from .git ('' when none)."""
    here = Path(start).resolve()
    for folder in (here, *here.parents):
        git = folder / ".git"
        if git.is_file():  # a worktree: "gitdir: <path>"
            text = git.read_text(encoding="utf-8").strip()
            if text.startswith("gitdir:"):
                git = (folder / text.split(":", 1)[1].strip()).resolve()
        if not git.is_dir():
            continue
        head = (git / "HEAD").read_text(encoding="utf-8").strip()
        if not head.startswith("ref:"):
            return head
        ref = head.split(":", 1)[1].strip()
        common = git
        if (git / "commondir").is_file():
            common = (git / (git / "commondir").read_text(encoding="utf-8").strip()).resolve()
        for base in (git, common):
            if (base / ref).is_file():
                return (base / ref).read_text(encoding="utf-8").strip()
            packed = base / "packed-refs"
            if packed.is_file():
                for line in packed.read_text(encoding="utf-8").splitlines():
                    if line.endswith(" " + ref):
                        return line.split(" ", 1)[0]
        return ""
    return ""


def raw_file_checksums(documents: pd.DataFrame) -> list[dict]:
    """SHA-256 of every raw document file, as recorded when it was ingested."""
    files = documents[["raw_path", "sha256_raw"]].drop_duplicates().sort_values("raw_path")
    return [{"path": str(r.raw_path), "sha256": str(r.sha256_raw)}
            for r in files.itertuples(index=False)]


def input_checksums(paths: dict[str, str | None]) -> list[dict]:
    """SHA-256 of the study's configuration files and other inputs, by role."""
    return [{"role": role, "path": str(path), "sha256": sha256_file(path)}
            for role, path in paths.items() if path and Path(path).is_file()]


def generated_at() -> str:
    """UTC time of the build; SOURCE_DATE_EPOCH fixes it for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch else \
        datetime.now(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")
