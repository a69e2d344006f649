extension Cache {
    /// Calls `compute` every time and stores its value; when it throws an error `shouldFailOver`
    /// accepts, returns the last stored value instead (or throws when there is none).
    ///
    /// ```swift
    /// let price = try await cache.failover(key: "price", ttl: "1d") { try await api.price() }
    /// ```
    ///
    /// A value that `compute` itself got from a strategy of this cache (a hit reported to
    /// ``detect(isolation:_:)``) is not stored again, as in cashews. Cancellation is never
    /// failed over.
    ///
    /// - Parameters:
    ///   - key: The key of the fallback value.
    ///   - ttl: How long the fallback value lives (nil: no expiry).
    ///   - condition: Which values are stored (errors are not, whatever it says).
    ///   - timeCondition: When set, a value is stored only if the call took longer than this.
    ///   - shouldFailOver: Which errors fall back to the stored value (default: all).
    ///   - prefix: Put before `key` to make the stored key (default `"fail:"`, as in cashews).
    ///     The value is stored there as it is, as ``set(_:_:ttl:)`` stores it.
    ///   - compute: The call, made every time.
    nonisolated(nonsending) public func failover<Value: Codable & Sendable>(
        key: String, ttl: TTL?, condition: CacheCondition<Value> = .allValues, timeCondition: TTL? = nil,
        when shouldFailOver: @Sendable (any Error) -> Bool = { _ in true }, prefix: String = "fail:",
        _ compute: @Sendable () async throws -> Value
    ) async throws -> Value {
        let expiry = try expiry(ttl)
        return try await failover(
            key: prefix + key, expiryOf: { _ in expiry }, condition: condition, timeCondition: timeCondition,
            when: shouldFailOver, compute)
    }

    /// ``failover(key:ttl:condition:timeCondition:when:prefix:_:)`` with a TTL computed from each
    /// fresh value (`ttl: { value in … }`).
    nonisolated(nonsending) public func failover<Value: Codable & Sendable>(
        key: String, ttl: @escaping @Sendable (Value) -> TTL?, condition: CacheCondition<Value> = .allValues,
        timeCondition: TTL? = nil, when shouldFailOver: @Sendable (any Error) -> Bool = { _ in true },
        prefix: String = "fail:", _ compute: @Sendable () async throws -> Value
    ) async throws -> Value {
        try await failover(
            key: prefix + key, expiryOf: { try self.expiry(ttl($0)) }, condition: condition,
            timeCondition: timeCondition, when: shouldFailOver, compute)
    }

    /// `failover` on the stored key, with the expiry of a fresh value given by `expiryOf`.
    nonisolated(nonsending) func failover<Value: Codable & Sendable>(
        key: String, expiryOf: (Value) throws -> Expiry, condition: CacheCondition<Value>, timeCondition: TTL?,
        when shouldFailOver: @Sendable (any Error) -> Bool, _ compute: @Sendable () async throws -> Value
    ) async throws -> Value {
        let route = try route(for: key)
        let start = clock.now()
        let value: Value
        let innerHits: [CacheHit]
        do {
            (value, innerHits) = try await detect { try await compute() }
        } catch  where !(error is CancellationError) && shouldFailOver(error) {
            guard case .value(let stored) = try await plainEntry(of: Value.self, at: key, in: route) else {
                throw error
            }
            hits.increment()
            recordHit(key, .failover)
            return stored
        }
        // Fresh: store it. A failed write is logged, never a reason to return a stale value.
        let slowEnough = try timeCondition.map { clock.now() - start > (try $0.duration).milliseconds } ?? true
        if innerHits.isEmpty && slowEnough && condition.shouldStore(.success(value)) {
            let expiry = try expiryOf(value)
            do {
                _ = try await route.backend.set(
                    key, try encode(value, for: route, key: key),
                    expiry: expiry, condition: .always)
            } catch {
                logger.warning(
                    "failover: the fresh value was not stored", metadata: ["key": "\(key)", "error": "\(error)"])
            }
        }
        return value
    }
}
