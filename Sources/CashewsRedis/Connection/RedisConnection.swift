public import NIOCore
import NIOPosix

/// One connection to a Redis server, shared by every command sent on it: commands sent
/// concurrently are pipelined (they share a write and their replies come back in order).
///
/// Open one with ``open(_:group:onPush:)``; ``RedisConnectionPool`` keeps several and reopens
/// them.
public final class RedisConnection: Sendable {
    /// The channel underneath.
    public let channel: any Channel
    private let handler: RedisChannelHandler
    /// The protocol the handshake settled on: 3 (RESP3, push messages) or 2.
    public let protocolVersion: Int
    /// The server's connection id (`CLIENT ID`), for `CLIENT TRACKING … REDIRECT`.
    public let id: Int64
    private let commandTimeout: TimeAmount

    private init(
        channel: any Channel, handler: RedisChannelHandler, protocolVersion: Int, id: Int64, commandTimeout: TimeAmount
    ) {
        self.channel = channel
        self.handler = handler
        self.protocolVersion = protocolVersion
        self.id = id
        self.commandTimeout = commandTimeout
    }

    /// True while the channel is open.
    public var isActive: Bool { channel.isActive }

    /// Opens a connection as `configuration` says and runs the handshake: `HELLO 3` with the
    /// credentials and client name (RESP2's `AUTH` and `CLIENT SETNAME` when the server has no
    /// `HELLO`, or when `protocol=2`), then `SELECT`. `onPush` gets the server's push messages
    /// (on the event loop).
    ///
    /// - Throws: ``RedisError`` (``RedisError/Kind/connectionFailed``,
    ///   ``RedisError/Kind/authenticationFailed``).
    public static func open(
        _ configuration: RedisConfiguration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        onPush: @escaping @Sendable (RESPValue) -> Void = { _ in }
    ) async throws -> RedisConnection {
        let handler = RedisChannelHandler(parser: RESPParser(), onPush: onPush)
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(configuration.connectTimeout.timeAmount)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try configuration.transport?.prepare(channel, configuration.endpoint)
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
        let channel: any Channel
        do {
            switch configuration.endpoint {
            case .tcp(let host, let port):
                channel = try await bootstrap.channelOption(.socketOption(.tcp_nodelay), value: 1)
                    .connect(host: host, port: port).get()
            case .unix(let path):
                channel = try await bootstrap.connect(unixDomainSocketPath: path).get()
            }
        } catch {
            throw RedisError(
                .connectionFailed,
                "cannot connect to Redis at \(configuration.endpoint) (\(error)); check that the server runs and the"
                    + " URL's host, port or socket path")
        }
        var connection = RedisConnection(
            channel: channel, handler: handler, protocolVersion: 2, id: 0,
            commandTimeout: configuration.connectTimeout.timeAmount)
        do {
            let version = try await connection.handshake(configuration)
            let id = try await connection.send(["CLIENT", "ID"]).integer ?? 0
            connection = RedisConnection(
                channel: channel, handler: handler, protocolVersion: version, id: id,
                commandTimeout: configuration.commandTimeout.timeAmount)
            return connection
        } catch {
            try? await channel.close()
            throw error
        }
    }

    private func handshake(_ configuration: RedisConfiguration) async throws -> Int {
        var version = 2
        if configuration.protocolVersion == 3 {
            var hello: [RESPArgument] = ["HELLO", "3"]
            if let password = configuration.password {
                hello += ["AUTH", .string(configuration.username ?? "default"), .string(password)]
            }
            if let name = configuration.clientName { hello += ["SETNAME", .string(name)] }
            let reply = try await sendRaw(RESPCommand(hello))
            if case .error(let message) = reply {
                if RedisConnection.isAuthenticationError(message) {
                    throw RedisConnection.authenticationError(message)
                }
                // NOPROTO, or a server before 6.0 with no HELLO: RESP2 it is.
                guard message.hasPrefix("NOPROTO") || message.lowercased().contains("unknown command") else {
                    throw RedisError(.connectionFailed, "Redis refused HELLO 3: \(message)")
                }
            } else {
                version = 3
            }
        }
        if version == 2 {
            if let password = configuration.password {
                var auth: [RESPArgument] = ["AUTH"]
                if let user = configuration.username { auth.append(.string(user)) }
                auth.append(.string(password))
                if case .error(let message) = try await sendRaw(RESPCommand(auth)) {
                    throw RedisConnection.authenticationError(message)
                }
            }
            if let name = configuration.clientName {
                if case .error(let message) = try await sendRaw(["CLIENT", "SETNAME", .string(name)]) {
                    throw RedisError(.connectionFailed, "Redis refused CLIENT SETNAME \(name): \(message)")
                }
            }
        }
        if configuration.database != 0 {
            if case .error(let message) = try await sendRaw(["SELECT", .integer(Int64(configuration.database))]) {
                throw RedisError(
                    .connectionFailed,
                    "Redis refused SELECT \(configuration.database): \(message); use a database the server has"
                        + " (its `databases` setting)")
            }
        }
        return version
    }

    private static func isAuthenticationError(_ message: String) -> Bool {
        message.hasPrefix("WRONGPASS") || message.hasPrefix("NOAUTH")
            || message.contains("AUTH")
                && message.contains("password")
    }

    private static func authenticationError(_ message: String) -> RedisError {
        RedisError(
            .authenticationFailed,
            "Redis refused the credentials (\(message)); check the URL's user and password"
                + " (redis://user:password@host)")
    }

    /// Sends `command` and returns its reply; an error reply throws.
    ///
    /// - Throws: ``RedisError``: ``RedisError/Kind/server`` for an error reply, a connection kind
    ///   when the connection fails or the reply does not come within the command timeout.
    public func send(_ command: RESPCommand) async throws -> RESPValue {
        let reply = try await sendRaw(command)
        if case .error(let message) = reply { throw RedisError(.server, message) }
        return reply
    }

    /// Sends `command` and returns its reply, an error reply included.
    public func sendRaw(_ command: RESPCommand) async throws -> RESPValue {
        let loop = channel.eventLoop
        let promise = loop.makePromise(of: RESPValue.self)
        handler.submit(.init(command: command, promise: promise, timeout: commandTimeout), on: loop)
        return try await promise.futureResult.get()
    }

    /// Sends `commands` in one write and returns their replies, error replies included.
    public func sendRaw(_ commands: [RESPCommand]) async throws -> [RESPValue] {
        let loop = channel.eventLoop
        let submissions = commands.map {
            RedisChannelHandler.Submission(command: $0, promise: loop.makePromise(), timeout: commandTimeout)
        }
        handler.submit(submissions, on: loop)
        var replies: [RESPValue] = []
        replies.reserveCapacity(submissions.count)
        for submission in submissions { replies.append(try await submission.promise.futureResult.get()) }
        return replies
    }

    /// Closes the connection; commands under way fail.
    public func close() async {
        try? await channel.close()
    }
}

extension RESPCommand: ExpressibleByArrayLiteral {
    /// A command from its name and arguments: `["GET", .string(key)]`.
    public init(arrayLiteral elements: RESPArgument...) { self.init(elements) }
}

extension Duration {
    var timeAmount: TimeAmount { .nanoseconds(Int64(clamping: milliseconds) * 1_000_000) }
}
