extension Cache {
    /// The value of `key`, or, when absent (or of another type), the value `make` returns,
    /// stored for `ttl`: cashews' `get_or_set`. Of concurrent callers that miss, the first
    /// store wins (a set-if-absent) and every caller returns the stored value.
    ///
    /// ```swift
    /// let settings = try await cache.getOrSet("settings", ttl: "1h") { try await loadSettings() }
    /// ```
    nonisolated(nonsending) public func getOrSet<T: Codable & Sendable>(
        _ key: String, ttl: TTL? = nil, _ make: () async throws -> T
    ) async throws -> T {
        if let value = try await get(key, as: T.self) { return value }
        let value = try await make()
        if try await add(key, value, ttl: ttl) { return value }
        // Another caller stored first; its value wins (unless it is gone again, or another type).
        guard let stored = try await get(key, as: T.self) else {
            try await set(key, value, ttl: ttl)
            return value
        }
        return stored
    }

    /// ``getOrSet(_:ttl:_:)`` with a value rather than a closure.
    nonisolated(nonsending) public func getOrSet<T: Codable & Sendable>(
        _ key: String, default value: T, ttl: TTL? = nil
    )
        async throws -> T
    {
        try await getOrSet(key, ttl: ttl) { value }
    }

    /// The keys matching the glob `pattern` and their values as `T`, streamed in batches of
    /// `batchSize` keys (one batch `get` each): cashews' `get_match`. A key whose value expired
    /// or is of another type is left out.
    ///
    /// ```swift
    /// for try await (key, user) in cache.getMatching("user:*", as: User.self) { print(key, user) }
    /// ```
    public func getMatching<T: Codable & Sendable>(
        _ pattern: String, as type: T.Type = T.self, batchSize: Int = 100
    ) -> AsyncThrowingStream<(key: String, value: T), any Error> {
        let keys = scan(pattern)
        let size = max(1, batchSize)
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    var batch: [String] = []
                    func flush() async throws {
                        let values = try await self.get(batch, as: T.self)
                        for (key, value) in zip(batch, values) {
                            if let value { continuation.yield((key, value)) }
                        }
                        batch.removeAll(keepingCapacity: true)
                    }
                    for try await key in keys {
                        batch.append(key)
                        if batch.count == size { try await flush() }
                    }
                    if !batch.isEmpty { try await flush() }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Whether the lock `key` is held, waiting up to `wait` (on ``clock``) for it to be
    /// released, checking every `step`: cashews' `is_locked(key, wait, step)`. Without `wait`,
    /// answers at once.
    nonisolated(nonsending) public func isLocked(_ key: String, wait: TTL?, step: TTL = 0.1) async throws -> Bool {
        guard let wait else { return try await isLocked(key) }
        let limit = try wait.duration.milliseconds
        let pause = try step.duration
        let start = clock.now()
        while try await isLocked(key) {
            guard clock.now() - start < limit else { return true }
            try await Task.sleep(for: pause)
        }
        return false
    }
}
