#!/usr/bin/env python3
"""cashews (Python) side of the facade comparison (make bench-compare).

    cashews_bench.py <workload> <keys> <value-bytes>

workloads: mem-get (cashews mem:// get, one awaited call at a time), mem-set,
cached-hit (hits of a function decorated with @cache(ttl="1h") on mem://, keys from its argument).
Prints "<workload> <ops> <seconds> <ops/s>".
"""
import asyncio
import sys
import time

from cashews import Cache


def xorshift():
    state = 88172645463325252
    mask = (1 << 64) - 1
    while True:
        state ^= (state << 13) & mask
        state ^= state >> 7
        state ^= (state << 17) & mask
        yield state & 0xFFFFFFFF


async def main():
    workload, keys, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    cache = Cache()
    cache.setup("mem://", size=keys * 2)
    value = b"v" * size
    if workload == "mem-get":
        for i in range(keys):
            await cache.set(f"key-{i:010d}", value)
    if workload == "cached-hit":
        @cache(ttl="1h")
        async def load(index):
            return value

        for i in range(keys):
            await load(i)
    ops = keys * 3 if workload == "mem-get" else keys
    rand = xorshift()
    sink = 0
    start = time.perf_counter()
    if workload == "cached-hit":
        for _ in range(ops):
            sink += len(await load(next(rand) % keys))
    elif workload == "mem-get":
        for _ in range(ops):
            found = await cache.get(f"key-{next(rand) % keys:010d}")
            sink += len(found)
    elif workload == "mem-set":
        for i in range(ops):
            await cache.set(f"key-{i:010d}", value)
    else:
        sys.exit(f"unknown workload {workload}")
    elapsed = time.perf_counter() - start
    print(f"{workload} {ops} {elapsed:.6f} {ops / elapsed:.0f}")


asyncio.run(main())
