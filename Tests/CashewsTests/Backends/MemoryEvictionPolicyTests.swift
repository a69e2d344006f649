import Cashews
import Foundation
import Testing

/// W-TinyLFU on the memory backend: its invariants, scan resistance and adaptation.
@Suite("Memory backend: W-TinyLFU eviction")
struct MemoryEvictionPolicyTests {
    /// A repeatable pseudo-random sequence.
    struct Sequence {
        var state: UInt64
        mutating func next(_ bound: UInt64) -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state % bound
        }
    }

    private func backend(_ entries: Int? = nil, bytes: Int? = nil, shards: Int = 1) -> MemoryBackend {
        MemoryBackend(
            configuration: .init(maxEntries: entries, maxBytes: bytes, shards: shards, evictionPolicy: .windowTinyLFU))
    }

    /// A read-through access: a get, and a set when it misses; returns whether it hit.
    @discardableResult
    private func access(_ backend: MemoryBackend, _ key: String, size: Int = 1) async throws -> Bool {
        if try await backend.get(key) != nil { return true }
        _ = try await backend.set(key, .bytes([UInt8](repeating: 1, count: size)), expiry: .never, condition: .always)
        return false
    }

    @Test("mem://?eviction=w-tinylfu sets the policy; a bad name is an error naming the choices")
    func url() throws {
        let cache = Cache()
        let backend = try cache.setup("mem://?size=100&eviction=w-tinylfu") as? MemoryBackend
        #expect(backend?.configuration.evictionPolicy == .windowTinyLFU)
        let renamed = try Cache().setup("mem://?eviction_policy=lru") as? MemoryBackend
        #expect(renamed?.configuration.evictionPolicy == .leastRecentlyUsed)
        #expect((try Cache().setup("mem://") as? MemoryBackend)?.configuration.evictionPolicy == .leastRecentlyUsed)
        #expect {
            try Cache().setup("mem://?eviction=arc")
        } throws: { error in
            "\(error)".contains("w-tinylfu") && "\(error)".contains("lru")
        }
    }

    @Test("never more entries or bytes than the bound, and a write never evicts its own value")
    func bounds() async throws {
        for (entries, bytes) in [(100, nil), (nil, 4096), (64, 2048)] as [(Int?, Int?)] {
            let backend = backend(entries, bytes: bytes)
            var sequence = Sequence(state: 0x9E37_79B9_7F4A_7C15)
            for step in 0..<1500 {
                let key = "k\(sequence.next(step % 500 < 250 ? 150 : 3000))"
                let size = Int(sequence.next(64)) + 1
                _ = try await backend.set(
                    key, .bytes([UInt8](repeating: 1, count: size)), expiry: .never, condition: .always)
                #expect(try await backend.get(key) != nil, "the value just written is there")
                let count = try await backend.count()
                if let entries { #expect(count <= entries) }
                if let bytes, step % 100 == 0 {
                    var total = 0
                    for key in try await backend.keys(matching: GlobPattern("*")) {
                        total += try await backend.size(of: key) ?? 0
                    }
                    #expect(total <= bytes)
                }
            }
        }
    }

    @Test("scan resistant: a one-time scan of 2,000 keys leaves the hot keys in place (LRU loses them all)")
    func scanResistance() async throws {
        var kept: [MemoryEvictionPolicy: Int] = [:]
        for policy in MemoryEvictionPolicy.allCases {
            let backend = MemoryBackend(configuration: .init(maxEntries: 100, shards: 1, evictionPolicy: policy))
            let hot = (0..<30).map { "hot\($0)" }
            for _ in 0..<20 { for key in hot { try await access(backend, key) } }
            for index in 0..<2000 { try await access(backend, "scan\(index)") }
            var present = 0
            for key in hot where try await backend.get(key) != nil { present += 1 }
            kept[policy] = present
        }
        #expect(kept[.windowTinyLFU]! >= 29, "the hot keys survive the scan (but one in the window)")
        #expect(kept[.leastRecentlyUsed] == 0)
    }

    @Test("a loop one key larger than the cache: LRU never hits, W-TinyLFU keeps most of it")
    func loop() async throws {
        var ratios: [MemoryEvictionPolicy: Double] = [:]
        for policy in MemoryEvictionPolicy.allCases {
            let backend = MemoryBackend(configuration: .init(maxEntries: 100, shards: 1, evictionPolicy: policy))
            var hits = 0
            for _ in 0..<50 {
                for index in 0..<110 where try await access(backend, "loop\(index)") { hits += 1 }
            }
            ratios[policy] = Double(hits) / Double(50 * 110)
        }
        #expect(ratios[.leastRecentlyUsed] == 0)
        #expect(ratios[.windowTinyLFU]! > 0.7, "\(ratios)")
    }

    @Test("adapts: the window grows for a recency-heavy pattern and shrinks for a frequency-heavy one")
    func adaptation() async throws {
        // Recency: a working set that drifts, each key used a few times in a row, never again.
        let drifting = backend(1000)
        for index in 0..<200_000 { try await access(drifting, "d\(index / 4 + (index % 4) * 50)") }
        let recencyShare = try #require(drifting.windowShare(inShardOf: "x"))
        // Frequency: a skewed, stable popularity with a long tail of one-time keys.
        let skewed = backend(1000)
        var sequence = Sequence(state: 42)
        for index in 0..<200_000 {
            let key = index % 2 == 0 ? "hot\(sequence.next(800))" : "tail\(index)"
            try await access(skewed, key)
        }
        let frequencyShare = try #require(skewed.windowShare(inShardOf: "x"))
        #expect(recencyShare > 0.2, "recency-heavy: the window took \(recencyShare)")
        #expect(frequencyShare < 0.1, "frequency-heavy: the window kept \(frequencyShare)")
    }

    @Test("hit ratio on a skewed workload with a one-time tail: W-TinyLFU above LRU")
    func hitRatio() async throws {
        var ratios: [MemoryEvictionPolicy: Double] = [:]
        for policy in MemoryEvictionPolicy.allCases {
            let backend = MemoryBackend(configuration: .init(maxEntries: 500, shards: 1, evictionPolicy: policy))
            var sequence = Sequence(state: 7)
            var hits = 0
            let accesses = 100_000
            for index in 0..<accesses {
                let key = index % 3 == 0 ? "tail\(index)" : "hot\(sequence.next(400))"
                if try await access(backend, key) { hits += 1 }
            }
            ratios[policy] = Double(hits) / Double(accesses)
        }
        #expect(ratios[.windowTinyLFU]! > ratios[.leastRecentlyUsed]! + 0.1, "\(ratios)")
    }
}
