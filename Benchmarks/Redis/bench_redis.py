#!/usr/bin/env python3
"""The Redis backend against redis-benchmark on the same server (make bench-redis).

Starts a redis-server of its own (free loopback port, throw-away directory, no persistence),
stores a 100-byte value, then runs, one after the other:

  redis-benchmark  GET -d 100: 1 connection; 16 connections; 16 connections x 16 pipelined
  RedisBench       RedisBackend.get: one task (1 connection); 16 tasks (16 connections);
                   64 tasks on the default pool of 4 (automatic pipelining); a client-side-cached
                   get (one task, the local tier)

and prints operations per second with p50/p99 latencies, and each Swift figure against the
issue's goal (one task >= 0.7x the 1-connection figure, 16 tasks >= 0.8x -c 16, 64 tasks >=
0.3x the pipelined figure, client-side cached >= 50x one task). The machine is shared:
figures are indicative.
"""
import argparse
import csv
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BENCHMARKS = os.path.dirname(HERE)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_benchmark(port, requests, connections, pipeline):
    output = subprocess.run(
        ["redis-benchmark", "-p", str(port), "-t", "get", "-d", "100", "-n", str(requests), "-c", str(connections),
         "-P", str(pipeline), "--csv"], check=True, capture_output=True, text=True).stdout
    rows = list(csv.DictReader(io.StringIO(output)))
    row = rows[0]
    return {"ops_per_second": float(row["rps"]), "p50_us": float(row["p50_latency_ms"]) * 1000,
            "p99_us": float(row["p99_latency_ms"]) * 1000}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--milliseconds", type=int, default=3000, help="length of each Swift scenario")
    parser.add_argument("--requests", type=int, default=200_000, help="requests of each redis-benchmark run")
    args = parser.parse_args()

    print("building RedisBench (release)...", file=sys.stderr)
    subprocess.run(["swift", "build", "-c", "release", "--product", "RedisBench"], cwd=BENCHMARKS, check=True,
                   stdout=subprocess.DEVNULL)
    bench = os.path.join(BENCHMARKS, ".build", "release", "RedisBench")

    work = tempfile.mkdtemp(prefix="cashews-bench-redis-")
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", work,
         "--daemonize", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        subprocess.run(["redis-cli", "-p", str(port), "set", "key:__rand_int__", "x" * 100], check=True,
                       stdout=subprocess.DEVNULL)
        anchors = {
            "1 connection": redis_benchmark(port, args.requests // 4, 1, 1),
            "16 connections": redis_benchmark(port, args.requests, 16, 1),
            "16 connections x 16 pipelined": redis_benchmark(port, args.requests * 4, 16, 16),
        }
        output = subprocess.run([bench, "--port", str(port), "--milliseconds", str(args.milliseconds)], check=True,
                                capture_output=True, text=True).stdout
        swift = {line["scenario"]: line for line in map(json.loads, output.splitlines()) if line}
    finally:
        server.kill()
        server.wait()
        shutil.rmtree(work, ignore_errors=True)

    print(f"{'':34} {'ops/s':>12} {'p50 µs':>9} {'p99 µs':>9}")
    for name, row in anchors.items():
        print(f"redis-benchmark {name:18} {row['ops_per_second']:12,.0f} {row['p50_us']:9.0f} {row['p99_us']:9.0f}")
    for name, row in swift.items():
        print(f"RedisBackend {name:21} {row['ops_per_second']:12,.0f} {row['p50_us']:9.1f} {row['p99_us']:9.1f}")
    goals = [
        ("one task", "1 connection", 0.7, anchors["1 connection"]["ops_per_second"]),
        ("16 tasks", "16 connections", 0.8, anchors["16 connections"]["ops_per_second"]),
        ("64 tasks pipelined", "16 x 16 pipelined", 0.3, anchors["16 connections x 16 pipelined"]["ops_per_second"]),
        ("client-side cached", "RedisBackend one task", 50, swift["one task"]["ops_per_second"]),
    ]
    print()
    for name, against, goal, base in goals:
        ratio = swift[name]["ops_per_second"] / base
        verdict = "meets" if ratio >= goal else "misses"
        print(f"{name:20} {ratio:8.2f}x of {against} (goal {goal}x: {verdict})")


if __name__ == "__main__":
    main()
