/// Decides whether a strategy stores what a call produced: its value, or the error it threw.
///
/// ```swift
/// try await cache.cached(key: "user:\(id)", ttl: "1h", condition: .notNil) { try await db.user(id) }
/// try await cache.cached(key: "user:\(id)", ttl: "5m", condition: .withErrors(NotFound.self)) { … }
/// ```
///
/// A stored error is thrown again by the hits that read it (see ``CachedError`` for the type it
/// comes back as). Unlike cashews, a time condition does not replace the condition: both must
/// hold.
public struct CacheCondition<Value>: Sendable {
    /// True when the outcome of a call is to be stored.
    public let shouldStore: @Sendable (Result<Value, any Error>) -> Bool

    /// A condition that stores an outcome when `shouldStore` says so.
    public init(_ shouldStore: @escaping @Sendable (Result<Value, any Error>) -> Bool) {
        self.shouldStore = shouldStore
    }

    /// Stores every value, `nil` included, and no error (the default, as in cashews).
    public static var allValues: CacheCondition {
        CacheCondition { if case .success = $0 { true } else { false } }
    }

    /// Stores every value except `nil` (for optional values), and no error.
    public static var notNil: CacheCondition {
        CacheCondition { result in
            guard case .success(let value) = result else { return false }
            return !isNil(value)
        }
    }

    /// Stores every value and the errors of exactly the listed types.
    public static func withErrors(_ types: any Error.Type...) -> CacheCondition {
        withErrors(where: matching(types))
    }

    /// Stores every value and the errors `isCached` accepts.
    public static func withErrors(where isCached: @escaping @Sendable (any Error) -> Bool) -> CacheCondition {
        CacheCondition { result in
            switch result {
            case .success: return true
            case .failure(let error): return isCached(error)
            }
        }
    }

    /// Stores no value, only the errors of exactly the listed types (any error when none is
    /// listed).
    public static func onlyErrors(_ types: any Error.Type...) -> CacheCondition {
        if types.isEmpty { return onlyErrors(where: { _ in true }) }
        return onlyErrors(where: matching(types))
    }

    /// Stores no value, only the errors `isCached` accepts.
    public static func onlyErrors(where isCached: @escaping @Sendable (any Error) -> Bool) -> CacheCondition {
        CacheCondition { result in
            switch result {
            case .success: return false
            case .failure(let error): return isCached(error)
            }
        }
    }

    /// A condition of your own over the value or the error.
    public static func custom(_ shouldStore: @escaping @Sendable (Result<Value, any Error>) -> Bool)
        -> CacheCondition
    {
        CacheCondition(shouldStore)
    }

    /// The same condition, without storing errors (soft TTL never caches them).
    var valuesOnly: CacheCondition {
        let shouldStore = shouldStore
        return CacheCondition { result in
            guard case .success = result else { return false }
            return shouldStore(result)
        }
    }

    private static func matching(_ types: [any Error.Type]) -> @Sendable (any Error) -> Bool {
        let identifiers = Set(types.map { ObjectIdentifier($0) })
        return { error in identifiers.contains(ObjectIdentifier(type(of: error))) }
    }
}

/// True when `value` is an optional holding nothing (at any depth of the generic wrapping).
private func isNil(_ value: Any) -> Bool {
    if case Optional<Any>.none = value { return true }
    return false
}
