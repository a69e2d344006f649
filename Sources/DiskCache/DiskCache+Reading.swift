import LMDB

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension DiskCache {
    /// The value stored under `key`, or nil when it is absent, expired, or fails its checksum.
    public func get(_ key: String) throws -> [UInt8]? {
        var value: [UInt8]?
        try readValue(forKey: key, inline: { value = Array($0) }) { [unowned(unsafe) self] fd, header in
            // A blob is read straight into the array, then hashed: one copy, one pass. (The
            // capture is unowned(unsafe) for the reason given in readValue(forKey:_:).)
            let size = Int(header.valueSize)
            var bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
                count = size
            }
            let complete = try bytes.withUnsafeMutableBytes { try BlobReader.readFully(fd, into: $0, path: directory) }
            guard complete, bytes.withUnsafeBytes({ Hash.checksum($0, seed: 0) }) ^ header.headerMix == header.checksum
            else { return false }
            value = bytes
            return true
        }
        return value
    }

    /// Calls `body` with the bytes stored under `key` in place, without copying them, and
    /// returns its result; nil when the key is absent, expired, or fails its checksum.
    ///
    /// An inline value is viewed in the memory map, inside a read transaction; a blob is viewed
    /// through a private mapping of its file. Either way the buffer is valid only during `body`:
    /// keep it short (it cannot `await`).
    @inlinable
    public func withValue<R>(forKey key: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        var result: R?
        try readValue(forKey: key) { result = try body($0) }
        return result
    }

    /// The zero-copy read path; see ``readValue(forKey:inline:blob:)``.
    @usableFromInline
    @discardableResult
    func readValue(forKey key: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Bool {
        // unowned(unsafe): the closure runs within this call, while `self` is alive; a strong
        // capture would retain the cache on every read (an atomic write to a line every reader
        // shares, and a slow one: the cache has weak references, so a side table).
        try readValue(forKey: key, inline: body) { [unowned(unsafe) self] fd, header in
            // The file's size was checked against the record when it was opened, so the mapping
            // ends within the file. An empty blob is not mapped (cannot happen: blobs are large).
            let size = Int(header.valueSize)
            guard size > 0 else {
                guard
                    Hash.checksum(UnsafeRawBufferPointer(start: nil, count: 0), seed: 0) ^ header.headerMix
                        == header.checksum
                else { return false }
                try body(UnsafeRawBufferPointer(start: nil, count: 0))
                return true
            }
            let mapped = mmap(nil, size, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0)
            if mapped == MAP_FAILED {
                throw DiskCacheError.fileSystem(operation: "mmap blob", path: directory, errno: errno)
            }
            defer { munmap(mapped, size) }
            let buffer = UnsafeRawBufferPointer(start: mapped, count: size)
            guard Hash.checksum(buffer, seed: 0) ^ header.headerMix == header.checksum else { return false }
            try body(buffer)
            return true
        }
    }

    /// The read path: calls `inline` with a live, intact inline value (inside the read
    /// transaction), or `blob` with an open descriptor of a live blob's file (after it; `blob`
    /// verifies the content and returns false when it is damaged). Counts the hit or miss and
    /// returns true on a hit. Not generic, so that callers in other modules reach it without
    /// generic metadata.
    @discardableResult
    func readValue(
        forKey key: String, inline: (UnsafeRawBufferPointer) throws -> Void,
        blob: (Int32, RecordHeader) throws -> Bool
    ) throws -> Bool {
        var hit = false
        var corrupt = false
        var blobFile: (fd: Int32, record: RecordHeader)?
        try DiskCache.withKey(key) { raw, storageKey, isLong in
            // A blob file missing from this snapshot's record may have been replaced or deleted by
            // a writer after the snapshot began: look again in a fresh snapshot (see
            // ``openBlob(_:storageKey:previouslyMissing:)``), and call it damage only when the
            // record there still names the same missing file.
            var missing: BlobID?
            var attempts = 0
            repeat {
                attempts += 1
                var retry = false
                try storage {
                    try environment.read { txn in
                        guard let bytes = try txn.unsafeValue(forKey: storageKey, in: schema.entries),
                            let record = RecordView(bytes), record.belongs(to: raw, isLong: isLong),
                            !record.header.isExpired(atNow: self.now)
                        else { return }
                        guard !record.header.isBlob else {
                            switch try openBlob(record, storageKey: storageKey, previouslyMissing: &missing) {
                            case .opened(let fd): blobFile = (fd, record.header)
                            case .retry: retry = true
                            case .damaged: corrupt = true
                            }
                            return
                        }
                        guard record.isIntact else {
                            corrupt = true
                            return
                        }
                        hit = true
                        if accessLog?.record(storageKey) == true { requestFold() }
                        try inline(record.payload)
                    }
                }
                if !retry { break }
            } while attempts < DiskCache.blobReadAttempts
        }
        if let (fd, header) = blobFile {
            defer { close(fd) }
            if try blob(fd, header) { hit = true } else { corrupt = true }
        }
        if corrupt { reportCorruption(key: key) }
        if hit {
            counters.hits.add(1, ordering: .relaxed)
        } else {
            counters.misses.add(1, ordering: .relaxed)
            admission?.recordMiss(key)
        }
        return hit
    }

    /// How many snapshots a read looks in for a blob file that a concurrent writer replaced.
    static let blobReadAttempts = 3

    private enum BlobOpening {
        case opened(Int32)
        case retry
        case damaged
    }

    /// Opens the file of a blob record while the snapshot still references it (a concurrent
    /// delete unlinks it only after its own commit, and an open file survives). A missing file is
    /// worth a look in a fresh snapshot once per file: `previouslyMissing` remembers which.
    @inline(never)
    private func openBlob(
        _ record: RecordView, storageKey: UnsafeRawBufferPointer, previouslyMissing: inout BlobID?
    ) throws -> BlobOpening {
        guard let id = record.blobID else { return .damaged }
        switch try blobs.open(id, size: record.header.valueSize) {
        case .file(let fd):
            if accessLog?.record(storageKey) == true { requestFold() }
            return .opened(fd)
        case .missing:
            if previouslyMissing == id { return .damaged }
            previouslyMissing = id
            return .retry
        case .wrongSize:
            return .damaged
        }
    }

    /// True when `key` holds a live (unexpired, intact) entry. Does not count as a hit or a miss.
    public func contains(_ key: String) throws -> Bool {
        try liveHeader(forKey: key) != nil
    }

    /// How long `key` has left: ``TimeToLive/forever`` without expiry, nil when it is absent or
    /// expired.
    public func timeToLive(forKey key: String) throws -> TimeToLive? {
        let now = self.now
        return try liveHeader(forKey: key, now: now).map {
            $0.expiresAt == 0 ? .forever : .remaining(.milliseconds($0.expiresAt - now))
        }
    }

    /// The size in bytes of the value stored under `key`, or nil when it is absent or expired.
    public func valueSize(forKey key: String) throws -> Int? {
        try liveHeader(forKey: key).map { Int($0.valueSize) }
    }

    /// The header of the live entry of `key` (unexpired at `now`, passing the checks a read can
    /// make without opening a blob file), or nil. Counts neither a hit nor a miss.
    private func liveHeader(forKey key: String, now: Int64? = nil) throws -> RecordHeader? {
        let now = now ?? self.now
        return try DiskCache.withKey(key) { raw, storageKey, isLong in
            try storage {
                try environment.read { txn -> RecordHeader? in
                    guard let record = try store.record(txn, storageKey: storageKey, key: raw, isLong: isLong),
                        !record.header.isExpired(at: now), record.passesQuickCheck
                    else { return nil }
                    return record.header
                }
            }
        }
    }

    /// The values of `keys`, in order (nil where absent). Inline values come from one consistent
    /// snapshot; values stored as blob files are read after it.
    public func get(_ keys: [String]) throws -> [[UInt8]?] {
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
        for index in blobKeys { values[index] = try get(keys[index]) }
        return values
    }

    /// The live keys that match the Redis-style glob `pattern` (`*`, `?`, `[a-z]`, `[^x]`, `\`),
    /// in the order of their UTF-8 bytes (keys over 479 bytes that share their first 480 bytes
    /// come in an arbitrary order among themselves). A pattern with a literal prefix
    /// (`"user:*"`) scans only that range.
    public func keys(matching pattern: String = "*") throws -> [String] {
        var keys: [String] = []
        try scanLive(matching: pattern) { key, _ in
            keys.append(key)
            return .continue
        }
        return keys
    }

    /// Entries stored, in the whole cache. Exact and O(1): the total is kept with every write.
    /// Expired entries count until they are swept or overwritten.
    public var count: Int {
        get throws { Int(try loadMeta().count) }
    }

    /// The cache's volume in bytes: for every entry, its key's UTF-8 bytes, its value's bytes and
    /// a fixed overhead of 64 bytes (header and index rows). Exact and O(1).
    public var volume: Int {
        get throws { Int(try loadMeta().volume) }
    }

    /// The counters of this instance and the totals of the cache.
    public func statistics() throws -> CacheStatistics {
        let meta = try loadMeta()
        return CacheStatistics(
            blobCount: Int(meta.blobCount), blobBytes: Int(meta.blobBytes),
            hits: counters.hits.load(ordering: .relaxed), misses: counters.misses.load(ordering: .relaxed),
            sets: counters.sets.load(ordering: .relaxed), deletes: counters.deletes.load(ordering: .relaxed),
            expirations: counters.expirations.load(ordering: .relaxed),
            evictions: counters.evictions.load(ordering: .relaxed),
            corruptions: counters.corruptions.load(ordering: .relaxed), count: Int(meta.count),
            volume: Int(meta.volume), uncleanShutdowns: counters.uncleanShutdowns.load(ordering: .relaxed),
            admissionSkips: admission?.skipped.load(ordering: .relaxed) ?? 0)
    }

    func loadMeta() throws -> MetaState {
        try storage { try environment.read { txn in try MetaState.load(txn, schema) } }
    }

    func reportCorruption(key: String) {
        counters.corruptions.add(1, ordering: .relaxed)
        logger.error(
            "cache value failed its checksum; treated as a miss (run check(repair: true) to remove it)",
            metadata: ["key": "\(key)", "directory": "\(directory)"])
    }

    /// Walks the live entries whose keys match `pattern`, in key order, within one read
    /// transaction. `body` gets each key and its record view.
    func scanLive(
        matching pattern: String, _ body: (String, RecordView) throws -> Cursor.ScanStep
    ) throws {
        let glob = try GlobPattern(validating: pattern)
        let now = self.now
        try storage {
            try environment.read { txn in
                try txn.withCursor(in: schema.entries) { cursor in
                    try scan(cursor, glob: glob) { key, _, view in
                        guard !view.header.isExpired(at: now) else { return .continue }
                        return try body(key, view)
                    }
                }
            }
        }
    }

    /// Walks the entries of `cursor` whose keys match `glob` (expired ones included), starting at
    /// the pattern's literal prefix and stopping after it. `body` gets the key, the storage key
    /// and the record.
    func scan(
        _ cursor: borrowing Cursor, glob: GlobPattern,
        _ body: (String, UnsafeRawBufferPointer, RecordView) throws -> Cursor.ScanStep
    ) throws {
        let prefix = Array(glob.literalPrefix.utf8)
        // Long keys keep only their first bytes in the storage key: compare at most that much.
        let comparable = Array(prefix.prefix(StorageKey.prefixLength))
        try comparable.withUnsafeBytes { start in
            try cursor.scan(from: start.isEmpty ? nil : start) { entry in
                guard entry.key.starts(with: comparable) else { return .stop }
                guard let view = RecordView(entry.value) else { return .continue }
                let keyBytes = view.header.hasLongKey ? view.fullKey : entry.key
                let key = String(decoding: keyBytes, as: UTF8.self)
                guard glob.matches(key) else { return .continue }
                return try body(key, entry.key, view)
            }
        }
    }
}
