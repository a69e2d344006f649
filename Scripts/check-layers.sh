#!/usr/bin/env bash
# Checks that the facade stands on its own: the `Cashews` product needs neither the disk engine
# nor liblmdb and xxHash; and that no core product needs swift-syntax (only CashewsMacros does).
#
#   Scripts/check-layers.sh          fast (seconds, part of `make test`): no engine import in
#                                    Sources/Cashews, and no engine target in the product's graph
#   Scripts/check-layers.sh build    also builds a throwaway package that depends on `Cashews`
#                                    only, and checks that no engine module was compiled
#                                    (`make check-layers`; incremental after the first run)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
engine='CLMDB|CXXHash|LMDB|DiskCache|CashewsDisk'

if grep -rnE --include='*.swift' "^[[:space:]]*(@[A-Za-z_]+(\([^)]*\))? )*((public|package|internal) )?import (DiskCache|LMDB|CLMDB|CXXHash|CashewsDisk)\b" \
    "$root/Sources/Cashews" "$root/Sources/CacheVocabulary" "$root/Sources/CashewsTesting"; then
    echo "error: the facade imports the engine (above)" >&2
    exit 1
fi

swift package --package-path "$root" describe --type json 2>/dev/null | python3 -c '
import json, sys
package = json.load(sys.stdin)
targets = {t["name"]: t for t in package["targets"]}
def closure(names):
    seen = set()
    while names:
        name = names.pop()
        if name in seen or name not in targets: continue
        seen.add(name)
        names += targets[name].get("target_dependencies", [])
    return seen
for product in ("Cashews", "CashewsTesting"):
    roots = next(p["targets"] for p in package["products"] if p["name"] == product)
    graph = closure(list(roots))
    bad = graph & {"CLMDB", "CXXHash", "LMDB", "DiskCache", "CashewsDisk"}
    if bad: sys.exit(f"error: the {product} product depends on {sorted(bad)}")
    print(f"layers: the {product} product is {sorted(graph)}: no disk engine")
# Macros: the core products build no compiler plugin and no swift-syntax module.
syntax = lambda name: name.startswith("SwiftSyntax") or name in {
    "SwiftCompilerPlugin", "SwiftDiagnostics", "SwiftParser", "SwiftParserDiagnostics", "SwiftBasicFormat",
    "SwiftOperators", "SwiftIfConfig", "SwiftLexicalLookup", "SwiftRefactor", "SwiftCompilerPluginMessageHandling"}
for product in ("LMDB", "DiskCache", "Cashews", "CashewsDisk", "SwiftCashews", "CashewsTesting"):
    graph = closure(list(next(p["targets"] for p in package["products"] if p["name"] == product)))
    plugins = sorted(name for name in graph if targets[name].get("type") == "macro")
    syntaxes = sorted({d for name in graph for d in targets[name].get("product_dependencies", []) if syntax(d)})
    if plugins or syntaxes: sys.exit(f"error: the {product} product depends on {plugins + syntaxes} (swift-syntax)")
print("layers: LMDB, DiskCache, Cashews, CashewsDisk, SwiftCashews and CashewsTesting need no swift-syntax")
'

[ "${1:-}" = build ] || exit 0

# A package of one file that depends on the root by path, on the Cashews product alone.
client="$(mktemp -d)"
trap 'rm -rf "$client"' EXIT
mkdir -p "$client/Sources/Client"
cat > "$client/Package.swift" <<SWIFT
// swift-tools-version: 6.2
import PackageDescription
let package = Package(
    name: "layer-client",
    dependencies: [.package(name: "swift-cashews", path: "$root")],
    targets: [.executableTarget(name: "Client", dependencies: [.product(name: "Cashews", package: "swift-cashews")])]
)
SWIFT
cat > "$client/Sources/Client/main.swift" <<'SWIFT'
import Cashews

// Top-level code runs on the main actor, in a module built without any upcoming-feature flag:
// every entry point that takes a closure must link and run from here.
let cache = Cache()
try cache.setup("mem://")
let value = try await cache.cached(key: "answer", ttl: "1m") { 42 }
let kept = try await cache.failover(key: "price", ttl: "1h") { 1.5 }
let fresh = try await cache.early(key: "early", ttl: "1m", earlyTTL: "10s") { 1 }
let soft = try await cache.soft(key: "soft", ttl: "1m", softTTL: "10s") { 2 }
let hit = try await cache.hit(key: "hit", ttl: "1m", cacheHits: 3) { 3 }
let ran = try await cache.locked(key: "job", ttl: "1m") { "ran" }
let allowed = try await cache.rateLimit(key: "limit", limit: 10, period: "1m") { true }
let sliced = try await cache.sliceRateLimit(key: "slice", limit: 10, period: "1m") { true }
let breaker = try await cache.circuitBreaker(key: "breaker", errorRate: 50, period: "1m", ttl: "1m") { 4 }
let filter = try BloomFilter(name: "bloom", capacity: 100)
let known = try await cache.bloom(key: "seen", in: filter) { true }
let twice = cache.memoize(ttl: "1m") { (n: Int) in n * 2 }
let doubled = try await twice(21)
print("a Cashews-only client: \(value) \(kept) \(fresh) \(soft) \(hit) \(ran) \(allowed) \(sliced) \(breaker) \(known) \(doubled)")
SWIFT
scratch="$root/.build/check-layers"
start=$(date +%s)
# No pkg-config search path: had the graph needed liblmdb or libxxhash, the build could not find them.
PKG_CONFIG_LIBDIR=/nonexistent PKG_CONFIG_PATH= swift build --package-path "$client" --scratch-path "$scratch" -v \
    > "$scratch.log" 2>&1 || { tail -30 "$scratch.log"; exit 1; }
"$scratch/debug/Client"
if grep -qE "module-map-file=[^ ]*/(CLMDB|CXXHash)/" "$scratch.log" \
    || find "$scratch" -path '*/Modules/*' \( -name 'LMDB.swiftmodule' -o -name 'DiskCache.swiftmodule' -o -name 'CashewsDisk.swiftmodule' \) | grep -q .; then
    echo "error: a Cashews-only client compiled the disk engine (see $scratch.log)" >&2
    exit 1
fi
# Plugins are built for the host, into Modules-tool and *-tool.build.
if find "$scratch" \( -path '*/Modules/*' -o -path '*/Modules-tool/*' \) -name 'SwiftSyntax*.swiftmodule' | grep -q . \
    || find "$scratch" -path '*/SwiftSyntax*.build/*' -name '*.o' | grep -q .; then
    echo "error: a Cashews-only client compiled swift-syntax (see $scratch.log)" >&2
    exit 1
fi
if grep -qE "(^| )-l(lmdb|xxhash)( |$)" "$scratch.log"; then
    echo "error: a Cashews-only client links liblmdb or libxxhash" >&2
    exit 1
fi
echo "layers: a Cashews-only client built in $(($(date +%s) - start))s without compiling LMDB, DiskCache, their C modules or swift-syntax"
