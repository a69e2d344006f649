import Cashews
import Foundation
import Testing

@Suite("Strategies: failover, hit, dynamic, early, soft")
struct RefreshTests {
    @Test("failover always calls; on a listed error it serves the stored value, else rethrows")
    func failover() async throws {
        for (name, cache) in try Fixture.both(ManualClock()) {
            let calls = Calls()
            let failing = Calls()
            func price(failWith error: (any Error)? = nil) async throws -> Int {
                try await cache.failover(key: "price", ttl: "1d", when: { $0 is Unavailable }) {
                    if let error {
                        failing.next()
                        throw error
                    }
                    return calls.next()
                }
            }
            await #expect(throws: Unavailable.self, "\(name): nothing stored yet") {
                _ = try await price(failWith: Unavailable())
            }
            #expect(try await price() == 1, "\(name)")
            #expect(try await price() == 2, "\(name): always calls first")
            let (served, hits) = try await cache.detect { try await price(failWith: Unavailable()) }
            #expect(served == 2, "\(name): the stored value")
            #expect(hits == [CacheHit(key: "fail:price", strategy: .failover)], "\(name)")
            await #expect(throws: Boom.self, "\(name): an unlisted error") { _ = try await price(failWith: Boom()) }
            #expect(failing.count == 3, "\(name)")
        }
    }

    @Test("failover does not store again a value that came from a strategy of the same cache")
    func failoverUpper() async throws {
        let cache = try Fixture.memory(ManualClock())
        _ = try await cache.cached(key: "inner", ttl: "1m") { 5 }
        _ = try await cache.failover(key: "outer", ttl: "1m") { try await cache.cached(key: "inner", ttl: "1m") { 0 } }
        #expect(try await !cache.exists("fail:outer"))
        _ = try await cache.failover(key: "outer", ttl: "1m") { 6 }
        #expect(try await cache.get("fail:outer", as: Int.self) == 6, "stored as a plain value under fail:")
    }

    @Test("hit with cacheHits 3, updateAfter 2: [1,1,1,1,2,2] while the refresh has not landed (as in cashews)")
    func hitSequence() async throws {
        for (name, cache) in try Fixture.both(ManualClock()) {
            cache.pauseBackgroundRefreshes()
            let calls = Calls()
            var results: [Int] = []
            for _ in 0..<6 {
                results.append(try await cache.hit(key: "h", ttl: "1m", cacheHits: 3, updateAfter: 2) { calls.next() })
            }
            #expect(results == [1, 1, 1, 1, 2, 2], "\(name)")
            cache.resumeBackgroundRefreshes()
            await cache.waitForBackgroundRefreshes()
            #expect(calls.count == 3, "\(name): the held refresh ran")
            #expect(try await cache.hit(key: "h", ttl: "1m", cacheHits: 3, updateAfter: 2) { calls.next() } == 3)
        }
    }

    @Test("hit with each refresh landing before the next call: [1,1,1,2,2,3]")
    func hitRefreshes() async throws {
        let cache = try Fixture.memory(ManualClock())
        let calls = Calls()
        var results: [Int] = []
        for _ in 0..<6 {
            results.append(try await cache.hit(key: "h", ttl: "1m", cacheHits: 3, updateAfter: 2) { calls.next() })
            await cache.waitForBackgroundRefreshes()
        }
        #expect(results == [1, 1, 1, 2, 2, 3])
    }

    @Test("dynamic: a cold value dies after 3 hits, a read one is refreshed at the first hit")
    func dynamic() async throws {
        let cache = try Fixture.memory(ManualClock())
        cache.pauseBackgroundRefreshes()
        let calls = Calls()
        var results: [Int] = []
        for _ in 0..<5 { results.append(try await cache.dynamic(key: "d") { calls.next() }) }
        #expect(results == [1, 1, 1, 1, 2], "3 hits, then recomputed")
        cache.resumeBackgroundRefreshes()
        await cache.waitForBackgroundRefreshes()
        #expect(calls.count == 3, "one refresh, started by the first hit")
    }

    @Test("early: stale-while-revalidate, one winner refreshes, everyone gets the stale value (memory and disk)")
    func early() async throws {
        let clock = ManualClock()
        for (name, cache) in try Fixture.both(clock) {
            let calls = Calls()
            let gate = Gate()
            let load = { @Sendable in
                try await cache.early(key: "page", ttl: "10m", earlyTTL: "2m") { () async -> Int in
                    let call = calls.next()
                    if call > 1 { await gate.wait() }
                    return call
                }
            }
            #expect(try await load() == 1, "\(name): a cold miss computes inline")
            clock.advance(by: .seconds(60))
            #expect(try await load() == 1, "\(name): fresh")
            clock.advance(by: .seconds(61))
            let stale = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<20 { group.addTask { try await load() } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(stale == Array(repeating: 1, count: 20), "\(name): everyone, the winner too, gets the stale value")
            gate.open()
            await cache.waitForBackgroundRefreshes()
            #expect(calls.count == 2, "\(name): exactly one background recompute")
            #expect(try await load() == 2, "\(name): the refreshed value")
            #expect(try await !cache.isLocked("page:lock"), "\(name): the refresh released its lock")
        }
    }

    @Test("early TTL defaults to a third of the TTL")
    func earlyDefault() async throws {
        let clock = ManualClock()
        let cache = try Fixture.memory(clock)
        let calls = Calls()
        _ = try await cache.early(key: "e", ttl: "300s") { calls.next() }
        clock.advance(by: .seconds(98))
        _ = try await cache.early(key: "e", ttl: "300s") { calls.next() }
        await cache.waitForBackgroundRefreshes()
        #expect(calls.count == 1, "98 s < 99 s: fresh")
        clock.advance(by: .seconds(2))
        _ = try await cache.early(key: "e", ttl: "300s") { calls.next() }
        await cache.waitForBackgroundRefreshes()
        #expect(calls.count == 2, "past 99 s: refreshed")
    }

    @Test("soft: fresh hits, recompute past the soft TTL, the stale value when it fails (memory and disk)")
    func soft() async throws {
        let clock = ManualClock()
        for (name, cache) in try Fixture.both(clock) {
            let calls = Calls()
            func rates(failing error: (any Error)? = nil) async throws -> Int {
                try await cache.soft(key: "rates", ttl: "1h", softTTL: "5m", when: { !($0 is Boom) }) {
                    if let error { throw error }
                    return calls.next()
                }
            }
            await #expect(throws: Unavailable.self, "\(name): no stale value yet") {
                _ = try await rates(failing: Unavailable())
            }
            #expect(try await rates() == 1, "\(name)")
            #expect(try await rates(failing: Unavailable()) == 1, "\(name): fresh, not called")
            clock.advance(by: .seconds(360))
            let (stale, hits) = try await cache.detect { try await rates(failing: Unavailable()) }
            #expect(stale == 1, "\(name): the stale value on failure")
            #expect(hits == [CacheHit(key: "soft:rates", strategy: .soft)], "\(name)")
            await #expect(throws: Boom.self, "\(name): an error not failed over") {
                _ = try await rates(failing: Boom())
            }
            #expect(try await rates() == 2, "\(name): recomputed")
            clock.advance(by: .seconds(7200))
            await #expect(throws: Unavailable.self, "\(name): expired for good") {
                _ = try await rates(failing: Unavailable())
            }
        }
    }

    @Test("soft TTL defaults to a third of the TTL; concurrent recomputes share one")
    func softDefaults() async throws {
        let clock = ManualClock()
        let cache = try Fixture.memory(clock)
        let calls = Calls()
        _ = try await cache.soft(key: "s", ttl: "300s") { calls.next() }
        clock.advance(by: .seconds(100))
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<50 { group.addTask { try await cache.soft(key: "s", ttl: "300s") { calls.next() } } }
            return try await group.reduce(into: Set<Int>()) { $0.insert($1) }
        }
        #expect(results == [2])
        #expect(calls.count == 2)
    }
}
