/// How often keys were seen lately: a count-min sketch of 4-bit counters that ages, for the
/// admission decisions of ``MemoryEvictionPolicy/windowTinyLFU``.
///
/// Each key has one counter in each of four rows (rows share the table: sixteen counters per
/// word); its frequency is the smallest of its four, at most 15. After `sampleSize` increments
/// every counter is halved, so that what was popular long ago fades, and the counters of a
/// large cache never all saturate (a sketch that never ages stops telling keys apart).
struct FrequencySketch {
    private var table: [UInt64]
    private let mask: Int
    private var additions = 0
    /// The increments between two halvings: ten times the capacity, as in TinyLFU.
    let sampleSize: Int

    /// A sketch for a cache of about `capacity` entries.
    init(capacity: Int) {
        var width = 16
        while width < capacity && width < 1 << 26 { width <<= 1 }
        table = [UInt64](repeating: 0, count: width)
        mask = width - 1
        sampleSize = 10 * max(capacity, 16)
    }

    /// The estimated recent frequency of the key of `hash`, 0…15.
    func frequency(_ hash: UInt64) -> Int {
        var minimum: UInt64 = 15
        for row in 0..<4 {
            let (word, shift) = position(hash, row)
            minimum = min(minimum, (table[word] >> shift) & 0xF)
        }
        return Int(minimum)
    }

    /// Counts one more sighting of the key of `hash`.
    mutating func increment(_ hash: UInt64) {
        var added = false
        for row in 0..<4 {
            let (word, shift) = position(hash, row)
            if (table[word] >> shift) & 0xF < 15 {
                table[word] &+= 1 << shift
                added = true
            }
        }
        guard added else { return }
        additions += 1
        if additions >= sampleSize { halve() }
    }

    /// Halves every counter (the aging step).
    private mutating func halve() {
        for index in table.indices { table[index] = (table[index] >> 1) & 0x7777_7777_7777_7777 }
        additions /= 2
    }

    /// The word and bit offset of the key's counter in `row`: the hash remixed per row.
    @inline(__always)
    private func position(_ hash: UInt64, _ row: Int) -> (word: Int, shift: UInt64) {
        var mixed = (hash ^ Self.seeds[row]) &* 0x9E37_79B9_7F4A_7C15
        mixed ^= mixed >> 32
        return (Int(truncatingIfNeeded: mixed >> 4) & mask, (mixed & 0xF) << 2)
    }

    private static let seeds: [UInt64] = [
        0x97CB_3127_1E5A_1F45, 0xB492_B66F_BE98_F273, 0x9AE1_6A3B_2F90_404F, 0xCBF2_9CE4_8422_2325,
    ]
}
