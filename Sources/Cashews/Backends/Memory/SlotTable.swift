#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The index of a memory shard: an open-addressing hash table (linear probing, backward-shift
/// deletion, no tombstones) from a key's UTF-8 bytes to its node's slot.
///
/// A bucket is one word: the low 32 bits of the key's hash over the slot + 1 (0: empty). It
/// holds no key: a probe compares the hash bits first and the node's key only when they agree,
/// so a hit reads one bucket and the node, where a `Dictionary` of keys to slots reads its key
/// and its value arrays before the node (and a bucket takes 8 bytes instead of 20).
struct SlotTable {
    private var buckets: [UInt64] = []
    /// The keys it holds.
    private(set) var count = 0
    private var mask = 0

    /// The hash of `key`'s UTF-8 bytes (seeded per process, as `Hasher` is).
    @inline(__always)
    static func hash(_ key: String) -> UInt32 {
        var hasher = Hasher()
        var key = key
        key.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        return UInt32(truncatingIfNeeded: hasher.finalize())
    }

    @inline(__always)
    private static func bucket(hash: UInt32, slot: Int32) -> UInt64 {
        UInt64(hash) << 32 | UInt64(UInt32(bitPattern: slot &+ 1))
    }

    @inline(__always)
    private static func slot(of bucket: UInt64) -> Int32 { Int32(bitPattern: UInt32(truncatingIfNeeded: bucket)) &- 1 }

    @inline(__always)
    private func home(of bucket: UInt64) -> Int { Int(bucket >> 32) & mask }

    /// The slot of the key of `hash` for which `matches` is true, if any.
    @inline(__always)
    func find(hash: UInt32, _ matches: (Int32) -> Bool) -> Int32? {
        guard count > 0 else { return nil }
        return buckets.withUnsafeBufferPointer { buckets in
            var position = Int(hash) & mask
            while true {
                let bucket = buckets[position]
                if bucket == 0 { return nil }
                if UInt32(truncatingIfNeeded: bucket >> 32) == hash, matches(Self.slot(of: bucket)) {
                    return Self.slot(of: bucket)
                }
                position = (position + 1) & mask
            }
        }
    }

    /// Adds `slot` under `hash` (its key must not be in the table).
    mutating func insert(_ slot: Int32, hash: UInt32) {
        // At most 3/4 full, so that probes stay short.
        if (count + 1) * 4 > buckets.count * 3 { grow() }
        place(Self.bucket(hash: hash, slot: slot))
        count += 1
    }

    private mutating func place(_ bucket: UInt64) {
        var position = home(of: bucket)
        while buckets[position] != 0 { position = (position + 1) & mask }
        buckets[position] = bucket
    }

    private mutating func grow() {
        let old = buckets
        buckets = [UInt64](repeating: 0, count: max(16, old.count * 2))
        mask = buckets.count - 1
        for bucket in old where bucket != 0 { place(bucket) }
    }

    /// Removes `slot`, stored under `hash`; false when it is not there.
    @discardableResult
    mutating func remove(_ slot: Int32, hash: UInt32) -> Bool {
        guard count > 0 else { return false }
        let wanted = Self.bucket(hash: hash, slot: slot)
        var hole = Int(hash) & mask
        while buckets[hole] != wanted {
            if buckets[hole] == 0 { return false }
            hole = (hole + 1) & mask
        }
        // Backward shift: move each later bucket of the run whose home is not after the hole.
        var position = (hole + 1) & mask
        while buckets[position] != 0 {
            let home = home(of: buckets[position])
            if (position - home) & mask >= (position - hole) & mask {
                buckets[hole] = buckets[position]
                hole = position
            }
            position = (position + 1) & mask
        }
        buckets[hole] = 0
        count -= 1
        return true
    }

    /// Every slot it holds, in no particular order.
    var slots: [Int32] {
        var slots: [Int32] = []
        slots.reserveCapacity(count)
        for bucket in buckets where bucket != 0 { slots.append(Self.slot(of: bucket)) }
        return slots
    }

    /// True when the UTF-8 bytes of `a` and `b` are the same (keys are compared by bytes, as on
    /// disk: Swift's `String` equality would make "café" composed and decomposed one key).
    @inline(__always)
    static func sameBytes(_ a: String, _ b: String) -> Bool {
        // The same representation (the same storage, or the same small string, which a hit's
        // key and the stored key of up to 15 bytes are) is the same bytes: no comparison.
        if unsafeBitCast(a, to: (UInt64, UInt64).self) == unsafeBitCast(b, to: (UInt64, UInt64).self) { return true }
        var a = a
        var b = b
        return a.withUTF8 { a in
            b.withUTF8 { b in
                a.count == b.count && (a.isEmpty || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0)
            }
        }
    }
}
