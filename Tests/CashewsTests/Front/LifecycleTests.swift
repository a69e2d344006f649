import Cashews
import Foundation
import Logging
import ServiceLifecycle
import TestSupport
import Testing

@Suite("Lifecycle and processes")
struct LifecycleTests {
    @Test("run() drives every backend's background work and ends on cancellation")
    func service() async throws {
        let clock = ManualClock()
        let memory = MemoryBackend(configuration: .init(clock: .manual(clock), sweepInterval: .milliseconds(5)))
        let cache = Cache()
        cache.setup(memory)
        try await cache.set("k", "v", ttl: "1s")
        clock.advance(by: .seconds(2))
        let task = Task { try await cache.run() }
        var remaining = try await memory.count()
        for _ in 0..<400 where remaining > 0 {
            try await Task.sleep(for: .milliseconds(5))
            remaining = try await memory.count()
        }
        #expect(remaining == 0, "the sweeper removed the expired entry")
        task.cancel()
        try await task.value
    }

    @Test("two processes share a disk:// cache through the front")
    func twoProcesses() async throws {
        try await withTemporaryPath(create: false) { directory in
            let workers = try (0..<2).map { _ in try Worker.start(["front-incr", directory, "300"]) }
            for worker in workers {
                #expect(worker.readLine() == "done")
                #expect(worker.wait() == 0)
            }
            let cache = Cache()
            try cache.setupDisk("disk://\(directory)")
            #expect(try await cache.get("visits", as: Int.self) == 600)
            #expect(try await cache.get("last-writer", as: String.self)?.hasPrefix("pid-") == true)
        }
    }
}
