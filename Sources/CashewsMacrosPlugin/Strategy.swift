/// What a decorator macro expands to: the `Cache` method it calls and the attribute arguments it
/// passes on, in the method's parameter order.
public struct Strategy: Sendable {
    /// The attribute's name, as written after `@`.
    let attribute: String
    /// The `Cache` method the body is passed to.
    let method: String
    /// The labels of the attribute's arguments passed on as they are, in the method's order;
    /// `tags` among them is rendered from templates.
    let passedOn: [String]
    /// Whether the strategy stores the result (it must be `Codable`, so the function has one).
    let storesResult: Bool
    /// Whether it throws for reasons of its own (a limit reached, an open circuit, a lock timeout,
    /// an invalidation that failed): then the function must throw too. The others fall back on the
    /// body when the cache fails under a function that does not throw.
    let needsThrows: Bool

    static let cached = Strategy(
        attribute: "Cached", method: "cached",
        passedOn: [
            "ttl", "condition", "timeCondition", "tags", "lock", "lockTimeout", "protected", "prefix", "upper",
        ],
        storesResult: true, needsThrows: false)
    static let failover = Strategy(
        attribute: "Failover", method: "failover",
        passedOn: ["ttl", "condition", "timeCondition", "when", "prefix"], storesResult: true, needsThrows: false)
    static let early = Strategy(
        attribute: "Early", method: "early",
        passedOn: [
            "ttl", "earlyTTL", "condition", "timeCondition", "tags", "protected", "background", "prefix", "upper",
        ],
        storesResult: true, needsThrows: false)
    static let soft = Strategy(
        attribute: "Soft", method: "soft",
        passedOn: [
            "ttl", "softTTL", "when", "condition", "timeCondition", "tags", "protected", "prefix", "upper",
        ],
        storesResult: true, needsThrows: false)
    static let hit = Strategy(
        attribute: "Hit", method: "hit",
        passedOn: [
            "ttl", "cacheHits", "updateAfter", "background", "condition", "timeCondition", "tags", "prefix", "upper",
        ],
        storesResult: true, needsThrows: false)
    static let dynamic = Strategy(
        attribute: "Dynamic", method: "dynamic",
        passedOn: ["ttl", "condition", "timeCondition", "tags", "prefix", "upper"], storesResult: true,
        needsThrows: false)
    static let locked = Strategy(
        attribute: "Locked", method: "locked", passedOn: ["ttl", "wait", "timeout", "checkInterval"],
        storesResult: false, needsThrows: true)
    static let rateLimit = Strategy(
        attribute: "RateLimit", method: "rateLimit", passedOn: ["limit", "period", "banTTL"], storesResult: false,
        needsThrows: true)
    static let sliceRateLimit = Strategy(
        attribute: "SliceRateLimit", method: "sliceRateLimit", passedOn: ["limit", "period"], storesResult: false,
        needsThrows: true)
    static let circuitBreaker = Strategy(
        attribute: "CircuitBreaker", method: "circuitBreaker",
        passedOn: ["errorRate", "period", "ttl", "halfOpenTTL", "minCalls", "countsAsFailure"],
        storesResult: false, needsThrows: true)
    static let invalidate = Strategy(
        attribute: "Invalidate", method: "invalidating", passedOn: ["tags"], storesResult: false, needsThrows: true)
}
