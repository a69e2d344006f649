// ordo-one/benchmark suites for the DiskCache engine: `make bench-suites` (or `swift package benchmark`
// in Benchmarks/). They track the engine's own costs (time and allocations per operation) from
// run to run; the side-by-side ratios against raw LMDB and python-diskcache come from
// `make bench-compare`.
import Benchmark
import DiskCache
import Foundation

/// A cache in a fresh temporary directory, preloaded with `count` keys "key-0…" of `size` bytes.
func preloadedCache(count: Int, size: Int, policy: EvictionPolicy = .leastRecentlyStored) throws -> DiskCache {
    let directory = NSTemporaryDirectory() + "diskcache-bench-" + UUID().uuidString
    let cache = try DiskCache(
        directory: directory, configuration: .init(sizeLimit: nil, evictionPolicy: policy))
    let value = [UInt8](repeating: 7, count: size)
    for start in stride(from: 0, to: count, by: 10_000) {
        try cache.set((start..<min(start + 10_000, count)).map { (key: "key-\($0)", value: value) })
    }
    return cache
}

/// Removes a benchmark cache's directory.
func remove(_ cache: DiskCache?) {
    if let cache { try? FileManager.default.removeItem(atPath: cache.directory) }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal], maxDuration: .seconds(2), maxIterations: 1_000_000)

    for size in [100, 4096] {
        nonisolated(unsafe) var cache: DiskCache?
        let keys = (0..<100_000).map { "key-\($0)" }

        Benchmark(
            "get hit \(size) B",
            configuration: .init(
                setup: { cache = try preloadedCache(count: 100_000, size: size) }, teardown: { remove(cache) })
        ) { benchmark in
            for i in benchmark.scaledIterations { blackHole(try cache!.get(keys[i % keys.count])) }
        }

        Benchmark(
            "get hit in place \(size) B",
            configuration: .init(
                setup: { cache = try preloadedCache(count: 100_000, size: size) }, teardown: { remove(cache) })
        ) { benchmark in
            for i in benchmark.scaledIterations {
                blackHole(try cache!.withValue(forKey: keys[i % keys.count]) { $0.count })
            }
        }

        Benchmark(
            "set \(size) B",
            configuration: .init(
                setup: { cache = try preloadedCache(count: 0, size: size) }, teardown: { remove(cache) })
        ) { benchmark in
            let value = [UInt8](repeating: 1, count: size)
            for i in benchmark.scaledIterations { try cache!.set(value, forKey: keys[i % keys.count]) }
        }
    }

    nonisolated(unsafe) var cache: DiskCache?
    Benchmark(
        "get miss",
        configuration: .init(
            setup: { cache = try preloadedCache(count: 100_000, size: 100) }, teardown: { remove(cache) })
    ) { benchmark in
        for i in benchmark.scaledIterations { blackHole(try cache!.get("absent-\(i)")) }
    }

    Benchmark(
        "increment",
        configuration: .init(setup: { cache = try preloadedCache(count: 0, size: 0) }, teardown: { remove(cache) })
    ) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try cache!.increment("counter")) }
    }
}
