// Async writes for backends (SPI): the same operations as the synchronous API, group-committed
// on the cache's writer thread so that a task never blocks a cooperative thread.
extension DiskCache {
    /// Stores `value` under `key` when `condition` holds; returns whether it stored.
    @_spi(Backends)
    public func write(_ value: [UInt8], forKey key: String, expiry: Expiry, onlyIf condition: WriteCondition)
        async throws -> Bool
    {
        guard !key.isEmpty else { throw DiskCacheError.emptyKey }
        if condition == .always, let admission, !admission.admits(key) { return false }
        guard value.count <= configuration.blobThreshold else {
            // A blob: its file is written first (here), then referenced by a shared commit.
            try checkFits(keyLength: key.utf8.count, valueSize: value.count)
            let blob = try value.withUnsafeBytes { try writeBlob($0) }
            defer { if !blob.isCommitted { blob.discard() } }
            let id = blob.id.bytes
            let size = blob.size
            let hash = blob.contentHash
            let stored = try await writeAsync { txn, state in
                let deadline = try expiry.deadline(now: state.now)
                return try id.withUnsafeBytes { bytes in
                    try self.writeValue(
                        txn, &state, key: key, payload: Payload(bytes: bytes, valueSize: size, blobHash: hash),
                        deadline: deadline, when: condition)
                }
            }
            blob.isCommitted = stored
            return stored
        }
        return try await writeAsync { txn, state in
            let deadline = try expiry.deadline(now: state.now)
            return try value.withUnsafeBytes { bytes in
                try self.writeValue(txn, &state, key: key, payload: .inline(bytes), deadline: deadline, when: condition)
            }
        }
    }

    /// ``modify(_:_:)`` without blocking the calling task.
    @_spi(Backends)
    public func modify<R: Sendable>(_ key: String, _ body: @escaping @Sendable (inout ModifiableEntry?) throws -> R)
        async throws -> R
    {
        try await writeAsync { txn, state in try self.modify(key, txn, &state, body) }
    }

    /// ``delete(_:)-([String])`` without blocking the calling task.
    @_spi(Backends)
    public func delete(_ keys: [String]) async throws -> Int {
        for key in keys where key.isEmpty { throw DiskCacheError.emptyKey }
        let deleted = try await writeAsync { txn, state in try self.deleteOperation(keys, txn, &state) }
        counters.deletes.add(deleted, ordering: .relaxed)
        return deleted
    }
}
