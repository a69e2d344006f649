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

    @Test("the default is S3-FIFO for a new directory; a directory keeps the policy it was created with")
    func defaultPolicy() async throws {
        let fresh = TemporaryDirectory.path("eviction-default")
        let old = TemporaryDirectory.path("eviction-old")
        defer {
            try? FileManager.default.removeItem(atPath: fresh)
            try? FileManager.default.removeItem(atPath: old)
        }
        let created = try Cache().setupDisk("disk://\(fresh)") as? DiskBackend
        #expect(created?.cache.configuration.evictionPolicy == .s3FIFO)
        // A directory of the earlier default opens as it is when no policy is asked for …
        _ = try Cache().setupDisk("disk://\(old)?eviction=lrs")
        let reopened = try Cache().setupDisk("disk://\(old)") as? DiskBackend
        #expect(reopened?.cache.configuration.evictionPolicy == .leastRecentlyStored)
        // … and asking for another policy is an error that says what to do.
        #expect {
            try Cache().setupDisk("disk://\(old)?eviction=s3-fifo")
        } throws: { error in
            "\(error)".contains("least-recently-stored")
        }
    }
}
