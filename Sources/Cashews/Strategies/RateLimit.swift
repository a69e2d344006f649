extension Cache {
    /// Runs `body` at most `limit` times per fixed window of `period`; over the limit, answers
    /// with `action`, or throws ``CashewsError/rateLimited(key:limit:period:)``.
    ///
    /// ```swift
    /// let reply = try await cache.rateLimit(key: "api:\(user)", limit: 100, period: "1m") { try await handle() }
    /// ```
    ///
    /// Calls count in `key` (an ``increment(_:by:ttl:)`` whose first call starts the window).
    /// The first call over the limit starts a ban: the counter's expiry becomes `banTTL`
    /// (default: `period`), so every call until it ends is over the limit.
    ///
    /// - Parameters:
    ///   - key: The counter's key (one limit per key: put the caller's identity in it).
    ///   - limit: The calls allowed per window.
    ///   - period: The window.
    ///   - banTTL: How long calls stay refused after the first excess (default: `period`).
    ///   - action: Answers a call over the limit instead of throwing.
    ///   - body: The limited call.
    nonisolated(nonsending) public func rateLimit<Value: Sendable>(
        key: String, limit: Int, period: TTL, banTTL: TTL? = nil,
        onLimit action: (@Sendable () async throws -> Value)? = nil, _ body: @Sendable () async throws -> Value
    ) async throws -> Value {
        guard limit >= 0 else { throw CashewsError.invalidArgument("a rate limit of \(limit): use 0 or more calls") }
        let count = try await increment(key, ttl: period)
        guard count > limit else { return try await body() }
        if count == Int64(limit) + 1 { try await expire(key, ttl: banTTL ?? period) }
        if let action { return try await action() }
        throw CashewsError.rateLimited(key: key, limit: limit, period: period.description)
    }

    /// Runs `body` at most `limit` times in any sliding window of `period` (ending now, on
    /// ``Cache/clock``); over the limit, answers with `action`, or throws
    /// ``CashewsError/rateLimited(key:limit:period:)``.
    ///
    /// Calls are recorded in `key` with ``sliceIncrement(_:window:limit:now:)``; as in cashews,
    /// the first refused call of a window is recorded too, so a burst over the limit waits for a
    /// full `period` after it.
    nonisolated(nonsending) public func sliceRateLimit<Value: Sendable>(
        key: String, limit: Int, period: TTL, onLimit action: (@Sendable () async throws -> Value)? = nil,
        _ body: @Sendable () async throws -> Value
    ) async throws -> Value {
        guard limit >= 0 else { throw CashewsError.invalidArgument("a rate limit of \(limit): use 0 or more calls") }
        let count = try await sliceIncrement(
            key, window: period.duration, limit: limit == .max ? .max : limit + 1, now: clock.now())
        guard count > limit else { return try await body() }
        if let action { return try await action() }
        throw CashewsError.rateLimited(key: key, limit: limit, period: period.description)
    }
}
