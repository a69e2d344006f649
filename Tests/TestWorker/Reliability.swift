import DiskCache
import Foundation
import TestSupport

/// The worker side of the stress and crash tests.
enum Reliability {
    /// The value a crash writer stores under w<id>-<n>: its size and bytes follow from (id, n).
    static func crashValue(id: Int, n: Int) -> [UInt8] {
        var generator = SplitMix64(seed: UInt64(id) << 32 | UInt64(n))
        let size = Int(generator.next() % 4 == 0 ? 5000 + generator.next() % 40_000 : generator.next() % 2000)
        let byte = UInt8(truncatingIfNeeded: generator.next())
        return [UInt8](repeating: byte, count: size)
    }

    /// The shared-state configuration of the stress test (no size bound: counters must stay).
    static func sharedCache(_ directory: String) throws -> DiskCache {
        try DiskCache(directory: directory + "-shared", configuration: .init(sizeLimit: nil, durability: .none))
    }

    /// The data configuration of the stress test: a small hard bound, blobs above 16 KiB.
    static func dataCache(_ directory: String) throws -> DiskCache {
        try DiskCache(
            directory: directory,
            configuration: .init(
                sizeLimit: 2 << 20, durability: .none, initialMapSize: 256 << 10, blobThreshold: 16 << 10))
    }

    static func stress(directory: String, seed: UInt64, operations: Int) throws {
        let data = try dataCache(directory)
        let shared = try sharedCache(directory)
        var random = SplitMix64(seed: seed)
        var increments = 0
        var violations = 0
        let token = Array("worker-\(getpid())".utf8)
        for _ in 0..<operations {
            let key = "key-\(random.next() % 300)"
            switch random.next() % 10 {
            case 0, 1, 2:
                let size = random.next() % 8 == 0 ? Int(16_000 + random.next() % 100_000) : Int(random.next() % 3000)
                try data.set(
                    [UInt8](repeating: UInt8(truncatingIfNeeded: random.next()), count: size), forKey: key,
                    expiry: random.next() % 3 == 0 ? .after(.milliseconds(Int64(1 + random.next() % 200))) : .never)
            case 3, 4:
                if let value = try data.get(key), let first = value.first, value.contains(where: { $0 != first }) {
                    violations += 1  // a torn value: every value is one repeated byte
                }
            case 5:
                try data.delete(key)
            case 6:
                try shared.increment("counter")
                increments += 1
            case 7:
                _ = try data.add([1], forKey: key)
            case 8:
                _ = try data.expire(key, after: .milliseconds(Int64(1 + random.next() % 100)))
            default:
                // The lock: take it, check that nobody else is inside, leave, release it.
                guard try shared.add(token, forKey: "lock", expiry: .after(.seconds(30))) else { continue }
                let entered = try shared.modify("inside") { entry -> Bool in
                    defer { entry = ModifiableEntry(value: token) }
                    return entry == nil
                }
                if !entered { violations += 1 }
                let left = try shared.modify("inside") { entry -> Bool in
                    defer { entry = nil }
                    return entry?.value == token
                }
                if !left { violations += 1 }
                let released = try shared.modify("lock") { entry -> Bool in
                    guard entry?.value == token else { return false }
                    entry = nil
                    return true
                }
                if !released { violations += 1 }
            }
        }
        print("increments \(increments) violations \(violations)")
    }

    static func crashWriter(directory: String, id: Int, log: String) throws {
        let cache = try DiskCache(
            directory: directory,
            configuration: .init(sizeLimit: nil, durability: .full, initialMapSize: 256 << 10, blobThreshold: 4096))
        let fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        precondition(fd >= 0, "cannot open the log \(log)")
        FileHandle.standardOutput.write(Data("writing\n".utf8))
        var n = 0
        while true {
            try cache.set(crashValue(id: id, n: n), forKey: "w\(id)-\(n)")
            let line = Array("\(n)\n".utf8)
            _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }  // acknowledged
            n += 1
        }
    }

    /// Opens a (possibly damaged) cache, reads every value and checks it; reports the outcome.
    /// A damaged value must read as absent, never as other bytes: every value of the corruption
    /// tests is one byte repeated.
    static func openCheck(directory: String, recreate: Bool) {
        do {
            let cache = try DiskCache(
                directory: directory, configuration: .init(sizeLimit: nil, onCorruption: recreate ? .recreate : .fail))
            var read = 0
            for key in try cache.keys() {
                guard let value = try cache.get(key) else { continue }
                if let first = value.first, value.contains(where: { $0 != first }) {
                    print("wrong value for \(key)")
                    return
                }
                read += 1
            }
            _ = try cache.check()
            print("ok \(read)")
        } catch {
            print("error \(error)")
        }
    }

    /// Fills the disk (a file-size limit stands in for it), expects a typed error, checks that the
    /// data written before is intact, then lifts the limit and writes again.
    static func diskFull(directory: String) throws {
        let cache = try DiskCache(
            directory: directory, configuration: .init(sizeLimit: nil, durability: .full, initialMapSize: 1 << 20))
        signal(SIGXFSZ, SIG_IGN)
        var limit = rlimit()
        let resource = __rlimit_resource_t(RLIMIT_FSIZE.rawValue)
        getrlimit(resource, &limit)
        let original = limit
        limit.rlim_cur = 4 << 20  // no file may grow past 4 MiB
        setrlimit(resource, &limit)
        var written = 0
        var failure = "none"
        while written < 100_000 {
            do {
                try cache.set([UInt8](repeating: UInt8(written % 251), count: 3000), forKey: "k\(written)")
                written += 1
            } catch {
                failure = "\(error)"
                break
            }
        }
        var intact = 0
        for index in 0..<written where try cache.get("k\(index)") == [UInt8](repeating: UInt8(index % 251), count: 3000)
        {
            intact += 1
        }
        var restored = original
        setrlimit(resource, &restored)
        try cache.set([1, 2, 3], forKey: "after")
        let recovered = try cache.get("after") == [1, 2, 3] && cache.check().isClean
        print("written \(written) intact \(intact) recovered \(recovered)")
        print("failure \(failure)")
    }
}
