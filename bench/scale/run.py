"""Benchmark: the whole pipeline on generated web posts (`gtflow synth`), by size and by rule.

For each size it runs the workflow on a study of synthetic posts (the demo's config, codebook and
model) and prints one line, ``N posts: S s wall, peak RSS M MB`` (the largest job; a job that
forks workers is counted with them), then each rule's step time, CPU, start-up CPU and peak RSS
as the rule's log records them, and the ratio of the wall time to a floor measured in the same
run on the same export: parsing every JSON line, NFC-normalizing the text and one DFA pass of the
codebook's phrases over it (one process, no Snakemake).

It also prints where the run's CPU went: the jobs' steps, the jobs' start-up (Python, Snakemake's
job preamble, the imports) and the rest (Snakemake itself, the processes' ends). A run cannot take
less wall time than its CPU divided by the cores, so this says how much work a target leaves room
for.

Targets on 2 cores: 100k posts within 30 s and 800 MB; 1M posts within 5 min and 3 GB.

A shared machine's speed can move by a quarter from one minute to the next, every job with it.
``--repeat R`` runs the workflow R times on the same export, each time from scratch and after
measuring the floor again, and reports the median run (its wall time in the one line, its jobs
below), then every run's wall time and floor.

    python bench/scale/run.py [--sizes 100000 1000000] [--repeat R] [--keep]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import sys
import time
import unicodedata
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import ahocorasick_rs
from benchkit import CORES, REPO, SnakemakeRun, run_snakemake, scratch

from gtflow.synth import codebook_phrases, synth_posts

STEP_LINE = re.compile(r"step took ([\d.]+) s, peak RSS (\d+) MB, input ([\d.]+) MB, "
                       r"CPU ([\d.]+) s, start-up CPU ([\d.]+) s")


def posts_only_study(posts: int) -> Path:
    """A study of synthetic posts with the demo's config, codebook and model."""
    study = scratch(f"gtflow-scale-{posts}-") / "study"
    shutil.copytree(REPO / "config", study / "config")
    synth_posts(study, posts, seed=1)
    return study


def floor_seconds(study: Path) -> float:
    """Parse the export, NFC-normalize each text and run one DFA pass of the phrases over it."""
    export = next((study / "data" / "raw" / "web" / "posts").glob("*.jsonl"))
    phrases = codebook_phrases(study / "config" / "codebook.yaml")
    automaton = ahocorasick_rs.BytesAhoCorasick(
        [p.encode() for p in phrases], implementation=ahocorasick_rs.Implementation.DFA)
    started = time.perf_counter()
    with open(export, encoding="utf-8") as handle:
        texts = [unicodedata.normalize("NFC", json.loads(line)["text"]) for line in handle]
    automaton.find_matches_as_indexes("\n".join(texts).encode("utf-8"), overlapping=True)
    return time.perf_counter() - started


class JobStep(NamedTuple):
    log: str  #: the job's log file, below logs/
    seconds: float
    peak_rss_mb: int
    input_mb: float
    cpu_seconds: float  #: the step's CPU (its threads and workers together)
    start_up_cpu: float  #: the job's CPU before its step


def rule_steps(study: Path) -> list[JobStep]:
    """Every job's step, from its log's last resource line."""
    steps = []
    for log in sorted((study / "logs").rglob("*.log")):
        found = STEP_LINE.findall(log.read_text(encoding="utf-8", errors="replace"))
        if found:
            seconds, rss, input_mb, cpu, start_up = found[-1]
            steps.append(JobStep(str(log.relative_to(study / "logs")), float(seconds), int(rss),
                                 float(input_mb), float(cpu), float(start_up)))
    return steps


class ScaleRun(NamedTuple):
    floor: float  #: seconds
    run: SnakemakeRun
    steps: list[JobStep]


#: What a run of the workflow leaves in a study folder; removed before the next run.
RUN_OUTPUTS = ("results", "reports", "logs", "private", ".snakemake")


def fresh_run(study: Path) -> ScaleRun:
    """The floor, the workflow's run and its jobs' steps, from scratch."""
    for name in RUN_OUTPUTS:
        shutil.rmtree(study / name, ignore_errors=True)
    floor = floor_seconds(study)
    return ScaleRun(floor, run_snakemake(study), rule_steps(study))


def print_jobs(steps: list[JobStep]) -> None:
    """Each job's step, the longest first."""
    print(f"    {'job (log)':<42} {'step':>9} {'CPU':>9} {'start-up':>9}  {'peak RSS':>9}  "
          f"{'input':>9}")
    for step in sorted(steps, key=lambda s: -s.seconds):
        print(f"    {step.log:<42} {step.seconds:7.2f} s {step.cpu_seconds:7.2f} s "
              f"{step.start_up_cpu:7.2f} s  {step.peak_rss_mb:6d} MB  {step.input_mb:6.1f} MB")


def print_cpu(run: SnakemakeRun, steps: list[JobStep]) -> None:
    """Where the run's CPU went, and the wall time it leaves as a lower bound on the cores."""
    in_steps = sum(s.cpu_seconds for s in steps)
    start_up = sum(s.start_up_cpu for s in steps)
    print(f"    CPU of the run: {run.cpu_seconds:.1f} s = jobs' steps {in_steps:.1f} s + "
          f"{len(steps)} jobs' start-up {start_up:.1f} s + the rest (Snakemake, the "
          f"processes' ends) {run.cpu_seconds - in_steps - start_up:.1f} s; "
          f"on {CORES} cores at least {run.cpu_seconds / CORES:.1f} s of wall")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs per size; the median run is reported (default 1)")
    parser.add_argument("--keep", action="store_true", help="keep each study's folder")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    for size in args.sizes:
        study = posts_only_study(size)
        runs = [fresh_run(study) for _ in range(args.repeat)]
        floor, run, steps = median_run(runs)
        # A job that forks workers logs itself plus its workers; a single process may be less.
        peak_mb = max([run.peak_rss_kb / 1024, *(s.peak_rss_mb for s in steps)])
        print(f"{size:>7} posts: {run.seconds:7.1f} s wall, peak RSS {peak_mb:7.0f} MB")
        print_jobs(steps)
        print_cpu(run, steps)
        print(f"    floor (parse + NFC + one DFA pass): {floor:.2f} s; "
              f"wall / floor = {run.seconds / floor:.1f}")
        if len(runs) > 1:
            print(f"    {len(runs)} runs, wall (floor): " + ", ".join(
                f"{other.run.seconds:.1f} s ({other.floor:.2f} s)" for other in runs))
        if not args.keep:
            shutil.rmtree(study.parent, ignore_errors=True)
        else:
            print(f"    kept {study}")


def median_run(runs: list[ScaleRun]) -> ScaleRun:
    """The run whose wall time is the median (the lower middle one of an even number)."""
    middle = statistics.median_low(run.run.seconds for run in runs)
    return next(run for run in runs if run.run.seconds == middle)


if __name__ == "__main__":
    main()
