import LMDB

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension DiskCache {
    /// Stores `value` under `key`, replacing any value. The entry's expiry becomes `expiry`
    /// (pass ``Expiry/keep`` to keep the current one).
    public func set(_ value: some ContiguousBytes, forKey key: String, expiry: Expiry = .never) throws {
        _ = try write(value, forKey: key, expiry: expiry, when: .always)
    }

    /// Stores `value` only if `key` holds no live entry. Returns true when it was stored.
    /// Exactly one of several concurrent `add`s of a key wins, across processes too.
    @discardableResult
    public func add(_ value: some ContiguousBytes, forKey key: String, expiry: Expiry = .never) throws -> Bool {
        try write(value, forKey: key, expiry: expiry, when: .ifAbsent)
    }

    /// Stores `value` only if `key` holds a live entry. Returns true when it was stored.
    @discardableResult
    public func replace(_ value: some ContiguousBytes, forKey key: String, expiry: Expiry = .never) throws -> Bool {
        try write(value, forKey: key, expiry: expiry, when: .ifPresent)
    }

    /// Stores every key/value pair of `values` in one transaction, all with `expiry`.
    public func set<V: ContiguousBytes>(_ values: [String: V], expiry: Expiry = .never) throws {
        try set(values.map { (key: $0.key, value: $0.value) }, expiry: expiry)
    }

    /// Stores every pair of `entries`, in order, in one transaction, all with `expiry` (a later
    /// pair of the same key wins). Sorted keys load fastest. All or nothing: if one pair cannot
    /// be stored, none is.
    public func set<V: ContiguousBytes>(_ entries: [(key: String, value: V)], expiry: Expiry = .never) throws {
        try set(entries.map { (key: $0.key, value: $0.value, expiry: expiry) })
    }

    /// Stores every entry of `entries`, each with its own expiry, in order, in one transaction (a
    /// later entry of the same key wins). All or nothing, like the batch `set` with one expiry; this is
    /// what an import of exported entries uses, so that each keeps its remaining time.
    public func set<V: ContiguousBytes>(_ entries: [(key: String, value: V, expiry: Expiry)]) throws {
        var blobs: [BlobWriter?] = []
        defer { for case let writer? in blobs where !writer.isCommitted { writer.discard() } }
        for entry in entries {
            guard !entry.key.isEmpty else { throw DiskCacheError.emptyKey }
            blobs.append(
                try entry.value.withUnsafeBytes { bytes -> BlobWriter? in
                    try checkFits(keyLength: entry.key.utf8.count, valueSize: bytes.count)
                    return bytes.count > configuration.blobThreshold ? try writeBlob(bytes) : nil
                })
        }
        try write { txn, state in
            for (index, entry) in entries.enumerated() {
                let deadline = try entry.expiry.deadline(now: state.now)
                try withPayload(entry.value, blob: blobs[index]) { payload in
                    _ = try writeValue(txn, &state, key: entry.key, payload: payload, deadline: deadline, when: .always)
                }
            }
        }
        for case let writer? in blobs { writer.isCommitted = true }
    }

    /// Deletes `key`. Returns true when a live entry was deleted.
    @discardableResult
    public func delete(_ key: String) throws -> Bool {
        try delete([key]) == 1
    }

    /// Deletes `keys` in one transaction. Returns how many live entries were deleted.
    @discardableResult
    public func delete(_ keys: [String]) throws -> Int {
        for key in keys where key.isEmpty { throw DiskCacheError.emptyKey }
        let deleted = try write { txn, state in try deleteOperation(keys, txn, &state) }
        counters.deletes.add(deleted, ordering: .relaxed)
        return deleted
    }

    /// Deletes `keys` in `txn`; returns how many live entries it deleted.
    func deleteOperation(_ keys: [String], _ txn: borrowing Transaction, _ state: inout BatchState) throws -> Int {
        var deleted = 0
        for key in keys {
            try DiskCache.withKey(key) { raw, storageKey, isLong in
                guard let view = try store.record(txn, storageKey: storageKey, key: raw, isLong: isLong) else { return }
                let header = view.header
                try store.remove(txn, storageKey: storageKey, header: header, state: &state)
                if header.isExpired(at: state.now) { state.expirations += 1 } else { deleted += 1 }
            }
        }
        return deleted
    }

    /// Deletes every entry whose key matches the glob `pattern` (see ``keys(matching:)``), in one
    /// transaction. Returns how many live entries were deleted.
    @discardableResult
    public func delete(matching pattern: String) throws -> Int {
        let glob = try GlobPattern(validating: pattern)
        let deleted = try write { txn, state -> Int in try deleteOperation(matching: glob, txn, &state) }
        counters.deletes.add(deleted, ordering: .relaxed)
        return deleted
    }

    /// Sets the expiry of a live entry. Returns false when `key` is absent or expired.
    @discardableResult
    public func expire(_ key: String, after duration: Duration) throws -> Bool {
        try changeExpiry(of: key, to: .after(duration))
    }

    /// Removes the expiry of a live entry. Returns true when it had one (as Redis `PERSIST`).
    @discardableResult
    public func persist(_ key: String) throws -> Bool {
        try changeExpiry(of: key, to: .never)
    }

    /// Adds `delta` to the decimal integer stored under `key`, atomically (across processes
    /// too), and returns the result. An absent or expired key starts at 0 with no expiry; an
    /// existing entry keeps its expiry.
    ///
    /// - Throws: ``DiskCacheError/notAnInteger(key:)`` when the value is not a decimal 64-bit
    ///   integer, ``DiskCacheError/integerOverflow(key:)`` when the result would not fit.
    @discardableResult
    public func increment(_ key: String, by delta: Int64 = 1) throws -> Int64 {
        let result = try write { txn, state -> Int64 in
            try DiskCache.withKey(key) { raw, storageKey, isLong -> Int64 in
                var current: Int64 = 0
                var deadline: Int64 = 0
                if let view = try store.record(txn, storageKey: storageKey, key: raw, isLong: isLong),
                    !view.header.isExpired(at: state.now)
                {
                    if view.header.isBlob { throw DiskCacheError.notAnInteger(key: key) }
                    if view.isIntact {
                        guard let parsed = DecimalInteger.parse(view.payload) else {
                            throw DiskCacheError.notAnInteger(key: key)
                        }
                        current = parsed
                        deadline = view.header.expiresAt
                    } else {
                        reportCorruption(key: key)
                    }
                }
                let (next, overflow) = current.addingReportingOverflow(delta)
                if overflow { throw DiskCacheError.integerOverflow(key: key) }
                try DecimalInteger.withBytes(next) { bytes in
                    _ = try writeValue(
                        txn, &state, key: key, payload: .inline(bytes), deadline: deadline, when: .always)
                }
                return next
            }
        }
        return result
    }

    /// Subtracts `delta`; see ``increment(_:by:)``.
    @discardableResult
    public func decrement(_ key: String, by delta: Int64 = 1) throws -> Int64 {
        guard delta != .min else { throw DiskCacheError.integerOverflow(key: key) }
        return try increment(key, by: -delta)
    }

    /// Deletes every entry. Returns how many entries there were.
    @discardableResult
    public func clear() throws -> Int {
        try write { txn, state -> Int in try clearOperation(txn, &state) }
    }

    // MARK: Shared write paths

    private func write(
        _ value: some ContiguousBytes, forKey key: String, expiry: Expiry, when condition: WriteCondition
    ) throws -> Bool {
        guard !key.isEmpty else { throw DiskCacheError.emptyKey }
        if condition == .always, let admission, !admission.admits(key) { return false }
        return try value.withUnsafeBytes { bytes in
            guard bytes.count > configuration.blobThreshold else {
                return try write { txn, state in
                    let deadline = try expiry.deadline(now: state.now)
                    return try writeValue(
                        txn, &state, key: key, payload: .inline(bytes), deadline: deadline, when: condition)
                }
            }
            try checkFits(keyLength: key.utf8.count, valueSize: bytes.count)
            return try commit(try writeBlob(bytes), forKey: key, expiry: expiry, when: condition)
        }
    }

    /// Calls `body` with the payload of `value`: its bytes, or the blob already written for it.
    func withPayload<V: ContiguousBytes, R>(_ value: V, blob: BlobWriter?, _ body: (Payload) throws -> R) throws -> R {
        if let blob {
            return try blob.id.bytes.withUnsafeBytes {
                try body(Payload(bytes: $0, valueSize: blob.size, blobHash: blob.contentHash))
            }
        }
        return try value.withUnsafeBytes { try body(.inline($0)) }
    }

    /// References a finished blob file from `key` in a write transaction; the file is deleted
    /// when the write does not happen (condition not met, or an error).
    func commit(_ blob: BlobWriter, forKey key: String, expiry: Expiry, when condition: WriteCondition) throws -> Bool {
        defer { if !blob.isCommitted { blob.discard() } }
        let stored = try write { txn, state in
            let deadline = try expiry.deadline(now: state.now)
            return try blob.id.bytes.withUnsafeBytes { id in
                try writeValue(
                    txn, &state, key: key,
                    payload: Payload(bytes: id, valueSize: blob.size, blobHash: blob.contentHash),
                    deadline: deadline, when: condition)
            }
        }
        blob.isCommitted = stored
        return stored
    }

    /// Writes `bytes` to a new blob file (before any transaction), returning the finished writer.
    func writeBlob(_ bytes: UnsafeRawBufferPointer) throws -> BlobWriter {
        let writer = try blobs.create()
        do {
            try writer.append(bytes)
            try writer.finish()
        } catch {
            writer.discard()
            throw error
        }
        return writer
    }

    /// Stores `value` under `key` in `txn` if `condition` holds. `deadline` nil keeps the current
    /// expiry. Returns true when it stored.
    func writeValue(
        _ txn: borrowing Transaction, _ state: inout BatchState, key: String, payload: Payload,
        deadline: Int64?, when condition: WriteCondition
    ) throws -> Bool {
        try checkFits(keyLength: key.utf8.count, valueSize: payload.valueSize)
        let stored = try DiskCache.withKey(key) { raw, storageKey, isLong -> Bool in
            // Whatever sits at the storage key is replaced; `mine` is it if it is this key's.
            var foreignSize: Int?
            let existing =
                try txn.withValue(forKey: storageKey, in: schema.entries) { raw -> RecordView? in
                    guard let view = RecordView(raw) else {
                        foreignSize = raw.count
                        return nil
                    }
                    return view
                } ?? nil
            let mine = existing.flatMap { $0.belongs(to: raw, isLong: isLong) ? $0.header : nil }
            let live = mine.flatMap { $0.isExpired(at: state.now) ? nil : $0 }
            switch condition {
            case .always: break
            case .ifAbsent: if live != nil { return false }
            case .ifPresent: if live == nil { return false }
            }
            if mine != nil && live == nil { state.expirations += 1 }
            if let foreignSize {
                // A record that does not parse (damage): its header cannot be trusted, so it is
                // replaced without reading its fields; its index rows, if any, are dropped as stale
                // when reached, and its share of the totals is estimated from its size.
                try store.forgetForeign(txn, storageKey: storageKey, recordSize: foreignSize, state: &state)
                reportCorruption(key: key)
            }
            try store.write(
                txn, key: raw, storageKey: storageKey, isLong: isLong, payload: payload,
                expiresAt: deadline ?? live?.expiresAt ?? 0, replacing: existing?.header, state: &state)
            return true
        }
        if stored { state.sets += 1 }
        return stored
    }

    private func changeExpiry(of key: String, to expiry: Expiry) throws -> Bool {
        try write { txn, state -> Bool in try changeExpiryOperation(key, to: expiry, txn, &state) }
    }
}
