extension Cache {
    /// Disables `commands` (all of them when none is given) for every task, on the backend of
    /// `prefix` (every backend when nil), until ``enable(_:prefix:)``. A disabled read is a miss
    /// (`get` nil, `exists` false, no keys); a disabled write does nothing (`set` stores
    /// nothing and says so, `delete` deletes nothing). Disabling one command never changes
    /// another: disabling `get` leaves `getMany` working.
    ///
    /// To disable commands for one request, use ``disabling(_:prefix:isolation:_:)``: it applies
    /// to the calling task only.
    public func disable(_ commands: CacheCommand..., prefix: String? = nil) {
        let set = commands.isEmpty ? CommandSet.all : CommandSet(commands)
        let prefix = prefix.map(normalizedPrefix)
        control.changeDisabled { $0.disable(set, prefix: prefix) }
    }

    /// Enables `commands` (all of them when none is given) that ``disable(_:prefix:)`` disabled
    /// on the backend of `prefix` (with nil, everywhere: on every backend, including those
    /// disabled by prefix). Scopes of ``disabling(_:prefix:isolation:_:)`` stay in force.
    public func enable(_ commands: CacheCommand..., prefix: String? = nil) {
        let set = commands.isEmpty ? CommandSet.all : CommandSet(commands)
        let prefix = prefix.map(normalizedPrefix)
        control.changeDisabled { $0.enable(set, prefix: prefix) }
    }

    /// Runs `body` with `commands` (all of them when none is given) disabled on the backend of
    /// `prefix` (every backend when nil) for the calling task and the child tasks it starts, and
    /// for no other task and no other `Cache`. Scopes nest: inner ones disable more.
    ///
    /// ```swift
    /// // A request with "Cache-Control: no-cache": recompute, but store the fresh result.
    /// try await cache.disabling(.get) { try await handle(request) }
    /// ```
    public func disabling<Result>(
        _ commands: CacheCommand..., prefix: String? = nil, isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> Result
    ) async rethrows -> Result {
        let set = commands.isEmpty ? CommandSet.all : CommandSet(commands)
        var scopes = ControlScope.current
        scopes[ObjectIdentifier(self), default: TaskControl()].disabled.disable(
            set, prefix: prefix.map(normalizedPrefix))
        control.enter()
        defer { control.leave() }
        return try await ControlScope.$current.withValue(scopes, operation: body)
    }

    /// True when every one of `commands` (all commands when none is given) is disabled for the
    /// calling task on the backend of `prefix` ("" is the default backend), by
    /// ``disable(_:prefix:)``, a ``disabling(_:prefix:isolation:_:)`` scope or the setup URL.
    public func isDisabled(_ commands: CacheCommand..., prefix: String = "") -> Bool {
        let set = commands.isEmpty ? CommandSet.all : CommandSet(commands)
        return disabledCommands(prefix: normalizedPrefix(prefix)).bits & set.bits == set.bits
    }

    /// True when every command is disabled for the calling task on every backend of the cache
    /// (the strategies then call straight through).
    public var isFullyDisabled: Bool {
        guard !control.isIdle else { return false }
        let prefixes = self.prefixes
        return !prefixes.isEmpty && prefixes.allSatisfy { disabledCommands(prefix: $0).isAll }
    }

    /// The commands disabled for the calling task on the route of `prefix`.
    func disabledCommands(prefix: String) -> CommandSet {
        guard !control.isIdle else { return .none }
        let task = ControlScope.current[ObjectIdentifier(self)]?.disabled.commands(for: prefix) ?? .none
        guard control.settingsInForce.load(ordering: .relaxed) else { return task }
        return control.settings.withLock { $0.disabled }.commands(for: prefix).union(task)
    }

    /// The commands the `disable=` and `enable=` parameters of a setup URL disable: `true` or
    /// `false`, or a comma-separated list of commands (`disable=get,get_many`).
    static func disabledCommands(in url: BackendURL) throws -> CommandSet {
        var disabled = CommandSet.none
        for (name, disables) in [("disable", true), ("enable", false)] {
            guard let text = url.string(name) else { continue }
            switch text.lowercased() {
            case "true", "1", "yes", "on": disabled = disabled.union(disables ? .all : .none)
            case "false", "0", "no", "off": disabled = disabled.union(disables ? .none : .all)
            default:
                let commands = try text.split(separator: ",").map { item in
                    guard let command = CacheCommand(named: String(item.filter { $0 != " " })) else {
                        throw CashewsError.invalidParameter(
                            "\(name)", value: text,
                            expected: "true, false, or commands separated by commas: "
                                + CacheCommand.allCases.map(\.rawValue).joined(separator: ", "))
                    }
                    return command
                }
                let listed = CommandSet(commands)
                disabled = disabled.union(disables ? listed : CommandSet.all.subtracting(listed))
            }
        }
        return disabled
    }

    /// Applies the disabled commands of a setup URL to the backend of `prefix`.
    func setDisabled(_ commands: CommandSet, prefix: String) {
        let prefix = normalizedPrefix(prefix)
        control.changeDisabled { disabled in
            disabled.byPrefix[prefix] = commands.isEmpty ? nil : commands
        }
    }
}
