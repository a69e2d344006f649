import ArgumentParser
import DiskCache

/// `cashews clear --yes`: delete every entry.
struct ClearCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clear",
        abstract: "Delete every entry (asks for --yes).",
        discussion: """
            Deletes every entry and its blob file, --batch entries per write transaction (live \
            entries first, then expired ones), so that processes using the cache never wait \
            long for the writer lock; Ctrl-C stops between batches, leaving the cache \
            consistent. Entries other processes write meanwhile may stay. Needs --yes, so that \
            a mistyped command never empties a cache. With --json, prints {"removed": N}.
            """)

    @OptionGroup var options: CacheOptions
    @Flag(help: "Really delete everything.") var yes = false
    @Option(help: "Entries deleted per write transaction.") var batch = 1000
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        if !yes { throw ValidationError("clear deletes every entry: pass --yes to confirm") }
        if batch < 1 { throw ValidationError("--batch must be positive") }
    }

    func run() throws {
        let cache = try options.open()
        Interruption.install()
        let progress = ProgressBar("clear", total: try cache.count)
        var removed = 0
        var resumePoint: ResumePoint?
        repeat {
            try Interruption.check()
            // A page past a long run of expired rows may be empty before the end: go on from it.
            let page = try cache.entries(after: resumePoint, limit: batch, values: false)
            removed += try cache.delete(page.entries.map(\.key))
            resumePoint = page.resumePoint
            progress.update(removed)
        } while resumePoint != nil
        while true {  // what is left has expired: not listed, swept in batches
            try Interruption.check()
            let swept = try cache.sweepExpired(limit: batch)
            removed += swept
            progress.update(removed)
            if swept == 0 { break }
        }
        progress.finish()
        Output.standard.line(json ? JSON.object([("removed", .int(removed))]).text : "removed \(removed) entries")
    }
}
