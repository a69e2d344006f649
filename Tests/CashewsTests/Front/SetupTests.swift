import Cashews
import CashewsDisk
import Foundation
import TestSupport
import Testing

@Suite("Setup by URL")
struct SetupTests {
    @Test("mem:// and disk:// build the backends they describe")
    func schemes() throws {
        let directory = TemporaryDirectory.path("setup")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cache = Cache()
        let memory = try cache.setup("mem://?size=10000&max_bytes=64MiB&check_interval=250ms")
        #expect((memory as? MemoryBackend)?.configuration.maxEntries == 10_000)
        #expect((memory as? MemoryBackend)?.configuration.maxBytes == 64 << 20)
        let disk = try cache.setupDisk(
            "disk://\(directory)?size_limit=1GB&eviction=lru&durability=full&blob_threshold=64KiB", prefix: "user")
        let engine = (disk as? DiskBackend)?.cache
        #expect(engine?.configuration.sizeLimit == 1_000_000_000)
        #expect(engine?.configuration.evictionPolicy == .leastRecentlyUsed)
        #expect(engine?.configuration.durability == .full)
        #expect(engine?.configuration.blobThreshold == 64 << 10)
    }

    @Test(
        "bad URLs are typed errors that say what is accepted",
        arguments: [
            ("redis2://localhost", "unknown cache URL scheme"), ("mem://?sise=10", "it accepts"),
            ("mem://?size=ten", "a whole number"), ("disk:///tmp/x?eviction=random", "one of"),
            ("disk:///tmp/x?size_limit=1XB", "a size in bytes"), ("mem", "no scheme"),
            ("disk://host/path", "three slashes"), ("mem://?size=1&size=2", "appears twice"),
            ("mem://?suppress=maybe", "true or false"),
        ])
    func errors(url: String, message: String) throws {
        let error = #expect(throws: CashewsError.self) { try Cache().setupDisk(url) }
        #expect("\(error!)".contains(message), "\(error!)")
    }

    @Test("other modules register schemes")
    func registry() throws {
        Cache.register(scheme: "test-mem") { url, _ in
            try url.checkNoOtherParameters(accepted: [])
            return MemoryBackend()
        }
        #expect(Cache.registeredSchemes.contains("test-mem"))
        #expect(try Cache().setup("test-mem://") is MemoryBackend)
    }
}
