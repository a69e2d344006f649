#!/usr/bin/env python3
"""python-diskcache side of the comparison (make bench-compare).

    diskcache_bench.py <dir> <workload> <keys> <value-bytes> <sync|nosync>

Runs the same workloads as raw_lmdb.c and the Swift `Compare` runner on diskcache.Cache with its
default settings (SQLite WAL, synchronous=NORMAL: commits are not fsynced, like LMDB's NOSYNC).
"sync" sets synchronous=FULL. Prints "<workload> <ops> <seconds> <ops/s>".
"""
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


if __name__ == "__main__":
    main()
