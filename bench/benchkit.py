"""Helpers shared by the pipeline benchmarks: copy a study, run Snakemake, time it, measure RSS."""

from __future__ import annotations

import compileall
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parents[1]
SNAKEFILE = REPO / "workflow" / "Snakefile"
#: Cores every benchmarked Snakemake run is given (the targets are for a 2-core machine).
CORES = 2


def copy_demo_study(target: Path) -> Path:
    """The whole demo study (config/ and data/) in a fresh folder."""
    shutil.copytree(REPO / "config", target / "config")
    shutil.copytree(REPO / "data", target / "data")
    return target


class SnakemakeRun(NamedTuple):
    seconds: float  #: wall time
    peak_rss_kb: int  #: the largest process's peak
    cpu_seconds: float  #: user + system CPU of Snakemake and every job, all cores together


def compile_library(folder: Path | None = None) -> bool:
    """Write the bytecode of gtflow's modules (or of those in ``folder``), as installing a package
    does; True when every module compiled.

    Where PYTHONDONTWRITEBYTECODE is set (as on this project's machines) an editable checkout
    has none, and every job of a run would compile the modules it imports again: about 0.15 s
    of CPU a job, 18 jobs at 100k posts. compileall writes it whatever that setting says; a
    folder Python cannot write to (a system install, compiled by pip) is left as it is.
    """
    if folder is None:
        import gtflow  # the package the jobs import: the same interpreter and environment

        folder = Path(gtflow.__file__).parent
    return compileall.compile_dir(folder, quiet=2)


def run_snakemake(study: Path, *args: str, snakefile: Path = SNAKEFILE) -> SnakemakeRun:
    """Wall time, CPU and the peak RSS (kB) of the largest process of one Snakemake run, with
    gtflow's bytecode written first (:func:`compile_library`)."""
    compile_library()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    before, cpu_before = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "snakemake", "--snakefile", str(snakefile),
                             "--directory", str(study), "--cores", str(CORES), "--quiet", "all", *args],
                            capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"snakemake failed in {study}:\n{result.stderr[-3000:]}")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    # ru_maxrss of children is the largest any child reached so far (a high-water mark).
    return SnakemakeRun(seconds, max(before, usage.ru_maxrss),
                        usage.ru_utime + usage.ru_stime - cpu_before)


def trivial_workflow(folder: Path) -> Path:
    """A one-rule Snakefile whose no-op run is the floor of any Snakemake invocation."""
    folder.mkdir(parents=True, exist_ok=True)
    snakefile = folder / "Snakefile"
    snakefile.write_text('rule all:\n    output: "done.txt"\n    shell: "touch {output}"\n',
                         encoding="utf-8")
    return snakefile


def scratch(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))
