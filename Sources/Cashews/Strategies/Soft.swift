extension Cache {
    /// Caches the value of `compute` for `ttl`, recomputing it inline once older than
    /// `softTTL`; when that recompute throws an error `shouldFailOver` accepts, returns the
    /// stale value instead.
    ///
    /// ```swift
    /// let rates = try await cache.soft(key: "rates", ttl: "1d", softTTL: "5m") { try await api.rates() }
    /// ```
    ///
    /// Errors are never cached (as in cashews); cancellation is never failed over.
    ///
    /// - Parameters:
    ///   - key: The key of the value.
    ///   - ttl: How long the value lives: the longest a stale value can be served.
    ///   - softTTL: The age after which it is recomputed (default: a third of `ttl`).
    ///   - shouldFailOver: Which errors fall back to the stale value (default: all).
    ///   - condition: Which values are stored.
    ///   - timeCondition: When set, a value is stored only if the call took longer than this.
    ///   - tags: Tags for a stored value (see ``delete(taggedWith:)``).
    ///   - protected: When true (the default), concurrent recomputes of `key` share one.
    ///   - prefix: Put before `key` to make the stored key (default `"soft:"`, as in cashews),
    ///     so that its entry (the value and when it goes stale) never shares an entry with ``set(_:_:ttl:)``, `cached` or another
    ///     strategy on the same key.
    ///   - upper: When true, an outcome that `compute` got from another strategy of this cache
    ///     (an inner hit, see ``detect(isolation:_:)``) is returned but not stored again.
    ///   - compute: Computes the value.
    nonisolated(nonsending) public func soft<Value: Codable & Sendable>(
        key: String, ttl: TTL, softTTL: TTL? = nil, when shouldFailOver: @Sendable (any Error) -> Bool = { _ in true },
        condition: CacheCondition<Value> = .allValues, timeCondition: TTL? = nil, tags: [String] = [],
        protected: Bool = true, prefix: String = "soft:", upper: Bool = false,
        _ compute: @Sendable () async throws -> Value
    ) async throws -> Value {
        try await soft(
            key: prefix + key, expiry: expiry(ttl), staleAfter: softTTL?.duration ?? ttl.duration * 0.33, ttlOf: nil,
            when: shouldFailOver, condition: condition, timeCondition: timeCondition, tags: tags,
            protected: protected, upper: upper, compute)
    }

    /// ``soft(key:ttl:softTTL:when:condition:timeCondition:tags:protected:prefix:upper:_:)`` with a
    /// TTL computed from each computed value (`ttl: { value in … }`). `softTTL` is then required
    /// (its default is a share of a TTL that is not known yet).
    nonisolated(nonsending) public func soft<Value: Codable & Sendable>(
        key: String, ttl: @escaping @Sendable (Value) -> TTL?, softTTL: TTL,
        when shouldFailOver: @Sendable (any Error) -> Bool = { _ in true },
        condition: CacheCondition<Value> = .allValues, timeCondition: TTL? = nil, tags: [String] = [],
        protected: Bool = true, prefix: String = "soft:", upper: Bool = false,
        _ compute: @Sendable () async throws -> Value
    ) async throws -> Value {
        // Errors are never stored, so the expiry given here is never used.
        try await soft(
            key: prefix + key, expiry: .never, staleAfter: softTTL.duration, ttlOf: ttl, when: shouldFailOver,
            condition: condition, timeCondition: timeCondition, tags: tags, protected: protected, upper: upper,
            compute)
    }

    /// `soft` on the stored key, with its expiry and stale time worked out.
    nonisolated(nonsending) func soft<Value: Codable & Sendable>(
        key: String, expiry: Expiry, staleAfter: Duration, ttlOf: (@Sendable (Value) -> TTL?)?,
        when shouldFailOver: @Sendable (any Error) -> Bool, condition: CacheCondition<Value>, timeCondition: TTL?,
        tags: [String], protected: Bool, upper: Bool, _ compute: @Sendable () async throws -> Value
    ) async throws -> Value {
        let route = try route(for: key)
        let condition = condition.valuesOnly
        let stale = try await envelope(of: Value.self, at: key, in: route)
        if let stale, stale.staleAt > clock.now() {
            hits.increment()
            recordHit(key, .soft)
            return try stale.unwrap()
        }
        misses.increment()
        nonisolated(nonsending) func recompute() async throws -> Value {
            if let fresh = try await envelope(of: Value.self, at: key, in: route), fresh.staleAt > self.clock.now() {
                self.recordHit(key, .soft)
                return try fresh.unwrap()
            }
            return try await self.computeAndStore(
                key: key, route: route, expiry: expiry, staleAfter: staleAfter, condition: condition,
                timeCondition: timeCondition, tags: .texts(tags), upper: upper, ttlOf: ttlOf, compute)
        }
        do {
            return protected ? try await strategies.flights.run(key, recompute) : try await recompute()
        } catch  where !(error is CancellationError) && shouldFailOver(error) {
            guard let stale, stale.holdsValue else { throw error }
            recordHit(key, .soft)
            return try stale.unwrap()
        }
    }
}
