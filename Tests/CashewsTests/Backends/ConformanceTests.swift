import Cashews
import CashewsDisk
import CashewsTesting
import Foundation
import TestSupport
import Testing

@Suite("Backend conformance")
struct ConformanceTests {
    @Test("memory backend", arguments: BackendConformance.checks)
    func memory(_ check: ConformanceCheck) async throws {
        try await BackendConformance.run(check) { clock in
            MemoryBackend(configuration: .init(clock: .manual(clock)))
        }
    }

    @Test("a backend that overrides every customization point", arguments: BackendConformance.checks)
    func native(_ check: ConformanceCheck) async throws {
        try await BackendConformance.run(check) { clock in NativeCommandsBackend(clock: clock) }
    }

    @Test("the checks reach every override: the front and the suite dispatch through the protocol")
    func overridesReached() async throws {
        for check in BackendConformance.checks {
            try await BackendConformance.run(check) { clock in NativeCommandsBackend(clock: clock) }
        }
        let cache = Cache()
        cache.setup(NativeCommandsBackend(clock: ManualClock()))
        _ = try await cache.lock("front-lock", token: "t", ttl: "1m")
        _ = try await cache.isLocked("front-lock")
        _ = try await cache.unlock("front-lock", token: "t")
        let reached = NativeCommandsBackend.reached.withLock { $0 }
        #expect(NativeCommandsBackend.customizationPoints.subtracting(reached).isEmpty)
    }

    @Test("disk backend", arguments: BackendConformance.checks)
    func disk(_ check: ConformanceCheck) async throws {
        let directory = TemporaryDirectory.path("conformance")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await BackendConformance.run(check) { clock in
            try DiskBackend(
                directory: directory, configuration: .init(durability: .none, clock: .manual(clock)))
        }
    }
}
