import ArgumentParser
import DiskCache
import Foundation

/// `cashews import < file.jsonl`: load exported entries.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Store the entries of an export (JSON lines on stdin, or --file).",
        discussion: """
            Reads the lines `cashews export` writes ({"key", "value" in base64, "expires_at", \
            "ttl_ms"}) and stores them --batch per write transaction (all or nothing per batch). \
            Each entry keeps the time it had left when exported (ttl_ms); with \
            --keep-deadlines it keeps its absolute expiry instead (expires_at), and entries \
            already past it are skipped. Existing keys are overwritten. Ctrl-C stops after the \
            current batch, with every earlier batch stored. A malformed line stops the import \
            with its line number (exit 2); the batches before it stay stored. With --json, \
            prints {"imported": N, "skipped_expired": N}.
            """)

    @OptionGroup var options: CacheOptions
    @Option(help: "Read this file instead of stdin.", completion: .file()) var file: String?
    @Option(help: "Entries per write transaction.") var batch = 1000
    @Flag(help: "Keep each entry's absolute expiry instead of its remaining time.") var keepDeadlines = false
    @Flag(help: "Create the cache if the directory holds none.") var create = false
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        if batch < 1 { throw ValidationError("--batch must be positive") }
    }

    func run() throws {
        var descriptor: Int32 = 0
        if let file {
            descriptor = Foundation.open(file, O_RDONLY)
            guard descriptor >= 0 else {
                throw CommandFailure.failed(
                    "cannot open \(file): \(String(cString: strerror(errno))) (check the path and its permissions)")
            }
        }
        defer { if file != nil { close(descriptor) } }
        let cache = try options.open(create: create)
        Interruption.install()
        var info = stat()
        let size = fstat(descriptor, &info) == 0 && info.st_mode & S_IFMT == S_IFREG ? Int(info.st_size) : nil
        let progress = ProgressBar("import", total: size)
        let reader = LineReader(fileDescriptor: descriptor)
        let decoder = JSONDecoder()
        var pending: [(key: String, value: [UInt8], expiry: Expiry)] = []
        var imported = 0
        var skipped = 0
        var number = 0
        func store() throws {
            guard !pending.isEmpty else { return }
            try cache.set(pending)
            imported += pending.count
            pending.removeAll(keepingCapacity: true)
            progress.update(size == nil ? imported : reader.consumed)
            try Interruption.check()
        }
        while let text = try reader.next() {
            number += 1
            if text.count < 3 && text.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) { continue }
            guard let line = ExportLine.parse(text, decoder: decoder) else {
                throw CommandFailure.usage(
                    "line \(number) is not an export line ({\"key\", \"value\", \"expires_at\", \"ttl_ms\"}): "
                        + "\(imported) entries were stored before it")
            }
            guard let value = Base64.decode(line.value) else {
                throw CommandFailure.usage(
                    "line \(number): value is not base64; \(imported) entries were stored before it")
            }
            let expiry: Expiry
            if keepDeadlines, let expiresAt = line.expiresAt {
                guard expiresAt > ExportCommand.wallClockMilliseconds() else {
                    skipped += 1
                    continue
                }
                expiry = .at(milliseconds: expiresAt)
            } else if let ttl = line.ttl {
                expiry = .after(.milliseconds(max(1, ttl)))
            } else {
                expiry = .never
            }
            pending.append((key: line.key, value: value, expiry: expiry))
            if pending.count == batch { try store() }
        }
        try store()
        progress.finish()
        Output.standard.line(
            json
                ? JSON.object([("imported", .int(imported)), ("skipped_expired", .int(skipped))]).text
                : "imported \(imported) entries" + (skipped > 0 ? " (\(skipped) already expired, skipped)" : ""))
    }
}
