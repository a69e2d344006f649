import LMDB

/// The named LMDB databases of a cache directory and the metadata record.
///
/// - `entries`: storage key → record (``RecordHeader`` + full key + value).
/// - `expiry`: expiry index, `[expiresAt: 8 bytes big-endian][storage key]` → empty. Sorted by
///   time, so a sweep reads only what has expired.
/// - `order`: eviction order, `[rank: 8 bytes big-endian][storage key]` → empty (absent with
///   ``EvictionPolicy/none``).
/// - `ranks`: storage key → the entry's current rank (8 bytes little-endian), for entries whose
///   rank changed after they were written (least recently and least frequently used: a read
///   folded into the order). The record keeps the rank it was written with, so moving an entry
///   in the order rewrites two index rows and this one, never the value.
/// - `meta`: `format` (schema version and policy) and `state` (``MetaState``).
/// - `ghosts` and `ghost-order` (``EvictionPolicy/s3FIFO`` only): keys that left the small queue
///   unread, as 8-byte fingerprints of their storage keys: fingerprint → sequence, and
///   `[sequence: 8 bytes big-endian]` → fingerprint, the order in which they are forgotten.
struct Schema: Sendable {
    static let format = "swift-cashews.disk-cache/1"

    let entries: Database
    let expiry: Database
    let order: Database
    let ranks: Database
    let meta: Database
    /// The ghost list of ``EvictionPolicy/s3FIFO`` (nil with the other policies).
    let ghosts: Database?
    let ghostOrder: Database?

    static let formatKey = Array("format".utf8)
    static let stateKey = Array("state".utf8)

    init(environment: Environment, policy: EvictionPolicy) throws {
        // One transaction for all of them (an open of an existing cache: one read transaction).
        var names = ["entries", "expiry", "order", "ranks", "meta"]
        if policy == .s3FIFO { names += ["ghosts", "ghost-order"] }
        let opened = try environment.databases(named: names, flags: .create)
        (entries, expiry, order, ranks, meta) = (opened[0], opened[1], opened[2], opened[3], opened[4])
        (ghosts, ghostOrder) = policy == .s3FIFO ? (opened[5], opened[6]) : (nil, nil)
    }

    /// The format line stored for a cache with `policy`. Least frequently used says which rank
    /// layout it keeps (see ``Rank``): caches written before aging are migrated when they open.
    static func formatLine(policy: EvictionPolicy) -> String {
        policy == .leastFrequentlyUsed
            ? legacyFormatLine(policy: policy) + " ranks=aging" : legacyFormatLine(policy: policy)
    }

    /// The format line of caches written before the least-frequently-used ranks aged.
    static func legacyFormatLine(policy: EvictionPolicy) -> String {
        "\(format) policy=\(policy.rawValue)"
    }
}

/// The exact totals kept in the `meta` database and updated in the same write transaction as
/// every change, so every process reads the same numbers without a scan.
struct MetaState: Equatable {
    static let size = 64
    /// The size of the state record before the LFU age was added (read as age 0).
    static let minimumSize = 40
    /// The size of the state record before the small queue's totals were added (read as 0).
    static let sizeWithAge = 48

    /// Live entries (expired entries count until they are swept or overwritten).
    var count: Int64 = 0
    /// Sum of the entries' volumes (see ``DiskCache/volume``).
    var volume: Int64 = 0
    /// The last eviction rank handed out.
    var sequence: UInt64 = 0
    /// Entries whose value lives in a blob file.
    var blobCount: Int64 = 0
    /// Bytes of blob files.
    var blobBytes: Int64 = 0
    /// The least-frequently-used policy's age: the priority of the last entry it evicted (see
    /// ``Rank``).
    var age: UInt64 = 0
    /// ``EvictionPolicy/s3FIFO``: the entries in the small queue, and their volume.
    var smallCount: Int64 = 0
    var smallVolume: Int64 = 0

    init() {}

    init?(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= MetaState.minimumSize else { return nil }
        count = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: Int64.self))
        volume = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: Int64.self))
        sequence = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
        blobCount = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 24, as: Int64.self))
        blobBytes = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 32, as: Int64.self))
        if bytes.count >= MetaState.sizeWithAge {
            age = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 40, as: UInt64.self))
        }
        if bytes.count >= MetaState.size {
            smallCount = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 48, as: Int64.self))
            smallVolume = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 56, as: Int64.self))
        }
    }

    var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: MetaState.size)
        out.withUnsafeMutableBytes { write(to: $0) }
        return out
    }

    /// Writes the stored form into `buffer` (``size`` bytes).
    func write(to buffer: UnsafeMutableRawBufferPointer) {
        buffer.storeBytes(of: count.littleEndian, toByteOffset: 0, as: Int64.self)
        buffer.storeBytes(of: volume.littleEndian, toByteOffset: 8, as: Int64.self)
        buffer.storeBytes(of: sequence.littleEndian, toByteOffset: 16, as: UInt64.self)
        buffer.storeBytes(of: blobCount.littleEndian, toByteOffset: 24, as: Int64.self)
        buffer.storeBytes(of: blobBytes.littleEndian, toByteOffset: 32, as: Int64.self)
        buffer.storeBytes(of: age.littleEndian, toByteOffset: 40, as: UInt64.self)
        buffer.storeBytes(of: smallCount.littleEndian, toByteOffset: 48, as: Int64.self)
        buffer.storeBytes(of: smallVolume.littleEndian, toByteOffset: 56, as: Int64.self)
    }

    /// Reads the state in `txn` (zeros for a new cache).
    static func load(_ txn: borrowing Transaction, _ schema: Schema) throws -> MetaState {
        let stored = try txn.withValue(forKey: Schema.stateKey, in: schema.meta) { MetaState($0) }
        return (stored ?? nil) ?? MetaState()
    }

    /// Writes the state in `txn`, straight into the page (no array per commit).
    func store(_ txn: borrowing Transaction, _ schema: Schema) throws {
        try Schema.stateKey.withUnsafeBytes { key in
            try txn.put(reservingCount: MetaState.size, forKey: key, in: schema.meta) { write(to: $0) }
        }
    }
}

/// Index keys: an 8-byte big-endian number followed by the storage key.
enum IndexKey {
    @inline(__always)
    static func with<R>(
        _ number: UInt64, _ storageKey: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> R
    ) rethrows -> R {
        try withUnsafeTemporaryAllocation(byteCount: 8 + storageKey.count, alignment: 8) { buffer in
            buffer.storeBytes(of: number.bigEndian, toByteOffset: 0, as: UInt64.self)
            UnsafeMutableRawBufferPointer(rebasing: buffer[8...]).copyMemory(from: storageKey)
            return try body(UnsafeRawBufferPointer(buffer))
        }
    }

    /// The number at the start of an index key.
    @inline(__always)
    static func number(_ key: UnsafeRawBufferPointer) -> UInt64 {
        UInt64(bigEndian: key.loadUnaligned(as: UInt64.self))
    }

    /// The storage key after the number.
    @inline(__always)
    static func storageKey(_ key: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: key[8...])
    }
}
