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
         "least-frequently-used": "disk LFU", "s3-fifo": "disk S3-FIFO", "memory": "mem://",
         "memory:lru": "mem:// LRU", "memory:w-tinylfu": "mem:// W-TinyLFU",
         "s3-fifo+admission": "disk S3-FIFO + admission"}
ONLINE = ("LRU", "CLOCK", "ARC", "S3-FIFO", "S3-FIFO(t=2)", "W-TinyLFU")


def goals(rows):
    """The eviction issue's goals over `rows` of (measured, reference row): the share of rows at or
    above ARC, the worst difference to LRU, and the mean gap to the best online policy."""
    at_least_arc = sum(1 for value, ref in rows if value >= float(ref["ARC"]))
    worst = min(value - float(ref["LRU"]) for value, ref in rows)
    gap = sum(max(float(ref[c]) for c in ONLINE) - value for value, ref in rows) / len(rows)
    return (f"at or above ARC on {at_least_arc} of {len(rows)} rows ({100 * at_least_arc / len(rows):.0f} %, goal 80 %);"
            f" worst against LRU {worst:+.2f} (goal -0.10); mean gap to the best online {gap:.2f} (goal 1.00)")


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


RESULTS = os.path.join(BUILD, "hitratio")
REUSE = False


def replay(trace, policy, pages):
    """The hit ratio of one replay; its output is kept in Benchmarks/.build/hitratio, and with
    --reuse a kept output is read instead of replaying again (a replay of P3 on disk takes minutes)."""
    kept = os.path.join(RESULTS, f"{trace}-{policy}-{pages}.txt")
    if REUSE and os.path.exists(kept):
        out = open(kept, encoding="utf-8").read()
    else:
        out = subprocess.run([COMPARE, "hitratio", trace_file(trace), policy, str(pages), "0", "nosync"],
                             check=True, capture_output=True, text=True).stdout
        os.makedirs(RESULTS, exist_ok=True)
        with open(kept, "w", encoding="utf-8") as file:
            file.write(out)
    return float(re.search(r"hits=([0-9.]+)%", out).group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--traces", default="OLTP,P3")
    parser.add_argument("--policies", default="memory:lru,memory:w-tinylfu,least-recently-stored,least-recently-used,s3-fifo")
    parser.add_argument("--sizes", default="", help="cache sizes in pages (default: every size of the reference table)")
    parser.add_argument("--jobs", type=int, default=2, help="replays run side by side")
    parser.add_argument("--reuse", action="store_true", help="read kept replay outputs instead of replaying")
    args = parser.parse_args()
    global REUSE
    REUSE = args.reuse
    os.makedirs(BUILD, exist_ok=True)
    if not REUSE:
        subprocess.run(["swift", "build", "-c", "release", "--product", "Compare"],
                       cwd=os.path.join(ROOT, "Benchmarks"), check=True, stdout=subprocess.DEVNULL)
    policies = [p for p in args.policies.split(",") if p]
    everything = {p: [] for p in policies}
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
        print()
        for p in policies:
            rows = [(results[(p, s)], table[s]) for s in sizes if s in table]
            everything[p] += rows
            if rows:
                print(f"- {SHORT.get(p, p)}: {goals(rows)}")
        sys.stdout.flush()
    print("\n### Both traces\n")
    for p, rows in everything.items():
        if rows:
            print(f"- {SHORT.get(p, p)}: {goals(rows)}")


if __name__ == "__main__":
    main()
