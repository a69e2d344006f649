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
    /// Replays the trace at `path` as a read-through cache — `lookUp(key)`, then `store(key)`
    /// when it misses — and prints the hit ratio, labelled `label`.
    static func replay(
        trace path: String, label: String, pages: Int, lookUp: (String) async throws -> Bool,
        store: (String) async throws -> Void
    ) async throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var accesses = 0
        var hits = 0
        let start = ContinuousClock.now
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 2, let first = Int(fields[0]), let count = Int(fields[1]) else { continue }
            for page in first..<(first + count) {
                let key = String(page)
                accesses += 1
                if try await lookUp(key) { hits += 1 } else { try await store(key) }
            }
        }
        let elapsed = ContinuousClock.now - start
        print(
            String(
                format: "hitratio %@ pages=%d accesses=%d hits=%.2f%% seconds=%.1f", label, pages, accesses,
                Double(hits) * 100 / Double(max(1, accesses)), Double(elapsed.components.seconds)))
    }

    static func run(trace path: String, policy name: String, pages: Int) async throws {
        if name == "memory" || name.hasPrefix("memory:") {
            return try await runMemory(trace: path, pages: pages, policy: name.split(separator: ":").dropFirst().first)
        }
        guard let policy = EvictionPolicy(rawValue: name) else { throw CompareError.unknownWorkload(name) }
        let directory = NSTemporaryDirectory() + "hitratio-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cache = try DiskCache(
            directory: directory,
            configuration: .init(sizeLimit: nil, countLimit: pages, evictionPolicy: policy, durability: .none))
        let value: [UInt8] = [1]
        try await replay(
            trace: path, label: policy.rawValue, pages: pages, lookUp: { try cache.get($0) != nil },
            store: { try cache.set(value, forKey: $0) })
    }

    /// The same read-through replay through the memory backend, `mem://?size=<pages>` (and
    /// `&eviction=<policy>` for `memory:<policy>`).
    static func runMemory(trace path: String, pages: Int, policy: Substring?) async throws {
        let cache = Cache()
        try cache.setup("mem://?size=\(pages)" + (policy.map { "&eviction=\($0)" } ?? ""))
        try await replay(
            trace: path, label: "memory" + (policy.map { ":\($0)" } ?? ""), pages: pages,
            lookUp: { try await cache.get($0, as: Int.self) != nil },
            store: { try await cache.set($0, 1) })
    }
}
