import Cashews
import Foundation
import Testing

@Suite("Memory backend: bounds mean what they say")
struct MemoryBoundTests {
    private func keys(_ cache: Cache) async throws -> [String] {
        var keys: [String] = []
        for try await key in cache.scan("*") { keys.append(key) }
        return keys.sorted()
    }

    @Test("mem://?size=10 keeps exactly the 10 most recently used of 11")
    func sizeTen() async throws {
        let cache = Cache()
        let backend = try cache.setup("mem://?size=10")
        #expect((backend as? MemoryBackend)?.shardCount == 1, "a small bound is one shard")
        for index in 0..<10 { try await cache.set("k\(index)", index) }
        // Use k0 and k5 again: k1 is now the least recently used.
        #expect(try await cache.get("k0", as: Int.self) == 0)
        #expect(try await cache.get("k5", as: Int.self) == 5)
        try await cache.set("k10", 10)
        #expect(try await cache.count() == 10)
        #expect(try await keys(cache) == (0...10).filter { $0 != 1 }.map { "k\($0)" }.sorted())
        // Overwriting counts as use too.
        try await cache.set("k2", 22)
        try await cache.set("k11", 11)
        #expect(try await !cache.exists("k3"), "k3 was the least recently used")
        #expect(try await cache.exists("k2"))
        #expect(try await cache.count() == 10)
    }

    @Test("eviction is in exact LRU order, whatever the pattern of reads")
    func exactOrder() async throws {
        let backend = MemoryBackend(configuration: .init(maxEntries: 100))
        #expect(backend.shardCount == 1)
        var model: [String] = []  // least recently used first
        func use(_ key: String) {
            model.removeAll { $0 == key }
            model.append(key)
        }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15  // a fixed seed: the same sequence every run
        for step in 0..<2000 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            let key = "k\(state % 150)"
            if step % 3 == 0, try await backend.get(key) != nil {
                use(key)
            } else {
                _ = try await backend.set(key, .bytes([1]), expiry: .never, condition: .always)
                use(key)
                if model.count > 100 { model.removeFirst() }
            }
        }
        #expect(backend.keysByUse(inShardOf: "k0") == model)
    }

    @Test("a large bound is sharded and never exceeded: the shares add up to the bound")
    func shardedBound() async throws {
        let backend = MemoryBackend(configuration: .init(maxEntries: 10_000))
        #expect(backend.shardCount == 8, "at least 1024 entries per shard, at most 16 shards")
        for index in 0..<20_000 {
            _ = try await backend.set("key:\(index)", .bytes([1]), expiry: .never, condition: .always)
        }
        let count = try await backend.count()
        #expect(count <= 10_000 && count > 9_500, "\(count)")
        #expect(MemoryBackend(configuration: .init(maxEntries: nil, maxBytes: 64 << 20)).shardCount == 16)
        #expect(MemoryBackend(configuration: .init(maxEntries: nil, maxBytes: 100_000)).shardCount == 1)
        #expect(MemoryBackend(configuration: .init(maxEntries: nil)).shardCount == 16)
    }
}
