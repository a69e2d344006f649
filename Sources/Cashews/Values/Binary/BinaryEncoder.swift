import Foundation

/// Encodes `Encodable` values in ``BinaryFormat``.
struct BinaryEncoder {
    func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let node = BinaryNode()
        try node.encode(value, parentPath: [])
        var bytes: [UInt8] = [BinaryFormat.magic, BinaryFormat.version]
        bytes.reserveCapacity(64)
        node.write(to: &bytes)
        return bytes
    }
}

/// A value being encoded: a scalar item, or a container filled in by its encoders.
final class BinaryNode {
    enum Content {
        case unset
        /// A one-byte item (nil, false, true).
        case tag(BinaryFormat.Tag)
        case signed(Int64)
        case unsigned(UInt64)
        case double(Double)
        case float(Float)
        case string(String)
        case bytes([UInt8])
        case keyed([(key: String, node: BinaryNode)])
        case unkeyed([BinaryNode])
    }

    var content: Content = .unset

    func write(to bytes: inout [UInt8]) {
        switch content {
        case .unset:
            bytes.append(BinaryFormat.Tag.null.rawValue)
        case .tag(let tag):
            bytes.append(tag.rawValue)
        case .signed(let value):
            bytes.append(BinaryFormat.Tag.signed.rawValue)
            BinaryFormat.appendVarint(BinaryFormat.zigzag(value), to: &bytes)
        case .unsigned(let value):
            bytes.append(BinaryFormat.Tag.unsigned.rawValue)
            BinaryFormat.appendVarint(value, to: &bytes)
        case .double(let value):
            bytes.append(BinaryFormat.Tag.double.rawValue)
            withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        case .float(let value):
            bytes.append(BinaryFormat.Tag.float.rawValue)
            withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        case .string(let value):
            bytes.append(BinaryFormat.Tag.string.rawValue)
            BinaryFormat.appendVarint(UInt64(value.utf8.count), to: &bytes)
            bytes.append(contentsOf: value.utf8)
        case .bytes(let value):
            bytes.append(BinaryFormat.Tag.bytes.rawValue)
            BinaryFormat.appendVarint(UInt64(value.count), to: &bytes)
            bytes.append(contentsOf: value)
        case .keyed(let pairs):
            bytes.append(BinaryFormat.Tag.keyed.rawValue)
            BinaryFormat.appendVarint(UInt64(pairs.count), to: &bytes)
            for (key, node) in pairs {
                BinaryFormat.appendVarint(UInt64(key.utf8.count), to: &bytes)
                bytes.append(contentsOf: key.utf8)
                node.write(to: &bytes)
            }
        case .unkeyed(let items):
            bytes.append(BinaryFormat.Tag.unkeyed.rawValue)
            BinaryFormat.appendVarint(UInt64(items.count), to: &bytes)
            for node in items { node.write(to: &bytes) }
        }
    }

    // MARK: Items

    func setNull() { content = .tag(.null) }
    func set(_ value: Bool) { content = .tag(value ? .true : .false) }
    func set(signed value: Int64) { content = .signed(value) }
    func set(unsigned value: UInt64) { content = .unsigned(value) }
    func set(_ value: Double) { content = .double(value) }
    func set(_ value: Float) { content = .float(value) }
    func set(_ value: String) { content = .string(value) }
    func set(bytes: [UInt8]) { content = .bytes(bytes) }

    /// Encodes `value`, with fast paths for scalars, strings and bytes. The coding path is built
    /// only for values that encode themselves (`key` appended to `parentPath` when given).
    func encode<T: Encodable>(_ value: T, parentPath: [any CodingKey], key: (any CodingKey)? = nil) throws {
        // Comparing type metadata is cheaper than dynamic casts; the bit casts are between
        // identical types.
        if T.self == String.self {
            set(unsafeBitCast(value, to: String.self))
        } else if T.self == Int.self {
            set(signed: Int64(unsafeBitCast(value, to: Int.self)))
        } else if T.self == Bool.self {
            set(unsafeBitCast(value, to: Bool.self))
        } else if T.self == Double.self {
            set(unsafeBitCast(value, to: Double.self))
        } else if T.self == [UInt8].self {
            set(bytes: unsafeBitCast(value, to: [UInt8].self))
        } else if T.self == Data.self {
            set(bytes: Array(value as! Data))
        } else {
            let codingPath = key.map { parentPath + [$0] } ?? parentPath
            try value.encode(to: BinaryNodeEncoder(node: self, codingPath: codingPath))
        }
    }

    /// The keyed content's pairs appended with one for `key`; keeps an existing container.
    func childForKey(_ key: String) -> BinaryNode {
        let child = BinaryNode()
        if case .keyed(var pairs) = content {
            content = .unset
            pairs.append((key, child))
            content = .keyed(pairs)
        } else {
            content = .keyed([(key, child)])
        }
        return child
    }

    func appendChild() -> BinaryNode {
        let child = BinaryNode()
        if case .unkeyed(var items) = content {
            content = .unset
            items.append(child)
            content = .unkeyed(items)
        } else {
            content = .unkeyed([child])
        }
        return child
    }

    var unkeyedCount: Int {
        if case .unkeyed(let items) = content { return items.count }
        return 0
    }
}

/// The `Encoder` a value encodes itself to.
struct BinaryNodeEncoder: Encoder {
    let node: BinaryNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .keyed = node.content {} else { node.content = .keyed([]) }
        return KeyedEncodingContainer(KeyedContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .unkeyed = node.content {} else { node.content = .unkeyed([]) }
        return UnkeyedContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueContainer(node: node, codingPath: codingPath)
    }

    struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let node: BinaryNode
        let codingPath: [any CodingKey]

        mutating func encodeNil(forKey key: Key) throws { node.childForKey(key.stringValue).setNull() }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            try node.childForKey(key.stringValue).encode(value, parentPath: codingPath, key: key)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
            -> KeyedEncodingContainer<NestedKey>
        {
            BinaryNodeEncoder(node: node.childForKey(key.stringValue), codingPath: codingPath + [key])
                .container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            BinaryNodeEncoder(node: node.childForKey(key.stringValue), codingPath: codingPath + [key])
                .unkeyedContainer()
        }

        mutating func superEncoder() -> any Encoder {
            BinaryNodeEncoder(node: node.childForKey("super"), codingPath: codingPath)
        }

        mutating func superEncoder(forKey key: Key) -> any Encoder {
            BinaryNodeEncoder(node: node.childForKey(key.stringValue), codingPath: codingPath + [key])
        }
    }

    struct UnkeyedContainer: UnkeyedEncodingContainer {
        let node: BinaryNode
        let codingPath: [any CodingKey]
        var count: Int { node.unkeyedCount }

        mutating func encodeNil() throws { node.appendChild().setNull() }
        mutating func encode<T: Encodable>(_ value: T) throws {
            try node.appendChild().encode(value, parentPath: codingPath)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
            -> KeyedEncodingContainer<NestedKey>
        {
            BinaryNodeEncoder(node: node.appendChild(), codingPath: codingPath).container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            BinaryNodeEncoder(node: node.appendChild(), codingPath: codingPath).unkeyedContainer()
        }

        mutating func superEncoder() -> any Encoder {
            BinaryNodeEncoder(node: node.appendChild(), codingPath: codingPath)
        }
    }

    struct SingleValueContainer: SingleValueEncodingContainer {
        let node: BinaryNode
        let codingPath: [any CodingKey]

        mutating func encodeNil() throws { node.setNull() }
        mutating func encode(_ value: Bool) throws { node.set(value) }
        mutating func encode(_ value: String) throws { node.set(value) }
        mutating func encode(_ value: Double) throws { node.set(value) }
        mutating func encode(_ value: Float) throws { node.set(value) }
        mutating func encode(_ value: Int) throws { node.set(signed: Int64(value)) }
        mutating func encode(_ value: Int8) throws { node.set(signed: Int64(value)) }
        mutating func encode(_ value: Int16) throws { node.set(signed: Int64(value)) }
        mutating func encode(_ value: Int32) throws { node.set(signed: Int64(value)) }
        mutating func encode(_ value: Int64) throws { node.set(signed: value) }
        mutating func encode(_ value: UInt) throws { node.set(unsigned: UInt64(value)) }
        mutating func encode(_ value: UInt8) throws { node.set(unsigned: UInt64(value)) }
        mutating func encode(_ value: UInt16) throws { node.set(unsigned: UInt64(value)) }
        mutating func encode(_ value: UInt32) throws { node.set(unsigned: UInt64(value)) }
        mutating func encode(_ value: UInt64) throws { node.set(unsigned: value) }
        mutating func encode<T: Encodable>(_ value: T) throws { try node.encode(value, parentPath: codingPath) }
    }
}
