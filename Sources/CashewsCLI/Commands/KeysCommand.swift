import ArgumentParser
import DiskCache

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `cashews keys [PATTERN]`: list keys, streamed.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "List the live keys matching a glob pattern, in key order, streamed.",
        discussion: """
            PATTERN is a Redis-style glob (*, ?, [a-z], [^x], \\ to escape); a literal prefix \
            ("user:*") scans only that range. Keys are read in pages of --batch keys, each in its \
            own short read transaction, and printed as they come, so a large cache costs little \
            memory and pins no old snapshot.

            With --json, prints a JSON array of {"key": K, "size": N, "expires_at": MS} objects \
            (expires_at: milliseconds since 1970, null for no expiry).
            """)

    @OptionGroup var options: CacheOptions
    @Argument(help: "A glob pattern (default: every key).") var pattern = "*"
    @Option(help: "Print at most this many keys.") var limit: Int?
    @Option(help: "Keys per read transaction.") var batch = 1000
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit cannot be negative") }
        if batch < 1 { throw ValidationError("--batch must be positive") }
    }

    func run() throws {
        let cache = try options.open()
        Interruption.install()
        let progress = ProgressBar("keys", total: pattern == "*" ? try cache.count : nil)
        let showsProgress = isatty(1) == 0
        var printed = 0
        var resume: ResumePoint?
        if json { Output.standard.write("[") }
        defer {
            progress.finish()
            if json { Output.standard.line(printed > 0 ? "\n]" : "]") }
        }
        repeat {
            try Interruption.check()
            let page = try cache.entries(matching: pattern, after: resume, limit: batch, values: false)
            for entry in page.entries {
                if let limit, printed >= limit { return }
                if json {
                    Output.standard.write(
                        (printed > 0 ? ",\n" : "\n")
                            + JSON.object([
                                ("key", .string(entry.key)), ("size", .int(entry.valueSize)),
                                ("expires_at", .int(entry.expiresAt)),
                            ]).text)
                } else {
                    Output.standard.line(entry.key)
                }
                printed += 1
            }
            if showsProgress { progress.update(printed) }
            resume = page.resumePoint
        } while resume != nil && (limit.map { printed < $0 } ?? true)
    }
}
