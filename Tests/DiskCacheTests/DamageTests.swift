import Foundation
import LMDB
import TestSupport
import Testing

@testable import DiskCache

/// Damaged or shortened files, damaged record headers, and files replaced under a reader: each
/// is a miss (counted and logged) or a typed error, never a crash or wrong data.
@Suite("DiskCache damage: blobs, headers, races", .serialized)
struct DamageTests {
    private func blobCache(_ path: String, initialMapSize: Int = 64 << 20) throws -> DiskCache {
        try DiskCache(
            directory: path,
            configuration: .init(
                sizeLimit: nil, durability: .none, initialMapSize: initialMapSize, blobThreshold: 1024))
    }

    private func blobFileCount(_ path: String) -> Int {
        let root = path + "/blobs"
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return folders.reduce(0) {
            $0 + ((try? FileManager.default.contentsOfDirectory(atPath: root + "/" + $1))?.count ?? 0)
        }
    }

    @Test(
        "a blob file cut short or deleted reads as a miss on every read path (in a child process)",
        arguments: ["truncate", "delete"], ["get", "withValue", "read", "chunks", "modify", "copy"])
    func damagedBlobFile(damage: String, path readPath: String) throws {
        try withCacheDirectory { path in
            let worker = try Worker.start(["damaged-blob", path, damage, readPath])
            let line = worker.readLine()
            let status = worker.wait()
            #expect(status == 0, "\(damage)/\(readPath): the reader died (status \(status))")
            #expect(line == "miss 1", "\(damage)/\(readPath): \(line)")
        }
    }

    /// Sets byte range `range` of the record of `key` to `bytes` (the version byte stays valid).
    private func damageHeader(_ cache: DiskCache, _ key: String, at offset: Int, _ bytes: [UInt8]) throws {
        try cache.environment.write { txn in
            var record = try #require(try txn.value(forKey: Array(key.utf8), in: cache.schema.entries))
            record.replaceSubrange(offset..<(offset + bytes.count), with: bytes)
            try txn.put(record, forKey: Array(key.utf8), in: cache.schema.entries)
        }
    }

    @Test(
        "a damaged header with a valid version byte is a miss; writes, deletes and eviction over it never trap",
        arguments: [
            (31, [UInt8(0x80)]),  // expiresAt negative
            (8, [UInt8](repeating: 0xFF, count: 8)),  // valueSize beyond Int.max
            (1, [UInt8(0x40)]),  // unknown flag
        ])
    func damagedHeader(offset: Int, damage: [UInt8]) throws {
        try withCacheDirectory { path in
            let cache = try DiskCache(
                directory: path,
                configuration: .init(
                    sizeLimit: nil, countLimit: 3, evictionPolicy: .leastRecentlyUsed, durability: .none,
                    blobThreshold: 1024))
            try cache.set(bytes("v"), forKey: "k")
            try cache.set([UInt8](repeating: 1, count: 4000), forKey: "blob")
            try damageHeader(cache, "k", at: offset, damage)
            try damageHeader(cache, "blob", at: offset, damage)
            #expect(try cache.get("k") == nil)
            #expect(try cache.get("blob") == nil)
            #expect(try cache.withValue(forKey: "blob") { $0.count } == nil)
            #expect(try cache.contains("k") == false)
            #expect(try cache.check().corruptEntries == 2)
            // Eviction reaches the damaged records first (they are the oldest): no trap.
            for index in 0..<6 { try cache.set(bytes("x"), forKey: "fill-\(index)") }
            try cache.set(bytes("again"), forKey: "k")
            #expect(text(try cache.get("k")) == "again")
            #expect(try cache.delete("blob") == false)
            // The damaged blob record no longer names its file: the file is an orphan, and goes.
            try cache.check(repair: true, orphanGrace: .zero)
            #expect(try cache.check(orphanGrace: .zero).isClean)
        }
    }

    @Test("readers never miss a blob key that always has a value while a writer replaces it")
    func blobReplacedUnderReaders() async throws {
        try await withCacheDirectory { path in
            let cache = try blobCache(path)
            try cache.set([UInt8](repeating: 0, count: 8192), forKey: "k")
            let misses = try await withThrowingTaskGroup(of: Int.self) { group in
                group.addTask {
                    for round in 1...600 {
                        try cache.set([UInt8](repeating: UInt8(round % 250), count: 8192), forKey: "k")
                    }
                    return 0
                }
                for _ in 0..<4 {
                    group.addTask {
                        var misses = 0
                        for _ in 0..<600 {
                            guard let value = try cache.get("k") else {
                                misses += 1
                                continue
                            }
                            #expect(value.count == 8192 && Set(value).count == 1, "a torn value")
                        }
                        return misses
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(misses == 0)
            #expect(try cache.statistics().corruptions == 0)
        }
    }

    @Test("a modify whose transaction fails (the map is full) leaves no blob file behind")
    func failedModifyLeavesNoOrphan() throws {
        try withCacheDirectory { path in
            let mapSize = 512 << 10
            let cache = try DiskCache(
                directory: path,
                configuration: .init(
                    sizeLimit: nil, durability: .none, initialMapSize: mapSize, maximumMapSize: mapSize,
                    blobThreshold: 10_000))
            // Fill the map until not even a small write fits.
            var index = 0
            for size in [8000, 1000, 100, 1] {
                while (try? cache.set([UInt8](repeating: 1, count: size), forKey: "fill-\(index)")) != nil {
                    index += 1
                }
                index += 1
            }
            var runs = 0
            #expect(throws: DiskCacheError.self) {
                try cache.modify("big") { entry in
                    runs += 1
                    entry = ModifiableEntry(value: [UInt8](repeating: 2, count: 50_000), expiry: .never)
                }
            }
            #expect(runs >= 1)
            #expect(try cache.statistics().blobCount == 0)
            #expect(blobFileCount(path) == 0, "the failed modify's blob file was left behind")
        }
    }

    @Test("maintenance removes orphan blob files past their grace period, never a referenced or young one")
    func maintenanceRemovesOrphans() throws {
        try withCacheDirectory { path in
            let cache = try blobCache(path)
            try cache.set([UInt8](repeating: 1, count: 5000), forKey: "kept")
            let old = try cache.blobs.create()
            try old.append(UnsafeRawBufferPointer(start: nil, count: 0))
            try old.finish()
            let young = try cache.blobs.create()
            try young.finish()
            let oldPath = old.path
            let youngPath = young.path
            _ = consume old
            _ = consume young
            // Everything twenty minutes old, but the young orphan.
            var times = [timeval(tv_sec: time(nil) - 1200, tv_usec: 0), timeval(tv_sec: time(nil) - 1200, tv_usec: 0)]
            for file in blobFiles(path) where path + "/blobs/" + file != youngPath {
                utimes(path + "/blobs/" + file, &times)
            }
            let report = try cache.performMaintenance()
            #expect(report.orphanFilesRemoved == 1)
            #expect(access(oldPath, F_OK) != 0)
            #expect(access(youngPath, F_OK) == 0)
            #expect(try cache.get("kept")?.count == 5000)
        }
    }

    @Test("check(repair:) with no grace never removes a blob this process is still committing")
    func repairSparesInFlightBlobs() throws {
        try withCacheDirectory { path in
            let cache = try blobCache(path)
            let writer = try cache.blobs.create()
            try [UInt8](repeating: 3, count: 5000).withUnsafeBytes { try writer.append($0) }
            try writer.finish()
            try cache.check(repair: true, orphanGrace: .zero)
            #expect(access(writer.path, F_OK) == 0, "an in-flight blob was removed as an orphan")
            #expect(try cache.commit(writer, forKey: "k", expiry: .never, when: .always))
            #expect(try cache.check(orphanGrace: .zero).isClean)
        }
    }

    @Test("a write from inside a modify body traps with a message instead of hanging (in a child process)")
    func nestedWriteTraps() throws {
        try withCacheDirectory { path in
            let worker = try Worker.start(["nested-write", path])
            #expect(worker.readLine(seconds: 30) == "writing")
            let status = worker.wait(seconds: 20)
            // A trap (SIGILL or SIGTRAP), not a hang that the wait had to kill, nor a normal exit.
            #expect(status != 0 && status != SIGKILL, "status \(status)")
            #expect(worker.readLine(seconds: 1) != "returned")
        }
    }

    @Test("a database handle used in another environment's transaction traps, and writes nothing there")
    func foreignDatabaseHandleTraps() throws {
        try withCacheDirectory { path in
            try FileManager.default.createDirectory(atPath: path + "/a", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: path + "/b", withIntermediateDirectories: true)
            let worker = try Worker.start(["foreign-database", path])
            #expect(worker.readLine(seconds: 30) == "writing")
            let status = worker.wait(seconds: 20)
            #expect(status != 0 && status != SIGKILL, "status \(status)")
            #expect(worker.readLine(seconds: 1) != "returned")
            // Nothing reached the second environment's databases.
            let second = try Environment(path: path + "/b")
            let database = try second.database(named: "only-in-b")
            #expect(try second.read { txn in try txn.statistics(of: database).entries } == 0)
        }
    }

    @Test("a cache used in the child of fork() traps instead of corrupting the parent's locks")
    func forkDetected() throws {
        try withCacheDirectory { path in
            let worker = try Worker.start(["fork-use", path])
            #expect(worker.readLine(seconds: 30) == "child-trapped")
            #expect(worker.wait() == 0)
        }
    }

    private func blobFiles(_ path: String) -> [String] {
        let root = path + "/blobs"
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return folders.flatMap { folder in
            ((try? FileManager.default.contentsOfDirectory(atPath: root + "/" + folder)) ?? []).map {
                folder + "/" + $0
            }
        }
    }
}
