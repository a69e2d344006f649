import Cashews
import CashewsDisk
import TestSupport
import Testing

/// Each Swift name reads and writes what its cashews spelling does, on both backends.
@Suite("Swift names beside cashews' spellings: one behaviour under either name")
struct SwiftNamesTests {
    @Test("set(_:forKey:), value(forKey:), values(forKeys:), add and replace (memory and disk)")
    func readingAndWriting() async throws {
        for (name, cache) in try Fixture.both(ManualClock()) {
            try await cache.set("ada", forKey: "user:1", ttl: 60)
            #expect(try await cache.get("user:1", as: String.self) == "ada", "\(name)")
            try await cache.set("user:2", "grace")
            #expect(try await cache.value(forKey: "user:2", as: String.self) == "grace", "\(name)")
            #expect(try await cache.timeToLive("user:1") == .remaining(.seconds(60)), "\(name)")
            try await cache.set("ada lovelace", forKey: "user:1", keepingTTL: true)
            #expect(try await cache.timeToLive("user:1") == .remaining(.seconds(60)), "\(name)")
            #expect(
                try await cache.values(forKeys: ["user:1", "none", "user:2"], as: String.self)
                    == ["ada lovelace", nil, "grace"], "\(name)")
            let mixed = try await cache.values(forKeys: ["user:2": String.self, "none": Int.self])
            #expect(mixed[0] as? String == "grace" && mixed[1] == nil, "\(name)")
            #expect(try await !cache.add("other", forKey: "user:1"), "\(name)")
            #expect(try await cache.add(3, forKey: "count"), "\(name)")
            #expect(try await cache.replace(4, forKey: "count"), "\(name)")
            #expect(try await !cache.replace(1, forKey: "absent"), "\(name)")
            #expect(try await cache.value(forKey: "count", as: Int.self) == 4, "\(name)")
        }
    }

    @Test("value(forKey:storingIfAbsent:), values(matching:), keys(matching:), entryCount (memory and disk)")
    func getOrSetAndPatterns() async throws {
        for (name, cache) in try Fixture.both(ManualClock()) {
            let calls = Calls()
            #expect(try await cache.value(forKey: "k", ttl: 60) { calls.next() } == 1, "\(name)")
            #expect(try await cache.value(forKey: "k", ttl: 60) { calls.next() } == 1, "\(name)")
            #expect(try await cache.value(forKey: "d", storingIfAbsent: 9) == 9, "\(name)")
            #expect(calls.count == 1, "\(name)")
            for index in 0..<5 { try await cache.set(index, forKey: "user:\(index)") }
            var found: [String: Int] = [:]
            for try await (key, value) in cache.values(matching: "user:*", as: Int.self, batchSize: 2) {
                found[key] = value
            }
            #expect(found.count == 5 && found["user:3"] == 3, "\(name)")
            var keys: [String] = []
            for try await key in cache.keys(matching: "user:*") { keys.append(key) }
            #expect(keys.sorted() == (0..<5).map { "user:\($0)" }, "\(name)")
            #expect(try await cache.entryCount() == cache.count(), "\(name)")
            #expect(try await cache.entryCount() == 7, "\(name)")
        }
    }

    @Test("bit counters, sliding windows, sets and tryLock under their Swift names (memory and disk)")
    func structures() async throws {
        let clock = ManualClock()
        for (name, cache) in try Fixture.both(clock) {
            #expect(try await cache.incrementBitCounters("bits", at: [1, 3], width: 2, by: 5) == [3, 3], "\(name)")
            #expect(try await cache.bitCounters("bits", at: [1, 2, 3], width: 2) == [3, 0, 3], "\(name)")
            #expect(try await cache.recordEvent(inSlidingWindow: "w", window: 10, limit: 5) == 1, "\(name)")
            #expect(try await cache.recordEvent(inSlidingWindow: "w", window: 10, limit: 5) == 2, "\(name)")
            let later = clock.milliseconds + 11_000
            #expect(try await cache.recordEvent(inSlidingWindow: "w", window: 10, limit: 5, at: later) == 1, "\(name)")
            #expect(try await cache.insert(["a", "b", "c"], intoSetAt: "s") == 3, "\(name)")
            #expect(try await cache.remove(["b", "x"], fromSetAt: "s") == 1, "\(name)")
            #expect(try await cache.members(of: "s") == ["a", "c"], "\(name)")
            #expect(try await cache.popMembers(fromSetAt: "s").sorted() == ["a", "c"], "\(name)")
            #expect(try await cache.tryLock("l", token: "one", ttl: 60), "\(name)")
            #expect(try await !cache.tryLock("l", token: "two", ttl: 60), "\(name)")
            #expect(try await cache.isLocked("l"), "\(name)")
        }
    }

    @Test(
        "withLock, withRateLimit, withSlidingWindowRateLimit, cachedSequence, circuitState(forKey:), withHitDetection")
    func strategies() async throws {
        for (name, cache) in try Fixture.both(ManualClock()) {
            #expect(try await cache.withLock("job", ttl: 60) { 7 } == 7, "\(name)")
            #expect(try await cache.tryLock("busy:lock", token: "other", ttl: 60), "\(name)")
            await #expect(throws: CacheError.locked(key: "busy:lock"), "\(name)") {
                try await cache.withLock("busy", ttl: 60, waits: false) { 1 }
            }
            for _ in 0..<2 { _ = try await cache.withRateLimit(key: "rl", limit: 2, per: 60) { 1 } }
            #expect(try await cache.withRateLimit(key: "rl", limit: 2, per: 60, onLimit: { 0 }) { 1 } == 0, "\(name)")
            for _ in 0..<2 { _ = try await cache.withSlidingWindowRateLimit(key: "sw", limit: 2, per: 60) { 1 } }
            #expect(
                try await cache.withSlidingWindowRateLimit(key: "sw", limit: 2, per: 60, onLimit: { 0 }) { 1 } == 0,
                "\(name)")
            let calls = Calls()
            for _ in 0..<2 {
                var elements: [Int] = []
                let sequence = cache.cachedSequence(forKey: "seq", ttl: 60) { () -> AsyncStream<Int> in
                    _ = calls.next()
                    return AsyncStream { continuation in
                        for element in 1...3 { continuation.yield(element) }
                        continuation.finish()
                    }
                }
                for try await element in sequence { elements.append(element) }
                #expect(elements == [1, 2, 3], "\(name)")
            }
            #expect(calls.count == 1, "\(name)")
            #expect(try await cache.circuitState(forKey: "breaker") == .closed, "\(name)")
            _ = try await cache.cached(key: "hit", ttl: 60, condition: .anyValue) { 1 }
            let (value, hits) = try await cache.withHitDetection {
                try await cache.cached(key: "hit", ttl: 60) { 2 }
            }
            #expect(value == 1 && hits.map(\.key) == ["hit"], "\(name)")
        }
    }

    @Test("setUp(_:prefix:) routes as setup does")
    func setUp() async throws {
        let cache = Cache()
        try cache.setUp("mem://")
        cache.setUp(MemoryBackend(), prefix: "user")
        #expect(cache.isSetUp)
        try await cache.set(1, forKey: "user:1")
        #expect(try await cache.backend(for: "user:1").get("user:1") != nil)
        #expect(try await cache.backend(for: "other").get("user:1") == nil)
        #expect(throws: CacheError.self) { try Cache().setUp("nope://") }
    }
}
