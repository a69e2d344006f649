@_spi(Engine) import LMDB
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads remembered in memory for the least-recently-used, least-frequently-used and S3-FIFO
/// policies, so that a read never becomes a write.
///
/// Each hit records its storage key with a hit count and a tick (when it happened). The next
/// write transaction of this process folds the log into the eviction order (and empties it)
/// *before* its own writes, since every read in the log happened before them. A fold touches
/// only the order index and the side table of ranks, never a value, and the log is bounded: once
/// a stripe of it holds `capacity` keys, the hit that filled it moves them aside (to be folded)
/// and asks the async writer thread for a fold transaction of its own, while later hits fill the
/// stripe anew. Up to ``pendingLimit`` keys wait aside per stripe; only past that, while the
/// writer is behind, are hits of new keys dropped. The eviction order is therefore an
/// approximation: reads since the last write of this process do not count yet; each process
/// folds only its own reads.
///
/// The log is striped by thread (``ThreadSlot``): each stripe has its own lock and table, so
/// readers on different threads neither share a lock nor a cache line. A fold merges the stripes
/// (hits add up, the latest tick wins) and orders the keys by tick. Ticks come from the monotonic
/// clock, kept strictly increasing within a stripe, so the merged order is the order in which the
/// hits happened, whichever threads they ran on (a single thread, or a task that hops between
/// threads, folds exactly as one table would).
final class AccessLog: Sendable {
    struct Access {
        var hits: UInt32
        var tick: UInt64
    }

    private struct State {
        var entries: [[UInt8]: Access] = [:]
        /// Full logs moved aside, waiting for their fold.
        var pending: [[UInt8]: Access] = [:]
        /// The last tick handed out in this stripe.
        var tick: UInt64 = 0
    }

    /// One stripe's lock and table, padded so that two stripes never share a cache line.
    private final class Stripe: Sendable {
        let table = Mutex(State())
        private let padding: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    }

    private let stripes: [Stripe]
    let capacity: Int
    /// The most keys waiting aside for a fold in one stripe: three full logs.
    var pendingLimit: Int { 3 * capacity }

    /// A log of up to `capacity` keys per stripe: 1024 for least recently and least frequently
    /// used (a fold moves each key in the order), 8192 for S3-FIFO (a fold only sets read bits).
    static func capacity(for policy: EvictionPolicy) -> Int { policy == .s3FIFO ? 8192 : 1024 }

    /// How many stripes a log has: threads beyond this many share them.
    static let stripeCount = 16

    init(capacity: Int = 1024) {
        self.capacity = capacity
        stripes = (0..<AccessLog.stripeCount).map { _ in Stripe() }
    }

    /// Records one hit of `storageKey`. Returns true when this hit filled its stripe of the log:
    /// the caller should have it folded soon (``DiskCache/requestFold()``).
    @discardableResult
    func record(_ storageKey: UnsafeRawBufferPointer) -> Bool {
        let key = Array(storageKey)
        let now = AccessLog.clockTick()
        return stripes[ThreadSlot.current % AccessLog.stripeCount].table.withLock { state -> Bool in
            state.tick = max(now, state.tick &+ 1)
            if var access = state.entries[key] {
                access.hits &+= 1
                access.tick = state.tick
                state.entries[key] = access
                return false
            }
            var filled = false
            if state.entries.count >= capacity {
                // Full: set it aside for the fold and start anew, unless the writer is far behind.
                guard state.pending.count < pendingLimit else { return false }
                Self.merge(state.entries, into: &state.pending)
                state.entries.removeAll(keepingCapacity: true)
                filled = true
            }
            state.entries[key] = Access(hits: 1, tick: state.tick)
            return filled || state.entries.count == capacity
        }
    }

    /// The monotonic clock in nanoseconds.
    @inline(__always)
    private static func clockTick() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }

    /// Adds `accesses` to `target`: hits add up, the latest tick wins.
    private static func merge(_ accesses: [[UInt8]: Access], into target: inout [[UInt8]: Access]) {
        for (key, access) in accesses {
            if let existing = target[key] {
                target[key] = Access(hits: existing.hits &+ access.hits, tick: max(existing.tick, access.tick))
            } else {
                target[key] = access
            }
        }
    }

    /// Takes every recorded access, oldest last access first.
    func drain() -> [(key: [UInt8], access: Access)] {
        var all: [[UInt8]: Access] = [:]
        for stripe in stripes {
            stripe.table.withLock { state in
                Self.merge(state.pending, into: &all)
                Self.merge(state.entries, into: &all)
                state.entries.removeAll(keepingCapacity: true)
                state.pending.removeAll()
            }
        }
        return all.map { (key: $0.key, access: $0.value) }.sorted { $0.access.tick < $1.access.tick }
    }

    /// Puts back accesses whose fold did not commit (lossy: only while there is room), in the
    /// calling thread's stripe.
    func restore(_ accesses: [(key: [UInt8], access: Access)]) {
        stripes[ThreadSlot.current % AccessLog.stripeCount].table.withLock { state in
            for (key, access) in accesses where state.entries[key] == nil && state.entries.count < capacity {
                state.entries[key] = access
            }
        }
    }

    /// True when nothing is recorded.
    var isEmpty: Bool {
        stripes.allSatisfy { stripe in stripe.table.withLock { $0.entries.isEmpty && $0.pending.isEmpty } }
    }
}

/// Ranks in the eviction order: the order index sorts entries by rank, and the head is the
/// next victim.
///
/// - Least recently stored and least recently used: the rank is the write (or folded read)
///   sequence, so the head is the oldest.
/// - Least frequently used, with dynamic aging (LFU-DA, Arlitt et al.): a rank packs a priority
///   (high 40 bits) above the low 24 bits of the sequence (a tie-break: the older first). An
///   entry's priority is the cache's *age* when it was last ranked plus its hit count (its write
///   counts as one; the count lives in the side table of ranks); each eviction raises the age to
///   the victim's priority. So a new key starts level with the residents that have aged, a
///   resident keeps its count but the age it was ranked at falls behind: a cache whose residents
///   all have hits still admits new keys, and yesterday's favourites leave once they stop being
///   read.
///
/// - S3-FIFO: the small queue's ranks are sequences, the main queue's have ``mainQueue`` set
///   (so the order index holds the small queue first, then the main one, each oldest first).
enum Rank {
    /// S3-FIFO: the bit that puts a rank in the main queue.
    static let mainQueue: UInt64 = 1 << 62
    /// S3-FIFO: read bits saturate at 3 (two bits, as in the paper).
    static let maximumFrequency: UInt32 = 3
    static let sequenceBits: UInt64 = 24
    static let sequenceMask: UInt64 = (1 << sequenceBits) - 1
    static let maximumPriority: UInt64 = (1 << (64 - sequenceBits)) - 1

    /// The rank of an entry written now, at write sequence `sequence` and cache age `age`.
    static func forWrite(sequence: UInt64, policy: EvictionPolicy, age: UInt64) -> UInt64 {
        guard policy == .leastFrequentlyUsed else { return sequence }
        return pack(priority: age &+ 1, sequence: sequence)
    }

    /// The rank of an entry read again, with `frequency` hits in all (its write counts as one),
    /// at sequence `sequence` and cache age `age`: LFU-DA's priority, age + frequency.
    static func afterHits(frequency: UInt32, sequence: UInt64, policy: EvictionPolicy, age: UInt64) -> UInt64 {
        guard policy == .leastFrequentlyUsed else { return sequence }
        let (priority, overflow) = age.addingReportingOverflow(UInt64(frequency))
        return pack(priority: overflow ? maximumPriority : priority, sequence: sequence)
    }

    /// The LFU priority of a rank.
    @inline(__always)
    static func priority(of rank: UInt64) -> UInt64 { rank >> sequenceBits }

    /// How many ranks were handed out since `rank` was (LFU: modulo 2^24, the sequence bits a
    /// rank keeps).
    @inline(__always)
    static func age(of rank: UInt64, at sequence: UInt64, policy: EvictionPolicy) -> UInt64 {
        guard policy == .leastFrequentlyUsed else { return sequence &- rank }
        return (sequence &- rank) & sequenceMask
    }

    private static func pack(priority: UInt64, sequence: UInt64) -> UInt64 {
        min(priority, maximumPriority) << sequenceBits | (sequence & sequenceMask)
    }
}
