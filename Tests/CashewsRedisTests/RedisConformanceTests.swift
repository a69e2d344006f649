import Cashews
import CashewsTesting
import Testing

@testable import CashewsRedis

/// The backend conformance suite against a real redis-server whose clock is the check's
/// `ManualClock` (see ``FakeTime``): one server per check.
@Suite("Redis conformance")
struct RedisConformanceTests {
    @Test(arguments: BackendConformance.checks)
    func redis(_ check: ConformanceCheck) async throws {
        try await withRedisServer(clockAt: ManualClock().milliseconds) { server in
            let backend = RedisBackend(configuration: server.configuration())
            try await closing(backend) {
                try await BackendConformance.run(check) { clock in
                    ClockSyncingBackend(base: backend, clock: clock, time: server.fakeTime!)
                }
            }
        }
    }

    @Test("the suite passes in a namespace, over RESP2, on a unix socket", arguments: BackendConformance.checks)
    func namespacedRESP2(_ check: ConformanceCheck) async throws {
        try await withRedisServer(clockAt: ManualClock().milliseconds) { server in
            var configuration = RedisConfiguration(endpoint: .unix(path: server.socketPath))
            configuration.namespace = "app:"
            configuration.protocolVersion = 2
            configuration.database = 2
            let backend = RedisBackend(configuration: configuration)
            // A key of the same database outside the namespace, which no check may see or delete.
            var outsideConfiguration = server.configuration()
            outsideConfiguration.database = 2
            let outside = RedisBackend(configuration: outsideConfiguration)
            try await closing(backend, outside) {
                _ = try await outside.set("outside", .bytes([1]), expiry: .never, condition: .always)
                try await BackendConformance.run(check) { clock in
                    ClockSyncingBackend(base: backend, clock: clock, time: server.fakeTime!)
                }
                #expect(try await outside.exists("outside"))
            }
        }
    }
}

/// Runs `body`, then shuts the backends down, whether `body` threw or not.
func closing<R>(_ backends: RedisBackend..., body: () async throws -> R) async rethrows -> R {
    do {
        let result = try await body()
        for backend in backends { await backend.shutdown() }
        return result
    } catch {
        for backend in backends { await backend.shutdown() }
        throw error
    }
}
