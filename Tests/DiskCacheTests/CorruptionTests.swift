import Foundation
import TestSupport
import Testing

@testable import DiskCache

/// Damaged files and a full disk. Each damaged cache is opened by a child process, so that a
/// crash would fail the test instead of the test runner.
@Suite("Reliability: corruption and disk full", .serialized)
struct CorruptionTests {
    /// A cache of 300 entries (each value one byte repeated; some blobs), closed.
    private func makeCache(_ path: String) throws {
        let cache = try DiskCache(directory: path, configuration: .init(sizeLimit: nil, blobThreshold: 2048))
        for index in 0..<300 {
            try cache.set(
                [UInt8](repeating: UInt8(index % 251), count: index % 7 == 0 ? 5000 : 200), forKey: "key-\(index)")
        }
    }

    private func damage(_ file: String, at offset: Int, count: Int) throws {
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: file))
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(offset))
        var generator = SplitMix64(seed: UInt64(offset))
        try handle.write(contentsOf: Data((0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }))
    }

    /// Opens the cache in a child process; the child must exit normally.
    private func openInChild(_ path: String, _ mode: String) throws -> String {
        let worker = try Worker.start(["open-check", path, mode])
        let line = worker.readLine()
        #expect(worker.wait() == 0, "the child crashed opening the damaged cache: \(line)")
        return line
    }

    @Test("garbage in the meta pages: a typed error, or an empty cache with .recreate")
    func metaPages() throws {
        try withCacheDirectory { path in
            try makeCache(path)
            try damage(path + "/data.mdb", at: 0, count: 8192)
            let failed = try openInChild(path, "fail")
            #expect(failed.hasPrefix("error ") && failed.contains("damaged"), "\(failed)")
            #expect(try openInChild(path, "recreate") == "ok 0")
            #expect(try openInChild(path, "fail") == "ok 0")
            let moved = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasPrefix("damaged-") }
            #expect(moved.count == 1)
        }
    }

    @Test("a truncated data file: a typed error, not a fault")
    func truncated() throws {
        try withCacheDirectory { path in
            try makeCache(path)
            let file = path + "/data.mdb"
            let size = try FileManager.default.attributesOfItem(atPath: file)[.size] as! Int
            truncate(file, off_t(size / 2))
            let failed = try openInChild(path, "fail")
            #expect(failed.hasPrefix("error ") && failed.contains("meta page says"), "\(failed)")
            #expect(try openInChild(path, "recreate") == "ok 0")
        }
    }

    @Test("garbage in the lock file: LMDB rebuilds it")
    func lockFile() throws {
        try withCacheDirectory { path in
            try makeCache(path)
            try damage(path + "/lock.mdb", at: 0, count: 4096)
            let outcome = try openInChild(path, "fail")
            #expect(outcome == "ok 300" || outcome.hasPrefix("error "), "\(outcome)")
        }
    }

    /// LMDB has no page checksums: garbage in a branch or leaf page may make a reader fault
    /// (SIGSEGV) instead of returning an error, the documented limit of LMDB itself (upstream
    /// "won't fix"). What the engine guarantees is that a damaged page never yields wrong data:
    /// a value that survives the read passes its XXH3 checksum. So each round must end in "ok",
    /// a typed "error", or that documented fault, and never in a wrong value.
    @Test("garbage in data pages: values read whole or not at all, never wrong")
    func dataPages() throws {
        var faults = 0
        for round in 0..<8 {
            try withCacheDirectory { path in
                try makeCache(path)
                let file = path + "/data.mdb"
                let size = try FileManager.default.attributesOfItem(atPath: file)[.size] as! Int
                try damage(file, at: 8192 + (size - 8192) * round / 8, count: 2048)
                let worker = try Worker.start(["open-check", path, "fail"])
                let outcome = worker.readLine()
                let status = worker.wait()
                #expect(!outcome.hasPrefix("wrong value"), "round \(round): \(outcome)")
                if worker.endedBySignal {
                    faults += 1
                    #expect(status == SIGSEGV || status == SIGBUS, "round \(round): signal \(status)")
                } else {
                    #expect(outcome.hasPrefix("ok ") || outcome.hasPrefix("error "), "round \(round): \(outcome)")
                }
            }
        }
        print("damaged data pages: \(faults) of 8 rounds faulted in LMDB (documented), none returned wrong data")
    }

    @Test("a full disk fails writes with a typed error, keeps the data, and recovers")
    func diskFull() throws {
        try withCacheDirectory { path in
            let worker = try Worker.start(["disk-full", path])
            let counts = worker.readLine().split(separator: " ")
            let failure = worker.readLine()
            #expect(worker.wait() == 0)
            #expect(counts.count == 6, "\(counts)")
            guard counts.count == 6 else { return }
            #expect(Int(counts[1])! > 0 && counts[1] == counts[3], "every acknowledged write is intact: \(counts)")
            #expect(counts[5] == "true", "writes work again once there is room")
            #expect(
                failure.contains("File too large") && failure.contains("file-size limit"), "\(failure)"
            )
        }
    }
}
