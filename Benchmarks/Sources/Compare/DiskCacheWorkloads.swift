@_spi(Backends) import DiskCache
import Foundation

/// The comparison workloads on the DiskCache engine, through its public API.
enum DiskCacheWorkloads {
    /// `.full` for "sync", else the default `.periodic(1 s)`; COMPARE_DURABILITY (full,
    /// metadataAsync, periodic, none) overrides it, to measure the modes against each other.
    static func durability(sync: Bool) -> Durability {
        switch ProcessInfo.processInfo.environment["COMPARE_DURABILITY"] {
        case "full": .full
        case "metadataAsync": .metadataAsync
        case "none": .none
        case "periodic": .periodic(.seconds(1))
        default: sync ? .full : .periodic(.seconds(1))
        }
    }

    static func run(directory: String, workload: String, keys: Int, valueSize: Int, sync: Bool) throws -> Int {
        let policy = ProcessInfo.processInfo.environment["COMPARE_POLICY"].flatMap { EvictionPolicy(rawValue: $0) }
        let configuration = DiskCache.Configuration(
            sizeLimit: nil,
            evictionPolicy: policy ?? .leastRecentlyStored,
            durability: durability(sync: sync),
            initialMapSize: ProcessInfo.processInfo.environment["COMPARE_INITIAL_MAP"].flatMap { Int($0) } ?? 16 << 30)
        var cache: DiskCache? = try DiskCache(directory: directory, configuration: configuration)
        let value = [UInt8](repeating: UInt8(ascii: "v"), count: valueSize)
        var key = KeyFormatter(prefix: "key-")
        let preload = !["set", "set-batch", "set-concurrent16", "set-async16"].contains(workload)
        if preload {
            try fillInBatches(
                cache!, keys: keys, value: value, expiry: workload == "sweep" ? .after(.milliseconds(1)) : .never)
            if workload == "sweep" { usleep(5_000) }
        }
        var sink = 0
        var random = XorShift()
        return try measure(workload) {
            switch workload {
            case "get-hit", "get-miss":
                if workload == "get-miss" { key = KeyFormatter(prefix: "nokey-") }
                let engine = cache!  // unwrapped once: `cache!` in the loop would retain it per get
                for _ in 0..<keys * 3 {
                    key.set(random.next() % UInt32(keys))
                    if let found = try engine.get(key.string) { sink &+= found.count &+ Int(found[0]) }
                }
                return keys * 3
            case "get-hit-inplace":
                // The zero-copy read: the value is looked at in the map, not copied out.
                let rounds = Int(ProcessInfo.processInfo.environment["COMPARE_ROUNDS"] ?? "3") ?? 3
                let engine = cache!
                for _ in 0..<keys * rounds {
                    key.set(random.next() % UInt32(keys))
                    sink &+= try engine.withValue(forKey: key.string) { $0.count &+ Int($0[0]) } ?? 0
                }
                return keys * rounds
            case "set":
                for i in 0..<keys {
                    key.set(UInt32(i))
                    try cache!.set(value, forKey: key.string)
                }
            case "set-batch":
                // Many sets in one call: 1000 per transaction, as the raw anchor does.
                for start in stride(from: 0, to: keys, by: 1000) {
                    var batch: [(key: String, value: [UInt8])] = []
                    for i in start..<min(start + 1000, keys) {
                        key.set(UInt32(i))
                        batch.append((key.string, value))
                    }
                    try cache!.set(batch)
                }
            case "set-async16":
                // 16 tasks writing through the async group commit (the path the disk backend uses).
                let shared = cache!
                let perTask = keys / 16
                let semaphore = DispatchSemaphore(value: 0)
                let failure = FailureBox()
                Task.detached {
                    do {
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            for task in 0..<16 {
                                group.addTask {
                                    for i in 0..<perTask {
                                        _ = try await shared.write(
                                            value, forKey: "key-\(task)-\(i)", expiry: .never, onlyIf: .always)
                                    }
                                }
                            }
                            try await group.waitForAll()
                        }
                    } catch {
                        failure.record(error)
                    }
                    semaphore.signal()
                }
                semaphore.wait()
                if let error = failure.error { throw error }
                return perTask * 16
            case "set-concurrent16":
                let shared = cache!
                try concurrently(threads: 16, keys: keys) { thread, i in
                    try shared.set(value, forKey: "key-\(thread)-\(i)")
                }
            case "delete":
                for i in 0..<keys {
                    key.set(UInt32(i))
                    try cache!.delete(key.string)
                }
            case "sweep":
                var removed = 0
                while true {
                    let swept = try cache!.sweepExpired(limit: 1000)
                    if swept == 0 { break }
                    removed += swept
                }
                precondition(removed > 0, "nothing expired")
                return removed
            case "open":
                // Close and reopen the cache (a real mdb_env_open each time: the process-wide
                // registry closes the environment when its last user goes away).
                cache = nil
                let opens = 200
                for _ in 0..<opens {
                    let reopened = try DiskCache(directory: directory, configuration: configuration)
                    sink &+= try reopened.count
                }
                return opens
            default:
                throw CompareError.unknownWorkload(workload)
            }
            return keys
        }
        .withSink(sink)
    }

    /// Runs `body(thread, i)` for i in 0..<keys/threads on each of `threads` OS threads.
    static func concurrently(threads: Int, keys: Int, _ body: @escaping @Sendable (Int, Int) throws -> Void) throws {
        let perThread = keys / threads
        let group = DispatchGroup()
        let failure = FailureBox()
        for thread in 0..<threads {
            group.enter()
            Thread {
                defer { group.leave() }
                do {
                    for i in 0..<perThread { try body(thread, i) }
                } catch {
                    failure.record(error)
                }
            }.start()
        }
        group.wait()
        if let error = failure.error { throw error }
    }
}

/// The first error of several threads.
final class FailureBox: @unchecked Sendable {
    // @unchecked: `first` is only touched under `lock`.
    private let lock = NSLock()
    private var first: (any Error)?
    func record(_ error: any Error) { lock.withLock { if first == nil { first = error } } }
    var error: (any Error)? { lock.withLock { first } }
}
