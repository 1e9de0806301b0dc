"""Changing library code re-runs exactly the stages that run it (code is an input of every rule).

The workflow and library are copied, and the copy is imported through PYTHONPATH, so the test
can change a library module without touching the repository.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
from pathlib import Path

import pytest
from studykit import REPO_ROOT, copy_small_study, planned_jobs, snakemake

pytestmark = pytest.mark.integration


def test_editing_a_library_module_reruns_only_its_stages(tmp_path):
    code = tmp_path / "gtflow"
    for part in ("workflow", "scripts", "src"):
        shutil.copytree(REPO_ROOT / part, code / part,
                        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    env = {**os.environ, "PYTHONPATH": str(code / "src")}
    options = {"snakefile": code / "workflow" / "Snakefile", "env": env}
    study = copy_small_study(tmp_path / "study")
    snakemake(study, "--cores", "2", **options)
    assert planned_jobs(study, **options) == {}

    module = code / "src" / "gtflow" / "stats" / "saturation.py"
    # A real edit: Snakemake ignores a newer time stamp on unchanged content.
    module.write_text(module.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    jobs = planned_jobs(study, **options)
    assert {"reliability", "saturation", "report_context"} <= set(jobs)
    untouched = {"ingest_interview", "ingest_page", "ingest_posts", "clean_file", "clean_corpus",
                 "code_autocode", "code_merge", "mechanisms", "export_spss", "export_qdpx"}
    assert not untouched & set(jobs)


def test_every_rule_lists_the_library_files_its_script_reads(tmp_path):
    """A module a job loads can change its outputs, so it must be among the job's inputs, or
    editing it leaves those outputs stale. The modules are found statically: every gtflow import
    of the script and, in turn, of each module it imports (those inside functions too, as they
    run when called; not those only for type checkers), with the packages they sit in. The
    schemas count too: jobs fill their defaults into what they read."""
    study = copy_small_study(tmp_path / "study")
    plan = snakemake(study, "--dry-run", "--forceall", "all", "private/pseudonym_key.csv",
                     "reports/pseudo_innovation_report.pdf")
    listed: dict[str, set[Path]] = {}
    rule = None
    for line in (plan.stdout + plan.stderr).splitlines():
        if line.startswith("rule ") and line.endswith(":"):
            rule = line[5:-1]
        elif rule and line.startswith("    input: "):
            listed.setdefault(rule, set()).update(Path(p).resolve() for p in line[11:].split(", "))
    scripts = rule_scripts()
    assert set(scripts) <= set(listed), f"rules not in the dry run: {set(scripts) - set(listed)}"
    schemas = {p.resolve() for p in (LIBRARY / "resources" / "schemas").glob("*.yaml")}
    gaps = [f"{rule}: {', '.join(sorted(str(p.relative_to(LIBRARY)) for p in unlisted))}"
            for rule, script in scripts.items()
            if (unlisted := (modules_loaded(script) | schemas) - listed[rule])]
    assert not gaps, "rules whose inputs lack library files their script reads:\n" + "\n".join(gaps)


LIBRARY = (REPO_ROOT / "src" / "gtflow").resolve()


def rule_scripts() -> dict[str, Path]:
    """Rule name -> its script adapter, from the rule files."""
    scripts = {}
    for rules in sorted((REPO_ROOT / "workflow" / "rules").glob("*.smk")):
        text = rules.read_text(encoding="utf-8")
        for rule, body in re.findall(r"^rule (\w+):\n(.*?)(?=^rule |\Z)", text,
                                      re.MULTILINE | re.DOTALL):
            script = re.search(r'script:\s*"\.\./\.\./scripts/([\w.]+)"', body)
            if script:
                scripts[rule] = REPO_ROOT / "scripts" / script.group(1)
    return scripts


def module_file(name: str) -> Path | None:
    """The file of gtflow module ``name`` (a package's __init__.py), or None."""
    base = LIBRARY.parent.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imported_modules(path: Path) -> set[str]:
    """The gtflow modules a file imports, with the packages that importing them runs."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif is_named_step(node):  # run_job("gtflow.module:function", ...) loads the module
            found.add(node.args[0].value.partition(":")[0])
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    names = {n for n in found if n.split(".")[0] == "gtflow" and module_file(n)}
    return names | {".".join(n.split(".")[:i]) for n in names for i in range(1, n.count(".") + 1)}


def is_named_step(node: ast.AST) -> bool:
    return (isinstance(node, ast.Call) and ast.unparse(node.func).endswith("run_job") and bool(node.args)
            and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str))


def modules_loaded(script: Path) -> set[Path]:
    """Files of every gtflow module the script loads, directly or through other modules."""
    seen: set[str] = set()
    queue = sorted(imported_modules(script))
    while queue:
        name = queue.pop()
        if name not in seen:
            seen.add(name)
            queue.extend(imported_modules(module_file(name)) - seen)
    return {module_file(name).resolve() for name in seen}
