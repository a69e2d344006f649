import Foundation

/// Turns typed values into stored bytes and back, directed by the requested type.
///
/// Fast paths: `[UInt8]` and `Data` are stored as they are, `String` as UTF-8, fixed-width
/// integers as ASCII decimal (so that a backend's `increment` works on them, as in Redis), `Bool`
/// as `1`/`0`. Everything else is structured: a compact binary form by default (about 2× faster
/// than JSON here, see `Benchmarks/RESULTS.md`), or JSON. Reading accepts both structured forms
/// whatever the current choice. Reading a value as another type than it was written is a typed
/// error, never a crash.
///
/// The ``Cache`` front uses it (through ``StandardCodec``) for backends that store bytes; custom
/// backends and tools may use it to read and write the same forms.
public enum ValueCodec {
    /// How values other than bytes, strings, integers and booleans are stored.
    public enum StructuredForm: String, Sendable, Hashable, CaseIterable {
        /// The compact binary form (tagged items, varints): the default, for speed and size.
        case binary
        /// JSON (Foundation's `JSONEncoder`): readable by other tools.
        case json
    }

    /// The stored form of `value` (`key` only names it in errors).
    public static func encode<T: Encodable>(_ value: T, key: String, form: StructuredForm = .binary) throws
        -> [UInt8]
    {
        // By the static type, not by casting the value: an empty array of any element type casts
        // to [UInt8].
        if T.self == [UInt8].self { return value as! [UInt8] }
        if T.self == Data.self { return Array(value as! Data) }
        if T.self == String.self { return Array((value as! String).utf8) }
        if T.self == Bool.self { return (value as! Bool) ? [49] : [48] }
        if let integer = value as? any FixedWidthInteger { return Array(String(describing: integer).utf8) }
        do {
            switch form {
            case .binary: return try BinaryEncoder().encode(value)
            case .json: return Array(try JSONEncoder().encode(value))
            }
        } catch {
            throw CashewsError.encodingFailed(key: key, type: "\(T.self)", reason: "\(error)")
        }
    }

    /// `bytes` read as `T`.
    ///
    /// - Throws: ``CashewsError/decodingFailed(key:type:reason:)`` when they are not a `T`.
    public static func decode<T: Decodable>(_ bytes: [UInt8], as type: T.Type, key: String) throws -> T {
        if T.self == [UInt8].self { return bytes as! T }
        if T.self == Data.self { return Data(bytes) as! T }
        if T.self == String.self {
            guard let string = String(validating: bytes, as: UTF8.self) else {
                throw CashewsError.decodingFailed(key: key, type: "String", reason: "the bytes are not UTF-8")
            }
            return string as! T
        }
        if T.self == Bool.self {
            switch bytes {
            case [49]: return true as! T
            case [48]: return false as! T
            default: throw CashewsError.decodingFailed(key: key, type: "Bool", reason: "expected 1 or 0")
            }
        }
        if let integer = T.self as? any FixedWidthInteger.Type {
            let text = String(decoding: bytes, as: UTF8.self)
            guard let value = integer.init(text, radix: 10) else {
                throw CashewsError.decodingFailed(
                    key: key, type: "\(T.self)", reason: "\"\(text.prefix(40))\" is not an integer in range")
            }
            return value as! T
        }
        do {
            if bytes.first == BinaryFormat.magic { return try BinaryDecoder().decode(T.self, from: bytes) }
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch {
            throw CashewsError.decodingFailed(key: key, type: "\(T.self)", reason: "\(error)")
        }
    }

    /// A typed value kept by a memory backend, read as `T`: the same object, or a number of
    /// another width, or bytes decoded as above.
    @inlinable
    static func cast<T: Decodable>(_ object: any Sendable & Encodable, as type: T.Type, key: String) throws -> T {
        if let value = object as? T { return value }
        // Another type than was stored: read it as a disk backend would read the same value,
        // from the bytes it would hold (so every backend answers alike).
        do {
            return try decode(try encode(object, key: key), as: type, key: key)
        } catch {
            throw CashewsError.typeMismatch(key: key, expected: "\(T.self)", found: "\(Swift.type(of: object))")
        }
    }

    /// The bytes of a stored value, for the commands that work on bytes (increment, bits, …).
    package static func bytes(of value: CacheValue) -> [UInt8]? {
        switch value {
        case .bytes(let bytes): return bytes
        case .object(let object): return try? encode(object, key: "")
        }
    }

    /// An estimate of the memory a value takes, for the memory backend's byte bound.
    static func estimatedSize(of value: CacheValue) -> Int {
        switch value {
        case .bytes(let bytes): return bytes.count
        case .object(let object):
            switch object {
            case let bytes as [UInt8]: return bytes.count
            case let string as String: return string.utf8.count
            case let data as Data: return data.count
            case is Bool: return 1
            case let integer as any FixedWidthInteger: return String(describing: integer).utf8.count
            default: return MemoryLayout.size(ofValue: object)
            }
        }
    }
}
