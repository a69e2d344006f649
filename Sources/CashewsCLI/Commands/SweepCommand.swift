import ArgumentParser
import DiskCache

/// `cashews sweep`: remove expired entries.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Remove every expired entry, in batches.",
        discussion: """
            Removes expired entries soonest-expired first, --batch per write transaction (each \
            short, so processes writing beside it wait at most one batch), until none is left. \
            Reads only the expired part of the expiry index. Ctrl-C stops after the current \
            batch. With --json, prints {"removed": N}.
            """)

    @OptionGroup var options: CacheOptions
    @Option(help: "Entries removed per write transaction.") var batch = 1000
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        if batch < 1 { throw ValidationError("--batch must be positive") }
    }

    func run() throws {
        let cache = try options.open()
        Interruption.install()
        let progress = ProgressBar("sweep", total: try cache.expiredCount())
        var removed = 0
        while true {
            try Interruption.check()
            let swept = try cache.sweepExpired(limit: batch)
            removed += swept
            progress.update(removed)
            if swept < batch { break }
        }
        progress.finish()
        Output.standard.line(
            json ? JSON.object([("removed", .int(removed))]).text : "removed \(removed) expired entries")
    }
}
