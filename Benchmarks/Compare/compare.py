#!/usr/bin/env python3
"""Side-by-side comparison runner (make bench-compare).

Runs the same workloads, in one run, on several engines and prints median ops/s and ratios:
  lmdb      the Swift LMDB wrapper (Benchmarks/Sources/Compare)
  raw-c     raw LMDB from C (Benchmarks/Compare/raw_lmdb.c), the anchor
Every figure is the median of --runs runs, each in a fresh temporary directory.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
BUILD = os.path.join(BENCH, ".build")


def build():
    os.makedirs(BUILD, exist_ok=True)
    raw = os.path.join(BUILD, "raw_lmdb")
    subprocess.run(["cc", "-O2", "-o", raw, os.path.join(HERE, "raw_lmdb.c"), "-llmdb"], check=True)
    subprocess.run(["swift", "build", "-c", "release", "--product", "Compare"], cwd=BENCH, check=True,
                   stdout=subprocess.DEVNULL)
    swift = os.path.join(BUILD, "release", "Compare")
    return {
        "raw-c": lambda d, w, k, v, s: [raw, d, w, str(k), str(v), s],
        "lmdb": lambda d, w, k, v, s: [swift, "lmdb", d, w, str(k), str(v), s],
    }


def run_once(command):
    directory = tempfile.mkdtemp(prefix="bench-compare-")
    try:
        out = subprocess.run(command(directory), check=True, capture_output=True, text=True).stdout
        return float(out.split()[-1])
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keys", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sync", choices=["sync", "nosync"], default="nosync")
    parser.add_argument("--workloads", default="get-hit,get-miss,set,set-batch,delete")
    parser.add_argument("--sizes", default="100,4096")
    args = parser.parse_args()

    engines = build()
    print(f"keys={args.keys} runs={args.runs} (median) sync={args.sync}; ops/s, ratio = engine / raw-c")
    print(f"{'workload':<12} {'value':>6} {'raw-c':>12} {'lmdb':>12} {'ratio':>7}")
    for size in [int(s) for s in args.sizes.split(",")]:
        for workload in args.workloads.split(","):
            medians = {}
            for name in ["raw-c", "lmdb"]:
                samples = []
                for _ in range(args.runs):
                    samples.append(run_once(lambda d: engines[name](d, workload, args.keys, size, args.sync)))
                medians[name] = statistics.median(samples)
            ratio = medians["lmdb"] / medians["raw-c"]
            print(f"{workload:<12} {size:>6} {medians['raw-c']:>12,.0f} {medians['lmdb']:>12,.0f} {ratio:>7.2f}")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
