public import NIOCore

/// A streaming RESP3/RESP2 parser with bounded buffers: it reads one complete reply at a time
/// from the bytes received so far and leaves an incomplete one in the buffer for the next read.
///
/// ```swift
/// var parser = RESPParser()
/// while let reply = try parser.next(from: &buffer) { handle(reply) }
/// ```
public struct RESPParser: Sendable {
    /// The parser's bounds, so that a broken or hostile server cannot make it allocate without end.
    public struct Limits: Sendable, Hashable {
        /// The longest bulk string (Redis' own `proto-max-bulk-len` default: 512 MiB).
        public var bulkLength: Int
        /// The most elements of one aggregate.
        public var elementCount: Int
        /// The deepest nesting of aggregates.
        public var depth: Int
        /// The longest simple line (a simple string, an error, a number).
        public var lineLength: Int

        /// Limits of `bulkLength` bytes, `elementCount` elements, `depth` levels and
        /// `lineLength` bytes.
        public init(
            bulkLength: Int = 512 << 20, elementCount: Int = 1 << 24, depth: Int = 32, lineLength: Int = 64 << 10
        ) {
            self.bulkLength = bulkLength
            self.elementCount = elementCount
            self.depth = depth
            self.lineLength = lineLength
        }
    }

    /// The bounds this parser enforces.
    public let limits: Limits

    /// A parser with `limits`.
    public init(limits: Limits = Limits()) { self.limits = limits }

    /// The most bytes an incomplete reply may occupy before the parser gives up on it.
    public var bufferLimit: Int { limits.bulkLength + limits.lineLength }

    /// Reads the next complete reply from `buffer`, consuming its bytes; nil when `buffer` holds
    /// only part of one (nothing is consumed).
    ///
    /// - Throws: ``RESPError`` when the bytes are not RESP or exceed ``limits``.
    public func next(from buffer: inout ByteBuffer) throws(RESPError) -> RESPValue? {
        guard buffer.readableBytes > 0 else { return nil }
        let result: Result<(RESPValue, Int)?, RESPError> = buffer.withUnsafeReadableBytes { raw in
            var reader = Reader(bytes: raw, limits: limits)
            do {
                guard let value = try reader.value(depth: 0) else { return .success(nil) }
                return .success((value, reader.position))
            } catch let error as RESPError {
                return .failure(error)
            } catch {
                return .failure(.malformed(reason: "\(error)", offset: reader.position))
            }
        }
        switch result {
        case .success(let parsed?):
            buffer.moveReaderIndex(forwardBy: parsed.1)
            return parsed.0
        case .success(nil):
            if buffer.readableBytes > bufferLimit {
                throw .tooLarge(what: "an incomplete reply", size: buffer.readableBytes, limit: bufferLimit)
            }
            return nil
        case .failure(let error):
            throw error
        }
    }
}

/// One pass over the received bytes: nil anywhere means "incomplete, wait for more".
private struct Reader {
    let bytes: UnsafeRawBufferPointer
    let limits: RESPParser.Limits
    var position = 0

    init(bytes: UnsafeRawBufferPointer, limits: RESPParser.Limits) {
        self.bytes = bytes
        self.limits = limits
    }

    func malformed(_ reason: String, at offset: Int? = nil) -> RESPError {
        .malformed(reason: reason, offset: offset ?? position)
    }

    /// The bytes up to the next CRLF (the CRLF consumed), or nil when it has not arrived.
    mutating func line() throws(RESPError) -> Range<Int>? {
        let start = position
        var index = start
        let end = bytes.count
        while index < end {
            if bytes[index] == 13 {
                guard index + 1 < end else { return nil }
                guard bytes[index + 1] == 10 else { throw malformed("a CR not followed by LF", at: index) }
                position = index + 2
                return start..<index
            }
            if bytes[index] == 10 { throw malformed("a bare LF", at: index) }
            index += 1
            if index - start > limits.lineLength {
                throw .tooLarge(what: "a line", size: index - start, limit: limits.lineLength)
            }
        }
        return nil
    }

    func string(_ range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    func integer(_ range: Range<Int>) throws(RESPError) -> Int64 {
        var index = range.lowerBound
        var negative = false
        if index < range.upperBound, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        guard index < range.upperBound else { throw malformed("an empty number", at: range.lowerBound) }
        var value: Int64 = 0
        while index < range.upperBound {
            let byte = bytes[index]
            guard byte >= 48 && byte <= 57 else { throw malformed("a non-digit in a number", at: index) }
            let digit = Int64(byte - 48)
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) =
                negative ? times.subtractingReportingOverflow(digit) : times.addingReportingOverflow(digit)
            guard !overflow1 && !overflow2 else { throw malformed("a number over 64 bits", at: range.lowerBound) }
            value = sum
            index += 1
        }
        return value
    }

    /// A length or count line: -1 (null) or 0…`limit`.
    mutating func length(_ what: String, limit: Int) throws(RESPError) -> Int? {
        let start = position
        guard let range = try line() else { return nil }
        let value = try integer(range)
        guard value >= -1 else { throw malformed("a negative \(what)", at: start) }
        guard value <= Int64(limit) else { throw .tooLarge(what: what, size: Int(clamping: value), limit: limit) }
        return Int(value)
    }

    /// `length` bytes followed by CRLF, or nil when they have not all arrived.
    mutating func blob(_ length: Int) throws(RESPError) -> Range<Int>? {
        guard bytes.count - position >= length + 2 else { return nil }
        let range = position..<position + length
        guard bytes[range.upperBound] == 13, bytes[range.upperBound + 1] == 10 else {
            throw malformed("a bulk string not followed by CRLF", at: range.upperBound)
        }
        position = range.upperBound + 2
        return range
    }

    mutating func elements(_ count: Int, depth: Int) throws(RESPError) -> [RESPValue]? {
        var values: [RESPValue] = []
        values.reserveCapacity(min(count, 1024))
        for _ in 0..<count {
            guard let value = try value(depth: depth + 1) else { return nil }
            values.append(value)
        }
        return values
    }

    mutating func value(depth: Int) throws(RESPError) -> RESPValue? {
        guard depth <= limits.depth else { throw .tooDeep(limit: limits.depth) }
        guard position < bytes.count else { return nil }
        let typeOffset = position
        let type = bytes[position]
        position += 1
        switch type {
        case UInt8(ascii: "+"):
            return try line().map { .simpleString(string($0)) }
        case UInt8(ascii: "-"):
            return try line().map { .error(string($0)) }
        case UInt8(ascii: ":"):
            guard let range = try line() else { return nil }
            return .integer(try integer(range))
        case UInt8(ascii: "$"), UInt8(ascii: "!"), UInt8(ascii: "="):
            guard let length = try length("bulk string length", limit: limits.bulkLength) else { return nil }
            if length == -1 {
                guard type == UInt8(ascii: "$") else {
                    throw malformed("a null blob error or verbatim string", at: typeOffset)
                }
                return .null
            }
            guard let range = try blob(length) else { return nil }
            switch type {
            case UInt8(ascii: "$"):
                return .bulkString(Array(UnsafeRawBufferPointer(rebasing: bytes[range])))
            case UInt8(ascii: "!"):
                return .error(string(range))
            default:
                guard length >= 4, bytes[range.lowerBound + 3] == UInt8(ascii: ":") else {
                    throw malformed("a verbatim string without its format", at: typeOffset)
                }
                return .verbatim(string(range.lowerBound + 4..<range.upperBound))
            }
        case UInt8(ascii: "*"), UInt8(ascii: "~"), UInt8(ascii: ">"), UInt8(ascii: "%"), UInt8(ascii: "|"):
            guard let count = try length("aggregate count", limit: limits.elementCount) else { return nil }
            if count == -1 {
                guard type == UInt8(ascii: "*") else { throw malformed("a null aggregate", at: typeOffset) }
                return .null
            }
            let isPairs = type == UInt8(ascii: "%") || type == UInt8(ascii: "|")
            guard !isPairs || count <= limits.elementCount / 2 else {
                throw .tooLarge(what: "map size", size: count, limit: limits.elementCount / 2)
            }
            guard let values = try elements(isPairs ? count * 2 : count, depth: depth) else { return nil }
            switch type {
            case UInt8(ascii: "*"): return .array(values)
            case UInt8(ascii: "~"): return .set(values)
            case UInt8(ascii: ">"): return .push(values)
            case UInt8(ascii: "%"): return .map(values)
            default:
                // An attribute annotates the value that follows it: read that one instead.
                return try value(depth: depth)
            }
        case UInt8(ascii: "_"):
            guard let range = try line() else { return nil }
            guard range.isEmpty else { throw malformed("a null with a payload", at: typeOffset) }
            return .null
        case UInt8(ascii: "#"):
            guard let range = try line() else { return nil }
            guard range.count == 1,
                bytes[range.lowerBound] == UInt8(ascii: "t") || bytes[range.lowerBound] == UInt8(ascii: "f")
            else { throw malformed("a boolean other than t or f", at: typeOffset) }
            return .boolean(bytes[range.lowerBound] == UInt8(ascii: "t"))
        case UInt8(ascii: ","):
            guard let range = try line() else { return nil }
            let text = string(range)
            switch text {
            case "inf": return .double(.infinity)
            case "-inf": return .double(-.infinity)
            case "nan", "-nan": return .double(.nan)
            default:
                guard let value = Double(text), value.isFinite else { throw malformed("a bad double", at: typeOffset) }
                return .double(value)
            }
        case UInt8(ascii: "("):
            guard let range = try line() else { return nil }
            let text = string(range)
            let digits = text.hasPrefix("-") || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
            guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
                throw malformed("a bad big number", at: typeOffset)
            }
            return .bigNumber(text)
        default:
            throw malformed("an unknown type byte \(type)", at: typeOffset)
        }
    }
}
