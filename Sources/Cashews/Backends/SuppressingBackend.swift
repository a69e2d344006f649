import Logging
import Metrics

/// A backend whose failures become misses and no-ops, logged and counted, instead of errors:
/// cashews' `suppress`. It covers every command, the read-modify-write ones too (sets, bits,
/// sliding windows, unlock), each with the answer of an empty cache; a ``lock(_:token:ttl:)``
/// that fails is taken (fails open, as in cashews), so `locked` and `cached(lock: true)` run at
/// once rather than wait for a lock a dead backend cannot give. Only storage failures are
/// suppressed: bad arguments (an invalid TTL, an increment of a non-integer, a value too large
/// for the cache: ``BackendError/isArgumentError``) and cancellation still throw, and so do
/// ``ping(_:)``, which exists to find out, and the ``modify(_:_:)`` primitive, which has no
/// default answer (as a ``BackendError``).
///
/// ``Cache/setup(_:prefix:suppress:name:format:)`` also wraps, without suppressing, a backend
/// whose errors are not all facade errors (``Backend/throwsFacadeErrors``), so that a backend's
/// failure always surfaces as a ``BackendError`` (kind ``BackendError/Kind/unavailable``, the
/// backend's own error as ``BackendError/underlying``).
public struct SuppressingBackend: Backend {
    /// The backend whose failures are suppressed.
    public let base: any Backend
    private let name: String
    private let logger: Logger
    private let failures: Counter
    /// False when failures are only mapped to ``BackendError``, not suppressed.
    private let suppresses: Bool

    /// Wraps `base`; failures are logged to `logger` and counted in the swift-metrics counter
    /// `cashews_backend_failures` (dimension `backend`).
    public init(_ base: any Backend, name: String, logger: Logger) {
        self.init(base, name: name, logger: logger, suppresses: true)
    }

    init(_ base: any Backend, name: String, logger: Logger, suppresses: Bool) {
        self.base = base
        self.name = name
        self.logger = logger
        self.suppresses = suppresses
        self.failures = Counter(label: "cashews_backend_failures", dimensions: [("backend", name)])
    }

    /// Every error this wrapper throws is a facade error.
    public var throwsFacadeErrors: Bool { true }

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
            guard suppresses else { throw facadeError(error, operation) }
            logger.warning(
                "cache backend failed; suppressed", metadata: ["operation": "\(operation)", "error": "\(error)"])
            return fallback
        }
    }

    /// Runs `body`, turning a failure that is not a facade error into a ``BackendError``.
    nonisolated(nonsending) private func mapping<R>(_ operation: String, _ body: () async throws -> R) async throws
        -> R
    {
        do {
            return try await body()
        } catch let error as CashewsError {
            throw error
        } catch let error as BackendError {
            throw error
        } catch let error as CancellationError {
            throw error
        } catch let error as GlobPatternError {
            throw error
        } catch {
            throw facadeError(error, operation)
        }
    }

    /// `error` as a ``BackendError``: itself when it is one, else an unavailable backend.
    private func facadeError(_ error: any Error, _ operation: String) -> any Error {
        if error is BackendError { return error }
        return BackendError(
            .unavailable,
            message: "the \(name) backend failed in \(operation) (\(error)); check that it is reachable, or set it"
                + " up with suppress=true to read failures as misses",
            underlying: error)
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

    /// Modifies; a failure throws, as a ``BackendError`` (the primitive has no default result).
    nonisolated(nonsending) public func modify<R: Sendable>(
        _ key: String, _ body: @escaping @Sendable (inout (bytes: [UInt8], expiry: Expiry)?) throws -> R
    ) async throws -> R {
        try await mapping("modify") { try await base.modify(key, body) }
    }

    /// Commits a transaction's writes through the base backend (its own, atomic ``commit(_:)``
    /// where it has one), or does nothing when the backend fails.
    nonisolated(nonsending) public func commit(_ writes: [TransactionWrite]) async throws {
        try await suppressing("commit", default: ()) { try await base.commit(writes) }
    }

    /// Whether the base backend commits atomically.
    public var commitsAtomically: Bool { base.commitsAtomically }

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

    /// Increments bits; zeros when the backend fails (the counters of an empty cache).
    nonisolated(nonsending) public func incrementBits(_ key: String, at indexes: [Int], size: Int, by delta: Int64)
        async throws -> [UInt64]
    {
        try await suppressing("incrbits", default: indexes.map { _ in 0 }) {
            try await base.incrementBits(key, at: indexes, size: size, by: delta)
        }
    }

    /// Counts in a sliding window; 0 when the backend fails (so a rate limit lets calls through,
    /// as cashews' suppressed backend does).
    nonisolated(nonsending) public func sliceIncrement(
        _ key: String, start: Int64, end: Int64, limit: Int, expiry: Duration
    ) async throws
        -> Int
    {
        try await suppressing("slice increment", default: 0) {
            try await base.sliceIncrement(key, start: start, end: end, limit: limit, expiry: expiry)
        }
    }

    /// Adds to a set; 0 when the backend fails.
    nonisolated(nonsending) public func addToSet(_ key: String, _ members: [String], expiry: Expiry) async throws -> Int
    {
        try await suppressing("set add", default: 0) { try await base.addToSet(key, members, expiry: expiry) }
    }

    /// Removes from a set; 0 when the backend fails.
    nonisolated(nonsending) public func removeFromSet(_ key: String, _ members: [String]) async throws -> Int {
        try await suppressing("set remove", default: 0) { try await base.removeFromSet(key, members) }
    }

    /// Pops from a set; none when the backend fails.
    nonisolated(nonsending) public func popFromSet(_ key: String, count: Int) async throws -> [String] {
        try await suppressing("set pop", default: []) { try await base.popFromSet(key, count: count) }
    }

    /// Set members; none when the backend fails.
    nonisolated(nonsending) public func members(of key: String) async throws -> [String] {
        try await suppressing("members", default: []) { try await base.members(of: key) }
    }

    /// Locks; true (taken: the lock fails open, as in cashews) when the backend fails.
    nonisolated(nonsending) public func lock(_ key: String, token: String, ttl: Duration) async throws -> Bool {
        try await suppressing("lock", default: true) { try await base.lock(key, token: token, ttl: ttl) }
    }

    /// Unlocks; false when the backend fails.
    nonisolated(nonsending) public func unlock(_ key: String, token: String) async throws -> Bool {
        try await suppressing("unlock", default: false) { try await base.unlock(key, token: token) }
    }

    /// Whether a lock is held; false when the backend fails.
    nonisolated(nonsending) public func isLocked(_ key: String) async throws -> Bool {
        try await suppressing("is locked", default: false) { try await base.isLocked(key) }
    }

    /// Pings; never suppressed (a failure throws, as a ``BackendError``).
    nonisolated(nonsending) public func ping(_ message: String) async throws -> String {
        try await mapping("ping") { try await base.ping(message) }
    }

    /// Runs the base's background work.
    public func run() async throws { try await base.run() }
}
