#!/usr/bin/env python3
"""The plots of BENCHMARKS.md, drawn from report.py's results with matplotlib (run in the venv).

    plots.py <bench.json> <output folder>

Writes scaling.png (cost per operation against the number of entries) and concurrency.png
(aggregate throughput against threads and tasks) for the sections present, and prints the names
of the files it wrote.
"""
import json
import os
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def med(values):
    return statistics.median(values)


def scaling(r, out):
    s = r["scaling"]
    figure, axis = plt.subplots(figsize=(7, 4.2), dpi=110)
    for workload, row in s["rows"].items():
        sizes = [int(n) for n in row]
        axis.plot(sizes, [1e6 / med(row[str(n)]) for n in sizes], marker="o", label=workload)
    for workload, row in s.get("raw", {}).items():
        sizes = [int(n) for n in row]
        axis.plot(sizes, [1e6 / med(row[str(n)]) for n in sizes], marker="x", linestyle=":",
                  label=f"raw LMDB {workload}")
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.set_xlabel("entries in the cache")
    axis.set_ylabel("µs per operation (median)")
    axis.set_title(f"Cost of one operation against cache size ({s['ops']:,} timed operations)")
    axis.grid(True, which="both", alpha=0.3)
    axis.legend()
    figure.tight_layout()
    figure.savefig(os.path.join(out, "scaling.png"))
    return "scaling.png"


def concurrency(r, out):
    c = r["concurrency"]
    threads = [int(n) for n in c["read"]]
    figure, (reads, writes) = plt.subplots(1, 2, figsize=(10, 4.2), dpi=110)
    for name in ("raw-c", "engine"):
        reads.plot(threads, [med(c["read"][str(n)][name]) / 1e6 for n in threads], marker="o",
                   label="raw LMDB (C)" if name == "raw-c" else "engine")
    reads.set_title("Readers: random hits, 100 B")
    reads.set_ylabel("million ops/s, all threads")
    for name in ("engine threads", "engine tasks"):
        writes.plot(threads, [med(c["write"][str(n)][name]) / 1e3 for n in threads], marker="o", label=name)
    writes.axhline(med(c["raw-batch"]) / 1e3, color="grey", linestyle="--", label="raw LMDB, 1,000 puts per txn")
    writes.set_title("Writers: new keys, 100 B")
    writes.set_ylabel("thousand ops/s, all writers")
    writes.set_yscale("log")
    for axis in (reads, writes):
        axis.set_xscale("log", base=2)
        axis.set_xticks(threads, [str(n) for n in threads])
        axis.set_xlabel("threads or tasks")
        axis.grid(True, which="both", alpha=0.3)
        axis.legend()
    figure.tight_layout()
    figure.savefig(os.path.join(out, "concurrency.png"))
    return "concurrency.png"


def main():
    r = json.load(open(sys.argv[1], encoding="utf-8"))
    out = sys.argv[2]
    written = []
    if "scaling" in r:
        written.append(scaling(r, out))
    if "concurrency" in r:
        written.append(concurrency(r, out))
    print(" ".join(written))


if __name__ == "__main__":
    main()
