#!/usr/bin/env python3
"""Side-by-side comparison runner (make bench-compare).

Runs the same workloads, in one run, on every engine and prints median ops/s and ratios:
  raw-c      raw LMDB from C (Compare/raw_lmdb.c), the anchor: one read txn per get (reset/renew)
  lmdb       the Swift LMDB wrapper (Sources/Compare/LMDBWorkloads.swift)
  engine     the DiskCache engine through its public API (Sources/Compare/DiskCacheWorkloads.swift)
  diskcache  python-diskcache 5.6.3, installed by this runner into Benchmarks/.build/venv
  (and, for the facade suite, cashews 7.6.0 mem:// in the same venv)
Every figure is the median of --runs runs, each in a fresh temporary directory; engines run one
after another for each run, so that they share the machine's state.

Anchors for ratios: engine/raw-c compares like with like (same sync flags); for the concurrent
setters (set-concurrent16: 16 threads on the synchronous API; set-async16: 16 tasks on the async
group commit the disk backend uses) the raw anchor is set-batch (1000 puts per transaction), as
the goal states.
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
VENV = os.path.join(BUILD, "venv")
DISKCACHE_VERSION = "5.6.3"

RAW_ANCHOR = {"set-concurrent16": "set-batch", "set-async16": "set-batch", "get-hit-inplace": "get-hit"}
PY_WORKLOAD = {"get-hit-inplace": "get-hit", "set-async16": "set-concurrent16"}
LMDB_WORKLOADS = {"get-hit", "get-miss", "set", "set-batch", "delete"}
PY_SKIP = {"set-batch"}


def build():
    os.makedirs(BUILD, exist_ok=True)
    raw = os.path.join(BUILD, "raw_lmdb")
    subprocess.run(["cc", "-O2", "-pthread", "-o", raw, os.path.join(HERE, "raw_lmdb.c"), "-llmdb"], check=True)
    print("building the Swift runner (release)...", file=sys.stderr)
    subprocess.run(["swift", "build", "-c", "release", "--product", "Compare", "--scratch-path", BUILD], cwd=BENCH,
                   check=True, stdout=subprocess.DEVNULL)
    swift = os.path.join(BUILD, "release", "Compare")
    python = os.path.join(VENV, "bin", "python")
    if not os.path.exists(python):
        print(f"creating {VENV}...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    # Checked on every run: a venv whose first install failed has python but not the package.
    if subprocess.run([python, "-c", f"import diskcache; assert diskcache.__version__ == '{DISKCACHE_VERSION}'"],
                      capture_output=True).returncode != 0:
        print(f"installing diskcache=={DISKCACHE_VERSION} into {VENV}...", file=sys.stderr)
        subprocess.run([os.path.join(VENV, "bin", "pip"), "install", "-q", f"diskcache=={DISKCACHE_VERSION}"],
                       check=True)
    script = os.path.join(HERE, "diskcache_bench.py")
    return {
        "raw-c": lambda d, w, k, v, s: [raw, d, RAW_ANCHOR.get(w, w), str(k), str(v), s],
        "lmdb": lambda d, w, k, v, s: [swift, "lmdb", d, w, str(k), str(v), s] if w in LMDB_WORKLOADS else None,
        "engine": lambda d, w, k, v, s: [swift, "diskcache", d, w, str(k), str(v), s],
        "diskcache": lambda d, w, k, v, s: None if w in PY_SKIP else [python, script, d, PY_WORKLOAD.get(w, w), str(k), str(v), s],
    }


def run_once(command):
    if command is None:
        return None
    directory = tempfile.mkdtemp(prefix="bench-compare-")
    try:
        out = subprocess.run(command(directory), check=True, capture_output=True, text=True).stdout
        return float(out.split()[-1])
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def measure(engines, names, workload, keys, size, sync, runs):
    samples = {name: [] for name in names}
    for _ in range(runs):
        for name in names:
            command = engines[name]
            probe = command("", workload, keys, size, sync)
            value = run_once(None if probe is None else (lambda d, c=command: c(d, workload, keys, size, sync)))
            if value is not None:
                samples[name].append(value)
    return {name: statistics.median(values) if values else None for name, values in samples.items()}


def run_size(swift, workload, keys, size):
    directory = tempfile.mkdtemp(prefix="bench-compare-")
    try:
        out = subprocess.run([swift, "size", directory, workload, str(keys), str(size), "nosync"], check=True,
                             capture_output=True, text=True, env={**os.environ, "SWIFT_BACKTRACE": "enable=no"}).stdout
        return out.strip().splitlines()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def size_suite(runs):
    """The size-bound and large-value goals: flat eviction cost, blobs against plain files, churn."""
    swift = os.path.join(BUILD, "release", "Compare")
    print("\nsize bound: set when full (every set evicts one), median ops/s")
    evicting = {}
    for keys in (10_000, 1_000_000):
        evicting[keys] = statistics.median(float(run_size(swift, "set-evicting", keys, 100)[-1].split()[-1])
                                           for _ in range(runs))
        print(f"  {keys:>9,} entries: {evicting[keys]:>10,.0f} sets/s ({1e6 / evicting[keys]:.1f} µs/set)")
    print(f"  cost ratio 1M / 10k: {evicting[10_000] / evicting[1_000_000]:.2f} (goal: within 2x)")
    print("\nlarge values: MB/s, median; ratio = blob / plain file in the same run")
    for size in (1 << 20, 16 << 20, 256 << 20):
        m = {w: statistics.median(float(run_size(swift, w, 1, size)[-1].split()[-1]) for _ in range(runs))
             for w in ("file-write", "blob-set", "file-read", "blob-get")}
        print(f"  {size >> 20:>4} MiB  set {m['blob-set']:>7,.0f} vs file {m['file-write']:>7,.0f} "
              f"({m['blob-set'] / m['file-write']:.2f})   get {m['blob-get']:>7,.0f} vs file {m['file-read']:>7,.0f} "
              f"({m['blob-get'] / m['file-read']:.2f})")
    lines = run_size(swift, "churn", 64 << 20, 0)
    ratio = [line for line in lines if line.startswith("churn-disk")][0].split()
    print(f"\nchurn: 10x the 64 MiB limit overwritten with 100 B..256 KiB values: disk used / limit = {ratio[2]}"
          " (goal: <= 1.5)")


def facade_suite(runs, keys):
    """The facade goals: memory gets through the Cache front against cashews mem:// and a mutex-guarded
    dictionary, disk gets through the front against raw LMDB in C."""
    swift = os.path.join(BUILD, "release", "Compare")
    raw = os.path.join(BUILD, "raw_lmdb")
    python = os.path.join(VENV, "bin", "python")
    subprocess.run([os.path.join(VENV, "bin", "pip"), "install", "-q", "cashews==7.6.0"], check=True)
    commands = {
        "dict-get": lambda d: [swift, "front", d, "dict-get", str(keys), "100", "nosync"],
        "memory backend get": lambda d: [swift, "front", d, "mem-backend-get", str(keys), "100", "nosync"],
        "front mem-get": lambda d: [swift, "front", d, "mem-get", str(keys), "100", "nosync"],
        "cashews mem:// get": lambda d: [python, os.path.join(HERE, "cashews_bench.py"), "mem-get", str(keys), "100"],
        "front cached-hit": lambda d: [swift, "front", d, "cached-hit", str(keys), "100", "nosync"],
        "front cached-hit-keyed": lambda d: [swift, "front", d, "cached-hit-keyed", str(keys), "100", "nosync"],
        "front memoize-hit": lambda d: [swift, "front", d, "memoize-hit", str(keys), "100", "nosync"],
        "cashews @cache hit": lambda d: [python, os.path.join(HERE, "cashews_bench.py"), "cached-hit", str(keys), "100"],
        "front disk-get": lambda d: [swift, "front", d, "disk-get", str(keys), "100", "nosync"],
        "raw LMDB C get": lambda d: [raw, d, "get-hit", str(keys), "100", "nosync"],
    }
    samples = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            samples[name].append(run_once(command))
    m = {name: statistics.median(values) for name, values in samples.items()}
    print(f"\nfacade: gets through the Cache front, {keys:,} keys of 100 B, median ops/s")
    for name, value in m.items():
        print(f"  {name:<22} {value:>12,.0f}")
    print(f"  front mem-get / cashews mem:// get = {m['front mem-get'] / m['cashews mem:// get']:.1f}x (goal >= 50x)")
    print(f"  front cached-hit / cashews @cache hit = {m['front cached-hit'] / m['cashews @cache hit']:.1f}x"
          " (goal >= 100x; prebuilt key strings)")
    print(f"  front cached-hit-keyed / cashews @cache hit = {m['front cached-hit-keyed'] / m['cashews @cache hit']:.1f}x"
          " (the key interpolated per call, as cashews builds it)")
    print(f"  front memoize-hit / cashews @cache hit = {m['front memoize-hit'] / m['cashews @cache hit']:.1f}x"
          " (a memoized function with a key template)")
    print(f"  dict-get / front mem-get = {m['dict-get'] / m['front mem-get']:.1f}x slower (goal <= 3x)")
    print(f"  front disk-get / raw LMDB C = {m['front disk-get'] / m['raw LMDB C get']:.2f} (goal >= 0.4)")
    isolation_suite(swift, runs, keys)


def isolation_suite(swift, runs, keys):
    """The isolation goal: a memory get and a cached hit cost the same from the main actor, an actor and a
    nonisolated task (all three measured in each run of one process)."""
    samples = {}
    for _ in range(runs):
        directory = tempfile.mkdtemp(prefix="bench-compare-")
        try:
            out = subprocess.run([swift, "front", directory, "isolation", str(keys), "100", "nosync"], check=True,
                                 capture_output=True, text=True).stdout
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        for line in out.splitlines():
            name, _, _, rate = line.split()
            samples.setdefault(name, []).append(float(rate))
    m = {name: statistics.median(values) for name, values in samples.items()}
    print(f"\nisolation: the same calls from three isolations, {keys:,} keys of 100 B, median ns/op")
    for name, value in m.items():
        print(f"  {name:<24} {1e9 / value:>8,.0f} ns")
    for call in ("mem-get", "cached-hit"):
        ratio = m[f"{call}@nonisolated"] / m[f"{call}@main"]
        print(f"  {call}: main actor / nonisolated = {ratio:.2f}x (goal <= 1.5x)")


def values_suite(runs, rounds):
    """The codec goal: a small record's round trip through the default codec, against Foundation's
    JSONEncoder/JSONDecoder in the same run."""
    swift = os.path.join(BUILD, "release", "Compare")
    workloads = ["codec-binary", "codec-json", "foundation-json"]
    samples = {w: [] for w in workloads}
    for _ in range(runs):
        for w in workloads:
            samples[w].append(run_once(lambda d, w=w: [swift, "values", d, w, str(rounds), "0", "nosync"]))
    m = {w: statistics.median(v) for w, v in samples.items()}
    print(f"\nvalues: round trips (encode + decode) of a 6-field record, {rounds:,} rounds, median")
    for w in workloads:
        print(f"  {w:<16} {m[w]:>12,.0f}/s  {1e9 / m[w]:>8,.0f} ns")
    print(f"  default codec (binary) / Foundation JSON = {m['codec-binary'] / m['foundation-json']:.1f}x faster")
    keys = ["render", "render-positional", "render-prebuilt", "default-key"]
    samples = {w: [] for w in keys}
    for _ in range(runs):
        for w in keys:
            samples[w].append(run_once(lambda d, w=w: [swift, "keys", d, w, str(rounds * 10), "0", "nosync"]))
    m = {w: statistics.median(v) for w, v in samples.items()}
    print(f"\nkeys: \"user:{{id}}:{{name:lower}}:{{flag}}\" rendered (Int, String, Bool), {rounds * 10:,} rounds, median")
    for w in keys:
        print(f"  {w:<18} {1e9 / m[w]:>8,.0f} ns (goal for render: <= 300 ns)")


def fmt(value):
    return f"{value:>12,.0f}" if value is not None else f"{'-':>12}"


def ratio(a, b):
    return f"{a / b:>8.2f}" if a is not None and b else f"{'-':>8}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keys", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sync", choices=["sync", "nosync"], default="nosync")
    parser.add_argument("--workloads",
                        default="get-hit,get-hit-inplace,get-miss,set,set-batch,set-concurrent16,set-async16,delete,sweep,open")
    parser.add_argument("--sizes", default="100,4096")
    parser.add_argument("--engines", default="raw-c,lmdb,engine,diskcache")
    parser.add_argument("--skip-size", action="store_true", help="skip the size-bound and large-value suite")
    parser.add_argument("--skip-main", action="store_true", help="skip the main table and the open latencies")
    parser.add_argument("--skip-facade", action="store_true", help="skip the Cache front suite")
    parser.add_argument("--skip-values", action="store_true", help="skip the codec suite")
    parser.add_argument("--scratch-path", help="where to build and keep the venv (default: Benchmarks/.build)")
    parser.add_argument("--open-keys", default="10000,1000000",
                        help="entry counts for the open-latency rows (engine and raw-c only)")
    args = parser.parse_args()
    if args.scratch_path:
        global BUILD, VENV
        BUILD = os.path.abspath(args.scratch_path)
        VENV = os.path.join(BUILD, "venv")

    engines = build()
    names = args.engines.split(",")
    print(f"keys={args.keys} runs={args.runs} (median) sync={args.sync}; ops/s")
    header = f"{'workload':<17} {'value':>6}" + "".join(f"{n:>12}" for n in names)
    header += f"{'eng/raw':>8}{'eng/py':>8}"
    print(header)
    for size in [] if args.skip_main else [int(s) for s in args.sizes.split(",")]:
        for workload in args.workloads.split(","):
            if workload == "open" and size != int(args.sizes.split(",")[0]):
                continue
            m = measure(engines, names, workload, args.keys, size, args.sync, args.runs)
            line = f"{workload:<17} {size:>6}" + "".join(fmt(m[n]) for n in names)
            line += ratio(m.get("engine"), m.get("raw-c")) + ratio(m.get("engine"), m.get("diskcache"))
            print(line)
            sys.stdout.flush()
    for keys in [] if args.skip_main else [int(k) for k in args.open_keys.split(",") if k]:
        m = measure(engines, [n for n in names if n in ("raw-c", "engine")], "open", keys, 100, args.sync, args.runs)
        us = {n: (1e6 / v if v else None) for n, v in m.items()}
        print(f"open latency, {keys:,} entries: " + ", ".join(f"{n} {u:.0f} µs" for n, u in us.items() if u))
        sys.stdout.flush()
    if not args.skip_size:
        size_suite(args.runs)
    if not args.skip_facade:
        facade_suite(args.runs, args.keys)
    if not args.skip_values:
        values_suite(args.runs, args.keys)


if __name__ == "__main__":
    main()
