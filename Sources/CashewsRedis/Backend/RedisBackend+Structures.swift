import Cashews

// The customization points, native: BITFIELD, sorted-set and set commands, SET NX PX locks and a
// compare-and-delete script.
extension RedisBackend {
    private static func validateBits(_ indexes: [Int], size: Int) throws {
        guard (1...32).contains(size) else {
            throw CashewsError.invalidArgument("bit counter size \(size): use 1...32 bits")
        }
        if let bad = indexes.first(where: { $0 < 0 || $0 > (1 << 26) }) {
            throw CashewsError.invalidArgument("bit index \(bad): use 0...\(1 << 26)")
        }
    }

    private static func counters(_ reply: RESPValue, _ count: Int, _ operation: String) throws -> [UInt64] {
        guard let values = reply.elements, values.count == count else { throw unexpected(reply, operation) }
        return values.map { UInt64(max(0, $0.integer ?? 0)) }
    }

    /// Reads counters (`BITFIELD_RO … GET u<size> #<index>`).
    nonisolated(nonsending) public func getBits(_ key: String, at indexes: [Int], size: Int) async throws -> [UInt64] {
        let stored = try stored(key)
        try RedisBackend.validateBits(indexes, size: size)
        guard !indexes.isEmpty else { return [] }
        var command: [RESPArgument] = ["BITFIELD_RO", stored]
        for index in indexes { command += ["GET", .string("u\(size)"), .string("#\(index)")] }
        let reply = try await send("getbits", key: key, RESPCommand(command))
        return try RedisBackend.counters(reply, indexes.count, "getbits")
    }

    /// Adds to saturating counters (`BITFIELD … OVERFLOW SAT INCRBY u<size> #<index> delta`).
    nonisolated(nonsending) public func incrementBits(_ key: String, at indexes: [Int], size: Int, by delta: Int64)
        async throws -> [UInt64]
    {
        let stored = try stored(key)
        try RedisBackend.validateBits(indexes, size: size)
        guard !indexes.isEmpty else { return [] }
        var command: [RESPArgument] = ["BITFIELD", stored, "OVERFLOW", "SAT"]
        for index in indexes { command += ["INCRBY", .string("u\(size)"), .string("#\(index)"), .integer(delta)] }
        clientSide?.invalidate(stored: [configuration.namespace + key])
        let reply = try await send("incrbits", key: key, RESPCommand(command))
        return try RedisBackend.counters(reply, indexes.count, "incrbits")
    }

    /// A sliding window on a sorted set of hit times (one script).
    nonisolated(nonsending) public func sliceIncrement(
        _ key: String, start: Int64, end: Int64, limit: Int, expiry: Duration
    ) async throws -> Int {
        let stored = try stored(key)
        guard start <= end else { throw CashewsError.invalidArgument("a sliding window must start before it ends") }
        guard expiry > .zero else { throw CashewsError.invalidTTL(input: "\(expiry)", reason: "it must be positive") }
        let member = "\(end):\(UInt64.random(in: 0...UInt64.max))"
        let reply = try await evaluate(
            "slice_incr", .slidingWindow, key: key, keys: [stored],
            arguments: [
                .integer(start), .integer(end), .integer(Int64(limit)),
                .integer(RedisBackend.serverMilliseconds(expiry)),
                .string(member),
            ])
        guard let count = reply.integer else { throw RedisBackend.unexpected(reply, "slice_incr") }
        return Int(count)
    }

    /// Adds members (`SADD`; a script when the expiry changes too).
    nonisolated(nonsending) public func addToSet(_ key: String, _ members: [String], expiry: Expiry) async throws -> Int
    {
        let stored = try stored(key)
        let (mode, milliseconds) = try RedisBackend.scriptExpiry(expiry)
        guard !members.isEmpty else { return 0 }
        let arguments = members.map(RESPArgument.string)
        let reply: RESPValue
        if mode == "keep" {
            reply = try await send("sadd", key: key, RESPCommand(["SADD", stored] + arguments))
        } else {
            reply = try await evaluate(
                "sadd", .addToSet, key: key, keys: [stored],
                arguments: [.string(mode), .integer(milliseconds)] + arguments)
        }
        return Int(reply.integer ?? 0)
    }

    /// Removes members (`SREM`; Redis deletes an emptied set).
    nonisolated(nonsending) public func removeFromSet(_ key: String, _ members: [String]) async throws -> Int {
        let stored = try stored(key)
        guard !members.isEmpty else { return 0 }
        let reply = try await send("srem", key: key, RESPCommand(["SREM", stored] + members.map(RESPArgument.string)))
        return Int(reply.integer ?? 0)
    }

    /// Pops members (`SPOP key count`).
    nonisolated(nonsending) public func popFromSet(_ key: String, count: Int) async throws -> [String] {
        let stored = try stored(key)
        guard count >= 0 else { throw CashewsError.invalidArgument("pop count \(count): use 0 or more") }
        guard count > 0 else { return [] }
        let reply = try await send("spop", key: key, ["SPOP", stored, .integer(Int64(count))])
        return (reply.elements ?? []).compactMap(\.text)
    }

    /// The members, sorted (`SMEMBERS`); none when the value is not a set.
    nonisolated(nonsending) public func members(of key: String) async throws -> [String] {
        let stored = try stored(key)
        do {
            let reply = try await send("smembers", key: key, ["SMEMBERS", stored])
            return (reply.elements ?? []).compactMap(\.text).sorted()
        } catch let error as BackendError where error.kind == .invalidArgument {
            return []
        }
    }

    /// Takes the lock (`SET key token NX PX ttl`).
    nonisolated(nonsending) public func lock(_ key: String, token: String, ttl: Duration) async throws -> Bool {
        try await set(key, .bytes(Array(token.utf8)), expiry: .after(ttl), condition: .ifAbsent)
    }

    /// Releases the lock if `token` holds it (a compare-and-delete script).
    nonisolated(nonsending) public func unlock(_ key: String, token: String) async throws -> Bool {
        let stored = try stored(key)
        clientSide?.invalidate(stored: [configuration.namespace + key])
        let reply = try await evaluate(
            "unlock", .compareAndDelete, key: key, keys: [stored], arguments: [.string(token)])
        return reply.integer == 1
    }

    /// True when the lock is held (`EXISTS`).
    nonisolated(nonsending) public func isLocked(_ key: String) async throws -> Bool {
        try await exists(key)
    }
}
