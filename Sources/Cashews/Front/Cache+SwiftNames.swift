// The Swift API Design Guidelines names of the commands, beside cashews' spellings.
//
// Each name here reads as English at the call site (`cache.set(user, forKey: "user:1")`) and
// forwards to the command that carries cashews' name (`cache.set("user:1", user)`), so that both
// spellings compile, behave identically and cost the same (`@inlinable` forwarding). The table of
// cashews names and their Swift names is the DocC article "Coming from cashews".

extension Cache {
    // MARK: Setup

    /// Sets up the backend of `url` for keys starting with `prefix` (every key when empty):
    /// cashews' `cache.setup(url, prefix=)`. The same as ``setup(_:prefix:)``.
    ///
    /// ```swift
    /// try cache.setUp("mem://?size=1000")
    /// try cache.setUp("disk:///var/cache/app?size_limit=1GB", prefix: "report")
    /// ```
    @discardableResult
    public func setUp(_ url: String, prefix: String = "") throws -> any Backend {
        try setup(url, prefix: prefix)
    }

    /// Sets up `backend` for keys starting with `prefix`, storing values in `format`. The same as
    /// ``setup(_:prefix:suppress:name:format:)``.
    public func setUp(
        _ backend: any Backend, prefix: String = "", suppress: Bool = false, name: String? = nil,
        format: ValueFormat = .standard
    ) {
        setup(backend, prefix: prefix, suppress: suppress, name: name, format: format)
    }

    // MARK: Reading and writing

    /// The value stored under `key` as `T`, nil when absent (or of another type): cashews'
    /// `get`. The same as ``get(_:as:)``.
    ///
    /// ```swift
    /// let user = try await cache.value(forKey: "user:1", as: User.self)
    /// ```
    @inlinable
    nonisolated(nonsending) public func value<T: Codable & Sendable>(forKey key: String, as type: T.Type = T.self)
        async throws -> T?
    {
        try await get(key, as: type)
    }

    /// The values of `keys` as `T`, in order, nil where absent: cashews' `get_many`. The same as
    /// `get(_:as:)` with an array of keys.
    nonisolated(nonsending) public func values<T: Codable & Sendable>(forKeys keys: [String], as type: T.Type = T.self)
        async throws -> [T?]
    {
        try await get(keys, as: type)
    }

    /// The values of keys of different types, in order, nil where absent. The same as
    /// ``get(_:)``.
    nonisolated(nonsending) public func values(forKeys keys: KeyValuePairs<String, any (Codable & Sendable).Type>)
        async throws -> [(any Sendable)?]
    {
        try await get(keys)
    }

    /// Stores `value` under `key`, replacing any value and its expiry (`ttl` nil: no expiry):
    /// cashews' `set`. The same as ``set(_:_:ttl:)``.
    ///
    /// ```swift
    /// try await cache.set(user, forKey: "user:1", ttl: "10m")
    /// ```
    nonisolated(nonsending) public func set<T: Codable & Sendable>(_ value: T, forKey key: String, ttl: TTL? = nil)
        async throws
    {
        try await set(key, value, ttl: ttl)
    }

    /// Stores `value` under `key`, keeping the entry's expiry when `keepingTTL`. The same as
    /// ``set(_:_:keepingTTL:)``.
    nonisolated(nonsending) public func set<T: Codable & Sendable>(_ value: T, forKey key: String, keepingTTL: Bool)
        async throws
    {
        try await set(key, value, keepingTTL: keepingTTL)
    }

    /// Stores `value` only if `key` holds no live value; returns whether it stored: cashews'
    /// `set(..., exist=False)`. The same as ``add(_:_:ttl:)``.
    @discardableResult
    nonisolated(nonsending) public func add<T: Codable & Sendable>(_ value: T, forKey key: String, ttl: TTL? = nil)
        async throws -> Bool
    {
        try await add(key, value, ttl: ttl)
    }

    /// Stores `value` only if `key` holds a live value; returns whether it stored: cashews'
    /// `set(..., exist=True)`. The same as ``replace(_:_:ttl:)``.
    @discardableResult
    nonisolated(nonsending) public func replace<T: Codable & Sendable>(
        _ value: T, forKey key: String, ttl: TTL? = nil
    ) async throws -> Bool {
        try await replace(key, value, ttl: ttl)
    }

    /// The value of `key`, or the value `make` returns, stored for `ttl` when `key` holds none:
    /// cashews' `get_or_set`. The same as ``getOrSet(_:ttl:_:)``.
    ///
    /// ```swift
    /// let settings = try await cache.value(forKey: "settings", ttl: "1h", storingIfAbsent: loadSettings)
    /// ```
    nonisolated(nonsending) public func value<T: Codable & Sendable>(
        forKey key: String, ttl: TTL? = nil, storingIfAbsent make: () async throws -> T
    ) async throws -> T {
        try await getOrSet(key, ttl: ttl, make)
    }

    /// The value of `key`, or `value`, stored for `ttl` when `key` holds none. The same as
    /// ``getOrSet(_:default:ttl:)``.
    nonisolated(nonsending) public func value<T: Codable & Sendable>(
        forKey key: String, storingIfAbsent value: T, ttl: TTL? = nil
    ) async throws -> T {
        try await getOrSet(key, default: value, ttl: ttl)
    }

    /// The keys matching the glob `pattern` and their values as `T`, streamed in batches:
    /// cashews' `get_match`. The same as ``getMatching(_:as:batchSize:)``.
    public func values<T: Codable & Sendable>(
        matching pattern: String, as type: T.Type = T.self, batchSize: Int = 100
    ) -> AsyncThrowingStream<(key: String, value: T), any Error> {
        getMatching(pattern, as: type, batchSize: batchSize)
    }

    /// The live keys that match the glob `pattern`: cashews' `scan`. The same as ``scan(_:)``,
    /// and the name ``Backend/keys(matching:)`` has on a backend.
    public func keys(matching pattern: String) -> AsyncThrowingStream<String, any Error> {
        scan(pattern)
    }

    /// The entries held by every backend, expired ones not yet removed included: cashews'
    /// `get_keys_count`. The same as ``count()``.
    nonisolated(nonsending) public func entryCount() async throws -> Int {
        try await count()
    }

    // MARK: Bits, sliding windows, sets, locks

    /// The saturating counters of `width` bits at `indexes` of the bit field under `key`:
    /// cashews' `get_bits`. The same as ``getBits(_:at:size:)``.
    nonisolated(nonsending) public func bitCounters(_ key: String, at indexes: [Int], width: Int = 1)
        async throws -> [UInt64]
    {
        try await getBits(key, at: indexes, size: width)
    }

    /// Adds `delta` to the saturating counters of `width` bits at `indexes`; returns their new
    /// values: cashews' `incr_bits`. The same as ``incrementBits(_:at:size:by:)``.
    @discardableResult
    nonisolated(nonsending) public func incrementBitCounters(
        _ key: String, at indexes: [Int], width: Int = 1, by delta: Int64 = 1
    ) async throws -> [UInt64] {
        try await incrementBits(key, at: indexes, size: width, by: delta)
    }

    /// Records an event in the sliding window `window` under `key`, ending at `time`
    /// (milliseconds on ``clock``; now when nil), and returns the events in that window, counted
    /// up to `limit`: cashews' `slice_incr`. The same as ``sliceIncrement(_:window:limit:now:)``.
    nonisolated(nonsending) public func recordEvent(
        inSlidingWindow key: String, window: TTL, limit: Int, at time: Int64? = nil
    ) async throws -> Int {
        try await sliceIncrement(key, window: window.duration, limit: limit, now: time ?? clock.now())
    }

    /// Inserts `members` into the set under `key`; returns how many were new: cashews'
    /// `set_add`. The same as ``addToSet(_:_:ttl:)``.
    @discardableResult
    nonisolated(nonsending) public func insert(_ members: [String], intoSetAt key: String, ttl: TTL? = nil)
        async throws -> Int
    {
        try await addToSet(key, members, ttl: ttl)
    }

    /// Removes `members` from the set under `key`; returns how many were there: cashews'
    /// `set_remove`. The same as ``removeFromSet(_:_:)``.
    @discardableResult
    nonisolated(nonsending) public func remove(_ members: [String], fromSetAt key: String) async throws -> Int {
        try await removeFromSet(key, members)
    }

    /// Removes and returns up to `count` members of the set under `key` (default 100): cashews'
    /// `set_pop`. The same as ``popFromSet(_:count:)``.
    nonisolated(nonsending) public func popMembers(fromSetAt key: String, count: Int = 100) async throws -> [String] {
        try await popFromSet(key, count: count)
    }

    /// Takes the lock `key` for `token` for at most `ttl`; false when another owner holds it:
    /// cashews' `set_lock`. The same as ``lock(_:token:ttl:)``.
    nonisolated(nonsending) public func tryLock(_ key: String, token: String, ttl: TTL) async throws -> Bool {
        try await lock(key, token: token, ttl: ttl)
    }
}

/// The Swift name of the facade's error type: ``CashewsError``, under the name of its domain.
public typealias CacheError = CashewsError
