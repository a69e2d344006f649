/// A malformed ``GlobPattern``: an unclosed `[` or a trailing `\`.
public struct GlobPatternError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The pattern as written.
    public let pattern: String
    /// What is wrong with it.
    public let reason: String

    /// An error for `pattern`, saying what is wrong with it.
    public init(pattern: String, reason: String) {
        self.pattern = pattern
        self.reason = reason
    }

    /// What went wrong and how to write the pattern instead.
    public var description: String {
        "invalid glob pattern \"\(pattern)\": \(reason) (escape a literal *, ?, [ or \\ with \\)"
    }
}
