/// A reply of a Redis server, in RESP3 (which includes everything RESP2 sends).
///
/// RESP2's null bulk string and null array both read as ``null``; a RESP3 attribute is read and
/// dropped (the value it annotates is what the parser returns).
public enum RESPValue: Sendable, Hashable {
    /// A simple string (`+OK`).
    case simpleString(String)
    /// An error reply (`-ERR …` or a RESP3 blob error): the server refused the command.
    case error(String)
    /// An integer (`:42`).
    case integer(Int64)
    /// A bulk string: bytes of any value (`$5\r\nhello`).
    case bulkString([UInt8])
    /// Null (`_`, or RESP2's `$-1` and `*-1`).
    case null
    /// A RESP3 double (`,3.14`, `inf`, `-inf`, `nan`).
    case double(Double)
    /// A RESP3 boolean (`#t`, `#f`).
    case boolean(Bool)
    /// A RESP3 big number, as its decimal digits.
    case bigNumber(String)
    /// A RESP3 verbatim string, without its three-letter format.
    case verbatim(String)
    /// An array (`*`).
    case array([RESPValue])
    /// A RESP3 map, as its keys and values alternating (`[k1, v1, k2, v2, …]`).
    case map([RESPValue])
    /// A RESP3 set.
    case set([RESPValue])
    /// A RESP3 push message (out-of-band: invalidations, pub/sub), never a reply to a command.
    case push([RESPValue])

    /// The bytes of a string reply (bulk, simple or verbatim); nil for other kinds.
    public var bytes: [UInt8]? {
        switch self {
        case .bulkString(let bytes): return bytes
        case .simpleString(let text), .verbatim(let text): return Array(text.utf8)
        default: return nil
        }
    }

    /// The text of a string reply, decoded as UTF-8; nil for other kinds.
    public var text: String? { bytes.map { String(decoding: $0, as: UTF8.self) } }

    /// The integer of an integer reply, or of a string reply that holds a decimal integer.
    public var integer: Int64? {
        switch self {
        case .integer(let value): return value
        case .boolean(let value): return value ? 1 : 0
        default: return text.flatMap { Int64($0) }
        }
    }

    /// The elements of an aggregate reply (array, set, push; a map's keys and values
    /// alternating); nil for other kinds (null included).
    public var elements: [RESPValue]? {
        switch self {
        case .array(let values), .set(let values), .push(let values), .map(let values): return values
        default: return nil
        }
    }
}
