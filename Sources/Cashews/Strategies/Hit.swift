extension Cache {
    /// Caches the value of `compute` for at most `cacheHits` hits (and `ttl`), refreshing it in
    /// the background at hit number `updateAfter`.
    ///
    /// Every call counts in `hit:<key>:counter` (expiring with `ttl`). A call that finds the value
    /// within `cacheHits` hits returns it; the hit number `updateAfter` (when positive) also
    /// starts a background refresh (see ``run()``). Past `cacheHits`, or on a miss, the call
    /// computes inline; storing a value resets the count. As in cashews, with `cacheHits: 3,
    /// updateAfter: 2` and the refresh not yet done, six calls return `[1, 1, 1, 1, 2, 2]` for a
    /// function returning how often it ran. There is no single flight (cashews has none here).
    ///
    /// - Parameters:
    ///   - key: The key of the value (stored as `hit:<key>`, the counter is `hit:<key>:counter`).
    ///   - ttl: How long the value and the counter live.
    ///   - cacheHits: The most hits a stored value serves.
    ///   - updateAfter: The hit that starts a background refresh (0: none).
    ///   - background: When false, that hit refreshes before it returns (still the value it
    ///     found, as cashews' `background=False`), instead of in the background.
    ///   - condition: Which outcomes are stored.
    ///   - timeCondition: When set, an outcome is stored only if the call took longer than this.
    ///   - tags: Tags for a stored outcome (see ``delete(taggedWith:)``).
    ///   - prefix: Put before `key` to make the stored key (default `"hit:"`, as in cashews),
    ///     so that its entry (and its counter, `hit:<key>:counter`) never shares an entry with ``set(_:_:ttl:)``, `cached` or another
    ///     strategy on the same key.
    ///   - upper: When true, an outcome that `compute` got from another strategy of this cache
    ///     (an inner hit, see ``detect(isolation:_:)``) is returned but not stored again.
    ///   - compute: Computes the value (inline on a miss, in the background on a refresh).
    nonisolated(nonsending) public func hit<Value: Codable & Sendable>(
        key: String, ttl: TTL, cacheHits: Int, updateAfter: Int = 0, background: Bool = true,
        condition: CacheCondition<Value> = .allValues, timeCondition: TTL? = nil, tags: [String] = [],
        prefix: String = "hit:", upper: Bool = false,
        _ compute: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        try await hit(
            storedKey: prefix + key, expiry: expiry(ttl), ttlOf: nil, cacheHits: cacheHits, updateAfter: updateAfter,
            background: background, condition: condition, timeCondition: timeCondition, tags: tags, upper: upper,
            compute)
    }

    /// ``hit(key:ttl:cacheHits:updateAfter:background:condition:timeCondition:tags:prefix:upper:_:)``
    /// with a TTL computed from each computed value, as cashews' callable `ttl` with `result`.
    ///
    /// ```swift
    /// let quote = try await cache.hit(key: "quote:\(symbol)", ttl: { quote in quote.isLive ? "10s" : "1h" },
    ///                                 cacheHits: 100) { try await fetchQuote(symbol) }
    /// ```
    ///
    /// The value and its hit counter live as long as `ttl` says for that value: storing it sets
    /// the counter to zero with the value's expiry.
    ///
    /// - Parameters:
    ///   - ttl: How long a computed value lives (nil: no expiry).
    ///   - errorTTL: How long a stored error lives, when `condition` stores errors, and the
    ///     longest a counter lives before its first value is stored (default 1 minute).
    ///   - The others: as in the form with a fixed TTL.
    nonisolated(nonsending) public func hit<Value: Codable & Sendable>(
        key: String, ttl: @escaping @Sendable (Value) -> TTL?, errorTTL: TTL = 60, cacheHits: Int,
        updateAfter: Int = 0, background: Bool = true, condition: CacheCondition<Value> = .allValues,
        timeCondition: TTL? = nil, tags: [String] = [], prefix: String = "hit:", upper: Bool = false,
        _ compute: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        try await hit(
            storedKey: prefix + key, expiry: expiry(errorTTL), ttlOf: ttl, cacheHits: cacheHits,
            updateAfter: updateAfter, background: background, condition: condition, timeCondition: timeCondition,
            tags: tags, upper: upper, compute)
    }

    /// The hit strategy on the stored key: `expiry` is that of the counter and of an outcome
    /// unless `ttlOf` gives a value's.
    nonisolated(nonsending) func hit<Value: Codable & Sendable>(
        storedKey key: String, expiry: Expiry, ttlOf: (@Sendable (Value) -> TTL?)?, cacheHits: Int, updateAfter: Int,
        background: Bool, condition: CacheCondition<Value>, timeCondition: TTL?, tags: [String], upper: Bool,
        _ compute: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        let route = try route(for: key)
        let counterKey = key + ":counter"
        let envelope = try await envelope(of: Value.self, at: key, in: route)
        let count = try await route.backend.increment(counterKey, by: 1, expiry: expiry)
        let refresh = { @Sendable () async throws -> Value in
            let (outcome, stored) = try await self.computeAndStoreReporting(
                key: key, route: route, expiry: expiry, condition: condition, timeCondition: timeCondition,
                tags: .texts(tags), upper: upper, ttlOf: ttlOf, compute)
            // A stored outcome starts a new count, as in cashews; with a TTL from the value, the
            // new count lives as long as the value.
            if stored {
                if let ttlOf, case .success(let value) = outcome {
                    _ = try await route.backend.set(
                        counterKey, .bytes(DecimalInteger.bytes(0)), expiry: self.expiry(ttlOf(value)),
                        condition: .always)
                } else {
                    _ = try await route.backend.delete(counterKey)
                }
            }
            return try outcome.get()
        }
        if let envelope, count <= cacheHits {
            hits.increment()
            recordHit(key, .hit)
            if updateAfter > 0 && count == updateAfter {
                if background {
                    strategies.background.submit(key: key) { _ = try await refresh() }
                } else {
                    do {
                        _ = try await refresh()
                    } catch {
                        logger.error("hit refresh failed", metadata: ["key": "\(key)", "error": "\(error)"])
                    }
                }
            }
            return try envelope.unwrap()
        }
        misses.increment()
        return try await refresh()
    }

    /// ``hit(key:ttl:cacheHits:updateAfter:background:condition:timeCondition:tags:prefix:upper:_:)`` with 3
    /// hits and a refresh at the first: a value that keeps being read is refreshed in the
    /// background, a cold one dies after 3 hits. The default TTL is a day and the default key
    /// prefix `dynamic:`, as in cashews.
    nonisolated(nonsending) public func dynamic<Value: Codable & Sendable>(
        key: String, ttl: TTL = .days(1), condition: CacheCondition<Value> = .allValues, timeCondition: TTL? = nil,
        tags: [String] = [], prefix: String = "dynamic:", upper: Bool = false,
        _ compute: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        try await hit(
            key: key, ttl: ttl, cacheHits: 3, updateAfter: 1, condition: condition, timeCondition: timeCondition,
            tags: tags, prefix: prefix, upper: upper, compute)
    }
}
