#!/usr/bin/env bash
# A `@Cached` hit against the hand-written `cached` call, from a release build of the
# MacroBenchmark executable: the median time per hit over interleaved runs of each.
#
#   Benchmarks/Macros/compare.sh [calls] [rounds]      (defaults 200000 and 9)
#
# Wall-clock figures on a shared machine are indicative; the two runs alternate so that load
# changes hit both alike. (Instruction counts would be steadier, but valgrind 3.19 stops with an
# internal error on Swift binaries here and the machine has no hardware counters for perf.)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
calls="${1:-200000}"
rounds="${2:-9}"
swift build --package-path "$root" -c release --product MacroBenchmark 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' || true
binary="$root/.build/release/MacroBenchmark"
decorated=()
handwritten=()
for _ in $(seq "$rounds"); do
    decorated+=("$("$binary" decorated "$calls" | sed -E 's/.* ([0-9.]+) ns per call.*/\1/')")
    handwritten+=("$("$binary" handwritten "$calls" | sed -E 's/.* ([0-9.]+) ns per call.*/\1/')")
done
python3 - "${decorated[*]}" "${handwritten[*]}" "$calls" <<'PY'
import statistics, sys
decorated = [float(x) for x in sys.argv[1].split()]
handwritten = [float(x) for x in sys.argv[2].split()]
ratios = sorted(d / h for d, h in zip(decorated, handwritten))
print(f"{len(decorated)} interleaved rounds of {sys.argv[3]} hits each (release build, memory backend)")
print(f"@Cached hit:          median {statistics.median(decorated):8.1f} ns per call  {sorted(decorated)}")
print(f"hand-written cached:  median {statistics.median(handwritten):8.1f} ns per call  {sorted(handwritten)}")
print(f"@Cached / hand-written, per round: median {statistics.median(ratios):.3f} (min {ratios[0]:.3f}, max {ratios[-1]:.3f})")
PY
