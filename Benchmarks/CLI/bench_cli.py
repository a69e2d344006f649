#!/usr/bin/env python3
"""The `cashews` tool on a large cache (make bench-cli).

Builds the tool (release), fills a fresh cache with --entries small entries through
`cashews import` (16-byte values, every second one with a TTL), then times whole runs of the
executable, as a person or a script would run them:

  import   cashews import --file entries.jsonl        (the fill itself)
  export   cashews export > export.jsonl              (to a file on the same disk)
  check    cashews check                              (every record, checksum, index and total)
  keys     cashews keys > /dev/null

Each figure is the median of --runs runs in entries per second (wall time of the process,
start-up and open included). Targets of issue 18: export >= 200k entries/s, check >= 500k/s.
"""
import argparse
import base64
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TARGETS = {"export": 200_000, "check": 500_000}


def timed(command, stdout=subprocess.DEVNULL, stdin=None):
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=stdout, stdin=stdin)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    print("building cashews (release)...", file=sys.stderr)
    subprocess.run(["swift", "build", "-c", "release", "--product", "cashews"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    tool = os.path.join(ROOT, ".build", "release", "cashews")

    work = tempfile.mkdtemp(prefix="cashews-bench-cli-")
    try:
        source = os.path.join(work, "entries.jsonl")
        now = int(time.time() * 1000)
        with open(source, "w") as out:
            for index in range(args.entries):
                value = base64.b64encode(index.to_bytes(8, "little") * 2).decode()
                if index % 2:
                    ttl = 3_600_000 + index
                    out.write(f'{{"key":"key:{index:07d}","value":"{value}","expires_at":{now + ttl},"ttl_ms":{ttl}}}\n')
                else:
                    out.write(f'{{"key":"key:{index:07d}","value":"{value}","expires_at":null,"ttl_ms":null}}\n')
        results = {"import": [], "export": [], "check": [], "keys": []}
        for run in range(args.runs):
            cache = os.path.join(work, f"cache-{run}")
            results["import"].append(timed([tool, "import", "-c", cache, "--create", "--file", source]))
            export = os.path.join(work, "export.jsonl")
            with open(export, "w") as out:
                results["export"].append(timed([tool, "export", "-c", cache], stdout=out))
            with open(export) as exported:
                lines = sum(1 for _ in exported)
            if lines != args.entries:
                sys.exit(f"export wrote {lines} lines, not {args.entries}")
            results["check"].append(timed([tool, "check", "-c", cache]))
            results["keys"].append(timed([tool, "keys", "-c", cache]))
            shutil.rmtree(cache)
        print(f"cashews on {args.entries:,} small entries (median of {args.runs} runs, whole process):")
        print(f"| command | seconds | entries/s | target |")
        print(f"|---|---:|---:|---:|")
        failed = False
        for name, times in results.items():
            seconds = statistics.median(times)
            rate = args.entries / seconds
            target = TARGETS.get(name)
            mark = "" if target is None else (f"≥ {target:,} ✓" if rate >= target else f"≥ {target:,} ✗")
            failed = failed or (target is not None and rate < target)
            print(f"| {name} | {seconds:.2f} | {rate:,.0f} | {mark} |")
        sys.exit(1 if failed else 0)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
