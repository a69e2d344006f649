import Foundation

/// Decodes ``BinaryFormat`` bytes as `Decodable` values. Damaged or hostile bytes give a
/// `DecodingError` or ``BinaryFormatError``, never a trap.
struct BinaryDecoder {
    func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        guard bytes.count >= 3, bytes[0] == BinaryFormat.magic else {
            throw BinaryFormatError(description: "the bytes are not in the binary value format")
        }
        guard bytes[1] == BinaryFormat.version else {
            throw BinaryFormatError(description: "binary format version \(bytes[1]) is newer than this library")
        }
        let reader = BinaryReader(bytes: bytes)
        let end = try reader.skip(at: 2, depth: 0)
        guard end == bytes.count else {
            throw BinaryFormatError(description: "\(bytes.count - end) bytes follow the value")
        }
        return try reader.decode(type, at: 2, parentPath: [], depth: 0)
    }
}

/// Reads items of a binary value (bounds-checked).
final class BinaryReader {
    let bytes: [UInt8]

    init(bytes: [UInt8]) { self.bytes = bytes }

    func damaged(_ what: String) -> BinaryFormatError {
        BinaryFormatError(description: "damaged binary value: \(what)")
    }

    func tag(at offset: Int) throws -> BinaryFormat.Tag {
        guard offset < bytes.count else { throw damaged("it ends before an item") }
        guard let tag = BinaryFormat.Tag(rawValue: bytes[offset]) else { throw damaged("unknown tag \(bytes[offset])") }
        return tag
    }

    /// A varint at `offset` and the offset after it.
    func varint(at offset: Int) throws -> (value: UInt64, next: Int) {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        var position = offset
        while true {
            guard position < bytes.count, shift < 64 else { throw damaged("a number is cut short or too long") }
            let byte = bytes[position]
            value |= UInt64(byte & 0x7F) << shift
            position += 1
            if byte < 0x80 { return (value, position) }
            shift += 7
        }
    }

    /// A length at `offset` that fits in the remaining bytes, and the offset after it.
    func length(at offset: Int) throws -> (count: Int, next: Int) {
        let (value, next) = try varint(at: offset)
        guard value <= UInt64(bytes.count - next) else { throw damaged("a length runs past the end") }
        return (Int(value), next)
    }

    /// The offset after the item at `offset`.
    func skip(at offset: Int, depth: Int) throws -> Int {
        guard depth < BinaryFormat.maximumDepth else { throw damaged("containers nest too deep") }
        let next = offset + 1
        switch try tag(at: offset) {
        case .null, .false, .true: return next
        case .signed, .unsigned: return try varint(at: next).next
        case .double, .float:
            let size = bytes[offset] == BinaryFormat.Tag.double.rawValue ? 8 : 4
            guard next + size <= bytes.count else { throw damaged("a number is cut short") }
            return next + size
        case .string, .bytes:
            let (count, start) = try length(at: next)
            return start + count
        case .keyed:
            var (count, position) = try length(at: next)
            while count > 0 {
                let (keyCount, keyStart) = try length(at: position)
                position = try skip(at: keyStart + keyCount, depth: depth + 1)
                count -= 1
            }
            return position
        case .unkeyed:
            var (count, position) = try length(at: next)
            while count > 0 {
                position = try skip(at: position, depth: depth + 1)
                count -= 1
            }
            return position
        }
    }

    /// The item at `offset` as `T`; the coding path (`key` appended to `parentPath` when
    /// given) is built only for errors and for values that decode themselves.
    func decode<T: Decodable>(
        _ type: T.Type, at offset: Int, parentPath: [any CodingKey], key: (any CodingKey)? = nil, depth: Int
    ) throws -> T {
        do {
            if T.self == String.self { return try string(at: offset, []) as! T }
            if T.self == Int.self { return try integer(Int.self, at: offset, []) as! T }
            if T.self == Bool.self { return try bool(at: offset, []) as! T }
            if T.self == Double.self { return try double(at: offset, []) as! T }
            if T.self == [UInt8].self { return try byteArray(at: offset, []) as! T }
            if T.self == Data.self { return Data(try byteArray(at: offset, [])) as! T }
        } catch DecodingError.typeMismatch(let type, let context) {
            let codingPath = key.map { parentPath + [$0] } ?? parentPath
            throw DecodingError.typeMismatch(
                type, .init(codingPath: codingPath, debugDescription: context.debugDescription))
        }
        guard depth < BinaryFormat.maximumDepth else { throw damaged("values nest too deep") }
        let codingPath = key.map { parentPath + [$0] } ?? parentPath
        return try T(from: BinaryItemDecoder(reader: self, offset: offset, codingPath: codingPath, depth: depth + 1))
    }

    func mismatch(_ type: Any.Type, at offset: Int, _ codingPath: [any CodingKey]) -> DecodingError {
        let found = (try? tag(at: offset)).map { "\($0)" } ?? "nothing"
        return DecodingError.typeMismatch(
            type, .init(codingPath: codingPath, debugDescription: "expected \(type), found \(found)"))
    }

    func isNull(at offset: Int) throws -> Bool { try tag(at: offset) == .null }

    func bool(at offset: Int, _ codingPath: [any CodingKey]) throws -> Bool {
        switch try tag(at: offset) {
        case .true: return true
        case .false: return false
        default: throw mismatch(Bool.self, at: offset, codingPath)
        }
    }

    func string(at offset: Int, _ codingPath: [any CodingKey]) throws -> String {
        guard try tag(at: offset) == .string else { throw mismatch(String.self, at: offset, codingPath) }
        let (count, start) = try length(at: offset + 1)
        guard let string = String(validating: bytes[start..<start + count], as: UTF8.self) else {
            throw damaged("a string is not UTF-8")
        }
        return string
    }

    func byteArray(at offset: Int, _ codingPath: [any CodingKey]) throws -> [UInt8] {
        switch try tag(at: offset) {
        case .bytes:
            let (count, start) = try length(at: offset + 1)
            return Array(bytes[start..<start + count])
        case .unkeyed:
            // [UInt8] written item by item (by another encoder path).
            var (count, position) = try length(at: offset + 1)
            var result: [UInt8] = []
            while count > 0 {
                result.append(try integer(UInt8.self, at: position, codingPath))
                position = try skip(at: position, depth: 0)
                count -= 1
            }
            return result
        default: throw mismatch([UInt8].self, at: offset, codingPath)
        }
    }

    func integer<I: FixedWidthInteger>(_ type: I.Type, at offset: Int, _ codingPath: [any CodingKey]) throws -> I {
        let result: I?
        switch try tag(at: offset) {
        case .signed: result = I(exactly: BinaryFormat.unzigzag(try varint(at: offset + 1).value))
        case .unsigned: result = I(exactly: try varint(at: offset + 1).value)
        default: throw mismatch(I.self, at: offset, codingPath)
        }
        guard let result else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: codingPath, debugDescription: "the number does not fit in \(I.self)"))
        }
        return result
    }

    func double(at offset: Int, _ codingPath: [any CodingKey]) throws -> Double {
        switch try tag(at: offset) {
        case .double:
            guard offset + 9 <= bytes.count else { throw damaged("a number is cut short") }
            return Double(bitPattern: loadUInt64(at: offset + 1))
        case .float: return Double(try float(at: offset, codingPath))
        case .signed: return Double(BinaryFormat.unzigzag(try varint(at: offset + 1).value))
        case .unsigned: return Double(try varint(at: offset + 1).value)
        default: throw mismatch(Double.self, at: offset, codingPath)
        }
    }

    func float(at offset: Int, _ codingPath: [any CodingKey]) throws -> Float {
        switch try tag(at: offset) {
        case .float:
            guard offset + 5 <= bytes.count else { throw damaged("a number is cut short") }
            return Float(bitPattern: UInt32(truncatingIfNeeded: loadUInt64(at: offset + 1, count: 4)))
        case .double, .signed, .unsigned: return Float(try double(at: offset, codingPath))
        default: throw mismatch(Float.self, at: offset, codingPath)
        }
    }

    private func loadUInt64(at offset: Int, count: Int = 8) -> UInt64 {
        var value: UInt64 = 0
        for index in (0..<count).reversed() { value = value << 8 | UInt64(bytes[offset + index]) }
        return value
    }

    /// The key ranges and value offsets of the keyed container at `offset`.
    func pairs(at offset: Int, _ codingPath: [any CodingKey]) throws -> [(key: Range<Int>, value: Int)] {
        guard try tag(at: offset) == .keyed else {
            throw DecodingError.typeMismatch(
                [String: Any].self,
                .init(
                    codingPath: codingPath, debugDescription: "expected a keyed container, found \(try tag(at: offset))"
                ))
        }
        var (count, position) = try length(at: offset + 1)
        var pairs: [(key: Range<Int>, value: Int)] = []
        pairs.reserveCapacity(min(count, 64))
        while count > 0 {
            let (keyCount, keyStart) = try length(at: position)
            let valueOffset = keyStart + keyCount
            pairs.append((keyStart..<valueOffset, valueOffset))
            position = try skip(at: valueOffset, depth: 0)
            count -= 1
        }
        return pairs
    }

    /// The item offsets of the unkeyed container at `offset`.
    func items(at offset: Int, _ codingPath: [any CodingKey]) throws -> [Int] {
        guard try tag(at: offset) == .unkeyed else {
            throw DecodingError.typeMismatch(
                [Any].self,
                .init(
                    codingPath: codingPath,
                    debugDescription: "expected an unkeyed container, found \(try tag(at: offset))"))
        }
        var (count, position) = try length(at: offset + 1)
        var items: [Int] = []
        items.reserveCapacity(min(count, 1024))
        while count > 0 {
            items.append(position)
            position = try skip(at: position, depth: 0)
            count -= 1
        }
        return items
    }
}

/// The `Decoder` a value decodes itself from: one item of a binary value.
struct BinaryItemDecoder: Decoder {
    let reader: BinaryReader
    let offset: Int
    let codingPath: [any CodingKey]
    let depth: Int
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(
            KeyedContainer<Key>(
                reader: reader, pairs: try reader.pairs(at: offset, codingPath), codingPath: codingPath, depth: depth))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        UnkeyedContainer(
            reader: reader, items: try reader.items(at: offset, codingPath), codingPath: codingPath, depth: depth)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleValueContainer(reader: reader, offset: offset, codingPath: codingPath, depth: depth)
    }

    struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let reader: BinaryReader
        let pairs: [(key: Range<Int>, value: Int)]
        let codingPath: [any CodingKey]
        let depth: Int

        var allKeys: [Key] {
            pairs.compactMap { Key(stringValue: String(decoding: reader.bytes[$0.key], as: UTF8.self)) }
        }

        private func offset(of key: Key) -> Int? {
            let name = key.stringValue.utf8
            for pair in pairs where reader.bytes[pair.key].elementsEqual(name) { return pair.value }
            return nil
        }

        private func require(_ key: Key) throws -> Int {
            guard let offset = offset(of: key) else {
                throw DecodingError.keyNotFound(
                    key, .init(codingPath: codingPath, debugDescription: "no value for \"\(key.stringValue)\""))
            }
            return offset
        }

        func contains(_ key: Key) -> Bool { offset(of: key) != nil }
        func decodeNil(forKey key: Key) throws -> Bool { try reader.isNull(at: require(key)) }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            try reader.decode(type, at: require(key), parentPath: codingPath, key: key, depth: depth)
        }

        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
            guard let offset = offset(of: key), try !reader.isNull(at: offset) else { return nil }
            return try reader.decode(type, at: offset, parentPath: codingPath, key: key, depth: depth)
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
            -> KeyedDecodingContainer<NestedKey>
        {
            try decoder(for: key).container(keyedBy: type)
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            try decoder(for: key).unkeyedContainer()
        }

        func superDecoder() throws -> any Decoder {
            guard let offset = pairs.first(where: { reader.bytes[$0.key].elementsEqual("super".utf8) })?.value else {
                throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "no super value"))
            }
            return BinaryItemDecoder(reader: reader, offset: offset, codingPath: codingPath, depth: depth + 1)
        }

        func superDecoder(forKey key: Key) throws -> any Decoder { try decoder(for: key) }

        private func decoder(for key: Key) throws -> BinaryItemDecoder {
            guard depth < BinaryFormat.maximumDepth else { throw reader.damaged("values nest too deep") }
            return BinaryItemDecoder(
                reader: reader, offset: try require(key), codingPath: codingPath + [key], depth: depth + 1)
        }
    }

    struct UnkeyedContainer: UnkeyedDecodingContainer {
        let reader: BinaryReader
        let items: [Int]
        let codingPath: [any CodingKey]
        let depth: Int
        var currentIndex = 0

        init(reader: BinaryReader, items: [Int], codingPath: [any CodingKey], depth: Int) {
            self.reader = reader
            self.items = items
            self.codingPath = codingPath
            self.depth = depth
        }

        var count: Int? { items.count }
        var isAtEnd: Bool { currentIndex >= items.count }

        private mutating func next() throws -> Int {
            guard !isAtEnd else {
                throw DecodingError.valueNotFound(
                    Any.self, .init(codingPath: codingPath, debugDescription: "the list has only \(items.count) items"))
            }
            defer { currentIndex += 1 }
            return items[currentIndex]
        }

        mutating func decodeNil() throws -> Bool {
            guard !isAtEnd, try reader.isNull(at: items[currentIndex]) else { return false }
            currentIndex += 1
            return true
        }

        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
            try reader.decode(type, at: try next(), parentPath: codingPath, depth: depth)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
            -> KeyedDecodingContainer<NestedKey>
        {
            try decoder().container(keyedBy: type)
        }

        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            try decoder().unkeyedContainer()
        }
        mutating func superDecoder() throws -> any Decoder { try decoder() }

        private mutating func decoder() throws -> BinaryItemDecoder {
            guard depth < BinaryFormat.maximumDepth else { throw reader.damaged("values nest too deep") }
            return BinaryItemDecoder(reader: reader, offset: try next(), codingPath: codingPath, depth: depth + 1)
        }
    }

    struct SingleValueContainer: SingleValueDecodingContainer {
        let reader: BinaryReader
        let offset: Int
        let codingPath: [any CodingKey]
        let depth: Int

        func decodeNil() -> Bool { (try? reader.isNull(at: offset)) ?? false }
        func decode(_ type: Bool.Type) throws -> Bool { try reader.bool(at: offset, codingPath) }
        func decode(_ type: String.Type) throws -> String { try reader.string(at: offset, codingPath) }
        func decode(_ type: Double.Type) throws -> Double { try reader.double(at: offset, codingPath) }
        func decode(_ type: Float.Type) throws -> Float { try reader.float(at: offset, codingPath) }
        func decode(_ type: Int.Type) throws -> Int { try reader.integer(type, at: offset, codingPath) }
        func decode(_ type: Int8.Type) throws -> Int8 { try reader.integer(type, at: offset, codingPath) }
        func decode(_ type: Int16.Type) throws -> Int16 { try reader.integer(type, at: offset, codingPath) }
        func decode(_ type: Int32.Type) throws -> Int32 { try reader.integer(type, at: offset, codingPath) }
        func decode(_ type: Int64.Type) throws -> Int64 { try reader.integer(type, at: offset, codingPath) }
        func decode(_ type: UInt.Type) throws -> UInt { try reader.integer(type, at: offset, codingPath) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try reader.integer(type, at: offset, codingPath) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try reader.integer(type, at: offset, codingPath) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try reader.integer(type, at: offset, codingPath) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try reader.integer(type, at: offset, codingPath) }
        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            try reader.decode(type, at: offset, parentPath: codingPath, depth: depth)
        }
    }
}
