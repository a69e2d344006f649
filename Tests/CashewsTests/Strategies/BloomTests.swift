import Cashews
import Foundation
import Testing

@Suite("Strategies: Bloom filters")
struct BloomTests {
    @Test("sizes: m = ceil(-n ln p / ln²2), k = round(m/n ln 2); indexes are stable and in range")
    func sizes() throws {
        let filter = try BloomFilter(name: "users", capacity: 1000, falsePositiveRate: 0.01)
        #expect(filter.bitCount == 9586)
        #expect(filter.hashCount == 7)
        #expect(filter.key == "users:9586")
        let indexes = filter.indexes(of: "ada")
        #expect(indexes.count == 7)
        #expect(indexes.allSatisfy { (0..<9586).contains($0) })
        #expect(indexes == filter.indexes(of: "ada"))
        // The same in every process and run (FNV-1a, not Swift's seeded Hasher).
        #expect(indexes == [6767, 610, 4039, 3050, 6479, 322, 8919])
        #expect(throws: CashewsError.self) { try BloomFilter(name: "x", capacity: 0) }
        #expect(throws: CashewsError.self) { try BloomFilter(name: "x", capacity: 10, falsePositiveRate: 1) }
    }

    @Test("false positives at capacity 1000, p = 0.01: at most 2 % of 10 000 non-members (memory and disk)")
    func falsePositiveRate() async throws {
        for (name, cache) in try Fixture.both(ManualClock()) {
            let filter = try BloomFilter(name: "members", capacity: 1000, falsePositiveRate: 0.01)
            for member in 0..<1000 { try await cache.insert("member-\(member)", into: filter) }
            for member in 0..<1000 { #expect(try await cache.mightContain("member-\(member)", in: filter)) }
            var falsePositives = 0
            for other in 0..<10_000 where try await cache.mightContain("other-\(other)", in: filter) {
                falsePositives += 1
            }
            #expect(falsePositives <= 200, "\(name): \(falsePositives) false positives in 10 000")
        }
    }

    @Test("bloom: ruled out without a call; possible members are checked unless told not to")
    func bloom() async throws {
        let cache = try Fixture.memory(ManualClock())
        let filter = try BloomFilter(name: "b", capacity: 100)
        try await cache.insert("in", into: filter)
        let calls = Calls()
        #expect(try await !cache.bloom(key: "out", in: filter) { calls.next() > 0 })
        #expect(calls.count == 0)
        #expect(try await cache.bloom(key: "in", in: filter) { calls.next() > 0 })
        #expect(calls.count == 1)
        #expect(try await cache.bloom(key: "in", in: filter, checkFalsePositives: false) { false })
    }

    @Test("dual bloom learns answers without filling")
    func dualBloom() async throws {
        let cache = try Fixture.memory(ManualClock())
        let filter = try BloomFilter(name: "d", capacity: 100)
        let calls = Calls()
        for _ in 0..<3 {
            #expect(try await cache.dualBloom(key: "yes", in: filter) { calls.next() > 0 })
            #expect(try await !cache.dualBloom(key: "no", in: filter) { calls.next() < 0 })
        }
        #expect(calls.count == 2, "each answered once, then from the filters")
    }
}
