import Cashews
import CashewsDisk
import CashewsTesting
import Foundation
import Testing

@Suite("Backend conformance")
struct ConformanceTests {
    @Test("memory backend", arguments: BackendConformance.checks)
    func memory(_ check: ConformanceCheck) async throws {
        try await BackendConformance.run(check) { clock in
            MemoryBackend(configuration: .init(clock: .manual(clock)))
        }
    }

    @Test("disk backend", arguments: BackendConformance.checks)
    func disk(_ check: ConformanceCheck) async throws {
        let directory = NSTemporaryDirectory() + "cashews-conformance-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await BackendConformance.run(check) { clock in
            try DiskBackend(
                directory: directory, configuration: .init(durability: .none, clock: .manual(clock)))
        }
    }
}
