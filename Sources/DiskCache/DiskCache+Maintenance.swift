import LMDB

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension DiskCache {
    /// Removes up to `limit` expired entries, soonest-expired first, in one transaction, and
    /// returns how many it removed. It reads only the expired part of the expiry index: the cost
    /// is O(expired), whatever the cache's size.
    ///
    /// Its commit, like every write's, may remove a few more expired entries beyond `limit` (at
    /// most ``Configuration/cullLimit``); those are not in the result, but are in
    /// ``CacheStatistics/expirations``. Call it until it returns 0 to empty the expired part.
    @discardableResult
    public func sweepExpired(limit: Int = 1000) throws -> Int {
        precondition(limit > 0, "a sweep limit must be positive")
        return try write { txn, state -> Int in
            var due: [(Int64, [UInt8])] = []
            try txn.withCursor(in: schema.expiry) { cursor in
                try cursor.scan { row in
                    let expiresAt = Int64(bitPattern: IndexKey.number(row.key))
                    guard expiresAt <= state.now, due.count < limit else { return .stop }
                    due.append((expiresAt, Array(IndexKey.storageKey(row.key))))
                    return .continue
                }
            }
            var removed = 0
            for (expiresAt, storageKey) in due {
                try storageKey.withUnsafeBytes { key in
                    let header = try txn.withValue(forKey: key, in: schema.entries) { RecordView($0)?.header } ?? nil
                    if let header, header.expiresAt == expiresAt {
                        try store.remove(txn, storageKey: key, header: header, state: &state)
                        removed += 1
                    } else {
                        // A stale row: the entry changed without its row (check() reports these).
                        try IndexKey.with(UInt64(expiresAt), key) { _ = try txn.delete(forKey: $0, in: schema.expiry) }
                    }
                }
            }
            state.expirations += removed
            return removed
        }
    }

    /// Clears reader slots left by processes that died inside a read transaction (they would pin
    /// old pages and make the file grow). Returns how many were cleared. Runs on open and in the
    /// maintenance service.
    @discardableResult
    public func reclaimStaleReaders() throws -> Int {
        try storage { try environment.readerCheck() }
    }

    /// Verifies the whole cache: every record's header and checksum (blob files are read and
    /// hashed), the exact totals, that the expiry index and the eviction order hold exactly one
    /// row per entry, and that no blob file is left without an entry. With `repair`, fixes what it
    /// finds in the same pass (damaged entries are deleted, index rows added or dropped, totals
    /// rewritten, orphan files removed) and reports what it found before fixing it.
    ///
    /// A blob file younger than `orphanGrace` is never called an orphan: another process may have
    /// written it and not yet committed the entry that references it.
    ///
    /// A check reads every entry and every blob: it is O(size of the cache), for tools and
    /// maintenance windows, not hot paths. A check without repair compares each index with a
    /// fingerprint of the rows the entries call for (no set of rows in memory) and counts the
    /// faulty rows exactly only when a fingerprint differs.
    @discardableResult
    public func check(repair: Bool = false, orphanGrace: Duration = .seconds(600)) throws -> CheckReport {
        // Ages are taken now, before the scan: a file another writer finished just before the
        // check began is younger than the grace period however long the scan takes.
        let candidates = orphanCandidates(olderThan: orphanGrace)
        if repair {
            var orphans: [BlobID] = []
            let report = try write { txn, state in
                state.expiryFloor = .min  // the repair may add expiry rows
                let result = try verify(txn, now: state.now, repair: true, candidates: candidates)
                state.meta.count = Int64(result.report.entries)
                state.meta.volume = Int64(result.report.volume)
                state.meta.blobCount = Int64(result.report.blobEntries)
                state.meta.blobBytes = Int64(result.report.blobBytes)
                state.meta.smallCount = result.smallQueue.count
                state.meta.smallVolume = result.smallQueue.volume
                state.metaChanged = true
                state.changed = true
                state.blobsToRemove += result.damagedBlobs
                orphans = result.orphans
                return result.report
            }
            blobs.remove(orphans)
            return report
        }
        return try storage {
            try environment.read { txn in try verify(txn, now: now, repair: false, candidates: candidates).report }
        }
    }

    /// Blob files at least `grace` old that this process is not writing: the files that are
    /// orphans unless an entry references them. A zero grace takes every file whatever its time
    /// says (a file system's clock can be a little ahead of this one).
    func orphanCandidates(olderThan grace: Duration) -> [BlobID] {
        let seconds = Double(grace.milliseconds) / 1000
        return blobs.files().filter { (grace <= .zero || $0.age >= seconds) && !blobs.inFlight.contains($0.id) }
            .map(\.id)
    }

    /// Removes blob files that no entry references and that are older than `grace` (at least one
    /// minute: a writer in another process may have written a file and not yet committed the
    /// entry naming it). Walks the blob directories and, only when there are more files than
    /// blob entries, the entries in one read transaction: it never takes the write lock. Returns
    /// how many files it removed. The maintenance service runs it every five minutes.
    @discardableResult
    public func removeOrphanBlobs(olderThan grace: Duration = .seconds(600)) throws -> Int {
        let files = blobs.files()
        guard files.count > Int(try loadMeta().blobCount) else { return 0 }
        let candidates = Set(orphanCandidates(olderThan: max(grace, .seconds(60))))
        guard !candidates.isEmpty else { return 0 }
        var referenced = Set<BlobID>()
        try storage {
            try environment.read { txn in
                try txn.withCursor(in: schema.entries) { cursor in
                    try cursor.scan { entry in
                        if let id = RecordView(entry.value)?.blobID, candidates.contains(id) { referenced.insert(id) }
                        return .continue
                    }
                }
            }
        }
        let orphans = Array(candidates.subtracting(referenced))
        blobs.remove(orphans)
        if !orphans.isEmpty {
            logger.notice(
                "removed blob files no entry references (left by a crash or an interrupted write)",
                metadata: ["directory": "\(directory)", "files": "\(orphans.count)"])
        }
        return orphans.count
    }

    /// Scans every entry and compares the indexes with the rows the entries call for.
    ///
    /// Without `exact`, each index is compared by a fingerprint — the row count and the sums of
    /// the rows' 128-bit XXH3 digests — instead of a set of rows (a set of a million arrays costs
    /// seconds); when a fingerprint differs, the check runs again with `exact` sets to count
    /// the dangling and missing rows. A repair always uses the sets (it needs the rows).
    /// With S3-FIFO it also counts the small queue's entries and volume (a repair stores them).
    private func verify(
        _ txn: borrowing Transaction, now: Int64, repair: Bool, candidates: [BlobID], exact: Bool = false
    ) throws -> (
        report: CheckReport, damagedBlobs: [BlobID], orphans: [BlobID], smallQueue: (count: Int64, volume: Int64)
    ) {
        let exact = exact || repair
        var report = CheckReport()
        var smallQueue: (count: Int64, volume: Int64) = (0, 0)
        var expected = Set<[UInt8]>()  // index rows the entries call for (exact only)
        var expectedOrder = Set<[UInt8]>()
        var expiryPrint = RowFingerprint()
        var orderPrint = RowFingerprint()
        var corrupt: [[UInt8]] = []
        var damagedBlobs: [BlobID] = []
        var referenced = Set<BlobID>()
        try txn.withCursor(in: schema.entries) { cursor in
            try cursor.scan { entry in
                guard let view = RecordView(entry.value),
                    view.header.hasLongKey == (entry.key.count == StorageKey.longLength),
                    view.header.isBlob ? try blobIsIntact(view) : view.isIntact
                else {
                    corrupt.append(Array(entry.key))
                    if let id = RecordView(entry.value)?.blobID { damagedBlobs.append(id) }
                    return .continue
                }
                report.entries += 1
                report.volume += Int(EntryStore.volume(of: view.header, storageKeyLength: entry.key.count))
                if let id = view.blobID {
                    referenced.insert(id)
                    report.blobEntries += 1
                    report.blobBytes += Int(view.header.valueSize)
                }
                if view.header.isExpired(at: now) { report.expiredEntries += 1 }
                if view.header.expiresAt != 0 {
                    IndexKey.with(UInt64(view.header.expiresAt), entry.key) { row in
                        if exact { expected.insert(Array(row)) } else { expiryPrint.add(row) }
                    }
                }
                if store.policy != .none {
                    let rank = try store.currentRank(txn, storageKey: entry.key, header: view.header).rank
                    IndexKey.with(rank, entry.key) { row in
                        if exact { expectedOrder.insert(Array(row)) } else { orderPrint.add(row) }
                    }
                    if store.policy == .s3FIFO && rank < Rank.mainQueue {
                        smallQueue.count += 1
                        smallQueue.volume += EntryStore.volume(of: view.header, storageKeyLength: entry.key.count)
                    }
                }
                return .continue
            }
        }
        report.corruptEntries = corrupt.count
        let meta = try MetaState.load(txn, schema)
        report.recordedCount = Int(meta.count)
        report.recordedVolume = Int(meta.volume)
        report.recordedBlobCount = Int(meta.blobCount)
        report.recordedBlobBytes = Int(meta.blobBytes)

        if !exact {
            guard try fingerprint(of: schema.expiry, txn) == expiryPrint,
                try fingerprint(of: schema.order, txn) == orderPrint
            else {
                return try verify(txn, now: now, repair: false, candidates: candidates, exact: true)
            }
        }
        let (danglingExpiry, missingExpiry) =
            exact ? try compare(index: schema.expiry, with: expected, txn, repair: repair) : (0, 0)
        let (danglingOrder, missingOrder) =
            exact ? try compare(index: schema.order, with: expectedOrder, txn, repair: repair) : (0, 0)
        let danglingRanks = try danglingSideRanks(txn, repair: repair)
        let danglingGhosts = try store.danglingGhostRows(txn, repair: repair)
        report.danglingIndexRows = danglingExpiry + danglingOrder + danglingRanks + danglingGhosts
        report.missingIndexRows = missingExpiry + missingOrder
        let orphans = candidates.filter { !referenced.contains($0) }
        // A damaged entry's file is not an orphan: it goes with its entry.
        report.orphanBlobFiles = orphans.filter { !damagedBlobs.contains($0) }.count
        if repair {
            for key in corrupt {
                _ = try txn.delete(forKey: key, in: schema.entries)
                _ = try txn.delete(forKey: key, in: schema.ranks)
            }
            if !report.isClean {
                logger.warning("cache repaired", metadata: ["directory": "\(directory)", "report": "\(report)"])
            }
        }
        if !corrupt.isEmpty {
            counters.corruptions.add(corrupt.count, ordering: .relaxed)
        }
        return (report, damagedBlobs, orphans.filter { !damagedBlobs.contains($0) }, smallQueue)
    }

    /// Reads a blob's file and compares its hash and size with the record.
    private func blobIsIntact(_ view: RecordView) throws -> Bool {
        guard let id = view.blobID, case .file(let fd) = try blobs.open(id, size: view.header.valueSize) else {
            return false
        }
        defer { close(fd) }
        let hash = StreamingHash(seed: 0)
        var remaining = Int(view.header.valueSize)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while remaining > 0 {
            let part = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<min(buffer.count, remaining)])
            guard try BlobReader.readFully(fd, into: part, path: blobs.directory) else { return false }
            hash.update(UnsafeRawBufferPointer(part))
            remaining -= part.count
        }
        var extra: UInt8 = 0
        guard FileIO.read(fd, &extra, 1) == 0 else { return false }  // the file is longer than recorded
        return view.isIntact(blobHash: hash.digest)
    }

    /// Rows of the side table of ranks whose entry is gone (or unreadable); with `repair`, they
    /// are dropped.
    private func danglingSideRanks(_ txn: borrowing Transaction, repair: Bool) throws -> Int {
        var dangling: [[UInt8]] = []
        try txn.withCursor(in: schema.ranks) { cursor in
            try cursor.scan { row in
                let valid =
                    try txn.withValue(forKey: row.key, in: schema.entries) { RecordView($0) != nil } ?? false
                let size = store.keepsFrequency ? 12 : 8
                if !valid || row.value.count != size || !store.tracksReads { dangling.append(Array(row.key)) }
                return .continue
            }
        }
        if repair { for key in dangling { _ = try txn.delete(forKey: key, in: schema.ranks) } }
        return dangling.count
    }

    /// The fingerprint of every row of `index`.
    private func fingerprint(of index: Database, _ txn: borrowing Transaction) throws -> RowFingerprint {
        var print = RowFingerprint()
        try txn.withCursor(in: index) { cursor in
            try cursor.scan { row in
                print.add(row.key)
                return .continue
            }
        }
        return print
    }

    /// Compares an index with the rows the entries call for; with `repair`, makes them equal.
    private func compare(
        index: Database, with expected: Set<[UInt8]>, _ txn: borrowing Transaction, repair: Bool
    ) throws -> (dangling: Int, missing: Int) {
        var present = Set<[UInt8]>()
        var dangling: [[UInt8]] = []
        try txn.withCursor(in: index) { cursor in
            try cursor.scan { row in
                let key = Array(row.key)
                if expected.contains(key) { present.insert(key) } else { dangling.append(key) }
                return .continue
            }
        }
        let missing = expected.subtracting(present)
        if repair {
            for row in dangling { _ = try txn.delete(forKey: row, in: index) }
            for row in missing { try txn.put([UInt8](), forKey: row, in: index) }
        }
        return (dangling.count, missing.count)
    }
}

/// An order-independent fingerprint of a set of index rows: how many, and the wrapping sums of
/// their XXH3-128 digests. Two sets of rows with equal fingerprints are equal but for a 2^-128
/// chance (the rows of one index are distinct: each names its own entry).
struct RowFingerprint: Equatable {
    var count = 0
    var high: UInt64 = 0
    var low: UInt64 = 0

    mutating func add(_ row: UnsafeRawBufferPointer) {
        let (high, low) = Hash.digest(row)
        count += 1
        self.high &+= high
        self.low &+= low
    }
}

/// What ``DiskCache/check(repair:)`` found.
public struct CheckReport: Sendable, Hashable, CustomStringConvertible {
    /// Valid entries found by the scan.
    public var entries = 0
    /// Their total volume.
    public var volume = 0
    /// Valid entries that have expired but are not swept yet (not a fault).
    public var expiredEntries = 0
    /// Records whose header or checksum is wrong.
    public var corruptEntries = 0
    /// The entry count recorded in the metadata.
    public var recordedCount = 0
    /// The volume recorded in the metadata.
    public var recordedVolume = 0
    /// Entries whose value is a blob file (found by the scan).
    public var blobEntries = 0
    /// Bytes of those files.
    public var blobBytes = 0
    /// The blob count recorded in the metadata.
    public var recordedBlobCount = 0
    /// The blob bytes recorded in the metadata.
    public var recordedBlobBytes = 0
    /// Blob files that no entry references (older than the grace period).
    public var orphanBlobFiles = 0
    /// Expiry-index or eviction-order rows that name no matching entry.
    public var danglingIndexRows = 0
    /// Entries whose expiry-index or eviction-order row is missing.
    public var missingIndexRows = 0

    /// True when nothing is wrong.
    public var isClean: Bool {
        corruptEntries == 0 && recordedCount == entries && recordedVolume == volume && danglingIndexRows == 0
            && missingIndexRows == 0 && orphanBlobFiles == 0 && recordedBlobCount == blobEntries
            && recordedBlobBytes == blobBytes
    }

    /// A one-line summary.
    public var description: String {
        "entries=\(entries) (recorded \(recordedCount)) volume=\(volume) (recorded \(recordedVolume))"
            + " expired=\(expiredEntries) corrupt=\(corruptEntries) dangling-index-rows=\(danglingIndexRows)"
            + " missing-index-rows=\(missingIndexRows) blobs=\(blobEntries) (recorded \(recordedBlobCount))"
            + " blob-bytes=\(blobBytes) (recorded \(recordedBlobBytes)) orphan-blob-files=\(orphanBlobFiles)"
    }
}
