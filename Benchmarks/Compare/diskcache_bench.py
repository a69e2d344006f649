#!/usr/bin/env python3
"""python-diskcache side of the comparison (make bench-compare).

    diskcache_bench.py <dir> <workload> <keys> <value-bytes> <sync|nosync>

Runs the same workloads as raw_lmdb.c and the Swift `Compare` runner on diskcache.Cache with its
default settings (SQLite WAL, synchronous=NORMAL: commits are not fsynced, like LMDB's NOSYNC).
"sync" sets synchronous=FULL. Prints "<workload> <ops> <seconds> <ops/s>".

Two workloads are for the multi-process rows, run by several processes at once on one directory:
  set-latency     <keys> sets of new keys, each timed; prints "p50_ns p99_ns max_ns ops/s"
  get-hit-shared  fills the directory with <keys> entries unless it holds them (under a file lock,
                  so one process fills and the others wait), then reads random hits for
                  CASHEWS_BENCH_SECONDS (2 s unless set); prints "<workload> <ops> <seconds> <ops/s>"
"""
import fcntl
import os
import sys
import threading
import time

import diskcache


def xorshift():
    state = 88172645463325252
    mask = (1 << 64) - 1
    while True:
        state ^= (state << 13) & mask
        state ^= state >> 7
        state ^= (state << 17) & mask
        yield state & 0xFFFFFFFF


def main():
    directory, workload, keys, size, sync = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    settings = {"size_limit": 2**40}
    if sync == "sync":
        settings["sqlite_synchronous"] = 2
    cache = diskcache.Cache(directory, **settings)
    value = b"v" * size
    if workload == "set-latency":
        return set_latency(cache, keys, value)
    if workload == "get-hit-shared":
        return get_hit_shared(cache, directory, keys, value)
    if workload not in ("set", "set-concurrent16"):
        expire = 0.001 if workload == "sweep" else None
        with cache.transact():
            for i in range(keys):
                cache.set(f"key-{i:010d}", value, expire=expire)
        if workload == "sweep":
            time.sleep(0.01)
    ops = keys
    sink = 0
    start = time.perf_counter()
    if workload in ("get-hit", "get-miss", "get-hit-inplace"):
        prefix = "nokey-" if workload == "get-miss" else "key-"
        ops = keys * 3
        rand = xorshift()
        get = cache.get
        for _ in range(ops):
            found = get(f"{prefix}{next(rand) % keys:010d}")
            if found is not None:
                sink += len(found)
    elif workload == "set":
        for i in range(keys):
            cache.set(f"key-{i:010d}", value)
    elif workload == "set-concurrent16":
        per = keys // 16

        def writer(t):
            for i in range(per):
                cache.set(f"key-{t}-{i}", value)

        threads = [threading.Thread(target=writer, args=(t,)) for t in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    elif workload == "delete":
        for i in range(keys):
            cache.delete(f"key-{i:010d}")
    elif workload == "sweep":
        ops = cache.expire()
    elif workload == "open":
        cache.close()
        ops = 200
        for _ in range(ops):
            c = diskcache.Cache(directory, **settings)
            sink += len(c)
            c.close()
    else:
        sys.exit(f"unknown workload {workload}")
    elapsed = time.perf_counter() - start
    print(f"{workload} {ops} {elapsed:.6f} {ops / elapsed:.0f}")


def set_latency(cache, keys, value):
    """Times each of `keys` sets (keys unique to this process, so that processes do not overwrite
    each other) and prints the 50th and 99th percentiles and the maximum in nanoseconds."""
    tag = os.getpid()
    clock = time.perf_counter_ns
    latencies = []
    start = clock()
    for i in range(keys):
        before = clock()
        cache.set(f"key-{tag}-{i:010d}", value)
        latencies.append(clock() - before)
    elapsed = (clock() - start) / 1e9
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(f"{latencies[len(latencies) // 2]} {p99} {latencies[-1]} {keys / elapsed:.0f}")


def get_hit_shared(cache, directory, keys, value):
    with open(os.path.join(directory, "fill.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if len(cache) < keys:
            with cache.transact():
                for i in range(keys):
                    cache.set(f"key-{i:010d}", value)
        fcntl.flock(lock, fcntl.LOCK_UN)
    seconds = float(os.environ.get("CASHEWS_BENCH_SECONDS", "2"))
    rand = xorshift()
    get = cache.get
    ops = 0
    sink = 0
    start = time.perf_counter()
    deadline = start + seconds
    while time.perf_counter() < deadline:
        for _ in range(1000):
            found = get(f"key-{next(rand) % keys:010d}")
            sink += len(found)
        ops += 1000
    elapsed = time.perf_counter() - start
    print(f"get-hit-shared {ops} {elapsed:.6f} {ops / elapsed:.0f}")


if __name__ == "__main__":
    main()
