import Synchronization

/// The strategies that report hits to ``Cache/detect(isolation:_:)``.
public enum CacheStrategy: String, Sendable, Hashable, CaseIterable {
    /// ``Cache/cached(key:ttl:condition:timeCondition:tags:lock:lockTimeout:protected:prefix:upper:_:)`` and memoized functions.
    case cached
    /// ``Cache/failover(key:ttl:condition:timeCondition:when:prefix:_:)``, when it served the cached value.
    case failover
    /// ``Cache/hit(key:ttl:cacheHits:updateAfter:background:condition:timeCondition:tags:prefix:upper:_:)`` and ``Cache/dynamic(key:ttl:condition:timeCondition:tags:prefix:upper:_:)``.
    case hit
    /// ``Cache/early(key:ttl:earlyTTL:condition:timeCondition:tags:protected:background:prefix:upper:_:)``.
    case early
    /// ``Cache/soft(key:ttl:softTTL:when:condition:timeCondition:tags:protected:prefix:upper:_:)``.
    case soft
    /// ``Cache/iterator(key:ttl:condition:prefix:_:)``, when it replayed a stored sequence.
    case iterator
}

/// A result served from a cache.
public struct CacheHit: Sendable, Hashable, CustomStringConvertible {
    /// The key it was read from.
    public let key: String
    /// The strategy that served it.
    public let strategy: CacheStrategy

    /// A hit of `strategy` on `key`.
    public init(key: String, strategy: CacheStrategy) {
        self.key = key
        self.strategy = strategy
    }

    /// `strategy:key`.
    public var description: String { "\(strategy.rawValue):\(key)" }
}

/// The hits of one detection scope.
final class HitRecorder: Sendable {
    let hits = Mutex<[CacheHit]>([])
}

enum Detection {
    /// The open scopes of the current task, by cache (so that scopes of one cache never see the
    /// hits of another, unlike cashews' process-wide detector), innermost last.
    @TaskLocal static var scopes: [ObjectIdentifier: [HitRecorder]] = [:]
}

extension Cache {
    /// Runs `body` and reports which of its calls of this cache's strategies were served from
    /// the cache, in order. Scopes nest (an outer scope sees the hits of the inner ones) and
    /// belong to one cache: hits of other `Cache` instances are not reported.
    ///
    /// ```swift
    /// let (user, hits) = try await cache.detect { try await loadUser(1) }
    /// if hits.isEmpty { print("computed") }
    /// ```
    public func detect<Result>(
        isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> Result
    ) async rethrows -> (result: Result, hits: [CacheHit]) {
        let recorder = HitRecorder()
        var scopes = Detection.scopes
        scopes[ObjectIdentifier(self), default: []].append(recorder)
        strategies.activeDetections.add(1, ordering: .relaxed)
        defer { strategies.activeDetections.subtract(1, ordering: .relaxed) }
        let result = try await Detection.$scopes.withValue(scopes, operation: body)
        return (result, recorder.hits.withLock { $0 })
    }

    /// Reports a hit to the open detection scopes of this cache, if any.
    @inlinable
    func recordHit(_ key: String, _ strategy: CacheStrategy) {
        if strategies.activeDetections.load(ordering: .relaxed) > 0 { recordDetectedHit(key, strategy) }
    }

    @usableFromInline
    func recordDetectedHit(_ key: String, _ strategy: CacheStrategy) {
        guard let recorders = Detection.scopes[ObjectIdentifier(self)] else { return }
        let hit = CacheHit(key: key, strategy: strategy)
        for recorder in recorders { recorder.hits.withLock { $0.append(hit) } }
    }
}
