import Metrics

extension Cache {
    /// The value of `key`, or, on a miss, the value `compute` returns, stored for `ttl`.
    ///
    /// ```swift
    /// let user = try await cache.cached(key: "user:\(id)", ttl: "1h") { try await db.user(id) }
    /// ```
    ///
    /// - Parameters:
    ///   - key: The key, as is (it also routes the call to a backend by prefix).
    ///   - ttl: How long the value lives; nil for no expiry (then `lock` is not allowed).
    ///   - condition: Which outcomes are stored (default: every value, no error). A stored error
    ///     is thrown again by later hits (see ``CachedError``).
    ///   - timeCondition: When set, an outcome is stored only if the call took longer than this
    ///     (on ``Cache/clock``), in addition to `condition`.
    ///   - tags: Tags for a stored outcome, so that ``delete(taggedWith:)`` invalidates it
    ///     (see <doc:Tags>).
    ///   - lock: When true, a miss takes the backend lock `<key>:lock` (for `ttl`) before
    ///     computing, so that across processes sharing the backend (disk) one computes and the
    ///     others read its result. Waiters poll until `lockTimeout`.
    ///   - lockTimeout: How long a miss waits for the lock (default: `ttl`, after which the lock
    ///     of a vanished holder has expired); then ``CashewsError/lockTimeout(key:waited:)``.
    ///   - protected: When true (the default), concurrent misses of `key` in this process share
    ///     one computation (single flight).
    ///   - compute: Computes the value on a miss.
    /// - Throws: What `compute` throws, a cached error, ``CashewsError/ttlRequired(strategy:reason:)``
    ///   for `lock` without `ttl`, or the backend's errors.
    @inlinable
    nonisolated(nonsending) public func cached<Value: Codable & Sendable>(
        key: String, ttl: TTL?, condition: CacheCondition<Value> = .allValues, timeCondition: Duration? = nil,
        tags: [String] = [], lock: Bool = false, lockTimeout: Duration? = nil, protected: Bool = true,
        _ compute: @Sendable () async throws -> Value
    ) async throws -> Value {
        try await cached(
            key: key, ttl: ttl, condition: condition, timeCondition: timeCondition, tagging: .texts(tags), lock: lock,
            lockTimeout: lockTimeout, protected: protected, compute)
    }

    /// ``cached(key:ttl:condition:timeCondition:tags:lock:lockTimeout:protected:_:)`` with tags
    /// rendered only when an outcome is stored.
    @inlinable
    nonisolated(nonsending) func cached<Value: Codable & Sendable>(
        key: String, ttl: TTL?, condition: CacheCondition<Value>, timeCondition: Duration?, tagging tags: StrategyTags,
        lock: Bool, lockTimeout: Duration?, protected: Bool, _ compute: @Sendable () async throws -> Value
    ) async throws -> Value {
        let route = try route(for: key)
        let stored = try await route.backend.get(key)
        if let envelope = try envelope(of: Value.self, from: stored, key: key, format: route.format) {
            hits.increment()
            recordHit(key, .cached)
            return try envelope.unwrap()
        }
        misses.increment()
        return try await fill(
            key: key, route: route, ttl: ttl, condition: condition, timeCondition: timeCondition, tags: tags,
            lock: lock, lockTimeout: lockTimeout, protected: protected, compute)
    }

    /// The miss path of ``cached(key:ttl:condition:timeCondition:tags:lock:lockTimeout:protected:_:)``.
    @usableFromInline
    nonisolated(nonsending) func fill<Value: Codable & Sendable>(
        key: String, route: Route, ttl: TTL?, condition: CacheCondition<Value>, timeCondition: Duration?,
        tags: StrategyTags, lock: Bool, lockTimeout: Duration?, protected: Bool,
        _ compute: @Sendable () async throws -> Value
    ) async throws -> Value {
        if lock && ttl == nil {
            throw CashewsError.ttlRequired(
                strategy: "cached(lock: true)", reason: "the lock must expire if the process holding it dies")
        }
        let expiry = try expiry(ttl)
        // Another caller may have stored the value since the first read: look again first.
        nonisolated(nonsending) func computeOnce() async throws -> Value {
            if let envelope = try await envelope(of: Value.self, at: key, in: route) {
                self.recordHit(key, .cached)
                return try envelope.unwrap()
            }
            return try await self.computeAndStore(
                key: key, route: route, expiry: expiry, condition: condition, timeCondition: timeCondition,
                tags: tags, compute)
        }
        nonisolated(nonsending) func locked() async throws -> Value {
            guard lock, let ttl else { return try await computeOnce() }
            return try await self.withLock(
                key + ":lock", ttl: ttl, wait: true, timeout: lockTimeout, checkInterval: .milliseconds(5), computeOnce)
        }
        return protected ? try await strategies.flights.run(key, locked) : try await locked()
    }

    /// Calls `compute`, stores its outcome (tagged with `tags`) when `condition` and
    /// `timeCondition` allow, and returns its value or throws its error. `staleAfter` sets the
    /// envelope's stale time.
    nonisolated(nonsending) func computeAndStore<Value: Codable & Sendable>(
        key: String, route: Route, expiry: Expiry, staleAfter: Duration? = nil,
        condition: CacheCondition<Value>, timeCondition: Duration?, tags: StrategyTags,
        _ compute: @Sendable () async throws -> Value
    ) async throws -> Value {
        try await computeAndStoreReporting(
            key: key, route: route, expiry: expiry, staleAfter: staleAfter, condition: condition,
            timeCondition: timeCondition, tags: tags, compute
        ).outcome.get()
    }

    /// ``computeAndStore(key:route:expiry:staleAfter:condition:timeCondition:tags:_:)``,
    /// reporting the outcome and whether it was stored (a failed store throws).
    nonisolated(nonsending) func computeAndStoreReporting<Value: Codable & Sendable>(
        key: String, route: Route, expiry: Expiry, staleAfter: Duration? = nil,
        condition: CacheCondition<Value>, timeCondition: Duration?, tags: StrategyTags,
        _ compute: @Sendable () async throws -> Value
    ) async throws -> (outcome: Result<Value, any Error>, stored: Bool) {
        let start = clock.now()
        let result: Result<Value, any Error>
        do {
            result = .success(try await compute())
        } catch {
            result = .failure(error)
        }
        if result.isCancellation { return (result, false) }  // never cache a cancellation
        let end = clock.now()
        let slowEnough = timeCondition.map { end - start > $0.milliseconds } ?? true
        guard slowEnough && condition.shouldStore(result) else { return (result, false) }
        let staleAt =
            staleAfter.map { end.addingReportingOverflow(max(1, $0.milliseconds)) }.map {
                $0.overflow ? Int64.max : $0.partialValue
            } ?? 0
        let envelope: StoredEnvelope<Value>
        switch result {
        case .success(let value): envelope = StoredEnvelope(.value(value), staleAt: staleAt)
        case .failure(let error): envelope = StoredEnvelope(.error(StoredError(error)), staleAt: staleAt)
        }
        let stored = try storedForm(of: envelope, for: route, key: key)
        // Memberships first: a stored outcome is never missing from its tags.
        try await tag(key, with: tags.rendered(), expiry: expiry)
        _ = try await route.backend.set(key, stored, expiry: expiry, condition: .always)
        return (result, true)
    }
}

extension Result {
    /// True when this is a `CancellationError`.
    var isCancellation: Bool {
        if case .failure(let error) = self { return error is CancellationError }
        return false
    }
}
