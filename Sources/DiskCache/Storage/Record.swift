/// The stored form of an entry: a fixed 48-byte header, the full key (long keys only), then the
/// value (or, for a blob, the blob's file reference).
///
/// ```
/// offset size field
///      0    1 format version (1)
///      1    1 flags: bit 0 blob, bit 1 long key
///      2    2 reserved (0)
///      4    4 full key length (long keys only, else 0)
///      8    8 value size in bytes
///     16    8 stored at, ms since the epoch
///     24    8 expires at, ms since the epoch (0 = never)
///     32    8 eviction rank (position in the eviction order)
///     40    8 checksum
///     48    … full key (long keys), then the value bytes
/// ```
/// All integers are little-endian. The checksum is XXH3-64 of the value (seeded with its size)
/// XOR a mix of the header fields (``RecordHeader/headerMix``), so that a change of expiry can
/// update the checksum without hashing the value again, and the eviction rank can change without
/// touching it.
struct RecordHeader: Equatable {
    static let size = 48
    static let version: UInt8 = 1
    static let blobFlag: UInt8 = 1
    static let longKeyFlag: UInt8 = 2

    var flags: UInt8
    var keyLength: UInt32
    var valueSize: UInt64
    var storedAt: Int64
    var expiresAt: Int64
    var rank: UInt64
    var checksum: UInt64

    var isBlob: Bool { flags & RecordHeader.blobFlag != 0 }
    var hasLongKey: Bool { flags & RecordHeader.longKeyFlag != 0 }

    /// True when the entry has expired at `now` (an entry expires at its deadline exactly).
    @inline(__always)
    func isExpired(at now: Int64) -> Bool { expiresAt != 0 && expiresAt <= now }

    /// ``isExpired(at:)``, reading the clock only for an entry that has a deadline (a read of an
    /// entry that never expires pays no clock call).
    @inline(__always)
    func isExpired(atNow now: @autoclosure () -> Int64) -> Bool { expiresAt != 0 && expiresAt <= now() }

    /// The largest value size a header may claim (1 PiB): anything larger is damage, and would
    /// not fit the arithmetic of volumes.
    static let maximumValueSize: UInt64 = 1 << 50

    /// Parses the header at the start of `record`; nil when it is not a valid header: another
    /// version, unknown flags, reserved bytes set, a negative expiry or an impossible value size.
    /// A header that passes can be used in arithmetic (volumes, index keys) without trapping,
    /// even before its checksum is verified.
    @inline(__always)
    init?(_ record: UnsafeRawBufferPointer) {
        guard record.count >= RecordHeader.size, record[0] == RecordHeader.version,
            record[1] & ~(RecordHeader.blobFlag | RecordHeader.longKeyFlag) == 0, record[2] == 0, record[3] == 0
        else { return nil }
        flags = record[1]
        keyLength = UInt32(littleEndian: record.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        valueSize = UInt64(littleEndian: record.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        storedAt = Int64(littleEndian: record.loadUnaligned(fromByteOffset: 16, as: Int64.self))
        expiresAt = Int64(littleEndian: record.loadUnaligned(fromByteOffset: 24, as: Int64.self))
        rank = UInt64(littleEndian: record.loadUnaligned(fromByteOffset: 32, as: UInt64.self))
        checksum = UInt64(littleEndian: record.loadUnaligned(fromByteOffset: 40, as: UInt64.self))
        guard expiresAt >= 0, valueSize <= RecordHeader.maximumValueSize else { return nil }
    }

    init(flags: UInt8, keyLength: UInt32, valueSize: UInt64, storedAt: Int64, expiresAt: Int64, rank: UInt64) {
        self.flags = flags
        self.keyLength = keyLength
        self.valueSize = valueSize
        self.storedAt = storedAt
        self.expiresAt = expiresAt
        self.rank = rank
        self.checksum = 0
    }

    /// Writes the header into the first 48 bytes of `buffer`.
    func write(to buffer: UnsafeMutableRawBufferPointer) {
        buffer[0] = RecordHeader.version
        buffer[1] = flags
        buffer.storeBytes(of: 0, toByteOffset: 2, as: UInt16.self)
        buffer.storeBytes(of: keyLength.littleEndian, toByteOffset: 4, as: UInt32.self)
        buffer.storeBytes(of: valueSize.littleEndian, toByteOffset: 8, as: UInt64.self)
        buffer.storeBytes(of: storedAt.littleEndian, toByteOffset: 16, as: Int64.self)
        buffer.storeBytes(of: expiresAt.littleEndian, toByteOffset: 24, as: Int64.self)
        buffer.storeBytes(of: rank.littleEndian, toByteOffset: 32, as: UInt64.self)
        buffer.storeBytes(of: checksum.littleEndian, toByteOffset: 40, as: UInt64.self)
    }

    /// A mix of the header fields the checksum covers (all but the rank and the checksum): each
    /// field is multiplied by its own odd constant (a bijection), so a change to any one field
    /// changes the mix.
    @inline(__always)
    var headerMix: UInt64 {
        (UInt64(flags) &* 0x9E37_79B9_7F4A_7C15) ^ (UInt64(keyLength) &* 0xC2B2_AE3D_27D4_EB4F)
            ^ (valueSize &* 0x1656_67B1_9E37_79F9) ^ (UInt64(bitPattern: storedAt) &* 0x85EB_CA77_C2B2_AE63)
            ^ (UInt64(bitPattern: expiresAt) &* 0x27D4_EB2F_1656_67C5) ^ (UInt64(RecordHeader.version) << 56)
    }

    /// The checksum of a record with this header and `value` (for a blob: its reference bytes).
    @inline(__always)
    func computeChecksum(value: UnsafeRawBufferPointer) -> UInt64 {
        Hash.checksum(value, seed: UInt64(value.count)) ^ headerMix
    }
}

/// A stored record viewed in place: header, full key and value bytes.
struct RecordView {
    let header: RecordHeader
    /// The full key bytes (long keys only; empty otherwise).
    let fullKey: UnsafeRawBufferPointer
    /// The value bytes (for a blob: its reference).
    let payload: UnsafeRawBufferPointer

    /// Parses `record`; nil when the header or the lengths are not valid.
    @inline(__always)
    init?(_ record: UnsafeRawBufferPointer) {
        guard let header = RecordHeader(record) else { return nil }
        let keyEnd = RecordHeader.size + Int(header.keyLength)
        guard keyEnd <= record.count else { return nil }
        let payload = UnsafeRawBufferPointer(rebasing: record[keyEnd...])
        // Inline: the payload is the value. Blob: the payload is the file's id.
        guard header.isBlob ? payload.count == BlobID.size : UInt64(payload.count) == header.valueSize else {
            return nil
        }
        self.header = header
        self.fullKey = UnsafeRawBufferPointer(rebasing: record[RecordHeader.size..<keyEnd])
        self.payload = payload
    }

    /// True when the stored checksum matches the bytes (inline values). A blob's content is
    /// checked when its file is read (``isIntact(blobHash:)``).
    @inline(__always)
    var isIntact: Bool { !header.isBlob && header.computeChecksum(value: payload) == header.checksum }

    /// True when a blob file whose content hashes to `blobHash` belongs to this record.
    func isIntact(blobHash: UInt64) -> Bool { header.isBlob && blobHash ^ header.headerMix == header.checksum }

    /// True when the record passes the checks a read can make without opening a blob file: the
    /// checksum of an inline value (a blob's content is checked when it is read).
    @inline(__always)
    var passesQuickCheck: Bool { header.isBlob || isIntact }

    /// The blob file's id, for a blob record.
    var blobID: BlobID? { header.isBlob ? BlobID(payload) : nil }

    /// True when this record belongs to `key` (long keys compare the full key kept in it).
    @inline(__always)
    func belongs(to key: UnsafeRawBufferPointer, isLong: Bool) -> Bool {
        guard isLong else { return !header.hasLongKey }
        return header.hasLongKey && fullKey.elementsEqual(key)
    }
}
