import ArgumentParser
import DiskCache

/// `cashews cull --to SIZE`: shrink a cache.
struct CullCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cull",
        abstract: "Remove entries until the cache's volume is at most --to SIZE.",
        discussion: """
            Removes expired entries first, then entries in the cache's eviction-policy order \
            (least recently stored, used or frequently used, or S3-FIFO), --batch per write transaction, \
            until the volume (keys + values + 64 bytes per entry) is at most SIZE (512MiB, 1G, \
            …). A cache with policy "none" only loses expired entries; the command exits 1 when \
            it cannot reach the target. With --json, prints {"removed": N, "volume_before": B, \
            "volume_after": B, "target": B}.
            """)

    @OptionGroup var options: CacheOptions
    @Option(name: .customLong("to"), help: "The volume to reach (e.g. 100MiB).") var target: ByteCount
    @Option(help: "Entries removed per write transaction.") var batch = 1000
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        if batch < 1 { throw ValidationError("--batch must be positive") }
    }

    func run() throws {
        let cache = try options.open()
        Interruption.install()
        let before = try cache.volume
        let progress = ProgressBar("cull", total: max(0, before - target.bytes))
        var removed = 0
        var volume = before
        while volume > target.bytes {
            try Interruption.check()
            let culled = try cache.cull(toVolume: target.bytes, limit: batch)
            removed += culled
            volume = try cache.volume
            progress.update(before - volume)
            if culled == 0 { break }
        }
        progress.finish()
        if json {
            Output.standard.line(
                JSON.object([
                    ("removed", .int(removed)), ("volume_before", .int(before)), ("volume_after", .int(volume)),
                    ("target", .int(target.bytes)),
                ]).text)
        } else {
            Output.standard.line("removed \(removed) entries: \(bytesText(before)) → \(bytesText(volume))")
        }
        if volume > target.bytes {
            throw CommandFailure.failed(
                "the volume is still \(bytesText(volume)): nothing more can be removed (policy \(cache.configuration.evictionPolicy.rawValue) evicts only expired entries)"
            )
        }
    }
}
