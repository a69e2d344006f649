import Foundation

/// One line of an export, as `import` reads it.
struct ExportLine: Decodable {
    /// The key.
    var key: String
    /// The value in base64.
    var value: String
    /// The expiry in milliseconds since 1970; nil for none.
    var expiresAt: Int64?
    /// The time left when exported, in milliseconds; nil for no expiry.
    var ttl: Int64?

    private enum CodingKeys: String, CodingKey {
        case key, value
        case expiresAt = "expires_at"
        case ttl = "ttl_ms"
    }

    /// Parses `bytes`: first as exactly the layout `export` writes (without `JSONDecoder`, which
    /// would bound an import to a fraction of the export's rate), else as any JSON object with
    /// these members. Nil when it is neither.
    static func parse(_ bytes: ArraySlice<UInt8>, decoder: JSONDecoder) -> ExportLine? {
        if let line = bytes.withUnsafeBytes({ fastParse($0) }) { return line }
        return try? decoder.decode(ExportLine.self, from: Data(bytes))
    }

    /// The layout `export` writes: `{"key":"…","value":"…","expires_at":N|null,"ttl_ms":N|null}`,
    /// with no escape in the key. Nil for anything else (the slow path decides).
    private static func fastParse(_ line: UnsafeRawBufferPointer) -> ExportLine? {
        var position = 0
        func expect(_ literal: StaticString) -> Bool {
            let count = literal.utf8CodeUnitCount
            guard position + count <= line.count,
                memcmp(line.baseAddress! + position, literal.utf8Start, count) == 0
            else { return false }
            position += count
            return true
        }
        func string() -> String? {
            let start = position
            while position < line.count, line[position] != UInt8(ascii: "\"") {
                if line[position] == UInt8(ascii: "\\") || line[position] < 0x20 { return nil }
                position += 1
            }
            guard position < line.count else { return nil }
            let text = String(validating: UnsafeRawBufferPointer(rebasing: line[start..<position]), as: UTF8.self)
            position += 1
            return text
        }
        func number() -> Int64?? {
            if expect("null") { return .some(nil) }
            var value: Int64 = 0
            var digits = 0
            let negative = expect("-")
            while position < line.count, line[position] >= UInt8(ascii: "0"), line[position] <= UInt8(ascii: "9"),
                digits < 18
            {
                value = value * 10 + Int64(line[position] - UInt8(ascii: "0"))
                position += 1
                digits += 1
            }
            return digits == 0 ? nil : .some(negative ? -value : value)
        }
        guard expect(#"{"key":""#), let key = string(), expect(#","value":""#), let value = string(),
            expect(#","expires_at":"#), let expiresAt = number(), expect(#","ttl_ms":"#), let ttl = number(),
            expect("}"), position == line.count
        else { return nil }
        return ExportLine(key: key, value: value, expiresAt: expiresAt, ttl: ttl)
    }
}
