/// A reply the RESP parser cannot read: the connection that received it cannot be trusted to be
/// in step with its server any more, and is closed.
public enum RESPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The bytes are not RESP: an unknown type byte, a bad number, a missing CRLF.
    case malformed(reason: String, offset: Int)
    /// A declared length or count, or the buffered reply, is over the parser's limit.
    case tooLarge(what: String, size: Int, limit: Int)
    /// Aggregates nest deeper than the parser's limit.
    case tooDeep(limit: Int)

    /// What is wrong with the reply.
    public var description: String {
        switch self {
        case .malformed(let reason, let offset):
            return "malformed RESP reply at byte \(offset): \(reason)"
        case .tooLarge(let what, let size, let limit):
            return "RESP reply too large: \(what) of \(size) is over the limit of \(limit)"
        case .tooDeep(let limit):
            return "RESP reply nests aggregates deeper than \(limit) levels"
        }
    }
}
