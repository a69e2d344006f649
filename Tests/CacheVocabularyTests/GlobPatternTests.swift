import Testing

@testable import CacheVocabulary

@Suite("Glob patterns")
struct GlobPatternTests {
    @Test(
        "matching follows Redis glob rules",
        arguments: [
            ("*", "anything", true), ("*", "", true), ("user:*", "user:1", true), ("user:*", "users:1", false),
            ("user:?", "user:1", true), ("user:?", "user:12", false), ("h?llo", "hello", true),
            ("h*llo", "heeeello", true), ("h*llo", "hllo", true), ("h[ae]llo", "hallo", true),
            ("h[ae]llo", "hillo", false), ("h[^e]llo", "hallo", true), ("h[^e]llo", "hello", false),
            ("h[!e]llo", "hello", false), ("h[a-c]llo", "hbllo", true), ("h[a-c]llo", "hdllo", false),
            ("a\\*b", "a*b", true), ("a\\*b", "axb", false), ("*:*:end", "a:b:c:end", true),
            ("*.txt", "notes.txt.bak", false), ("[-a]", "-", true), ("[a-]", "-", true), ("ключ:*", "ключ:🔑", true),
            ("?", "🔑", true), ("**a", "bba", true), ("a*b*c", "aXbYbZc", true), ("a*b*c", "aXbYbZ", false),
            // As in Redis, ] always closes a set (found by the differential fuzzer): "[]" matches
            // nothing, and a literal ] is written \].
            ("[]a", "a", false), ("[]a", "]a", false), ("[\\]]", "]", true), ("[^]a", "xa", true),
            // A combining mark right after the literal prefix (found by the fuzzer): matching and
            // prefixes work on scalars and bytes, not on grapheme clusters.
            ("-*", "-\u{06EA}", true), ("-?", "-\u{06EA}", true), ("e*", "e\u{301}", true),
        ])
    func matching(pattern: String, key: String, matches: Bool) throws {
        #expect(try GlobPattern(pattern).matches(key) == matches)
    }

    @Test("literal prefixes drive range scans")
    func prefixes() throws {
        #expect(try GlobPattern("user:*").literalPrefix == "user:")
        #expect(try GlobPattern("a\\*b*").literalPrefix == "a*b")
        #expect(try GlobPattern("*x").literalPrefix == "")
        #expect(try GlobPattern("plain").isLiteral)
        #expect(try !GlobPattern("pl?in").isLiteral)
    }

    @Test("malformed patterns are typed errors")
    func malformed() throws {
        #expect(throws: GlobPatternError.self) { try GlobPattern("user:[abc") }
        #expect(throws: GlobPatternError.self) { try GlobPattern("trailing\\") }
        let error = #expect(throws: GlobPatternError.self) { try GlobPattern("[") }
        #expect("\(error!)".contains("never closed"))
    }
}
