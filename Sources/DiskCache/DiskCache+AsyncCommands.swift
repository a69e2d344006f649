import LMDB

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// The async entry points of every command a backend needs beyond those of DiskCache+Async.swift,
// so that an async client has one way into the engine:
//
// - writes go to the writer thread's shared transactions (`writeAsync`), never to a blocking
//   group commit on a thread of the cooperative pool;
// - work that can take milliseconds without committing (pattern scans, reads of large blob
//   files, writes of new blob files, maintenance rounds) runs on ``EngineThread``;
// - what is left on the caller's thread is a read of a few hundred nanoseconds (an LMDB
//   lookup in the memory map), run on the caller's executor (`nonisolated(nonsending)`).
extension DiskCache {
    /// Blob values up to this size are read on the caller's thread (as fast as a hop to another
    /// thread); larger ones on ``EngineThread``.
    static let inlineBlobReadLimit = 256 << 10

    /// ``get(_:)-(String)`` without blocking the calling task's thread on a large blob file.
    /// Runs on the caller's executor; an inline value never leaves it.
    nonisolated(nonsending) package func fetch(_ key: String) async throws -> [UInt8]? {
        switch try lookUp(key) {
        case .value(let value): return value
        case .largeBlob(let blob): return try await read(blob, forKey: key)
        }
    }

    /// The synchronous half of ``fetch(_:)-(String)``: the value of `key`, or the large blob
    /// file still to read (call ``read(_:forKey:)`` with it). A backend calls it first, so that a
    /// hit that needs no other thread makes no async call at all.
    package func lookUp(_ key: String) throws -> FetchStep {
        var value: [UInt8]?
        var deferred: LargeBlob?
        try readValue(forKey: key, inline: { value = Array($0) }) { fd, header in
            guard Int(header.valueSize) > DiskCache.inlineBlobReadLimit else {
                value = try DiskCache.readWholeBlob(fd, header, directory: self.directory)
                return value != nil
            }
            // The descriptor closes when this returns: keep a copy for the engine thread.
            let copy = dup(fd)
            guard copy >= 0 else {
                throw DiskCacheError.fileSystem(operation: "dup blob", path: self.directory, errno: errno)
            }
            deferred = LargeBlob(fd: copy, header: header)
            return true  // counted as a hit; corrected by read(_:forKey:) if the file fails its checksum
        }
        return deferred.map(FetchStep.largeBlob) ?? .value(value)
    }

    /// Reads `blob` (from ``lookUp(_:)``) on ``EngineThread`` and closes it; nil, counted as
    /// a corruption, when the file fails its checksum.
    nonisolated(nonsending) package func read(_ blob: LargeBlob, forKey key: String) async throws -> [UInt8]? {
        let path = directory
        let bytes = try await EngineThread.shared.run {
            defer { close(blob.fd) }
            return try DiskCache.readWholeBlob(blob.fd, blob.header, directory: path)
        }
        if bytes == nil {
            counters.hits.subtract(1, ordering: .relaxed)
            counters.misses.add(1, ordering: .relaxed)
            reportCorruption(key: key)
        }
        return bytes
    }

    /// ``get(_:)-([String])`` without blocking on large blob files: inline values come from one
    /// consistent snapshot on the caller's thread, blobs are read after it through ``fetch(_:)-(String)``.
    nonisolated(nonsending) package func fetch(_ keys: [String]) async throws -> [[UInt8]?] {
        let now = self.now
        var hits = 0
        var blobKeys: [Int] = []
        var values = try storage {
            try environment.read { txn -> [[UInt8]?] in
                try keys.enumerated().map { index, key -> [UInt8]? in
                    try DiskCache.withKey(key) { raw, storageKey, isLong -> [UInt8]? in
                        guard let record = try store.record(txn, storageKey: storageKey, key: raw, isLong: isLong),
                            !record.header.isExpired(at: now)
                        else { return nil }
                        if record.header.isBlob {
                            blobKeys.append(index)
                            return nil
                        }
                        guard record.isIntact else {
                            reportCorruption(key: key)
                            return nil
                        }
                        hits += 1
                        if accessLog?.record(storageKey) == true { requestFold() }
                        return Array(record.payload)
                    }
                }
            }
        }
        counters.hits.add(hits, ordering: .relaxed)
        counters.misses.add(keys.count - hits - blobKeys.count, ordering: .relaxed)
        for index in blobKeys { values[index] = try await fetch(keys[index]) }
        return values
    }

    /// ``set(_:expiry:)-([(key:value:)])`` through the writer thread: blob files are written on
    /// ``EngineThread`` first, then every pair is stored in one shared transaction. All or
    /// nothing.
    package func store(_ entries: [(key: String, value: [UInt8])], expiry: Expiry) async throws {
        for entry in entries {
            guard !entry.key.isEmpty else { throw DiskCacheError.emptyKey }
            try checkFits(keyLength: entry.key.utf8.count, valueSize: entry.value.count)
        }
        let threshold = configuration.blobThreshold
        let blobs =
            entries.contains { $0.value.count > threshold }
            ? try await EngineThread.shared.run { try self.writeBlobs(entries, threshold: threshold) }
            : BlobBatch(count: entries.count)
        defer { blobs.discardUncommitted() }
        try await writeAsync { txn, state in
            let deadline = try expiry.deadline(now: state.now)
            for (index, entry) in entries.enumerated() {
                try self.withPayload(entry.value, blob: blobs.writers[index]) { payload in
                    _ = try self.writeValue(
                        txn, &state, key: entry.key, payload: payload, deadline: deadline, when: .always)
                }
            }
        }
        blobs.commitAll()
    }

    /// ``write(_:forKey:expiry:onlyIf:)`` with the file of a blob value written on
    /// ``EngineThread`` (a large file takes milliseconds); a value stored inline goes straight to
    /// that write. Returns whether it stored.
    package func store(_ value: [UInt8], forKey key: String, expiry: Expiry, onlyIf condition: WriteCondition)
        async throws -> Bool
    {
        let threshold = configuration.blobThreshold
        guard value.count > threshold else {
            return try await write(value, forKey: key, expiry: expiry, onlyIf: condition)
        }
        guard !key.isEmpty else { throw DiskCacheError.emptyKey }
        if condition == .always, let admission, !admission.admits(key) { return false }
        try checkFits(keyLength: key.utf8.count, valueSize: value.count)
        let blobs = try await EngineThread.shared.run { try self.writeBlobs([(key, value)], threshold: threshold) }
        defer { blobs.discardUncommitted() }
        let stored = try await writeAsync { txn, state in
            let deadline = try expiry.deadline(now: state.now)
            return try self.withPayload(value, blob: blobs.writers[0]) { payload in
                try self.writeValue(txn, &state, key: key, payload: payload, deadline: deadline, when: condition)
            }
        }
        if stored { blobs.commitAll() }
        return stored
    }

    /// ``delete(matching:)`` through the writer thread (the scan runs inside the shared write
    /// transaction, on that thread).
    package func removeAll(matching pattern: String) async throws -> Int {
        let glob = try GlobPattern(validating: pattern)
        let deleted = try await writeAsync { txn, state in try self.deleteOperation(matching: glob, txn, &state) }
        counters.deletes.add(deleted, ordering: .relaxed)
        return deleted
    }

    /// ``keys(matching:)`` on ``EngineThread`` (a scan may walk the whole cache).
    package func findKeys(matching pattern: String) async throws -> [String] {
        try await EngineThread.shared.run { try self.keys(matching: pattern) }
    }

    /// ``expire(_:after:)`` through the writer thread.
    package func setExpiry(of key: String, after duration: Duration) async throws -> Bool {
        let expiry = Expiry.after(duration)
        return try await writeAsync { txn, state in try self.changeExpiryOperation(key, to: expiry, txn, &state) }
    }

    /// ``clear()`` through the writer thread; returns how many entries there were.
    package func removeAll() async throws -> Int {
        try await writeAsync { txn, state in try self.clearOperation(txn, &state) }
    }

    /// ``performMaintenance(sweepBudget:)`` on ``EngineThread``, as ``MaintenanceService`` runs it:
    /// a round may sweep thousands of entries, and its commits wait for LMDB's writer lock.
    func maintenanceRound(sweepBudget: Int = 100_000) async throws -> MaintenanceReport {
        try await EngineThread.shared.run { try self.performMaintenance(sweepBudget: sweepBudget) }
    }

    // MARK: Operations inside a write transaction

    /// Deletes, in `txn`, every entry whose key matches `glob`; returns how many live ones.
    func deleteOperation(matching glob: GlobPattern, _ txn: borrowing Transaction, _ state: inout BatchState) throws
        -> Int
    {
        // Collect first, then delete: the cursor must not walk a tree that changes under it.
        var victims: [([UInt8], RecordHeader)] = []
        try txn.withCursor(in: schema.entries) { cursor in
            try scan(cursor, glob: glob) { _, storageKey, view in
                victims.append((Array(storageKey), view.header))
                return .continue
            }
        }
        var deleted = 0
        for (storageKey, header) in victims {
            try storageKey.withUnsafeBytes { try store.remove(txn, storageKey: $0, header: header, state: &state) }
            if header.isExpired(at: state.now) { state.expirations += 1 } else { deleted += 1 }
        }
        return deleted
    }

    /// Sets, in `txn`, the expiry of the live entry of `key`; false when absent, expired, or
    /// already without expiry when `expiry` is ``Expiry/never``.
    func changeExpiryOperation(
        _ key: String, to expiry: Expiry, _ txn: borrowing Transaction, _ state: inout BatchState
    )
        throws -> Bool
    {
        let deadline = try expiry.deadline(now: state.now) ?? 0
        return try DiskCache.withKey(key) { raw, storageKey, isLong -> Bool in
            guard let old = try store.record(txn, storageKey: storageKey, key: raw, isLong: isLong)?.header,
                !old.isExpired(at: state.now)
            else { return false }
            if deadline == 0 && old.expiresAt == 0 { return false }
            var new = old
            new.expiresAt = deadline
            try store.rewriteHeader(txn, storageKey: storageKey, from: old, to: new)
            if deadline != 0 { state.expiryFloor = min(state.expiryFloor, deadline) }
            state.changed = true
            return true
        }
    }

    /// Deletes, in `txn`, every entry; returns how many there were.
    func clearOperation(_ txn: borrowing Transaction, _ state: inout BatchState) throws -> Int {
        let removed = Int(state.meta.count)
        if state.meta.blobCount > 0 {
            try txn.withCursor(in: schema.entries) { cursor in
                try cursor.scan { entry in
                    if let id = RecordView(entry.value)?.blobID { state.blobsToRemove.append(id) }
                    return .continue
                }
            }
        }
        try txn.removeAll(in: schema.entries)
        try txn.removeAll(in: schema.expiry)
        try txn.removeAll(in: schema.order)
        try txn.removeAll(in: schema.ranks)
        try store.forgetAllGhosts(txn)
        state.changed = true
        state.meta.count = 0
        state.meta.volume = 0
        state.meta.smallCount = 0
        state.meta.smallVolume = 0
        state.meta.blobCount = 0
        state.meta.blobBytes = 0
        state.metaChanged = true
        return removed
    }

    // MARK: Blob files

    /// Reads the whole blob file `fd` of `header` and checks it; nil when it is short or fails
    /// its checksum.
    static func readWholeBlob(_ fd: Int32, _ header: RecordHeader, directory: String) throws -> [UInt8]? {
        let size = Int(header.valueSize)
        var bytes = [UInt8](unsafeUninitializedCapacity: size) { _, count in count = size }
        let complete = try bytes.withUnsafeMutableBytes { try BlobReader.readFully(fd, into: $0, path: directory) }
        guard complete, bytes.withUnsafeBytes({ Hash.checksum($0, seed: 0) }) ^ header.headerMix == header.checksum
        else { return nil }
        return bytes
    }

    /// Writes the blob files of the values of `entries` larger than `threshold`.
    private func writeBlobs(_ entries: [(key: String, value: [UInt8])], threshold: Int) throws -> BlobBatch {
        let batch = BlobBatch(count: entries.count)
        do {
            for (index, entry) in entries.enumerated() where entry.value.count > threshold {
                batch.writers[index] = try entry.value.withUnsafeBytes { try writeBlob($0) }
            }
        } catch {
            batch.discardUncommitted()
            throw error
        }
        return batch
    }
}

/// What ``DiskCache/lookUp(_:)`` found: the value (nil: a miss), or a large blob file to read.
package enum FetchStep: Sendable {
    /// The value, or nil for a miss.
    case value([UInt8]?)
    /// A blob too large to read on the caller's thread.
    case largeBlob(LargeBlob)
}

/// An open blob file, found in a read snapshot, still to be read and checked.
package struct LargeBlob: Sendable {
    /// Its descriptor (closed by ``DiskCache/read(_:forKey:)``).
    let fd: Int32
    /// The record that references it (size and checksum).
    let header: RecordHeader
}

/// The blob files written for a many-key set, one slot per entry (nil: stored inline).
final class BlobBatch: @unchecked Sendable {
    // @unchecked: filled on the engine thread before it is handed to the task, then read by the
    // writer thread while the task waits, then committed or discarded by the task; never
    // touched by two threads at once.
    var writers: [BlobWriter?]

    init(count: Int) { writers = Array(repeating: nil, count: count) }

    /// Marks every file as referenced by a committed entry.
    func commitAll() { for case let writer? in writers { writer.isCommitted = true } }

    /// Deletes the files no committed entry references.
    func discardUncommitted() { for case let writer? in writers where !writer.isCommitted { writer.discard() } }
}
