import Synchronization

/// Reads remembered in memory for the least-recently-used and least-frequently-used policies,
/// so that a read never becomes a write.
///
/// Each hit records its storage key with a hit count and a process-local tick. The next write
/// transaction of this process folds the log into the eviction order (and empties it). The log is
/// bounded: once it holds `capacity` keys, hits of keys not in it are dropped. The eviction order
/// is therefore an approximation: reads since the last write of this process, and reads dropped
/// from a full log, do not count yet; each process folds only its own reads.
final class AccessLog: Sendable {
    struct Access {
        var hits: UInt32
        var tick: UInt64
    }

    private let table = Mutex<(entries: [[UInt8]: Access], tick: UInt64)>(([:], 0))
    let capacity: Int

    init(capacity: Int = 8192) {
        self.capacity = capacity
    }

    /// Records one hit of `storageKey`.
    func record(_ storageKey: UnsafeRawBufferPointer) {
        let key = Array(storageKey)
        table.withLock { state in
            state.tick &+= 1
            if var access = state.entries[key] {
                access.hits &+= 1
                access.tick = state.tick
                state.entries[key] = access
            } else if state.entries.count < capacity {
                state.entries[key] = Access(hits: 1, tick: state.tick)
            }
        }
    }

    /// Takes every recorded access, oldest last access first.
    func drain() -> [(key: [UInt8], access: Access)] {
        let entries = table.withLock { state -> [[UInt8]: Access] in
            defer { state.entries.removeAll(keepingCapacity: true) }
            return state.entries
        }
        return entries.map { (key: $0.key, access: $0.value) }.sorted { $0.access.tick < $1.access.tick }
    }

    /// Puts back accesses whose fold did not commit (lossy: only while there is room).
    func restore(_ accesses: [(key: [UInt8], access: Access)]) {
        table.withLock { state in
            for (key, access) in accesses where state.entries[key] == nil && state.entries.count < capacity {
                state.entries[key] = access
            }
        }
    }

    /// True when nothing is recorded.
    var isEmpty: Bool { table.withLock { $0.entries.isEmpty } }
}

/// Ranks in the eviction order. For least-frequently-used, a rank packs the hit count (high 24
/// bits) above the write sequence (low 40 bits), so the order index sorts by count, then age.
enum Rank {
    static let sequenceBits: UInt64 = 40
    static let sequenceMask: UInt64 = (1 << sequenceBits) - 1
    static let maximumCount: UInt64 = (1 << (64 - sequenceBits)) - 1

    /// The rank of an entry written now (a write resets the hit count).
    static func forWrite(sequence: UInt64, policy: EvictionPolicy) -> UInt64 {
        policy == .leastFrequentlyUsed ? sequence & sequenceMask : sequence
    }

    /// The rank after `hits` more reads, at write sequence `sequence`.
    static func afterHits(_ hits: UInt32, old: UInt64, sequence: UInt64, policy: EvictionPolicy) -> UInt64 {
        switch policy {
        case .leastFrequentlyUsed:
            let count = min(maximumCount, (old >> sequenceBits) + UInt64(hits))
            return count << sequenceBits | (sequence & sequenceMask)
        default:
            return sequence
        }
    }
}
