import Foundation
import LMDB
import TestSupport
import Testing

@testable import DiskCache

@Suite("DiskCache integrity: persistence, check and repair")
struct IntegrityTests {
    @Test("what one opening stores, the next finds, with its expiry and totals")
    func persistence() throws {
        try withCacheDirectory { path in
            let clock = ManualClock()
            do {
                let cache = try makeCache(path, clock: clock)
                try cache.set(bytes("kept"), forKey: "k", expiry: .after(.seconds(60)))
                try cache.set(bytes("forever"), forKey: "f")
                _ = try cache.increment("n", by: 7)
            }
            let cache = try makeCache(path, clock: clock)
            #expect(text(try cache.get("k")) == "kept")
            #expect(try cache.timeToLive(forKey: "k") == .remaining(.seconds(60)))
            #expect(text(try cache.get("f")) == "forever")
            #expect(try cache.increment("n") == 8)
            #expect(try cache.count == 3)
            #expect(try cache.check().isClean)
        }
    }

    @Test("the directory is 0700 and its files 0600")
    func permissions() throws {
        try withCacheDirectory { path in
            let cache = try makeCache(path + "/nested/cache")
            try cache.set(bytes("v"), forKey: "k")
            let mode = { (file: String) -> Int in
                let attributes = try FileManager.default.attributesOfItem(atPath: file)
                return (attributes[.posixPermissions] as? Int) ?? -1
            }
            #expect(try mode(path + "/nested/cache") == 0o700)
            #expect(try mode(path + "/nested/cache/data.mdb") == 0o600)
            #expect(try mode(path + "/nested/cache/lock.mdb") == 0o600)
        }
    }

    @Test("reopening with another eviction policy is a typed error that says what to do")
    func policyMismatch() throws {
        try withCacheDirectory { path in
            _ = try DiskCache(directory: path, configuration: .init(evictionPolicy: .leastRecentlyStored))
            let error = #expect(throws: DiskCacheError.self) {
                _ = try DiskCache(directory: path, configuration: .init(evictionPolicy: .none))
            }
            #expect("\(error!)".contains("least-recently-stored"))
        }
    }

    @Test("a path that is a file is a typed error")
    func fileInTheWay() throws {
        try withCacheDirectory { path in
            _ = FileManager.default.createFile(atPath: path, contents: Data("x".utf8))
            let error = #expect(throws: DiskCacheError.self) { _ = try makeCache(path) }
            #expect("\(error!)".contains("ENOTDIR") || "\(error!)".contains("Not a directory"))
        }
    }

    @Test("check finds injected inconsistencies and repair fixes them")
    func checkAndRepair() throws {
        try withCacheDirectory { path in
            let cache = try makeCache(path)
            for i in 0..<50 {
                try cache.set(
                    bytes("value-\(i)"), forKey: "key-\(i)", expiry: i % 2 == 0 ? .after(.seconds(60)) : .never)
            }
            #expect(try cache.check().isClean)

            // 1. Flip a byte of a stored value behind the cache's back.
            try cache.environment.write { txn in
                var record = try txn.value(forKey: bytes("key-7"), in: cache.schema.entries)!
                record[record.count - 1] ^= 0xFF
                try txn.put(record, forKey: bytes("key-7"), in: cache.schema.entries)
            }
            // 2. Drop an expiry-index row. 3. Add a dangling one. 4. Break the recorded count.
            try cache.environment.write { txn in
                let header = try txn.withValue(forKey: bytes("key-4"), in: cache.schema.entries) {
                    RecordHeader($0)!
                }!
                try bytes("key-4").withUnsafeBytes { key in
                    try IndexKey.with(UInt64(header.expiresAt), key) {
                        _ = try txn.delete(forKey: $0, in: cache.schema.expiry)
                    }
                }
                try bytes("ghost").withUnsafeBytes { key in
                    try IndexKey.with(12345, key) { try txn.put([UInt8](), forKey: $0, in: cache.schema.expiry) }
                }
                var meta = try MetaState.load(txn, cache.schema)
                meta.count += 3
                try meta.store(txn, cache.schema)
            }

            // The corrupt value is a miss, counted, never returned.
            #expect(try cache.get("key-7") == nil)
            #expect(try cache.statistics().corruptions == 1)

            let report = try cache.check()
            #expect(!report.isClean)
            #expect(report.corruptEntries == 1)
            #expect(report.missingIndexRows == 1)
            // The ghost row, and the eviction-order row of the corrupt entry (which repair deletes).
            #expect(report.danglingIndexRows == 2)
            #expect(report.recordedCount == 53)
            #expect(report.entries == 49)

            let repaired = try cache.check(repair: true)
            #expect(repaired == report)
            let after = try cache.check()
            #expect(after.isClean, "\(after)")
            #expect(try cache.count == 49)
            #expect(text(try cache.get("key-8")) == "value-8")
        }
    }

    @Test("an open that finds the totals record missing or short beside entries counts them again")
    func lostTotalsAreRecounted() throws {
        try withCacheDirectory { path in
            for damage in ["missing", "short"] {
                let cache = try makeCache(path)
                try cache.clear()
                for i in 0..<20 { try cache.set(bytes("value-\(i)"), forKey: "key-\(i)") }
                let before = try cache.statistics()
                try cache.environment.write { txn in
                    if damage == "missing" {
                        _ = try txn.delete(forKey: Schema.stateKey, in: cache.schema.meta)
                    } else {
                        try txn.put([UInt8](repeating: 0, count: 7), forKey: Schema.stateKey, in: cache.schema.meta)
                    }
                }
                #expect(try cache.count == 0, "the damaged totals read as zero until an open recounts")
                let reopened = try makeCache(path)
                #expect(try reopened.count == 20, "\(damage)")
                #expect(try reopened.statistics().volume == before.volume, "\(damage)")
                #expect(try reopened.check().isClean, "\(damage)")
            }
        }
    }

    @Test("a record with a damaged header is a miss, not a crash")
    func damagedHeader() throws {
        try withCacheDirectory { path in
            let cache = try makeCache(path)
            try cache.set(bytes("value"), forKey: "k")
            try cache.environment.write { txn in
                try txn.put([UInt8](repeating: 0xEE, count: 7), forKey: bytes("k"), in: cache.schema.entries)
            }
            #expect(try cache.get("k") == nil)
            #expect(try cache.keys() == [])
            #expect(try cache.check().corruptEntries == 1)
            try cache.set(bytes("again"), forKey: "k")
            #expect(text(try cache.get("k")) == "again")
            try cache.check(repair: true)
            #expect(try cache.check().isClean)
        }
    }

    @Test("an existing directory writable by others, or owned by another user, is refused")
    func foreignDirectory() throws {
        try withCacheDirectory { path in
            #expect(mkdir(path, 0o700) == 0)
            chmod(path, 0o777)
            #expect {
                _ = try DiskCache(directory: path)
            } throws: { error in
                guard case DiskCacheError.fileSystem(_, _, let code) = error else { return false }
                return code == EACCES
            }
            chmod(path, 0o700)
            if geteuid() == 0 {
                #expect(chown(path, 65534, 65534) == 0)
                #expect(throws: DiskCacheError.self) { _ = try DiskCache(directory: path) }
                #expect(chown(path, 0, 0) == 0)
            }
            _ = try DiskCache(directory: path)  // this user's, 0700: opens
        }
    }
}
