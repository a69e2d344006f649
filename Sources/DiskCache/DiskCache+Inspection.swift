import LMDB

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One live entry as a batched scan (``DiskCache/entries(matching:after:limit:values:)``) saw it.
public struct EntrySnapshot: Sendable, Hashable {
    /// The entry's key.
    public var key: String
    /// The value's bytes; nil when the scan was asked for no values.
    public var value: [UInt8]?
    /// The value's size in bytes.
    public var valueSize: Int
    /// When the entry expires, in milliseconds since 1970-01-01 UTC; nil when it never does.
    public var expiresAt: Int64?
    /// True when the value is stored in a blob file (it is larger than the blob threshold).
    public var isBlob: Bool
}

/// A page of a batched scan: the entries found and where the next page starts.
public struct EntryBatch: Sendable {
    /// The live entries of this page, in key order.
    public var entries: [EntrySnapshot]
    /// Where the next page starts, or nil when the scan is complete.
    public var resumePoint: ResumePoint?
    /// Entries of this page left out because their value failed its checksum (or its blob file
    /// vanished), with values requested only. `check(repair: true)` removes damaged ones.
    public var skipped: Int
}

/// An opaque position in a cache's key order, where a batched scan resumes. Valid for any later
/// scan of the same cache with the same pattern, whatever was written meanwhile.
public struct ResumePoint: Sendable, Hashable {
    /// The storage key of the last row the previous page looked at.
    let storageKey: [UInt8]
}

/// The storage underneath a cache: its LMDB environment and data file.
public struct StorageInfo: Sendable, Hashable {
    /// The format line recorded in the cache (schema version and eviction policy).
    public var format: String
    /// The memory map's size in bytes (address space reserved, not disk).
    public var mapSize: Int
    /// The largest the map may grow in this process, in bytes.
    public var maximumMapSize: Int
    /// The database page size in bytes.
    public var pageSize: Int
    /// Bytes of the data file in use: (last page number + 1) × page size.
    public var usedBytes: Int
    /// The data file's size on disk in bytes.
    public var fileSize: Int
    /// The id of the last committed transaction.
    public var lastTransactionID: Int
    /// Reader slots in the lock file.
    public var maxReaders: Int
    /// Reader slots claimed in the lock file (LMDB's `me_numreaders`: the slots taken so far by
    /// the threads of every process, this one included; a slot stays claimed while its thread
    /// and environment live, and slots of processes that died are reclaimed by
    /// ``DiskCache/reclaimStaleReaders()``).
    public var readersInUse: Int
    /// Depth of the B-tree of entries.
    public var treeDepth: Int
}

extension DiskCache {
    /// A page of at most `limit` live entries whose keys match the glob `pattern`, in key order,
    /// starting after `resumePoint` (at the start when nil), read in one short read transaction.
    ///
    /// Pass the returned ``EntryBatch/resumePoint`` to get the next page; it is nil at the end.
    /// Each page is a consistent snapshot; the whole walk is not (entries written meanwhile may
    /// or may not be seen), which is what a tool walking a cache in use wants: it never pins an
    /// old snapshot for long. At most `16 × limit` rows are looked at per page, so a page may hold
    /// fewer than `limit` entries (even none) before the end with a sparse pattern.
    ///
    /// With `values`, every value is read and verified: inline values in the transaction, blobs
    /// from their files after it (an entry deleted meanwhile is left out). Reads through this
    /// scan count neither hits nor misses and do not move entries in the eviction order.
    public func entries(
        matching pattern: String = "*", after resumePoint: ResumePoint? = nil, limit: Int = 1000,
        values: Bool = true
    ) throws -> EntryBatch {
        precondition(limit > 0, "a page limit must be positive")
        let glob = try GlobPattern(validating: pattern)
        let now = self.now
        let prefix = Array(Array(glob.literalPrefix.utf8).prefix(StorageKey.prefixLength))
        var batch = EntryBatch(entries: [], resumePoint: nil, skipped: 0)
        var blobIndexes: [Int] = []
        try storage {
            try environment.read { txn in
                try txn.withCursor(in: schema.entries) { cursor in
                    let start = resumePoint?.storageKey ?? prefix
                    var looked = 0
                    var last: [UInt8]?
                    var ended = true
                    try start.withUnsafeBytes { startBytes in
                        try cursor.scan(from: startBytes.isEmpty ? nil : startBytes) { row in
                            if let resumePoint, row.key.elementsEqual(resumePoint.storageKey) { return .continue }
                            guard row.key.starts(with: prefix) else { return .stop }
                            if batch.entries.count == limit || looked == 16 * limit {
                                ended = false
                                return .stop
                            }
                            looked += 1
                            last = Array(row.key)
                            guard let view = RecordView(row.value), !view.header.isExpired(at: now) else {
                                return .continue
                            }
                            let key = String(decoding: view.header.hasLongKey ? view.fullKey : row.key, as: UTF8.self)
                            guard glob.matches(key) else { return .continue }
                            var value: [UInt8]?
                            if values && !view.header.isBlob {
                                guard view.isIntact else {
                                    batch.skipped += 1
                                    return .continue
                                }
                                value = Array(view.payload)
                            }
                            if values && view.header.isBlob { blobIndexes.append(batch.entries.count) }
                            batch.entries.append(
                                EntrySnapshot(
                                    key: key, value: value, valueSize: Int(view.header.valueSize),
                                    expiresAt: view.header.expiresAt == 0 ? nil : view.header.expiresAt,
                                    isBlob: view.header.isBlob))
                            return .continue
                        }
                    }
                    if !ended, let last { batch.resumePoint = ResumePoint(storageKey: last) }
                }
            }
        }
        guard !blobIndexes.isEmpty else { return batch }
        var gone = Set<Int>()
        for index in blobIndexes {
            if let value = try get(batch.entries[index].key) {
                batch.entries[index].value = value
            } else {
                gone.insert(index)
            }
        }
        if !gone.isEmpty {
            batch.skipped += gone.count
            batch.entries = batch.entries.enumerated().filter { !gone.contains($0.offset) }.map(\.element)
        }
        return batch
    }

    /// Entries that have expired but are not removed yet (a sweep or a write removes them). Reads
    /// only the expired part of the expiry index: O(expired).
    public func expiredCount() throws -> Int {
        let now = self.now
        return try storage {
            try environment.read { txn in
                var count = 0
                try txn.withCursor(in: schema.expiry) { cursor in
                    try cursor.scan { row in
                        guard Int64(bitPattern: IndexKey.number(row.key)) <= now else { return .stop }
                        count += 1
                        return .continue
                    }
                }
                return count
            }
        }
    }

    /// The state of the storage underneath: the LMDB environment, the data file, the readers.
    public func storageInfo() throws -> StorageInfo {
        let (format, depth) = try storage {
            try environment.read { txn -> (String, Int) in
                let line = try txn.value(forKey: Schema.formatKey, in: schema.meta)
                return (
                    line.map { String(decoding: $0, as: UTF8.self) } ?? "", try txn.statistics(of: schema.entries).depth
                )
            }
        }
        let info = try storage { try environment.info() }
        let pageSize = try storage { try environment.statistics().pageSize }
        var file = stat()
        let fileSize = stat(directory + "/data.mdb", &file) == 0 ? Int(file.st_size) : 0
        return StorageInfo(
            format: format, mapSize: info.mapSize,
            maximumMapSize: environment.options.maximumMapSize ?? info.mapSize, pageSize: pageSize,
            usedBytes: (info.lastPageNumber + 1) * pageSize, fileSize: fileSize,
            lastTransactionID: info.lastTransactionID, maxReaders: info.maxReaders,
            readersInUse: info.readersInUse, treeDepth: depth)
    }
}
