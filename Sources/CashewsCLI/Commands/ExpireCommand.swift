import ArgumentParser
import DiskCache

/// `cashews expire KEY TTL`: change an entry's expiry.
struct ExpireCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "expire",
        abstract: "Set a key's time-to-live (or `never` to remove its expiry).",
        discussion: """
            TTL is a time such as 90s, 10m, 1h or 1h30m, or "never" to make the entry \
            persistent (as Redis PERSIST). Exits 1 when the key is absent or expired.
            """)

    @OptionGroup var options: CacheOptions
    @Argument(help: "The key.") var key: String
    @Argument(help: "The new time to live, or never.") var ttl: String

    func validate() throws {
        if ttl != "never" && TimeArgument(argument: ttl) == nil {
            throw ValidationError("invalid TTL \"\(ttl)\": use a time such as 90s, 10m, 1h, or never")
        }
    }

    func run() throws {
        let cache = try options.open()
        if ttl == "never" {
            guard try cache.contains(key) else { throw CommandFailure.notFound() }
            _ = try cache.persist(key)
            return
        }
        let time = TimeArgument(argument: ttl)!
        guard try cache.expire(key, after: .milliseconds(time.milliseconds)) else { throw CommandFailure.notFound() }
    }
}
