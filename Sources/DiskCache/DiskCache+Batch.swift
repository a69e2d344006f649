/// One write of a batch that ``DiskCache/apply(_:)`` commits in one transaction.
package enum BatchWrite: Sendable {
    /// Store `value` under `key` with `expiry`, replacing any value.
    case set(key: String, value: [UInt8], expiry: Expiry)
    /// Delete `key` (nothing when absent).
    case delete(key: String)
    /// Delete every key matching the glob `pattern`.
    case deleteMatching(pattern: String)
}

extension DiskCache {
    /// Applies `writes` in order in one write transaction on the writer thread: all of them or
    /// none, across processes (a process killed before the commit leaves none of them; LMDB
    /// commits a transaction whole). Blob files of large values are written on ``EngineThread``
    /// first and deleted if the transaction does not commit. Returns how many live entries the
    /// deletes removed.
    @discardableResult
    package func apply(_ writes: [BatchWrite]) async throws -> Int {
        var globs: [Int: GlobPattern] = [:]
        var large = false
        let threshold = configuration.blobThreshold
        for (index, write) in writes.enumerated() {
            switch write {
            case .set(let key, let value, let expiry):
                guard !key.isEmpty else { throw DiskCacheError.emptyKey }
                if let invalid = expiry.invalidDuration { throw DiskCacheError.invalidTTL(invalid) }
                try checkFits(keyLength: key.utf8.count, valueSize: value.count)
                large = large || value.count > threshold
            case .delete(let key):
                guard !key.isEmpty else { throw DiskCacheError.emptyKey }
            case .deleteMatching(let pattern):
                globs[index] = try GlobPattern(validating: pattern)
            }
        }
        let blobs = BlobBatch(count: writes.count)
        if large {
            try await EngineThread.shared.run {
                do {
                    for (index, write) in writes.enumerated() {
                        guard case .set(_, let value, _) = write, value.count > threshold else { continue }
                        blobs.writers[index] = try value.withUnsafeBytes { try self.writeBlob($0) }
                    }
                } catch {
                    blobs.discardUncommitted()
                    throw error
                }
            }
        }
        defer { blobs.discardUncommitted() }
        let deleted = try await writeAsync { txn, state -> Int in
            var deleted = 0
            for (index, write) in writes.enumerated() {
                switch write {
                case .set(let key, let value, let expiry):
                    let deadline = try expiry.deadline(now: state.now)
                    try self.withPayload(value, blob: blobs.writers[index]) { payload in
                        _ = try self.writeValue(
                            txn, &state, key: key, payload: payload, deadline: deadline, when: .always)
                    }
                case .delete(let key):
                    deleted += try self.deleteOperation([key], txn, &state)
                case .deleteMatching:
                    deleted += try self.deleteOperation(matching: globs[index]!, txn, &state)
                }
            }
            return deleted
        }
        blobs.commitAll()
        counters.deletes.add(deleted, ordering: .relaxed)
        return deleted
    }
}
