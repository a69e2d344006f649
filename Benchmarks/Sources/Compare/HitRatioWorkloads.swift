import Cashews
import DiskCache
import Foundation

/// Replays a block trace (the ARC paper's format: `start count ignore id` per line, `count`
/// unit-page accesses from `start`) through the DiskCache engine as a read-through cache — a
/// `get`, then a `set` on a miss — with a count limit of `pages`, and prints the hit ratio.
/// Hits over every page access, cold misses included, no warm-up (the reference tables'
/// method, `shared/traces/README.md`).
///
/// The policy `memory` replays through the memory backend instead (`mem://?size=<pages>`, through
/// ``Cache``: the backend's real bound and eviction code).
enum HitRatioWorkloads {
    /// Calls `body` with each page access of the trace at `path`, in order.
    static func forEachAccess(inTrace path: String, _ body: (Int) async throws -> Void) async rethrows {
        let text = try! String(contentsOfFile: path, encoding: .utf8)
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 2, let first = Int(fields[0]), let count = Int(fields[1]) else { continue }
            for page in first..<(first + count) { try await body(page) }
        }
    }

    static func report(_ policy: String, pages: Int, accesses: Int, hits: Int, since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        print(
            String(
                format: "hitratio %@ pages=%d accesses=%d hits=%.2f%% seconds=%.1f", policy, pages, accesses,
                Double(hits) * 100 / Double(max(1, accesses)), Double(elapsed.components.seconds)))
    }

    static func run(trace path: String, policy name: String, pages: Int) async throws {
        if name == "memory" { return try await runMemory(trace: path, pages: pages) }
        guard let policy = EvictionPolicy(rawValue: name) else { throw CompareError.unknownWorkload(name) }
        let directory = NSTemporaryDirectory() + "hitratio-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cache = try DiskCache(
            directory: directory,
            configuration: .init(sizeLimit: nil, countLimit: pages, evictionPolicy: policy, durability: .none))
        let value: [UInt8] = [1]
        var accesses = 0
        var hits = 0
        let start = ContinuousClock.now
        try await forEachAccess(inTrace: path) { page in
            let key = String(page)
            accesses += 1
            if try cache.get(key) != nil {
                hits += 1
            } else {
                try cache.set(value, forKey: key)
            }
        }
        report(policy.rawValue, pages: pages, accesses: accesses, hits: hits, since: start)
    }

    /// The same read-through replay through the memory backend, `mem://?size=<pages>`.
    static func runMemory(trace path: String, pages: Int) async throws {
        let cache = Cache()
        try cache.setup("mem://?size=\(pages)")
        var accesses = 0
        var hits = 0
        let start = ContinuousClock.now
        try await forEachAccess(inTrace: path) { page in
            let key = String(page)
            accesses += 1
            if try await cache.get(key, as: Int.self) != nil {
                hits += 1
            } else {
                try await cache.set(key, 1)
            }
        }
        report("memory", pages: pages, accesses: accesses, hits: hits, since: start)
    }
}
