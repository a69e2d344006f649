import ArgumentParser
import DiskCache

/// `cashews stats`: what the cache holds and how full it is.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Show entries, volume, files, readers and policy of a cache.",
        discussion: """
            Prints the exact totals every process shares (entries, volume, blob files and bytes), \
            the volume against --size-limit when given (a cache does not record its limit), the \
            map and file sizes, the reader slots claimed, the eviction policy the cache was \
            created with, the durability this tool writes with (always "periodic": flushed \
            every second and when the command ends), and the entries that have expired but are \
            not swept yet (O(expired), through the expiry index).

            With --json, prints one object: directory, entries, volume, size_limit, \
            volume_percent, map_size, file_size, used_bytes, blob_files, blob_bytes, readers, \
            max_readers, policy, durability, expired_unswept.
            """)

    @OptionGroup var options: CacheOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let cache = try options.open()
        let statistics = try cache.statistics()
        let storage = try cache.storageInfo()
        let expired = try cache.expiredCount()
        let limit = options.sizeLimit?.bytes
        let percent = limit.map { $0 > 0 ? Double(statistics.volume) * 100 / Double($0) : 0 }
        let policy = cache.configuration.evictionPolicy.rawValue
        let durability = "periodic"
        if json {
            Output.standard.line(
                JSON.object([
                    ("directory", .string(cache.directory)), ("entries", .int(statistics.count)),
                    ("volume", .int(statistics.volume)), ("size_limit", .int(limit)),
                    ("volume_percent", percent.map { .double(($0 * 10).rounded() / 10) } ?? .null),
                    ("map_size", .int(storage.mapSize)), ("file_size", .int(storage.fileSize)),
                    ("used_bytes", .int(storage.usedBytes)), ("blob_files", .int(statistics.blobCount)),
                    ("blob_bytes", .int(statistics.blobBytes)), ("readers", .int(storage.readersInUse)),
                    ("max_readers", .int(storage.maxReaders)), ("policy", .string(policy)),
                    ("durability", .string(durability)), ("expired_unswept", .int(expired)),
                ]).text)
            return
        }
        let volume =
            limit.map { "\(bytesText(statistics.volume)) of \(bytesText($0)) (\(oneDecimal(percent ?? 0))%)" }
            ?? "\(bytesText(statistics.volume)) (no --size-limit given)"
        let rows: [(String, String)] = [
            ("directory", cache.directory),
            ("entries", ProgressBar.grouped(statistics.count)),
            ("volume", volume),
            ("expired, not swept", ProgressBar.grouped(expired)),
            ("blob files", "\(ProgressBar.grouped(statistics.blobCount)) (\(bytesText(statistics.blobBytes)))"),
            ("data file", "\(bytesText(storage.fileSize)) on disk, \(bytesText(storage.usedBytes)) in use"),
            ("map size", bytesText(storage.mapSize)),
            ("readers", "\(storage.readersInUse) of \(storage.maxReaders) slots claimed"),
            ("policy", policy),
            ("durability", "periodic, flushed when the command ends (this tool's writes)"),
        ]
        printTable(rows)
    }
}

/// Prints `rows` as aligned `name  value` lines.
func printTable(_ rows: [(String, String)]) {
    let width = rows.map(\.0.count).max() ?? 0
    for (name, value) in rows {
        Output.standard.line(name + ":" + String(repeating: " ", count: width - name.count + 2) + value)
    }
}

/// `1536` as `1.5 KiB`.
func bytesText(_ bytes: Int) -> String {
    let units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1024 && unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    return unit == 0 ? "\(bytes) bytes" : "\(oneDecimal(value)) \(units[unit])"
}

/// A number with one decimal.
func oneDecimal(_ value: Double) -> String {
    let tenths = Int((value * 10).rounded())
    return "\(tenths / 10).\(abs(tenths % 10))"
}
