// Small helpers for test data, shared by the test targets and the worker processes.

/// The UTF-8 bytes of a string.
public func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// The string a byte array spells (nil stays nil).
public func text(_ bytes: [UInt8]?) -> String? { bytes.map { String(decoding: $0, as: UTF8.self) } }

/// A small deterministic random generator (SplitMix64), for reproducible test data in tests and
/// in the worker processes alike.
public struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    /// A generator starting from `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
