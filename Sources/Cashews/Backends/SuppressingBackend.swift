import Logging
import Metrics

/// A backend whose failures become misses and no-ops, logged and counted, instead of errors:
/// cashews' `suppress`. Only storage failures are suppressed: bad arguments (an invalid TTL, an
/// increment of a non-integer, a value too large for the cache: ``BackendError/isArgumentError``)
/// and cancellation still throw, and so does ``ping(_:)``, which exists to find out.
public struct SuppressingBackend: Backend {
    /// The backend whose failures are suppressed.
    public let base: any Backend
    private let logger: Logger
    private let failures: Counter

    /// Wraps `base`; failures are logged to `logger` and counted in the swift-metrics counter
    /// `cashews_backend_failures` (dimension `backend`).
    public init(_ base: any Backend, name: String, logger: Logger) {
        self.base = base
        self.logger = logger
        self.failures = Counter(label: "cashews_backend_failures", dimensions: [("backend", name)])
    }

    nonisolated(nonsending) private func suppressing<R>(
        _ operation: String, default fallback: R, _ body: () async throws -> R
    ) async throws
        -> R
    {
        do {
            return try await body()
        } catch let error as CashewsError {
            throw error
        } catch let error as BackendError where error.isArgumentError {
            throw error
        } catch let error as CancellationError {
            throw error
        } catch let error as GlobPatternError {
            throw error
        } catch {
            failures.increment()
            logger.warning(
                "cache backend failed; suppressed", metadata: ["operation": "\(operation)", "error": "\(error)"])
            return fallback
        }
    }

    /// Whether the base keeps typed values.
    public var storesObjects: Bool { base.storesObjects }

    /// The value, or nil when the backend fails.
    nonisolated(nonsending) public func get(_ key: String) async throws -> CacheValue? {
        try await suppressing("get", default: nil) { try await base.get(key) }
    }

    /// The values, or nils when the backend fails.
    nonisolated(nonsending) public func get(_ keys: [String]) async throws -> [CacheValue?] {
        try await suppressing("get many", default: keys.map { _ in nil }) { try await base.get(keys) }
    }

    /// Stores, or does nothing (false) when the backend fails.
    nonisolated(nonsending) public func set(
        _ key: String, _ value: CacheValue, expiry: Expiry, condition: WriteCondition
    ) async throws
        -> Bool
    {
        try await suppressing("set", default: false) {
            try await base.set(key, value, expiry: expiry, condition: condition)
        }
    }

    /// Stores, or does nothing when the backend fails.
    nonisolated(nonsending) public func set(_ entries: [(key: String, value: CacheValue)], expiry: Expiry) async throws
    {
        try await suppressing("set many", default: ()) { try await base.set(entries, expiry: expiry) }
    }

    /// Whether `key` exists; false when the backend fails.
    nonisolated(nonsending) public func exists(_ key: String) async throws -> Bool {
        try await suppressing("exists", default: false) { try await base.exists(key) }
    }

    /// Deletes; false when the backend fails.
    nonisolated(nonsending) public func delete(_ key: String) async throws -> Bool {
        try await suppressing("delete", default: false) { try await base.delete(key) }
    }

    /// Deletes; 0 when the backend fails.
    nonisolated(nonsending) public func delete(_ keys: [String]) async throws -> Int {
        try await suppressing("delete many", default: 0) { try await base.delete(keys) }
    }

    /// Deletes by pattern; 0 when the backend fails.
    nonisolated(nonsending) public func delete(matching pattern: GlobPattern) async throws -> Int {
        try await suppressing("delete matching", default: 0) { try await base.delete(matching: pattern) }
    }

    /// Keys by pattern; none when the backend fails.
    nonisolated(nonsending) public func keys(matching pattern: GlobPattern) async throws -> [String] {
        try await suppressing("keys", default: []) { try await base.keys(matching: pattern) }
    }

    /// Increments; 0 when the backend fails (as cashews' suppressed Redis does).
    nonisolated(nonsending) public func increment(_ key: String, by delta: Int64, expiry: Expiry) async throws -> Int64
    {
        try await suppressing("increment", default: 0) { try await base.increment(key, by: delta, expiry: expiry) }
    }

    /// Expires; false when the backend fails.
    nonisolated(nonsending) public func expire(_ key: String, after duration: Duration) async throws -> Bool {
        try await suppressing("expire", default: false) { try await base.expire(key, after: duration) }
    }

    /// Time left; nil when the backend fails.
    nonisolated(nonsending) public func timeToLive(_ key: String) async throws -> TimeToLive? {
        try await suppressing("ttl", default: nil) { try await base.timeToLive(key) }
    }

    /// Modifies; rethrows failures (a read-modify-write has no safe default result).
    nonisolated(nonsending) public func modify<R: Sendable>(
        _ key: String, _ body: @escaping @Sendable (inout (bytes: [UInt8], expiry: Expiry)?) throws -> R
    ) async throws -> R {
        try await base.modify(key, body)
    }

    /// Entry count; 0 when the backend fails.
    nonisolated(nonsending) public func count() async throws -> Int {
        try await suppressing("count", default: 0) { try await base.count() }
    }

    /// Size; nil when the backend fails.
    nonisolated(nonsending) public func size(of key: String) async throws -> Int? {
        try await suppressing("size", default: nil) { try await base.size(of: key) }
    }

    /// Clears, or does nothing when the backend fails.
    nonisolated(nonsending) public func clear() async throws {
        try await suppressing("clear", default: ()) { try await base.clear() }
    }

    /// Bits; zeros when the backend fails.
    nonisolated(nonsending) public func getBits(_ key: String, at indexes: [Int], size: Int) async throws -> [UInt64] {
        try await suppressing("getbits", default: indexes.map { _ in 0 }) {
            try await base.getBits(key, at: indexes, size: size)
        }
    }

    /// Increments bits; rethrows failures (a read-modify-write has no safe default result).
    nonisolated(nonsending) public func incrementBits(_ key: String, at indexes: [Int], size: Int, by delta: Int64)
        async throws -> [UInt64]
    {
        try await base.incrementBits(key, at: indexes, size: size, by: delta)
    }

    /// Counts in a sliding window; rethrows failures (a read-modify-write).
    nonisolated(nonsending) public func sliceIncrement(
        _ key: String, start: Int64, end: Int64, limit: Int, expiry: Duration
    ) async throws
        -> Int
    {
        try await base.sliceIncrement(key, start: start, end: end, limit: limit, expiry: expiry)
    }

    /// Adds to a set; rethrows failures (a read-modify-write).
    nonisolated(nonsending) public func addToSet(_ key: String, _ members: [String], expiry: Expiry) async throws -> Int
    {
        try await base.addToSet(key, members, expiry: expiry)
    }

    /// Removes from a set; rethrows failures (a read-modify-write).
    nonisolated(nonsending) public func removeFromSet(_ key: String, _ members: [String]) async throws -> Int {
        try await base.removeFromSet(key, members)
    }

    /// Pops from a set; rethrows failures (a read-modify-write).
    nonisolated(nonsending) public func popFromSet(_ key: String, count: Int) async throws -> [String] {
        try await base.popFromSet(key, count: count)
    }

    /// Set members; none when the backend fails.
    nonisolated(nonsending) public func members(of key: String) async throws -> [String] {
        try await suppressing("members", default: []) { try await base.members(of: key) }
    }

    /// Locks; false (not taken) when the backend fails.
    nonisolated(nonsending) public func lock(_ key: String, token: String, ttl: Duration) async throws -> Bool {
        try await suppressing("lock", default: false) { try await base.lock(key, token: token, ttl: ttl) }
    }

    /// Unlocks; rethrows failures (a read-modify-write).
    nonisolated(nonsending) public func unlock(_ key: String, token: String) async throws -> Bool {
        try await base.unlock(key, token: token)
    }

    /// Whether a lock is held; false when the backend fails.
    nonisolated(nonsending) public func isLocked(_ key: String) async throws -> Bool {
        try await suppressing("is locked", default: false) { try await base.isLocked(key) }
    }

    /// Pings; never suppressed.
    nonisolated(nonsending) public func ping(_ message: String) async throws -> String { try await base.ping(message) }

    /// Runs the base's background work.
    public func run() async throws { try await base.run() }
}
