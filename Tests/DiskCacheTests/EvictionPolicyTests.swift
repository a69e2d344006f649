import Foundation
import TestSupport
import Testing

@testable import DiskCache

@Suite("DiskCache eviction policies")
struct EvictionPolicyTests {
    private func cache(_ path: String, _ policy: EvictionPolicy, countLimit: Int = 3) throws -> DiskCache {
        try DiskCache(
            directory: path,
            configuration: .init(sizeLimit: nil, countLimit: countLimit, evictionPolicy: policy, durability: .none))
    }

    private func survivors(_ cache: DiskCache) throws -> Set<String> { Set(try cache.keys()) }

    @Test("least recently stored: reads do not matter, the oldest write goes")
    func leastRecentlyStored() throws {
        try withCacheDirectory { path in
            let cache = try cache(path, .leastRecentlyStored)
            for key in ["a", "b", "c"] { try cache.set(bytes(key), forKey: key) }
            _ = try cache.get("a")
            try cache.set(bytes("d"), forKey: "d")
            #expect(try survivors(cache) == ["b", "c", "d"])
            try cache.set(bytes("b2"), forKey: "b")  // a write moves b to the back
            try cache.set(bytes("e"), forKey: "e")
            #expect(try survivors(cache) == ["b", "d", "e"])
        }
    }

    @Test("least recently used: a read keeps an entry, folded by the next write")
    func leastRecentlyUsed() throws {
        try withCacheDirectory { path in
            let cache = try cache(path, .leastRecentlyUsed)
            for key in ["a", "b", "c"] { try cache.set(bytes(key), forKey: key) }
            _ = try cache.get("a")
            try cache.set(bytes("d"), forKey: "d")
            #expect(try survivors(cache) == ["a", "c", "d"])
            _ = try cache.get("c")
            _ = try cache.get("a")
            try cache.set(bytes("e"), forKey: "e")
            #expect(try survivors(cache) == ["a", "c", "e"])
            #expect(try cache.check().isClean)
        }
    }

    @Test("least frequently used: hit counts decide, ties go to the oldest")
    func leastFrequentlyUsed() throws {
        try withCacheDirectory { path in
            let cache = try cache(path, .leastFrequentlyUsed)
            for key in ["a", "b", "c"] { try cache.set(bytes(key), forKey: key) }
            for _ in 0..<3 { _ = try cache.get("a") }
            _ = try cache.get("c")
            try cache.set(bytes("d"), forKey: "d")  // b (0 hits, oldest) goes
            #expect(try survivors(cache) == ["a", "c", "d"])
            try cache.set(bytes("e"), forKey: "e")  // d (0 hits) goes before c (1) and a (3)
            #expect(try survivors(cache) == ["a", "c", "e"])
            #expect(try cache.check().isClean)
        }
    }

    @Test(
        "the entry just written survives its own commit when every resident was read",
        arguments: [EvictionPolicy.leastRecentlyUsed, .leastFrequentlyUsed, .s3FIFO])
    func justWrittenSurvives(policy: EvictionPolicy) throws {
        try withCacheDirectory { path in
            let cache = try cache(path, policy)
            for key in ["a", "b", "c"] { try cache.set(bytes(key), forKey: key) }
            for key in ["a", "b", "c"] { _ = try cache.get(key) }
            #expect(try cache.add(bytes("d"), forKey: "d"))
            #expect(text(try cache.get("d")) == "d")
            #expect(try cache.add(bytes("d2"), forKey: "d") == false, "an add granted twice")
            #expect(try cache.count == 3)
            #expect(try cache.check().isClean)
        }
    }

    @Test("s3-fifo: a key read in the small queue moves to the main one, an unread one leaves as a ghost")
    func s3FIFOQueues() throws {
        try withCacheDirectory { path in
            let cache = try cache(path, .s3FIFO, countLimit: 10)
            for index in 0..<10 { try cache.set(bytes("v"), forKey: "k\(index)") }
            _ = try cache.get("k0")
            try cache.set(bytes("v"), forKey: "k10")  // k0 (read) moves to main; k1 (unread) leaves
            #expect(try survivors(cache) == Set((0...10).filter { $0 != 1 }.map { "k\($0)" }))
            #expect(try queue(of: "k0", in: cache) == .main)
            #expect(try queue(of: "k10", in: cache) == .small)
            try cache.set(bytes("v"), forKey: "k1")  // remembered as a ghost: straight to main; k2 leaves
            #expect(try queue(of: "k1", in: cache) == .main)
            #expect(try survivors(cache) == Set((0...10).filter { $0 != 2 }.map { "k\($0)" }))
            #expect(try cache.check().isClean)
            // The main queue gives a read entry another round: k0 is read, k1 is not.
            _ = try cache.get("k0")
            for index in 11..<30 { try cache.set(bytes("v"), forKey: "k\(index)") }
            let left = try survivors(cache)
            #expect(left.count == 10)
            #expect(try cache.check().isClean)
            #expect(try cache.statistics().count == 10)
            _ = left
        }
    }

    @Test(
        "scan resistance: a scan of keys read once does not push out a working set read often",
        arguments: [EvictionPolicy.s3FIFO, .leastRecentlyUsed])
    func scanResistance(policy: EvictionPolicy) throws {
        try withCacheDirectory { path in
            let cache = try cache(path, policy, countLimit: 100)
            let hot = (0..<30).map { "hot-\($0)" }
            for _ in 0..<3 {
                for key in hot where try cache.get(key) == nil { try cache.set(bytes("h"), forKey: key) }
            }
            // A scan of 2,000 keys read once, read-through, with the working set read now and then.
            for index in 0..<2000 {
                if try cache.get("scan-\(index)") == nil { try cache.set(bytes("s"), forKey: "scan-\(index)") }
                if index % 200 == 0 { for key in hot { _ = try cache.get(key) } }
            }
            let resident = try hot.filter { try cache.contains($0) }.count
            if policy == .s3FIFO {
                #expect(resident == hot.count, "\(resident) of \(hot.count) hot keys resident")
            } else {
                #expect(resident < hot.count / 2, "least recently used keeps \(resident): the scan must push them out")
            }
            #expect(try cache.check().isClean)
        }
    }

    @Test("s3-fifo: check(repair:) recounts the small queue and drops ghost rows that do not match")
    func s3FIFORepair() throws {
        try withCacheDirectory { path in
            let cache = try cache(path, .s3FIFO, countLimit: 20)
            for index in 0..<60 { try cache.set(bytes("v"), forKey: "k\(index)") }
            #expect(try cache.check().isClean)
            let ghosts = try cache.environment.read { txn in try txn.statistics(of: cache.schema.ghosts!).entries }
            #expect(ghosts > 0)
            try cache.environment.write { txn in
                var meta = try MetaState.load(txn, cache.schema)
                meta.smallCount += 5
                meta.smallVolume += 500
                try meta.store(txn, cache.schema)
                try txn.put(bytes("12345678"), forKey: bytes("dangling"), in: cache.schema.ghosts!)
            }
            #expect(try !cache.check().isClean)
            try cache.check(repair: true)
            #expect(try cache.check().isClean)
            let meta = try cache.environment.read { txn in try MetaState.load(txn, cache.schema) }
            let small = try cache.keys().filter { try queue(of: $0, in: cache) == .small }.count
            #expect(meta.smallCount == Int64(small))
            try cache.clear()
            let cleared = try cache.environment.read { txn in
                (try MetaState.load(txn, cache.schema), try txn.statistics(of: cache.schema.ghosts!).entries)
            }
            #expect(cleared.0.smallCount == 0 && cleared.0.smallVolume == 0 && cleared.1 == 0)
        }
    }

    private enum Queue { case small, main }

    private func queue(of key: String, in cache: DiskCache) throws -> Queue? {
        try cache.environment.read { txn in
            try Array(key.utf8).withUnsafeBytes { storageKey in
                guard
                    let header = try txn.withValue(
                        forKey: storageKey, in: cache.schema.entries, { RecordView($0)?.header })
                        ?? nil
                else { return nil }
                let rank = try cache.store.currentRank(txn, storageKey: storageKey, header: header).rank
                return rank >= Rank.mainQueue ? .main : .small
            }
        }
    }

    @Test("least frequently used ages: new keys enter a cache whose residents all have many hits")
    func frequencyAges() throws {
        try withCacheDirectory { path in
            let cache = try cache(path, .leastFrequentlyUsed, countLimit: 100)
            for index in 0..<100 { try cache.set(bytes("old"), forKey: "old-\(index)") }
            for _ in 0..<5 { for index in 0..<100 { _ = try cache.get("old-\(index)") } }
            // A new working set, read as much as the old one was: it must take the cache over.
            for round in 0..<12 {
                for index in 0..<100 {
                    if try cache.get("new-\(index)") == nil { try cache.set(bytes("new"), forKey: "new-\(index)") }
                }
                _ = round
            }
            let keys = try cache.keys()
            let newKeys = keys.filter { $0.hasPrefix("new-") }.count
            #expect(newKeys >= 90, "only \(newKeys) of 100 new keys are resident")
            #expect(try cache.check().isClean)
        }
    }

    @Test("a fold moves entries in the order without rewriting their values")
    func foldKeepsValues() throws {
        try withCacheDirectory { path in
            let cache = try cache(path, .leastRecentlyUsed, countLimit: 10)
            let value = [UInt8](repeating: 9, count: 3000)
            try cache.set(value, forKey: "big")
            let before = try cache.environment.read { txn in
                try txn.withValue(forKey: Array("big".utf8), in: cache.schema.entries) { Array($0) }
            }
            _ = try cache.get("big")
            try cache.performMaintenance()
            let after = try cache.environment.read { txn in
                try txn.withValue(forKey: Array("big".utf8), in: cache.schema.entries) { Array($0) }
            }
            #expect(before == after, "the record was rewritten by the fold")
            let ranked = try cache.environment.read { txn in
                try txn.containsValue(forKey: Array("big".utf8), in: cache.schema.ranks)
            }
            #expect(ranked)
            #expect(try cache.get("big") == value)
            #expect(try cache.check().isClean)
            try cache.delete("big")
            #expect(try cache.check().isClean)
        }
    }

    @Test("a least-frequently-used cache from before aging is migrated on open, keeping the order of its counts")
    func legacyFrequencyRanksMigrate() throws {
        try withCacheDirectory { path in
            do {
                let cache = try cache(path, .leastFrequentlyUsed, countLimit: 3)
                for key in ["a", "b", "c"] { try cache.set(bytes(key), forKey: key) }
                // Rewrite it as the old layout: count << 40 | sequence, no side table, old format line.
                try cache.environment.write { txn in
                    try txn.removeAll(in: cache.schema.order)
                    try txn.removeAll(in: cache.schema.ranks)
                    for (sequence, key, count) in [(1, "a", 9), (2, "b", 0), (3, "c", 2)] {
                        var row = (UInt64(count) << 40 | UInt64(sequence)).bigEndian
                        let index = withUnsafeBytes(of: &row) { Array($0) } + Array(key.utf8)
                        try txn.put([UInt8](), forKey: index, in: cache.schema.order)
                    }
                    try txn.put(
                        Array(Schema.legacyFormatLine(policy: .leastFrequentlyUsed).utf8), forKey: Schema.formatKey,
                        in: cache.schema.meta)
                }
            }
            let cache = try cache(path, .leastFrequentlyUsed, countLimit: 3)
            #expect(try cache.check().isClean)
            try cache.set(bytes("d"), forKey: "d")  // b (no hits) goes; a (9) and c (2) stay
            #expect(try survivors(cache) == ["a", "c", "d"])
            let line = try cache.environment.read { txn in
                try txn.value(forKey: Schema.formatKey, in: cache.schema.meta)
            }
            #expect(line == Array(Schema.formatLine(policy: .leastFrequentlyUsed).utf8))
        }
    }

    @Test("a full access log has its reads folded by a transaction of its own, with no write")
    func fullLogFoldsItself() throws {
        try withCacheDirectory { path in
            let cache = try cache(path, .leastRecentlyUsed, countLimit: 3000)
            for index in 0..<2000 { try cache.set(bytes("v"), forKey: "k\(index)") }
            let ranked = {
                try cache.environment.read { txn in try txn.statistics(of: cache.schema.ranks).entries }
            }
            #expect(try ranked() == 0)
            for index in 0..<1024 { _ = try cache.get("k\(index)") }  // fills the log (1024 keys)
            // The fold runs on the async writer thread: wait for it (bounded), never write.
            let deadline = ContinuousClock.now + .seconds(10)
            while try ranked() == 0 && ContinuousClock.now < deadline { usleep(1000) }
            #expect(try ranked() == 1024)
            #expect(try cache.check().isClean)
        }
    }

    @Test("reads are folded by the maintenance round when nothing is written")
    func foldedByMaintenance() throws {
        try withCacheDirectory { path in
            let cache = try cache(path, .leastRecentlyUsed)
            for key in ["a", "b", "c"] { try cache.set(bytes(key), forKey: key) }
            _ = try cache.get("a")
            #expect(cache.accessLog?.isEmpty == false)
            try cache.performMaintenance()
            #expect(cache.accessLog?.isEmpty == true)
            try cache.set(bytes("d"), forKey: "d")
            #expect(try survivors(cache) == ["a", "c", "d"])
        }
    }

    @Test("policy none never evicts; limits do not apply")
    func noEviction() throws {
        try withCacheDirectory { path in
            let cache = try cache(path, .none)
            for key in ["a", "b", "c", "d", "e"] { try cache.set(bytes(key), forKey: key) }
            #expect(try cache.count == 5)
            #expect(try cache.statistics().evictions == 0)
        }
    }

    @Test(
        "overfilled to 10x the limit with values from 1 B to 4 MiB, the volume never exceeds it",
        arguments: [EvictionPolicy.leastRecentlyStored, .s3FIFO])
    func overfill(policy: EvictionPolicy) throws {
        try withCacheDirectory { path in
            let limit = 8 << 20
            let cache = try DiskCache(
                directory: path, configuration: .init(sizeLimit: limit, evictionPolicy: policy, durability: .none))
            var generator = SplitMix64(seed: 42)
            var written = 0
            var index = 0
            while written < 10 * limit {
                // Log-uniform sizes: as many tiny values as huge ones.
                let size = Int(exp(Double(generator.next() % 10_000) / 10_000 * log(Double(4 << 20))))
                let value = [UInt8](repeating: UInt8(index % 251), count: size)
                try cache.set(value, forKey: "key-\(index % 500)")
                written += size
                index += 1
                let volume = try cache.volume
                #expect(volume <= limit, "after write \(index): volume \(volume)")
                if volume > limit { break }
            }
            #expect(try cache.statistics().evictions > 0)
            #expect(try cache.check(orphanGrace: .zero).isClean)
        }
    }
}
