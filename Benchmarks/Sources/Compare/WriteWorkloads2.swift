@_spi(Backends) import DiskCache
import Foundation

/// Write workloads of issue 19 on the DiskCache engine:
///
/// - `set-latency`: times every `set` (a monotonic clock around each call) and prints one line,
///   `p50_ns p99_ns max_ns ops_per_s`. The directory may already exist and be shared by other
///   processes running the same command at once: each process writes its own keys.
/// - `set-threads<N>`: N threads setting through the synchronous API (group commit).
/// - `set-async<N>`: N tasks setting through the async group commit (the disk backend's path);
///   `set-async16` stays the original workload of DiskCacheWorkloads.swift.
enum WriteWorkloads2 {
    /// True when `workload` is one of these.
    static func handles(_ workload: String) -> Bool {
        workload == "set-latency" || threadCount(workload, prefix: "set-threads") != nil
            || (workload != "set-async16" && threadCount(workload, prefix: "set-async") != nil)
    }

    /// The N of `<prefix><N>`, if `workload` has that form.
    private static func threadCount(_ workload: String, prefix: String) -> Int? {
        guard workload.hasPrefix(prefix), let count = Int(workload.dropFirst(prefix.count)), count > 0 else {
            return nil
        }
        return count
    }

    static func run(directory: String, workload: String, keys: Int, valueSize: Int, sync: Bool) throws {
        let configuration = DiskCache.Configuration(
            sizeLimit: nil, evictionPolicy: .leastRecentlyStored, durability: DiskCacheWorkloads.durability(sync: sync),
            initialMapSize: ProcessInfo.processInfo.environment["COMPARE_INITIAL_MAP"].flatMap { Int($0) } ?? 16 << 30)
        let cache = try DiskCache(directory: directory, configuration: configuration)
        let value = [UInt8](repeating: UInt8(ascii: "v"), count: valueSize)
        if workload == "set-latency" {
            try latency(cache, keys: keys, value: value)
        } else if let threads = threadCount(workload, prefix: "set-threads") {
            let names = keyNames(count: keys, threads: threads)
            _ = try measure(workload) {
                try DiskCacheWorkloads.concurrently(threads: threads, keys: keys) { thread, i in
                    try cache.set(value, forKey: names[thread][i])
                }
                return keys / threads * threads
            }
        } else if let tasks = threadCount(workload, prefix: "set-async") {
            try asynchronously(cache, workload: workload, tasks: tasks, keys: keys, value: value)
        }
    }

    /// The keys each thread or task writes (made before the clock starts).
    private static func keyNames(count: Int, threads: Int) -> [[String]] {
        let pid = getpid()
        return (0..<threads).map { thread in (0..<count / threads).map { "key-\(pid)-\(thread)-\($0)" } }
    }

    /// `set-latency`: one process's sets, each timed.
    private static func latency(_ cache: DiskCache, keys: Int, value: [UInt8]) throws {
        let names = keyNames(count: keys, threads: 1)[0]
        var samples = [UInt64](repeating: 0, count: names.count)
        let start = monotonicNanoseconds()
        for (i, name) in names.enumerated() {
            let before = monotonicNanoseconds()
            try cache.set(value, forKey: name)
            samples[i] = monotonicNanoseconds() &- before
        }
        let elapsed = Double(monotonicNanoseconds() - start) / 1e9
        samples.sort()
        func percentile(_ p: Double) -> UInt64 {
            samples.isEmpty ? 0 : samples[min(samples.count - 1, Int(Double(samples.count) * p))]
        }
        print("\(percentile(0.5)) \(percentile(0.99)) \(samples.last ?? 0) \(Int(Double(names.count) / elapsed))")
    }

    /// `set-async<N>`: N tasks of a task group, each awaiting its writes one by one.
    private static func asynchronously(_ cache: DiskCache, workload: String, tasks: Int, keys: Int, value: [UInt8])
        throws
    {
        let names = keyNames(count: keys, threads: tasks)
        let perTask = keys / tasks
        let semaphore = DispatchSemaphore(value: 0)
        let failure = FailureBox()
        let clock = ContinuousClock()
        let start = clock.now
        Task.detached {
            do {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for task in 0..<tasks {
                        group.addTask {
                            for i in 0..<perTask {
                                _ = try await cache.write(
                                    value, forKey: names[task][i], expiry: .never, onlyIf: .always)
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
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let operations = perTask * tasks
        print(String(format: "%@ %d %.6f %.0f", workload, operations, seconds, Double(operations) / seconds))
    }

    private static func monotonicNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
