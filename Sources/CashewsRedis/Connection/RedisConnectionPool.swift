import Logging
import NIOCore
import NIOPosix
import Synchronization

/// A fixed number of connections to one server, opened on first use and reopened with backoff
/// when they fail. Commands share the connections (each is pipelined), so the pool never makes
/// a command wait for another's reply; a command waits only for a connection to open, at most
/// ``RedisConfiguration/waitTimeout``, and fails at once while a connection that failed to open
/// is backing off.
///
/// The pool is one ``RedisCommandExecutor``: a later cluster executor keeps a pool per node and
/// routes each command by its key's hash slot (following `MOVED` and `ASK`), a Sentinel one asks
/// the sentinels for the master's address before it opens its pool.
public final class RedisConnectionPool: RedisCommandExecutor, Sendable {
    private enum SlotState {
        case idle
        case connecting(Task<RedisConnection, any Error>)
        case connected(RedisConnection)
        case backingOff(until: ContinuousClock.Instant, failures: Int, error: RedisError)
    }

    private final class Slot: Sendable {
        let state = Mutex<SlotState>(.idle)
        let failures = Atomic<Int>(0)
    }

    /// What the pool connects to and how.
    public let configuration: RedisConfiguration
    private let slots: [Slot]
    private let next = Atomic<Int>(0)
    private let group: any EventLoopGroup
    private let logger: Logger
    private let onPush: @Sendable (RESPValue) -> Void
    private let onConnect: @Sendable (RedisConnection) async throws -> Void
    private let onDisconnect: @Sendable () -> Void
    private let closed = Atomic<Bool>(false)

    /// A pool for `configuration`; `onPush` gets push messages of every connection, `onConnect`
    /// runs on every new connection before it serves commands (a failure fails the connection),
    /// `onDisconnect` after any connection closes.
    public init(
        _ configuration: RedisConfiguration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "swift-cashews.redis"),
        onPush: @escaping @Sendable (RESPValue) -> Void = { _ in },
        onConnect: @escaping @Sendable (RedisConnection) async throws -> Void = { _ in },
        onDisconnect: @escaping @Sendable () -> Void = {}
    ) {
        self.configuration = configuration
        self.slots = (0..<max(1, configuration.poolSize)).map { _ in Slot() }
        self.group = group
        self.logger = logger
        self.onPush = onPush
        self.onConnect = onConnect
        self.onDisconnect = onDisconnect
    }

    /// Sends `command` on a connection of the pool and returns its reply.
    ///
    /// - Throws: ``RedisError``.
    public func send(_ command: RESPCommand) async throws -> RESPValue {
        try await connection().send(command)
    }

    /// Sends `commands` in one write on one connection and returns their replies, error replies
    /// included (in order).
    public func sendRaw(_ commands: [RESPCommand]) async throws -> [RESPValue] {
        try await connection().sendRaw(commands)
    }

    /// A connection of the pool, opening it when needed.
    public func connection() async throws -> RedisConnection {
        guard !closed.load(ordering: .relaxed) else {
            throw RedisError(.connectionClosed, "the Redis connection pool is shut down")
        }
        let start = next.wrappingAdd(1, ordering: .relaxed).oldValue
        let slot = slots[Int(UInt(bitPattern: start) % UInt(slots.count))]
        let connection: RedisConnection? = slot.state.withLock {
            if case .connected(let connection) = $0, connection.isActive { return connection }
            return nil
        }
        if let connection { return connection }
        do {
            // The round-robin slot opens on first use (and after a failure, once its pause is over).
            return try await open(slot)
        } catch {
            // While it backs off, any open connection serves.
            for other in slots {
                let connection: RedisConnection? = other.state.withLock {
                    if case .connected(let connection) = $0, connection.isActive { return connection }
                    return nil
                }
                if let connection { return connection }
            }
            throw error
        }
    }

    private func open(_ slot: Slot) async throws -> RedisConnection {
        enum Step {
            case use(RedisConnection)
            case wait(Task<RedisConnection, any Error>)
            case fail(RedisError)
        }
        let now = ContinuousClock.now
        let step: Step = slot.state.withLock { state in
            switch state {
            case .connected(let connection) where connection.isActive:
                return .use(connection)
            case .connecting(let task):
                return .wait(task)
            case .backingOff(let until, _, let error) where now < until:
                return .fail(error)
            default:
                let task = Task { try await self.connect(slot) }
                state = .connecting(task)
                return .wait(task)
            }
        }
        switch step {
        case .use(let connection):
            return connection
        case .fail(let error):
            throw error
        case .wait(let task):
            return try await withWaitTimeout(task)
        }
    }

    /// Waits for `task` at most the wait timeout (the task goes on: the slot keeps its result).
    private func withWaitTimeout(_ task: Task<RedisConnection, any Error>) async throws -> RedisConnection {
        let timeout = configuration.waitTimeout
        return try await withThrowingTaskGroup(of: RedisConnection?.self) { group in
            group.addTask { try await task.value }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let connection = first else {
                throw RedisError(
                    .timeout,
                    "no Redis connection opened within wait_for_connection_timeout (\(timeout));"
                        + " check that the server is reachable")
            }
            return connection
        }
    }

    private func connect(_ slot: Slot) async throws -> RedisConnection {
        do {
            let connection = try await RedisConnection.open(configuration, group: group, onPush: onPush)
            do {
                try await onConnect(connection)
            } catch {
                await connection.close()
                throw error
            }
            slot.failures.store(0, ordering: .relaxed)
            slot.state.withLock { $0 = .connected(connection) }
            connection.channel.closeFuture.whenComplete { [weak slot, onDisconnect] _ in
                slot?.state.withLock { state in
                    if case .connected(let current) = state, current === connection { state = .idle }
                }
                onDisconnect()
            }
            if closed.load(ordering: .relaxed) { await connection.close() }
            return connection
        } catch {
            let failures = slot.failures.add(1, ordering: .relaxed).newValue
            let redisError =
                error as? RedisError ?? RedisError(.connectionFailed, "cannot connect to Redis: \(error)")
            let pause = min(configuration.backoff * (1 << min(failures - 1, 20)), configuration.maximumBackoff)
            logger.warning(
                "cannot connect to Redis; retrying after a pause",
                metadata: ["endpoint": "\(configuration.endpoint)", "error": "\(redisError)", "pause": "\(pause)"])
            slot.state.withLock { $0 = .backingOff(until: .now + pause, failures: failures, error: redisError) }
            throw redisError
        }
    }

    /// Closes every connection; later commands fail.
    public func shutdown() async {
        closed.store(true, ordering: .relaxed)
        for slot in slots {
            let state = slot.state.withLock { state in
                let current = state
                state = .idle
                return current
            }
            switch state {
            case .connected(let connection): await connection.close()
            case .connecting(let task): try? await task.value.close()
            default: break
            }
        }
    }
}

/// Where the backend sends its commands: one server's pool today, a cluster's slot router or a
/// Sentinel-discovered master later.
public protocol RedisCommandExecutor: Sendable {
    /// Sends `command` and returns its reply (an error reply throws ``RedisError``).
    func send(_ command: RESPCommand) async throws -> RESPValue
    /// Sends `commands` together on one connection and returns their replies, error replies included.
    func sendRaw(_ commands: [RESPCommand]) async throws -> [RESPValue]
    /// Closes every connection.
    func shutdown() async
}
