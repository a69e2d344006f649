/// A call of a backend command with its arguments, as a ``CacheMiddleware`` sees it.
public enum CacheRequest: Sendable {
    /// ``Backend/get(_:)-(String)``.
    case get(key: String)
    /// ``Backend/get(_:)-([String])``.
    case getMany(keys: [String])
    /// ``Backend/set(_:_:expiry:condition:)``.
    case set(key: String, value: CacheValue, expiry: Expiry, condition: WriteCondition)
    /// ``Backend/set(_:expiry:)``.
    case setMany(entries: [(key: String, value: CacheValue)], expiry: Expiry)
    /// ``Backend/exists(_:)``.
    case exists(key: String)
    /// ``Backend/delete(_:)-(String)``.
    case delete(key: String)
    /// ``Backend/delete(_:)-([String])``.
    case deleteMany(keys: [String])
    /// ``Backend/delete(matching:)``.
    case deleteMatching(pattern: GlobPattern)
    /// ``Backend/keys(matching:)``.
    case scan(pattern: GlobPattern)
    /// ``Backend/increment(_:by:expiry:)``.
    case increment(key: String, delta: Int64, expiry: Expiry)
    /// ``Backend/expire(_:after:)``.
    case expire(key: String, duration: Duration)
    /// ``Backend/timeToLive(_:)``.
    case timeToLive(key: String)
    /// ``Backend/modify(_:_:)`` (its closure stays with the call).
    case modify(key: String)
    /// ``Backend/count()``.
    case count
    /// ``Backend/size(of:)``.
    case size(key: String)
    /// ``Backend/clear()``.
    case clear
    /// ``Backend/ping(_:)``.
    case ping(message: String)
    /// ``Backend/getBits(_:at:size:)``.
    case getBits(key: String, indexes: [Int], size: Int)
    /// ``Backend/incrementBits(_:at:size:by:)``.
    case incrementBits(key: String, indexes: [Int], size: Int, delta: Int64)
    /// ``Backend/sliceIncrement(_:start:end:limit:expiry:)``.
    case sliceIncrement(key: String, start: Int64, end: Int64, limit: Int, expiry: Duration)
    /// ``Backend/addToSet(_:_:expiry:)``.
    case addToSet(key: String, members: [String], expiry: Expiry)
    /// ``Backend/removeFromSet(_:_:)``.
    case removeFromSet(key: String, members: [String])
    /// ``Backend/popFromSet(_:count:)``.
    case popFromSet(key: String, count: Int)
    /// ``Backend/members(of:)``.
    case members(key: String)
    /// ``Backend/lock(_:token:ttl:)``.
    case lock(key: String, token: String, ttl: Duration)
    /// ``Backend/unlock(_:token:)``.
    case unlock(key: String, token: String)
    /// ``Backend/isLocked(_:)``.
    case isLocked(key: String)

    /// The command called.
    public var command: CacheCommand {
        switch self {
        case .get: .get
        case .getMany: .getMany
        case .set: .set
        case .setMany: .setMany
        case .exists: .exists
        case .delete: .delete
        case .deleteMany: .deleteMany
        case .deleteMatching: .deleteMatching
        case .scan: .scan
        case .increment: .increment
        case .expire: .expire
        case .timeToLive: .timeToLive
        case .modify: .modify
        case .count: .count
        case .size: .size
        case .clear: .clear
        case .ping: .ping
        case .getBits: .getBits
        case .incrementBits: .incrementBits
        case .sliceIncrement: .sliceIncrement
        case .addToSet: .addToSet
        case .removeFromSet: .removeFromSet
        case .popFromSet: .popFromSet
        case .members: .members
        case .lock: .lock
        case .unlock: .unlock
        case .isLocked: .isLocked
        }
    }

    /// The keys the call names (none for patterns, `count`, `clear` and `ping`).
    public var keys: [String] {
        switch self {
        case .getMany(let keys), .deleteMany(let keys): keys
        case .setMany(let entries, _): entries.map(\.key)
        case .get(let key), .set(let key, _, _, _), .exists(let key), .delete(let key), .increment(let key, _, _),
            .expire(let key, _), .timeToLive(let key), .modify(let key), .size(let key), .getBits(let key, _, _),
            .incrementBits(let key, _, _, _), .sliceIncrement(let key, _, _, _, _), .addToSet(let key, _, _),
            .removeFromSet(let key, _), .popFromSet(let key, _), .members(let key), .lock(let key, _, _),
            .unlock(let key, _), .isLocked(let key):
            [key]
        case .deleteMatching, .scan, .count, .clear, .ping: []
        }
    }

    /// The glob pattern of a pattern command (`deleteMatching`, `scan`).
    public var pattern: GlobPattern? {
        switch self {
        case .deleteMatching(let pattern), .scan(let pattern): pattern
        default: nil
        }
    }

    /// The same call with every key passed through `key` and every pattern through `pattern`.
    public func mapping(
        keys key: (String) throws -> String, pattern: (GlobPattern) throws -> GlobPattern
    ) rethrows -> CacheRequest {
        switch self {
        case .get(let k): return .get(key: try key(k))
        case .getMany(let keys): return .getMany(keys: try keys.map(key))
        case .set(let k, let value, let expiry, let condition):
            return .set(key: try key(k), value: value, expiry: expiry, condition: condition)
        case .setMany(let entries, let expiry):
            return .setMany(entries: try entries.map { (key: try key($0.key), value: $0.value) }, expiry: expiry)
        case .exists(let k): return .exists(key: try key(k))
        case .delete(let k): return .delete(key: try key(k))
        case .deleteMany(let keys): return .deleteMany(keys: try keys.map(key))
        case .deleteMatching(let p): return .deleteMatching(pattern: try pattern(p))
        case .scan(let p): return .scan(pattern: try pattern(p))
        case .increment(let k, let delta, let expiry): return .increment(key: try key(k), delta: delta, expiry: expiry)
        case .expire(let k, let duration): return .expire(key: try key(k), duration: duration)
        case .timeToLive(let k): return .timeToLive(key: try key(k))
        case .modify(let k): return .modify(key: try key(k))
        case .count, .clear, .ping: return self
        case .size(let k): return .size(key: try key(k))
        case .getBits(let k, let indexes, let size): return .getBits(key: try key(k), indexes: indexes, size: size)
        case .incrementBits(let k, let indexes, let size, let delta):
            return .incrementBits(key: try key(k), indexes: indexes, size: size, delta: delta)
        case .sliceIncrement(let k, let start, let end, let limit, let expiry):
            return .sliceIncrement(key: try key(k), start: start, end: end, limit: limit, expiry: expiry)
        case .addToSet(let k, let members, let expiry):
            return .addToSet(key: try key(k), members: members, expiry: expiry)
        case .removeFromSet(let k, let members): return .removeFromSet(key: try key(k), members: members)
        case .popFromSet(let k, let count): return .popFromSet(key: try key(k), count: count)
        case .members(let k): return .members(key: try key(k))
        case .lock(let k, let token, let ttl): return .lock(key: try key(k), token: token, ttl: ttl)
        case .unlock(let k, let token): return .unlock(key: try key(k), token: token)
        case .isLocked(let k): return .isLocked(key: try key(k))
        }
    }
}

/// The answer to a ``CacheRequest``, of the shape its command returns.
public enum CacheResponse: Sendable {
    /// `get`: the value, nil for a miss.
    case value(CacheValue?)
    /// `getMany`: the values in order.
    case values([CacheValue?])
    /// `set`, `exists`, `delete`, `expire`, `lock`, `unlock`, `isLocked`.
    case bool(Bool)
    /// `deleteMany`, `deleteMatching`, `count`, `sliceIncrement`, `addToSet`, `removeFromSet`;
    /// `size` (nil when absent).
    case count(Int?)
    /// `increment`.
    case integer(Int64)
    /// `scan`, `popFromSet`, `members`.
    case strings([String])
    /// `timeToLive`.
    case timeToLive(TimeToLive?)
    /// `getBits`, `incrementBits`.
    case counters([UInt64])
    /// `ping`.
    case message(String)
    /// `setMany`, `clear`, `modify`: nothing to return.
    case done

    /// True for a `get` that found a value (what the metrics middleware counts as a hit).
    public var isHit: Bool {
        if case .value(let value) = self { return value != nil }
        return false
    }
}
