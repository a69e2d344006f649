/// The compact binary form of `Codable` values that ``StandardCodec`` stores by default.
///
/// A value is the byte `FE`, a version byte (`01`), then one item. An item is a tag byte and its
/// payload; lengths and integers are LEB128 varints (signed ones zigzag-encoded):
///
/// | tag | item |
/// |---|---|
/// | `00` | nil |
/// | `01` / `02` | false / true |
/// | `03` | signed integer (zigzag varint) |
/// | `04` | unsigned integer (varint) |
/// | `05` | `Double` (8 bytes, little endian) |
/// | `06` | `Float` (4 bytes, little endian) |
/// | `07` | string (length, UTF-8 bytes) |
/// | `08` | bytes (`Data`, `[UInt8]`: length, bytes) |
/// | `09` | keyed container (count, then count × (key length, key UTF-8, item)) |
/// | `0A` | unkeyed container (count, then count items) |
///
/// The first byte never starts UTF-8 text, so a value cannot be mistaken for JSON (values stored
/// as JSON by earlier versions still read).
enum BinaryFormat {
    static let magic: UInt8 = 0xFE
    static let version: UInt8 = 1
    /// Containers nest at most this deep (damaged or hostile bytes cannot exhaust the stack).
    static let maximumDepth = 256

    enum Tag: UInt8 {
        case null = 0
        case `false` = 1
        case `true` = 2
        case signed = 3
        case unsigned = 4
        case double = 5
        case float = 6
        case string = 7
        case bytes = 8
        case keyed = 9
        case unkeyed = 10
    }

    static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    static func zigzag(_ value: Int64) -> UInt64 { UInt64(bitPattern: (value << 1) ^ (value >> 63)) }
    static func unzigzag(_ value: UInt64) -> Int64 { Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1) }
}

/// Why bytes are not a binary value of the requested type.
struct BinaryFormatError: Error, CustomStringConvertible {
    let description: String
}
