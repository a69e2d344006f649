// The Swift API Design Guidelines names of the strategies whose cashews names read as
// adjectives or jargon at a Swift call site. Each forwards to the strategy under its cashews name
// (the table is the DocC article "Coming from cashews"); `cached`, `early`, `soft`, `hit`,
// `failover` and `dynamic` keep the decorators' names, for the reason the article gives.

extension Cache {
    /// Runs `body` while holding the lock `<key>:lock` across every process that shares the
    /// backend, and caches nothing: cashews' `@cache.locked`. The same as
    /// ``locked(key:ttl:wait:timeout:checkInterval:_:)``.
    ///
    /// ```swift
    /// try await cache.withLock("nightly-report", ttl: "10m") { try await buildReport() }
    /// ```
    nonisolated(nonsending) public func withLock<Value: Sendable>(
        _ key: String, ttl: TTL, waits: Bool = true, timeout: TTL? = nil, checkInterval: TTL = .milliseconds(5),
        _ body: @Sendable () async throws -> Value
    ) async throws -> Value {
        try await locked(key: key, ttl: ttl, wait: waits, timeout: timeout, checkInterval: checkInterval, body)
    }

    /// Runs `body` at most `limit` times per fixed window of `period`: cashews'
    /// `@cache.rate_limit`. The same as ``rateLimit(key:limit:period:banTTL:onLimit:_:)``.
    nonisolated(nonsending) public func withRateLimit<Value: Sendable>(
        key: String, limit: Int, per period: TTL, banFor banTTL: TTL? = nil,
        onLimit action: (@Sendable () async throws -> Value)? = nil, _ body: @Sendable () async throws -> Value
    ) async throws -> Value {
        try await rateLimit(key: key, limit: limit, period: period, banTTL: banTTL, onLimit: action, body)
    }

    /// Runs `body` at most `limit` times in any sliding window of `period`: cashews'
    /// `@cache.slice_rate_limit`. The same as ``sliceRateLimit(key:limit:period:onLimit:_:)``.
    nonisolated(nonsending) public func withSlidingWindowRateLimit<Value: Sendable>(
        key: String, limit: Int, per period: TTL, onLimit action: (@Sendable () async throws -> Value)? = nil,
        _ body: @Sendable () async throws -> Value
    ) async throws -> Value {
        try await sliceRateLimit(key: key, limit: limit, period: period, onLimit: action, body)
    }

    /// A sequence recorded on its first run and replayed from the cache for `ttl`: cashews'
    /// `@cache.iterator`. The same as ``iterator(key:ttl:condition:prefix:_:)``.
    public func cachedSequence<Source: AsyncSequence & SendableMetatype>(
        forKey key: String, ttl: TTL, condition: CacheCondition<Source.Element> = .allValues,
        prefix: String = "iterator:", _ makeSource: @escaping @Sendable () async throws -> Source
    ) -> CachedSequence<Source> where Source.Element: Codable & Sendable {
        iterator(key: key, ttl: ttl, condition: condition, prefix: prefix, makeSource)
    }

    /// The state of the circuit breaker of `key`. The same as ``circuitState(key:)``.
    nonisolated(nonsending) public func circuitState(forKey key: String) async throws -> CircuitState {
        try await circuitState(key: key)
    }

    /// Runs `body` and reports which of its calls of this cache's strategies were served from the
    /// cache: cashews' `cache.detect`. The same as ``detect(isolation:_:)``.
    public func withHitDetection<Result>(
        isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> Result
    ) async rethrows -> (result: Result, hits: [CacheHit]) {
        try await detect(isolation: isolation, body)
    }
}

extension CacheCondition {
    /// Stores every value, `nil` included, and no error: cashews' default. The same as
    /// ``allValues``.
    public static var anyValue: CacheCondition { allValues }
}
