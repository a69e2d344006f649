import Foundation
import TestSupport
import Testing

@testable import DiskCache

@Suite("DiskCache blobs: large values in files")
struct BlobTests {
    private func blobCache(_ path: String, threshold: Int = 1024, sizeLimit: Int? = nil) throws -> DiskCache {
        try DiskCache(
            directory: path, configuration: .init(sizeLimit: sizeLimit, durability: .none, blobThreshold: threshold))
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

    @Test("values above the threshold live in files, survive reopening, and read back whole")
    func roundTrip() throws {
        try withCacheDirectory { path in
            let large = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            do {
                let cache = try blobCache(path)
                try cache.set(large, forKey: "large")
                try cache.set(bytes("small"), forKey: "small")
                #expect(blobFiles(path).count == 1)
                let stats = try cache.statistics()
                #expect(stats.blobCount == 1 && stats.blobBytes == large.count)
            }
            let cache = try blobCache(path)
            #expect(try cache.get("large") == large)
            #expect(try cache.withValue(forKey: "large") { $0.count } == large.count)
            #expect(try cache.valueSize(forKey: "large") == large.count)
            #expect(try cache.volume == (5 + large.count + 64) + (5 + 5 + 64))
            #expect(try cache.check().isClean)
        }
    }

    @Test("overwriting, deleting, expiring and clearing unlink the files after commit")
    func filesFollowEntries() throws {
        try withCacheDirectory { path in
            let clock = ManualClock()
            let cache = try DiskCache(
                directory: path,
                configuration: .init(sizeLimit: nil, durability: .none, blobThreshold: 100, clock: .manual(clock)))
            let blob = [UInt8](repeating: 1, count: 5000)
            try cache.set(blob, forKey: "a")
            try cache.set(blob, forKey: "a")  // replaced: the old file goes
            #expect(blobFiles(path).count == 1)
            try cache.set(bytes("now small"), forKey: "a")
            #expect(blobFiles(path).isEmpty)
            try cache.set(blob, forKey: "b")
            try cache.delete("b")
            #expect(blobFiles(path).isEmpty)
            try cache.set(blob, forKey: "c", expiry: .after(.seconds(1)))
            clock.advance(by: .seconds(2))
            #expect(try cache.get("c") == nil)
            try cache.sweepExpired()
            #expect(blobFiles(path).isEmpty)
            try cache.set([(key: "d", value: blob), (key: "e", value: blob)])
            #expect(blobFiles(path).count == 2)
            #expect(try cache.clear() == 3)
            #expect(blobFiles(path).isEmpty)
            #expect(try cache.statistics().blobCount == 0)
            #expect(try cache.check().isClean)
        }
    }

    @Test("a damaged blob file is a miss; a missing one too; check reports both")
    func damagedBlob() throws {
        try withCacheDirectory { path in
            let cache = try blobCache(path)
            try cache.set([UInt8](repeating: 5, count: 4000), forKey: "flipped")
            try cache.set([UInt8](repeating: 6, count: 4000), forKey: "gone")
            let files = blobFiles(path).map { path + "/blobs/" + $0 }
            for file in files {
                let data = try Data(contentsOf: URL(fileURLWithPath: file))
                if data.first == 5 {
                    var damaged = data
                    damaged[100] ^= 0xFF
                    try damaged.write(to: URL(fileURLWithPath: file))
                } else {
                    try FileManager.default.removeItem(atPath: file)
                }
            }
            #expect(try cache.get("flipped") == nil)
            #expect(try cache.get("gone") == nil)
            #expect(try cache.statistics().corruptions == 2)
            let report = try cache.check()
            #expect(report.corruptEntries == 2)
            try cache.check(repair: true)
            #expect(try cache.check().isClean)
            #expect(try cache.count == 0)
        }
    }

    @Test("orphan files are found and removed by check(repair:)")
    func orphans() throws {
        try withCacheDirectory { path in
            let cache = try blobCache(path)
            try cache.set([UInt8](repeating: 1, count: 5000), forKey: "kept")
            do {
                // A file left by a writer that never committed (its writer is gone: a file being
                // written by this process is never an orphan).
                let orphan = try cache.blobs.create()
                try [UInt8](repeating: 2, count: 3000).withUnsafeBytes { try orphan.append($0) }
                try orphan.finish()
            }
            #expect(blobFiles(path).count == 2)
            #expect(try cache.check().orphanBlobFiles == 0)  // younger than the grace period
            let report = try cache.check(orphanGrace: .zero)
            #expect(report.orphanBlobFiles == 1)
            #expect(!report.isClean)
            try cache.check(repair: true, orphanGrace: .zero)
            #expect(blobFiles(path).count == 1)
            #expect(try cache.get("kept")?.count == 5000)
        }
    }

    @Test("streaming: from chunks and files in, to chunks and files out")
    func streaming() async throws {
        try await withCacheDirectory { path in
            let cache = try blobCache(path)
            let chunk = [UInt8](repeating: 9, count: 64 << 10)
            let chunks = AsyncStream<[UInt8]> { continuation in
                for _ in 0..<16 { continuation.yield(chunk) }
                continuation.finish()
            }
            try await cache.set(chunks: chunks, forKey: "streamed")
            #expect(try cache.valueSize(forKey: "streamed") == 16 * chunk.count)

            var received = 0
            var chunkCount = 0
            #expect(
                try cache.read("streamed", chunkSize: 100_000) { part in
                    received += part.count
                    chunkCount += 1
                })
            #expect(received == 16 * chunk.count)
            #expect(chunkCount == 11)

            let out = path + "-out"
            defer { try? FileManager.default.removeItem(atPath: out) }
            #expect(try cache.copyValue(forKey: "streamed", toFile: out))
            #expect(try Data(contentsOf: URL(fileURLWithPath: out)).count == 16 * chunk.count)
            try cache.set(contentsOfFile: out, forKey: "from-file")
            #expect(try cache.get("from-file") == (try cache.get("streamed")))

            var collected = 0
            for try await part in cache.chunks(forKey: "from-file", chunkSize: 1 << 20) { collected += part.count }
            #expect(collected == 16 * chunk.count)
            // A short stream stays inline.
            try await cache.set(
                chunks: AsyncStream {
                    $0.yield(bytes("tiny")); $0.finish()
                }, forKey: "tiny")
            #expect(text(try cache.get("tiny")) == "tiny")
            #expect(try cache.statistics().blobCount == 2)
        }
    }

    @Test("a blob over the size limit is rejected before any file is written")
    func blobOverLimit() throws {
        try withCacheDirectory { path in
            let cache = try blobCache(path, sizeLimit: 10_000)
            #expect(throws: DiskCacheError.self) { try cache.set([UInt8](repeating: 0, count: 20_000), forKey: "big") }
            #expect(blobFiles(path).isEmpty)
            try cache.set([UInt8](repeating: 0, count: 5_000), forKey: "fits")
            try cache.set([UInt8](repeating: 0, count: 5_000), forKey: "evicts")
            #expect(try cache.volume <= 10_000)
            #expect(blobFiles(path).count == 1)
        }
    }
}
