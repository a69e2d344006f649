import LMDB

/// What one write transaction (a group-commit batch) accumulates before it commits.
struct BatchState {
    /// The totals, updated by every change and stored once at the end of the batch.
    var meta: MetaState
    /// True when `meta` must be stored.
    var metaChanged = false
    /// "Now" for every operation of the batch, in ms since the epoch.
    let now: Int64
    /// The rank sequence when the batch's requests started (after the fold of recorded reads):
    /// entries ranked above it were written in this transaction, and are not its victims while
    /// older candidates exist.
    var startSequence: UInt64 = 0
    /// S3-FIFO: the sequences this transaction's writes were placed at (moves within the queues
    /// take sequences too, so the sequence alone cannot tell a write from a move).
    var writtenSequences: Set<UInt64> = []
    /// A deadline no row of the expiry index is below (ms since the epoch); `Int64.min` when
    /// unknown, `Int64.max` when the index is empty. While it is in the future, a commit has no
    /// expired entry to cull and skips looking (see ``DiskCache/enforceLimits(_:_:)``). Every
    /// row added lowers it.
    var expiryFloor = Int64.min
    /// Entries removed because they had expired (swept or replaced).
    var expirations = 0
    /// Entries evicted to make room.
    var evictions = 0
    /// Values stored (counted into the statistics once the batch commits).
    var sets = 0
    /// True once the current request has changed something (see ``DiskCache/executeBatch``).
    var changed = false
    /// Blob files whose last reference this transaction dropped: unlinked after it commits.
    var blobsToRemove: [BlobID] = []
    /// Blob files written inside the transaction (by `modify`), kept only if it commits.
    let written: BlobLedger

    init(meta: MetaState, now: Int64, written: BlobLedger = BlobLedger()) {
        self.meta = meta
        self.now = now
        self.written = written
    }
}

/// The blob files written inside a write transaction (a `modify` body's large result), across
/// the runs of that transaction: a body runs again when the map grows or its batch is split, and
/// a request can fail after writing its file. Only files of the run that commits, from requests
/// that succeeded, stay; the others are unlinked, so retries leave no orphan files.
final class BlobLedger {
    /// Files of the current run.
    private(set) var current: [BlobID] = []
    /// Files of earlier runs and of failed requests.
    private(set) var abandoned: [BlobID] = []

    /// A new run of the transaction's body starts: what the previous run wrote is abandoned.
    func beginRun() {
        abandoned += current
        current.removeAll()
    }

    /// Records a file written by the current run.
    func add(_ id: BlobID) { current.append(id) }

    /// How many files the current run has written (a mark for ``abandon(since:)``).
    var mark: Int { current.count }

    /// Abandons the files the current run wrote since `mark` (a request that failed).
    func abandon(since mark: Int) {
        abandoned += current[mark...]
        current.removeSubrange(mark...)
    }

    /// Every file written, for a transaction that did not commit.
    var all: [BlobID] { abandoned + current }
}

/// What a record stores after its header and full key.
struct Payload {
    /// Inline: the value. Blob: the ``BlobID`` of the file holding it.
    let bytes: UnsafeRawBufferPointer
    /// The value's size in bytes.
    let valueSize: Int
    /// For a blob: XXH3-64 of the file's content (seed 0). Nil for an inline value.
    let blobHash: UInt64?

    static func inline(_ value: UnsafeRawBufferPointer) -> Payload {
        Payload(bytes: value, valueSize: value.count, blobHash: nil)
    }
}

/// The record-level operations of the engine, inside a transaction: they keep the entries, the
/// expiry index, the eviction order and the totals consistent with each other.
struct EntryStore: Sendable {
    /// Bytes counted per entry beyond its key and value (header and index rows).
    static let entryOverhead = 64

    let schema: Schema
    let policy: EvictionPolicy

    /// The record stored for `key`, if it belongs to it (a long key's full key must match).
    /// The view points into the map: copy what you need before the next change.
    @inline(__always)
    func record(
        _ txn: borrowing Transaction, storageKey: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer, isLong: Bool
    ) throws -> RecordView? {
        try txn.withValue(forKey: storageKey, in: schema.entries) { raw -> RecordView? in
            guard let view = RecordView(raw), view.belongs(to: key, isLong: isLong) else { return nil }
            return view
        } ?? nil
    }

    /// The volume an entry counts for.
    @inline(__always)
    static func volume(keyLength: Int, valueSize: Int) -> Int64 {
        Int64(keyLength + valueSize + entryOverhead)
    }

    /// The volume of a stored entry.
    @inline(__always)
    static func volume(of header: RecordHeader, storageKeyLength: Int) -> Int64 {
        let keyLength = header.hasLongKey ? Int(header.keyLength) : storageKeyLength
        return volume(keyLength: keyLength, valueSize: Int(header.valueSize))
    }

    /// Stores a value under `key`, replacing `old` (the header of the record there now, if any).
    func write(
        _ txn: borrowing Transaction, key: UnsafeRawBufferPointer, storageKey: UnsafeRawBufferPointer, isLong: Bool,
        payload: Payload, expiresAt: Int64, replacing old: RecordHeader?, state: inout BatchState
    ) throws {
        // S3-FIFO: a rewrite stays in its queue and counts as a read; a new key enters the small
        // queue, or the main one when the ghost list remembers it.
        var placement = QueuePlacement.small
        if policy == .s3FIFO {
            if let old {
                let current = try currentRank(txn, storageKey: storageKey, header: old)
                placement = current.rank >= Rank.mainQueue ? .main : .small
                placement.frequency = min(current.frequency + 1, Rank.maximumFrequency)
            } else if try forgetGhost(txn, storageKey: storageKey) {
                placement = .main
            }
        }
        if let old { try unindex(txn, storageKey: storageKey, header: old, state: &state) }
        state.meta.sequence += 1
        let value = payload.bytes
        var flags = isLong ? RecordHeader.longKeyFlag : 0
        if payload.blobHash != nil { flags |= RecordHeader.blobFlag }
        let rank =
            placement.isMain
            ? Rank.mainQueue | state.meta.sequence
            : Rank.forWrite(sequence: state.meta.sequence, policy: policy, age: state.meta.age)
        var header = RecordHeader(
            flags: flags, keyLength: isLong ? UInt32(key.count) : 0,
            valueSize: UInt64(payload.valueSize), storedAt: state.now, expiresAt: expiresAt,
            rank: rank)
        if let blobHash = payload.blobHash {
            header.checksum = blobHash ^ header.headerMix
            state.meta.blobCount += 1
            state.meta.blobBytes += Int64(payload.valueSize)
        } else {
            header.checksum = header.computeChecksum(value: value)
        }
        let keyBytes = isLong ? key.count : 0
        try txn.put(reservingCount: RecordHeader.size + keyBytes + value.count, forKey: storageKey, in: schema.entries)
        {
            buffer in
            header.write(to: buffer)
            if isLong {
                UnsafeMutableRawBufferPointer(rebasing: buffer[RecordHeader.size..<(RecordHeader.size + keyBytes)])
                    .copyMemory(from: key)
            }
            UnsafeMutableRawBufferPointer(rebasing: buffer[(RecordHeader.size + keyBytes)...]).copyMemory(from: value)
        }
        try index(txn, storageKey: storageKey, header: header, state: &state)
        let volume = EntryStore.volume(keyLength: key.count, valueSize: payload.valueSize)
        state.meta.count += 1
        state.meta.volume += volume
        if policy == .s3FIFO {
            state.writtenSequences.insert(state.meta.sequence)
            if !placement.isMain {
                state.meta.smallCount += 1
                state.meta.smallVolume += volume
            }
            if placement.frequency > 0 {
                try storeRank(txn, storageKey: storageKey, rank: rank, frequency: placement.frequency)
            }
        }
        state.metaChanged = true
        state.changed = true
    }

    /// Where ``write(_:key:storageKey:isLong:payload:expiresAt:replacing:state:)`` puts an entry
    /// under S3-FIFO, and the read bits it starts with.
    struct QueuePlacement {
        var isMain: Bool
        var frequency: UInt32 = 0
        static let small = QueuePlacement(isMain: false)
        static let main = QueuePlacement(isMain: true)
    }

    /// Rewrites the header of an existing record in place (an expiry change), keeping the value
    /// and updating the expiry index and the checksum. The eviction rank is not the header's to
    /// change: see ``rerank(_:storageKey:header:to:frequency:)``.
    func rewriteHeader(
        _ txn: borrowing Transaction, storageKey: UnsafeRawBufferPointer, from old: RecordHeader, to new: RecordHeader
    ) throws {
        var updated = new
        updated.rank = old.rank
        updated.checksum = old.checksum ^ old.headerMix ^ new.headerMix
        let record = try txn.value(forKey: storageKey, in: schema.entries) ?? []
        guard record.count >= RecordHeader.size else { return }
        try txn.put(reservingCount: record.count, forKey: storageKey, in: schema.entries) { buffer in
            record.withUnsafeBytes { buffer.copyMemory(from: $0) }
            updated.write(to: buffer)
        }
        if old.expiresAt != new.expiresAt {
            if old.expiresAt != 0 {
                _ = try IndexKey.with(UInt64(old.expiresAt), storageKey) {
                    try txn.delete(forKey: $0, in: schema.expiry)
                }
            }
            if new.expiresAt != 0 {
                try IndexKey.with(UInt64(new.expiresAt), storageKey) {
                    try txn.put([UInt8](), forKey: $0, in: schema.expiry)
                }
            }
        }
    }

    /// True when reads move entries in the order (least recently and least frequently used), so
    /// ranks can live in the side table.
    var tracksReads: Bool { policy == .leastRecentlyUsed || policy == .leastFrequentlyUsed || policy == .s3FIFO }

    /// True when side-table rows keep a read count after the rank (12 bytes, not 8).
    var keepsFrequency: Bool { policy == .leastFrequentlyUsed || policy == .s3FIFO }

    /// The current eviction rank of the record under `storageKey` whose header is `header`: its
    /// row in the side table of ranks, or the rank it was written with. With least frequently
    /// used the row also keeps the entry's hit count (1 for an entry not read since its write);
    /// with S3-FIFO, its read bits (0 for an entry not read since it entered its queue).
    func currentRank(
        _ txn: borrowing Transaction, storageKey: UnsafeRawBufferPointer, header: RecordHeader
    ) throws -> (rank: UInt64, frequency: UInt32, inSideTable: Bool) {
        let unread: UInt32 = policy == .s3FIFO ? 0 : 1
        guard tracksReads else { return (header.rank, unread, false) }
        let stored = try txn.withValue(forKey: storageKey, in: schema.ranks) { bytes -> (UInt64, UInt32)? in
            guard bytes.count >= 8 else { return nil }
            let rank = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
            let frequency =
                bytes.count >= 12
                ? UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt32.self)) : unread
            return (rank, frequency)
        }
        if let stored, let (rank, frequency) = stored { return (rank, frequency, true) }
        return (header.rank, unread, false)
    }

    /// Moves the record under `storageKey` to `rank` in the eviction order, keeping `frequency`
    /// with it: two order rows and the side table change; the record itself is not rewritten.
    func rerank(
        _ txn: borrowing Transaction, storageKey: UnsafeRawBufferPointer, header: RecordHeader, to rank: UInt64,
        frequency: UInt32
    ) throws {
        let old = try currentRank(txn, storageKey: storageKey, header: header).rank
        if old != rank {
            _ = try IndexKey.with(old, storageKey) { try txn.delete(forKey: $0, in: schema.order) }
            try IndexKey.with(rank, storageKey) { try txn.put([UInt8](), forKey: $0, in: schema.order) }
        }
        try storeRank(txn, storageKey: storageKey, rank: rank, frequency: frequency)
    }

    /// Writes the side-table row of the record under `storageKey` (its order row is the caller's).
    func storeRank(_ txn: borrowing Transaction, storageKey: UnsafeRawBufferPointer, rank: UInt64, frequency: UInt32)
        throws
    {
        var row = (rank.littleEndian, frequency.littleEndian)
        let count = keepsFrequency ? 12 : 8
        try withUnsafeBytes(of: &row) { bytes in
            try txn.put(UnsafeRawBufferPointer(rebasing: bytes[0..<count]), forKey: storageKey, in: schema.ranks)
        }
    }

    /// Deletes the record under `storageKey` whose header is `header`, with its index rows.
    func remove(
        _ txn: borrowing Transaction, storageKey: UnsafeRawBufferPointer, header: RecordHeader, state: inout BatchState
    ) throws {
        try unindex(txn, storageKey: storageKey, header: header, state: &state)
        try txn.delete(forKey: storageKey, in: schema.entries)
    }

    /// Takes a record that does not parse out of the totals before it is overwritten: one entry,
    /// and a volume estimated from its size as if it were an inline value (``DiskCache/check(repair:orphanGrace:)``
    /// recounts exactly).
    func forgetForeign(
        _ txn: borrowing Transaction, storageKey: UnsafeRawBufferPointer, recordSize: Int, state: inout BatchState
    ) throws {
        if tracksReads { _ = try txn.delete(forKey: storageKey, in: schema.ranks) }
        let estimate = Int64(storageKey.count + max(0, recordSize - RecordHeader.size) + EntryStore.entryOverhead)
        state.meta.count = max(0, state.meta.count - 1)
        state.meta.volume = max(0, state.meta.volume - estimate)
        state.metaChanged = true
        state.changed = true
    }

    /// Adds the index rows of a record.
    private func index(
        _ txn: borrowing Transaction, storageKey: UnsafeRawBufferPointer, header: RecordHeader,
        state: inout BatchState
    ) throws {
        if header.expiresAt != 0 {
            state.expiryFloor = min(state.expiryFloor, header.expiresAt)
            try IndexKey.with(UInt64(header.expiresAt), storageKey) {
                try txn.put([UInt8](), forKey: $0, in: schema.expiry)
            }
        }
        if policy != .none {
            try IndexKey.with(header.rank, storageKey) { row in
                guard ranksAscend else {
                    return try txn.put(UnsafeRawBufferPointer(start: nil, count: 0), forKey: row, in: schema.order)
                }
                // The rank of a write is the newest sequence: its row goes after every other, and
                // an append skips the search. Should a row sort after it (a damaged order),
                // LMDB refuses the append and the row goes in by search.
                do {
                    try txn.put(
                        UnsafeRawBufferPointer(start: nil, count: 0), forKey: row, in: schema.order, flags: .append)
                } catch let error as LMDBError where error.code == .keyExists {
                    try txn.put(UnsafeRawBufferPointer(start: nil, count: 0), forKey: row, in: schema.order)
                }
            }
        }
    }

    /// True when every write ranks after every row of the order (least recently stored and
    /// least recently used: a rank is the sequence, and both writes and moves take a new one).
    private var ranksAscend: Bool { policy == .leastRecentlyStored || policy == .leastRecentlyUsed }

    /// Removes the index rows of a record and takes it out of the totals.
    private func unindex(
        _ txn: borrowing Transaction, storageKey: UnsafeRawBufferPointer, header: RecordHeader, state: inout BatchState
    ) throws {
        if header.isBlob {
            let id = try txn.withValue(forKey: storageKey, in: schema.entries) { RecordView($0)?.blobID } ?? nil
            if let id { state.blobsToRemove.append(id) }
            state.meta.blobCount -= 1
            state.meta.blobBytes -= Int64(header.valueSize)
        }
        if header.expiresAt != 0 {
            _ = try IndexKey.with(UInt64(header.expiresAt), storageKey) {
                try txn.delete(forKey: $0, in: schema.expiry)
            }
        }
        let volume = EntryStore.volume(of: header, storageKeyLength: storageKey.count)
        if policy != .none {
            let (rank, _, inSideTable) = try currentRank(txn, storageKey: storageKey, header: header)
            _ = try IndexKey.with(rank, storageKey) { try txn.delete(forKey: $0, in: schema.order) }
            if inSideTable { _ = try txn.delete(forKey: storageKey, in: schema.ranks) }
            if policy == .s3FIFO && rank < Rank.mainQueue {
                state.meta.smallCount -= 1
                state.meta.smallVolume -= volume
            }
        }
        state.meta.count -= 1
        state.meta.volume -= volume
        state.metaChanged = true
        state.changed = true
    }
}
