#!/usr/bin/env python3
"""Hit ratios of this project's real eviction code on the ARC paper's traces.

Replays each trace through the disk engine (one run per policy and cache size, as a read-through
cache: get, then set on a miss) and through the memory backend (`memory`), and prints a table
beside the reference columns of shared/traces/README.md (LRU, ARC, S3-FIFO, W-TinyLFU, OPT).

The traces are from Nimrod Megiddo and Dharmendra S. Modha, "ARC: A Self-Tuning, Low Overhead
Replacement Cache", USENIX FAST 2003 — cite the paper wherever these results are published.

    python3 Benchmarks/Compare/hitratio.py [--traces OLTP,P3] [--policies s3-fifo,least-recently-used]
                                           [--sizes 1000,32768] [--jobs 2]
"""
import argparse
import concurrent.futures
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BUILD = os.path.join(ROOT, "Benchmarks", ".build")
COMPARE = os.path.join(BUILD, "release", "Compare")
TRACES = os.path.join(ROOT, "..", "shared", "traces")
SHORT = {"least-recently-stored": "disk LRS", "least-recently-used": "disk LRU",
         "least-frequently-used": "disk LFU", "s3-fifo": "disk S3-FIFO", "memory": "mem://"}


def reference(trace):
    """The README's table for `trace`: {pages: {column: value}} and the column names."""
    text = open(os.path.join(TRACES, "README.md"), encoding="utf-8").read()
    section = text.split(f"### {trace} ")[1].split("###")[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    header = [c.strip() for c in rows[0].strip("|").split("|")]
    table = {}
    for line in rows[2:]:
        cells = [c.strip().strip("*") for c in line.strip("|").split("|")]
        pages = int(cells[0].replace(",", ""))
        table[pages] = dict(zip(header[1:], cells[1:]))
    return table, header[1:]


def trace_file(trace):
    path = os.path.join(BUILD, f"{trace}.lis")
    if not os.path.exists(path):
        subprocess.run(["zstd", "-dqf", os.path.join(TRACES, f"{trace}.lis.zst"), "-o", path], check=True)
    return path


def replay(trace, policy, pages):
    out = subprocess.run([COMPARE, "hitratio", trace_file(trace), policy, str(pages), "0", "nosync"],
                         check=True, capture_output=True, text=True).stdout
    return float(re.search(r"hits=([0-9.]+)%", out).group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--traces", default="OLTP,P3")
    parser.add_argument("--policies", default="memory,least-recently-stored,least-recently-used,s3-fifo")
    parser.add_argument("--sizes", default="", help="cache sizes in pages (default: every size of the reference table)")
    parser.add_argument("--jobs", type=int, default=2, help="replays run side by side")
    args = parser.parse_args()
    os.makedirs(BUILD, exist_ok=True)
    subprocess.run(["swift", "build", "-c", "release", "--product", "Compare"], cwd=os.path.join(ROOT, "Benchmarks"),
                   check=True, stdout=subprocess.DEVNULL)
    policies = [p for p in args.policies.split(",") if p]
    for trace in args.traces.split(","):
        table, columns = reference(trace)
        sizes = [int(s) for s in args.sizes.split(",") if s] or sorted(table)
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            jobs = {(p, s): pool.submit(replay, trace, p, s) for s in sizes for p in policies}
            results = {key: job.result() for key, job in jobs.items()}
        shown = [c for c in columns if c in ("LRU", "ARC", "S3-FIFO", "W-TinyLFU", "OPT", "best online")]
        print(f"\n### {trace} (hit ratio %, this project's code beside the reference simulator)\n")
        print("| pages | " + " | ".join(SHORT.get(p, p) for p in policies) + " | " + " | ".join(shown) + " |")
        print("|---:|" + "---:|" * len(policies) + "---:|" * (len(shown) - 1) + "---|")
        for s in sizes:
            ref = table.get(s, {})
            cells = [f"{results[(p, s)]:.2f}" for p in policies] + [ref.get(c, "") for c in shown]
            print(f"| {s:,} | " + " | ".join(cells) + " |")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
