"""Promises the repository makes about itself: README commands, CI, environments agree."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from gtflow.resources import schema_dir

REPO_ROOT = Path(__file__).resolve().parents[2]


def readme_commands() -> list[str]:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", text, re.DOTALL).group(1)
    return [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]


def test_readme_starts_with_the_demo_command_and_the_test_command():
    setup_and_run, run_tests = readme_commands()[:2]
    assert "snakemake --cores 4" in setup_and_run
    assert "pytest" in run_tests


def test_ci_runs_the_readme_test_command():
    ci = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert readme_commands()[1] in ci


def normalized(requirement: str) -> str:
    return requirement.strip().lower().replace("_", "-")


def pinned_requirements() -> set[str]:
    return {normalized(line) for line in
            (REPO_ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")}


def pip_section(path: Path) -> list[str]:
    environment = yaml.safe_load(path.read_text(encoding="utf-8"))
    return next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))


def test_environment_yml_installs_the_same_packages_as_requirements_txt():
    packages = pip_section(REPO_ROOT / "environment.yml")
    assert {normalized(p) for p in packages if not p.startswith("-")} == pinned_requirements()


def test_the_rules_env_pins_requirements_txt_and_the_gtflow_version_of_pyproject():
    """workflow/envs/gtflow.yaml must work where a study uses the workflow as a module: gtflow
    by the version pyproject.toml declares, no editable install, no path into a checkout."""
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    gtflow = f"gtflow=={project['project']['version']}"
    packages = [normalized(p) for p in pip_section(REPO_ROOT / "workflow" / "envs" / "gtflow.yaml")]
    assert gtflow in packages
    assert not [p for p in packages if p.startswith(("-", ".")) or "/" in p]
    assert set(packages) - {gtflow} == pinned_requirements()


def test_the_slurm_plugin_is_installed_only_for_clusters():
    # Snakemake imports every installed executor plugin at start; the SLURM one loads pandas
    # there, about a second of every local run.
    assert not [p for p in pinned_requirements() if p.startswith("snakemake-executor-plugin-slurm")]
    lines = [normalized(line) for line in
             (REPO_ROOT / "requirements-slurm.txt").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    assert lines == ["-r requirements.txt", "snakemake-executor-plugin-slurm==2.8.0"]
    profile = yaml.safe_load((REPO_ROOT / "workflow/profiles/slurm/profile.yaml").read_text("utf-8"))
    assert profile["executor"] == "slurm"


def test_quarto_is_optional_not_required():
    packages = [line for line in (REPO_ROOT / "requirements.txt").read_text(encoding="utf-8").lower()
                .splitlines() if line.strip() and not line.startswith("#")]
    assert not [p for p in packages if p.startswith("quarto")]


def run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, check=False, cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=300)


def test_snakemake_lint_is_clean():
    result = run(sys.executable, "-m", "snakemake", "--lint", "--cores", "1")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_snakefmt_check_passes():
    pytest.importorskip("snakefmt")
    result = run(sys.executable, "-m", "snakefmt", "--check", "workflow/Snakefile", "workflow/rules")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def keys_missing_description_or_default(node: dict, where: str = "") -> list[str]:
    """Dotted keys under ``node`` whose schema lacks a description or a default."""
    missing = []
    for key, sub in (node.get("properties") or {}).items():
        if "description" not in sub or "default" not in sub:
            missing.append(f"{where}{key}")
        missing += keys_missing_description_or_default(sub, f"{where}{key}.")
    items = node.get("items")
    if isinstance(items, dict):
        missing += keys_missing_description_or_default(items, where)
        for part in items.get("allOf", []) + items.get("anyOf", []) + items.get("oneOf", []):
            missing += keys_missing_description_or_default(part, where)
    return missing


def test_config_schemas_give_every_key_a_description_and_a_default():
    for path in sorted(schema_dir().glob("*.yaml")):
        schema = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert schema["$schema"].endswith("2020-12/schema")
        assert keys_missing_description_or_default(schema) == [], path.name


def schema_keys(node: dict, prefix: str = "") -> list[str]:
    keys = []
    for key, sub in (node.get("properties") or {}).items():
        if sub.get("type") == "object" and "properties" in sub:
            keys += schema_keys(sub, f"{prefix}{key}.")
        else:
            keys.append(f"{prefix}{key}")
    return keys


def test_config_readme_documents_every_key():
    schema = yaml.safe_load((schema_dir() / "config.schema.yaml").read_text(encoding="utf-8"))
    readme = (REPO_ROOT / "config" / "README.md").read_text(encoding="utf-8")
    assert [k for k in schema_keys(schema) if f"`{k}`" not in readme] == []


def test_the_slurm_profile_sizes_each_job_from_its_input():
    from types import SimpleNamespace

    profile = yaml.safe_load((REPO_ROOT / "workflow/profiles/slurm/profile.yaml").read_text("utf-8"))
    rules = set(re.findall(r"^rule (\w+):", "".join(
        p.read_text(encoding="utf-8") for p in (REPO_ROOT / "workflow/rules").glob("*.smk")),
        re.MULTILINE))
    assert set(profile["set-resources"]) <= rules
    settings = [profile["default-resources"], *profile["set-resources"].values()]
    for resources in settings:
        for name, floor, cap in (("mem_mb", 1000, 128_000), ("runtime", 10, 1440)):
            # As Snakemake evaluates a resource expression: with the job's input in scope.
            values = [eval(resources[name], {"input": SimpleNamespace(size_mb=size)})
                      for size in (0.0, 1.0, 50.0, 500.0, 5_000.0, 500_000.0)]
            assert all(isinstance(v, int) and floor <= v <= cap for v in values), (name, values)
            assert values == sorted(values) and values[-1] > values[0], (name, values)


def workflow_imports() -> list[str]:
    """The gtflow import statements of the Snakefile and its rule files, as written."""
    files = [REPO_ROOT / "workflow" / "Snakefile", *sorted((REPO_ROOT / "workflow" / "rules").glob("*.smk"))]
    return [line.strip() for path in files for line in path.read_text(encoding="utf-8").splitlines()
            if re.match(r"(from|import) gtflow\b", line.strip())]


def test_building_the_workflow_loads_no_table_library(modules_loaded_by):
    """Snakemake runs these imports at every start, dry runs included, before any job: pandas
    with numpy and Arrow would add about half a second to each, on the critical path."""
    imports = workflow_imports()
    assert any("memos" in line for line in imports) and any("post_fields" in line for line in imports)
    assert modules_loaded_by("\n".join(imports), ["pandas", "numpy", "pyarrow"]) == []
