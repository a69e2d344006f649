public import Cashews
public import Logging

/// A Redis server as a backend: every command is native and atomic on the server (`SET NX PX`,
/// `INCRBY`, `BITFIELD`, `SADD`, Lua scripts for what needs several steps), so that several
/// processes share one cache safely.
///
/// Commands go through a ``RedisConnectionPool`` whose connections are shared by pipelining;
/// expiry is decided by the server's clock. Errors are facade errors: a server that cannot be
/// reached or does not answer in time is a `BackendError` of kind `unavailable` (a suppressed
/// backend, the default for `redis://`, reads it as a miss), an error reply of kind `storage`,
/// a value of another type (`WRONGTYPE`) or an increment of a non-integer an argument error.
///
/// ```swift
/// Cache.register(.redis)
/// try cache.setup("redis://localhost:6379/0?max_connections=8&socket_timeout=250ms")
/// ```
public final class RedisBackend: Backend {
    /// Where commands go.
    public let executor: any RedisCommandExecutor
    /// What the backend connects to and how.
    public let configuration: RedisConfiguration
    let logger: Logger
    let clientSide: ClientSideCache?

    /// A backend for `configuration`, logging to `logger`; its pool opens connections on first use.
    public init(configuration: RedisConfiguration, logger: Logger = Logger(label: "swift-cashews.redis")) {
        self.configuration = configuration
        self.logger = logger
        let clientSide =
            configuration.clientSideCaching
            ? ClientSideCache(capacity: configuration.clientSideCacheSize, namespace: configuration.namespace) : nil
        self.clientSide = clientSide
        self.executor = RedisConnectionPool(
            configuration, logger: logger,
            onPush: { message in clientSide?.handle(push: message) },
            onConnect: { connection in try await clientSide?.track(connection) },
            onDisconnect: { clientSide?.invalidateAll() })
    }

    /// Closes the backend's connections; later commands fail (as unavailable).
    public func shutdown() async { await executor.shutdown() }

    /// Redis stores bytes.
    public var storesObjects: Bool { false }

    /// Every error is a facade error (see the type's documentation).
    public var throwsFacadeErrors: Bool { true }

    // MARK: Helpers

    /// The key as stored: the namespace, then `key`.
    func stored(_ key: String) throws -> RESPArgument {
        guard !key.isEmpty else { throw CashewsError.emptyKey }
        return .string(configuration.namespace + key)
    }

    static func bytes(_ value: CacheValue, key: String) throws -> [UInt8] {
        guard let bytes = ValueCodec.bytes(of: value) else {
            throw CashewsError.encodingFailed(key: key, type: "object", reason: "the Redis backend stores bytes")
        }
        return bytes
    }

    /// A relative expiry as the server takes it. Redis keeps a key alive through its deadline
    /// (expired when now > deadline) where the contract ends it at the deadline (now >= deadline):
    /// the server is given the last millisecond the key lives, one before the deadline (a TTL of
    /// 1 ms, which cannot be 0, lives 1 ms too long), and ``serverTTL(_:)`` adds it back.
    static func serverMilliseconds(_ duration: Duration) -> Int64 {
        max(1, duration.roundedUpMilliseconds - 1)
    }

    /// An absolute deadline as the server takes it (see ``serverMilliseconds(_:)``).
    static func serverDeadline(_ milliseconds: Int64) -> Int64 { max(1, milliseconds - 1) }

    /// The contract's TTL of a server's `PTTL` in milliseconds (see ``serverMilliseconds(_:)``).
    static func contractMilliseconds(_ serverMilliseconds: Int64) -> Int64 { serverMilliseconds + 1 }

    /// The `SET` options of `expiry`.
    static func setOptions(_ expiry: Expiry) throws -> [RESPArgument] {
        if let invalid = expiry.invalidDuration {
            throw CashewsError.invalidTTL(input: "\(invalid)", reason: "it must be positive")
        }
        switch expiry {
        case .never: return []
        case .after(let duration): return ["PX", .integer(serverMilliseconds(duration))]
        case .at(let milliseconds): return ["PXAT", .integer(serverDeadline(milliseconds))]
        case .keep: return ["KEEPTTL"]
        }
    }

    /// The mode and milliseconds the scripts take for `expiry`.
    static func scriptExpiry(_ expiry: Expiry) throws -> (mode: String, milliseconds: Int64) {
        if let invalid = expiry.invalidDuration {
            throw CashewsError.invalidTTL(input: "\(invalid)", reason: "it must be positive")
        }
        switch expiry {
        case .never: return ("never", 0)
        case .after(let duration): return ("px", serverMilliseconds(duration))
        case .at(let milliseconds): return ("pxat", serverDeadline(milliseconds))
        case .keep: return ("keep", 0)
        }
    }

    /// Sends `command` about `key`, mapping failures to facade errors.
    nonisolated(nonsending) func send(_ operation: String, key: String? = nil, _ command: RESPCommand)
        async throws -> RESPValue
    {
        let executor = self.executor
        return try await translating(operation, key: key) { try await executor.send(command) }
    }

    /// Runs `script` (`EVALSHA`, then `EVAL` when the server answers `NOSCRIPT`).
    nonisolated(nonsending) func evaluate(
        _ operation: String, _ script: RedisScript, key: String?, keys: [RESPArgument], arguments: [RESPArgument]
    ) async throws -> RESPValue {
        let executor = self.executor
        let tail = [.integer(Int64(keys.count))] + keys + arguments
        return try await translating(operation, key: key) {
            do {
                return try await executor.send(RESPCommand(["EVALSHA", .string(script.sha)] + tail))
            } catch let error as RedisError where error.kind == .server && error.message.hasPrefix("NOSCRIPT") {
                return try await executor.send(RESPCommand(["EVAL", .string(script.source)] + tail))
            }
        }
    }

    /// Every key matching `pattern` in this backend's namespace, as stored (`SCAN MATCH COUNT`,
    /// never `KEYS`).
    nonisolated(nonsending) func scan(_ operation: String, _ pattern: String) async throws -> [String] {
        let match = RedisBackend.escapedGlob(configuration.namespace) + pattern
        var cursor = "0"
        // Bytes, not strings: canonically equivalent keys ("café" composed and decomposed) are
        // distinct keys.
        var found = Set<[UInt8]>()
        repeat {
            let reply = try await send(operation, ["SCAN", .string(cursor), "MATCH", .string(match), "COUNT", "1000"])
            guard let parts = reply.elements, parts.count == 2, let next = parts[0].text,
                let keys = parts[1].elements
            else { throw RedisBackend.unexpected(reply, operation) }
            for key in keys { if let bytes = key.bytes { found.insert(bytes) } }
            cursor = next
        } while cursor != "0"
        return found.map { String(decoding: $0, as: UTF8.self) }
    }

    /// `text` with the glob's special characters escaped.
    static func escapedGlob(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if "*?[]\\".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }

    /// Deletes stored keys in batches (`UNLINK`); returns how many existed.
    nonisolated(nonsending) func unlink(_ operation: String, _ keys: [String]) async throws -> Int {
        var deleted = 0
        var start = 0
        while start < keys.count {
            let batch = keys[start..<min(start + 500, keys.count)].map { RESPArgument.string($0) }
            deleted += Int(try await send(operation, RESPCommand(["UNLINK"] + batch)).integer ?? 0)
            start += 500
        }
        clientSide?.invalidate(stored: keys)
        return deleted
    }

    static func unexpected(_ reply: RESPValue, _ operation: String) -> BackendError {
        BackendError(.storage, message: "Redis answered \(operation) with an unexpected reply: \(reply)")
    }

    // MARK: Backend

    /// The value of `key` (`GET`; from the local tier first when client-side caching is on).
    nonisolated(nonsending) public func get(_ key: String) async throws -> CacheValue? {
        let stored = try stored(key)
        if let clientSide {
            let executor = self.executor
            return try await clientSide.get(configuration.namespace + key) {
                // The value and its TTL on one connection, in order: an invalidation of a write
                // after the GET comes after both replies.
                let replies = try await translating("get", key: key) {
                    try await executor.sendRaw([["GET", stored], ["PTTL", stored]])
                }
                if case .error(let message) = replies[0] {
                    throw RedisBackend.translated(
                        RedisError(.server, message), operation: "get", key: key, logger: logger)
                }
                return (replies[0].bytes, replies[1].integer ?? -1)
            }.map(CacheValue.bytes)
        }
        return try await send("get", key: key, ["GET", stored]).bytes.map(CacheValue.bytes)
    }

    /// The values of `keys` (`MGET`).
    nonisolated(nonsending) public func get(_ keys: [String]) async throws -> [CacheValue?] {
        guard !keys.isEmpty else { return [] }
        let stored = try keys.map(stored)
        let reply = try await send("get many", RESPCommand(["MGET"] + stored))
        guard let values = reply.elements, values.count == keys.count else {
            throw RedisBackend.unexpected(reply, "get many")
        }
        return values.map { $0.bytes.map(CacheValue.bytes) }
    }

    /// Stores `value` (`SET … PX|PXAT|KEEPTTL NX|XX`).
    nonisolated(nonsending) public func set(
        _ key: String, _ value: CacheValue, expiry: Expiry, condition: WriteCondition
    ) async throws -> Bool {
        let stored = try stored(key)
        let bytes = try RedisBackend.bytes(value, key: key)
        var command: [RESPArgument] = ["SET", stored, .bytes(bytes)]
        command += try RedisBackend.setOptions(expiry)
        switch condition {
        case .always: break
        case .ifAbsent: command.append("NX")
        case .ifPresent: command.append("XX")
        }
        clientSide?.invalidate(stored: [configuration.namespace + key])
        let reply = try await send("set", key: key, RESPCommand(command))
        return reply != .null
    }

    /// Stores every pair with one expiry, all or nothing (`MSET`, or a script with an expiry).
    nonisolated(nonsending) public func set(_ entries: [(key: String, value: CacheValue)], expiry: Expiry) async throws
    {
        let (mode, milliseconds) = try RedisBackend.scriptExpiry(expiry)
        guard !entries.isEmpty else { return }
        let keys = try entries.map { try stored($0.key) }
        let values = try entries.map { RESPArgument.bytes(try RedisBackend.bytes($0.value, key: $0.key)) }
        clientSide?.invalidate(stored: entries.map { configuration.namespace + $0.key })
        if mode == "never" {
            _ = try await send("set many", RESPCommand(["MSET"] + zip(keys, values).flatMap { [$0, $1] }))
        } else {
            _ = try await evaluate(
                "set many", .setMany, key: nil, keys: keys, arguments: [.string(mode), .integer(milliseconds)] + values)
        }
    }

    /// True when `key` exists (`EXISTS`).
    nonisolated(nonsending) public func exists(_ key: String) async throws -> Bool {
        try await send("exists", key: key, ["EXISTS", try stored(key)]).integer == 1
    }

    /// Deletes `key` (`UNLINK`).
    nonisolated(nonsending) public func delete(_ key: String) async throws -> Bool {
        let stored = try stored(key)
        clientSide?.invalidate(stored: [configuration.namespace + key])
        return try await send("delete", key: key, ["UNLINK", stored]).integer == 1
    }

    /// Deletes `keys` (`UNLINK`).
    nonisolated(nonsending) public func delete(_ keys: [String]) async throws -> Int {
        guard !keys.isEmpty else { return 0 }
        let stored = try keys.map(stored)
        clientSide?.invalidate(stored: keys.map { configuration.namespace + $0 })
        return Int(try await send("delete many", RESPCommand(["UNLINK"] + stored)).integer ?? 0)
    }

    /// Deletes the keys matching `pattern` (`SCAN MATCH`, then `UNLINK` in batches).
    nonisolated(nonsending) public func delete(matching pattern: GlobPattern) async throws -> Int {
        try await unlink("delete matching", try await scan("delete matching", pattern.description))
    }

    /// The keys matching `pattern` (`SCAN MATCH COUNT`), without the namespace.
    nonisolated(nonsending) public func keys(matching pattern: GlobPattern) async throws -> [String] {
        let prefix = configuration.namespace.count
        return try await scan("keys", pattern.description).map { String($0.dropFirst(prefix)) }
    }

    /// Adds `delta` (`INCRBY`; a script sets the expiry of a new key).
    nonisolated(nonsending) public func increment(_ key: String, by delta: Int64, expiry: Expiry) async throws -> Int64
    {
        let stored = try stored(key)
        let (mode, milliseconds) = try RedisBackend.scriptExpiry(expiry)
        clientSide?.invalidate(stored: [configuration.namespace + key])
        let reply: RESPValue
        if mode == "never" || mode == "keep" {
            reply = try await send("increment", key: key, ["INCRBY", stored, .integer(delta)])
        } else {
            reply = try await evaluate(
                "increment", .increment, key: key, keys: [stored],
                arguments: [.integer(delta), .string(mode), .integer(milliseconds)])
        }
        guard let value = reply.integer else { throw RedisBackend.unexpected(reply, "increment") }
        return value
    }

    /// Sets the expiry of a live key (`PEXPIRE`).
    nonisolated(nonsending) public func expire(_ key: String, after duration: Duration) async throws -> Bool {
        let stored = try stored(key)
        guard duration > .zero else {
            throw CashewsError.invalidTTL(input: "\(duration)", reason: "it must be positive")
        }
        return try await send(
            "expire", key: key, ["PEXPIRE", stored, .integer(RedisBackend.serverMilliseconds(duration))]
        ).integer == 1
    }

    /// How long `key` has left (`PTTL`).
    nonisolated(nonsending) public func timeToLive(_ key: String) async throws -> TimeToLive? {
        let reply = try await send("ttl", key: key, ["PTTL", try stored(key)])
        guard let milliseconds = reply.integer else { throw RedisBackend.unexpected(reply, "ttl") }
        switch milliseconds {
        case -2: return nil
        case -1: return .forever
        default: return .remaining(.milliseconds(RedisBackend.contractMilliseconds(max(0, milliseconds))))
        }
    }

    /// Reads, changes and writes back `key` atomically: an optimistic compare-and-set script,
    /// retried while another writer changes the key in between.
    nonisolated(nonsending) public func modify<R: Sendable>(
        _ key: String, _ body: @escaping @Sendable (inout (bytes: [UInt8], expiry: Expiry)?) throws -> R
    ) async throws -> R {
        let stored = try stored(key)
        for _ in 0..<1000 {
            let read = try await evaluate("modify", .read, key: key, keys: [stored], arguments: [])
            guard let parts = read.elements, parts.count == 2 else { throw RedisBackend.unexpected(read, "modify") }
            let bytes = parts[0].bytes
            let deadline = parts[1].integer ?? -1
            var entry: (bytes: [UInt8], expiry: Expiry)? = bytes.map {
                ($0, deadline < 0 ? Expiry.never : .at(milliseconds: RedisBackend.contractMilliseconds(deadline)))
            }
            let result = try body(&entry)
            let write: [RESPArgument]
            if let entry {
                let (mode, milliseconds) = try RedisBackend.scriptExpiry(entry.expiry)
                write = [.string(mode), .integer(milliseconds), .bytes(entry.bytes)]
            } else if bytes == nil {
                return result
            } else {
                write = ["del", "0", ""]
            }
            let arguments: [RESPArgument] = [bytes == nil ? "0" : "1", .bytes(bytes ?? []), .integer(deadline)] + write
            clientSide?.invalidate(stored: [configuration.namespace + key])
            let written = try await evaluate("modify", .compareAndSet, key: key, keys: [stored], arguments: arguments)
            if written.integer == 1 { return result }
        }
        throw BackendError(
            .storage, key: key,
            message: "modify of \"\(key)\" lost the race to other writers 1000 times; the key is too contended")
    }

    /// The keys of this backend: `DBSIZE` without a namespace, else a `SCAN` of the namespace.
    nonisolated(nonsending) public func count() async throws -> Int {
        if configuration.namespace.isEmpty {
            return Int(try await send("count", ["DBSIZE"]).integer ?? 0)
        }
        return try await scan("count", "*").count
    }

    /// The size of a value in bytes (a string's length; a set's member count).
    nonisolated(nonsending) public func size(of key: String) async throws -> Int? {
        let reply = try await evaluate("size", .size, key: key, keys: [try stored(key)], arguments: [])
        guard let size = reply.integer else { throw RedisBackend.unexpected(reply, "size") }
        return size < 0 ? nil : Int(size)
    }

    /// Deletes this backend's keys: those of its namespace (`SCAN`, `UNLINK`), never `FLUSHDB`.
    nonisolated(nonsending) public func clear() async throws {
        _ = try await unlink("clear", try await scan("clear", "*"))
        clientSide?.invalidateAll()
    }

    /// `PING message`.
    nonisolated(nonsending) public func ping(_ message: String) async throws -> String {
        try await send("ping", ["PING", .string(message)]).text ?? ""
    }

    /// Waits until cancelled: the pool needs no upkeep (connections reopen on demand, and
    /// invalidations arrive on the event loop).
    public func run() async throws {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: .seconds(3600))
            } catch {
                return
            }
        }
    }
}
