public import NIOCore

/// One argument of a command, as RESP sends it: a bulk string.
public enum RESPArgument: Sendable, Hashable, ExpressibleByStringLiteral {
    /// Bytes as they are.
    case bytes([UInt8])
    /// Text, sent as UTF-8.
    case string(String)
    /// An integer, sent as its decimal digits.
    case integer(Int64)

    /// A text argument.
    public init(stringLiteral value: String) { self = .string(value) }
}

/// A command to send: its name and arguments, encoded as a RESP array of bulk strings.
public struct RESPCommand: Sendable, Hashable, CustomStringConvertible {
    /// The name and the arguments, in order.
    public var arguments: [RESPArgument]

    /// The command `arguments` spell (`["SET", .string(key), .bytes(value)]`).
    public init(_ arguments: [RESPArgument]) { self.arguments = arguments }

    /// The command's name (its first argument), upper-cased, for logs and errors.
    public var name: String {
        guard case .string(let name)? = arguments.first else { return "?" }
        return name.uppercased()
    }

    /// The command's name, without its arguments (they may hold secrets).
    public var description: String { name }

    /// Appends the command to `buffer` in RESP.
    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "*"))
        buffer.writeString(String(arguments.count))
        buffer.writeStaticString("\r\n")
        for argument in arguments {
            switch argument {
            case .bytes(let bytes):
                RESPCommand.writeBulk(bytes.count, into: &buffer)
                buffer.writeBytes(bytes)
            case .string(let text):
                RESPCommand.writeBulk(text.utf8.count, into: &buffer)
                buffer.writeString(text)
            case .integer(let value):
                let text = String(value)
                RESPCommand.writeBulk(text.utf8.count, into: &buffer)
                buffer.writeString(text)
            }
            buffer.writeStaticString("\r\n")
        }
    }

    private static func writeBulk(_ length: Int, into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "$"))
        buffer.writeString(String(length))
        buffer.writeStaticString("\r\n")
    }
}
