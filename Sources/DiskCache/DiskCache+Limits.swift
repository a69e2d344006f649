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
    /// up by their hit counts). Runs first in a write transaction: every access in the log
    /// happened before the transaction's own writes, so they rank newer than the reads. Touches
    /// only index rows and the side table of ranks (never a value), at most the log's capacity.
    func fold(
        _ accesses: [(key: [UInt8], access: AccessLog.Access)], _ txn: borrowing Transaction, _ state: inout BatchState
    )
        throws
    {
        for (key, access) in accesses {
            try key.withUnsafeBytes { storageKey in
                guard
                    let header = try txn.withValue(forKey: storageKey, in: schema.entries, { RecordView($0)?.header })
                        ?? nil
                else { return }
                let current = try store.currentRank(txn, storageKey: storageKey, header: header)
                if configuration.evictionPolicy == .s3FIFO {
                    // Read bits only: the entry keeps its place in its queue.
                    let bits = min(UInt64(current.frequency) + UInt64(access.hits), UInt64(Rank.maximumFrequency))
                    if bits != current.frequency {
                        try store.storeRank(txn, storageKey: storageKey, rank: current.rank, frequency: UInt32(bits))
                    }
                    return
                }
                state.meta.sequence += 1
                state.metaChanged = true
                let (frequency, overflow) = current.frequency.addingReportingOverflow(access.hits)
                let hits = overflow ? UInt32.max : frequency
                let rank = Rank.afterHits(
                    frequency: hits, sequence: state.meta.sequence, policy: configuration.evictionPolicy,
                    age: state.meta.age)
                try store.rerank(txn, storageKey: storageKey, header: header, to: rank, frequency: hits)
            }
        }
    }

    /// Run at the end of every write transaction: removes up to `cullLimit` expired entries, then
    /// evicts — expired entries first, then in policy order — until the totals are within the
    /// limits, so the bound holds after every commit.
    func enforceLimits(_ txn: borrowing Transaction, _ state: inout BatchState) throws {
        var culled = 0
        while culled < configuration.cullLimit, state.expiryFloor <= state.now,
            try removeHead(of: schema.expiry, txn, &state, onlyExpired: true)
        {
            culled += 1
            state.expirations += 1
        }
        guard configuration.evictionPolicy != .none else { return }
        let evictionsBefore = state.evictions
        while isOverLimit(state.meta) {
            if state.expiryFloor <= state.now, try removeHead(of: schema.expiry, txn, &state, onlyExpired: true) {
                state.expirations += 1
            } else if try evictOne(txn, &state) {
                state.evictions += 1
            } else {
                break
            }
        }
        // Full once a commit had to evict, until the totals fall below nine tenths of the limits.
        if let admission {
            if state.evictions > evictionsBefore {
                admission.isFull.store(true, ordering: .relaxed)
            } else if admission.isFull.load(ordering: .relaxed), isBelowNineTenths(state.meta) {
                admission.isFull.store(false, ordering: .relaxed)
            }
        }
    }

    /// Whether `meta`'s totals are below nine tenths of every limit.
    private func isBelowNineTenths(_ meta: MetaState) -> Bool {
        let volume = configuration.sizeLimit.map { meta.volume < Int64($0 / 10 * 9) } ?? true
        let count = configuration.countLimit.map { meta.count < Int64($0 / 10 * 9) } ?? true
        return volume && count
    }

    /// Evicts one entry in the policy's order; false when there is nothing to evict.
    private func evictOne(_ txn: borrowing Transaction, _ state: inout BatchState) throws -> Bool {
        configuration.evictionPolicy == .s3FIFO
            ? try evictFromQueues(txn, &state) : try removeHead(of: schema.order, txn, &state, onlyExpired: false)
    }

    /// Removes entries until the cache's volume is at most `volume` bytes, in one write
    /// transaction of at most `limit` removals: expired entries first (soonest-expired first),
    /// then in eviction-policy order (with ``EvictionPolicy/none``, expired entries only).
    /// Returns how many it removed; call it again while the volume is still above the target,
    /// which keeps every write transaction short beside other processes.
    @discardableResult
    public func cull(toVolume volume: Int, limit: Int = 1000) throws -> Int {
        precondition(volume >= 0, "a target volume cannot be negative")
        precondition(limit > 0, "a cull limit must be positive")
        return try write { txn, state -> Int in
            var removed = 0
            while removed < limit, state.meta.volume > volume {
                if try removeHead(of: schema.expiry, txn, &state, onlyExpired: true) {
                    state.expirations += 1
                } else if configuration.evictionPolicy != .none, try evictOne(txn, &state) {
                    state.evictions += 1
                } else {
                    break
                }
                removed += 1
            }
            return removed
        }
    }

    /// Removes the entry named by the first row of `index` (the soonest to expire, or the first in
    /// eviction order). With `onlyExpired`, only if that row's time has passed. Returns false when
    /// there was nothing to remove.
    ///
    /// In eviction order, an entry written in this transaction is never the victim while an older
    /// candidate exists, and with least frequently used, neither is one ranked within the last
    /// ``admissionWindow(_:)`` ranks (its admission window): see ``victim(_:_:)``.
    private func removeHead(
        of index: Database, _ txn: borrowing Transaction, _ state: inout BatchState, onlyExpired: Bool
    ) throws -> Bool {
        while true {
            let head: (UInt64, [UInt8])?
            if index == schema.order {
                head = try victim(txn, state)
            } else {
                head = try txn.withCursor(in: index) { cursor in
                    guard let entry = try cursor.first() else { return nil }
                    return (IndexKey.number(entry.key), Array(IndexKey.storageKey(entry.key)))
                }
            }
            guard let (number, storageKey) = head else {
                if index == schema.expiry { state.expiryFloor = .max }
                return false
            }
            if onlyExpired && Int64(bitPattern: number) > state.now {
                if index == schema.expiry { state.expiryFloor = Int64(bitPattern: number) }
                return false
            }
            let removed = try storageKey.withUnsafeBytes { key -> Bool in
                let header = try txn.withValue(forKey: key, in: schema.entries) { RecordView($0)?.header } ?? nil
                let rowMatches: Bool
                if let header {
                    rowMatches =
                        index == schema.expiry
                        ? header.expiresAt == Int64(bitPattern: number)
                        : try store.currentRank(txn, storageKey: key, header: header).rank == number
                } else {
                    rowMatches = false
                }
                guard let header, rowMatches else {
                    // A stale index row (should not happen; check() reports it): drop it and go on.
                    try IndexKey.with(number, key) { _ = try txn.delete(forKey: $0, in: index) }
                    return false
                }
                try store.remove(txn, storageKey: key, header: header, state: &state)
                if index == schema.order && configuration.evictionPolicy == .leastFrequentlyUsed {
                    state.meta.age = max(state.meta.age, Rank.priority(of: number))
                }
                return true
            }
            if removed { return true }
        }
    }

    /// The row of the next entry to evict: the head of the eviction order, passing over entries
    /// that are protected — written in this transaction, or (least frequently used) ranked within
    /// the admission window. When every candidate is in its window (a cache smaller than the
    /// window), the first entry not written in this transaction goes; when every one was written in
    /// it (a transaction that writes more than the cache holds), the head. At most
    /// `maximumProtected` rows are passed.
    private func victim(_ txn: borrowing Transaction, _ state: BatchState) throws -> (UInt64, [UInt8])? {
        let policy = configuration.evictionPolicy
        let written = state.meta.sequence &- state.startSequence  // ranks handed out in this transaction
        let window = policy == .leastFrequentlyUsed ? max(written, admissionWindow(state.meta)) : written
        return try txn.withCursor(in: schema.order) { cursor -> (UInt64, [UInt8])? in
            guard var entry = try cursor.first() else { return nil }
            let head = (IndexKey.number(entry.key), Array(IndexKey.storageKey(entry.key)))
            // In sequence order (least recently stored or used) the head is the oldest: if it is
            // protected, every other row is too.
            guard policy == .leastFrequentlyUsed else { return head }
            var passed = 0
            var older: (UInt64, [UInt8])?  // the first row not written in this transaction
            while true {
                let rank = IndexKey.number(entry.key)
                let age = Rank.age(of: rank, at: state.meta.sequence, policy: policy)
                if age >= window { return (rank, Array(IndexKey.storageKey(entry.key))) }
                if older == nil && age >= written { older = (rank, Array(IndexKey.storageKey(entry.key))) }
                passed += 1
                guard passed < DiskCache.maximumProtected, let next = try cursor.next() else { return older ?? head }
                entry = next
            }
        }
    }

    /// S3-FIFO: evicts one entry. While the small queue holds at least a tenth of the bound (or
    /// the main queue is empty), its head goes: to the main queue if it was read at least
    /// ``s3PromotionReads`` times while in the small one, otherwise out of the cache, remembered
    /// as a ghost. Otherwise the main queue's head goes, unless it was read since it was last
    /// placed: then it goes back to the tail with one read bit less. Entries written in this
    /// transaction are passed over while older candidates exist; at most `maximumProtected`
    /// entries move before one is evicted anyway. Returns false when the cache is empty.
    private func evictFromQueues(_ txn: borrowing Transaction, _ state: inout BatchState) throws -> Bool {
        var moved = 0
        while true {
            let small = try firstOrderRow(txn, from: 0)
            let smallHead = small.flatMap { $0.rank < Rank.mainQueue ? $0 : nil }
            let mainHead =
                try small.flatMap { $0.rank >= Rank.mainQueue ? $0 : nil } ?? firstOrderRow(txn, from: Rank.mainQueue)
            let written = state.writtenSequences
            let isNew = { (rank: UInt64) in written.contains(rank & ~Rank.mainQueue) }
            let fromSmall: Bool
            switch (smallHead, mainHead) {
            case (nil, nil): return false
            case (.some, nil): fromSmall = true
            case (nil, .some): fromSmall = false
            case (.some(let small), .some(let main)):
                if isNew(small.rank) != isNew(main.rank) {
                    fromSmall = isNew(main.rank)  // the older of the two queues' heads
                } else {
                    fromSmall = isSmallQueueFull(state.meta)
                }
            }
            guard let (rank, storageKey) = fromSmall ? smallHead : mainHead else { return false }
            let removed = try storageKey.withUnsafeBytes { key -> Bool? in
                guard
                    let header = try txn.withValue(forKey: key, in: schema.entries, { RecordView($0)?.header }) ?? nil,
                    case let current = try store.currentRank(txn, storageKey: key, header: header), current.rank == rank
                else {
                    // A stale index row (should not happen; check() reports it): drop it and go on.
                    try IndexKey.with(rank, key) { _ = try txn.delete(forKey: $0, in: schema.order) }
                    return nil
                }
                let reads = current.frequency
                if moved < DiskCache.maximumProtected {
                    if fromSmall && reads >= DiskCache.s3PromotionReads {
                        state.meta.sequence += 1
                        try store.rerank(
                            txn, storageKey: key, header: header, to: Rank.mainQueue | state.meta.sequence, frequency: 0
                        )
                        let volume = EntryStore.volume(of: header, storageKeyLength: key.count)
                        state.meta.smallCount -= 1
                        state.meta.smallVolume -= volume
                        state.metaChanged = true
                        return false
                    }
                    if !fromSmall && reads > 0 {
                        state.meta.sequence += 1
                        try store.rerank(
                            txn, storageKey: key, header: header, to: Rank.mainQueue | state.meta.sequence,
                            frequency: reads - 1)
                        state.metaChanged = true
                        return false
                    }
                }
                try store.remove(txn, storageKey: key, header: header, state: &state)
                if fromSmall {
                    try store.rememberGhost(txn, storageKey: key, capacity: ghostCapacity(state.meta), state: &state)
                }
                return true
            }
            switch removed {
            case true?: return true
            case false?: moved += 1
            case nil: break
            }
        }
    }

    /// S3-FIFO: the reads an entry needs while in the small queue to move to the main one.
    static let s3PromotionReads: UInt32 = 1

    /// S3-FIFO: how many ghosts to remember — as many entries as the main queue can hold (nine
    /// tenths of the count limit; under a byte limit, nine tenths of it at the current average
    /// entry volume), at least as many as it holds now.
    func ghostCapacity(_ meta: MetaState) -> Int {
        var capacity = Int.max
        if let limit = configuration.countLimit { capacity = limit - limit / 10 }
        if let limit = configuration.sizeLimit, meta.count > 0, meta.volume > 0 {
            let average = Double(meta.volume) / Double(meta.count)
            capacity = min(capacity, Int(Double(limit - limit / 10) / average))
        }
        return max(Int(meta.count - meta.smallCount), capacity == .max ? 0 : capacity, 1)
    }

    /// S3-FIFO: true when the small queue holds a tenth of a limit.
    private func isSmallQueueFull(_ meta: MetaState) -> Bool {
        if let limit = configuration.sizeLimit, meta.smallVolume * 10 >= Int64(limit) { return true }
        if let limit = configuration.countLimit, meta.smallCount * 10 >= Int64(limit) { return true }
        return false
    }

    /// The first row of the eviction order at or after `rank`.
    private func firstOrderRow(_ txn: borrowing Transaction, from rank: UInt64) throws -> (rank: UInt64, key: [UInt8])?
    {
        try txn.withCursor(in: schema.order) { cursor in
            var start = rank.bigEndian
            let row = try withUnsafeBytes(of: &start) { try cursor.seek(atLeast: $0) }
            return row.map { (IndexKey.number($0.key), Array(IndexKey.storageKey($0.key))) }
        }
    }

    /// The rows ``victim(_:_:)`` passes over at most before it evicts the head anyway.
    static let maximumProtected = 4096

    /// With least frequently used, how many ranks an entry stays protected for after it was written
    /// or read: 1/64 of the entries, at least 16 and at most 1024. It gives a new key the time to
    /// earn hits before it competes with residents, and keeps a just-acquired lock (an `add`)
    /// from being the next write's victim.
    func admissionWindow(_ meta: MetaState) -> UInt64 {
        UInt64(min(1024, max(16, meta.count / 64)))
    }
}
