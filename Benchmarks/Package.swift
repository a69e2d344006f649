// swift-tools-version: 6.2
// Benchmarks for swift-cashews, kept in a nested package so that the root package's builds and
// tests never compile the benchmark dependencies.
//
//   make bench-compare      side by side: this library, raw LMDB in C, python-diskcache
//   make bench              every benchmark against its anchors: regenerates BENCHMARKS.md
//   make bench-suites       the ordo-one/benchmark suites (wall clock, throughput, mallocs)
import PackageDescription

let package = Package(
    name: "swift-cashews-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "swift-cashews", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // ordo-one/benchmark suites: `swift package benchmark` in this directory.
        .executableTarget(
            name: "DiskCacheBenchmarks",
            dependencies: [
                .product(name: "DiskCache", package: "swift-cashews"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/DiskCacheBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // The Swift side of the side-by-side comparison (Compare/compare.py drives it).
        .executableTarget(
            name: "Compare",
            dependencies: [
                .product(name: "LMDB", package: "swift-cashews"),
                .product(name: "DiskCache", package: "swift-cashews"),
                .product(name: "Cashews", package: "swift-cashews"),
                .product(name: "CashewsDisk", package: "swift-cashews"),
            ],
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]
        ),
        // The Swift side of `make bench-redis` (Redis/bench_redis.py drives it).
        .executableTarget(
            name: "RedisBench",
            dependencies: [
                .product(name: "Cashews", package: "swift-cashews"),
                .product(name: "CashewsRedis", package: "swift-cashews"),
            ]
        ),
    ]
)
