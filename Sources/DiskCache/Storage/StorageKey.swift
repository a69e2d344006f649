/// How a user's key becomes an LMDB key (LMDB keys are at most 511 bytes; users' keys have no
/// limit).
///
/// - A key of up to ``maxInlineLength`` UTF-8 bytes is stored as it is.
/// - A longer key is stored as its first ``prefixLength`` bytes followed by a 16-byte XXH3-128
///   digest of the whole key: ``longLength`` bytes in all. The full key is kept in the record and
///   compared on every read, so a digest collision can never return another key's value.
///
/// Because long keys start with their real prefix, a prefix scan (`keys(matching: "user:*")`)
/// finds them too. A short key can never equal a long key's form: their lengths differ.
enum StorageKey {
    static let maxInlineLength = 479
    static let prefixLength = 480
    static let longLength = 496

    /// Calls `body` with the LMDB key of `key` and whether it is a long (digested) key.
    @inline(__always)
    static func withEncoded<R>(
        _ key: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer, Bool) throws -> R
    ) rethrows -> R {
        if key.count <= maxInlineLength { return try body(key, false) }
        return try withUnsafeTemporaryAllocation(byteCount: longLength, alignment: 8) { buffer in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: key[0..<prefixLength]))
            let (high, low) = Hash.digest(key)
            buffer.storeBytes(of: high.bigEndian, toByteOffset: prefixLength, as: UInt64.self)
            buffer.storeBytes(of: low.bigEndian, toByteOffset: prefixLength + 8, as: UInt64.self)
            return try body(UnsafeRawBufferPointer(buffer), true)
        }
    }
}

extension String {
    /// Calls `body` with the string's UTF-8 bytes, without copying when the string is native
    /// (nor retaining it: the contiguous view borrows the string; a bridged one is copied).
    @inline(__always)
    func withUTF8Bytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        if let result = try utf8.withContiguousStorageIfAvailable({ try body(UnsafeRawBufferPointer($0)) }) {
            return result
        }
        var copy = self
        return try copy.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
    }
}
