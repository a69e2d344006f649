import DiskCache
import Foundation

/// The scaling rows of `make bench`: the cost of one operation on a cache that already holds
/// `entries` entries, so that the same number of timed operations is compared from 10,000 to
/// 10,000,000 entries (the goal: each within 2× from the smallest to the largest).
///
///     Compare scaling <dir> <get|set|set-evicting|sweep> <entries> <value-bytes> <sync|nosync>
///
/// The cache is filled with batched sets (10,000 per transaction), then `COMPARE_OPS` operations
/// (200,000 unless set) are timed:
/// - `get`: random hits among the entries;
/// - `set`: new keys added to the full cache (no size limit);
/// - `set-evicting`: new keys into a cache whose size limit holds `entries`, so each set evicts;
/// - `sweep`: every entry has expired (on the workload's manual clock); `sweepExpired(limit: 1000)`
///   until the timed number of entries is gone.
enum ScalingWorkloads {
    static func run(directory: String, workload: String, entries: Int, valueSize: Int, sync: Bool) throws -> Int {
        let timed = Int(ProcessInfo.processInfo.environment["COMPARE_OPS"] ?? "") ?? 200_000
        let entryVolume = 14 + valueSize + 64
        // A clock of the workload's own, so that no entry expires while the cache fills (writes
        // remove expired entries as they go) and all have when the sweep starts.
        let clock = ManualClock()
        let configuration = DiskCache.Configuration(
            sizeLimit: workload == "set-evicting" ? entries * entryVolume : nil,
            durability: DiskCacheWorkloads.durability(sync: sync), clock: .manual(clock))
        let cache = try DiskCache(directory: directory, configuration: configuration)
        let value = [UInt8](repeating: UInt8(ascii: "v"), count: valueSize)
        try fillInBatches(
            cache, keys: entries, value: value, expiry: workload == "sweep" ? .after(.seconds(60)) : .never)
        var key = KeyFormatter(prefix: "key-")
        if workload == "sweep" { clock.advance(by: .seconds(61)) }
        var random = XorShift()
        var sink = 0
        return try measure("\(workload)@\(entries)") {
            switch workload {
            case "get":
                for _ in 0..<timed {
                    key.set(random.next() % UInt32(entries))
                    if let found = try cache.get(key.string) { sink &+= found.count }
                }
            case "set", "set-evicting":
                for i in 0..<timed {
                    key.set(UInt32(entries + i))
                    try cache.set(value, forKey: key.string)
                }
                if workload == "set-evicting" {
                    let evictions = try cache.statistics().evictions
                    if evictions < timed { throw ScalingError.notFull(evictions: evictions) }
                }
            case "sweep":
                // Counted by the statistics: a sweep's transaction also culls a few expired entries
                // beyond its limit, as every write does, which its result leaves out.
                let goal = min(timed, entries)
                var removed = 0
                while removed < goal {
                    let swept = try cache.sweepExpired(limit: min(1000, goal - removed))
                    removed = try cache.statistics().expirations
                    if swept == 0 && removed < goal { throw ScalingError.tooFewExpired(removed: removed, goal: goal) }
                }
                return removed
            default:
                throw CompareError.unknownWorkload(workload)
            }
            return timed
        }
        .withSink(sink)
    }
}

/// A scaling workload that could not measure what it is for.
enum ScalingError: Error {
    case notFull(evictions: Int)
    case tooFewExpired(removed: Int, goal: Int)
}
