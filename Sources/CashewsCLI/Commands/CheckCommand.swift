import ArgumentParser
import DiskCache

/// `cashews check [--repair]`: verify a cache.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Verify every entry, blob, index and total (exit 3 on damage).",
        discussion: """
            Reads every record and checks its header and checksum (blob files are read and \
            hashed), the exact totals, the expiry index and eviction order, and looks for blob \
            files no entry references (older than --orphan-grace seconds, default 600: a writer \
            elsewhere may not have committed yet). The check is one read transaction: it never \
            blocks writers.

            With --repair, what it finds is fixed in the same pass (damaged entries deleted, \
            index rows added or dropped, totals rewritten, orphan files removed); the report \
            shows what was found before fixing. The repair is one write transaction over the \
            whole cache: run it when writers can wait.

            Exits 3 when anything was wrong (also when it was repaired), 0 when clean. With \
            --json, prints one object: clean, repaired, entries, volume, expired_entries, \
            corrupt_entries, recorded_count, recorded_volume, blob_entries, blob_bytes, \
            recorded_blob_count, recorded_blob_bytes, orphan_blob_files, dangling_index_rows, \
            missing_index_rows.
            """)

    @OptionGroup var options: CacheOptions
    @Flag(help: "Fix what is found.") var repair = false
    @Option(help: "Seconds a blob file must be old to count as an orphan.") var orphanGrace = 600
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let cache = try options.open()
        let terminal = Terminal.standardError
        if terminal.isInteractive {
            terminal.write("checking \(ProgressBar.grouped(try cache.count)) entries…")
        }
        let started = ProgressBar.monotonicSeconds()
        let report = try cache.check(repair: repair, orphanGrace: .seconds(orphanGrace))
        if terminal.isInteractive {
            let seconds = ProgressBar.monotonicSeconds() - started
            let rate = seconds > 0 ? ProgressBar.rateText(Double(report.entries) / seconds) + "/s" : ""
            terminal.write("\r\u{1B}[Kchecked in \(oneDecimal(seconds))s (\(rate))\n")
        }
        if json {
            Output.standard.line(
                JSON.object([
                    ("clean", .bool(report.isClean)), ("repaired", .bool(repair && !report.isClean)),
                    ("entries", .int(report.entries)), ("volume", .int(report.volume)),
                    ("expired_entries", .int(report.expiredEntries)),
                    ("corrupt_entries", .int(report.corruptEntries)), ("recorded_count", .int(report.recordedCount)),
                    ("recorded_volume", .int(report.recordedVolume)), ("blob_entries", .int(report.blobEntries)),
                    ("blob_bytes", .int(report.blobBytes)), ("recorded_blob_count", .int(report.recordedBlobCount)),
                    ("recorded_blob_bytes", .int(report.recordedBlobBytes)),
                    ("orphan_blob_files", .int(report.orphanBlobFiles)),
                    ("dangling_index_rows", .int(report.danglingIndexRows)),
                    ("missing_index_rows", .int(report.missingIndexRows)),
                ]).text)
        } else {
            Output.standard.line(
                report.isClean ? "ok: \(report)" : (repair ? "repaired: \(report)" : "damaged: \(report)"))
        }
        if !report.isClean {
            throw CommandFailure.damage(
                repair
                    ? "" : "the cache is damaged: run `cashews check --repair` to fix it (damaged entries are deleted)")
        }
    }
}
