import Foundation
import TestSupport
import Testing

@testable @_spi(Backends) import DiskCache

@Suite("DiskCache admission filter")
struct AdmissionTests {
    private func makeFilteredCache(_ path: String, misses: Int = 2) throws -> DiskCache {
        var configuration = DiskCache.Configuration(
            sizeLimit: nil, countLimit: 10, evictionPolicy: .s3FIFO, durability: .none)
        configuration.admission = .frequent(misses: misses)
        return try DiskCache(directory: path, configuration: configuration)
    }

    @Test("a full cache skips sets of keys not missed often enough; a cache with room stores all")
    func skipsOneHitWonders() throws {
        try withCacheDirectory { path in
            let cache = try makeFilteredCache(path)
            for index in 0..<10 { try cache.set(bytes("v"), forKey: "k\(index)") }
            #expect(try cache.count == 10, "room: every write is stored")
            try cache.set(bytes("v"), forKey: "k10")  // evicts: the cache is full from now on
            #expect(try cache.statistics().admissionSkips == 0)
            try cache.set(bytes("v"), forKey: "once")
            #expect(try cache.get("once") == nil, "never missed before: skipped")
            #expect(try cache.statistics().admissionSkips == 1)
            #expect(try cache.get("twice") == nil)
            #expect(try cache.get("twice") == nil)
            try cache.set(bytes("v"), forKey: "twice")
            #expect(try cache.get("twice") != nil, "missed twice: admitted")
            #expect(try cache.add(bytes("v"), forKey: "added"), "conditional writes are never skipped")
            #expect(try cache.increment("counter") == 1, "nor counters")
            #expect(try cache.count <= 10)
        }
    }

    @Test("the default admits everything")
    func defaultAdmitsAll() throws {
        try withCacheDirectory { path in
            let cache = try makeCache(path, countLimit: 5, policy: .s3FIFO)
            for index in 0..<20 { try cache.set(bytes("v"), forKey: "k\(index)") }
            #expect(try cache.get("k19") != nil)
            #expect(try cache.statistics().admissionSkips == 0)
        }
    }

    @Test("the async path filters the same way")
    func asyncPath() async throws {
        try await withCacheDirectory { path in
            let cache = try makeFilteredCache(path, misses: 1)
            for index in 0..<11 {
                _ = try await cache.write(bytes("v"), forKey: "k\(index)", expiry: .never, onlyIf: .always)
            }
            #expect(try await !cache.write(bytes("v"), forKey: "once", expiry: .never, onlyIf: .always))
            #expect(try cache.get("once") == nil)
            #expect(try cache.get("missed") == nil)
            #expect(try await cache.write(bytes("v"), forKey: "missed", expiry: .never, onlyIf: .always))
            #expect(try cache.get("missed") != nil, "one miss is enough with misses: 1")
        }
    }
}
