import Cashews
import CashewsDisk
import Foundation
import TestSupport
import Testing

@Suite("cashews commands and setup forms: get_or_set, get_match, \"://\", spellings, background, is_locked(wait)")
struct MoreCommandsTests {
    @Test("getOrSet computes once, stores, and serves what is stored (memory and disk)")
    func getOrSet() async throws {
        for (name, cache) in try Fixture.both(ManualClock()) {
            let calls = Calls()
            #expect(try await cache.getOrSet("k", ttl: 60) { calls.next() } == 1, "\(name)")
            #expect(try await cache.getOrSet("k", ttl: 60) { calls.next() } == 1, "\(name)")
            #expect(calls.count == 1, "\(name)")
            #expect(try await cache.timeToLive("k") == .remaining(.seconds(60)), "\(name)")
            try await cache.set("warm", "set first")
            #expect(try await cache.getOrSet("warm", default: "default") == "set first", "\(name)")
            #expect(try await cache.getOrSet("cold", default: "default") == "default", "\(name)")
            #expect(try await cache.get("cold", as: String.self) == "default", "\(name)")
        }
    }

    @Test("getMatching streams keys and values by pattern, in batches; other types are left out (memory and disk)")
    func getMatching() async throws {
        for (name, cache) in try Fixture.both(ManualClock()) {
            for index in 0..<250 { try await cache.set("user:\(index)", index) }
            try await cache.set("user:text", "not an int")
            try await cache.set("other", 1)
            var found: [String: Int] = [:]
            for try await (key, value) in cache.getMatching("user:*", as: Int.self, batchSize: 100) {
                found[key] = value
            }
            #expect(found.count == 250, "\(name)")
            #expect(found["user:7"] == 7 && found["other"] == nil && found["user:text"] == nil, "\(name)")
        }
    }

    @Test("\"://\" is a disabled backend: nothing is kept, every strategy computes, nothing waits")
    func disabled() async throws {
        let cache = Cache()
        let backend = try cache.setup("://")
        #expect(backend is DisabledBackend)
        try await cache.set("k", 1)
        #expect(try await cache.get("k", as: Int.self) == nil)
        let calls = Calls()
        for _ in 0..<2 { _ = try await cache.cached(key: "c", ttl: 60) { calls.next() } }
        #expect(calls.count == 2)
        #expect(try await cache.locked(key: "l", ttl: 60) { 5 } == 5)
        #expect(try await cache.cached(key: "c", ttl: 60, lock: true) { 6 } == 6)
        #expect(try await cache.ping() == "PONG")
        #expect(throws: CashewsError.self) { try Cache().setup("://?size=1") }
        #expect(!Cache.registeredSchemes.contains(""))
    }

    @Test("cashews' parameter spellings are read where their meaning carries over")
    func spellings() async throws {
        let cache = Cache()
        try cache.setup("mem://?compress_type=zlib&compress_min_size=0")
        try await cache.set("k", String(repeating: "a", count: 100))
        #expect(try await cache.get("k", as: String.self) == String(repeating: "a", count: 100))
        let stored = try await cache.backend(for: "k").get("k")
        guard case .bytes(let bytes)? = stored else {
            Issue.record("a compressed value is stored as bytes")
            return
        }
        #expect(bytes.count < 50, "compressed")
        #expect(throws: CashewsError.self) { try Cache().setup("mem://?compress=zlib&compress_type=gzip") }
        let memory = try Cache().setup("mem://?check_interval=0.01") as? MemoryBackend
        #expect(memory?.configuration.sweepInterval == .milliseconds(10))
        Cache.register(.disk)
        let directory = TemporaryDirectory.path("spellings")
        _ = try Cache().setup("disk://\(directory)?eviction_policy=lru&durability=none")
    }

    @Test(
        "parameters whose meaning does not carry over are errors that name what to do",
        arguments: [
            "shards=8", "timeout=1", "statistics=1",
        ])
    func unsupported(parameter: String) throws {
        Cache.register(.disk)
        let name = String(parameter.prefix { $0 != "=" })
        let error = #expect(throws: CashewsError.self) {
            try Cache().setup("disk://\(TemporaryDirectory.path("unsupported"))?\(parameter)")
        }
        #expect("\(error!)".contains("\"\(name)\""))
        #expect("\(error!)".contains("drop it") || "\(error!)".contains("drop the parameter"))
    }

    @Test("background: false refreshes hit and early before returning (memory and disk)")
    func foregroundRefresh() async throws {
        let clock = ManualClock()
        for (name, cache) in try Fixture.both(clock) {
            cache.pauseBackgroundRefreshes()
            let calls = Calls()
            _ = try await cache.early(key: "e", ttl: "1h", earlyTTL: "1m", background: false) { calls.next() }
            clock.advance(by: .seconds(61))
            let stale = try await cache.early(key: "e", ttl: "1h", earlyTTL: "1m", background: false) {
                calls.next()
            }
            #expect(stale == 1, "\(name): the stale value, as in cashews")
            #expect(try await cache.early(key: "e", ttl: "1h", earlyTTL: "1m") { calls.next() } == 2, "\(name)")
            let hits = Calls()
            _ = try await cache.hit(key: "h", ttl: "1h", cacheHits: 5, updateAfter: 1, background: false) {
                hits.next()
            }
            _ = try await cache.hit(key: "h", ttl: "1h", cacheHits: 5, updateAfter: 1, background: false) {
                hits.next()
            }
            #expect(hits.count == 2, "\(name): refreshed before the call returned")
        }
    }

    @Test("isLocked(wait:) waits for a release, or answers true when the wait ends")
    func isLockedWaiting() async throws {
        let cache = Cache()
        try cache.setup("mem://")
        #expect(try await !cache.isLocked("l", wait: 1))
        #expect(try await cache.lock("l", token: "t", ttl: "1h"))
        #expect(try await cache.isLocked("l", wait: nil))
        #expect(try await cache.isLocked("l", wait: 0.005, step: 0.001), "still held after the wait")
        async let released = cache.isLocked("l", wait: 10, step: 0.001)
        try await cache.unlock("l", token: "t")
        #expect(try await !released)
    }

    @Test("popFromSet pops up to 100 by default, as cashews' set_pop (memory and disk)")
    func popDefault() async throws {
        for (name, cache) in try Fixture.both(ManualClock()) {
            try await cache.addToSet("s", (0..<150).map { "m\($0)" })
            #expect(try await cache.popFromSet("s").count == 100, "\(name)")
            #expect(try await cache.members(of: "s").count == 50, "\(name)")
        }
    }
}
