/// Integers stored as ASCII decimal ("-42"), as Redis stores them, so that `increment` works on
/// values written by any client and a read shows the number. The one parser of every backend:
/// `"+5"`, `" 5"` and `"05x"` are not integers anywhere.
package enum DecimalInteger {
    /// Parses an optional "-" and 1…19 digits; nil for anything else or out of range.
    package static func parse<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Int64? {
        guard !bytes.isEmpty, bytes.count <= 20 else { return nil }
        var index = bytes.startIndex
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index = bytes.index(after: index) }
        guard index < bytes.endIndex else { return nil }
        var value: Int64 = 0
        while index < bytes.endIndex {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (shifted, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) =
                negative
                ? shifted.subtractingReportingOverflow(Int64(digit)) : shifted.addingReportingOverflow(Int64(digit))
            guard !o1, !o2 else { return nil }
            value = next
            index = bytes.index(after: index)
        }
        return value
    }

    /// The decimal form of `value`.
    package static func bytes(_ value: Int64) -> [UInt8] { Array(String(value).utf8) }

    /// Calls `body` with the decimal form of `value`.
    package static func withBytes<R>(_ value: Int64, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try bytes(value).withUnsafeBytes(body)
    }
}
