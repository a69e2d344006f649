import Foundation

extension Cache {
    /// Caches the value of `compute` for `ttl`, and recomputes it in the background once it is
    /// older than `earlyTTL`, so that hot keys never expire under load.
    ///
    /// ```swift
    /// let page = try await cache.early(key: "page:\(n)", ttl: "10m", earlyTTL: "2m") { try await render(n) }
    /// ```
    ///
    /// Past `earlyTTL`, the first caller to take the lock `early:v2:<key>:lock` (a set-if-absent that
    /// expires after `earlyTTL`) starts the recompute in the background (see ``run()``);
    /// every caller, that one included, gets the stale value at once. A cold miss computes inline
    /// (with single flight when `protected`).
    ///
    /// - Parameters:
    ///   - key: The key of the value.
    ///   - ttl: How long the value lives.
    ///   - earlyTTL: The age after which it is recomputed (default: a third of `ttl`, as
    ///     cashews' `ttl * 0.33`).
    ///   - condition: Which outcomes are stored.
    ///   - timeCondition: When set, an outcome is stored only if the call took longer than this.
    ///   - tags: Tags for a stored value (see ``delete(taggedWith:)``).
    ///   - protected: When true (the default), concurrent cold misses share one computation.
    ///   - background: When false, the caller that takes the lock recomputes before it returns
    ///     (still the stale value, as cashews' `background=False`), instead of in the background.
    ///   - prefix: Put before `key` to make the stored key (default `"early:v2:"`, as in cashews),
    ///     so that its entry (the value and when it goes stale) never shares an entry with ``set(_:_:ttl:)``, `cached` or another
    ///     strategy on the same key.
    ///   - upper: When true, an outcome that `compute` got from another strategy of this cache
    ///     (an inner hit, see ``detect(isolation:_:)``) is returned but not stored again.
    ///   - compute: Computes the value.
    nonisolated(nonsending) public func early<Value: Codable & Sendable>(
        key: String, ttl: TTL, earlyTTL: TTL? = nil, condition: CacheCondition<Value> = .allValues,
        timeCondition: TTL? = nil, tags: [String] = [],
        protected: Bool = true, background: Bool = true, prefix: String = "early:v2:", upper: Bool = false,
        _ compute: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        try await early(
            key: prefix + key, expiry: expiry(ttl), staleAfter: earlyTTL?.duration ?? ttl.duration * 0.33,
            ttlOf: nil, condition: condition, timeCondition: timeCondition, tags: tags, protected: protected,
            background: background, upper: upper, compute)
    }

    /// ``early(key:ttl:earlyTTL:condition:timeCondition:tags:protected:background:prefix:upper:_:)``
    /// with a TTL computed from each computed value (`ttl: { value in … }`). `earlyTTL` is then
    /// required (its default is a share of a TTL that is not known yet); a stored error lives
    /// for `errorTTL`.
    nonisolated(nonsending) public func early<Value: Codable & Sendable>(
        key: String, ttl: @escaping @Sendable (Value) -> TTL?, earlyTTL: TTL, errorTTL: TTL = 60,
        condition: CacheCondition<Value> = .allValues, timeCondition: TTL? = nil, tags: [String] = [],
        protected: Bool = true, background: Bool = true, prefix: String = "early:v2:", upper: Bool = false,
        _ compute: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        try await early(
            key: prefix + key, expiry: expiry(errorTTL), staleAfter: earlyTTL.duration, ttlOf: ttl,
            condition: condition, timeCondition: timeCondition, tags: tags, protected: protected,
            background: background, upper: upper, compute)
    }

    /// `early` on the stored key, with its expiry and stale time worked out.
    nonisolated(nonsending) func early<Value: Codable & Sendable>(
        key: String, expiry: Expiry, staleAfter: Duration, ttlOf: (@Sendable (Value) -> TTL?)?,
        condition: CacheCondition<Value>, timeCondition: TTL?, tags: [String], protected: Bool, background: Bool,
        upper: Bool, _ compute: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        let route = try route(for: key)
        let store = { @Sendable () async throws -> Value in
            try await self.computeAndStore(
                key: key, route: route, expiry: expiry, staleAfter: staleAfter, condition: condition,
                timeCondition: timeCondition, tags: .texts(tags), upper: upper, ttlOf: ttlOf, compute)
        }
        if let envelope = try await envelope(of: Value.self, at: key, in: route) {
            hits.increment()
            recordHit(key, .early)
            if envelope.staleAt <= clock.now() {
                let lockKey = key + ":lock"
                let token = UUID().uuidString
                if try await lock(lockKey, token: token, ttl: TTL(max(.milliseconds(1), staleAfter))) {
                    if !background {
                        do {
                            _ = try await store()
                        } catch {
                            logger.error(
                                "early refresh failed", metadata: ["key": "\(key)", "error": "\(error)"])
                        }
                        await release(lockKey, token: token)
                        return try envelope.unwrap()
                    }
                    strategies.background.submit(key: key) {
                        do {
                            _ = try await store()
                        } catch {
                            await self.release(lockKey, token: token)
                            throw error
                        }
                        await self.release(lockKey, token: token)
                    }
                }
            }
            return try envelope.unwrap()
        }
        misses.increment()
        guard protected else { return try await store() }
        return try await strategies.flights.run(key) {
            if let envelope = try await envelope(of: Value.self, at: key, in: route) {
                recordHit(key, .early)
                return try envelope.unwrap()
            }
            return try await store()
        }
    }
}
