extension Cache {
    /// The mode of transactions opened without one (`.locked` at first, as in cashews).
    public var defaultTransactionMode: TransactionMode {
        get { control.settings.withLock { $0.transactionMode } }
        set { control.settings.withLock { $0.transactionMode = newValue } }
    }

    /// The timeout of transactions opened without one (10 s at first, as in cashews): how long a
    /// transaction waits for a lock and holds one at most.
    public var defaultTransactionTimeout: Duration {
        get { control.settings.withLock { $0.transactionTimeout } }
        set { control.settings.withLock { $0.transactionTimeout = newValue } }
    }

    /// The transaction of this cache open in the calling task, if any.
    public var currentTransaction: CacheTransaction? {
        guard let transaction = ControlScope.current[ObjectIdentifier(self)]?.transaction, transaction.isOpen
        else { return nil }
        return transaction
    }

    /// Runs `body` in a transaction: its writes through this cache are buffered (its reads see
    /// them; other tasks and processes do not) and committed when `body` returns, or dropped
    /// when it throws or the task is cancelled.
    ///
    /// ```swift
    /// try await cache.transaction { _ in
    ///     try await cache.set("user:1", user, ttl: "1h")
    ///     try await cache.delete("users:page:1")
    /// }   // both or neither
    /// ```
    ///
    /// - A transaction belongs to this cache and the calling task (and the child tasks it
    ///   starts); commands of other caches and other tasks run as usual.
    /// - A transaction opened inside another of the same cache joins it: its block neither
    ///   commits nor rolls back (an error it throws reaches the outer block).
    /// - ``CacheTransaction/commit()`` and ``CacheTransaction/rollback()`` end it early; the
    ///   block's later commands then run outside any transaction.
    /// - Each backend's writes are committed with one ``Backend/commit(_:)``: on the disk
    ///   backend that is one engine write transaction, all of it or none of it, across
    ///   processes. TTLs keep their milliseconds and count from the write.
    /// - `.locked` and `.serializable` take their locks in the backends (across processes on a
    ///   shared one); a lock still held by another transaction after `timeout` throws
    ///   ``TransactionError/lockTimeout(key:waited:)``.
    /// - Bits, sets, sliding windows, locks and `modify` are not buffered: they run on the
    ///   backend at once and stay after a rollback. `count` counts committed entries.
    ///
    /// - Parameters:
    ///   - mode: How the transaction isolates its writes (default ``defaultTransactionMode``).
    ///   - timeout: How long it waits for a lock and holds one at most (default
    ///     ``defaultTransactionTimeout``).
    ///   - body: The work; it gets the transaction.
    public func transaction<Result>(
        mode: TransactionMode? = nil, timeout: TTL? = nil, isolation: isolated (any Actor)? = #isolation,
        _ body: (CacheTransaction) async throws -> Result
    ) async throws -> Result {
        if let outer = currentTransaction { return try await body(outer) }
        let timeout = try timeout?.duration ?? defaultTransactionTimeout
        guard timeout > .zero else { throw TransactionError.invalidTimeout(timeout) }
        let transaction = CacheTransaction(
            mode: mode ?? defaultTransactionMode, timeout: timeout, clock: clock, logger: logger)
        var scopes = ControlScope.current
        scopes[ObjectIdentifier(self), default: TaskControl()].transaction = transaction
        control.enter()
        defer { control.leave() }
        let result: Result
        do {
            result = try await ControlScope.$current.withValue(scopes) { try await body(transaction) }
        } catch {
            await transaction.rollback()
            throw error
        }
        if Task.isCancelled {
            await transaction.rollback()
            throw CancellationError()
        }
        try await transaction.commit()
        return result
    }
}
