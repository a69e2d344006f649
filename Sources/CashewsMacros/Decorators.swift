// The decorator macros: each replaces the body of an async function with a call of one strategy
// of `Cache` that computes with the original body. Keys are templates checked at compile time
// against the function's parameters (see <doc:DecoratingFunctions>); without a key, a stable
// default key from the module, type, function and its labelled arguments is used.
//
// Every macro takes `cache:`, the cache to use: `Cache.shared` by default, any expression of type
// `Cache`, or a key path such as `\.cache` for a property of the enclosing type.

/// Caches the function's result for `ttl` under `key`: the body becomes
/// ``Cache/cached(key:ttl:condition:timeCondition:tags:lock:lockTimeout:protected:prefix:upper:_:)``.
///
/// ```swift
/// @Cached(ttl: "5m", key: "user:{userID}")
/// func user(userID: Int) async throws -> User { try await db.user(userID) }
/// ```
///
/// - Parameters:
///   - ttl: How long a result lives (nil: no expiry).
///   - key: The key template: `{name}` is the parameter `name`; `{user.id}`, `{items[0]}` and
///     formatters (`{name:lower}`, `{token:hash(sha256)}`) as in ``KeyTemplate``. Default: the
///     function's stable default key (``DefaultKey``).
///   - tags: Tag templates, rendered from the parameters as the key is.
///   - cache: The cache (default ``Cache/shared``).
///   - The others: as in the strategy.
@attached(body)
public macro Cached(
    ttl: TTL?, key: String? = nil, condition: DecoratorCondition = .allValues, timeCondition: TTL? = nil,
    tags: [String] = [], lock: Bool = false, lockTimeout: TTL? = nil, protected: Bool = true, prefix: String = "",
    upper: Bool = false, cache: CacheReference = .shared
) = #externalMacro(module: "CashewsMacrosPlugin", type: "CachedMacro")

/// Serves the last good result when the body fails: the body becomes
/// ``Cache/failover(key:ttl:condition:timeCondition:when:prefix:_:)``.
///
/// ```swift
/// @Failover(ttl: "1d", key: "rates:{currency}")
/// func rates(currency: String) async throws -> Rates { try await api.rates(currency) }
/// ```
@attached(body)
public macro Failover(
    ttl: TTL?, key: String? = nil, condition: DecoratorCondition = .allValues, timeCondition: TTL? = nil,
    when: @Sendable (any Error) -> Bool = { _ in true }, prefix: String = "fail:", cache: CacheReference = .shared
) = #externalMacro(module: "CashewsMacrosPlugin", type: "FailoverMacro")

/// Recomputes a result in the background before it expires: the body becomes
/// ``Cache/early(key:ttl:earlyTTL:condition:timeCondition:tags:protected:background:prefix:upper:_:)``.
@attached(body)
public macro Early(
    ttl: TTL, earlyTTL: TTL? = nil, key: String? = nil, condition: DecoratorCondition = .allValues,
    timeCondition: TTL? = nil, tags: [String] = [], protected: Bool = true, background: Bool = true,
    prefix: String = "early:v2:", upper: Bool = false, cache: CacheReference = .shared
) = #externalMacro(module: "CashewsMacrosPlugin", type: "EarlyMacro")

/// Serves a stale result when recomputing it fails: the body becomes
/// ``Cache/soft(key:ttl:softTTL:when:condition:timeCondition:tags:protected:prefix:upper:_:)``.
@attached(body)
public macro Soft(
    ttl: TTL, softTTL: TTL? = nil, key: String? = nil, when: @Sendable (any Error) -> Bool = { _ in true },
    condition: DecoratorCondition = .allValues, timeCondition: TTL? = nil, tags: [String] = [],
    protected: Bool = true, prefix: String = "soft:", upper: Bool = false, cache: CacheReference = .shared
) = #externalMacro(module: "CashewsMacrosPlugin", type: "SoftMacro")

/// Serves a result `cacheHits` times, then recomputes it: the body becomes
/// ``Cache/hit(key:ttl:cacheHits:updateAfter:background:condition:timeCondition:tags:prefix:upper:_:)``.
@attached(body)
public macro Hit(
    ttl: TTL, cacheHits: Int, updateAfter: Int = 0, key: String? = nil, background: Bool = true,
    condition: DecoratorCondition = .allValues, timeCondition: TTL? = nil, tags: [String] = [],
    prefix: String = "hit:", upper: Bool = false, cache: CacheReference = .shared
) = #externalMacro(module: "CashewsMacrosPlugin", type: "HitMacro")

/// Keeps frequently used results cached, refreshing them as they are used: the body becomes
/// ``Cache/dynamic(key:ttl:condition:timeCondition:tags:prefix:upper:_:)``.
@attached(body)
public macro Dynamic(
    ttl: TTL = .days(1), key: String? = nil, condition: DecoratorCondition = .allValues, timeCondition: TTL? = nil,
    tags: [String] = [], prefix: String = "dynamic:", upper: Bool = false, cache: CacheReference = .shared
) = #externalMacro(module: "CashewsMacrosPlugin", type: "DynamicMacro")

/// Runs the body under the backend lock `<key>:lock`, one caller at a time across the processes
/// sharing the backend: the body becomes ``Cache/locked(key:ttl:wait:timeout:checkInterval:_:)``.
@attached(body)
public macro Locked(
    ttl: TTL, key: String? = nil, wait: Bool = true, timeout: TTL? = nil, checkInterval: TTL = .milliseconds(5),
    cache: CacheReference = .shared
) = #externalMacro(module: "CashewsMacrosPlugin", type: "LockedMacro")

/// Allows `limit` calls per `period` (fixed window); then throws: the body becomes
/// ``Cache/rateLimit(key:limit:period:banTTL:onLimit:_:)``.
@attached(body)
public macro RateLimit(
    limit: Int, period: TTL, key: String? = nil, banTTL: TTL? = nil, cache: CacheReference = .shared
) = #externalMacro(module: "CashewsMacrosPlugin", type: "RateLimitMacro")

/// Allows `limit` calls in any sliding `period`; then throws: the body becomes
/// ``Cache/sliceRateLimit(key:limit:period:onLimit:_:)``.
@attached(body)
public macro SliceRateLimit(limit: Int, period: TTL, key: String? = nil, cache: CacheReference = .shared) =
    #externalMacro(module: "CashewsMacrosPlugin", type: "SliceRateLimitMacro")

/// Stops calling the body for `ttl` once `errorRate` percent of the calls in `period` failed: the
/// body becomes ``Cache/circuitBreaker(key:errorRate:period:ttl:halfOpenTTL:minCalls:countsAsFailure:_:)``.
@attached(body)
public macro CircuitBreaker(
    errorRate: Double, period: TTL, ttl: TTL, key: String? = nil, halfOpenTTL: TTL? = nil, minCalls: Int = 1,
    countsAsFailure: @Sendable (any Error) -> Bool = { _ in true }, cache: CacheReference = .shared
) = #externalMacro(module: "CashewsMacrosPlugin", type: "CircuitBreakerMacro")

/// Deletes `key` (a template of the function's parameters; every matching key when it has glob
/// characters) and the entries tagged with `tags` after the body returns: the body becomes
/// ``Cache/invalidating(key:tags:_:)``.
///
/// ```swift
/// @Invalidate(key: "user:{userID}")
/// func rename(userID: Int, to name: String) async throws { try await db.rename(userID, name) }
/// ```
@attached(body)
public macro Invalidate(key: String? = nil, tags: [String] = [], cache: CacheReference = .shared) =
    #externalMacro(module: "CashewsMacrosPlugin", type: "InvalidateMacro")
