import Cashews
import Foundation
import InMemoryLogging
import Logging
import Testing

@Suite("Strategies: background refreshes")
struct BackgroundTests {
    @Test("a failed background refresh is logged as an error, with its key; the stale value stays")
    func failureLogged() async throws {
        let clock = ManualClock()
        let (cache, log) = try Fixture.logging(clock)
        let calls = Calls()
        let load = { @Sendable in
            try await cache.early(key: "e", ttl: "10m", earlyTTL: "1m") { () -> Int in
                if calls.next() > 1 { throw Unavailable() }
                return 1
            }
        }
        _ = try await load()
        clock.advance(by: .seconds(61))
        #expect(try await load() == 1)
        await cache.waitForBackgroundRefreshes()
        #expect(log.messages(at: .error) == ["background refresh failed"])
        let metadata = log.entries.first { $0.level == .error }?.metadata
        #expect(metadata?["key"] == "early:v2:e")
        #expect(try await !cache.isLocked("early:v2:e:lock"), "the lock is released after a failure")
        #expect(try await load() == 1, "the stale value is still served, and a new refresh starts")
        await cache.waitForBackgroundRefreshes()
        #expect(log.messages(at: .error).count == 2)
    }

    @Test("run() owns the refreshes: they run in its group, and ending it cancels them (logged)")
    func runOwnsRefreshes() async throws {
        let clock = ManualClock()
        let (cache, log) = try Fixture.logging(clock)
        let started = Gate()
        let service = Task { try await cache.run() }
        _ = try await cache.hit(key: "h", ttl: "1m", cacheHits: 5, updateAfter: 1) { 1 }
        _ = try await cache.hit(key: "h", ttl: "1m", cacheHits: 5, updateAfter: 1) { () async throws -> Int in
            started.open()
            try await Task.sleep(for: .seconds(3600))  // until cancelled
            return 2
        }
        await started.wait()
        service.cancel()
        try await service.value
        await cache.waitForBackgroundRefreshes()
        #expect(log.messages(at: .notice).contains("background refresh cancelled"))
        #expect(log.messages(at: .error).isEmpty)
    }

    @Test("without run(), refreshes run in tasks of their own that cancelBackgroundRefreshes() cancels")
    func cancelledWithoutRun() async throws {
        let (cache, log) = try Fixture.logging(ManualClock())
        let started = Gate()
        _ = try await cache.dynamic(key: "d") { 1 }
        _ = try await cache.dynamic(key: "d") { () async throws -> Int in
            started.open()
            try await Task.sleep(for: .seconds(3600))
            return 2
        }
        await started.wait()
        cache.cancelBackgroundRefreshes()
        await cache.waitForBackgroundRefreshes()
        #expect(log.messages(at: .notice) == ["background refresh cancelled"])
    }

    @Test("refreshes held while run() ends are dropped, logged, never lost silently")
    func droppedOnShutdown() async throws {
        let (cache, log) = try Fixture.logging(ManualClock())
        let service = Task { try await cache.run() }
        cache.pauseBackgroundRefreshes()
        _ = try await cache.dynamic(key: "d") { 1 }
        _ = try await cache.dynamic(key: "d") { 2 }
        service.cancel()
        try await service.value
        await cache.waitForBackgroundRefreshes()
        #expect(log.messages(at: .notice) == ["background refresh dropped on shutdown"])
    }
}
