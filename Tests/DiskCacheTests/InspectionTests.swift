import Foundation
import TestSupport
import Testing

@testable import DiskCache

/// The engine API the `cashews` tool stands on: batched scans, the expired count, storage
/// information, cull to a volume, per-entry expiry in a batch, and adopting a stored policy.
@Suite struct InspectionTests {
    @Test func batchedScanResumesWhereItStopped() throws {
        try withCacheDirectory { path in
            let cache = try makeCache(path)
            for index in 0..<2500 { try cache.set(bytes("v\(index)"), forKey: String(format: "k%05d", index)) }
            try cache.set(bytes("long"), forKey: "k" + String(repeating: "x", count: 700))
            var keys: [String] = []
            var resume: ResumePoint?
            var pages = 0
            repeat {
                let page = try cache.entries(after: resume, limit: 100)
                #expect(page.entries.count <= 100)
                #expect(page.skipped == 0)
                for entry in page.entries { #expect(entry.value == (try cache.get(entry.key))) }
                keys += page.entries.map(\.key)
                resume = page.resumePoint
                pages += 1
            } while resume != nil
            #expect(keys == (try cache.keys()))
            #expect(keys.count == 2501)
            #expect(pages == 26)
        }
    }

    @Test func batchedScanSeesWritesBetweenPagesAndSkipsExpired() throws {
        try withCacheDirectory { path in
            let clock = ManualClock()
            let cache = try makeCache(path, clock: clock)
            for index in 0..<10 { try cache.set(bytes("v"), forKey: "a\(index)") }
            try cache.set(bytes("soon"), forKey: "a5", expiry: .after(.seconds(1)))
            let first = try cache.entries(matching: "a*", limit: 3, values: false)
            #expect(first.entries.map(\.key) == ["a0", "a1", "a2"])
            #expect(first.entries.allSatisfy { $0.value == nil })
            try cache.delete("a3")
            try cache.set(bytes("new"), forKey: "a2b")
            clock.advance(by: .seconds(2))
            let second = try cache.entries(matching: "a*", after: first.resumePoint, limit: 100)
            #expect(second.entries.map(\.key) == ["a2b", "a4", "a6", "a7", "a8", "a9"])
            #expect(second.resumePoint == nil)
        }
    }

    @Test func batchedScanOfAPatternReportsExpiryAndBlobs() throws {
        try withCacheDirectory { path in
            let clock = ManualClock()
            let cache = try DiskCache(
                directory: path, configuration: .init(sizeLimit: nil, blobThreshold: 100, clock: .manual(clock)))
            try cache.set([UInt8](repeating: 9, count: 1000), forKey: "user:blob", expiry: .after(.seconds(60)))
            try cache.set(bytes("x"), forKey: "user:small")
            try cache.set(bytes("x"), forKey: "zzz")
            let page = try cache.entries(matching: "user:*")
            #expect(page.entries.count == 2)
            #expect(page.entries[0].isBlob)
            #expect(page.entries[0].value == [UInt8](repeating: 9, count: 1000))
            #expect(page.entries[0].valueSize == 1000)
            #expect(page.entries[0].expiresAt == clock.milliseconds + 60_000)
            #expect(page.entries[1].expiresAt == nil)
            #expect(throws: DiskCacheError.self) { try cache.entries(matching: "[") }
        }
    }

    @Test func expiredCountAndStorageInfo() throws {
        try withCacheDirectory { path in
            let clock = ManualClock()
            let cache = try makeCache(path, clock: clock)
            for index in 0..<30 {
                try cache.set(bytes("v"), forKey: "k\(index)", expiry: .after(.seconds(index < 20 ? 1 : 100)))
            }
            #expect(try cache.expiredCount() == 0)
            clock.advance(by: .seconds(5))
            #expect(try cache.expiredCount() == 20)
            let info = try cache.storageInfo()
            #expect(info.format == "swift-cashews.disk-cache/1 policy=least-recently-stored")
            #expect(info.pageSize == 4096)
            #expect(info.usedBytes <= info.fileSize)
            #expect(info.mapSize >= info.fileSize)
            #expect(info.maxReaders == 512)
            #expect(info.lastTransactionID > 0)
            #expect(info.treeDepth >= 1)
        }
    }

    @Test func cullRemovesExpiredFirstThenInPolicyOrder() throws {
        try withCacheDirectory { path in
            let clock = ManualClock()
            let cache = try makeCache(path, clock: clock)
            for index in 0..<100 {
                try cache.set([UInt8](repeating: 1, count: 34), forKey: String(format: "k%02d", index))
            }
            try cache.set([UInt8](repeating: 1, count: 34), forKey: "k50", expiry: .after(.seconds(1)))
            clock.advance(by: .seconds(2))
            // 100 entries of 3 + 34 + 64 = 101 bytes.
            #expect(try cache.volume == 10_100)
            #expect(try cache.cull(toVolume: 9_000, limit: 5) == 5)
            #expect(try cache.get("k50") == nil)  // the expired one went first
            #expect(try cache.get("k00") == nil)
            #expect(try cache.get("k04") != nil)
            #expect(try cache.cull(toVolume: 9_000) == 6)
            #expect(try cache.volume <= 9_000)
            #expect(try cache.cull(toVolume: 9_000) == 0)
            #expect(try cache.check().isClean)
        }
    }

    @Test func cullWithoutAnEvictionPolicyRemovesOnlyExpired() throws {
        try withCacheDirectory { path in
            let clock = ManualClock()
            let cache = try DiskCache(
                directory: path, configuration: .init(sizeLimit: nil, evictionPolicy: .none, clock: .manual(clock)))
            for index in 0..<10 {
                try cache.set(bytes("v"), forKey: "k\(index)", expiry: index < 3 ? .after(.seconds(1)) : .never)
            }
            clock.advance(by: .seconds(2))
            #expect(try cache.cull(toVolume: 0) == 3)
            #expect(try cache.count == 7)
        }
    }

    @Test func aBatchWithAnExpiryPerEntry() throws {
        try withCacheDirectory { path in
            let clock = ManualClock()
            let cache = try DiskCache(
                directory: path, configuration: .init(sizeLimit: nil, blobThreshold: 10, clock: .manual(clock)))
            try cache.set([
                (key: "a", value: bytes("1"), expiry: .after(.seconds(10))),
                (key: "b", value: [UInt8](repeating: 2, count: 50), expiry: .never),
                (key: "c", value: bytes("3"), expiry: .at(milliseconds: clock.milliseconds + 5000)),
            ])
            #expect(try cache.timeToLive(forKey: "a") == .remaining(.seconds(10)))
            #expect(try cache.timeToLive(forKey: "b") == .forever)
            #expect(try cache.timeToLive(forKey: "c") == .remaining(.seconds(5)))
            #expect(try cache.statistics().blobCount == 1)
            #expect(throws: DiskCacheError.self) {
                try cache.set([(key: "d", value: bytes("4"), expiry: .after(.seconds(-1)))])
            }
            #expect(try cache.get("d") == nil)
        }
    }

    @Test func openingAdoptsTheStoredPolicyWhenAsked() throws {
        try withCacheDirectory { path in
            _ = try DiskCache(directory: path, configuration: .init(evictionPolicy: .leastRecentlyUsed))
            #expect(throws: DiskCacheError.self) {
                _ = try DiskCache(directory: path, configuration: .init(evictionPolicy: .leastRecentlyStored))
            }
            var configuration = DiskCache.Configuration()
            configuration.adoptsStoredPolicy = true
            let cache = try DiskCache(directory: path, configuration: configuration)
            #expect(cache.configuration.evictionPolicy == .leastRecentlyUsed)
            try withCacheDirectory { fresh in
                let created = try DiskCache(directory: fresh, configuration: configuration)
                #expect(created.configuration.evictionPolicy == .s3FIFO, "a new cache gets the default")
            }
        }
    }

    @Test func adoptingS3FIFOOpensItsGhostList() throws {
        try withCacheDirectory { path in
            do {
                let cache = try DiskCache(
                    directory: path, configuration: .init(sizeLimit: nil, countLimit: 10, evictionPolicy: .s3FIFO))
                for index in 0..<30 { try cache.set(bytes("v"), forKey: "k\(index)") }
            }
            var configuration = DiskCache.Configuration(sizeLimit: nil, countLimit: 10)
            configuration.adoptsStoredPolicy = true
            let cache = try DiskCache(directory: path, configuration: configuration)
            #expect(cache.configuration.evictionPolicy == .s3FIFO)
            #expect(cache.schema.ghosts != nil)
            for index in 30..<60 { try cache.set(bytes("v"), forKey: "k\(index)") }
            #expect(try cache.count == 10)
            #expect(try cache.check().isClean)
            #expect(try cache.cull(toVolume: 0) == 10)
            #expect(try cache.check().isClean)
        }
    }
}
