import Foundation
import TestSupport
import Testing

@testable import DiskCache

@Suite("DiskCache read path across threads")
struct ReadPathTests {
    /// Runs `body` on a thread of its own and waits for it.
    private func onNewThread(_ body: @escaping @Sendable () -> Void) {
        let done = DispatchSemaphore(value: 0)
        Thread {
            body()
            done.signal()
        }.start()
        done.wait()
    }

    @Test("hits and misses counted on many threads add up exactly")
    func countersAcrossThreads() throws {
        try withCacheDirectory { path in
            let cache = try DiskCache(directory: path, configuration: .init(durability: .none))
            for index in 0..<10 { try cache.set(bytes("v\(index)"), forKey: "k\(index)") }
            DispatchQueue.concurrentPerform(iterations: 16) { thread in
                for round in 0..<50 {
                    _ = try? cache.get("k\((thread + round) % 10)")
                    _ = try? cache.get("absent-\(thread)")
                }
            }
            let statistics = try cache.statistics()
            #expect(statistics.hits == 16 * 50)
            #expect(statistics.misses == 16 * 50)
        }
    }

    @Test("least recently used: reads on different threads fold in the order they happened")
    func recencyAcrossThreads() throws {
        try withCacheDirectory { path in
            let cache = try DiskCache(
                directory: path,
                configuration: .init(
                    sizeLimit: nil, countLimit: 3, evictionPolicy: .leastRecentlyUsed, durability: .none))
            for key in ["a", "b", "c"] { try cache.set(bytes(key), forKey: key) }
            // b is read first (on one thread), then a (on another): c is the least recently used,
            // then b.
            onNewThread { _ = try? cache.get("b") }
            onNewThread { _ = try? cache.get("a") }
            try cache.set(bytes("d"), forKey: "d")
            #expect(Set(try cache.keys()) == ["a", "b", "d"])
            try cache.set(bytes("e"), forKey: "e")
            #expect(Set(try cache.keys()) == ["a", "d", "e"])
        }
    }

    @Test("the access log of every thread's stripe is folded, and empty afterwards")
    func everyStripeFolded() throws {
        try withCacheDirectory { path in
            let cache = try DiskCache(
                directory: path,
                configuration: .init(sizeLimit: nil, countLimit: 100, evictionPolicy: .s3FIFO, durability: .none))
            for index in 0..<20 { try cache.set(bytes("v\(index)"), forKey: "k\(index)") }
            DispatchQueue.concurrentPerform(iterations: 8) { thread in
                for index in stride(from: thread, to: 20, by: 8) { _ = try? cache.get("k\(index)") }
            }
            #expect(cache.accessLog?.isEmpty == false)
            try cache.performMaintenance()
            #expect(cache.accessLog?.isEmpty == true)
            #expect(try cache.check().isClean)
        }
    }
}
