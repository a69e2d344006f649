import CXXHash

/// Hashes from xxHash (XXH3), a well-kept library: 64-bit checksums of stored values and
/// 128-bit digests of long keys.
enum Hash {
    /// XXH3-64 of `bytes` with `seed`.
    @inline(__always)
    static func checksum(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        cxxhash_xxh3_64(bytes.baseAddress, bytes.count, seed)
    }

    /// XXH3-128 of `bytes`, as 16 bytes.
    static func digest(_ bytes: UnsafeRawBufferPointer) -> (UInt64, UInt64) {
        var high: UInt64 = 0
        var low: UInt64 = 0
        cxxhash_xxh3_128(bytes.baseAddress, bytes.count, &high, &low)
        return (high, low)
    }
}

/// A streaming XXH3-64, for values that arrive (or are read) in chunks.
final class StreamingHash {
    private let state: UnsafeMutableRawPointer

    /// A hash seeded with `seed` (the value's size, as ``Hash/checksum(_:seed:)`` is).
    init(seed: UInt64) {
        guard let state = cxxhash_state_new(seed) else { fatalError("out of memory for a hash state") }
        self.state = state
    }

    deinit { cxxhash_state_free(state) }

    /// Adds `bytes`.
    func update(_ bytes: UnsafeRawBufferPointer) {
        cxxhash_state_update(state, bytes.baseAddress, bytes.count)
    }

    /// The hash of everything added.
    var digest: UInt64 { cxxhash_state_digest(state) }
}
