import ArgumentParser
import DiskCache

/// `cashews ttl KEY`: how long an entry has left.
struct TTLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ttl",
        abstract: "Show how long a key has left.",
        discussion: """
            Prints "forever" for an entry without expiry, else the time left (950ms, 42s, \
            1h 2m 3s). Exits 1 when the key is absent or expired. With --json, prints \
            {"key": K, "ttl_ms": N} (null: no expiry).
            """)

    @OptionGroup var options: CacheOptions
    @Argument(help: "The key.") var key: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let cache = try options.open()
        guard let ttl = try cache.timeToLive(forKey: key) else { throw CommandFailure.notFound() }
        Output.standard.line(
            json ? JSON.object([("key", .string(key)), ("ttl_ms", .int(milliseconds(ttl)))]).text : describe(ttl))
    }
}
