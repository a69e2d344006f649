import Cashews
import CashewsDisk
import DiskCache
import Foundation
import TestSupport
import Testing

@Suite("disk:// eviction policies")
struct DiskEvictionSetupTests {
    @Test(
        "every eviction policy is reachable from the setup URL",
        arguments: [
            ("lrs", EvictionPolicy.leastRecentlyStored), ("lru", .leastRecentlyUsed), ("lfu", .leastFrequentlyUsed),
            ("s3-fifo", .s3FIFO), ("s3fifo", .s3FIFO), ("none", EvictionPolicy.none),
        ])
    func policies(name: String, policy: EvictionPolicy) async throws {
        let directory = TemporaryDirectory.path("eviction-\(name)")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cache = Cache()
        let disk = try cache.setupDisk("disk://\(directory)?count_limit=10&eviction=\(name)")
        #expect((disk as? DiskBackend)?.cache.configuration.evictionPolicy == policy)
        for index in 0..<25 { try await cache.set("k\(index)", index) }
        #expect(try await cache.count() == (policy == .none ? 25 : 10))
    }
}
