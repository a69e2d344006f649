import Testing

@testable import CacheVocabulary

@Suite("Decimal integers")
struct DecimalIntegerTests {
    @Test(
        "one parser: an optional minus and digits, nothing else",
        arguments: [
            ("0", 0), ("42", 42), ("-42", -42), ("9223372036854775807", Int64.max),
            ("-9223372036854775808", Int64.min),
        ] as [(String, Int64)])
    func parses(text: String, value: Int64) {
        #expect(DecimalInteger.parse(Array(text.utf8)) == value)
        #expect(DecimalInteger.bytes(value) == Array(text.utf8))
    }

    @Test(
        "signs, spaces, overflow and empty input are not integers",
        arguments: ["+5", " 5", "5 ", "", "-", "05x", "9223372036854775808"])
    func rejects(text: String) {
        #expect(DecimalInteger.parse(Array(text.utf8)) == nil)
    }
}
