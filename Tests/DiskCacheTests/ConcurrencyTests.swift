import Foundation
import Synchronization
import TestSupport
import Testing

@testable import DiskCache

@Suite("DiskCache concurrency and group commit")
struct ConcurrencyTests {
    @Test("many threads writing at once: every write lands, totals exact")
    func concurrentWriters() throws {
        try withCacheDirectory { path in
            let cache = try makeCache(path)
            DispatchQueue.concurrentPerform(iterations: 16) { thread in
                for i in 0..<200 {
                    try! cache.set(bytes("\(thread)-\(i)"), forKey: "k-\(thread)-\(i)")
                    _ = try! cache.increment("counter")
                }
            }
            #expect(try cache.count == 16 * 200 + 1)
            #expect(text(try cache.get("counter")) == "3200")
            #expect(text(try cache.get("k-15-199")) == "15-199")
            #expect(try cache.check().isClean)
        }
    }

    @Test("a failing request fails alone; the rest of its batch commits")
    func perCallErrors() throws {
        try withCacheDirectory { path in
            let cache = try makeCache(path)
            try cache.set(bytes("not a number"), forKey: "text")
            let failures = ManagedCounter()
            DispatchQueue.concurrentPerform(iterations: 8) { thread in
                for i in 0..<100 {
                    do {
                        if i % 10 == 0 {
                            _ = try cache.increment("text")
                        } else {
                            try cache.set(bytes("v"), forKey: "k-\(thread)-\(i)")
                        }
                    } catch DiskCacheError.notAnInteger {
                        failures.add()
                    } catch {
                        Issue.record("unexpected \(error)")
                    }
                }
            }
            #expect(failures.value == 80)
            #expect(try cache.count == 1 + 8 * 90)
            #expect(text(try cache.get("text")) == "not a number")
        }
    }

    @Test("readers from many tasks see whole values while writers replace them")
    func readersDuringWrites() async throws {
        try await withCacheDirectory { path in
            let cache = try makeCache(path)
            let values = (0..<4).map { [UInt8](repeating: UInt8($0), count: 5000) }
            try cache.set(values[0], forKey: "k")
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for round in 0..<200 { try cache.set(values[round % 4], forKey: "k") }
                }
                for _ in 0..<8 {
                    group.addTask {
                        for _ in 0..<200 {
                            let value = try cache.get("k")!
                            #expect(value.count == 5000 && Set(value).count == 1)
                            await Task.yield()
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
    }
}

/// A thread-safe counter for tests.
final class ManagedCounter: @unchecked Sendable {
    // @unchecked: `count` is only touched under `lock`.
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }

    @Test("a request too large for the map fails alone, never the small writes batched with it")
    func storageErrorFailsOnlyItsRequest() throws {
        try withCacheDirectory { path in
            let map = 1 << 20
            let cache = try DiskCache(
                directory: path,
                configuration: .init(
                    sizeLimit: nil, durability: .none, initialMapSize: map, maximumMapSize: map,
                    blobThreshold: 4 << 20))
            let failures = Mutex(0)
            let hugeFailed = Mutex(0)
            DispatchQueue.concurrentPerform(iterations: 8) { worker in
                for round in 0..<50 {
                    if worker == 0 {
                        do {
                            try cache.set([UInt8](repeating: 1, count: 2 << 20), forKey: "huge-\(round)")
                        } catch {
                            hugeFailed.withLock { $0 += 1 }
                        }
                    } else {
                        do {
                            try cache.set([UInt8](repeating: 2, count: 100), forKey: "small-\(worker)-\(round)")
                        } catch {
                            failures.withLock { $0 += 1 }
                        }
                    }
                }
            }
            #expect(hugeFailed.withLock { $0 } == 50)
            #expect(failures.withLock { $0 } == 0, "small writes failed with the huge one beside them")
            #expect(try cache.count == 7 * 50)
            #expect(try cache.check().isClean)
        }
    }
}
