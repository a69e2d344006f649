/// A Redis-style glob pattern over keys, matched by Unicode scalar.
///
/// - `*` matches any run of characters (also none), `?` exactly one.
/// - `[abc]` matches one of the listed characters, `[a-z]` one in the range, `[^abc]` (or
///   `[!abc]`) one not listed. As in Redis, `]` always closes a set (`[]` matches nothing);
///   write `\]` for a literal one.
/// - `\` makes the next character literal: `\*` matches a star.
///
/// Malformed patterns (an unclosed `[`, a trailing `\`) are errors, not silent mismatches.
public struct GlobPattern: Sendable, Hashable, CustomStringConvertible {
    enum Token: Sendable, Hashable {
        case literal(Unicode.Scalar)
        case any
        case anyRun
        case set(ranges: [ClosedRange<Unicode.Scalar>], negated: Bool)
    }

    /// The pattern as written.
    public let description: String
    let tokens: [Token]
    /// The literal characters before the first wildcard: every matching key starts with them.
    public let literalPrefix: String

    /// Parses `pattern`.
    ///
    /// - Throws: ``GlobPatternError`` for an unclosed `[` or a trailing `\`.
    public init(_ pattern: String) throws(GlobPatternError) {
        var tokens: [Token] = []
        var scalars = pattern.unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            switch scalar {
            case "*":
                if tokens.last != .anyRun { tokens.append(.anyRun) }
            case "?":
                tokens.append(.any)
            case "\\":
                guard let escaped = scalars.next() else {
                    throw GlobPatternError(pattern: pattern, reason: "it ends with a lone \\")
                }
                tokens.append(.literal(escaped))
            case "[":
                tokens.append(try GlobPattern.parseSet(&scalars, pattern: pattern))
            default:
                tokens.append(.literal(scalar))
            }
        }
        var prefix = String.UnicodeScalarView()
        for token in tokens {
            guard case .literal(let scalar) = token else { break }
            prefix.append(scalar)
        }
        self.description = pattern
        self.tokens = tokens
        self.literalPrefix = String(prefix)
    }

    private static func parseSet(
        _ scalars: inout String.UnicodeScalarView.Iterator, pattern: String
    ) throws(GlobPatternError) -> Token {
        var ranges: [ClosedRange<Unicode.Scalar>] = []
        var negated = false
        var atStart = true
        var pendingRangeStart: Unicode.Scalar?
        while true {
            guard var scalar = scalars.next() else {
                throw GlobPatternError(pattern: pattern, reason: "a [ is never closed by ]")
            }
            if atStart && (scalar == "^" || scalar == "!") {
                negated = true
                atStart = false
                continue
            }
            atStart = false
            if scalar == "]" {  // as in Redis, ] always closes; write \] for a literal one
                if let start = pendingRangeStart { ranges.append(start...start) }
                return .set(ranges: ranges, negated: negated)
            }
            if scalar == "\\" {
                guard let escaped = scalars.next() else {
                    throw GlobPatternError(pattern: pattern, reason: "it ends with a lone \\")
                }
                scalar = escaped
            } else if scalar == "-", let start = pendingRangeStart {
                // A range "a-z"; a "-" before "]" is literal.
                guard var end = scalars.next() else {
                    throw GlobPatternError(pattern: pattern, reason: "a [ is never closed by ]")
                }
                if end == "]" {
                    ranges.append(start...start)
                    ranges.append("-"..."-")
                    return .set(ranges: ranges, negated: negated)
                }
                if end == "\\" {
                    guard let escaped = scalars.next() else {
                        throw GlobPatternError(pattern: pattern, reason: "it ends with a lone \\")
                    }
                    end = escaped
                }
                ranges.append(min(start, end)...max(start, end))
                pendingRangeStart = nil
                continue
            }
            if let start = pendingRangeStart { ranges.append(start...start) }
            pendingRangeStart = scalar
        }
    }

    /// True when `key` matches the whole pattern.
    public func matches(_ key: String) -> Bool {
        let scalars = Array(key.unicodeScalars)
        var position = 0
        var tokenIndex = 0
        // Where to resume after the last `*`: the token after it, and the input it has eaten.
        var starToken = -1
        var starPosition = 0
        while position < scalars.count {
            if tokenIndex < tokens.count {
                switch tokens[tokenIndex] {
                case .anyRun:
                    starToken = tokenIndex
                    starPosition = position
                    tokenIndex += 1
                    continue
                case .any:
                    position += 1
                    tokenIndex += 1
                    continue
                case .literal(let scalar) where scalar == scalars[position]:
                    position += 1
                    tokenIndex += 1
                    continue
                case .set(let ranges, let negated)
                where ranges.contains(where: { $0.contains(scalars[position]) }) != negated:
                    position += 1
                    tokenIndex += 1
                    continue
                default:
                    break
                }
            }
            // Mismatch: let the last `*` eat one more character, or fail.
            guard starToken >= 0 else { return false }
            starPosition += 1
            position = starPosition
            tokenIndex = starToken + 1
        }
        while tokenIndex < tokens.count, tokens[tokenIndex] == .anyRun { tokenIndex += 1 }
        return tokenIndex == tokens.count
    }

    /// True when the pattern is a plain key, without wildcards.
    public var isLiteral: Bool { literalPrefix.unicodeScalars.count == tokens.count }
}
