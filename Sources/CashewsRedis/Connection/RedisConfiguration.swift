/// How to reach a Redis server and how the pool behaves: what a `redis://`, `rediss://` or
/// `unix://` setup URL says (see ``init(url:)``).
public struct RedisConfiguration: Sendable, Hashable {
    /// Where the server listens.
    public enum Endpoint: Sendable, Hashable, CustomStringConvertible {
        /// A TCP host and port.
        case tcp(host: String, port: Int)
        /// A unix domain socket.
        case unix(path: String)

        /// `host:port` or the socket's path.
        public var description: String {
            switch self {
            case .tcp(let host, let port): return "\(host):\(port)"
            case .unix(let path): return "unix://\(path)"
            }
        }
    }

    /// Where the server listens (default `127.0.0.1:6379`).
    public var endpoint: Endpoint
    /// The ACL user (`AUTH user password`); nil for the default user.
    public var username: String?
    /// The password; nil for none.
    public var password: String?
    /// The database number (`SELECT`).
    public var database: Int
    /// The connection name the server lists (`CLIENT SETNAME`).
    public var clientName: String?
    /// The connections of the pool; commands share them by pipelining.
    public var poolSize: Int
    /// How long a command waits for its reply before it fails (and its connection is reopened).
    public var commandTimeout: Duration
    /// How long opening a connection (connect and handshake) may take.
    public var connectTimeout: Duration
    /// The longest a command waits for a connection of the pool to open.
    public var waitTimeout: Duration
    /// The first pause before reopening a connection that failed to open; it doubles on every
    /// failure up to ``maximumBackoff``. Commands during the pause fail at once.
    public var backoff: Duration
    /// The longest pause between attempts to reopen a connection.
    public var maximumBackoff: Duration
    /// 3 (default: `HELLO 3`, RESP2 when the server has no RESP3) or 2 (RESP2 only).
    public var protocolVersion: Int
    /// A prefix of every key this backend stores; ``RedisBackend/clear()`` and
    /// ``RedisBackend/count()`` see only keys with it.
    public var namespace: String
    /// Keeps hits in a local memory tier invalidated by the server (`CLIENT TRACKING`), when
    /// the server speaks RESP3.
    public var clientSideCaching: Bool
    /// The most entries of the local tier.
    public var clientSideCacheSize: Int
    /// True for a `rediss://` URL: connections need a TLS ``transport`` (the `CashewsRedisTLS`
    /// module's).
    public var usesTLS: Bool
    /// What goes between the socket and the RESP handler of every connection (TLS); nil for
    /// plain TCP or a unix socket.
    public var transport: RedisTransport?

    /// A configuration for `endpoint` with the defaults.
    public init(endpoint: Endpoint = .tcp(host: "127.0.0.1", port: 6379)) {
        self.endpoint = endpoint
        self.username = nil
        self.password = nil
        self.database = 0
        self.clientName = nil
        self.poolSize = 4
        self.commandTimeout = .seconds(1)
        self.connectTimeout = .seconds(2)
        self.waitTimeout = .seconds(2)
        self.backoff = .milliseconds(50)
        self.maximumBackoff = .seconds(2)
        self.protocolVersion = 3
        self.namespace = ""
        self.clientSideCaching = false
        self.clientSideCacheSize = 10_000
        self.usesTLS = false
        self.transport = nil
    }
}
