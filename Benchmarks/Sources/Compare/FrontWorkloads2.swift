import Cashews
import CashewsDisk
import DiskCache
import Foundation

/// More facade workloads (issue 19):
///
///   Compare front <dir> engine-get <keys> <value-bytes> nosync
///       gets through the `Cache` front on a disk backend, then the `DiskCache` engine's own
///       `get` of the same keys in the same process; prints both lines, the engine's last (the
///       ratio front / engine is the goal's).
///   Compare front - mem-bytes-per-entry <entries> 0 nosync
///       resident memory per entry of `<entries>` small entries (keys `key-<n>`, `Int` values) in
///       the memory backend and in a `[String: Int]`, each measured in a child process of its
///       own; the last number is the ratio memory backend / dictionary.
enum FrontWorkloads2 {
    /// The workloads of `Compare front` that this file runs.
    static let names: Set = ["engine-get", "mem-bytes-per-entry", "mem-bytes-memory", "mem-bytes-dict"]

    static func run(directory: String, workload: String, keys: Int, valueSize: Int) async throws -> Int {
        switch workload {
        case "engine-get": return try await engineGet(directory: directory, keys: keys, valueSize: valueSize)
        case "mem-bytes-per-entry": return try bytesPerEntry(entries: keys)
        case "mem-bytes-memory", "mem-bytes-dict": return try await bytesPerEntry(of: workload, entries: keys)
        default: throw CompareError.unknownWorkload(workload)
        }
    }

    /// Front gets and engine gets of the same 100 B values, written through the front.
    static func engineGet(directory: String, keys: Int, valueSize: Int) async throws -> Int {
        let value = [UInt8](repeating: UInt8(ascii: "v"), count: valueSize)
        var key = KeyFormatter(prefix: "key-")
        let names = (0..<keys).map { index -> String in
            key.set(UInt32(index))
            return key.string
        }
        var random = XorShift()
        let rounds = Int(ProcessInfo.processInfo.environment["COMPARE_ROUNDS"] ?? "3") ?? 3
        let order = (0..<keys * rounds).map { _ in Int(random.next() % UInt32(keys)) }
        let cache = Cache()
        Cache.register(.disk)
        try cache.setup("disk://\(directory)?durability=none&size_limit=none")
        for start in stride(from: 0, to: keys, by: 10_000) {
            let batch = Dictionary(
                uniqueKeysWithValues: names[start..<min(start + 10_000, keys)].map { ($0, value) })
            try await cache.set(batch)
        }
        guard let engine = (try cache.backend(for: names[0]) as? DiskBackend)?.cache else {
            throw CompareError.unknownWorkload("engine-get: the disk backend is wrapped")
        }
        var sink = 0
        // Every page mapped in first, so that neither pass pays the other's page faults.
        for name in names { sink &+= try engine.get(name)?.count ?? 0 }
        // Interleaved, twice: the figures of the second round are the ones to compare.
        for _ in 0..<2 {
            try await measureAsync("disk-get", operations: order.count) {
                for index in order { sink &+= try await cache.get(names[index], as: [UInt8].self)?.count ?? 0 }
            }
            try await measureAsync("engine-get", operations: order.count) {
                for index in order { sink &+= try engine.get(names[index])?.count ?? 0 }
            }
        }
        return order.count.withSink(sink)
    }

    /// Runs the memory backend's and the dictionary's measurement each in a child process (so
    /// that neither reuses pages the other freed) and prints both and their ratio.
    static func bytesPerEntry(entries: Int) throws -> Int {
        var results: [Double] = []
        for part in ["mem-bytes-memory", "mem-bytes-dict"] {
            let child = Process()
            child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
            child.arguments = ["front", "-", part, String(entries), "0", "nosync"]
            let output = Pipe()
            child.standardOutput = output
            try child.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            child.waitUntilExit()
            let line = String(decoding: data, as: UTF8.self).split(separator: "\n").last ?? ""
            guard child.terminationStatus == 0, let bytes = line.split(separator: " ").last.flatMap({ Double($0) })
            else { throw CompareError.unknownWorkload("\(part) failed: \(line)") }
            print(line)
            results.append(bytes)
        }
        print(
            String(
                format: "mem-bytes-per-entry memory/dict %.0f %.0f %.2f", results[0], results[1],
                results[0] / results[1]))
        return entries
    }

    /// Resident bytes per entry of `entries` entries in the memory backend or in a dictionary:
    /// prints "<workload> <entries> <resident bytes> <bytes per entry>".
    static func bytesPerEntry(of workload: String, entries: Int) async throws -> Int {
        var key = KeyFormatter(prefix: "key-")
        let before = residentBytes()
        let after: Int
        if workload == "mem-bytes-memory" {
            let backend = MemoryBackend(configuration: .init(maxEntries: nil))
            for index in 0..<entries {
                key.set(UInt32(index))
                _ = try await backend.set(key.string, .object(index), expiry: .never, condition: .always)
            }
            after = residentBytes()
            withExtendedLifetime(backend) {}
        } else {
            var table: [String: Int] = [:]
            for index in 0..<entries {
                key.set(UInt32(index))
                table[key.string] = index
            }
            after = residentBytes()
            withExtendedLifetime(table) {}
        }
        let delta = after - before
        print(String(format: "%@ %d %d %.1f", workload, entries, delta, Double(delta) / Double(entries)))
        return entries
    }

    /// The process's resident set, from /proc/self/statm.
    static func residentBytes() -> Int {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = statm.split(separator: " ")
        return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
    }
}
