import DiskCache
import Foundation

/// Workloads for the size bound and for large values (issue goals: flat eviction cost, blob
/// throughput against plain files, file size under churn).
enum SizeWorkloads {
    /// `set-evicting`: a cache full at `keys` entries; every timed set evicts one.
    static func setEvicting(directory: String, keys: Int, valueSize: Int) throws -> Int {
        let entryVolume = 14 + valueSize + 64
        let cache = try DiskCache(
            directory: directory, configuration: .init(sizeLimit: keys * entryVolume, durability: .none))
        let value = [UInt8](repeating: 1, count: valueSize)
        try fillInBatches(cache, keys: keys, value: value)
        var key = KeyFormatter(prefix: "key-")
        let timed = 20_000
        return try measure("set-evicting") {
            for i in 0..<timed {
                key.set(UInt32(keys + i))
                try cache.set(value, forKey: key.string)
            }
            let evictions = try cache.statistics().evictions
            precondition(evictions >= timed, "the cache was not full")
            return timed
        }
    }

    /// `churn`: overwrites mixed sizes (100 B to 256 KiB) until 10x the size limit has been
    /// written, then prints the disk space the cache uses relative to its limit.
    static func churn(directory: String, limit: Int) throws -> Int {
        let cache = try DiskCache(directory: directory, configuration: .init(sizeLimit: limit, durability: .none))
        var random = XorShift()
        var written = 0
        var operations = 0
        let result = try measure("churn") {
            while written < 10 * limit {
                let size = Int(exp(Double(random.next() % 10_000) / 10_000 * log(256.0 * 1024 / 100)) * 100)
                try cache.set(
                    [UInt8](repeating: UInt8(operations % 251), count: size), forKey: "k\(random.next() % 2000)")
                written += size
                operations += 1
            }
            return operations
        }
        let used = diskUsage(directory)
        print(
            String(format: "churn-disk %d %.3f limit=%d used=%d", operations, Double(used) / Double(limit), limit, used)
        )
        return result
    }

    /// Bytes of disk the files under `directory` occupy (allocated blocks, not apparent sizes).
    static func diskUsage(_ directory: String) -> Int {
        var total = 0
        let enumerator = FileManager.default.enumerator(atPath: directory)
        while let name = enumerator?.nextObject() as? String {
            var info = stat()
            if stat(directory + "/" + name, &info) == 0, info.st_mode & S_IFMT == S_IFREG {
                total += Int(info.st_blocks) * 512
            }
        }
        return total
    }

    /// `blob-set` / `blob-get`: one value of `size` bytes through the cache, repeated; prints MB/s.
    /// `file-write` / `file-read`: the same bytes through a plain file, for the baseline.
    static func large(directory: String, workload: String, size: Int) throws -> Int {
        let value = [UInt8](repeating: 0x5A, count: size)
        let rounds =
            Int(ProcessInfo.processInfo.environment["COMPARE_ROUNDS"] ?? "") ?? max(3, min(50, (512 << 20) / size))
        let cache = try DiskCache(directory: directory, configuration: .init(sizeLimit: nil, durability: .none))
        let path = directory + "/plain-file"
        if workload == "blob-get" { try cache.set(value, forKey: "blob") }
        if workload == "file-read" { _ = FileManager.default.createFile(atPath: path, contents: Data(value)) }
        var sink = 0
        // Start from a clean page cache state: the previous run's dirty pages would otherwise
        // throttle this run's writes (and favour whichever runs first).
        sync()
        let clock = ContinuousClock()
        let start = clock.now
        for round in 0..<rounds {
            switch workload {
            case "blob-set":
                try cache.set(value, forKey: "blob-\(round % 2)")
            case "blob-get":
                sink &+= try cache.get("blob")!.count
            case "file-write":
                // A fresh file each round, the previous one unlinked: what a blob write does.
                unlink(path + "\(round % 2)")
                let fd = open(path + "\(round % 2)", O_WRONLY | O_CREAT | O_EXCL, 0o600)
                value.withUnsafeBytes { _ = write(fd, $0.baseAddress, $0.count) }
                close(fd)
            case "file-read":
                var buffer = [UInt8](repeating: 0, count: size)
                let fd = open(path, O_RDONLY)
                buffer.withUnsafeMutableBytes { _ = read(fd, $0.baseAddress, $0.count) }
                close(fd)
                sink &+= buffer.count
            default:
                throw CompareError.unknownWorkload(workload)
            }
        }
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let megabytes = Double(size * rounds) / 1e6
        print(String(format: "%@ %d %.6f %.0f", workload, rounds, seconds, megabytes / seconds))
        return rounds.withSink(sink)
    }
}
