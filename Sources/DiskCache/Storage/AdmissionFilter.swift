import Synchronization

extension DiskCache {
    /// Which new entries a full cache takes in (``DiskCache/Configuration/admission``).
    public enum Admission: Sendable, Hashable {
        /// Every write is stored (the default).
        case always
        /// While the cache is full, a `set` of a key that this process has not looked up and
        /// missed at least `misses` times lately (by a frequency sketch that ages) is skipped:
        /// one-hit wonders in a read-through cache no longer cost a write and an eviction each.
        /// A cache with room stores everything; conditional writes (`add`, `replace`), counters
        /// and locks are never skipped. `frequent()` asks for two misses: the one before this
        /// `set`, and one earlier.
        case frequent(misses: Int = 2)
    }
}

/// The state of ``DiskCache/Admission/frequent(misses:)`` in one process: a sketch of recent
/// misses, whether the cache was full at this process's last commit, and how many writes it
/// skipped.
final class AdmissionFilter: Sendable {
    private let sketch: Mutex<FrequencySketch>
    private let misses: Int
    /// True while this process's commits find the cache at (or near) its limits.
    let isFull = Atomic<Bool>(false)
    /// The writes skipped so far.
    let skipped = Atomic<Int>(0)

    /// A filter for a cache of about `capacity` entries, admitting after `misses` misses.
    init(capacity: Int, misses: Int) {
        sketch = Mutex(FrequencySketch(capacity: capacity))
        self.misses = max(1, misses)
    }

    /// Counts a lookup of `key` that found nothing.
    func recordMiss(_ key: String) {
        let hash = Self.hash(key)
        sketch.withLock { $0.increment(hash) }
    }

    /// Whether an unconditional write of `key` should be stored; counts a skipped one.
    func admits(_ key: String) -> Bool {
        guard isFull.load(ordering: .relaxed) else { return true }
        let hash = Self.hash(key)
        if sketch.withLock({ $0.frequency(hash) }) >= misses { return true }
        skipped.add(1, ordering: .relaxed)
        return false
    }

    private static func hash(_ key: String) -> UInt64 {
        var copy = key
        return copy.withUTF8 { Hash.checksum(UnsafeRawBufferPointer($0), seed: 0x5EED) }
    }
}
