public import Cashews
@_spi(Backends) public import DiskCache

/// The `DiskCache` engine as a backend: persistent, shared safely by processes.
///
/// Every command runs on the caller's executor (`nonisolated(nonsending)`) and reaches the engine
/// one way:
///
/// - Reads of a key run inline (an LMDB read is a few hundred nanoseconds and never waits for
///   writers); a blob file over 256 KiB is read on the engine's own thread.
/// - Every write (sets, deletes, pattern deletes, clear, expire, and the read-modify-write
///   commands: increment, bits, sets, locks) queues on the engine's writer thread, which
///   group-commits whatever has queued up in one transaction and resumes the waiting tasks.
/// - Pattern scans, the files of new blob values and maintenance rounds run on the engine's own
///   thread.
///
/// No command blocks a thread of the cooperative pool, and every command is atomic across
/// processes.
public final class DiskBackend: Backend {
    /// The engine underneath.
    public let cache: DiskCache
    private let maintenanceInterval: Duration

    /// A backend over `cache`; ``run()`` maintains it every `maintenanceInterval`.
    public init(cache: DiskCache, maintenanceInterval: Duration = .seconds(1)) {
        self.cache = cache
        self.maintenanceInterval = maintenanceInterval
    }

    /// Opens (creating if needed) the cache in `directory`.
    public convenience init(directory: String, configuration: DiskCache.Configuration = .init()) throws {
        self.init(
            cache: try DiskBackend.translate { try DiskCache(directory: directory, configuration: configuration) })
    }

    /// Disk backends store bytes.
    public var storesObjects: Bool { false }

    /// Engine errors are mapped to ``BackendError`` (see `DiskBackend+Errors.swift`).
    public var throwsFacadeErrors: Bool { true }

    private static func bytes(_ value: CacheValue, key: String) throws -> [UInt8] {
        guard let bytes = ValueCodec.bytes(of: value) else {
            throw CashewsError.encodingFailed(key: key, type: "object", reason: "a disk backend stores bytes")
        }
        return bytes
    }

    // MARK: Backend

    /// The live value of `key`.
    nonisolated(nonsending) public func get(_ key: String) async throws -> CacheValue? {
        // A hit is one synchronous LMDB lookup and a copy: no async call unless a large blob
        // file must be read on the engine's thread.
        switch try DiskBackend.translate({ try cache.lookUp(key) }) {
        case .value(let value): return value.map(CacheValue.bytes)
        case .largeBlob(let blob):
            return try await DiskBackend.translate { try await cache.read(blob, forKey: key) }.map(CacheValue.bytes)
        }
    }

    /// The live values of `keys`.
    nonisolated(nonsending) public func get(_ keys: [String]) async throws -> [CacheValue?] {
        try await DiskBackend.translate { try await cache.fetch(keys).map { $0.map(CacheValue.bytes) } }
    }

    /// Stores `value` when `condition` holds.
    nonisolated(nonsending) public func set(
        _ key: String, _ value: CacheValue, expiry: Expiry, condition: WriteCondition
    ) async throws
        -> Bool
    {
        let bytes = try DiskBackend.bytes(value, key: key)
        return try await DiskBackend.translate {
            try await cache.store(bytes, forKey: key, expiry: expiry, onlyIf: condition)
        }
    }

    /// Stores every pair in one transaction.
    nonisolated(nonsending) public func set(_ entries: [(key: String, value: CacheValue)], expiry: Expiry) async throws
    {
        let pairs = try entries.map { (key: $0.key, value: try DiskBackend.bytes($0.value, key: $0.key)) }
        try await DiskBackend.translate { try await cache.store(pairs, expiry: expiry) }
    }

    /// True when `key` is live.
    nonisolated(nonsending) public func exists(_ key: String) async throws -> Bool {
        try DiskBackend.translate { try cache.contains(key) }
    }

    /// Deletes `key`.
    nonisolated(nonsending) public func delete(_ key: String) async throws -> Bool { try await delete([key]) == 1 }

    /// Deletes `keys`.
    nonisolated(nonsending) public func delete(_ keys: [String]) async throws -> Int {
        try await DiskBackend.translate { try await cache.delete(keys) }
    }

    /// Deletes the keys matching `pattern`.
    nonisolated(nonsending) public func delete(matching pattern: GlobPattern) async throws -> Int {
        try await DiskBackend.translate { try await cache.removeAll(matching: pattern.description) }
    }

    /// The live keys matching `pattern`.
    nonisolated(nonsending) public func keys(matching pattern: GlobPattern) async throws -> [String] {
        try await DiskBackend.translate { try await cache.findKeys(matching: pattern.description) }
    }

    /// Adds `delta` to the integer under `key`; a new entry gets `expiry`.
    nonisolated(nonsending) public func increment(_ key: String, by delta: Int64, expiry: Expiry) async throws -> Int64
    {
        if let invalid = expiry.invalidDuration {
            throw CashewsError.invalidTTL(input: "\(invalid)", reason: "it must be positive")
        }
        return try await modify(key) { entry in
            var current: Int64 = 0
            if let existing = entry {
                guard let parsed = DecimalInteger.parse(existing.bytes) else {
                    throw BackendError.notAnInteger(key: key)
                }
                current = parsed
            }
            let (next, overflow) = current.addingReportingOverflow(delta)
            guard !overflow else { throw BackendError.integerOverflow(key: key) }
            entry = (DecimalInteger.bytes(next), entry == nil ? (expiry == .keep ? .never : expiry) : .keep)
            return next
        }
    }

    /// Sets the expiry of a live entry.
    nonisolated(nonsending) public func expire(_ key: String, after duration: Duration) async throws -> Bool {
        try await DiskBackend.translate { try await cache.setExpiry(of: key, after: duration) }
    }

    /// How long `key` has left.
    nonisolated(nonsending) public func timeToLive(_ key: String) async throws -> TimeToLive? {
        try DiskBackend.translate { try cache.timeToLive(forKey: key) }
    }

    /// Reads, changes and writes back `key` in one write transaction.
    nonisolated(nonsending) public func modify<R: Sendable>(
        _ key: String, _ body: @escaping @Sendable (inout (bytes: [UInt8], expiry: Expiry)?) throws -> R
    ) async throws -> R {
        try await DiskBackend.translate {
            try await cache.modify(key) { entry in
                var view = entry.map { (bytes: $0.value, expiry: Expiry.keep) }
                let result = try body(&view)
                entry = view.map { ModifiableEntry(value: $0.bytes, expiry: $0.expiry) }
                return result
            }
        }
    }

    /// Commits a transaction's writes in one engine write transaction: all of them or none,
    /// across processes (a process killed mid-way leaves none of them).
    nonisolated(nonsending) public func commit(_ writes: [TransactionWrite]) async throws {
        let batch = try writes.map { write -> BatchWrite in
            switch write {
            case .set(let key, let value, let expiry):
                return .set(key: key, value: try DiskBackend.bytes(value, key: key), expiry: expiry)
            case .delete(let key): return .delete(key: key)
            case .deleteMatching(let pattern): return .deleteMatching(pattern: pattern.description)
            }
        }
        _ = try await DiskBackend.translate { try await cache.apply(batch) }
    }

    /// True: ``commit(_:)`` is one engine write transaction.
    public var commitsAtomically: Bool { true }

    /// Entries held (expired ones count until swept).
    nonisolated(nonsending) public func count() async throws -> Int { try DiskBackend.translate { try cache.count } }

    /// The size of the value of `key`.
    nonisolated(nonsending) public func size(of key: String) async throws -> Int? {
        try DiskBackend.translate { try cache.valueSize(forKey: key) }
    }

    /// Deletes everything.
    nonisolated(nonsending) public func clear() async throws {
        _ = try await DiskBackend.translate { try await cache.removeAll() }
    }

    /// Echoes `message` after checking that the cache can be read.
    nonisolated(nonsending) public func ping(_ message: String) async throws -> String {
        _ = try DiskBackend.translate { try cache.count }
        return message
    }

    /// The engine's maintenance service, until cancelled or shut down gracefully.
    public func run() async throws {
        try await cache.maintenanceService(interval: maintenanceInterval).run()
    }
}
