"""Duplicate clusters and campaigns: the worker's text work per new report
(docs/ROUTING.md, Duplicate clusters and campaigns).

    .venv/bin/python bench/grouping.py [--reports 300] [--candidates 100]

For each of N seed texts, interleaved in the same loop:
- reference: normalising the text only (what any text feature costs at least);
- bands: normalising and the 8 MinHash band keys (every report, for campaigns);
- cluster: the text similarity of the report with `--candidates` other texts (the most a
  report is compared with, `grouping.CANDIDATES`).
Needs no database. The database side (a few indexed queries per report) is not timed.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aduan.settings")

import django  # noqa: E402

django.setup()

from aduan.routing.grouping import band_keys, similarities  # noqa: E402
from aduan.routing.seed import seed_examples  # noqa: E402
from aduan.routing.text import normalise  # noqa: E402


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=300)
    parser.add_argument("--candidates", type=int, default=100)
    args = parser.parse_args()
    rng = random.Random(7)
    texts = [text for text, _ in seed_examples()]
    normalised = [normalise(t) for t in texts]
    similarities(normalised[0], normalised[1:3])  # load scikit-learn once
    timings = {"reference": [], "bands": [], "cluster": []}
    for _ in range(args.reports):
        text = rng.choice(texts)
        others = rng.sample(normalised, args.candidates)
        start = time.perf_counter()
        normalise(text)
        timings["reference"].append(time.perf_counter() - start)
        start = time.perf_counter()
        band_keys(normalise(text))
        timings["bands"].append(time.perf_counter() - start)
        start = time.perf_counter()
        similarities(normalise(text), others)
        timings["cluster"].append(time.perf_counter() - start)
    print(f"{args.reports} reports, {args.candidates} candidates each")
    reference = statistics.median(timings["reference"])
    for name, values in timings.items():
        p50 = statistics.median(values) * 1000
        p95 = percentile(values, 95) * 1000
        print(
            f"{name:10s} p50 {p50:8.2f} ms  p95 {p95:8.2f} ms  "
            f"x{statistics.median(values) / reference:6.1f} of the reference"
        )


if __name__ == "__main__":
    main()
