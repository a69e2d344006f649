/// Which entry a bounded memory backend evicts to stay within its bounds.
public enum MemoryEvictionPolicy: String, Sendable, Hashable, CaseIterable {
    /// Exact least recently used: the entry read or written longest ago goes first.
    case leastRecentlyUsed = "lru"
    /// W-TinyLFU (as Caffeine): new entries enter a small LRU window; an entry leaving the
    /// window enters the main space (a segmented LRU of probation and protected entries) only if
    /// it has been seen more often lately than the main space's victim, by a frequency sketch
    /// that ages. The window's share adapts by hill climbing on the hit ratio (from 1% up to all
    /// of the cache for recency-heavy workloads). Scan resistant: a one-time scan passes through
    /// the window without flushing the frequently used entries.
    case windowTinyLFU = "w-tinylfu"
}
