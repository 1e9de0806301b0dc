"""Benchmark: the whole pipeline on 10k and 100k synthetic web posts (`gtflow synth`).

Prints wall time and the peak RSS of the largest process at each size, and the scaling ratio
(time at 100k / time at 10k; 10 would be linear). Target: 100k posts within 5 minutes and 2 GB
on a 2-core machine.

    python bench/scale/run.py [--sizes 10000 100000]
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchkit import REPO, run_snakemake, scratch

from gtflow.synth import synth_posts


def posts_only_study(posts: int) -> Path:
    """A study of synthetic posts with the demo's config, codebook and model."""
    study = scratch(f"gtflow-scale-{posts}-") / "study"
    shutil.copytree(REPO / "config", study / "config")
    synth_posts(study, posts, seed=1)
    return study


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    timings = {}
    for size in args.sizes:
        seconds, rss_kb = run_snakemake(posts_only_study(size))
        timings[size] = seconds
        print(f"{size:>7} posts: {seconds:7.1f} s wall, peak RSS {rss_kb / 1024:7.0f} MB")
    if len(args.sizes) >= 2:
        small, large = args.sizes[0], args.sizes[-1]
        print(f"scaling: {timings[large] / timings[small]:.1f} x time for {large / small:.0f} x posts")


if __name__ == "__main__":
    main()
