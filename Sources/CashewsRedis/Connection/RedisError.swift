/// A failure of the Redis client: what failed, and what to do about it.
///
/// ``RedisBackend`` reports these to callers as `BackendError`s (kind `unavailable` for the
/// connection kinds, with this error as `underlying`); they reach you as they are only from
/// ``RedisConnectionPool`` itself.
public struct RedisError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure an error is.
    public enum Kind: Sendable, Hashable {
        /// The server answered with an error reply (`-ERR …`, `-WRONGTYPE …`).
        case server
        /// No connection could be opened (refused, unreachable, handshake failed).
        case connectionFailed
        /// The connection closed with the command under way.
        case connectionClosed
        /// The command got no reply within its timeout.
        case timeout
        /// The server's reply is not valid RESP (the connection is closed).
        case protocolViolation
        /// The server refused the credentials (`AUTH`, `HELLO … AUTH`).
        case authenticationFailed
    }

    /// What kind of failure this is.
    public let kind: Kind
    /// What failed and what to do.
    public let message: String

    /// An error of `kind` saying `message`.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// True for the kinds that mean the server could not be reached or did not answer (a
    /// suppressed backend reads them as misses).
    public var isConnectionFailure: Bool { kind != .server }

    /// What failed and what to do.
    public var description: String { message }
}
