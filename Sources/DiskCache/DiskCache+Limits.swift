import LMDB

extension DiskCache {
    /// Throws when one entry alone could never fit the size limit (nothing is evicted for it).
    func checkFits(keyLength: Int, valueSize: Int) throws {
        guard let limit = configuration.sizeLimit, configuration.evictionPolicy != .none else { return }
        let volume = EntryStore.volume(keyLength: keyLength, valueSize: valueSize)
        if volume > Int64(limit) { throw DiskCacheError.valueTooLarge(size: valueSize, limit: limit) }
    }

    /// True when the totals exceed a limit.
    func isOverLimit(_ meta: MetaState) -> Bool {
        if let limit = configuration.sizeLimit, meta.volume > Int64(limit) { return true }
        if let limit = configuration.countLimit, meta.count > Int64(limit) { return true }
        return false
    }

    /// Moves the entries read since the last fold in the eviction order (LRU: to the back; LFU:
    /// up by their hit counts).
    func fold(
        _ accesses: [(key: [UInt8], access: AccessLog.Access)], _ txn: borrowing Transaction, _ state: inout BatchState
    )
        throws
    {
        for (key, access) in accesses {
            try key.withUnsafeBytes { storageKey in
                guard
                    let old = try txn.withValue(forKey: storageKey, in: schema.entries, { RecordView($0)?.header })
                        ?? nil
                else { return }
                state.meta.sequence += 1
                state.metaChanged = true
                var new = old
                new.rank = Rank.afterHits(
                    access.hits, old: old.rank, sequence: state.meta.sequence, policy: configuration.evictionPolicy)
                try store.rewriteHeader(txn, storageKey: storageKey, from: old, to: new)
            }
        }
    }

    /// Run at the end of every write transaction: removes up to `cullLimit` expired entries, then
    /// evicts — expired entries first, then in policy order — until the totals are within the
    /// limits, so the bound holds after every commit.
    func enforceLimits(_ txn: borrowing Transaction, _ state: inout BatchState) throws {
        var culled = 0
        while culled < configuration.cullLimit, try removeHead(of: schema.expiry, txn, &state, onlyExpired: true) {
            culled += 1
            state.expirations += 1
        }
        guard configuration.evictionPolicy != .none else { return }
        while isOverLimit(state.meta) {
            if try removeHead(of: schema.expiry, txn, &state, onlyExpired: true) {
                state.expirations += 1
            } else if try removeHead(of: schema.order, txn, &state, onlyExpired: false) {
                state.evictions += 1
            } else {
                break
            }
        }
    }

    /// Removes the entry named by the first row of `index` (the soonest to expire, or the first in
    /// eviction order). With `onlyExpired`, only if that row's time has passed. Returns false when
    /// there was nothing to remove.
    private func removeHead(
        of index: Database, _ txn: borrowing Transaction, _ state: inout BatchState, onlyExpired: Bool
    ) throws -> Bool {
        while true {
            let head: (UInt64, [UInt8])? = try txn.withCursor(in: index) { cursor in
                guard let entry = try cursor.first() else { return nil }
                return (IndexKey.number(entry.key), Array(IndexKey.storageKey(entry.key)))
            }
            guard let (number, storageKey) = head else { return false }
            if onlyExpired && Int64(bitPattern: number) > state.now { return false }
            let removed = try storageKey.withUnsafeBytes { key -> Bool in
                let header = try txn.withValue(forKey: key, in: schema.entries) { RecordView($0)?.header } ?? nil
                let rowMatches =
                    index == schema.expiry ? header?.expiresAt == Int64(bitPattern: number) : header?.rank == number
                guard let header, rowMatches else {
                    // A stale index row (should not happen; check() reports it): drop it and go on.
                    try IndexKey.with(number, key) { _ = try txn.delete(forKey: $0, in: index) }
                    return false
                }
                try store.remove(txn, storageKey: key, header: header, state: &state)
                return true
            }
            if removed { return true }
        }
    }
}
