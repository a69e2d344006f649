/// A value as a backend stores it.
///
/// Backends that persist or ship values (disk, Redis) store `.bytes`; the memory backend may keep
/// an `.object` as it is, so that its hit path neither encodes nor decodes.
public enum CacheValue: Sendable {
    /// Encoded bytes (also how strings and integers travel: UTF-8 and ASCII decimal).
    case bytes([UInt8])
    /// A typed value kept as it is (memory backend only; see ``Backend/storesObjects``). It stays
    /// encodable, so that commands that work on bytes see what a disk backend would store.
    case object(any Sendable & Encodable)
}

/// A storage backend of a ``Cache``: the cashews command set, with one semantics on every
/// backend (see the conformance suite in `CashewsTesting`, which states each rule as a check).
///
/// - Keys are non-empty strings of any length; patterns are Redis globs (`GlobPattern`).
/// - Expired entries are never returned, whether or not a sweep has run.
/// - Every command but ``run()`` runs on the caller's executor (`nonisolated(nonsending)`,
///   SE-0461): a command that completes without suspending costs the same from the main actor,
///   an actor or a nonisolated task. An implementation that blocks (file or socket I/O) hands
///   that work to a thread of its own instead of holding the caller's.
/// - `increment`, conditional sets, `lock`/`unlock`, `sliceIncrement`, bits and sets are atomic,
///   across processes where the backend is shared.
public protocol Backend: Sendable {
    /// True when the backend keeps ``CacheValue/object(_:)`` values as they are.
    var storesObjects: Bool { get }
    /// True when every error the backend throws is a facade error: a ``BackendError``, a
    /// ``CashewsError``, a `GlobPatternError` or a `CancellationError` (default false). A
    /// ``Cache`` wraps a backend that says false so that its other errors surface as
    /// ``BackendError``s (see ``SuppressingBackend``).
    var throwsFacadeErrors: Bool { get }

    /// The live value of `key`. Runs on the caller's executor (`nonisolated(nonsending)`,
    /// SE-0461): a hit costs the same from the main actor, an actor or a nonisolated task.
    nonisolated(nonsending) func get(_ key: String) async throws -> CacheValue?
    /// The live values of `keys`, in order.
    nonisolated(nonsending) func get(_ keys: [String]) async throws -> [CacheValue?]
    /// Stores `value` under `key` when `condition` holds; returns whether it stored.
    nonisolated(nonsending) func set(_ key: String, _ value: CacheValue, expiry: Expiry, condition: WriteCondition)
        async throws -> Bool
    /// Stores every pair with the same expiry, all or nothing.
    nonisolated(nonsending) func set(_ entries: [(key: String, value: CacheValue)], expiry: Expiry) async throws
    /// True when `key` holds a live value.
    nonisolated(nonsending) func exists(_ key: String) async throws -> Bool
    /// Deletes `key`; returns whether a live value was deleted.
    nonisolated(nonsending) func delete(_ key: String) async throws -> Bool
    /// Deletes `keys`; returns how many live values were deleted.
    nonisolated(nonsending) func delete(_ keys: [String]) async throws -> Int
    /// Deletes every key matching the glob `pattern`; returns how many.
    nonisolated(nonsending) func delete(matching pattern: GlobPattern) async throws -> Int
    /// The live keys matching the glob `pattern`.
    nonisolated(nonsending) func keys(matching pattern: GlobPattern) async throws -> [String]
    /// Adds `delta` to the integer under `key` (0 when absent) and returns the result. A new
    /// entry gets `expiry`; an existing one keeps its own.
    nonisolated(nonsending) func increment(_ key: String, by delta: Int64, expiry: Expiry) async throws -> Int64
    /// Sets the expiry of a live entry; false when absent.
    nonisolated(nonsending) func expire(_ key: String, after duration: Duration) async throws -> Bool
    /// How long `key` has left; nil when absent.
    nonisolated(nonsending) func timeToLive(_ key: String) async throws -> TimeToLive?
    /// Atomically reads, changes (or deletes, by setting nil) and writes back the bytes of `key`.
    /// `body` may run more than once; keep it free of side effects.
    nonisolated(nonsending) func modify<R: Sendable>(
        _ key: String, _ body: @escaping @Sendable (inout (bytes: [UInt8], expiry: Expiry)?) throws -> R
    ) async throws -> R
    /// How many entries the backend holds (expired ones may count until swept).
    nonisolated(nonsending) func count() async throws -> Int
    /// The size in bytes of the value of `key`, or nil when absent.
    nonisolated(nonsending) func size(of key: String) async throws -> Int?
    /// Deletes everything.
    nonisolated(nonsending) func clear() async throws
    /// Answers `message`, proving the backend works.
    nonisolated(nonsending) func ping(_ message: String) async throws -> String
    /// Background upkeep (sweeping, syncing) until cancelled or shut down gracefully.
    ///
    /// The one requirement that does not run on the caller's executor: background work must not
    /// occupy the main actor or the actor that started it.
    func run() async throws

    // Customization points: each has a default implementation below, on `get`, `set`, `exists`
    // and `modify`; a backend with native commands (Redis `BITFIELD`, `SADD`, `SET NX PX`, a
    // Lua unlock) overrides them, and the conformance suite checks that it keeps the semantics.

    /// Reads unsigned `size`-bit counters at `indexes` of the bit field under `key` (0 when
    /// absent). `size` is 1…32.
    nonisolated(nonsending) func getBits(_ key: String, at indexes: [Int], size: Int) async throws -> [UInt64]
    /// Adds `delta` to the saturating `size`-bit counters at `indexes` (they stay within
    /// 0…2^size-1) and returns their new values.
    nonisolated(nonsending) func incrementBits(_ key: String, at indexes: [Int], size: Int, by delta: Int64)
        async throws -> [UInt64]
    /// A sliding-window counter: forgets hits before `start`, then, if fewer than `limit` hits
    /// remain, records one at `end`. Returns the hits in the window, this one included when it
    /// was recorded. Times are milliseconds; the key expires after `expiry`.
    nonisolated(nonsending) func sliceIncrement(_ key: String, start: Int64, end: Int64, limit: Int, expiry: Duration)
        async throws -> Int
    /// Adds `members` to the set under `key`; returns how many were new. `expiry` applies to
    /// the key (``Expiry/keep`` keeps the current one).
    nonisolated(nonsending) func addToSet(_ key: String, _ members: [String], expiry: Expiry) async throws -> Int
    /// Removes `members` from the set under `key`; returns how many were there.
    nonisolated(nonsending) func removeFromSet(_ key: String, _ members: [String]) async throws -> Int
    /// Removes and returns up to `count` members of the set under `key`.
    nonisolated(nonsending) func popFromSet(_ key: String, count: Int) async throws -> [String]
    /// The members of the set under `key`, sorted (none when the value is not a set).
    nonisolated(nonsending) func members(of key: String) async throws -> [String]
    /// Takes the lock `key` for `token`, for at most `ttl`; false when someone holds it.
    nonisolated(nonsending) func lock(_ key: String, token: String, ttl: Duration) async throws -> Bool
    /// Releases the lock `key` if `token` holds it; false otherwise (another owner's lock stays).
    nonisolated(nonsending) func unlock(_ key: String, token: String) async throws -> Bool
    /// True when the lock `key` is held.
    nonisolated(nonsending) func isLocked(_ key: String) async throws -> Bool

    // Transactions (see `Control/TransactionWrite.swift` for the defaults).

    /// Applies the writes of a committed ``Cache/transaction(mode:timeout:isolation:_:)``, in
    /// order. The default sends one command per write; a backend that can commit them all or
    /// none overrides it (disk: one engine write transaction; Redis: `MULTI`/`EXEC` or a script)
    /// and says so with ``commitsAtomically``.
    nonisolated(nonsending) func commit(_ writes: [TransactionWrite]) async throws
    /// True when ``commit(_:)`` applies all of its writes or none (default false).
    var commitsAtomically: Bool { get }
}

// The default implementations of the customization points.
extension Backend {
    /// False: a backend says so only when it maps its errors itself.
    public var throwsFacadeErrors: Bool { false }

    /// Reads unsigned `size`-bit counters at `indexes` of the bit field under `key` (0 when
    /// absent). `size` is 1…32.
    nonisolated(nonsending) public func getBits(_ key: String, at indexes: [Int], size: Int) async throws -> [UInt64] {
        try BitField.validate(indexes: indexes, size: size)
        guard let value = try await get(key), let bytes = ValueCodec.bytes(of: value) else {
            return indexes.map { _ in 0 }
        }
        let field = BitField(bytes: bytes, size: size)
        return indexes.map { field[$0] }
    }

    /// Adds `delta` to the saturating `size`-bit counters at `indexes` (they stay within
    /// 0…2^size-1) and returns their new values.
    nonisolated(nonsending) public func incrementBits(_ key: String, at indexes: [Int], size: Int, by delta: Int64)
        async throws
        -> [UInt64]
    {
        try BitField.validate(indexes: indexes, size: size)
        return try await modify(key) { entry in
            var field = BitField(bytes: entry?.bytes ?? [], size: size)
            let values = indexes.map { field.add(delta, at: $0) }
            entry = (field.bytes, entry?.expiry ?? .never)
            return values
        }
    }

    /// A sliding-window counter: forgets hits before `start`, then, if fewer than `limit` hits
    /// remain, records one at `end`. Returns the hits in the window, this one included when it
    /// was recorded. Times are milliseconds; the key expires after `expiry`.
    nonisolated(nonsending) public func sliceIncrement(
        _ key: String, start: Int64, end: Int64, limit: Int, expiry: Duration
    ) async throws
        -> Int
    {
        guard start <= end else { throw CashewsError.invalidArgument("a sliding window must start before it ends") }
        guard expiry > .zero else { throw CashewsError.invalidTTL(input: "\(expiry)", reason: "it must be positive") }
        return try await modify(key) { entry in
            var window = SlidingWindow(bytes: entry?.bytes ?? [])
            window.forget(before: start)
            var count = window.count(from: start, to: end)
            if count < limit {
                window.record(end)
                count += 1
            }
            entry = (window.bytes, .after(expiry))
            return count
        }
    }

    /// Adds `members` to the set under `key`; returns how many were new. `expiry` applies to
    /// the key (``Expiry/keep`` keeps the current one).
    nonisolated(nonsending) public func addToSet(_ key: String, _ members: [String], expiry: Expiry) async throws -> Int
    {
        try await modify(key) { entry in
            var set = try StringSet.stored(in: entry?.bytes, key: key)
            let added = members.reduce(0) { $0 + (set.insert($1) ? 1 : 0) }
            entry = (set.bytes, expiry == .keep ? (entry?.expiry ?? .never) : expiry)
            return added
        }
    }

    /// Removes `members` from the set under `key`; returns how many were there.
    nonisolated(nonsending) public func removeFromSet(_ key: String, _ members: [String]) async throws -> Int {
        try await modify(key) { entry in
            guard let current = entry else { return 0 }
            var set = try StringSet.stored(in: current.bytes, key: key)
            let removed = members.reduce(0) { $0 + (set.remove($1) ? 1 : 0) }
            if removed > 0 { entry = set.isEmpty ? nil : (set.bytes, current.expiry) }
            return removed
        }
    }

    /// Removes and returns up to `count` members of the set under `key`.
    nonisolated(nonsending) public func popFromSet(_ key: String, count: Int) async throws -> [String] {
        try await modify(key) { entry in
            guard let current = entry else { return [] }
            var set = try StringSet.stored(in: current.bytes, key: key)
            let popped = set.popFirst(count)
            if !popped.isEmpty { entry = set.isEmpty ? nil : (set.bytes, current.expiry) }
            return popped
        }
    }

    /// The members of the set under `key`, sorted (none when the value is not a set).
    nonisolated(nonsending) public func members(of key: String) async throws -> [String] {
        guard let value = try await get(key), let bytes = ValueCodec.bytes(of: value) else { return [] }
        return StringSet(bytes: bytes).members
    }

    /// Takes the lock `key` for `token`, for at most `ttl`; false when someone holds it.
    nonisolated(nonsending) public func lock(_ key: String, token: String, ttl: Duration) async throws -> Bool {
        try await set(key, .bytes(Array(token.utf8)), expiry: .after(ttl), condition: .ifAbsent)
    }

    /// Releases the lock `key` if `token` holds it; false otherwise (another owner's lock stays).
    nonisolated(nonsending) public func unlock(_ key: String, token: String) async throws -> Bool {
        let mine = Array(token.utf8)
        return try await modify(key) { entry in
            guard entry?.bytes == mine else { return false }
            entry = nil
            return true
        }
    }

    /// True when the lock `key` is held.
    nonisolated(nonsending) public func isLocked(_ key: String) async throws -> Bool {
        try await exists(key)
    }
}

// Shorter spellings that forward to the requirements (so that an override is always reached).
extension Backend {
    /// ``getBits(_:at:size:)`` of 1-bit counters.
    nonisolated(nonsending) public func getBits(_ key: String, at indexes: [Int]) async throws -> [UInt64] {
        try await getBits(key, at: indexes, size: 1)
    }

    /// ``incrementBits(_:at:size:by:)`` by one, of `size`-bit counters (1 by default).
    nonisolated(nonsending) public func incrementBits(_ key: String, at indexes: [Int], size: Int = 1) async throws
        -> [UInt64]
    {
        try await incrementBits(key, at: indexes, size: size, by: 1)
    }

    /// ``addToSet(_:_:expiry:)`` keeping the key's expiry.
    nonisolated(nonsending) public func addToSet(_ key: String, _ members: [String]) async throws -> Int {
        try await addToSet(key, members, expiry: .keep)
    }

    /// ``popFromSet(_:count:)`` of one member.
    nonisolated(nonsending) public func popFromSet(_ key: String) async throws -> [String] {
        try await popFromSet(key, count: 1)
    }
}
