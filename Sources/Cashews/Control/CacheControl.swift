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

/// What the calling task has set up for one cache: its open transaction and its disabling
/// scopes (task-local, so that child tasks inherit them and other tasks never see them).
struct TaskControl: Sendable {
    var transaction: CacheTransaction?
    var disabled = DisabledCommands()
}

/// The task-local controls, by cache: one `Cache` never sees another's.
enum ControlScope {
    @TaskLocal static var current: [ObjectIdentifier: TaskControl] = [:]
}

/// The run-time controls of one ``Cache``: the commands disabled for every task, the default
/// transaction settings, and the count of open task-scoped controls.
final class CacheControl: Sendable {
    struct Settings: Sendable {
        var disabled = DisabledCommands()
        var transactionMode = TransactionMode.locked
        var transactionTimeout = Duration.seconds(10)
    }

    /// Open task-scoped controls (transactions, disabling scopes) in any task, plus one while
    /// cache-wide disabling is in force: while it is 0, commands skip every lookup.
    let active = Atomic<Int>(0)
    let settings = Mutex(Settings())

    /// True when no control can apply to any task: commands go straight to the backends.
    var isIdle: Bool { active.load(ordering: .relaxed) == 0 }

    func enter() { active.add(1, ordering: .relaxed) }
    func leave() { active.subtract(1, ordering: .relaxed) }

    /// Changes the cache-wide disabled commands, keeping ``active`` in step.
    func changeDisabled(_ change: (inout DisabledCommands) -> Void) {
        settings.withLock { settings in
            let wasEmpty = settings.disabled.isEmpty
            change(&settings.disabled)
            let isEmpty = settings.disabled.isEmpty
            if wasEmpty && !isEmpty { enter() }
            if !wasEmpty && isEmpty { leave() }
        }
    }
}

extension Cache {
    /// `route` as the calling task sees it: wrapped when commands are disabled for it or a
    /// transaction of this cache is open.
    func controlled(_ route: Route) -> Route {
        let task = ControlScope.current[ObjectIdentifier(self)]
        let disabled = control.settings.withLock { $0.disabled }.commands(for: route.prefix)
            .union(task?.disabled.commands(for: route.prefix) ?? .none)
        let transaction = task?.transaction
        guard !disabled.isEmpty || transaction != nil else { return route }
        let backend = ControlledBackend(
            base: route.backend, prefix: route.prefix, transaction: transaction, disabled: disabled)
        return Route(prefix: route.prefix, backend: backend, format: route.format)
    }

    /// The prefix `prefix` names once its trailing separators are dropped (as setup does).
    func normalizedPrefix(_ prefix: String) -> String {
        var prefix = prefix
        while prefix.last == separator { prefix.removeLast() }
        return prefix
    }
}
