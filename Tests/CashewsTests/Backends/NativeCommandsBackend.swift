import Cashews
import Synchronization

/// A backend that overrides every customization point, as a Redis backend will (`SET NX PX`,
/// `BITFIELD`, `SADD`, a Lua unlock): the base commands go to a memory backend, and each
/// customization point is its own code, which records that it was reached. Its own lock and set
/// commands keep their state in the same keyspace, as Redis does.
final class NativeCommandsBackend: Backend {
    /// The customization points reached so far, by any instance.
    static let reached = Mutex<Set<String>>([])
    /// Every customization point of ``Backend``.
    static let customizationPoints: Set<String> = [
        "getBits", "incrementBits", "sliceIncrement", "addToSet", "removeFromSet", "popFromSet", "members", "lock",
        "unlock", "isLocked", "commit",
    ]

    private let base: MemoryBackend

    init(clock: ManualClock) { base = MemoryBackend(configuration: .init(clock: .manual(clock))) }

    /// How often this instance got each base command ("get", "get many", "delete", "delete many", …).
    let calls = Mutex<[String: Int]>([:])

    private func reach(_ command: String) { _ = Self.reached.withLock { $0.insert(command) } }
    private func count(_ command: String) { calls.withLock { $0[command, default: 0] += 1 } }

    // MARK: The base commands, forwarded

    var storesObjects: Bool { false }
    nonisolated(nonsending) func get(_ key: String) async throws -> CacheValue? {
        count("get")
        return try await base.get(key)
    }
    nonisolated(nonsending) func get(_ keys: [String]) async throws -> [CacheValue?] {
        count("get many")
        return try await base.get(keys)
    }
    nonisolated(nonsending) func set(_ key: String, _ value: CacheValue, expiry: Expiry, condition: WriteCondition)
        async throws -> Bool
    {
        try await base.set(key, value, expiry: expiry, condition: condition)
    }
    nonisolated(nonsending) func set(_ entries: [(key: String, value: CacheValue)], expiry: Expiry) async throws {
        count("set many")
        try await base.set(entries, expiry: expiry)
    }
    nonisolated(nonsending) func exists(_ key: String) async throws -> Bool { try await base.exists(key) }
    nonisolated(nonsending) func delete(_ key: String) async throws -> Bool {
        count("delete")
        return try await base.delete(key)
    }
    nonisolated(nonsending) func delete(_ keys: [String]) async throws -> Int {
        count("delete many")
        return try await base.delete(keys)
    }
    nonisolated(nonsending) func delete(matching pattern: GlobPattern) async throws -> Int {
        try await base.delete(matching: pattern)
    }
    nonisolated(nonsending) func keys(matching pattern: GlobPattern) async throws -> [String] {
        try await base.keys(matching: pattern)
    }
    nonisolated(nonsending) func increment(_ key: String, by delta: Int64, expiry: Expiry) async throws -> Int64 {
        try await base.increment(key, by: delta, expiry: expiry)
    }
    nonisolated(nonsending) func expire(_ key: String, after duration: Duration) async throws -> Bool {
        try await base.expire(key, after: duration)
    }
    nonisolated(nonsending) func timeToLive(_ key: String) async throws -> TimeToLive? {
        try await base.timeToLive(key)
    }
    nonisolated(nonsending) func modify<R: Sendable>(
        _ key: String, _ body: @escaping @Sendable (inout (bytes: [UInt8], expiry: Expiry)?) throws -> R
    ) async throws -> R {
        try await base.modify(key, body)
    }
    nonisolated(nonsending) func count() async throws -> Int { try await base.count() }
    nonisolated(nonsending) func size(of key: String) async throws -> Int? { try await base.size(of: key) }
    nonisolated(nonsending) func clear() async throws { try await base.clear() }
    nonisolated(nonsending) func ping(_ message: String) async throws -> String { message }
    func run() async throws {}

    // MARK: The customization points, overridden

    nonisolated(nonsending) func getBits(_ key: String, at indexes: [Int], size: Int) async throws -> [UInt64] {
        reach("getBits")
        return try await base.getBits(key, at: indexes, size: size)
    }

    nonisolated(nonsending) func incrementBits(_ key: String, at indexes: [Int], size: Int, by delta: Int64)
        async throws -> [UInt64]
    {
        reach("incrementBits")
        return try await base.incrementBits(key, at: indexes, size: size, by: delta)
    }

    nonisolated(nonsending) func sliceIncrement(_ key: String, start: Int64, end: Int64, limit: Int, expiry: Duration)
        async throws -> Int
    {
        reach("sliceIncrement")
        return try await base.sliceIncrement(key, start: start, end: end, limit: limit, expiry: expiry)
    }

    nonisolated(nonsending) func addToSet(_ key: String, _ members: [String], expiry: Expiry) async throws -> Int {
        reach("addToSet")
        return try await base.addToSet(key, members, expiry: expiry)
    }

    nonisolated(nonsending) func removeFromSet(_ key: String, _ members: [String]) async throws -> Int {
        reach("removeFromSet")
        return try await base.removeFromSet(key, members)
    }

    nonisolated(nonsending) func popFromSet(_ key: String, count: Int) async throws -> [String] {
        reach("popFromSet")
        return try await base.popFromSet(key, count: count)
    }

    nonisolated(nonsending) func members(of key: String) async throws -> [String] {
        reach("members")
        return try await base.members(of: key)
    }

    /// `SET key token NX PX ttl`, in one command.
    nonisolated(nonsending) func lock(_ key: String, token: String, ttl: Duration) async throws -> Bool {
        reach("lock")
        return try await base.set(key, .bytes(Array(token.utf8)), expiry: .after(ttl), condition: .ifAbsent)
    }

    /// The compare-and-delete a Redis backend runs as a Lua script.
    nonisolated(nonsending) func unlock(_ key: String, token: String) async throws -> Bool {
        reach("unlock")
        let mine = Array(token.utf8)
        return try await base.modify(key) { entry in
            guard entry?.bytes == mine else { return false }
            entry = nil
            return true
        }
    }

    nonisolated(nonsending) func isLocked(_ key: String) async throws -> Bool {
        reach("isLocked")
        return try await base.exists(key)
    }

    /// All or none, as a `MULTI`/`EXEC` block: every write is checked before the first applies.
    nonisolated(nonsending) func commit(_ writes: [TransactionWrite]) async throws {
        reach("commit")
        for write in writes where write.key?.isEmpty == true { throw CashewsError.emptyKey }
        for write in writes {
            switch write {
            case .set(let key, let value, let expiry):
                _ = try await base.set(key, value, expiry: expiry, condition: .always)
            case .delete(let key): _ = try await base.delete(key)
            case .deleteMatching(let pattern): _ = try await base.delete(matching: pattern)
            }
        }
    }

    /// True: ``commit(_:)`` checks every write first.
    var commitsAtomically: Bool { true }
}
