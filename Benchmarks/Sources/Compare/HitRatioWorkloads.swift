import DiskCache
import Foundation

/// Replays a block trace (the ARC paper's format: `start count ignore id` per line, `count`
/// unit-page accesses from `start`) through the DiskCache engine as a read-through cache — a
/// `get`, then a `set` on a miss — with a count limit of `pages`, and prints the hit ratio.
/// Hits over every page access, cold misses included, no warm-up (the reference tables'
/// method, `shared/traces/README.md`).
enum HitRatioWorkloads {
    static func run(trace path: String, policy: String, pages: Int) throws {
        guard let policy = EvictionPolicy(rawValue: policy) else { throw CompareError.unknownWorkload(policy) }
        let directory = NSTemporaryDirectory() + "hitratio-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cache = try DiskCache(
            directory: directory,
            configuration: .init(sizeLimit: nil, countLimit: pages, evictionPolicy: policy, durability: .none))
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let value: [UInt8] = [1]
        var accesses = 0
        var hits = 0
        let clock = ContinuousClock()
        let start = clock.now
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 2, let first = Int(fields[0]), let count = Int(fields[1]) else { continue }
            for page in first..<(first + count) {
                let key = String(page)
                accesses += 1
                if try cache.get(key) != nil {
                    hits += 1
                } else {
                    try cache.set(value, forKey: key)
                }
            }
        }
        let elapsed = clock.now - start
        print(
            String(
                format: "hitratio %@ pages=%d accesses=%d hits=%.2f%% seconds=%.1f", policy.rawValue, pages, accesses,
                Double(hits) * 100 / Double(max(1, accesses)), Double(elapsed.components.seconds)))
    }
}
