/// A route's backend as a ``Cache`` sees it while controls apply to the calling task: commands
/// disabled for the route answer as an empty cache (reads miss, writes do nothing), and the
/// writes of an open transaction are buffered in it, its reads seeing them.
///
/// The order, outermost first: disabling, then invalidation (reads delete and miss), then the
/// transaction, then the backend. A disabled write inside a transaction is therefore not
/// buffered either.
///
/// Commands a transaction buffers: `get`, `set` (and `add`, `replace`), `exists`, `delete`,
/// pattern deletes, `clear` (a pattern delete of `*`), `increment`, `expire`; `keys`,
/// `timeToLive` and `size` read the buffer over the backend. The others (bits, sets, sliding
/// windows, locks, `modify`) are atomic commands of their own: they run on the backend at
/// once, on its committed state, and are not undone by a rollback. `count` counts the
/// committed entries.
struct ControlledBackend: Backend {
    let base: any Backend
    /// The prefix of the route it serves (the buffer it writes).
    let prefix: String
    /// The open transaction of the calling task on this cache, if any.
    let transaction: CacheTransaction?
    /// The commands disabled for the calling task on this route.
    let disabled: CommandSet
    /// True inside ``Cache/invalidatingFurther(isolation:_:)``: reads delete what they would
    /// read and miss, so that strategies recompute and store again.
    var invalidatesFurther = false

    var storesObjects: Bool { base.storesObjects }
    var throwsFacadeErrors: Bool { base.throwsFacadeErrors }
    var commitsAtomically: Bool { base.commitsAtomically }

    /// The open transaction, if any (nil once it ended: commands go to the backend).
    private var open: CacheTransaction? {
        guard let transaction, transaction.isOpen else { return nil }
        return transaction
    }

    private func now(_ transaction: CacheTransaction) -> Int64 { transaction.clock.now() }

    /// The deadline (cache clock, 0: never) of a write of `expiry` to `key` in `transaction`.
    nonisolated(nonsending) private func deadline(
        _ expiry: Expiry, of key: String, in transaction: CacheTransaction
    ) async throws -> Int64 {
        if let invalid = expiry.invalidDuration {
            throw CashewsError.invalidTTL(input: "\(invalid)", reason: "it must be positive")
        }
        let now = now(transaction)
        guard expiry == .keep else { return expiry.deadline(from: now) ?? 0 }
        switch transaction.lookUp(key, route: prefix) {
        case .buffered(_, let deadline): return deadline
        case .absent: return 0
        case .unknown:
            switch try await base.timeToLive(key) {
            case .remaining(let left)?: return now + max(1, left.roundedUpMilliseconds)
            case .forever?, nil: return 0
            }
        }
    }

    /// Buffers `pending` for `key` after taking the locks the mode needs; false when the
    /// transaction ended meanwhile.
    nonisolated(nonsending) private func buffer(
        _ pending: CacheTransaction.Pending, for key: String, in transaction: CacheTransaction
    ) async throws -> Bool {
        guard !key.isEmpty else { throw CashewsError.emptyKey }
        try await transaction.prepareWrite(of: key, route: prefix, backend: base)
        return transaction.buffer(pending, for: key, route: prefix, backend: base)
    }

    /// The value of `key` as the transaction sees it (the buffer over the backend), without
    /// the disabling and invalidation of the commands around it.
    nonisolated(nonsending) private func current(_ key: String, in transaction: CacheTransaction) async throws
        -> CacheValue?
    {
        switch transaction.lookUp(key, route: prefix) {
        case .buffered(let value, _): return value
        case .absent: return nil
        case .unknown: return try await base.get(key)
        }
    }

    /// True when `key` is live as the transaction sees it.
    nonisolated(nonsending) private func isLive(_ key: String, in transaction: CacheTransaction) async throws -> Bool {
        switch transaction.lookUp(key, route: prefix) {
        case .buffered: return true
        case .absent: return false
        case .unknown: return try await base.exists(key)
        }
    }

    /// The live keys matching `pattern` as the transaction sees it.
    nonisolated(nonsending) private func liveKeys(matching pattern: GlobPattern, in transaction: CacheTransaction)
        async throws -> [String]
    {
        let committed = try await base.keys(matching: pattern)
        let (live, hidden) = transaction.bufferedKeys(matching: pattern, route: prefix)
        var seen = Set(live)
        var keys = live.sorted()
        for key in committed
        where hidden[key] == nil && !CacheTransaction.isLockKey(key) && !transaction.hidesByPattern(key, route: prefix)
        {
            if seen.insert(key).inserted { keys.append(key) }
        }
        return keys
    }

    // MARK: Reads

    nonisolated(nonsending) func get(_ key: String) async throws -> CacheValue? {
        if disabled.contains(.get) { return nil }
        if invalidatesFurther {
            _ = try await delete(key)
            return nil
        }
        guard let transaction = open else { return try await base.get(key) }
        return try await current(key, in: transaction)
    }

    nonisolated(nonsending) func get(_ keys: [String]) async throws -> [CacheValue?] {
        if disabled.contains(.getMany) { return keys.map { _ in nil } }
        if invalidatesFurther {
            _ = try await delete(keys)
            return keys.map { _ in nil }
        }
        guard let transaction = open else { return try await base.get(keys) }
        var values = [CacheValue?](repeating: nil, count: keys.count)
        var unknown: [Int] = []
        for (index, key) in keys.enumerated() {
            switch transaction.lookUp(key, route: prefix) {
            case .buffered(let value, _): values[index] = value
            case .absent: break
            case .unknown: unknown.append(index)
            }
        }
        if !unknown.isEmpty {
            for (index, value) in zip(unknown, try await base.get(unknown.map { keys[$0] })) { values[index] = value }
        }
        return values
    }

    nonisolated(nonsending) func exists(_ key: String) async throws -> Bool {
        if disabled.contains(.exists) { return false }
        guard let transaction = open else { return try await base.exists(key) }
        return try await isLive(key, in: transaction)
    }

    nonisolated(nonsending) func keys(matching pattern: GlobPattern) async throws -> [String] {
        if disabled.contains(.scan) { return [] }
        guard let transaction = open else { return try await base.keys(matching: pattern) }
        return try await liveKeys(matching: pattern, in: transaction)
    }

    nonisolated(nonsending) func timeToLive(_ key: String) async throws -> TimeToLive? {
        if disabled.contains(.timeToLive) { return nil }
        guard let transaction = open else { return try await base.timeToLive(key) }
        switch transaction.lookUp(key, route: prefix) {
        case .buffered(_, let deadline):
            return deadline == 0 ? .forever : .remaining(.milliseconds(deadline - now(transaction)))
        case .absent: return nil
        case .unknown: return try await base.timeToLive(key)
        }
    }

    nonisolated(nonsending) func size(of key: String) async throws -> Int? {
        if disabled.contains(.size) { return nil }
        guard let transaction = open else { return try await base.size(of: key) }
        switch transaction.lookUp(key, route: prefix) {
        case .buffered(let value, _): return ValueCodec.bytes(of: value)?.count
        case .absent: return nil
        case .unknown: return try await base.size(of: key)
        }
    }

    nonisolated(nonsending) func count() async throws -> Int {
        if disabled.contains(.count) { return 0 }
        return try await base.count()
    }

    nonisolated(nonsending) func ping(_ message: String) async throws -> String {
        if disabled.contains(.ping) { return message }
        return try await base.ping(message)
    }

    // MARK: Writes

    nonisolated(nonsending) func set(_ key: String, _ value: CacheValue, expiry: Expiry, condition: WriteCondition)
        async throws -> Bool
    {
        if disabled.contains(.set) { return false }
        guard let transaction = open else {
            return try await base.set(key, value, expiry: expiry, condition: condition)
        }
        try await transaction.prepareWrite(of: key, route: prefix, backend: base)
        switch condition {
        case .always: break
        case .ifAbsent: if try await isLive(key, in: transaction) { return false }
        case .ifPresent: if try await !isLive(key, in: transaction) { return false }
        }
        let deadline = try await deadline(expiry, of: key, in: transaction)
        if try await buffer(.value(value, deadline: deadline), for: key, in: transaction) { return true }
        return try await base.set(key, value, expiry: expiry, condition: condition)
    }

    nonisolated(nonsending) func set(_ entries: [(key: String, value: CacheValue)], expiry: Expiry) async throws {
        if disabled.contains(.setMany) { return }
        guard let transaction = open else { return try await base.set(entries, expiry: expiry) }
        for entry in entries where entry.key.isEmpty { throw CashewsError.emptyKey }
        for entry in entries {
            let deadline = try await deadline(expiry, of: entry.key, in: transaction)
            guard try await buffer(.value(entry.value, deadline: deadline), for: entry.key, in: transaction) else {
                return try await base.set(entries, expiry: expiry)
            }
        }
    }

    nonisolated(nonsending) func delete(_ key: String) async throws -> Bool {
        if disabled.contains(.delete) { return false }
        guard let transaction = open else { return try await base.delete(key) }
        try await transaction.prepareWrite(of: key, route: prefix, backend: base)
        let existed = try await isLive(key, in: transaction)
        guard try await buffer(.deleted, for: key, in: transaction) else { return try await base.delete(key) }
        return existed
    }

    nonisolated(nonsending) func delete(_ keys: [String]) async throws -> Int {
        if disabled.contains(.deleteMany) { return 0 }
        guard let transaction = open else { return try await base.delete(keys) }
        for key in keys where key.isEmpty { throw CashewsError.emptyKey }
        var deleted = 0
        for key in Set(keys).sorted() {
            try await transaction.prepareWrite(of: key, route: prefix, backend: base)
            if try await isLive(key, in: transaction) { deleted += 1 }
            _ = try await buffer(.deleted, for: key, in: transaction)
        }
        return deleted
    }

    nonisolated(nonsending) func delete(matching pattern: GlobPattern) async throws -> Int {
        if disabled.contains(.deleteMatching) { return 0 }
        guard let transaction = open else { return try await base.delete(matching: pattern) }
        let matched = try await liveKeys(matching: pattern, in: transaction)
        // `.locked` locks the keys the pattern matches now; `.serializable` the backend.
        if transaction.mode == .serializable {
            try await transaction.prepareWrite(of: pattern.description, route: prefix, backend: base)
        } else {
            for key in matched.sorted() { try await transaction.prepareWrite(of: key, route: prefix, backend: base) }
        }
        guard transaction.bufferDelete(matching: pattern, route: prefix, backend: base) else {
            return try await base.delete(matching: pattern)
        }
        return matched.count
    }

    nonisolated(nonsending) func clear() async throws {
        if disabled.contains(.clear) { return }
        guard open != nil else { return try await base.clear() }
        _ = try await delete(matching: GlobPattern("*"))
    }

    nonisolated(nonsending) func increment(_ key: String, by delta: Int64, expiry: Expiry) async throws -> Int64 {
        if disabled.contains(.increment) { return delta }
        guard let transaction = open else { return try await base.increment(key, by: delta, expiry: expiry) }
        if let invalid = expiry.invalidDuration {
            throw CashewsError.invalidTTL(input: "\(invalid)", reason: "it must be positive")
        }
        guard !key.isEmpty else { throw CashewsError.emptyKey }
        try await transaction.prepareWrite(of: key, route: prefix, backend: base)
        let newDeadline = try await deadline(expiry == .keep ? .never : expiry, of: key, in: transaction)
        // What the backend holds, read first: the buffer is then read and written in one step,
        // so that two child tasks incrementing one key inside the transaction both count.
        var committed: (value: CacheValue, deadline: Int64)?
        if case .unknown = transaction.lookUp(key, route: prefix), let value = try await base.get(key) {
            committed = (value, try await deadline(.keep, of: key, in: transaction))
        }
        let next = try transaction.update(key, route: prefix, backend: base) { lookup in
            var found: (value: CacheValue, deadline: Int64)?
            switch lookup {
            case .buffered(let value, let deadline): found = (value, deadline)
            case .absent: found = nil
            case .unknown: found = committed
            }
            var current: Int64 = 0
            if let found {
                guard let bytes = ValueCodec.bytes(of: found.value), let parsed = DecimalInteger.parse(bytes) else {
                    throw BackendError.notAnInteger(key: key)
                }
                current = parsed
            }
            let (next, overflow) = current.addingReportingOverflow(delta)
            guard !overflow else { throw BackendError.integerOverflow(key: key) }
            return (.value(.bytes(DecimalInteger.bytes(next)), deadline: found?.deadline ?? newDeadline), next)
        }
        guard let next else { return try await base.increment(key, by: delta, expiry: expiry) }
        return next
    }

    nonisolated(nonsending) func expire(_ key: String, after duration: Duration) async throws -> Bool {
        if disabled.contains(.expire) { return false }
        guard let transaction = open else { return try await base.expire(key, after: duration) }
        guard duration > .zero else {
            throw CashewsError.invalidTTL(input: "\(duration)", reason: "it must be positive")
        }
        try await transaction.prepareWrite(of: key, route: prefix, backend: base)
        guard let value = try await current(key, in: transaction) else { return false }
        let deadline = try await deadline(.after(duration), of: key, in: transaction)
        guard try await buffer(.value(value, deadline: deadline), for: key, in: transaction) else {
            return try await base.expire(key, after: duration)
        }
        return true
    }

    // MARK: Commands a transaction does not buffer

    nonisolated(nonsending) func modify<R: Sendable>(
        _ key: String, _ body: @escaping @Sendable (inout (bytes: [UInt8], expiry: Expiry)?) throws -> R
    ) async throws -> R {
        if disabled.contains(.modify) {
            var entry: (bytes: [UInt8], expiry: Expiry)?
            return try body(&entry)
        }
        return try await base.modify(key, body)
    }

    nonisolated(nonsending) func getBits(_ key: String, at indexes: [Int], size: Int) async throws -> [UInt64] {
        if disabled.contains(.getBits) {
            try BitField.validate(indexes: indexes, size: size)
            return indexes.map { _ in 0 }
        }
        return try await base.getBits(key, at: indexes, size: size)
    }

    nonisolated(nonsending) func incrementBits(_ key: String, at indexes: [Int], size: Int, by delta: Int64)
        async throws -> [UInt64]
    {
        if disabled.contains(.incrementBits) {
            try BitField.validate(indexes: indexes, size: size)
            return indexes.map { _ in 0 }
        }
        return try await base.incrementBits(key, at: indexes, size: size, by: delta)
    }

    nonisolated(nonsending) func sliceIncrement(_ key: String, start: Int64, end: Int64, limit: Int, expiry: Duration)
        async throws -> Int
    {
        if disabled.contains(.sliceIncrement) { return 0 }
        return try await base.sliceIncrement(key, start: start, end: end, limit: limit, expiry: expiry)
    }

    nonisolated(nonsending) func addToSet(_ key: String, _ members: [String], expiry: Expiry) async throws -> Int {
        if disabled.contains(.addToSet) { return 0 }
        return try await base.addToSet(key, members, expiry: expiry)
    }

    nonisolated(nonsending) func removeFromSet(_ key: String, _ members: [String]) async throws -> Int {
        if disabled.contains(.removeFromSet) { return 0 }
        return try await base.removeFromSet(key, members)
    }

    nonisolated(nonsending) func popFromSet(_ key: String, count: Int) async throws -> [String] {
        if disabled.contains(.popFromSet) { return [] }
        return try await base.popFromSet(key, count: count)
    }

    nonisolated(nonsending) func members(of key: String) async throws -> [String] {
        if disabled.contains(.members) { return [] }
        return try await base.members(of: key)
    }

    nonisolated(nonsending) func lock(_ key: String, token: String, ttl: Duration) async throws -> Bool {
        // Disabled, a lock is taken (as a suppressed one): who waits for it runs at once.
        if disabled.contains(.lock) { return true }
        return try await base.lock(key, token: token, ttl: ttl)
    }

    nonisolated(nonsending) func unlock(_ key: String, token: String) async throws -> Bool {
        if disabled.contains(.unlock) { return false }
        return try await base.unlock(key, token: token)
    }

    nonisolated(nonsending) func isLocked(_ key: String) async throws -> Bool {
        if disabled.contains(.isLocked) { return false }
        return try await base.isLocked(key)
    }

    nonisolated(nonsending) func commit(_ writes: [TransactionWrite]) async throws {
        try await base.commit(writes)
    }

    func run() async throws { try await base.run() }
}
