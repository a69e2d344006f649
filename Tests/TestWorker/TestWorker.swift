// A helper process for the multi-process tests. Never shipped.
//
//   TestWorker grow-map <dir> <bytes>       grow the map to <bytes> and write past the old size
//   TestWorker hold-reader <dir>            open a read txn, print "ready", then sleep until killed
//   TestWorker open-unprivileged <dir>      become "nobody", try to open, print the error code
//   TestWorker cache-incr <dir> <n> <start-ms>     at <start-ms> (wall clock), increment "counter" n times
//   TestWorker cache-add <dir> <id> <keys> <start-ms>  race add() on keys race-0..<keys>; print wins
//   TestWorker cache-add-pressure <dir> <id> <policy> <rounds>   room for 8 entries, 8 residents read
//                                          before every round; add() lock-<round> in step with worker
//                                          1-<id> (barrier files <dir>-step-<id>), the winner deletes
//                                          it after both tried; print wins
//   TestWorker damaged-blob <dir> <truncate|delete> <get|withValue|read|chunks|modify|copy>
//                                          store a 64 KiB blob, damage its file, read it one way;
//                                          print "miss <corruptions>" or "hit"
//   TestWorker open-values <dir>          open with the default configuration, read every key; each
//                                          value must be "<key>:v<n>" repeated; print
//                                          "ok <read> unclean=<n> corrupt=<n>" or "wrong <key>"
//   TestWorker read-latency <dir> <initial-map-bytes> <seconds> [hold]   get() in a loop while others
//                                          write (with "hold", another thread keeps 500 ms withValue
//                                          bodies open); print "p50 <ns> p99 <ns> max <ns> reads <n>"
//   TestWorker nested-write <dir>         set() from inside a modify body: must trap, not hang
//   TestWorker foreign-database <dir>     use a database handle of one environment in another's
//                                          transaction: must trap, never write; prints "writing"
//   TestWorker fork-use <dir>             open, fork; the child reads through the parent's cache (must
//                                          trap); print "child-trapped" or "child-read"
//   TestWorker cache-churn <dir> <seed>    write, delete and increment forever; "ready" after 200 ops
//   TestWorker cache-fill <dir> <prefix> <count> <size> <initial-map-bytes>   write keys prefix-0…; "done"
//   TestWorker cache-stream-hang <dir> <key>   stream a blob, print "streaming" mid-way, never finish
//   TestWorker front-incr <dir> <n>        through Cache.setup("disk://<dir>"): increment "visits" n times
//   TestWorker stress <dir> <seed> <ops>   random operations on <dir> (size-bounded) and <dir>-shared
//                                          (counters, a lock); prints "increments N violations V"
//   TestWorker open-check <dir> <fail|recreate>   open, read everything, check; print "ok <n>" or "error <e>"
//   TestWorker disk-full <dir>             write under a file-size limit until it fails, then recover
//   TestWorker strategy-locked <dir> <rounds> <log>   Cache.locked on disk://<dir>: append "enter <pid>" and
//                                          "exit <pid>" to <log> inside the lock, <rounds> times
//   TestWorker strategy-cached <dir> <start-ms>   at <start-ms>, Cache.cached(lock: true) of a slow value that
//                                          counts its computations in "computations"; prints the value
//   TestWorker tx-locked <dir> <rounds> <log>   .locked transactions writing "contended": append "enter <pid>"
//                                          and "exit <pid>" to <log> while holding its lock, <rounds> times
//   TestWorker tx-commit-loop <dir> <keys>   commit gen-0..<keys> = generation, forever; "ready" after the first
//   TestWorker crash-writer <dir> <id> <log>   .full durability, tiny map, blobs: writes w<id>-<n>
//                                          forever, appending n to <log> after each acknowledged set
import Cashews
import CashewsDisk
import DiskCache
import Foundation
import LMDB
import TestSupport

@main
struct TestWorker {
    static func main() async throws {
        let args = CommandLine.arguments
        guard args.count >= 3 else {
            FileHandle.standardError.write(Data("usage: TestWorker <command> <dir> [args]\n".utf8))
            exit(2)
        }
        let directory = args[2]
        switch args[1] {
        case "grow-map":
            let bytes = Int(args[3])!
            let env = try Environment(path: directory, options: .init(mapSize: 1 << 20, maximumMapSize: nil))
            let db = try env.database(named: "data", flags: .create)
            try env.setMapSize(bytes)
            // Write more than the old map could hold, so readers of the old size must adopt.
            let value = [UInt8](repeating: 7, count: 1000)
            for batch in 0..<8 {
                try env.write { txn in
                    for i in 0..<500 { try txn.put(value, forKey: Array("grown-\(batch)-\(i)".utf8), in: db) }
                }
            }
            print("grown \(try env.info().mapSize)")
        case "hold-reader":
            let env = try Environment(path: directory)
            let db = try env.database(named: "data", flags: .create)
            try env.read { txn in
                _ = try txn.value(forKey: Array("x".utf8), in: db)
                FileHandle.standardOutput.write(Data("ready\n".utf8))
                while true { sleep(60) }
            }
        case "open-unprivileged":
            // Drop root to "nobody", then try to open: the tests expect EACCES.
            guard setgid(65534) == 0, setuid(65534) == 0 else {
                print("error setuid")
                exit(1)
            }
            do {
                _ = try Environment(path: directory)
                print("opened")
            } catch let error as LMDBError {
                print("error \(error.code.rawValue)")
            }
        case "cache-incr":
            let cache = try DiskCache(directory: directory)
            waitUntil(Int64(args[4])!)
            for _ in 0..<Int(args[3])! { try cache.increment("counter") }
            print("done")
        case "cache-open-new":
            // Opens a directory that does not exist yet, at the same moment as other workers.
            waitUntil(Int64(args[4])!)
            let cache = try DiskCache(directory: directory)
            try cache.set(Array("here".utf8), forKey: "worker-\(args[3])")
            print("done \(try cache.statistics().uncleanShutdowns)")  // what this open took for a crash
        case "cache-add":
            let cache = try DiskCache(directory: directory)
            waitUntil(Int64(args[5])!)
            var wins = 0
            for key in 0..<Int(args[4])! where try cache.add(Array(args[3].utf8), forKey: "race-\(key)") {
                wins += 1
            }
            print("wins \(wins)")
        case "cache-add-pressure":
            let id = Int(args[3])!
            let policy = EvictionPolicy(rawValue: args[4])!
            let cache = try DiskCache(
                directory: directory,
                configuration: .init(sizeLimit: nil, countLimit: 8, evictionPolicy: policy, durability: .none))
            // Both workers take each step together (barrier files), so that between the two adds
            // of a key no other key is written: only an add whose key is gone at once lets both win.
            func step(_ number: Int) {
                writeStep(number, to: "\(directory)-step-\(id)")
                while readStep(from: "\(directory)-step-\(1 - id)") < number { usleep(20) }
            }
            var wins = 0
            for round in 0..<Int(args[5])! {
                step(3 * round)
                // Keep the cache full of residents that were all just read: an add must evict one.
                for resident in 0..<8 where try cache.get("resident-\(resident)") == nil {
                    try cache.set(Array("r".utf8), forKey: "resident-\(resident)")
                }
                for resident in 0..<8 { _ = try cache.get("resident-\(resident)") }
                step(3 * round + 1)
                let won = try cache.add(Array("worker-\(id)".utf8), forKey: "lock-\(round)")
                if won { wins += 1 }
                step(3 * round + 2)
                if won { try cache.delete("lock-\(round)") }  // released, as a lock is
            }
            writeStep(Int.max, to: "\(directory)-step-\(id)")
            print("wins \(wins)")
        case "damaged-blob":
            let cache = try DiskCache(
                directory: directory, configuration: .init(sizeLimit: nil, durability: .none, blobThreshold: 1024))
            try cache.set([UInt8](repeating: 5, count: 64 << 10), forKey: "k")
            let folder = try FileManager.default.contentsOfDirectory(atPath: directory + "/blobs")[0]
            let name = try FileManager.default.contentsOfDirectory(atPath: directory + "/blobs/" + folder)[0]
            let file = directory + "/blobs/" + folder + "/" + name
            if args[3] == "truncate" { truncate(file, 0) } else { unlink(file) }
            var found = false
            switch args[4] {
            case "get": found = try cache.get("k") != nil
            case "withValue": found = try cache.withValue(forKey: "k") { $0.reduce(0) { $0 &+ $1 } } != nil
            case "read":
                do {
                    try cache.read("k") { _ in found = true }
                } catch DiskCacheError.corruptValue {
                    found = false
                }
            case "chunks":
                do {
                    for try await _ in cache.chunks(forKey: "k") { found = true }
                } catch DiskCacheError.corruptValue {
                    found = false
                }
            case "modify": found = try cache.modify("k") { entry in entry != nil }
            default: found = try cache.copyValue(forKey: "k", toFile: directory + "/copy")
            }
            print(found ? "hit" : "miss \(try cache.statistics().corruptions)")
        case "open-values":
            do {
                let cache = try DiskCache(directory: directory)
                var read = 0
                for key in try cache.keys() {
                    guard let value = try cache.get(key) else { continue }
                    let text = String(decoding: value, as: UTF8.self)
                    let unit = text.prefix { $0 != "|" } + "|"
                    guard unit.hasPrefix("\(key):v"),
                        text == String(repeating: String(unit), count: text.count / unit.count)
                    else {
                        print("wrong \(key)")
                        exit(0)
                    }
                    read += 1
                }
                let stats = try cache.statistics()
                print("ok \(read) unclean=\(stats.uncleanShutdowns) clean=\(try cache.check().isClean)")
            } catch {
                print("error \(error)")
            }
        case "read-latency":
            let cache = try DiskCache(
                directory: directory,
                configuration: .init(sizeLimit: nil, durability: .none, initialMapSize: Int(args[3])!))
            try cache.set(Array("value".utf8), forKey: "probe")
            if args.count > 5 && args[5] == "hold" {
                Thread.detachNewThread {
                    while true { _ = try? cache.withValue(forKey: "probe") { _ in usleep(500_000) } }
                }
            }
            var samples: [UInt64] = []
            let end = DispatchTime.now().uptimeNanoseconds + UInt64(Double(args[4])! * 1e9)
            while DispatchTime.now().uptimeNanoseconds < end {
                let start = DispatchTime.now().uptimeNanoseconds
                _ = try cache.get("probe")
                samples.append(DispatchTime.now().uptimeNanoseconds - start)
            }
            samples.sort()
            func at(_ q: Double) -> UInt64 { samples[min(samples.count - 1, Int(Double(samples.count) * q))] }
            print("p50 \(at(0.5)) p99 \(at(0.99)) max \(samples.last ?? 0) reads \(samples.count)")
        case "nested-write":
            let cache = try DiskCache(directory: directory, configuration: .init(sizeLimit: nil, durability: .none))
            try cache.set(Array("v".utf8), forKey: "k")
            FileHandle.standardOutput.write(Data("writing\n".utf8))
            // In a modify body the write would wait for the batch that runs the body: forever.
            try cache.modify("k") { _ in try cache.set(Array("w".utf8), forKey: "other") }
            print("returned")
        case "foreign-database":
            let first = try Environment(path: directory + "/a")
            let second = try Environment(path: directory + "/b")
            let ofFirst = try first.database(named: "only-in-a", flags: .create)
            _ = try second.database(named: "only-in-b", flags: .create)
            FileHandle.standardOutput.write(Data("writing\n".utf8))
            try second.write { txn in try txn.put(Array("v".utf8), forKey: Array("k".utf8), in: ofFirst) }
            print("returned")
        case "fork-use":
            let cache = try DiskCache(directory: directory, configuration: .init(sizeLimit: nil, durability: .none))
            try cache.set(Array("v".utf8), forKey: "k")
            let child = forkProcess()
            if child == 0 {
                _ = try? cache.get("k")
                _exit(0)
            }
            var status: Int32 = 0
            waitpid(child, &status, 0)
            print(status & 0x7f != 0 ? "child-trapped" : "child-read")
        case "cache-churn":
            let cache = try DiskCache(directory: directory)
            var random = SplitMix64(seed: UInt64(args[3])!)
            var operations = 0
            while true {
                let key =
                    "churn-\(random.next() % 500)" + (random.next() % 10 == 0 ? String(repeating: "L", count: 600) : "")
                switch random.next() % 10 {
                case 0..<6:
                    let size = Int(random.next() % 8000)
                    try cache.set(
                        [UInt8](repeating: UInt8(size % 256), count: size), forKey: key,
                        expiry: random.next() % 2 == 0 ? .never : .after(.milliseconds(Int64(1 + random.next() % 50))))
                case 6..<8: try cache.delete(key)
                default: try cache.increment("churn-counter")
                }
                operations += 1
                if operations == 200 { FileHandle.standardOutput.write(Data("ready\n".utf8)) }
            }
        case "cache-fill":
            let cache = try DiskCache(
                directory: directory, configuration: .init(sizeLimit: nil, initialMapSize: Int(args[6])!))
            let value = [UInt8](repeating: 3, count: Int(args[5])!)
            for i in 0..<Int(args[4])! { try cache.set(value, forKey: "\(args[3])-\(i)") }
            print("done")
        case "open-check":
            Reliability.openCheck(directory: directory, recreate: args[3] == "recreate")
        case "disk-full":
            try Reliability.diskFull(directory: directory)
        case "stress":
            try Reliability.stress(directory: directory, seed: UInt64(args[3])!, operations: Int(args[4])!)
        case "crash-writer":
            try Reliability.crashWriter(directory: directory, id: Int(args[3])!, log: args[4])
        case "front-incr":
            let cache = Cache()
            Cache.register(.disk)
            try cache.setup("disk://\(directory)")
            for _ in 0..<Int(args[3])! { try await cache.increment("visits") }
            try await cache.set("last-writer", "pid-\(getpid())")
            print("done")
        case "tag-overwrite":
            // A cache that never tags: its overwrite and delete still untag what another
            // process tagged.
            let cache = Cache()
            Cache.register(.disk)
            try cache.setup("disk://\(directory)")
            try await cache.set("k", 2, ttl: "1h")
            try await cache.delete("d")
            print("done")
        case "strategy-locked":
            let cache = Cache()
            Cache.register(.disk)
            try cache.setup("disk://\(directory)")
            let log = args[4]
            for _ in 0..<Int(args[3])! {
                try await cache.locked(key: "critical", ttl: "30s", checkInterval: .milliseconds(1)) {
                    append("enter \(getpid())", to: log)
                    usleep(2000)
                    append("exit \(getpid())", to: log)
                }
            }
            print("done")
        case "strategy-cached":
            let cache = Cache()
            Cache.register(.disk)
            try cache.setup("disk://\(directory)")
            waitUntil(Int64(args[3])!)
            let value = try await cache.cached(key: "expensive", ttl: "1m", lock: true) {
                try await cache.increment("computations")
                try await Task.sleep(for: .milliseconds(300))
                return "computed by \(getpid())"
            }
            print(value)
        case "tx-locked":
            let cache = Cache()
            Cache.register(.disk)
            try cache.setup("disk://\(directory)")
            let log = args[4]
            for round in 0..<Int(args[3])! {
                try await cache.transaction(mode: .locked, timeout: "30s") { _ in
                    try await cache.set("contended", "\(getpid())-\(round)")  // takes the key's lock
                    append("enter \(getpid())", to: log)
                    usleep(2000)
                    append("exit \(getpid())", to: log)
                }
            }
            print("done")
        case "tx-commit-loop":
            let cache = Cache()
            Cache.register(.disk)
            try cache.setup("disk://\(directory)?durability=none")
            let keys = Int(args[3])!
            var generation = 0
            while true {
                generation += 1
                try await cache.transaction(mode: .fast) { _ in
                    for index in 0..<keys { try await cache.set("gen-\(index)", generation) }
                }
                if generation == 1 { FileHandle.standardOutput.write(Data("ready\n".utf8)) }
            }
        case "cache-stream-hang":
            let cache = try DiskCache(directory: directory)
            let chunks = AsyncStream<[UInt8]> { continuation in
                continuation.yield([UInt8](repeating: 1, count: 256 << 10))
                continuation.yield([UInt8](repeating: 2, count: 256 << 10))
                // Never finishes: the test kills the process mid-blob.
            }
            let task = Task.detached { try await cache.set(chunks: chunks, forKey: args[3]) }
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline {
                if let size = try? FileManager.default.subpathsOfDirectory(atPath: directory + "/blobs"),
                    size.count >= 2
                {
                    break
                }
                usleep(1000)
            }
            usleep(50_000)
            FileHandle.standardOutput.write(Data("streaming\n".utf8))
            // Hang until the test kills this process, but not forever if the test is gone.
            try await Task.sleep(for: .seconds(60))
            task.cancel()
        default:
            FileHandle.standardError.write(Data("unknown command \(args[1])\n".utf8))
            exit(2)
        }
    }
}

/// Appends `line` to the file at `path` in one write (O_APPEND: lines of processes never mix).
func append(_ line: String, to path: String) {
    let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
    precondition(fd >= 0, "cannot open \(path)")
    let bytes = Array((line + "\n").utf8)
    precondition(write(fd, bytes, bytes.count) == bytes.count, "short write to \(path)")
    close(fd)
}

/// `fork()`, which Swift does not import directly.
func forkProcess() -> pid_t {
    typealias Fork = @convention(c) () -> pid_t
    let symbol = dlsym(dlopen(nil, RTLD_NOW), "fork")
    return unsafeBitCast(symbol, to: Fork.self)()
}

/// Records that this worker reached `step` (a file holding the number).
func writeStep(_ step: Int, to path: String) {
    let temporary = path + ".tmp"
    try? String(step).write(toFile: temporary, atomically: false, encoding: .utf8)
    rename(temporary, path)
}

/// The step another worker recorded (-1 before it started).
func readStep(from path: String) -> Int {
    (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { Int($0) } ?? -1
}

/// Spins until the wall clock reaches `milliseconds` since the epoch (a start line for races).
func waitUntil(_ milliseconds: Int64) {
    while Int64(Date().timeIntervalSince1970 * 1000) < milliseconds { usleep(200) }
}
