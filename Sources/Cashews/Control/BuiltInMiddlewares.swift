/// Puts `prefix` before every key a command names and every pattern, and takes it off the keys a
/// scan returns: cashews' `add_prefix`, for every command (cashews lower-cases the key of bit
/// and set commands instead).
///
/// ```swift
/// cache.use(KeyPrefixMiddleware("v2:"))    // user:1 is stored as v2:user:1
/// ```
public struct KeyPrefixMiddleware: CacheMiddleware {
    /// What every key gets in front.
    public let prefix: String

    /// A middleware putting `prefix` before every key.
    public init(_ prefix: String) { self.prefix = prefix }

    /// Prefixes the request's keys and pattern; strips the prefix from scanned keys.
    nonisolated(nonsending) public func handle(
        _ request: CacheRequest, context: MiddlewareContext, next: (CacheRequest) async throws -> CacheResponse
    ) async throws -> CacheResponse {
        let prefixed = try request.mapping(keys: { prefix + $0 }) { pattern in
            try GlobPattern(Cache.escapingGlob(prefix) + pattern.description)
        }
        let response = try await next(prefixed)
        guard case .scan = request, case .strings(let keys) = response else { return response }
        return .strings(keys.compactMap { $0.hasPrefix(prefix) ? String($0.dropFirst(prefix.count)) : nil })
    }
}

/// Lower-cases every key a command names and every pattern: cashews' `all_keys_lower`.
public struct LowercaseKeysMiddleware: CacheMiddleware {
    /// A middleware lower-casing keys.
    public init() {}

    /// Lower-cases the request's keys and pattern.
    nonisolated(nonsending) public func handle(
        _ request: CacheRequest, context: MiddlewareContext, next: (CacheRequest) async throws -> CacheResponse
    ) async throws -> CacheResponse {
        try await next(request.mapping(keys: { $0.lowercased() }) { try GlobPattern($0.description.lowercased()) })
    }
}

/// Skips storing values whose size falls outside a range: cashews' `memory_limit`. A `set` of
/// such a value stores nothing and answers false; a `setMany` stores the other pairs.
public struct ValueSizeLimitMiddleware: CacheMiddleware {
    /// The sizes stored, in bytes (of the encoded value).
    public let sizes: ClosedRange<Int>

    /// A middleware storing values of `minimumBytes` through `maximumBytes` bytes.
    public init(minimumBytes: Int = 0, maximumBytes: Int = .max) {
        sizes = max(0, minimumBytes)...max(max(0, minimumBytes), maximumBytes)
    }

    private func fits(_ value: CacheValue) -> Bool {
        guard let bytes = ValueCodec.bytes(of: value) else { return false }
        return sizes.contains(bytes.count)
    }

    /// Drops values outside ``sizes`` from `set` and `setMany`.
    nonisolated(nonsending) public func handle(
        _ request: CacheRequest, context: MiddlewareContext, next: (CacheRequest) async throws -> CacheResponse
    ) async throws -> CacheResponse {
        switch request {
        case .set(_, let value, _, _) where !fits(value):
            return .bool(false)
        case .setMany(let entries, let expiry):
            let kept = entries.filter { fits($0.value) }
            guard !kept.isEmpty else { return .done }
            return try await next(kept.count == entries.count ? request : .setMany(entries: kept, expiry: expiry))
        default:
            return try await next(request)
        }
    }
}
