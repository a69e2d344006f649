import Synchronization

/// A command a ``Cache`` ran, as an observer sees it (see ``Cache/onCommand(_:perform:)``).
public struct CommandEvent: Sendable {
    /// The call, with the keys and arguments the backend got (after the middlewares).
    public let request: CacheRequest
    /// Its answer, or the error it threw.
    public let outcome: Result<CacheResponse, any Error>

    /// The command.
    public var command: CacheCommand { request.command }
    /// The first key the call names (nil for patterns, `count`, `clear`, `ping`).
    public var key: String? { request.keys.first }
    /// The answer, nil when the command threw.
    public var response: CacheResponse? { try? outcome.get() }
}

/// One observer of commands: its callback runs on a task of its own, fed through a stream, so
/// that the command it observes never waits for it; events arrive in order.
final class CommandObserver: Sendable {
    let commands: CommandSet
    private let continuation: AsyncStream<CommandEvent>.Continuation
    private let consumer: Task<Void, Never>

    init(commands: CommandSet, perform: @escaping @Sendable (CommandEvent) async -> Void) {
        self.commands = commands
        let (stream, continuation) = AsyncStream.makeStream(of: CommandEvent.self)
        self.continuation = continuation
        // Detached: the callback runs outside the task-local controls (a transaction, a
        // disabling scope) of the task that set it up.
        consumer = Task.detached {
            for await event in stream { await perform(event) }
        }
    }

    /// Hands `event` to the callback's task without waiting.
    func report(_ event: CommandEvent) { continuation.yield(event) }

    /// Stops taking events; the callback still gets those reported before.
    func finish() { continuation.finish() }

    /// Waits until the callback has handled every event reported before ``finish()``.
    func drained() async { await consumer.value }
}

/// A lifetime observation set up by ``Cache/onCommand(_:perform:)``: it lasts until
/// ``cancel()``.
public final class CommandObservation: Sendable {
    let observer: CommandObserver
    private let remove: @Sendable () -> Void

    init(observer: CommandObserver, remove: @escaping @Sendable () -> Void) {
        self.observer = observer
        self.remove = remove
    }

    /// Stops observing; the callback still gets the commands that ran before.
    public func cancel() {
        remove()
        observer.finish()
    }

    /// Cancels, then waits until the callback has handled every command that ran before.
    public func finish() async {
        cancel()
        await observer.drained()
    }
}

extension Cache {
    /// Calls `perform` after every one of `commands` (all commands when none is given) that this
    /// cache runs, in any task, until the observation is cancelled. The callback runs on a task
    /// of its own, in the order the commands finished: a slow callback never delays a command.
    ///
    /// ```swift
    /// let observation = cache.onCommand(.set) { event in print("stored", event.key ?? "") }
    /// defer { observation.cancel() }
    /// ```
    @discardableResult
    public func onCommand(
        _ commands: CacheCommand..., perform: @escaping @Sendable (CommandEvent) async -> Void
    ) -> CommandObservation {
        let observer = CommandObserver(commands: commands.isEmpty ? .all : CommandSet(commands), perform: perform)
        control.changeSettings { $0.observers.append(observer) }
        let control = self.control
        return CommandObservation(observer: observer) {
            control.changeSettings { settings in settings.observers.removeAll { $0 === observer } }
        }
    }

    /// Runs `body`, calling `perform` after every one of `commands` (all when none is given)
    /// that this cache runs for the calling task and the child tasks it starts. The callback
    /// runs on a task of its own (a slow callback never delays a command); this returns once
    /// it has handled every command of the block.
    public func observingCommands<Result>(
        _ commands: CacheCommand..., perform: @escaping @Sendable (CommandEvent) async -> Void,
        isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> Result
    ) async rethrows -> Result {
        let observer = CommandObserver(commands: commands.isEmpty ? .all : CommandSet(commands), perform: perform)
        var scopes = ControlScope.current
        scopes[ObjectIdentifier(self), default: TaskControl()].observers.append(observer)
        control.enter()
        defer { control.leave() }
        do {
            let result = try await ControlScope.$current.withValue(scopes, operation: body)
            observer.finish()
            await observer.drained()
            return result
        } catch {
            observer.finish()
            await observer.drained()
            throw error
        }
    }
}
