extension Cache {
    /// Caches an asynchronous sequence chunk by chunk, and replays it while cached.
    ///
    /// ```swift
    /// for try await row in cache.iterator(key: "report:2026", ttl: "1h", { try await db.rows(year: 2026) }) {
    ///     print(row)
    /// }
    /// ```
    ///
    /// On a miss, the sequence `makeSource` returns is passed through and each element stored at
    /// `<key>:0`, `<key>:1`, …; after a clean end, `<key>` records how many there are (with what
    /// is left of `ttl`, so that it never outlives its chunks). A replay reads exactly that many
    /// chunks, so, unlike cashews, an empty or zero chunk does not end it early. An error the
    /// condition accepts is stored as a last chunk and thrown again by replays. When an element
    /// is refused by the condition, the rest is passed through and the sequence is not cached. A
    /// replay that finds a chunk missing (evicted) throws
    /// ``CashewsError/incompleteSequence(key:missing:)`` and forgets the sequence.
    ///
    /// - Parameters:
    ///   - key: The key of the sequence (its chunks are `<key>:#<n>`).
    ///   - ttl: How long the sequence lives, counted from the start of its recording.
    ///   - condition: Which elements (and which error) are stored.
    ///   - makeSource: Makes the sequence, on a miss only.
    public func iterator<Source: AsyncSequence & SendableMetatype>(
        key: String, ttl: TTL, condition: CacheCondition<Source.Element> = .allValues,
        _ makeSource: @escaping @Sendable () async throws -> Source
    ) -> AsyncThrowingStream<Source.Element, any Error> where Source.Element: Codable & Sendable {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let backend = try self.backend(for: key)
                    if let count = try await envelope(of: Int.self, at: key, in: backend)?.unwrap() {
                        try await self.replay(key: key, count: count, backend: backend, into: continuation)
                    } else {
                        try await self.record(
                            key: key, ttl: ttl, condition: condition, backend: backend, makeSource, into: continuation)
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private func replay<Element: Codable & Sendable>(
        key: String, count: Int, backend: any Backend,
        into continuation: AsyncThrowingStream<Element, any Error>.Continuation
    ) async throws {
        hits.increment()
        recordHit(key, .iterator)
        for index in 0..<count {
            try Task.checkCancellation()
            guard let chunk = try await envelope(of: Element.self, at: Self.chunkKey(key, index), in: backend) else {
                _ = try await backend.delete(key)
                throw CashewsError.incompleteSequence(key: key, missing: index)
            }
            continuation.yield(try chunk.unwrap())
        }
    }

    private func record<Source: AsyncSequence>(
        key: String, ttl: TTL, condition: CacheCondition<Source.Element>, backend: any Backend,
        _ makeSource: @Sendable () async throws -> Source,
        into continuation: AsyncThrowingStream<Source.Element, any Error>.Continuation
    ) async throws where Source.Element: Codable & Sendable {
        misses.increment()
        let lifetime = try ttl.duration
        let start = clock.now()
        var count = 0
        var caching = true
        func store(_ envelope: StoredEnvelope<Source.Element>) async throws {
            _ = try await backend.set(
                Self.chunkKey(key, count), try storedForm(of: envelope, for: backend, key: Self.chunkKey(key, count)),
                expiry: .after(lifetime), condition: .always
            )
            count += 1
        }
        func storeMarker() async throws {
            let left = lifetime - .milliseconds(clock.now() - start)
            guard left > .zero else { return }
            _ = try await backend.set(
                key, try storedForm(of: StoredEnvelope<Int>(.value(count)), for: backend, key: key),
                expiry: .after(left),
                condition: .always)
        }
        do {
            for try await element in try await makeSource() {
                caching = caching && condition.shouldStore(.success(element))
                if caching { try await store(StoredEnvelope(.value(element))) }
                continuation.yield(element)
            }
        } catch {
            // A consumer that stopped early cancels the recording: never store what it cut short.
            if caching && !Task.isCancelled && !(error is CancellationError) && condition.shouldStore(.failure(error)) {
                try await store(StoredEnvelope(.error(StoredError(error))))
                try await storeMarker()
            }
            throw error
        }
        // Many sources end normally when cancelled: a sequence cut short is not stored as whole.
        if caching && !Task.isCancelled { try await storeMarker() }
    }

    /// Where chunk `index` of the sequence under `key` is stored: `<key>:#<index>`, so that the
    /// marker of `iterator(key: "<key>:1")` is not a chunk of `<key>` (as cashews' `<key>:<index>` is).
    static func chunkKey(_ key: String, _ index: Int) -> String { "\(key):#\(index)" }
}
