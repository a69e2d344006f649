/// Standard base64 (RFC 4648, with padding), written straight into a byte buffer: an export
/// encodes every value, and Foundation's `String` round trip would double its cost.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, character) in alphabet.enumerated() { table[Int(character)] = UInt8(index) }
        return table
    }()

    /// Appends the base64 text of `bytes` to `out`.
    static func encode(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        let count = bytes.count
        out.reserveCapacity(out.count + (count + 2) / 3 * 4)
        alphabet.withUnsafeBufferPointer { table in
            var index = 0
            while index + 3 <= count {
                let chunk = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
                out.append(table[Int(chunk >> 18 & 63)])
                out.append(table[Int(chunk >> 12 & 63)])
                out.append(table[Int(chunk >> 6 & 63)])
                out.append(table[Int(chunk & 63)])
                index += 3
            }
            let rest = count - index
            if rest > 0 {
                let chunk = UInt32(bytes[index]) << 16 | (rest == 2 ? UInt32(bytes[index + 1]) << 8 : 0)
                out.append(table[Int(chunk >> 18 & 63)])
                out.append(table[Int(chunk >> 12 & 63)])
                out.append(rest == 2 ? table[Int(chunk >> 6 & 63)] : UInt8(ascii: "="))
                out.append(UInt8(ascii: "="))
            }
        }
    }

    /// The bytes of base64 `text` (padding optional); nil when it is not base64.
    static func decode(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { decode(UnsafeRawBufferPointer($0)) }
    }

    /// The bytes of base64 `text` (padding optional); nil when it is not base64.
    static func decode(_ text: UnsafeRawBufferPointer) -> [UInt8]? {
        var end = text.count
        while end > 0 && text[end - 1] == UInt8(ascii: "=") && text.count - end < 2 { end -= 1 }
        let full = end / 4
        let rest = end % 4
        guard rest != 1 else { return nil }
        let size = full * 3 + (rest == 0 ? 0 : rest - 1)
        var valid = true
        let out = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            values.withUnsafeBufferPointer { table in
                var input = 0
                var output = 0
                func next() -> UInt32 {
                    let value = table[Int(text[input])]
                    input += 1
                    if value == 0xFF { valid = false }
                    return UInt32(value)
                }
                for _ in 0..<full {
                    let chunk = next() << 18 | next() << 12 | next() << 6 | next()
                    buffer[output] = UInt8(truncatingIfNeeded: chunk >> 16)
                    buffer[output + 1] = UInt8(truncatingIfNeeded: chunk >> 8)
                    buffer[output + 2] = UInt8(truncatingIfNeeded: chunk)
                    output += 3
                }
                if rest >= 2 {
                    var chunk = next() << 18 | next() << 12
                    if rest == 3 { chunk |= next() << 6 }
                    buffer[output] = UInt8(truncatingIfNeeded: chunk >> 16)
                    if rest == 3 { buffer[output + 1] = UInt8(truncatingIfNeeded: chunk >> 8) }
                }
            }
            count = size
        }
        return valid ? out : nil
    }
}
