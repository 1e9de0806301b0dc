"""Benchmark: saturation accumulation curve with a permutation band.

Generates a seeded random incidence table (1,000 documents × 500 codes, code prevalences
log-uniform between 0.2 % and 30 %, like a real codebook with a long tail), times
``gtflow.stats.saturation.accumulation_curve`` with 1,000 permutations (best of 3), and, in the
same run, a naive pure-Python loop (set of seen codes per random order) on 50 permutations,
scaled ×20 to 1,000. Prints both times and the speed-up. Target: <= 2 s on 2 cores.

    PYTHONPATH=src python bench/saturation/run.py [--docs 1000] [--codes 500]
        [--permutations 1000] [--naive-permutations 50] [--density-scale 1.0]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

try:
    from gtflow.stats.saturation import accumulation_curve
except ImportError:  # run from a checkout without PYTHONPATH=src
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
    from gtflow.stats.saturation import accumulation_curve

TARGET_SECONDS = 2.0


def random_incidence(n_docs: int, n_codes: int, seed: int, density_scale: float) -> pd.DataFrame:
    """Seeded docs × codes 0/1 table with a long tail of rare codes."""
    rng = np.random.default_rng(seed)
    prevalence = np.exp(rng.uniform(np.log(0.002), np.log(0.3), n_codes)) * density_scale
    present = rng.random((n_docs, n_codes)) < np.clip(prevalence, 0, 1)
    return pd.DataFrame(present.astype(np.int8),
                        index=[f"doc{i:04d}" for i in range(n_docs)],
                        columns=[f"c{j:03d}" for j in range(n_codes)])


def naive_curves(incidence: pd.DataFrame, permutations: int, seed: int) -> np.ndarray:
    """The obvious implementation: shuffle, walk the documents, grow a set of seen codes."""
    codes_of = [set(np.flatnonzero(row).tolist()) for row in incidence.to_numpy()]
    shuffler = random.Random(seed)
    order = list(range(len(codes_of)))
    curves = []
    for _ in range(permutations):
        shuffler.shuffle(order)
        seen: set[int] = set()
        curve = []
        for doc in order:
            seen |= codes_of[doc]
            curve.append(len(seen))
        curves.append(curve)
    band = np.quantile(np.array(curves), [0.025, 0.5, 0.975], axis=0)
    return band


def best_of(runs: int, func, *args, **kwargs) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = func(*args, **kwargs)
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--codes", type=int, default=500)
    parser.add_argument("--permutations", type=int, default=1000)
    parser.add_argument("--naive-permutations", type=int, default=50)
    parser.add_argument("--density-scale", type=float, default=1.0,
                        help="multiply every code's prevalence (denser tables are slower)")
    parser.add_argument("--seed", type=int, default=20261126)
    args = parser.parse_args()

    incidence = random_incidence(args.docs, args.codes, args.seed, args.density_scale)
    print(f"python {platform.python_version()}, numpy {np.__version__}, "
          f"{os.cpu_count()} CPU(s) visible")
    print(f"incidence: {args.docs} docs × {args.codes} codes, "
          f"density {incidence.to_numpy().mean():.3f}, seed {args.seed}")

    fast, curve = best_of(3, accumulation_curve, incidence, permutations=args.permutations,
                          seed=0)
    print(f"accumulation_curve, {args.permutations} permutations, best of 3: {fast:.3f} s")

    naive_time, naive_band = best_of(1, naive_curves, incidence, args.naive_permutations,
                                     args.seed)
    scale = args.permutations / args.naive_permutations
    naive_scaled = naive_time * scale
    print(f"naive pure-Python loop, {args.naive_permutations} permutations: "
          f"{naive_time:.3f} s -> scaled ×{scale:g} to {args.permutations}: {naive_scaled:.2f} s")
    print(f"speed-up: {naive_scaled / fast:.0f}×")

    # Sanity: both agree on where the curve ends (all codes seen) and the bands are close.
    gap = np.abs(np.asarray(naive_band)[1] - curve["band_median"].to_numpy()).max()
    print(f"max |median(naive) - median(vectorised)| over positions: {gap:.1f} codes "
          f"(different random orders; should be small)")
    ok = fast <= TARGET_SECONDS
    print(f"target <= {TARGET_SECONDS:.1f} s: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
