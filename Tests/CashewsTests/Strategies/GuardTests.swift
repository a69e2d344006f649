import Cashews
import Foundation
import Synchronization
import Testing

@Suite("Strategies: locked, rate limits, circuit breaker")
struct GuardTests {
    @Test("extreme TTLs, periods and limits saturate instead of trapping")
    func extremes() async throws {
        for (name, cache) in try Fixture.both(ManualClock()) {
            let forever = TTL(Duration.seconds(Int64.max))
            #expect(try await cache.soft(key: "soft", ttl: forever) { 1 } == 1, "\(name)")
            #expect(try await cache.soft(key: "soft", ttl: forever) { 2 } == 1, "\(name)")
            #expect(try await cache.early(key: "early", ttl: forever) { 3 } == 3, "\(name)")
            for _ in 0..<3 {
                #expect(try await cache.sliceRateLimit(key: "srl", limit: .max, period: forever) { 4 } == 4, "\(name)")
            }
            #expect(
                try await cache.sliceIncrement("window", window: .seconds(Int64.max), limit: 5, now: 0) == 1, "\(name)")
        }
        #expect(throws: KeyTemplateError.self) { try KeyTemplate("a:{b}").render(positional: [1, 2]) }
    }

    @Test("locked: without waiting a held lock is a typed error; waiting times out; released after the body")
    func locked() async throws {
        let clock = ManualClock()
        for (name, cache) in try Fixture.both(clock) {
            #expect(try await cache.lock("job:lock", token: "other", ttl: "1m"), "\(name)")
            await #expect(throws: CashewsError.locked(key: "job:lock"), "\(name)") {
                try await cache.locked(key: "job", ttl: "1m", wait: false) { 1 }
            }
            // The wait is timed on the cache's clock: it runs out when that clock has moved 30 ms.
            let ticker = Task {
                while !Task.isCancelled {
                    clock.advance(by: .milliseconds(10))
                    try? await Task.sleep(for: .milliseconds(1))
                }
            }
            await #expect(throws: CashewsError.lockTimeout(key: "job:lock", waited: .milliseconds(30)), "\(name)") {
                try await cache.locked(
                    key: "job", ttl: "1h", timeout: .milliseconds(30), checkInterval: .milliseconds(1)
                ) { 1 }
            }
            ticker.cancel()
            #expect(try await cache.isLocked("job:lock"), "\(name): the other holder's lock is untouched")
            try await cache.unlock("job:lock", token: "other")
            #expect(try await cache.locked(key: "job", ttl: "1m") { 2 } == 2, "\(name)")
            #expect(try await !cache.isLocked("job:lock"), "\(name): released")
            await #expect(throws: Boom.self) {
                try await cache.locked(key: "job", ttl: "1m") { () -> Int in throw Boom() }
            }
            #expect(try await !cache.isLocked("job:lock"), "\(name): released after an error too")
        }
    }

    @Test("locked: concurrent holders never overlap")
    func mutualExclusion() async throws {
        let cache = try Fixture.memory(ManualClock())
        let inside = Occupancy()
        let overlaps = Calls()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await cache.locked(key: "m", ttl: "1m", checkInterval: .milliseconds(1)) {
                        if inside.enter() != 1 { overlaps.next() }
                        try await Task.sleep(for: .milliseconds(1))
                        inside.leave()
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(overlaps.count == 0)
    }

    @Test("rate limit, limit 2: ok, ok, limited, limited; the ban lasts banTTL; a new window after it")
    func rateLimit() async throws {
        let clock = ManualClock()
        for (name, cache) in try Fixture.both(clock) {
            var outcomes: [String] = []
            for _ in 0..<4 {
                do {
                    outcomes.append(
                        try await cache.rateLimit(key: "rl", limit: 2, period: "10s", banTTL: "60s") { "ok" })
                } catch CashewsError.rateLimited(let key, let limit, _) {
                    outcomes.append("limited \(key) \(limit)")
                }
            }
            #expect(outcomes == ["ok", "ok", "limited rl 2", "limited rl 2"], "\(name)")
            #expect(try await cache.timeToLive("rl") == .remaining(.seconds(60)), "\(name): the ban")
            clock.advance(by: .seconds(30))
            let answer = try await cache.rateLimit(key: "rl", limit: 2, period: "10s", onLimit: { "slow down" }) {
                "ok"
            }
            #expect(answer == "slow down", "\(name): still banned, the action answers")
            clock.advance(by: .seconds(31))
            #expect(try await cache.rateLimit(key: "rl", limit: 2, period: "10s") { "ok" } == "ok", "\(name)")
        }
    }

    @Test("slice rate limit: a sliding window of the cache's clock")
    func sliceRateLimit() async throws {
        let clock = ManualClock()
        for (name, cache) in try Fixture.both(clock) {
            func call() async throws -> Bool {
                try await cache.sliceRateLimit(key: "srl", limit: 2, period: "10s", onLimit: { false }) { true }
            }
            #expect(try await call(), "\(name)")
            clock.advance(by: .seconds(6))
            #expect(try await call(), "\(name)")
            #expect(try await !call(), "\(name): 2 in the last 10 s")
            clock.advance(by: .seconds(5))
            #expect(try await !call(), "\(name): the refused call at 6 s still counts, as in cashews")
            clock.advance(by: .seconds(6))
            #expect(try await call(), "\(name): the window slid past the calls at 0 s and 6 s")
            await #expect(throws: CashewsError.self) {
                _ = try await cache.sliceRateLimit(key: "srl", limit: 0, period: "10s") { true }
            }
        }
    }

    @Test("circuit breaker: closed, open, half-open with one trial, closed again; failed trial reopens")
    func circuitBreaker() async throws {
        let clock = ManualClock()
        for (name, cache) in try Fixture.both(clock) {
            func call(failing: Bool) async throws -> String {
                try await cache.circuitBreaker(
                    key: "cb", errorRate: 50, period: "1m", ttl: "30s", halfOpenTTL: "10s", minCalls: 2
                ) {
                    if failing { throw Unavailable() }
                    return "ok"
                }
            }
            func outcome(failing: Bool) async -> String {
                do { return try await call(failing: failing) } catch CashewsError.circuitOpen { return "OPEN" } catch {
                    return "ERR"
                }
            }
            #expect(await outcome(failing: false) == "ok", "\(name)")
            #expect(try await cache.circuitState(key: "cb") == .closed)
            #expect(await outcome(failing: true) == "ERR", "\(name): 1 of 2 failed: 50 %")
            #expect(try await cache.circuitState(key: "cb") == .open, "\(name)")
            #expect(await outcome(failing: false) == "OPEN", "\(name)")
            clock.advance(by: .seconds(31))
            #expect(try await cache.circuitState(key: "cb") == .halfOpen, "\(name)")
            #expect(await outcome(failing: true) == "ERR", "\(name): the trial failed")
            #expect(try await cache.circuitState(key: "cb") == .open, "\(name): reopened")
            clock.advance(by: .seconds(31))
            #expect(await outcome(failing: false) == "ok", "\(name): the trial succeeded")
            #expect(try await cache.circuitState(key: "cb") == .closed, "\(name)")
            #expect(await outcome(failing: true) == "ERR", "\(name): counts started afresh: 1 call < minCalls")
            #expect(try await cache.circuitState(key: "cb") == .closed, "\(name)")
        }
    }

    @Test("circuit breaker half-open: one trial at a time; half-open ends by itself; errors not counted")
    func halfOpen() async throws {
        let clock = ManualClock()
        let cache = try Fixture.memory(clock)
        func open() async {
            _ = try? await cache.circuitBreaker(key: "h", errorRate: 10, period: "1m", ttl: "30s", halfOpenTTL: "10s") {
                () -> Int in throw Unavailable()
            }
        }
        await open()
        clock.advance(by: .seconds(31))
        let gate = Gate()
        let trial = Task {
            try await cache.circuitBreaker(key: "h", errorRate: 10, period: "1m", ttl: "30s", halfOpenTTL: "10s") {
                await gate.wait()
                return 1
            }
        }
        while try await !cache.isLocked("h:trial") { await Task.yield() }
        await #expect(throws: CashewsError.circuitOpen(key: "h"), "a second trial is refused") {
            _ = try await cache.circuitBreaker(key: "h", errorRate: 10, period: "1m", ttl: "30s", halfOpenTTL: "10s") {
                2
            }
        }
        gate.open()
        #expect(try await trial.value == 1)
        #expect(try await cache.circuitState(key: "h") == .closed)

        await open()
        clock.advance(by: .seconds(41))
        #expect(try await cache.circuitState(key: "h") == .closed, "no trial: half-open ended by itself")
        _ = try? await cache.circuitBreaker(
            key: "h", errorRate: 10, period: "1m", ttl: "30s", countsAsFailure: { !($0 is Boom) }
        ) { () -> Int in throw Boom() }
        #expect(try await cache.circuitState(key: "h") == .closed, "an error that is not a failure")
        await #expect(throws: CashewsError.self) {
            _ = try await cache.circuitBreaker(key: "h", errorRate: 100, period: "1m", ttl: "30s") { 1 }
        }
    }
}

/// How many tasks are inside a critical section.
final class Occupancy: Sendable {
    private let count = Atomic<Int>(0)
    /// Enters; returns how many are inside now.
    func enter() -> Int { count.add(1, ordering: .relaxed).newValue }
    func leave() { count.subtract(1, ordering: .relaxed) }
}
