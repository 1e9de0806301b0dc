"""Benchmark: cold build, no-op rebuild and rebuild after editing one interview, on the demo study.

Each figure is printed beside a floor measured in the same run: the no-op of a trivial
one-rule Snakefile. Targets: no-op <= 1.5 x floor; edited-one-interview <= 0.35 x cold build.

    python bench/pipeline/run.py
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchkit import copy_demo_study, run_snakemake, scratch, trivial_workflow


def median_time(study: Path, repeats: int, **kwargs) -> float:
    return statistics.median(run_snakemake(study, **kwargs).seconds for _ in range(repeats))


def main() -> None:
    floor_dir = scratch("gtflow-floor-")
    floor_snakefile = trivial_workflow(floor_dir)
    run_snakemake(floor_dir, snakefile=floor_snakefile)
    floor = median_time(floor_dir, 5, snakefile=floor_snakefile)

    study = copy_demo_study(scratch("gtflow-bench-") / "study")
    cold = run_snakemake(study).seconds
    noop = median_time(study, 5)
    transcript = study / "data" / "raw" / "interviews" / "LY-I05.md"
    transcript.write_text(transcript.read_text(encoding="utf-8") + "\n答：再补充一句。\n",
                          encoding="utf-8")
    edited = run_snakemake(study).seconds

    print(f"floor (no-op of a one-rule Snakefile): {floor:7.2f} s")
    print(f"cold build of the demo study:           {cold:7.2f} s")
    print(f"no-op rebuild:                          {noop:7.2f} s   = {noop / floor:.2f} x floor "
          "(target <= 1.5)")
    print(f"rebuild after editing one interview:    {edited:7.2f} s   = {edited / cold:.2f} x cold "
          "build (target <= 0.35)")


if __name__ == "__main__":
    main()
