import Synchronization
import TestSupport
import Testing

@testable import DiskCache

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite("DiskCache engine thread: slow work off the cooperative pool")
struct EngineThreadTests {
    @Test("jobs run on the engine's own thread and hand back results and errors")
    func jobsRunOnTheEngineThread() async throws {
        let caller = pthread_self()
        let engine = try await EngineThread.shared.run { pthread_self() }
        #expect(pthread_equal(caller, engine) == 0)
        let order = Mutex<[Int]>([])
        for index in 0..<50 { try await EngineThread.shared.run { order.withLock { $0.append(index) } } }
        #expect(order.withLock { $0 } == Array(0..<50))
        struct Failure: Error {}
        await #expect(throws: Failure.self) { try await EngineThread.shared.run { throw Failure() } }
    }

    @Test("a maintenance round runs on the engine thread and reports what it did")
    func maintenanceRound() async throws {
        try await withCacheDirectory { path in
            let clock = ManualClock()
            let cache = try makeCache(path, clock: clock)
            for index in 0..<10 { try cache.set(bytes("v"), forKey: "k\(index)", expiry: .after(.seconds(1))) }
            clock.advance(by: .seconds(2))
            #expect(try await cache.maintenanceRound().expiredRemoved == 10)
            #expect(try cache.count == 0)
        }
    }
}
