/// A backend that keeps nothing: cashews' disabled backend, set up by the URL `"://"`.
///
/// Every read misses and every write stores nothing, so every strategy computes every time; it
/// answers as an empty cache that forgets what it is given: `get` returns nil, `set` and `add`
/// return false, `increment` returns the delta, `lock` is always taken (there is nothing to
/// contend for), `ping` answers. Use it to turn caching off by configuration:
///
/// ```swift
/// try cache.setup(ProcessInfo.processInfo.environment["CACHE_URL"] ?? "://")
/// ```
public struct DisabledBackend: Backend {
    /// A disabled backend.
    public init() {}

    /// It keeps no values, objects or bytes.
    public var storesObjects: Bool { false }
    /// It throws only facade errors (bad arguments).
    public var throwsFacadeErrors: Bool { true }

    /// Nil: nothing is kept.
    nonisolated(nonsending) public func get(_ key: String) async throws -> CacheValue? {
        guard !key.isEmpty else { throw CashewsError.emptyKey }
        return nil
    }

    /// Nils.
    nonisolated(nonsending) public func get(_ keys: [String]) async throws -> [CacheValue?] { keys.map { _ in nil } }

    /// Stores nothing: false.
    nonisolated(nonsending) public func set(
        _ key: String, _ value: CacheValue, expiry: Expiry, condition: WriteCondition
    ) async throws -> Bool {
        guard !key.isEmpty else { throw CashewsError.emptyKey }
        if let invalid = expiry.invalidDuration {
            throw CashewsError.invalidTTL(input: "\(invalid)", reason: "it must be positive")
        }
        return false
    }

    /// Stores nothing.
    nonisolated(nonsending) public func set(_ entries: [(key: String, value: CacheValue)], expiry: Expiry) async throws
    {}

    /// False.
    nonisolated(nonsending) public func exists(_ key: String) async throws -> Bool { false }
    /// False.
    nonisolated(nonsending) public func delete(_ key: String) async throws -> Bool { false }
    /// 0.
    nonisolated(nonsending) public func delete(_ keys: [String]) async throws -> Int { 0 }
    /// 0.
    nonisolated(nonsending) public func delete(matching pattern: GlobPattern) async throws -> Int { 0 }
    /// None.
    nonisolated(nonsending) public func keys(matching pattern: GlobPattern) async throws -> [String] { [] }
    /// `delta`: the count of a key that was absent.
    nonisolated(nonsending) public func increment(_ key: String, by delta: Int64, expiry: Expiry) async throws -> Int64
    {
        delta
    }
    /// False.
    nonisolated(nonsending) public func expire(_ key: String, after duration: Duration) async throws -> Bool { false }
    /// Nil.
    nonisolated(nonsending) public func timeToLive(_ key: String) async throws -> TimeToLive? { nil }

    /// Runs `body` on an absent entry and keeps nothing of what it writes.
    nonisolated(nonsending) public func modify<R: Sendable>(
        _ key: String, _ body: @escaping @Sendable (inout (bytes: [UInt8], expiry: Expiry)?) throws -> R
    ) async throws -> R {
        var entry: (bytes: [UInt8], expiry: Expiry)? = nil
        return try body(&entry)
    }

    /// 0.
    nonisolated(nonsending) public func count() async throws -> Int { 0 }
    /// Nil.
    nonisolated(nonsending) public func size(of key: String) async throws -> Int? { nil }
    /// Nothing to clear.
    nonisolated(nonsending) public func clear() async throws {}
    /// `message`.
    nonisolated(nonsending) public func ping(_ message: String) async throws -> String { message }
    /// Taken: there is nothing to contend for.
    nonisolated(nonsending) public func lock(_ key: String, token: String, ttl: Duration) async throws -> Bool { true }
    /// False: no lock is held.
    nonisolated(nonsending) public func unlock(_ key: String, token: String) async throws -> Bool { false }
    /// False.
    nonisolated(nonsending) public func isLocked(_ key: String) async throws -> Bool { false }
    /// No background work.
    public func run() async throws {}
}

extension BackendRegistration {
    /// `"://"`: a ``DisabledBackend`` (registered from the start), as in cashews.
    public static let disabled = BackendRegistration(scheme: "") { url, _ in
        try url.checkNoOtherParameters(accepted: [])
        return DisabledBackend()
    }
}
