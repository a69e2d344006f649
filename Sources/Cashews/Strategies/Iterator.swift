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
    /// `iterator:<key>:#0`, `iterator:<key>:#1`, …; after a clean end, `iterator:<key>` records how many (with what
    /// is left of `ttl`, so that it never outlives its chunks). A replay reads exactly that many
    /// chunks, so, unlike cashews, an empty or zero chunk does not end it early. An error the
    /// condition accepts is stored as a last chunk and thrown again by replays. When an element
    /// is refused by the condition, the rest is passed through and the sequence is not cached. A
    /// replay that finds a chunk missing (evicted) throws
    /// ``CashewsError/incompleteSequence(key:missing:)`` and forgets the sequence.
    ///
    /// The sequence is pulled by its consumer: the source is read one element per `next()`, never
    /// ahead, so a slow consumer of a large source holds one element at a time. A consumer that
    /// stops early (or is cancelled) leaves no marker, so the partial recording is never replayed.
    ///
    /// - Parameters:
    ///   - key: The key of the sequence (stored as `iterator:<key>`, its chunks as `iterator:<key>:#<n>`).
    ///   - ttl: How long the sequence lives, counted from the start of its recording.
    ///   - condition: Which elements (and which error) are stored.
    ///   - prefix: Put before `key` to make the stored key (default `"iterator:"`), so that the
    ///     count and the chunks never share entries with ``set(_:_:ttl:)``, `cached` or another
    ///     strategy on the same key.
    ///   - makeSource: Makes the sequence, on a miss only.
    public func iterator<Source: AsyncSequence & SendableMetatype>(
        key: String, ttl: TTL, condition: CacheCondition<Source.Element> = .allValues, prefix: String = "iterator:",
        _ makeSource: @escaping @Sendable () async throws -> Source
    ) -> CachedSequence<Source> where Source.Element: Codable & Sendable {
        CachedSequence(cache: self, key: prefix + key, ttl: ttl, condition: condition, makeSource: makeSource)
    }

    /// Where chunk `index` of the sequence under `key` is stored: `<key>:#<index>`, so that the
    /// marker of `iterator(key: "<key>:1")` is not a chunk of `<key>` (as cashews' `<key>:<index>` is).
    static func chunkKey(_ key: String, _ index: Int) -> String { "\(key):#\(index)" }
}

/// The sequence ``Cache/iterator(key:ttl:condition:prefix:_:)`` returns: a replay of the stored
/// chunks, or the source passed through and recorded, one element per `next()`.
public struct CachedSequence<Source: AsyncSequence & SendableMetatype>: AsyncSequence, Sendable
where Source.Element: Codable & Sendable {
    /// The elements of the source.
    public typealias Element = Source.Element

    let cache: Cache
    let key: String
    let ttl: TTL
    let condition: CacheCondition<Element>
    let makeSource: @Sendable () async throws -> Source

    /// An iterator that replays or records.
    public func makeAsyncIterator() -> Iterator { Iterator(sequence: self) }

    /// Replays the stored chunks, or pulls the source and records what it yields.
    public struct Iterator: AsyncIteratorProtocol {
        private enum State {
            case start
            case replaying(route: Cache.Route, count: Int, index: Int)
            case recording(Recording)
            case finished
        }

        private struct Recording {
            var source: Source.AsyncIterator
            let route: Cache.Route
            let lifetime: Duration
            let start: Int64
            var count = 0
            var caching = true
        }

        private let sequence: CachedSequence
        private var state = State.start

        init(sequence: CachedSequence) { self.sequence = sequence }

        /// The next element, from the stored chunks or from the source.
        public mutating func next() async throws -> Element? {
            let cache = sequence.cache
            let key = sequence.key
            switch state {
            case .finished:
                return nil
            case .start:
                let route = try cache.route(for: key)
                if let count = try await cache.envelope(of: Int.self, at: key, in: route)?.unwrap() {
                    cache.hits.increment()
                    cache.recordHit(key, .iterator)
                    state = .replaying(route: route, count: count, index: 0)
                } else {
                    cache.misses.increment()
                    let lifetime = try sequence.ttl.duration
                    let start = cache.clock.now()
                    let source = try await sequence.makeSource().makeAsyncIterator()
                    state = .recording(Recording(source: source, route: route, lifetime: lifetime, start: start))
                }
                return try await next()
            case .replaying(let route, let count, let index):
                guard index < count else {
                    state = .finished
                    return nil
                }
                state = .finished  // until this chunk is read
                guard
                    let chunk = try await cache.envelope(
                        of: Element.self, at: Cache.chunkKey(key, index), in: route)
                else {
                    _ = try await route.backend.delete(key)
                    throw CashewsError.incompleteSequence(key: key, missing: index)
                }
                let element = try chunk.unwrap()
                state = .replaying(route: route, count: count, index: index + 1)
                return element
            case .recording(var recording):
                state = .finished  // until the source yields
                let element: Element?
                do {
                    element = try await recording.source.next(isolation: #isolation)
                } catch {
                    // Never store what a cancellation cut short.
                    if recording.caching && !Task.isCancelled && !(error is CancellationError)
                        && sequence.condition.shouldStore(.failure(error))
                    {
                        try await store(StoredEnvelope(.error(StoredError(error))), in: &recording)
                        try await storeMarker(recording)
                    }
                    throw error
                }
                guard let element else {
                    if recording.caching && !Task.isCancelled { try await storeMarker(recording) }
                    return nil
                }
                recording.caching = recording.caching && sequence.condition.shouldStore(.success(element))
                if recording.caching { try await store(StoredEnvelope(.value(element)), in: &recording) }
                state = .recording(recording)
                return element
            }
        }

        private func store(_ envelope: StoredEnvelope<Element>, in recording: inout Recording) async throws {
            let chunkKey = Cache.chunkKey(sequence.key, recording.count)
            _ = try await recording.route.backend.set(
                chunkKey, try sequence.cache.storedForm(of: envelope, for: recording.route, key: chunkKey),
                expiry: .after(recording.lifetime), condition: .always)
            recording.count += 1
        }

        /// Records the count under the key, with what is left of the TTL.
        private func storeMarker(_ recording: Recording) async throws {
            let left = recording.lifetime - .milliseconds(sequence.cache.clock.now() - recording.start)
            guard left > .zero else { return }
            let key = sequence.key
            _ = try await recording.route.backend.set(
                key,
                try sequence.cache.storedForm(
                    of: StoredEnvelope<Int>(.value(recording.count)), for: recording.route, key: key),
                expiry: .after(left), condition: .always)
        }
    }
}
