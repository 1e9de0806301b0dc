"""The declared dependencies are the imported ones: every third-party module that src/gtflow
imports is declared in pyproject.toml (optional ones as extras), every declared one is used, and
requirements.txt pins them all."""

from __future__ import annotations

import ast
import functools
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

REPO_ROOT = Path(__file__).resolve().parents[2]
SOURCE = REPO_ROOT / "src" / "gtflow"
#: Declared, but never imported by the library, each for a reason.
NOT_IMPORTED = {
    "snakemake": "runs the workflow; the library itself never imports it",
    "lxml-html-clean": "trafilatura imports lxml.html.clean, which now ships as its own package",
}
#: Optional features: distribution -> the extra that installs it.
OPTIONAL = {"typst": "pdf"}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def imported_modules(root: Path = SOURCE) -> dict[str, set[str]]:
    """Top-level third-party module -> the files importing it (an AST walk, not a grep)."""
    found: dict[str, set[str]] = {}
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top != "gtflow" and top not in sys.stdlib_module_names:
                    found.setdefault(top, set()).add(str(path.relative_to(root)))
    return found


@functools.cache
def installed() -> dict[str, list[str]]:
    return metadata.packages_distributions()


def distributions(module: str) -> set[str]:
    """The installed distributions that provide a top-level module."""
    return {canonical(d) for d in installed().get(module, [])}


def project() -> dict:
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def core_dependencies() -> set[str]:
    return {canonical(Requirement(r).name) for r in project()["dependencies"]}


def extra_dependencies() -> dict[str, set[str]]:
    return {extra: {canonical(Requirement(r).name) for r in requirements}
            for extra, requirements in project().get("optional-dependencies", {}).items()}


def test_the_import_walk_sees_third_party_modules_and_skips_the_standard_library(tmp_path):
    (tmp_path / "m.py").write_text("import os, yaml\nfrom scipy.stats import chi2\n"
                                   "from . import sibling\nfrom gtflow.io import write_text\n"
                                   "def f():\n    import typst\n", encoding="utf-8")
    assert set(imported_modules(tmp_path)) == {"yaml", "scipy", "typst"}


def test_every_imported_module_is_declared():
    declared = core_dependencies() | set().union(*extra_dependencies().values())
    undeclared = {module: sorted(files) for module, files in imported_modules().items()
                  if not distributions(module) & declared}
    assert undeclared == {}


def test_optional_modules_are_extras_not_requirements():
    extras = extra_dependencies()
    for distribution, extra in OPTIONAL.items():
        assert distribution in extras.get(extra, set()), (distribution, extra)
        assert distribution not in core_dependencies(), distribution


def test_every_declared_dependency_is_imported_or_has_a_reason():
    used = set().union(*(distributions(module) for module in imported_modules()))
    assert sorted(core_dependencies() - used - set(NOT_IMPORTED)) == []


def test_requirements_txt_pins_every_declared_dependency():
    pinned = {}
    for line in (REPO_ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            requirement = Requirement(line)
            pinned[canonical(requirement.name)] = str(requirement.specifier)
    declared = core_dependencies() | set().union(*extra_dependencies().values())
    assert sorted(d for d in declared if not pinned.get(d, "").startswith("==")) == []
