/// An error of the `Cashews` facade. Each description names the bad input and what is accepted.
public enum CashewsError: Error, Sendable, CustomStringConvertible, Equatable {
    /// A time-to-live that is malformed, zero or negative.
    case invalidTTL(input: String, reason: String)
    /// A setup URL that cannot be parsed.
    case invalidURL(String, reason: String)
    /// A setup URL whose scheme no backend registered.
    case unknownScheme(String, known: [String])
    /// A setup URL parameter the backend does not take.
    case unknownParameter(String, scheme: String, accepted: [String])
    /// A setup URL parameter with a value of the wrong form.
    case invalidParameter(String, value: String, expected: String)
    /// A value stored as one type and read as another.
    case typeMismatch(key: String, expected: String, found: String)
    /// Stored bytes that do not decode as the requested type.
    case decodingFailed(key: String, type: String, reason: String)
    /// A value that cannot be encoded.
    case encodingFailed(key: String, type: String, reason: String)
    /// A signed value whose signature does not match its key and bytes: it was changed, forged,
    /// copied from another key, or signed with a secret this cache no longer has.
    case badSignature(key: String)
    /// A stored value whose frame or compressed bytes are damaged.
    case damagedValue(key: String, reason: String)
    /// No backend serves the key (and there is no default backend).
    case noBackend(key: String)
    /// An argument out of its range.
    case invalidArgument(String)
    /// An empty key.
    case emptyKey
    /// A strategy option that needs a TTL was given none (`lock: true` without `ttl`).
    case ttlRequired(strategy: String, reason: String)
    /// A lock held by someone else, when not waiting for it.
    case locked(key: String)
    /// A lock still held by someone else when the wait for it ran out.
    case lockTimeout(key: String, waited: Duration)
    /// A call over a rate limit.
    case rateLimited(key: String, limit: Int, period: String)
    /// A call refused by an open (or half-open and busy) circuit breaker.
    case circuitOpen(key: String)
    /// A cached sequence that lost one of its chunks (evicted or deleted) during a replay.
    case incompleteSequence(key: String, missing: Int)

    /// What went wrong and what to do.
    public var description: String {
        switch self {
        case .invalidTTL(let input, let reason):
            return "invalid TTL \"\(input)\": \(reason); write a positive Duration or a string such as \"90s\","
                + " \"1h30m\", \"250ms\", \"2d\" (units d, h, m, s, ms), or nil for no expiry"
        case .invalidURL(let url, let reason):
            return "invalid cache URL \"\(url)\": \(reason); write it as scheme://[path][?name=value&...],"
                + " e.g. mem://?size=10000 or disk:///var/cache/app?size_limit=1GB"
        case .unknownScheme(let scheme, let known):
            return "unknown cache URL scheme \"\(scheme)\": use one of \(known.sorted().joined(separator: ", "))"
                + (scheme == "disk"
                    ? " (disk:// comes with the CashewsDisk module: import it, or SwiftCashews, and call"
                        + " Cache.register(.disk) once at start-up)"
                    : " (or register yours with Cache.register(scheme:_:))")
        case .unknownParameter(let name, let scheme, let accepted):
            return
                "unknown parameter \"\(name)\" for \(scheme)://: it accepts \(accepted.sorted().joined(separator: ", "))"
        case .invalidParameter(let name, let value, let expected):
            return "invalid value \"\(value)\" for parameter \"\(name)\": expected \(expected)"
        case .typeMismatch(let key, let expected, let found):
            return "\"\(key)\" holds a \(found), not a \(expected): read it as \(found) or overwrite it"
        case .decodingFailed(let key, let type, let reason):
            return "the value of \"\(key)\" does not decode as \(type): \(reason); it was written as another type"
                + " (read it as that type, or delete it)"
        case .encodingFailed(let key, let type, let reason):
            return "a \(type) cannot be encoded for \"\(key)\": \(reason)"
        case .badSignature(let key):
            return "the value of \"\(key)\" has a bad signature: it was changed, forged, moved from another key"
                + " or signed with another secret; it is not returned. Delete it; after rotating the secret, keep"
                + " the old one in previous_secrets until its values expire"
        case .damagedValue(let key, let reason):
            return "the value of \"\(key)\" is damaged: \(reason); delete it (the cache will recompute it)"
        case .noBackend(let key):
            return "no backend serves \"\(key)\": call setup(_:) with no prefix for a default backend"
        case .invalidArgument(let message):
            return "invalid argument: \(message)"
        case .emptyKey:
            return "empty cache key: keys are non-empty strings (of any length)"
        case .ttlRequired(let strategy, let reason):
            return "\(strategy) needs a TTL: \(reason); pass ttl:"
        case .locked(let key):
            return "\"\(key)\" is locked by another caller: retry later, or wait for it (wait: true)"
        case .lockTimeout(let key, let waited):
            return "gave up waiting \(waited) for the lock \"\(key)\": its holder is slow or gone (the lock expires"
                + " after its TTL); raise the timeout, or shorten the work done under the lock"
        case .rateLimited(let key, let limit, let period):
            return "rate limit of \"\(key)\" reached (\(limit) calls per \(period)): retry after the window or ban"
                + " ends, or pass an action to answer over-limit calls"
        case .circuitOpen(let key):
            return "the circuit breaker \"\(key)\" is open after too many failures: fall back or retry after its TTL"
        case .incompleteSequence(let key, let missing):
            return "the cached sequence \"\(key)\" lost chunk \(missing) (evicted or deleted) during a replay;"
                + " it was invalidated: iterate again to recompute it"
        }
    }
}
