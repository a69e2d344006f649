import Cashews
import Testing

@Suite("TTL forms: integer and float seconds, TTL on every duration parameter, TTL from the result")
struct TTLFormTests {
    @Test("an integer literal means seconds, a float literal seconds to the millisecond")
    func literals() throws {
        let minute: TTL = 60
        let half: TTL = 0.5
        #expect(try minute.duration == .seconds(60))
        #expect(try half.duration == .milliseconds(500))
        let zero: TTL = 0
        let error = #expect(throws: CashewsError.self) { try zero.duration }
        #expect("\(error!)".contains("pass nil for no expiry"))
    }

    @Test("ttl: 60 on set and on the strategies (memory and disk)")
    func integerTTLs() async throws {
        for (name, cache) in try Fixture.both(ManualClock()) {
            try await cache.set("k", "v", ttl: 60)
            #expect(try await cache.timeToLive("k") == .remaining(.seconds(60)), "\(name)")
            _ = try await cache.cached(key: "c", ttl: 90) { 1 }
            #expect(try await cache.timeToLive("c") == .remaining(.seconds(90)), "\(name)")
            _ = try await cache.soft(key: "s", ttl: 120, softTTL: 30) { 1 }
            #expect(try await cache.timeToLive("soft:s") == .remaining(.seconds(120)), "\(name)")
        }
    }

    @Test("time conditions, lock timeouts and intervals take TTL forms")
    func durationParameters() async throws {
        let clock = ManualClock()
        let cache = try Fixture.memory(clock)
        let calls = Calls()
        for _ in 0..<2 {
            _ = try await cache.cached(key: "slow", ttl: "1m", timeCondition: "1s") { () -> Int in
                clock.advance(by: .seconds(2))
                return calls.next()
            }
        }
        #expect(calls.count == 1, "a call slower than \"1s\" is stored")
        _ = try await cache.cached(key: "fast", ttl: 60, timeCondition: 1) { calls.next() }
        #expect(try await !cache.exists("fast"), "a fast call is not")
        #expect(try await cache.locked(key: "job", ttl: 10, timeout: 1, checkInterval: "1ms") { 7 } == 7)
        _ = try await cache.cached(key: "locked", ttl: 10, lock: true, lockTimeout: 0.5) { 1 }
        #expect(try await cache.get("locked", as: Int.self) == 1)
    }

    @Test("cached with a TTL computed from the value; a stored error lives for errorTTL (memory and disk)")
    func ttlFromTheResult() async throws {
        let clock = ManualClock()
        for (name, cache) in try Fixture.both(clock) {
            func page(_ rows: [Int]) async throws -> [Int] {
                try await cache.cached(key: "page:\(rows.count)", ttl: { $0.isEmpty ? "1m" : "1h" }) { rows }
            }
            _ = try await page([])
            _ = try await page([1, 2])
            #expect(try await cache.timeToLive("page:0") == .remaining(.seconds(60)), "\(name)")
            #expect(try await cache.timeToLive("page:2") == .remaining(.seconds(3600)), "\(name)")
            _ = try await cache.cached(key: "forever", ttl: { (_: Int) in nil }) { 1 }
            #expect(try await cache.timeToLive("forever") == .forever, "\(name)")
            await #expect(throws: MyError(code: 1), "\(name)") {
                _ = try await cache.cached(
                    key: "failing", ttl: { (_: Int) in "1h" }, errorTTL: 30, condition: .onlyErrors()
                ) { throw MyError(code: 1) }
            }
            #expect(try await cache.timeToLive("failing") == .remaining(.seconds(30)), "\(name)")
        }
    }

    @Test("hit with a TTL computed from the value: value and counter live as long (memory and disk)")
    func hitWithTTLFromTheValue() async throws {
        let clock = ManualClock()
        for (name, cache) in try Fixture.both(clock) {
            let calls = Calls()
            func quote() async throws -> Int {
                try await cache.hit(key: "q", ttl: { $0 == 1 ? "10s" : "1h" }, cacheHits: 2) { calls.next() }
            }
            #expect(try await quote() == 1, "\(name)")
            #expect(try await cache.timeToLive("hit:q") == .remaining(.seconds(10)), "\(name)")
            #expect(try await cache.timeToLive("hit:q:counter") == .remaining(.seconds(10)), "\(name)")
            #expect(try await quote() == 1, "\(name): hit 1")
            #expect(try await quote() == 1, "\(name): hit 2")
            #expect(try await quote() == 2, "\(name): past cacheHits, computed again")
            #expect(try await cache.timeToLive("hit:q") == .remaining(.seconds(3600)), "\(name)")
            #expect(try await cache.timeToLive("hit:q:counter") == .remaining(.seconds(3600)), "\(name)")
            await #expect(throws: MyError(code: 2), "\(name)") {
                _ = try await cache.hit(
                    key: "failing", ttl: { (_: Int) in "1h" }, errorTTL: 30, cacheHits: 3,
                    condition: .onlyErrors()
                ) { throw MyError(code: 2) }
            }
            #expect(try await cache.timeToLive("hit:failing") == .remaining(.seconds(30)), "\(name)")
        }
    }

    @Test("early, soft and failover with a TTL computed from the value (memory and disk)")
    func ttlFromTheResultOnStrategies() async throws {
        let clock = ManualClock()
        for (name, cache) in try Fixture.both(clock) {
            let byLength: @Sendable (String) -> TTL? = { $0.count > 3 ? "1h" : "1m" }
            _ = try await cache.early(key: "e", ttl: byLength, earlyTTL: "30s") { "long value" }
            #expect(try await cache.timeToLive("early:v2:e") == .remaining(.seconds(3600)), "\(name)")
            _ = try await cache.soft(key: "s", ttl: byLength, softTTL: "30s") { "abc" }
            #expect(try await cache.timeToLive("soft:s") == .remaining(.seconds(60)), "\(name)")
            _ = try await cache.failover(key: "f", ttl: byLength) { "abcd" }
            #expect(try await cache.timeToLive("fail:f") == .remaining(.seconds(3600)), "\(name)")
            clock.advance(by: .seconds(31))
            let calls = Calls()
            let stale = try await cache.soft(key: "s", ttl: byLength, softTTL: "30s") { () -> String in
                calls.next()
                return "xyz"
            }
            #expect(stale == "xyz" && calls.count == 1, "\(name): past softTTL, recomputed")
        }
    }
}
