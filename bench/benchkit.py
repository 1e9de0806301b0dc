"""Helpers shared by the pipeline benchmarks: copy a study, run Snakemake, time it, measure RSS."""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SNAKEFILE = REPO / "workflow" / "Snakefile"


def copy_demo_study(target: Path) -> Path:
    """The whole demo study (config/ and data/) in a fresh folder."""
    shutil.copytree(REPO / "config", target / "config")
    shutil.copytree(REPO / "data", target / "data")
    return target


def run_snakemake(study: Path, *args: str, snakefile: Path = SNAKEFILE) -> tuple[float, int]:
    """Wall time of one Snakemake run and the peak RSS (kB) of its largest process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "snakemake", "--snakefile", str(snakefile),
                             "--directory", str(study), "--cores", "2", "--quiet", "all", *args],
                            capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"snakemake failed in {study}:\n{result.stderr[-3000:]}")
    # ru_maxrss of children is the largest any child reached so far (a high-water mark).
    return seconds, max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def trivial_workflow(folder: Path) -> Path:
    """A one-rule Snakefile whose no-op run is the floor of any Snakemake invocation."""
    folder.mkdir(parents=True, exist_ok=True)
    snakefile = folder / "Snakefile"
    snakefile.write_text('rule all:\n    output: "done.txt"\n    shell: "touch {output}"\n',
                         encoding="utf-8")
    return snakefile


def scratch(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))
