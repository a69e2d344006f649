import DiskCache
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The read-scaling workloads of the DiskCache engine (issue 19): many threads, or several
/// processes, reading hits from one cache.
///
///   Compare diskcache <dir> get-hit-threads<N> <keys> <value-bytes> <sync>
///     fills <dir> with <keys> entries, then N threads read random hits for a fixed time;
///   Compare diskcache <dir> get-hit-shared <keys> <value-bytes> <sync>
///     fills <dir> up to <keys> entries if it holds fewer (under a file lock: the first of several
///     processes started at once fills it, the others wait), then reads random hits for a fixed
///     time. Run 1, 2, 4 of them at once on one directory and add their figures.
///
/// Both print the usual "<workload> <ops> <seconds> <ops/s>" line, ops/s being the aggregate of
/// every thread. The time is CASHEWS_BENCH_SECONDS (default 2). COMPARE_POLICY names the eviction
/// policy (default least-recently-stored, as the other engine workloads; e.g. s3-fifo measures
/// the hit bookkeeping of the default policy).
enum ReadWorkloads2 {
    /// True for the workloads this file runs.
    static func handles(_ workload: String) -> Bool {
        workload == "get-hit-shared" || threadCount(workload) != nil
    }

    /// N of `get-hit-threads<N>`.
    static func threadCount(_ workload: String) -> Int? {
        guard workload.hasPrefix("get-hit-threads") else { return nil }
        return Int(workload.dropFirst("get-hit-threads".count)).flatMap { $0 > 0 ? $0 : nil }
    }

    static var seconds: Double {
        ProcessInfo.processInfo.environment["CASHEWS_BENCH_SECONDS"].flatMap { Double($0) } ?? 2
    }

    static func run(directory: String, workload: String, keys: Int, valueSize: Int, sync: Bool) throws -> Int {
        precondition(keys > 0, "at least one key")
        let policy = ProcessInfo.processInfo.environment["COMPARE_POLICY"].flatMap { EvictionPolicy(rawValue: $0) }
        let configuration = DiskCache.Configuration(
            sizeLimit: nil, evictionPolicy: policy ?? .leastRecentlyStored,
            durability: DiskCacheWorkloads.durability(sync: sync),
            initialMapSize: ProcessInfo.processInfo.environment["COMPARE_INITIAL_MAP"].flatMap { Int($0) } ?? 16 << 30)
        let cache = try DiskCache(directory: directory, configuration: configuration)
        try fill(cache, directory: directory, keys: keys, valueSize: valueSize)
        let threads = threadCount(workload) ?? 1
        let seconds = self.seconds
        let clock = ContinuousClock()
        let counts = OperationCounts(threads: threads)
        let failure = FailureBox()
        let ready = DispatchGroup()
        let done = DispatchGroup()
        let start = DispatchSemaphore(value: 0)
        for thread in 0..<threads {
            ready.enter()
            done.enter()
            Thread {
                defer { done.leave() }
                var key = KeyFormatter(prefix: "key-")
                var random = XorShift(skipping: thread)
                var ops = 0
                var sink = 0
                ready.leave()
                start.wait()
                let deadline = clock.now + .nanoseconds(Int64(seconds * 1e9))
                do {
                    while clock.now < deadline {
                        for _ in 0..<256 {
                            key.set(random.next() % UInt32(keys))
                            if let found = try cache.get(key.string) { sink &+= found.count &+ Int(found[0]) }
                        }
                        ops += 256
                    }
                } catch {
                    failure.record(error)
                }
                counts.set(ops.withSink(sink), for: thread)
            }.start()
        }
        ready.wait()
        let begin = clock.now
        for _ in 0..<threads { start.signal() }
        done.wait()
        let elapsed = clock.now - begin
        if let error = failure.error { throw error }
        let total = counts.total
        let duration = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(String(format: "%@ %d %.6f %.0f", workload, total, duration, Double(total) / duration))
        return total
    }

    /// Stores `keys` entries unless the cache holds that many, under an exclusive lock on a file
    /// in the directory, so that of several processes started at once one fills and the others
    /// wait for it.
    static func fill(_ cache: DiskCache, directory: String, keys: Int, valueSize: Int) throws {
        let lockPath = directory + "/bench-fill.lock"
        let fd = open(lockPath, O_CREAT | O_RDWR, 0o600)
        guard fd >= 0 else { throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: lockPath]) }
        defer { close(fd) }
        flock(fd, LOCK_EX)
        defer { flock(fd, LOCK_UN) }
        guard try cache.count < keys else { return }
        try fillInBatches(cache, keys: keys, value: [UInt8](repeating: UInt8(ascii: "v"), count: valueSize))
    }
}

/// Per-thread operation counts, written once by each thread when it ends.
final class OperationCounts: @unchecked Sendable {
    // @unchecked: each slot is written by its own thread only, and read after every thread ended.
    private var counts: [Int]
    private let lock = NSLock()

    init(threads: Int) { counts = Array(repeating: 0, count: threads) }

    func set(_ count: Int, for thread: Int) { lock.withLock { counts[thread] = count } }

    var total: Int { lock.withLock { counts.reduce(0, +) } }
}

extension XorShift {
    /// The generator advanced by `count` × 1000 draws, so that threads read different sequences.
    init(skipping count: Int) {
        self.init()
        for _ in 0..<(count * 1000) { _ = next() }
    }
}
