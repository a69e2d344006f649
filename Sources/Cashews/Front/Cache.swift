import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// The front of the toolkit: one object that routes every command to a backend chosen by key
/// prefix, and turns typed values into what backends store.
///
/// ```swift
/// let cache = Cache()
/// try cache.setup("mem://?size=10000")                        // the default backend
/// try cache.setup("disk:///var/cache/app?size_limit=1GB", prefix: "user")
/// try await cache.set("user:1", user, ttl: "1h")              // to disk
/// let user = try await cache.get("user:1", as: User.self)
/// ```
///
/// Prefixes match at a separator: the backend of prefix `"user"` serves `user:1` and `user`, not
/// `username`; the longest matching prefix wins and `""` is the default. ``Cache/shared`` is a
/// ready instance for scripts. A `Cache` is a ServiceLifecycle `Service`: its ``run()`` runs every
/// backend's background work (sweeping, syncing) until graceful shutdown.
public final class Cache: Sendable, Service {
    /// A backend and its value format, for the keys of one prefix. A class, so that routing a
    /// call copies one reference, not the backend's existential and the format's fields.
    @usableFromInline
    final class Route: Sendable {
        let prefix: String
        @usableFromInline let backend: any Backend
        @usableFromInline let format: ValueFormat
        /// The backend itself when it is a ``MemoryBackend`` served as set up (standard format,
        /// no wrapper): a hit then reads it synchronously, without the protocol's async call.
        @usableFromInline let memory: MemoryBackend?

        init(prefix: String, backend: any Backend, format: ValueFormat) {
            self.prefix = prefix
            self.backend = backend
            self.format = format
            memory = format.isStandard ? backend as? MemoryBackend : nil
        }

        /// The backend's value of `key`: read synchronously from a memory backend.
        @inlinable
        nonisolated(nonsending) func get(_ key: String) async throws -> CacheValue? {
            if let memory { return try memory.value(forKey: key) }
            return try await backend.get(key)
        }
    }

    /// An immutable snapshot of the routes, longest prefix first; replaced as a whole on setup.
    @usableFromInline
    final class RoutingTable: Sendable {
        let routes: [Route]
        /// The route of prefix "" when it is the only route: the common case, without a scan.
        let onlyRoute: Route?

        init(_ routes: [Route]) {
            self.routes = routes
            onlyRoute = routes.count == 1 && routes[0].prefix.isEmpty ? routes[0] : nil
        }
    }

    /// A cache for scripts and small programs (set it up before use).
    public static let shared = Cache()

    private let table = Mutex(RoutingTable([]))
    /// The character that ends a prefix in a key (`:` by default).
    public let separator: Character
    /// Where the cache and its suppressed backends log.
    public let logger: Logger
    /// Where the strategies read "now" (early and soft staleness, rate limits, circuit breakers,
    /// time conditions); backends set up by URL get it too, so that tests can use a
    /// ``ManualClock`` everywhere.
    public let clock: CacheClock
    @usableFromInline let hits: Counter
    @usableFromInline let misses: Counter
    @usableFromInline let unsignedValues: Counter
    @usableFromInline let badSignatures: Counter
    /// Stored values read as a miss because they are of another or an outdated type.
    @usableFromInline let unreadableValues: Counter
    /// What ``get(_:as:)`` does with a stored value of another or an outdated type.
    public let onTypeMismatch: TypeMismatchPolicy
    /// The state of the strategies: single flights, background refreshes, detection scopes.
    @usableFromInline let strategies: StrategyRuntime
    /// The run-time controls: transactions, disabled commands.
    let control = CacheControl()

    /// A cache with no backend yet (call ``setup(_:prefix:)``), reading the time from `clock`.
    /// `onTypeMismatch` says what reading a value of another or an outdated type does: a miss
    /// (the default, as in cashews; counted in `cashews_unreadable_values` and logged) or an error.
    public init(
        separator: Character = ":", logger: Logger = Logger(label: "swift-cashews"), clock: CacheClock = .system,
        onTypeMismatch: TypeMismatchPolicy = .miss
    ) {
        self.onTypeMismatch = onTypeMismatch
        self.separator = separator
        self.logger = logger
        self.clock = clock
        hits = Counter(label: "cashews_hits")
        misses = Counter(label: "cashews_misses")
        unsignedValues = Counter(label: "cashews_unsigned_values")
        badSignatures = Counter(label: "cashews_bad_signatures")
        unreadableValues = Counter(label: "cashews_unreadable_values")
        strategies = StrategyRuntime(logger: logger)
    }

    // MARK: Setup

    /// Sets up the backend a URL describes for keys starting with `prefix` (all keys when empty;
    /// a trailing separator in the prefix is implied and may be left out),
    /// replacing any backend of that prefix. The URL parameter `suppress=true` turns the backend's
    /// failures into misses and no-ops (logged and counted) instead of errors (the default of
    /// schemes registered with ``BackendRegistration/suppressesByDefault``, such as `redis://`).
    ///
    /// - `mem://?size=10000&max_bytes=64MiB&check_interval=1s`
    /// - `disk:///var/cache/app?size_limit=1GB&eviction=lru&durability=periodic` (`disk://` alone:
    ///   the default directory)
    ///
    /// Every scheme also takes the value-format parameters (see ``ValueFormat``): `secret`,
    /// `digestmod` (`sha256` default, `sha384`, `sha512`, `sha1`), `previous_secrets` (comma
    /// separated, for rotation), `compress` (`zlib` or `gzip`; cashews' `compress_type` is read
    /// as it), `compress_level` (1…9) and `compress_min_size` (default 1KiB). `"://"` alone is a
    /// disabled backend, as in cashews (see ``DisabledBackend``).
    ///
    /// - Throws: ``CashewsError`` naming the bad scheme, parameter or value and what is accepted.
    @discardableResult
    public func setup(_ url: String, prefix: String = "") throws -> any Backend {
        // Parsed once: the facade reads its own parameters and sets them aside; the backend's
        // factory reads the rest.
        let parsed = try BackendURL(url).renaming("compress_type", to: "compress")
        let suppress = try parsed.boolean("suppress") ?? Cache.suppressesByDefault(parsed.scheme)
        let format = try ValueFormat(url: parsed)
        let disabled = try Cache.disabledCommands(in: parsed)
        let backendURL = parsed.removing(parameters: ["suppress", "disable", "enable"] + ValueFormat.urlParameters)
        let backend = try Cache.makeBackend(backendURL, context: BackendContext(clock: clock, logger: logger))
        setup(backend, prefix: prefix, suppress: suppress, name: parsed.scheme, format: format)
        setDisabled(disabled, prefix: prefix)
        return backend
    }

    /// Sets up `backend` for keys starting with `prefix` (all keys when empty), storing values
    /// in `format`.
    public func setup(
        _ backend: any Backend, prefix: String = "", suppress: Bool = false, name: String? = nil,
        format: ValueFormat = .standard
    ) {
        // "user:" and "user" mean the same prefix: the separator is implied.
        var prefix = prefix
        while prefix.last == separator { prefix.removeLast() }
        // A backend's failures surface as BackendError, suppressed or not.
        let name = name ?? "\(type(of: backend))"
        let routed: any Backend =
            suppress || !backend.throwsFacadeErrors
            ? SuppressingBackend(backend, name: name, logger: logger, suppresses: suppress) : backend
        recordName(name, prefix: prefix)
        table.withLock { table in
            var routes = table.routes.filter { $0.prefix != prefix }
            routes.append(Route(prefix: prefix, backend: routed, format: format))
            routes.sort { $0.prefix.count > $1.prefix.count }
            table = RoutingTable(routes)
        }
    }

    /// The prefixes of the backends set up.
    var prefixes: [String] { table.withLock { $0 }.routes.map(\.prefix) }

    /// True once a default backend or any prefixed backend is set up.
    public var isSetUp: Bool { !table.withLock { $0 }.routes.isEmpty }

    /// The backend that serves `key`.
    public func backend(for key: String) throws -> any Backend { try route(for: key).backend }

    /// The backend that serves `key` as set up, without the run-time controls (middlewares,
    /// observers, disabling, transactions): for the cache's own bookkeeping.
    func setUpBackend(for key: String) throws -> any Backend {
        try route(for: key, in: table.withLock { $0 }).backend
    }

    /// The route that serves `key`.
    @usableFromInline
    func route(for key: String) throws -> Route {
        guard !key.isEmpty else { throw CashewsError.emptyKey }
        // The common case, one default backend: its route, without a scan.
        let route = try table.withLock { $0.onlyRoute } ?? route(for: key, in: table.withLock { $0 })
        return control.isIdle ? route : controlled(route)
    }

    /// The route of `table` that serves `key`.
    @usableFromInline
    func route(for key: String, in table: RoutingTable) throws -> Route {
        guard !key.isEmpty else { throw CashewsError.emptyKey }
        if let only = table.onlyRoute { return only }
        for index in table.routes.indices where matches(key, prefix: table.routes[index].prefix) {
            return table.routes[index]
        }
        throw CashewsError.noBackend(key: key)
    }

    /// `keys` grouped by the route that serves them (each key routed once, on one snapshot of
    /// the table), in the order the routes first appear; a group holds its keys' indexes.
    func routes(of keys: [String]) throws -> [(route: Route, indexes: [Int])] {
        let table = table.withLock { $0 }
        var groups: [(route: Route, indexes: [Int])] = []
        var slots: [String: Int] = [:]
        for (index, key) in keys.enumerated() {
            let route = try route(for: key, in: table)
            if let slot = slots[route.prefix] {
                groups[slot].indexes.append(index)
            } else {
                slots[route.prefix] = groups.count
                groups.append((route, [index]))
            }
        }
        return control.isIdle ? groups : groups.map { (controlled($0.route), $0.indexes) }
    }

    /// True when `prefix` serves `key`: the key's UTF-8 bytes start with the prefix's and end
    /// there or go on with the separator (bytes, as backends compare keys).
    private func matches(_ key: String, prefix: String) -> Bool {
        guard !prefix.isEmpty else { return true }
        var keyBytes = key.utf8.makeIterator()
        for byte in prefix.utf8 where keyBytes.next() != byte { return false }
        guard let next = keyBytes.next() else { return true }
        return String(separator).utf8.count == 1 && next == String(separator).utf8.first
    }

    /// The backends whose keys a pattern may match (by its literal prefix).
    private func backends(for pattern: GlobPattern) -> [any Backend] {
        let literal = pattern.literalPrefix
        let routes = table.withLock { $0 }.routes
        let all = control.isIdle ? routes : routes.map(controlled)
        if pattern.isLiteral { return all.first { matches(literal, prefix: $0.prefix) }.map { [$0.backend] } ?? [] }
        return all.filter { route in
            // Served by the route if a matching key can start with its prefix (compared by UTF-8
            // bytes, as keys are: a combining mark after the prefix must not hide it).
            let routed = Array((route.prefix + String(separator)).utf8)
            return route.prefix.isEmpty || literal.utf8.starts(with: routed)
                || literal.utf8.elementsEqual(route.prefix.utf8)
                || routed.starts(with: literal.utf8)
        }.map(\.backend)
    }

    private var allBackends: [any Backend] {
        let routes = table.withLock { $0 }.routes
        return (control.isIdle ? routes : routes.map(controlled)).map(\.backend)
    }

    // MARK: Typed values

    /// The value of `key` as `T`, or nil when absent or expired, or (by default) stored as
    /// another or an outdated type: such a value is a miss, counted in `cashews_unreadable_values`
    /// and logged, as in cashews.
    ///
    /// - Throws: ``CashewsError/typeMismatch(key:expected:found:)`` or
    ///   ``CashewsError/decodingFailed(key:type:reason:)`` for a value of another type, when the
    ///   cache was made with `onTypeMismatch: .throw`.
    /// - Throws: ``CashewsError/badSignature(key:)`` when signing is set up and the value was
    ///   tampered with (an unsigned value is a miss).
    ///
    /// Runs on the caller's executor (`nonisolated(nonsending)`, SE-0461): no executor hop, so a
    /// hit costs the same from the main actor, an actor or a nonisolated task.
    @inlinable
    nonisolated(nonsending) public func get<T: Codable & Sendable>(_ key: String, as type: T.Type = T.self)
        async throws -> T?
    {
        let route = try route(for: key)
        guard let value = try await route.get(key) else {
            misses.increment()
            return nil
        }
        if route.format.isStandard {
            switch value {
            case .object(let object):
                if let hit = Cache.exactly(object, as: type) ?? object as? T {
                    hits.increment()
                    return hit
                }
            case .bytes(let bytes):
                // The disk hit path: decoded here, without the format's indirection; bytes are
                // stored as they are (a cast the specialized code folds away).
                if T.self == [UInt8].self {
                    hits.increment()
                    return bytes as? T
                }
                do {
                    let decoded = try ValueCodec.decode(bytes, as: type, key: key)
                    hits.increment()
                    return decoded
                } catch {
                    return try unreadable(error, key: key, as: type)
                }
            }
        }
        return try decode(value, as: type, key: key, format: route.format)
    }

    /// `object` when it is exactly a `T` (nil otherwise, for the caller's `as?`): the hit path's
    /// check, a comparison of two type pointers instead of the runtime's dynamic cast.
    @inlinable @inline(__always)
    static func exactly<T>(_ object: any Sendable & Encodable, as type: T.Type) -> T? {
        func open<Stored: Sendable & Encodable>(_ stored: Stored) -> T? {
            Stored.self == T.self ? unsafeBitCast(stored, to: T.self) : nil
        }
        return open(object)
    }

    /// A value that failed to decode: a miss (counted and logged) when it is of another type and
    /// ``onTypeMismatch`` says so; otherwise `error` is thrown.
    @usableFromInline
    func unreadable<T>(_ error: any Error, key: String, as type: T.Type) throws -> T? {
        guard onTypeMismatch == .miss, let error = error as? CashewsError else { throw error }
        switch error {
        case .typeMismatch, .decodingFailed:
            misses.increment()
            _ = unreadable(key, as: type, reason: "\(error)")
            return nil
        default: throw error
        }
    }

    /// A stored value read through `format`, counted as a hit or (unsigned, or of another type
    /// under ``TypeMismatchPolicy/miss``) a miss.
    @usableFromInline
    func decode<T: Codable & Sendable>(_ value: CacheValue, as type: T.Type, key: String, format: ValueFormat) throws
        -> T?
    {
        do {
            return try decodeOrThrow(value, as: type, key: key, format: format)
        } catch {
            return try unreadable(error, key: key, as: type)
        }
    }

    /// ``decode(_:as:key:format:)``, throwing for a value of another type.
    func decodeOrThrow<T: Codable & Sendable>(_ value: CacheValue, as type: T.Type, key: String, format: ValueFormat)
        throws -> T?
    {
        switch value {
        case .object(let object):
            hits.increment()
            return try ValueCodec.cast(object, as: type, key: key)
        case .bytes(let bytes):
            let decoded: T?
            do {
                decoded = try format.decode(type, from: bytes, forKey: key)
            } catch CashewsError.badSignature(let key) {
                badSignatures.increment()
                logger.warning("bad signature: value not returned", metadata: ["key": "\(key)"])
                throw CashewsError.badSignature(key: key)
            }
            guard let decoded else {
                unsignedValues.increment()
                misses.increment()
                return nil
            }
            hits.increment()
            return decoded
        }
    }

    /// The stored form of `value` under `key` on `route`: an object where the backend keeps
    /// objects and the format is the standard one, else its bytes through the route's format.
    func encode<T: Codable & Sendable>(_ value: T, for route: Route, key: String) throws -> CacheValue {
        route.backend.storesObjects && route.format.isStandard
            ? .object(value) : .bytes(try route.format.encode(value, forKey: key))
    }

    func expiry(_ ttl: TTL?) throws -> Expiry {
        guard let ttl else { return .never }
        return .after(try ttl.duration)
    }

    /// Stores `value` under `key`, replacing any value and its expiry (`ttl` nil: no expiry).
    nonisolated(nonsending) public func set<T: Codable & Sendable>(_ key: String, _ value: T, ttl: TTL? = nil)
        async throws
    {
        let expiry = try expiry(ttl)
        try await tag(key, with: [], expiry: expiry)
        _ = try await store(key, value, expiry: expiry)
    }

    /// Stores `value` under `key` with `expiry` when `condition` holds, leaving its tags alone.
    nonisolated(nonsending) func store<T: Codable & Sendable>(
        _ key: String, _ value: T, expiry: Expiry, condition: WriteCondition = .always
    ) async throws -> Bool {
        let route = try route(for: key)
        return try await route.backend.set(
            key, encode(value, for: route, key: key), expiry: expiry, condition: condition)
    }

    /// Stores `value` under `key`; with `keepingTTL`, the entry keeps its current expiry (none
    /// for a new entry), otherwise it gets none.
    nonisolated(nonsending) public func set<T: Codable & Sendable>(_ key: String, _ value: T, keepingTTL: Bool)
        async throws
    {
        try await tag(key, with: [], expiry: keepingTTL ? .keep : .never)
        _ = try await store(key, value, expiry: keepingTTL ? .keep : .never)
    }

    /// Stores `value` only if `key` holds no live value; returns whether it stored. Atomic: of
    /// concurrent adds (across processes for a shared backend) exactly one wins.
    @discardableResult
    nonisolated(nonsending) public func add<T: Codable & Sendable>(_ key: String, _ value: T, ttl: TTL? = nil)
        async throws -> Bool
    {
        let expiry = try expiry(ttl)
        let stored = try await store(key, value, expiry: expiry, condition: .ifAbsent)
        // A key that was absent may still have tags from a value that expired.
        if stored { try await tag(key, with: [], expiry: expiry) }
        return stored
    }

    /// Stores `value` only if `key` holds a live value; returns whether it stored.
    @discardableResult
    nonisolated(nonsending) public func replace<T: Codable & Sendable>(_ key: String, _ value: T, ttl: TTL? = nil)
        async throws -> Bool
    {
        let expiry = try expiry(ttl)
        let stored = try await store(key, value, expiry: expiry, condition: .ifPresent)
        if stored { try await tag(key, with: [], expiry: expiry) }
        return stored
    }

    /// The values of `keys` as `T`, in order (nil where absent): one batch `get` per backend.
    nonisolated(nonsending) public func get<T: Codable & Sendable>(_ keys: [String], as type: T.Type = T.self)
        async throws -> [T?]
    {
        var results = [T?](repeating: nil, count: keys.count)
        for (route, indexes) in try routes(of: keys) {
            let values = try await route.backend.get(indexes.map { keys[$0] })
            for (index, value) in zip(indexes, values) {
                guard let value else {
                    misses.increment()
                    continue
                }
                results[index] = try decode(value, as: type, key: keys[index], format: route.format)
            }
        }
        return results
    }

    /// The values of keys of different types, in order (nil where absent, or of another type
    /// as ``get(_:as:)`` says): one batch `get` per backend.
    ///
    /// ```swift
    /// let values = try await cache.get(["user:1": User.self, "visits": Int.self])
    /// let user = values[0] as? User
    /// ```
    nonisolated(nonsending) public func get(_ keys: KeyValuePairs<String, any (Codable & Sendable).Type>)
        async throws -> [(any Sendable)?]
    {
        let names = keys.map(\.key)
        var results = [(any Sendable)?](repeating: nil, count: names.count)
        for (route, indexes) in try routes(of: names) {
            let values = try await route.backend.get(indexes.map { names[$0] })
            for (index, value) in zip(indexes, values) {
                guard let value else {
                    misses.increment()
                    continue
                }
                let type: any (Codable & Sendable).Type = keys[index].value
                results[index] = try decodeAny(value, as: type, key: names[index], format: route.format)
            }
        }
        return results
    }

    private func decodeAny<T: Codable & Sendable>(
        _ value: CacheValue, as type: T.Type, key: String, format: ValueFormat
    ) throws -> (any Sendable)? {
        try decode(value, as: type, key: key, format: format)
    }

    /// Stores every pair of `values`, whatever their types, all with `ttl`; one call per backend.
    ///
    /// ```swift
    /// try await cache.set(["user:1": user, "visits": 3] as [String: any Codable & Sendable], ttl: "1h")
    /// ```
    nonisolated(nonsending) public func set(_ values: [String: any Codable & Sendable], ttl: TTL? = nil)
        async throws
    {
        let expiry = try expiry(ttl)
        let pairs = values.sorted { $0.key < $1.key }
        for pair in pairs { try await tag(pair.key, with: [], expiry: expiry) }
        for (route, indexes) in try routes(of: pairs.map(\.key)) {
            let entries = try indexes.map { index in
                (key: pairs[index].key, value: try encode(pairs[index].value, for: route, key: pairs[index].key))
            }
            try await route.backend.set(entries, expiry: expiry)
        }
    }

    /// Stores every pair of `values`, all with `ttl`; one call per backend.
    nonisolated(nonsending) public func set<T: Codable & Sendable>(_ values: [String: T], ttl: TTL? = nil)
        async throws
    {
        let expiry = try expiry(ttl)
        let pairs = values.sorted { $0.key < $1.key }
        for pair in pairs { try await tag(pair.key, with: [], expiry: expiry) }
        for (route, indexes) in try routes(of: pairs.map(\.key)) {
            let entries = try indexes.map { index in
                (key: pairs[index].key, value: try encode(pairs[index].value, for: route, key: pairs[index].key))
            }
            try await route.backend.set(entries, expiry: expiry)
        }
    }

    // MARK: Keys

    /// True when `key` holds a live value.
    nonisolated(nonsending) public func exists(_ key: String) async throws -> Bool {
        try await backend(for: key).exists(key)
    }

    /// Deletes `key`; returns whether a live value was deleted.
    @discardableResult
    nonisolated(nonsending) public func delete(_ key: String) async throws -> Bool {
        try await untagIfTagged(key)
        return try await backend(for: key).delete(key)
    }

    /// Deletes `keys`; returns how many live values were deleted: one batch `delete` per backend.
    @discardableResult
    nonisolated(nonsending) public func delete(_ keys: [String]) async throws -> Int {
        for key in keys { try await untagIfTagged(key) }
        var deleted = 0
        for (route, indexes) in try routes(of: keys) {
            deleted += try await route.backend.delete(indexes.map { keys[$0] })
        }
        return deleted
    }

    /// Deletes every key that matches the Redis glob `pattern` on every backend that may hold
    /// such keys; returns how many.
    @discardableResult
    nonisolated(nonsending) public func delete(matching pattern: String) async throws -> Int {
        let glob = try GlobPattern(pattern)
        var deleted = 0
        for backend in backends(for: glob) { deleted += try await backend.delete(matching: glob) }
        return deleted
    }

    /// The live keys that match the Redis glob `pattern`, from every backend that may hold such
    /// keys, as an asynchronous sequence.
    public func scan(_ pattern: String) -> AsyncThrowingStream<String, any Error> {
        let candidates: Result<(GlobPattern, [any Backend]), any Error> = Result {
            let glob = try GlobPattern(pattern)
            return (glob, backends(for: glob))
        }
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let (glob, backends) = try candidates.get()
                    for backend in backends {
                        for key in try await backend.keys(matching: glob) { continuation.yield(key) }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Adds `delta` to the integer under `key` and returns the result. A new key starts at 0 and
    /// gets `ttl`; an existing one keeps its expiry. Atomic across processes on a shared backend.
    @discardableResult
    nonisolated(nonsending) public func increment(_ key: String, by delta: Int64 = 1, ttl: TTL? = nil) async throws
        -> Int64
    {
        try await backend(for: key).increment(key, by: delta, expiry: expiry(ttl))
    }

    /// Sets the expiry of a live key; false when it is absent.
    @discardableResult
    nonisolated(nonsending) public func expire(_ key: String, ttl: TTL) async throws -> Bool {
        try await backend(for: key).expire(key, after: ttl.duration)
    }

    /// How long `key` has left (`TimeToLive.forever` without expiry), nil when absent.
    nonisolated(nonsending) public func timeToLive(_ key: String) async throws -> TimeToLive? {
        try await backend(for: key).timeToLive(key)
    }

    /// The size in bytes of the value of `key`, nil when absent.
    nonisolated(nonsending) public func size(of key: String) async throws -> Int? {
        try await backend(for: key).size(of: key)
    }

    // MARK: Counters, bits, sets, locks

    /// The saturating `size`-bit counters at `indexes` of the bit field under `key`.
    nonisolated(nonsending) public func getBits(_ key: String, at indexes: [Int], size: Int = 1) async throws
        -> [UInt64]
    {
        try await backend(for: key).getBits(key, at: indexes, size: size)
    }

    /// Adds `delta` to the saturating counters at `indexes`; returns their new values.
    @discardableResult
    nonisolated(nonsending) public func incrementBits(
        _ key: String, at indexes: [Int], size: Int = 1, by delta: Int64 = 1
    ) async throws
        -> [UInt64]
    {
        try await backend(for: key).incrementBits(key, at: indexes, size: size, by: delta)
    }

    /// A sliding-window counter over `window` ending now (see ``Backend/sliceIncrement(_:start:end:limit:expiry:)``).
    nonisolated(nonsending) public func sliceIncrement(_ key: String, window: Duration, limit: Int, now: Int64)
        async throws -> Int
    {
        // Saturating: a window of `.seconds(.max)` starts at the beginning of time, it does not trap.
        let (start, overflow) = now.subtractingReportingOverflow(window.milliseconds)
        return try await backend(for: key).sliceIncrement(
            key, start: overflow ? .min : start, end: now, limit: limit, expiry: window)
    }

    /// Adds `members` to the set under `key`; returns how many were new.
    @discardableResult
    nonisolated(nonsending) public func addToSet(_ key: String, _ members: [String], ttl: TTL? = nil) async throws
        -> Int
    {
        try await backend(for: key).addToSet(key, members, expiry: ttl == nil ? .keep : expiry(ttl))
    }

    /// Removes `members` from the set under `key`; returns how many were there.
    @discardableResult
    nonisolated(nonsending) public func removeFromSet(_ key: String, _ members: [String]) async throws -> Int {
        try await backend(for: key).removeFromSet(key, members)
    }

    /// Removes and returns up to `count` members of the set under `key` (default 100, as
    /// cashews' `set_pop`).
    nonisolated(nonsending) public func popFromSet(_ key: String, count: Int = 100) async throws -> [String] {
        try await backend(for: key).popFromSet(key, count: count)
    }

    /// The members of the set under `key`, sorted.
    nonisolated(nonsending) public func members(of key: String) async throws -> [String] {
        try await backend(for: key).members(of: key)
    }

    /// Takes the lock `key` for `token` for at most `ttl`; false when another owner holds it.
    nonisolated(nonsending) public func lock(_ key: String, token: String, ttl: TTL) async throws -> Bool {
        try await backend(for: key).lock(key, token: token, ttl: ttl.duration)
    }

    /// Releases the lock `key` if `token` holds it; false otherwise.
    @discardableResult
    nonisolated(nonsending) public func unlock(_ key: String, token: String) async throws -> Bool {
        try await backend(for: key).unlock(key, token: token)
    }

    /// True when the lock `key` is held.
    nonisolated(nonsending) public func isLocked(_ key: String) async throws -> Bool {
        try await backend(for: key).isLocked(key)
    }

    // MARK: Whole cache

    /// Entries held by every backend.
    nonisolated(nonsending) public func count() async throws -> Int {
        var total = 0
        for backend in allBackends { total += try await backend.count() }
        return total
    }

    /// Deletes everything from every backend.
    nonisolated(nonsending) public func clear() async throws {
        for backend in allBackends { try await backend.clear() }
        // The tags-in-use marker went with everything else: the next tag writes it again.
        strategies.tagMarkerWritten.store(false, ordering: .relaxed)
    }

    /// Asks the backend of `message` (as a key) to echo it.
    nonisolated(nonsending) public func ping(_ message: String = "PONG") async throws -> String {
        try await backend(for: message).ping(message)
    }

    /// Runs every backend's background work and the strategies' background refreshes until
    /// graceful shutdown or cancellation, which cancels the refreshes under way. It runs the
    /// backends set up when it starts: set the cache up first.
    public func run() async throws {
        let backends = allBackends
        let background = strategies.background
        try await cancelWhenGracefulShutdown {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await background.run() }
                for backend in backends { group.addTask { try await backend.run() } }
                try await group.waitForAll()
            }
        }
    }
}
