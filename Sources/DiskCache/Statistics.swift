@_spi(Engine) import LMDB
import Synchronization

/// In-memory operation counters of one ``DiskCache`` instance (never written to disk, so a read
/// never turns into a write).
///
/// Reads count in stripes per thread (``StripedCounter``): readers on different cores never
/// write a common cache line. The write-side counters change once per commit, so plain atomics
/// do.
final class Counters: Sendable {
    let hits = StripedCounter()
    let misses = StripedCounter()
    let sets = Atomic<Int>(0)
    let deletes = Atomic<Int>(0)
    let expirations = Atomic<Int>(0)
    let evictions = Atomic<Int>(0)
    let corruptions = Atomic<Int>(0)
    /// Opens that found the last session ended in a machine crash with unflushed commits.
    let uncleanShutdowns = Atomic<Int>(0)

    deinit {
        hits.deallocate()
        misses.deallocate()
    }
}

/// A counter that threads add to without sharing a cache line: each adds to its own stripe
/// (``AtomicStripes``), and a load sums them. Same calls as an `Atomic<Int>` counter; every
/// access is relaxed (a load is a sum, not a snapshot). A value over memory its owner frees
/// (``deallocate()``), so that an add retains no object.
struct StripedCounter: Sendable {
    private let stripes = AtomicStripes(minimumCount: 64)

    /// Frees the stripes; no copy of the counter may be used afterwards.
    func deallocate() { stripes.deallocate() }

    /// Adds `delta` to the calling thread's stripe.
    @inline(__always)
    func add(_ delta: Int, ordering: AtomicUpdateOrdering) {
        stripes.add(delta)
    }

    /// Subtracts `delta` (from the calling thread's stripe).
    @inline(__always)
    func subtract(_ delta: Int, ordering: AtomicUpdateOrdering) {
        stripes.add(0 &- delta)
    }

    /// The total of every stripe.
    func load(ordering: AtomicLoadOrdering) -> Int { stripes.sum }
}

/// A snapshot of a cache's counters and totals.
///
/// The operation counters (`hits` … `corruptions`) count what this ``DiskCache`` instance did
/// since it was opened. `count` and `volume` are the exact totals of the whole cache, shared by
/// every process.
public struct CacheStatistics: Sendable, Hashable {
    /// Entries whose value is stored in a blob file, in the whole cache.
    public var blobCount: Int
    /// Bytes of blob files, in the whole cache.
    public var blobBytes: Int
    /// Reads that found a live entry.
    public var hits: Int
    /// Reads that found nothing (absent, expired, or corrupt).
    public var misses: Int
    /// Successful writes of a value (set, add, replace, increment).
    public var sets: Int
    /// Entries deleted on request.
    public var deletes: Int
    /// Expired entries removed (swept, or replaced by a write).
    public var expirations: Int
    /// Entries evicted to respect the size or count limit.
    public var evictions: Int
    /// Values that failed their checksum (counted as misses and logged, never returned).
    public var corruptions: Int
    /// Entries stored, in the whole cache (expired ones count until removed).
    public var count: Int
    /// Volume in bytes, in the whole cache (see ``DiskCache/volume``).
    public var volume: Int
    /// 1 when this instance's open found that the last session ended in a machine crash with
    /// unflushed commits, and verified (or discarded) the file; see ``Durability/periodic(_:)``.
    public var uncleanShutdowns = 0
    /// Writes the admission filter skipped (``DiskCache/Configuration/admission``).
    public var admissionSkips = 0
}
