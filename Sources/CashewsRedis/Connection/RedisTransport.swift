public import NIOCore

/// Channel handlers a connection puts in front of its RESP handler: TLS (`CashewsRedisTLS`
/// makes one from `rediss://` parameters), or anything else a deployment needs. Transports are
/// equal when their names are.
public struct RedisTransport: Sendable, Hashable, CustomStringConvertible {
    /// What the transport is, for logs and equality (`tls(verify: full)`).
    public let description: String
    /// Adds the transport's handlers to a new connection's pipeline (on its event loop), given
    /// the endpoint it connects to.
    public let prepare: @Sendable (any NIOCore.Channel, RedisConfiguration.Endpoint) throws -> Void

    /// A transport named `description` that adds its handlers with `prepare`.
    public init(
        _ description: String,
        prepare: @escaping @Sendable (any NIOCore.Channel, RedisConfiguration.Endpoint) throws -> Void
    ) {
        self.description = description
        self.prepare = prepare
    }

    /// Transports are equal when their descriptions are.
    public static func == (lhs: RedisTransport, rhs: RedisTransport) -> Bool { lhs.description == rhs.description }

    /// Hashes the description.
    public func hash(into hasher: inout Hasher) { hasher.combine(description) }
}
