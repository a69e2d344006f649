/// Writes "key-%010u"-style keys into a reused buffer, as the C anchor does with snprintf.
struct KeyFormatter {
    private(set) var bytes: [UInt8]
    private let prefixCount: Int

    init(prefix: String) {
        bytes = Array(prefix.utf8) + [UInt8](repeating: 48, count: 10)
        prefixCount = prefix.utf8.count
    }

    /// Sets the digits to `number`, zero-padded to ten places.
    mutating func set(_ number: UInt32) {
        var n = number
        bytes.withUnsafeMutableBufferPointer { buffer in
            var i = prefixCount + 9
            while i >= prefixCount {
                buffer[i] = UInt8(48 + n % 10)
                n /= 10
                i -= 1
            }
        }
    }

    /// The key as a String (for APIs that take strings).
    var string: String { String(decoding: bytes, as: UTF8.self) }
}

/// The same xorshift generator as the C anchor, so both read the same key sequence.
struct XorShift {
    private var state: UInt64 = 88_172_645_463_325_252

    mutating func next() -> UInt32 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return UInt32(truncatingIfNeeded: state)
    }
}
