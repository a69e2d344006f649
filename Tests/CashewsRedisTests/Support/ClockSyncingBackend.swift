import Cashews

/// A backend that sets its server's ``FakeTime`` from a `ManualClock` before every command, so
/// that a check advancing the clock moves the server's expiry with it.
struct ClockSyncingBackend: Backend {
    let base: any Backend
    let clock: ManualClock
    let time: FakeTime

    private func sync() { time.set(clock.milliseconds) }

    var storesObjects: Bool { base.storesObjects }
    var throwsFacadeErrors: Bool { base.throwsFacadeErrors }

    nonisolated(nonsending) func get(_ key: String) async throws -> CacheValue? {
        sync()
        return try await base.get(key)
    }
    nonisolated(nonsending) func get(_ keys: [String]) async throws -> [CacheValue?] {
        sync()
        return try await base.get(keys)
    }
    nonisolated(nonsending) func set(_ key: String, _ value: CacheValue, expiry: Expiry, condition: WriteCondition)
        async throws -> Bool
    {
        sync()
        return try await base.set(key, value, expiry: expiry, condition: condition)
    }
    nonisolated(nonsending) func set(_ entries: [(key: String, value: CacheValue)], expiry: Expiry) async throws {
        sync()
        try await base.set(entries, expiry: expiry)
    }
    nonisolated(nonsending) func exists(_ key: String) async throws -> Bool {
        sync()
        return try await base.exists(key)
    }
    nonisolated(nonsending) func delete(_ key: String) async throws -> Bool {
        sync()
        return try await base.delete(key)
    }
    nonisolated(nonsending) func delete(_ keys: [String]) async throws -> Int {
        sync()
        return try await base.delete(keys)
    }
    nonisolated(nonsending) func delete(matching pattern: GlobPattern) async throws -> Int {
        sync()
        return try await base.delete(matching: pattern)
    }
    nonisolated(nonsending) func keys(matching pattern: GlobPattern) async throws -> [String] {
        sync()
        return try await base.keys(matching: pattern)
    }
    nonisolated(nonsending) func increment(_ key: String, by delta: Int64, expiry: Expiry) async throws -> Int64 {
        sync()
        return try await base.increment(key, by: delta, expiry: expiry)
    }
    nonisolated(nonsending) func expire(_ key: String, after duration: Duration) async throws -> Bool {
        sync()
        return try await base.expire(key, after: duration)
    }
    nonisolated(nonsending) func timeToLive(_ key: String) async throws -> TimeToLive? {
        sync()
        return try await base.timeToLive(key)
    }
    nonisolated(nonsending) func modify<R: Sendable>(
        _ key: String, _ body: @escaping @Sendable (inout (bytes: [UInt8], expiry: Expiry)?) throws -> R
    ) async throws -> R {
        sync()
        return try await base.modify(key, body)
    }
    nonisolated(nonsending) func count() async throws -> Int {
        sync()
        return try await base.count()
    }
    nonisolated(nonsending) func size(of key: String) async throws -> Int? {
        sync()
        return try await base.size(of: key)
    }
    nonisolated(nonsending) func clear() async throws {
        sync()
        try await base.clear()
    }
    nonisolated(nonsending) func ping(_ message: String) async throws -> String {
        sync()
        return try await base.ping(message)
    }
    func run() async throws { try await base.run() }
    nonisolated(nonsending) func getBits(_ key: String, at indexes: [Int], size: Int) async throws -> [UInt64] {
        sync()
        return try await base.getBits(key, at: indexes, size: size)
    }
    nonisolated(nonsending) func incrementBits(_ key: String, at indexes: [Int], size: Int, by delta: Int64)
        async throws -> [UInt64]
    {
        sync()
        return try await base.incrementBits(key, at: indexes, size: size, by: delta)
    }
    nonisolated(nonsending) func sliceIncrement(_ key: String, start: Int64, end: Int64, limit: Int, expiry: Duration)
        async throws -> Int
    {
        sync()
        return try await base.sliceIncrement(key, start: start, end: end, limit: limit, expiry: expiry)
    }
    nonisolated(nonsending) func addToSet(_ key: String, _ members: [String], expiry: Expiry) async throws -> Int {
        sync()
        return try await base.addToSet(key, members, expiry: expiry)
    }
    nonisolated(nonsending) func removeFromSet(_ key: String, _ members: [String]) async throws -> Int {
        sync()
        return try await base.removeFromSet(key, members)
    }
    nonisolated(nonsending) func popFromSet(_ key: String, count: Int) async throws -> [String] {
        sync()
        return try await base.popFromSet(key, count: count)
    }
    nonisolated(nonsending) func members(of key: String) async throws -> [String] {
        sync()
        return try await base.members(of: key)
    }
    nonisolated(nonsending) func lock(_ key: String, token: String, ttl: Duration) async throws -> Bool {
        sync()
        return try await base.lock(key, token: token, ttl: ttl)
    }
    nonisolated(nonsending) func unlock(_ key: String, token: String) async throws -> Bool {
        sync()
        return try await base.unlock(key, token: token)
    }
    nonisolated(nonsending) func isLocked(_ key: String) async throws -> Bool {
        sync()
        return try await base.isLocked(key)
    }
}
