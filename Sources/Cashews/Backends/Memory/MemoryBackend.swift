import Synchronization

/// An in-process backend: an LRU store bounded by entry count and by bytes, with TTLs on an
/// injected clock.
///
/// - Typed values are kept as they are (``Backend/storesObjects``): a hit neither encodes nor
///   decodes.
/// - Eviction is exact least recently used within a shard. A bound is never exceeded: each
///   shard holds an exact share of it (the shares add up to the bound). Keys are spread over
///   shards, each behind its own lock, so concurrent tasks rarely contend and no call hops to an
///   actor; but a bound is kept exactly in LRU order only by one shard, so a backend uses one
///   shard per 1024 entries of its entry bound (and per 1 MiB of its byte bound), at most
///   ``Configuration/shards``: `mem://?size=10` is one shard that keeps exactly the 10 most
///   recently used entries.
/// - Expired entries are never returned; ``run()`` sweeps them every `sweepInterval` through
///   per-shard expiry heaps, in O(expired · log n).
/// - The byte bound counts byte, string and data values by their bytes, integers and booleans by
///   their decimal form, and other typed values by the size of their inline representation only.
/// - Keys are compared by their UTF-8 bytes, as on disk.
public final class MemoryBackend: Backend {
    /// How a memory backend is bounded and timed.
    public struct Configuration: Sendable {
        /// The most entries it holds (nil: no bound). Default 10 000.
        public var maxEntries: Int?
        /// The most bytes of values it holds (nil: no bound).
        public var maxBytes: Int?
        /// Where "now" comes from.
        public var clock: CacheClock
        /// The pause between sweeps of expired entries in ``MemoryBackend/run()``.
        public var sweepInterval: Duration
        /// The most independently locked shards (rounded up to a power of two); fewer for small
        /// bounds (one per 1024 entries of ``maxEntries`` and per 1 MiB of ``maxBytes``), so
        /// that a small bound is kept in exact LRU order.
        public var shards: Int
        /// Which entry goes when a bound is reached (each shard applies it to its share).
        public var evictionPolicy: MemoryEvictionPolicy

        /// A configuration; every parameter has a default.
        public init(
            maxEntries: Int? = 10_000, maxBytes: Int? = nil, clock: CacheClock = .system,
            sweepInterval: Duration = .seconds(1), shards: Int = 16,
            evictionPolicy: MemoryEvictionPolicy = .leastRecentlyUsed
        ) {
            self.maxEntries = maxEntries
            self.maxBytes = maxBytes
            self.clock = clock
            self.sweepInterval = sweepInterval
            self.shards = shards
            self.evictionPolicy = evictionPolicy
        }
    }

    /// The configuration it was made with.
    public let configuration: Configuration
    private let shards: [LockedShard]
    private let mask: Int

    /// A memory backend.
    public init(configuration: Configuration = Configuration()) {
        precondition(configuration.shards > 0, "a memory backend needs at least one shard")
        precondition(configuration.sweepInterval > .zero, "the sweep interval must be positive")
        let count = MemoryBackend.shardCount(configuration)
        self.configuration = configuration
        /// Shard `index`'s share of `bound`: the shares add up to the bound exactly.
        func share(_ bound: Int?, _ index: Int) -> Int? {
            bound.map { $0 / count + (index < $0 % count ? 1 : 0) }
        }
        shards = (0..<count).map {
            LockedShard(
                MemoryShard(
                    maxEntries: share(configuration.maxEntries, $0), maxBytes: share(configuration.maxBytes, $0),
                    policy: configuration.evictionPolicy))
        }
        mask = count - 1
    }

    /// How many shards a backend of `configuration` has: a power of two, at most
    /// ``Configuration/shards``, with at least 1024 entries and 1 MiB of its bounds each.
    static func shardCount(_ configuration: Configuration) -> Int {
        var limit = configuration.shards
        if let entries = configuration.maxEntries { limit = min(limit, max(1, entries / 1024)) }
        if let bytes = configuration.maxBytes { limit = min(limit, max(1, bytes / (1 << 20))) }
        var count = 1
        while count < limit { count <<= 1 }
        return count > limit && count > 1 ? count >> 1 : count
    }

    /// The number of shards it has (see ``Configuration/shards``).
    public var shardCount: Int { shards.count }

    /// The keys of the shard of `key`, from the least to the most recently used (for tests).
    package func keysByUse(inShardOf key: String) -> [String] {
        shard(key).withLock { $0.keysByUse }
    }

    /// The W-TinyLFU window's target share of the shard of `key` (0…1), nil under LRU (for
    /// tests of the adaptation).
    package func windowShare(inShardOf key: String) -> Double? {
        shard(key).withLock { shard in shard.tinyLFU.map { Double($0.windowTarget) / Double($0.capacity) } }
    }

    /// Memory backends keep typed values as they are.
    public var storesObjects: Bool { true }

    /// It throws only facade errors.
    public var throwsFacadeErrors: Bool { true }

    @inline(__always) private var now: Int64 { configuration.clock.now() }

    /// The shard of `key`: FNV-1a over its length and last 16 bytes (where keys such as
    /// `user:1234` differ), cheaper than a second SipHash next to the dictionary's own.
    @inline(__always) private func shard(_ key: String) -> LockedShard {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        let utf8 = key.utf8
        hash = (hash ^ UInt64(utf8.count)) &* 0x100_0000_01b3
        for byte in utf8.suffix(16) { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return shards[Int(truncatingIfNeeded: hash ^ (hash >> 29)) & mask]
    }

    private func deadline(_ expiry: Expiry, now: Int64, current: Int64?) throws -> Int64 {
        switch expiry {
        case .never: return 0
        case .keep: return current ?? 0
        case .after, .at:
            if let invalid = expiry.invalidDuration {
                throw CashewsError.invalidTTL(input: "\(invalid)", reason: "it must be positive")
            }
            return expiry.deadline(from: now) ?? 0
        }
    }

    // MARK: Backend

    /// The live value of `key`.
    nonisolated(nonsending) public func get(_ key: String) async throws -> CacheValue? {
        try value(forKey: key)
    }

    /// The live value of `key`, synchronously: ``get(_:)`` without the async call, for the
    /// ``Cache`` hit path.
    @usableFromInline
    func value(forKey key: String) throws -> CacheValue? {
        guard !key.isEmpty else { throw CashewsError.emptyKey }
        let clock = configuration.clock
        return shard(key).withLock { shard in shard.lookUp(key, clock: clock).map { shard.value(at: $0) } }
    }

    /// The live values of `keys`.
    nonisolated(nonsending) public func get(_ keys: [String]) async throws -> [CacheValue?] {
        var values: [CacheValue?] = []
        for key in keys { values.append(try await get(key)) }
        return values
    }

    /// Stores `value` when `condition` holds.
    nonisolated(nonsending) public func set(
        _ key: String, _ value: CacheValue, expiry: Expiry, condition: WriteCondition
    ) async throws
        -> Bool
    {
        guard !key.isEmpty else { throw CashewsError.emptyKey }
        let now = self.now
        let size = ValueCodec.estimatedSize(of: value)
        return try shard(key).withLock { shard in
            let live = shard.peek(key, now: now)
            switch condition {
            case .always: break
            case .ifAbsent: if live != nil { return false }
            case .ifPresent: if live == nil { return false }
            }
            let expiresAt = try deadline(expiry, now: now, current: live.map { shard.expiresAt($0) })
            let slot = shard.store(key, value, expiresAt: expiresAt, size: size)
            _ = shard.evict(keeping: slot)
            return true
        }
    }

    /// Stores every pair; validates the expiry first, so that it is all or nothing.
    nonisolated(nonsending) public func set(_ entries: [(key: String, value: CacheValue)], expiry: Expiry) async throws
    {
        if let invalid = expiry.invalidDuration {
            throw CashewsError.invalidTTL(input: "\(invalid)", reason: "it must be positive")
        }
        for entry in entries where entry.key.isEmpty { throw CashewsError.emptyKey }
        for entry in entries { _ = try await set(entry.key, entry.value, expiry: expiry, condition: .always) }
    }

    /// True when `key` is live.
    nonisolated(nonsending) public func exists(_ key: String) async throws -> Bool {
        guard !key.isEmpty else { throw CashewsError.emptyKey }
        let now = self.now
        return shard(key).withLock { $0.peek(key, now: now) != nil }
    }

    /// Deletes `key`.
    nonisolated(nonsending) public func delete(_ key: String) async throws -> Bool {
        guard !key.isEmpty else { throw CashewsError.emptyKey }
        let now = self.now
        return shard(key).withLock { $0.remove(key, now: now) }
    }

    /// Deletes `keys`.
    nonisolated(nonsending) public func delete(_ keys: [String]) async throws -> Int {
        var deleted = 0
        for key in keys where try await delete(key) { deleted += 1 }
        return deleted
    }

    /// Deletes the keys matching `pattern`.
    nonisolated(nonsending) public func delete(matching pattern: GlobPattern) async throws -> Int {
        let now = self.now
        return shards.reduce(0) { total, shard in
            total
                + shard.withLock { shard in
                    shard.liveKeys(now: now).filter(pattern.matches).reduce(0) {
                        $0 + (shard.remove($1, now: now) ? 1 : 0)
                    }
                }
        }
    }

    /// The live keys matching `pattern`, sorted.
    nonisolated(nonsending) public func keys(matching pattern: GlobPattern) async throws -> [String] {
        let now = self.now
        return shards.flatMap { shard in shard.withLock { $0.liveKeys(now: now).filter(pattern.matches) } }.sorted()
    }

    /// Adds `delta` to the integer under `key`.
    nonisolated(nonsending) public func increment(_ key: String, by delta: Int64, expiry: Expiry) async throws -> Int64
    {
        guard !key.isEmpty else { throw CashewsError.emptyKey }
        let now = self.now
        return try shard(key).withLock { shard in
            var current: Int64 = 0
            var expiresAt = try deadline(expiry == .keep ? .never : expiry, now: now, current: nil)
            if let slot = shard.lookUp(key, now: now) {
                guard let bytes = ValueCodec.bytes(of: shard.value(at: slot)),
                    let parsed = DecimalInteger.parse(bytes)
                else { throw BackendError.notAnInteger(key: key) }
                current = parsed
                expiresAt = shard.expiresAt(slot)
            }
            let (next, overflow) = current.addingReportingOverflow(delta)
            guard !overflow else { throw BackendError.integerOverflow(key: key) }
            let bytes = DecimalInteger.bytes(next)
            let stored = shard.store(key, .bytes(bytes), expiresAt: expiresAt, size: bytes.count)
            _ = shard.evict(keeping: stored)
            return next
        }
    }

    /// Sets the expiry of a live entry.
    nonisolated(nonsending) public func expire(_ key: String, after duration: Duration) async throws -> Bool {
        guard !key.isEmpty else { throw CashewsError.emptyKey }
        let now = self.now
        let expiresAt = try deadline(.after(duration), now: now, current: nil)
        return shard(key).withLock { shard in
            guard let slot = shard.peek(key, now: now) else { return false }
            shard.setExpiry(slot, expiresAt)
            return true
        }
    }

    /// How long `key` has left.
    nonisolated(nonsending) public func timeToLive(_ key: String) async throws -> TimeToLive? {
        guard !key.isEmpty else { throw CashewsError.emptyKey }
        let now = self.now
        return shard(key).withLock { shard in
            guard let slot = shard.peek(key, now: now) else { return nil }
            let expiresAt = shard.expiresAt(slot)
            return expiresAt == 0 ? .forever : .remaining(.milliseconds(expiresAt - now))
        }
    }

    /// Reads, changes and writes back `key` under its shard's lock.
    nonisolated(nonsending) public func modify<R: Sendable>(
        _ key: String, _ body: @escaping @Sendable (inout (bytes: [UInt8], expiry: Expiry)?) throws -> R
    ) async throws -> R {
        guard !key.isEmpty else { throw CashewsError.emptyKey }
        let now = self.now
        return try shard(key).withLock { shard in
            let slot = shard.lookUp(key, now: now)
            var entry: (bytes: [UInt8], expiry: Expiry)? = slot.flatMap { slot in
                ValueCodec.bytes(of: shard.value(at: slot)).map { (bytes: $0, expiry: Expiry.keep) }
            }
            let original = entry
            let result = try body(&entry)
            // Write only what changed, as the disk backend does.
            if entry?.bytes == original?.bytes && entry?.expiry == original?.expiry { return result }
            if let (bytes, expiry) = entry {
                let expiresAt = try deadline(expiry, now: now, current: slot.map { shard.expiresAt($0) })
                let stored = shard.store(key, .bytes(bytes), expiresAt: expiresAt, size: bytes.count)
                _ = shard.evict(keeping: stored)
            } else if slot != nil {
                _ = shard.remove(key, now: now)
            }
            return result
        }
    }

    /// Entries held, expired ones included until swept.
    nonisolated(nonsending) public func count() async throws -> Int {
        shards.reduce(0) { $0 + $1.withLock { $0.count } }
    }

    /// The (estimated) size of the value of `key`.
    nonisolated(nonsending) public func size(of key: String) async throws -> Int? {
        guard !key.isEmpty else { throw CashewsError.emptyKey }
        let now = self.now
        return shard(key).withLock { shard in shard.peek(key, now: now).map { shard.size(at: $0) } }
    }

    /// Deletes everything.
    nonisolated(nonsending) public func clear() async throws {
        for shard in shards { shard.withLock { $0.removeAll() } }
    }

    /// Echoes `message`.
    nonisolated(nonsending) public func ping(_ message: String) async throws -> String { message }

    /// Removes expired entries now; returns how many.
    @discardableResult
    public func sweepExpired() -> Int {
        let now = self.now
        return shards.reduce(0) { $0 + $1.withLock { $0.sweep(now: now) } }
    }

    /// Bytes of values held (estimated for typed values).
    public var byteCount: Int { shards.reduce(0) { $0 + $1.withLock { $0.bytes } } }

    /// Sweeps expired entries every `sweepInterval` until cancelled.
    public func run() async throws {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: configuration.sweepInterval)
            } catch {
                return
            }
            sweepExpired()
        }
    }
}

/// A shard behind its own lock (a class, because a `Mutex` cannot be copied into an array).
final class LockedShard: Sendable {
    private let mutex: Mutex<MemoryShard>

    init(_ shard: sending MemoryShard) { mutex = Mutex(shard) }

    @inline(__always)
    func withLock<R, E: Error>(_ body: (inout MemoryShard) throws(E) -> R) throws(E) -> R {
        try mutex.withLock { (shard: inout sending MemoryShard) throws(E) -> sending R in try body(&shard) }
    }
}
