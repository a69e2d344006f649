import Synchronization

/// Commands disabled everywhere and per route prefix.
struct DisabledCommands: Sendable, Hashable {
    /// Disabled on every backend of the cache.
    var everywhere = CommandSet.none
    /// Disabled on the backend of one prefix ("" is the default backend).
    var byPrefix: [String: CommandSet] = [:]

    var isEmpty: Bool { everywhere.isEmpty && byPrefix.values.allSatisfy(\.isEmpty) }

    /// The commands disabled on the route of `prefix`.
    func commands(for prefix: String) -> CommandSet {
        guard let own = byPrefix[prefix] else { return everywhere }
        return everywhere.union(own)
    }

    mutating func disable(_ commands: CommandSet, prefix: String?) {
        if let prefix {
            byPrefix[prefix] = (byPrefix[prefix] ?? .none).union(commands)
        } else {
            everywhere = everywhere.union(commands)
        }
    }

    mutating func enable(_ commands: CommandSet, prefix: String?) {
        if let prefix {
            byPrefix[prefix] = (byPrefix[prefix] ?? .none).subtracting(commands)
        } else {
            everywhere = everywhere.subtracting(commands)
            for key in byPrefix.keys { byPrefix[key] = byPrefix[key]!.subtracting(commands) }
        }
    }

    func union(_ other: DisabledCommands) -> DisabledCommands {
        var result = self
        result.everywhere = everywhere.union(other.everywhere)
        for (prefix, commands) in other.byPrefix {
            result.byPrefix[prefix] = result.commands(for: prefix).union(commands)
        }
        return result
    }
}

/// What the calling task has set up for one cache: its open transaction, its disabling scopes,
/// its command observers and its invalidation scope (task-local, so that child tasks inherit
/// them and other tasks never see them).
struct TaskControl: Sendable {
    var transaction: CacheTransaction?
    var disabled = DisabledCommands()
    var observers: [CommandObserver] = []
    var invalidatesFurther = false
}

/// The task-local controls, by cache: one `Cache` never sees another's.
enum ControlScope {
    @TaskLocal static var current: [ObjectIdentifier: TaskControl] = [:]
}

/// The run-time controls of one ``Cache``: the commands disabled for every task, middlewares,
/// observers, the default transaction settings, and the count of open task-scoped controls.
final class CacheControl: Sendable {
    struct Settings: Sendable {
        var disabled = DisabledCommands()
        var middlewares: [any CacheMiddleware] = []
        var backendMiddlewares: [String: [any CacheMiddleware]] = [:]
        var observers: [CommandObserver] = []
        /// The names of the backends, by prefix (for middlewares' contexts).
        var names: [String: String] = [:]
        var transactionMode = TransactionMode.locked
        var transactionTimeout = Duration.seconds(10)

        /// True when a command may need more than its backend.
        var isInForce: Bool {
            !disabled.isEmpty || !middlewares.isEmpty || backendMiddlewares.values.contains { !$0.isEmpty }
                || !observers.isEmpty
        }
    }

    /// Open task-scoped controls (transactions, disabling, observing and invalidation scopes)
    /// in any task, plus one while a cache-wide control (disabled commands, middlewares,
    /// observers) is in force: while it is 0, commands skip every lookup.
    let active = Atomic<Int>(0)
    let settings = Mutex(Settings())
    /// True while a cache-wide control is in force (``Settings/isInForce``): until then, a
    /// command inside a task-scoped control skips the settings' lock.
    let settingsInForce = Atomic<Bool>(false)

    /// True when no control can apply to any task: commands go straight to the backends.
    var isIdle: Bool { active.load(ordering: .relaxed) == 0 }

    func enter() { active.add(1, ordering: .relaxed) }
    func leave() { active.subtract(1, ordering: .relaxed) }

    /// Changes the settings, keeping ``active`` in step.
    func changeSettings(_ change: (inout Settings) -> Void) {
        settings.withLock { settings in
            let was = settings.isInForce
            change(&settings)
            let now = settings.isInForce
            if !was && now { enter() }
            if was && !now { leave() }
            settingsInForce.store(now, ordering: .relaxed)
        }
    }

    /// Changes the cache-wide disabled commands.
    func changeDisabled(_ change: (inout DisabledCommands) -> Void) {
        changeSettings { change(&$0.disabled) }
    }
}

extension Cache {
    /// `route` as the calling task sees it: wrapped in its pipeline when middlewares or
    /// observers apply, commands are disabled for it, reads invalidate, or a transaction of
    /// this cache is open.
    func controlled(_ route: Route) -> Route {
        let task = ControlScope.current[ObjectIdentifier(self)]
        var disabled = CommandSet.none
        var middlewares: [any CacheMiddleware] = []
        var observers: [CommandObserver] = []
        var name: String?
        if control.settingsInForce.load(ordering: .relaxed) {
            control.settings.withLock { settings in
                disabled = settings.disabled.commands(for: route.prefix)
                middlewares = settings.middlewares
                if let own = settings.backendMiddlewares[route.prefix], !own.isEmpty { middlewares += own }
                observers = settings.observers
                if !middlewares.isEmpty || !observers.isEmpty { name = settings.names[route.prefix] }
            }
        }
        let allDisabled = disabled.union(task?.disabled.commands(for: route.prefix) ?? .none)
        let transaction = task?.transaction
        let invalidates = task?.invalidatesFurther ?? false
        var backend = route.backend
        if !allDisabled.isEmpty || transaction != nil || invalidates {
            backend = ControlledBackend(
                base: backend, prefix: route.prefix, transaction: transaction, disabled: allDisabled,
                invalidatesFurther: invalidates)
        }
        let allObservers = task.map { observers + $0.observers } ?? observers
        if !middlewares.isEmpty || !allObservers.isEmpty {
            let context = MiddlewareContext(prefix: route.prefix, backend: name ?? "\(type(of: route.backend))")
            backend = MiddlewareBackend(
                base: backend, middlewares: middlewares, observers: allObservers, context: context)
        }
        return Route(prefix: route.prefix, backend: backend, format: route.format)
    }

    /// Records the name of the backend of `prefix`, for middlewares' contexts.
    func recordName(_ name: String, prefix: String) {
        control.settings.withLock { $0.names[normalizedPrefix(prefix)] = name }
    }

    /// The prefix `prefix` names once its trailing separators are dropped (as setup does).
    func normalizedPrefix(_ prefix: String) -> String {
        var prefix = prefix
        while prefix.last == separator { prefix.removeLast() }
        return prefix
    }
}
