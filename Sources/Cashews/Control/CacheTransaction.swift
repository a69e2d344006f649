import Logging
import Synchronization

/// An open transaction of a ``Cache`` (see ``Cache/transaction(mode:timeout:isolation:_:)``):
/// the writes of its block, buffered until it commits.
///
/// Inside the block, the cache's commands read the buffered writes over the backends' values;
/// other tasks and processes see none of them until ``commit()``. ``rollback()`` drops them.
/// Either ends the transaction: commands of the block after it run outside any transaction,
/// and a second `commit()` or `rollback()` does nothing.
public final class CacheTransaction: Sendable {
    /// What a key's buffered write left.
    enum Pending: Sendable {
        /// A value, expiring at `deadline` (milliseconds on the cache's clock; 0: never).
        case value(CacheValue, deadline: Int64)
        /// Deleted.
        case deleted
    }

    /// What a read finds in the buffer.
    enum Lookup {
        /// A buffered live value and its deadline.
        case buffered(CacheValue, deadline: Int64)
        /// Deleted, expired or matched by a buffered pattern delete.
        case absent
        /// Not written by the transaction: read the backend.
        case unknown
    }

    /// The buffered writes of one backend (one route of the cache).
    struct Buffer: Sendable {
        let backend: any Backend
        var entries: [String: Pending] = [:]
        var patterns: [GlobPattern] = []
    }

    struct State: Sendable {
        var isOpen = true
        var buffers: [String: Buffer] = [:]
        /// Locks held, by route prefix and lock key.
        var locks: [String: (backend: any Backend, key: String)] = [:]
    }

    /// The transaction's id: the token of its locks.
    public let id: String
    /// How it isolates its writes.
    public let mode: TransactionMode
    /// How long it waits for a lock, and how long it holds one at most.
    public let timeout: Duration
    let clock: CacheClock
    let logger: Logger
    let state = Mutex(State())
    /// The pause between two attempts at a lock another transaction holds.
    static let lockCheckInterval = Duration.milliseconds(2)

    init(mode: TransactionMode, timeout: Duration, clock: CacheClock, logger: Logger) {
        id = "tx-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        self.mode = mode
        self.timeout = timeout
        self.clock = clock
        self.logger = logger
    }

    /// True until the transaction commits or rolls back.
    public var isOpen: Bool { state.withLock { $0.isOpen } }

    /// How many keys and pattern deletes the transaction has buffered.
    public var bufferedWrites: Int {
        state.withLock { state in state.buffers.values.reduce(0) { $0 + $1.entries.count + $1.patterns.count } }
    }

    // MARK: Ending

    /// Applies the buffered writes, each backend's in one ``Backend/commit(_:)`` (atomic on the
    /// disk backend), then releases the transaction's locks. Does nothing once the transaction
    /// has ended.
    ///
    /// Writes to several backends are committed one backend after the other: if a later one
    /// fails, the earlier ones stay (the error is thrown, and the locks are released).
    public func commit() async throws {
        guard let (buffers, locks) = end() else { return }
        let now = clock.now()
        var failure: (any Error)?
        for prefix in buffers.keys.sorted() {
            let writes = CacheTransaction.writes(of: buffers[prefix]!, now: now)
            guard !writes.isEmpty else { continue }
            do {
                try await buffers[prefix]!.backend.commit(writes)
            } catch {
                failure = error
                break
            }
        }
        await release(locks)
        if let failure { throw failure }
    }

    /// Drops the buffered writes and releases the transaction's locks. Does nothing once the
    /// transaction has ended.
    public func rollback() async {
        guard let (_, locks) = end() else { return }
        await release(locks)
    }

    /// Marks the transaction ended; its buffers and locks, or nil when it had ended already.
    private func end() -> ([String: Buffer], [(backend: any Backend, key: String)])? {
        state.withLock { state in
            guard state.isOpen else { return nil }
            state.isOpen = false
            defer {
                state.buffers = [:]
                state.locks = [:]
            }
            return (state.buffers, Array(state.locks.values))
        }
    }

    private func release(_ locks: [(backend: any Backend, key: String)]) async {
        for lock in locks {
            do {
                _ = try await lock.backend.unlock(lock.key, token: id)
            } catch {
                logger.warning(
                    "transaction lock not released (it expires after the timeout)",
                    metadata: ["lock": "\(lock.key)", "error": "\(error)"])
            }
        }
    }

    /// The writes that commit `buffer` at `now`: its pattern deletes, then every key's final
    /// state (an entry that expired meanwhile is deleted).
    static func writes(of buffer: Buffer, now: Int64) -> [TransactionWrite] {
        var writes = buffer.patterns.map(TransactionWrite.deleteMatching)
        for key in buffer.entries.keys.sorted() {
            switch buffer.entries[key]! {
            case .deleted:
                writes.append(.delete(key: key))
            case .value(let value, let deadline):
                if deadline == 0 {
                    writes.append(.set(key: key, value: value, expiry: .never))
                } else if deadline > now {
                    writes.append(.set(key: key, value: value, expiry: .after(.milliseconds(deadline - now))))
                } else {
                    writes.append(.delete(key: key))
                }
            }
        }
        return writes
    }

    // MARK: Buffer

    /// What the buffer of the route `prefix` holds for `key` (unknown once the transaction ended).
    func lookUp(_ key: String, route prefix: String) -> Lookup {
        let now = clock.now()
        return state.withLock { state in
            guard state.isOpen, let buffer = state.buffers[prefix] else { return .unknown }
            switch buffer.entries[key] {
            case .value(let value, let deadline)?:
                return deadline == 0 || deadline > now ? .buffered(value, deadline: deadline) : .absent
            case .deleted?:
                return .absent
            case nil:
                return buffer.patterns.contains { $0.matches(key) } ? .absent : .unknown
            }
        }
    }

    /// The live keys the buffer of `prefix` holds that match `pattern`, and a test for the keys
    /// it hides (deleted, expired, or matched by a pattern delete).
    func bufferedKeys(matching pattern: GlobPattern, route prefix: String) -> (live: [String], hides: [String: Bool]) {
        let now = clock.now()
        return state.withLock { state in
            guard state.isOpen, let buffer = state.buffers[prefix] else { return ([], [:]) }
            var live: [String] = []
            var hides: [String: Bool] = [:]
            for (key, pending) in buffer.entries where pattern.matches(key) {
                switch pending {
                case .value(_, let deadline) where deadline == 0 || deadline > now: live.append(key)
                default: hides[key] = true
                }
            }
            return (live, hides)
        }
    }

    /// True when the buffer of `prefix` hides committed `key` (a pattern delete matches it).
    func hidesByPattern(_ key: String, route prefix: String) -> Bool {
        state.withLock { state in state.buffers[prefix]?.patterns.contains { $0.matches(key) } ?? false }
    }

    /// Buffers `pending` for `key` on the route `prefix` served by `backend`; false when the
    /// transaction has ended (write to the backend instead).
    func buffer(_ pending: Pending, for key: String, route prefix: String, backend: any Backend) -> Bool {
        state.withLock { state in
            guard state.isOpen else { return false }
            state.buffers[prefix, default: Buffer(backend: backend)].entries[key] = pending
            return true
        }
    }

    /// Buffers what `transform` makes of what the buffer of `prefix` holds for `key`, in one
    /// step (a read-modify-write that concurrent child tasks of the transaction cannot
    /// interleave); nil when the transaction has ended.
    func update<R>(
        _ key: String, route prefix: String, backend: any Backend,
        _ transform: (Lookup) throws -> (pending: Pending, result: R)
    ) throws -> R? {
        let now = clock.now()
        return try state.withLock { state throws -> R? in
            guard state.isOpen else { return nil }
            var buffer = state.buffers[prefix] ?? Buffer(backend: backend)
            let lookup: Lookup
            switch buffer.entries[key] {
            case .value(let value, let deadline)?:
                lookup = deadline == 0 || deadline > now ? .buffered(value, deadline: deadline) : .absent
            case .deleted?:
                lookup = .absent
            case nil:
                lookup = buffer.patterns.contains { $0.matches(key) } ? .absent : .unknown
            }
            let (pending, result) = try transform(lookup)
            buffer.entries[key] = pending
            state.buffers[prefix] = buffer
            return result
        }
    }

    /// Buffers a delete of every key matching `pattern`; false when the transaction has ended.
    func bufferDelete(matching pattern: GlobPattern, route prefix: String, backend: any Backend) -> Bool {
        state.withLock { state in
            guard state.isOpen else { return false }
            var buffer = state.buffers[prefix] ?? Buffer(backend: backend)
            for key in buffer.entries.keys where pattern.matches(key) { buffer.entries[key] = .deleted }
            buffer.patterns.append(pattern)
            state.buffers[prefix] = buffer
            return true
        }
    }

    // MARK: Locks

    /// The lock of the whole backend that `.serializable` takes.
    static let serializableLockKey = ":serializable:lock"
    /// What the lock key of `.locked` starts with (cashews' name: `:tx_lock:<key>`).
    static let lockKeyPrefix = ":tx_lock:"

    /// True for the keys of transaction locks, which a transaction's key scans leave out.
    static func isLockKey(_ key: String) -> Bool { key.hasPrefix(lockKeyPrefix) || key == serializableLockKey }

    /// Takes what the mode needs before a write of `key` on the route `prefix`: nothing
    /// (`.fast`), the key's lock (`.locked`) or the backend's (`.serializable`).
    nonisolated(nonsending) func prepareWrite(of key: String, route prefix: String, backend: any Backend)
        async throws
    {
        switch mode {
        case .fast: return
        case .locked: try await acquire(CacheTransaction.lockKeyPrefix + key, route: prefix, backend: backend)
        case .serializable: try await acquire(CacheTransaction.serializableLockKey, route: prefix, backend: backend)
        }
    }

    /// Takes the lock `lockKey` on `backend` for this transaction, waiting up to ``timeout``.
    nonisolated(nonsending) func acquire(_ lockKey: String, route prefix: String, backend: any Backend)
        async throws
    {
        let slot = prefix + "\u{0}" + lockKey
        let start = clock.now()
        let limit = timeout.roundedUpMilliseconds
        while true {
            let held = state.withLock { state in state.locks[slot] != nil || !state.isOpen }
            if held { return }
            // Taken, or already ours (a child task of this transaction took it meanwhile).
            var ours = try await backend.lock(lockKey, token: id, ttl: timeout)
            if !ours, let value = try await backend.get(lockKey), ValueCodec.bytes(of: value) == Array(id.utf8) {
                ours = true
            }
            if ours {
                let kept = state.withLock { state in
                    guard state.isOpen else { return false }
                    state.locks[slot] = (backend, lockKey)
                    return true
                }
                // Ended meanwhile (a rollback from another task): give the lock back.
                if !kept { _ = try? await backend.unlock(lockKey, token: id) }
                return
            }
            guard clock.now() - start < limit else { throw TransactionError.lockTimeout(key: lockKey, waited: timeout) }
            try await Task.sleep(for: CacheTransaction.lockCheckInterval)
        }
    }
}
