import ArgumentParser
import DiskCache
import Foundation

/// `cashews get KEY`: a value, raw or as JSON.
struct GetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Write a value to stdout (raw bytes), or describe it with --json.",
        discussion: """
            Without --json the value's bytes are written as they are (a blob is streamed in \
            chunks, so a value of any size needs little memory). Exits 1, printing nothing, when \
            the key is absent or expired.

            With --json, prints one object: key, size, ttl_ms (null: no expiry), encoding and \
            value. The encoding is "json" when the value is a JSON text (value is that JSON), \
            "utf8" when it is other UTF-8 text (value is the string), else "base64".
            """)

    @OptionGroup var options: CacheOptions
    @Argument(help: "The key.") var key: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let cache = try options.open()
        guard json else {
            let found = try cache.read(key) { chunk in Output.standard.write(bytes: chunk) }
            guard found else { throw CommandFailure.notFound() }
            return
        }
        guard let value = try cache.get(key) else { throw CommandFailure.notFound() }
        let ttl = try cache.timeToLive(forKey: key) ?? .forever
        let (encoding, rendered) = GetCommand.decode(value)
        var line = JSON.object([
            ("key", .string(key)), ("size", .int(value.count)), ("ttl_ms", .int(milliseconds(ttl))),
            ("encoding", .string(encoding)), ("value", .null),
        ]).text
        line.removeLast("null}".count)
        Output.standard.line(line + rendered + "}")
    }

    /// The encoding of `value` and its JSON text: itself when it is JSON, a string when it is
    /// UTF-8, base64 otherwise.
    static func decode(_ value: [UInt8]) -> (String, String) {
        if let text = String(validating: value, as: UTF8.self) {
            if let object = try? JSONSerialization.jsonObject(with: Data(value), options: [.fragmentsAllowed]),
                let compact = try? JSONSerialization.data(
                    withJSONObject: object, options: [.fragmentsAllowed, .withoutEscapingSlashes])
            {
                return ("json", String(decoding: compact, as: UTF8.self))
            }
            return ("utf8", JSON.string(text).text)
        }
        return ("base64", JSON.string(Data(value).base64EncodedString()).text)
    }
}
