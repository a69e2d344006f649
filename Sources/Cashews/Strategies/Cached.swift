import Metrics

extension Cache {
    /// The value of `key`, or, on a miss, the value `compute` returns, stored for `ttl`.
    ///
    /// ```swift
    /// let user = try await cache.cached(key: "user:\(id)", ttl: "1h") { try await db.user(id) }
    /// ```
    ///
    /// The value is stored as it is, as ``set(_:_:ttl:)`` stores it (as in cashews): ``get(_:as:)``
    /// reads what `cached` stored, and `cached` serves what `set` stored, so a cache can be warmed
    /// by `set`. A stored value of another type is a miss (recomputed and overwritten).
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
    ///   - prefix: Put before `key` to make the stored key (default none, as in cashews), e.g.
    ///     `"v2:"` to start afresh after a change of the value's type.
    ///   - upper: When true, an outcome that `compute` got from another strategy of this cache
    ///     (an inner hit, see ``detect(isolation:_:)``) is returned but not stored again.
    ///   - compute: Computes the value on a miss.
    /// - Throws: What `compute` throws, a cached error, ``CashewsError/ttlRequired(strategy:reason:)``
    ///   for `lock` without `ttl`, or the backend's errors.
    @inlinable
    nonisolated(nonsending) public func cached<Value: Codable & Sendable>(
        key: String, ttl: TTL?, condition: CacheCondition<Value> = .allValues, timeCondition: TTL? = nil,
        tags: [String] = [], lock: Bool = false, lockTimeout: TTL? = nil, protected: Bool = true,
        prefix: String = "", upper: Bool = false, _ compute: @Sendable () async throws -> Value
    ) async throws -> Value {
        try await cached(
            key: prefix + key, ttl: ttl, condition: condition, timeCondition: timeCondition, tagging: .texts(tags),
            lock: lock, lockTimeout: lockTimeout, protected: protected, upper: upper, compute)
    }

    /// ``cached(key:ttl:condition:timeCondition:tags:lock:lockTimeout:protected:prefix:upper:_:)``
    /// with a TTL computed from each computed value, as cashews' callable `ttl` with `result`.
    ///
    /// ```swift
    /// let page = try await cache.cached(key: "page:\(n)", ttl: { page in page.isEmpty ? "1m" : "1h" }) {
    ///     try await render(n)
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - ttl: How long a computed value lives (nil: no expiry).
    ///   - errorTTL: How long a stored error lives, when `condition` stores errors (default 1 minute).
    ///   - The others: as in the form with a fixed TTL (there is no `lock`: its lock needs a
    ///     TTL before the value exists).
    nonisolated(nonsending) public func cached<Value: Codable & Sendable>(
        key: String, ttl: @escaping @Sendable (Value) -> TTL?, errorTTL: TTL = 60,
        condition: CacheCondition<Value> = .allValues, timeCondition: TTL? = nil, tags: [String] = [],
        protected: Bool = true, prefix: String = "", upper: Bool = false,
        _ compute: @Sendable () async throws -> Value
    ) async throws -> Value {
        try await cached(
            key: prefix + key, ttl: errorTTL, condition: condition, timeCondition: timeCondition,
            tagging: .texts(tags), lock: false, lockTimeout: nil, protected: protected, upper: upper, ttlOf: ttl,
            compute)
    }

    /// ``cached(key:ttl:condition:timeCondition:tags:lock:lockTimeout:protected:prefix:upper:_:)``
    /// on the stored key (prefix included), with tags rendered only when an outcome is stored.
    @inlinable
    nonisolated(nonsending) func cached<Value: Codable & Sendable>(
        key: String, ttl: TTL?, condition: CacheCondition<Value>, timeCondition: TTL?, tagging tags: StrategyTags,
        lock: Bool, lockTimeout: TTL?, protected: Bool, upper: Bool = false,
        ttlOf: (@Sendable (Value) -> TTL?)? = nil, _ compute: @Sendable () async throws -> Value
    ) async throws -> Value {
        let route = try route(for: key)
        let stored = try await route.get(key)
        switch try plainEntry(of: Value.self, from: stored, key: key, format: route.format) {
        case .value(let value):
            hits.increment()
            recordHit(key, .cached)
            return value
        case .error(let error):
            hits.increment()
            recordHit(key, .cached)
            throw error.error
        case .miss:
            misses.increment()
            return try await fill(
                key: key, route: route, ttl: ttl, condition: condition, timeCondition: timeCondition, tags: tags,
                lock: lock, lockTimeout: lockTimeout, protected: protected, upper: upper, ttlOf: ttlOf, compute)
        }
    }

    /// The miss path of ``cached(key:ttl:condition:timeCondition:tags:lock:lockTimeout:protected:prefix:upper:_:)``.
    @usableFromInline
    nonisolated(nonsending) func fill<Value: Codable & Sendable>(
        key: String, route: Route, ttl: TTL?, condition: CacheCondition<Value>, timeCondition: TTL?,
        tags: StrategyTags, lock: Bool, lockTimeout: TTL?, protected: Bool, upper: Bool,
        ttlOf: (@Sendable (Value) -> TTL?)? = nil, _ compute: @Sendable () async throws -> Value
    ) async throws -> Value {
        if lock && ttl == nil {
            throw CashewsError.ttlRequired(
                strategy: "cached(lock: true)", reason: "the lock must expire if the process holding it dies")
        }
        let expiry = try expiry(ttl)
        // Another caller may have stored the value since the first read: look again first.
        nonisolated(nonsending) func computeOnce() async throws -> Value {
            switch try await self.plainEntry(of: Value.self, at: key, in: route) {
            case .value(let value):
                self.recordHit(key, .cached)
                return value
            case .error(let error):
                self.recordHit(key, .cached)
                throw error.error
            case .miss:
                return try await self.computeAndStore(
                    key: key, route: route, expiry: expiry, plain: true, condition: condition,
                    timeCondition: timeCondition, tags: tags, upper: upper, ttlOf: ttlOf, compute)
            }
        }
        nonisolated(nonsending) func locked() async throws -> Value {
            guard lock, let ttl else { return try await computeOnce() }
            return try await self.holdingLock(
                key + ":lock", ttl: ttl, wait: true, timeout: lockTimeout?.duration, checkInterval: .milliseconds(5),
                computeOnce)
        }
        return protected ? try await strategies.flights.run(key, locked) : try await locked()
    }

    /// Calls `compute`, stores its outcome (tagged with `tags`) when `condition` and
    /// `timeCondition` allow, and returns its value or throws its error. `plain` stores a value
    /// as it is (as `set` does); otherwise it is stored in an envelope whose stale time
    /// `staleAfter` sets. With `upper`, an outcome that came from an inner hit is not stored.
    /// `ttlOf`, when given, sets the expiry of a value (`expiry` is then that of an error).
    nonisolated(nonsending) func computeAndStore<Value: Codable & Sendable>(
        key: String, route: Route, expiry: Expiry, staleAfter: Duration? = nil, plain: Bool = false,
        condition: CacheCondition<Value>, timeCondition: TTL?, tags: StrategyTags, upper: Bool = false,
        ttlOf: (@Sendable (Value) -> TTL?)? = nil, _ compute: @Sendable () async throws -> Value
    ) async throws -> Value {
        try await computeAndStoreReporting(
            key: key, route: route, expiry: expiry, staleAfter: staleAfter, plain: plain, condition: condition,
            timeCondition: timeCondition, tags: tags, upper: upper, ttlOf: ttlOf, compute
        ).outcome.get()
    }

    /// ``computeAndStore(key:route:expiry:staleAfter:plain:condition:timeCondition:tags:upper:ttlOf:_:)``,
    /// reporting the outcome and whether it was stored (a failed store throws).
    nonisolated(nonsending) func computeAndStoreReporting<Value: Codable & Sendable>(
        key: String, route: Route, expiry: Expiry, staleAfter: Duration? = nil, plain: Bool = false,
        condition: CacheCondition<Value>, timeCondition: TTL?, tags: StrategyTags, upper: Bool = false,
        ttlOf: (@Sendable (Value) -> TTL?)? = nil, _ compute: @Sendable () async throws -> Value
    ) async throws -> (outcome: Result<Value, any Error>, stored: Bool) {
        let start = clock.now()
        let result: Result<Value, any Error>
        var innerHit = false
        do {
            if upper {
                // The hits of the call are reported whether it returns or throws: an inner
                // cache's stored error is not stored again either.
                let (outcome, inner) = await detect { () async -> Result<Value, any Error> in
                    do { return .success(try await compute()) } catch { return .failure(error) }
                }
                innerHit = !inner.isEmpty
                result = outcome
            } else {
                result = .success(try await compute())
            }
        } catch {
            result = .failure(error)
        }
        // Never cache a cancellation, nor (with `upper`) what an inner cache served.
        if result.isCancellation || innerHit { return (result, false) }
        let end = clock.now()
        let slowEnough = try timeCondition.map { end - start > (try $0.duration).milliseconds } ?? true
        guard slowEnough && condition.shouldStore(result) else { return (result, false) }
        var expiry = expiry
        if let ttlOf, case .success(let value) = result { expiry = try self.expiry(ttlOf(value)) }
        let stored: CacheValue
        if plain {
            stored = try plainStoredForm(of: result, for: route, key: key)
        } else {
            stored = try envelopeStoredForm(of: result, now: end, staleAfter: staleAfter, for: route, key: key)
        }
        // Memberships first: a stored outcome is never missing from its tags.
        try await tag(key, with: tags.rendered(), expiry: expiry)
        _ = try await route.backend.set(key, stored, expiry: expiry, condition: .always)
        return (result, true)
    }

    /// The stored envelope of `result`, going stale `staleAfter` after `end` (never when nil).
    func envelopeStoredForm<Value: Codable & Sendable>(
        of result: Result<Value, any Error>, now end: Int64, staleAfter: Duration?, for route: Route, key: String
    ) throws -> CacheValue {
        let staleAt =
            staleAfter.map { end.addingReportingOverflow(max(1, $0.milliseconds)) }.map {
                $0.overflow ? Int64.max : $0.partialValue
            } ?? 0
        let envelope: StoredEnvelope<Value>
        switch result {
        case .success(let value): envelope = StoredEnvelope(.value(value), staleAt: staleAt)
        case .failure(let error): envelope = StoredEnvelope(.error(StoredError(error)), staleAt: staleAt)
        }
        return try storedForm(of: envelope, for: route, key: key)
    }
}

extension Result {
    /// True when this is a `CancellationError`.
    var isCancellation: Bool {
        if case .failure(let error) = self { return error is CancellationError }
        return false
    }
}
