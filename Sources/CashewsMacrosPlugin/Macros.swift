import SwiftSyntax
import SwiftSyntaxMacros

/// A body macro that passes the function's body to one strategy of `Cache`.
public protocol StrategyMacro: BodyMacro {
    /// The strategy the body is passed to.
    static var strategy: Strategy { get }
}

extension StrategyMacro {
    /// The new body: the strategy's call with the original body as a local function.
    public static func expansion(
        of node: AttributeSyntax, providingBodyFor declaration: some DeclSyntaxProtocol & WithOptionalCodeBlockSyntax,
        in context: some MacroExpansionContext
    ) throws -> [CodeBlockItemSyntax] {
        guard
            var decoration = Decoration(strategy: strategy, attribute: node, declaration: declaration, context: context)
        else { return [] }
        return decoration.expansion()
    }
}

/// `@Cached`: `Cache.cached(key:ttl:…)`.
public struct CachedMacro: StrategyMacro {
    /// The strategy the body is passed to.
    public static let strategy = Strategy.cached
}

/// `@Failover`: `Cache.failover(key:ttl:…)`.
public struct FailoverMacro: StrategyMacro {
    /// The strategy the body is passed to.
    public static let strategy = Strategy.failover
}

/// `@Early`: `Cache.early(key:ttl:earlyTTL:…)`.
public struct EarlyMacro: StrategyMacro {
    /// The strategy the body is passed to.
    public static let strategy = Strategy.early
}

/// `@Soft`: `Cache.soft(key:ttl:softTTL:…)`.
public struct SoftMacro: StrategyMacro {
    /// The strategy the body is passed to.
    public static let strategy = Strategy.soft
}

/// `@Hit`: `Cache.hit(key:ttl:cacheHits:…)`.
public struct HitMacro: StrategyMacro {
    /// The strategy the body is passed to.
    public static let strategy = Strategy.hit
}

/// `@Dynamic`: `Cache.dynamic(key:ttl:…)`.
public struct DynamicMacro: StrategyMacro {
    /// The strategy the body is passed to.
    public static let strategy = Strategy.dynamic
}

/// `@Locked`: `Cache.locked(key:ttl:…)`.
public struct LockedMacro: StrategyMacro {
    /// The strategy the body is passed to.
    public static let strategy = Strategy.locked
}

/// `@RateLimit`: `Cache.rateLimit(key:limit:period:…)`.
public struct RateLimitMacro: StrategyMacro {
    /// The strategy the body is passed to.
    public static let strategy = Strategy.rateLimit
}

/// `@SliceRateLimit`: `Cache.sliceRateLimit(key:limit:period:)`.
public struct SliceRateLimitMacro: StrategyMacro {
    /// The strategy the body is passed to.
    public static let strategy = Strategy.sliceRateLimit
}

/// `@CircuitBreaker`: `Cache.circuitBreaker(key:errorRate:period:ttl:…)`.
public struct CircuitBreakerMacro: StrategyMacro {
    /// The strategy the body is passed to.
    public static let strategy = Strategy.circuitBreaker
}

/// `@Invalidate(key:)`: runs the body, then deletes the keys it names.
public struct InvalidateMacro: StrategyMacro {
    /// The strategy the body is passed to.
    public static let strategy = Strategy.invalidate
}
