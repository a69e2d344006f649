import ArgumentParser
import DiskCache

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `cashews export [PATTERN] > file.jsonl`: every live entry as a line of JSON.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the live entries matching a pattern to stdout as JSON lines.",
        discussion: """
            One line per entry, in key order:

              {"key":"k","value":"aGk=","expires_at":1767225600000,"ttl_ms":3599000}

            value is the value's bytes in base64 (blobs included), expires_at the expiry in \
            milliseconds since 1970 (null: never) and ttl_ms the time it had left when exported \
            (null: never). `cashews import` reads this format back. Entries are read in pages of \
            --batch, each in its own short read transaction, so an export beside running \
            writers pins no old snapshot; each page is consistent, the whole export is as of \
            its pages. Damaged values are left out and counted on stderr (exit 3 when any was).
            """)

    @OptionGroup var options: CacheOptions
    @Argument(help: "A glob pattern (default: every key).") var pattern = "*"
    @Option(help: "Entries per read transaction.") var batch = 1000

    func validate() throws {
        if batch < 1 { throw ValidationError("--batch must be positive") }
    }

    func run() throws {
        let cache = try options.open()
        Interruption.install()
        let progress = ProgressBar("export", total: pattern == "*" ? try cache.count : nil)
        // Progress only when the lines go elsewhere than the terminal the bar is drawn on.
        let showsProgress = isatty(1) == 0 && Terminal.standardError.isInteractive
        var exported = 0
        var skipped = 0
        var resume: ResumePoint?
        var line: [UInt8] = []
        repeat {
            try Interruption.check()
            let page = try cache.entries(matching: pattern, after: resume, limit: batch)
            let now = ExportCommand.wallClockMilliseconds()
            for entry in page.entries {
                line.removeAll(keepingCapacity: true)
                ExportCommand.appendLine(entry, now: now, to: &line)
                Output.standard.write(bytes: line)
            }
            exported += page.entries.count
            skipped += page.skipped
            if showsProgress { progress.update(exported) }
            resume = page.resumePoint
        } while resume != nil
        progress.finish()
        Output.standard.flush()
        if showsProgress {
            Terminal.standardError.write("exported \(ProgressBar.grouped(exported)) entries\n")
        }
        if skipped > 0 {
            throw CommandFailure.damage(
                "\(skipped) damaged entries were left out of the export: run `cashews check --repair` to remove them")
        }
    }

    /// Appends the export line of `entry` (read at `now`, ms since 1970) to `line`.
    static func appendLine(_ entry: EntrySnapshot, now: Int64, to line: inout [UInt8]) {
        var key = ""
        JSON.escape(entry.key, into: &key)
        line.append(contentsOf: #"{"key":"#.utf8)
        line.append(contentsOf: key.utf8)
        line.append(contentsOf: #","value":""#.utf8)
        (entry.value ?? []).withUnsafeBytes { Base64.encode($0, into: &line) }
        line.append(contentsOf: #"","expires_at":"#.utf8)
        if let expiresAt = entry.expiresAt {
            line.append(contentsOf: String(expiresAt).utf8)
            line.append(contentsOf: #","ttl_ms":"#.utf8)
            line.append(contentsOf: String(max(1, expiresAt - now)).utf8)
        } else {
            line.append(contentsOf: #"null,"ttl_ms":null"#.utf8)
        }
        line.append(contentsOf: "}\n".utf8)
    }

    /// The wall clock in milliseconds since 1970 (the engine's default clock).
    static func wallClockMilliseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }
}
