import ArgumentParser
import DiskCache
import Foundation

/// `cashews set KEY [VALUE | --file F | -]`: store a value.
struct SetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Store a value: given, from a file (--file), or from stdin (-).",
        discussion: """
            The value is the VALUE argument's UTF-8 bytes, the contents of --file (copied in \
            chunks), or stdin when VALUE is "-". --ttl sets a time-to-live (500ms, 30s, 10m, 1h, \
            2d, 1h30m, or seconds); without it the entry never expires. --create makes a new \
            cache when the directory holds none.
            """)

    @OptionGroup var options: CacheOptions
    @Argument(help: "The key.") var key: String
    @Argument(help: "The value, or - to read it from stdin.") var value: String?
    @Option(help: "Read the value from this file.", completion: .file()) var file: String?
    @Option(help: "Time to live (e.g. 90s, 10m, 1h).") var ttl: TimeArgument?
    @Flag(help: "Create the cache if the directory holds none.") var create = false

    func validate() throws {
        if (value == nil) == (file == nil) {
            throw ValidationError("give exactly one of VALUE, - (stdin) or --file F")
        }
    }

    func run() throws {
        let cache = try options.open(create: create)
        let expiry = ttl?.expiry ?? .never
        if let file {
            guard FileManager.default.isReadableFile(atPath: file) else {
                throw CommandFailure.failed("cannot read \(file): check that it exists and is readable")
            }
            try cache.set(contentsOfFile: file, forKey: key, expiry: expiry)
        } else if value == "-" {
            let bytes = FileHandle.standardInput.readDataToEndOfFile()
            try cache.set(bytes, forKey: key, expiry: expiry)
        } else if let value {
            try cache.set(Array(value.utf8), forKey: key, expiry: expiry)
        }
    }
}
