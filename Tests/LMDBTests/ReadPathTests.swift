import Foundation
import Synchronization
import TestSupport
import Testing

@_spi(Engine) @testable import LMDB

@Suite("LMDB read path: striped map lock, per-thread read pool")
struct ReadPathTests {
    @Test("a resize waits for a reader of another thread; that reader may nest reads meanwhile")
    func resizeWaitsForReaders() throws {
        try withTemporaryDirectory { path in
            let env = try Environment(path: path, options: .init(mapSize: 1 << 20, maximumMapSize: nil))
            let db = try env.database(named: "data", flags: .create)
            try env.write { txn in try txn.put(bytes("v"), forKey: bytes("k"), in: db) }
            let holding = DispatchSemaphore(value: 0)
            let resizeStarted = DispatchSemaphore(value: 0)
            let resized = Atomic<Bool>(false)
            let sawResizeWhileReading = Atomic<Bool>(false)
            let nestedValue = Mutex<[UInt8]?>(nil)
            let done = DispatchGroup()
            DispatchQueue.global().async(group: done) {
                try? env.read { txn in
                    _ = try txn.value(forKey: bytes("k"), in: db)
                    holding.signal()
                    resizeStarted.wait()
                    // Give the resize time to (wrongly) go ahead; it must wait for this reader.
                    usleep(50_000)
                    if resized.load(ordering: .relaxed) { sawResizeWhileReading.store(true, ordering: .relaxed) }
                    // A nested read on this thread must not wait for the waiting resize.
                    let nested = try env.read { inner in try inner.value(forKey: bytes("k"), in: db) }
                    nestedValue.withLock { $0 = nested }
                }
            }
            holding.wait()
            DispatchQueue.global().async(group: done) {
                resizeStarted.signal()
                try? env.setMapSize(2 << 20)
                resized.store(true, ordering: .relaxed)
            }
            #expect(done.wait(timeout: .now() + 30) == .success, "neither the reader nor the resize hangs")
            let sawResize = sawResizeWhileReading.load(ordering: .relaxed)
            #expect(!sawResize, "the resize went ahead under a live reader")
            #expect(nestedValue.withLock { $0 } == bytes("v"))
            #expect(try env.info().mapSize == 2 << 20)
            #expect(try env.read { txn in try txn.value(forKey: bytes("k"), in: db) } == bytes("v"))
        }
    }

    @Test("a resize from inside a read of the same thread is refused, not a deadlock")
    func resizeInsideReadRefused() throws {
        try withTemporaryDirectory { path in
            let env = try Environment(path: path, options: .init(mapSize: 1 << 20, maximumMapSize: nil))
            #expect(!env.hasTransactionOnCurrentThread)
            try env.read { _ in
                #expect(env.hasTransactionOnCurrentThread)
                let error = #expect(throws: LMDBError.self) { try env.setMapSize(2 << 20) }
                #expect(error?.code == .invalidArgument)
            }
            #expect(!env.hasTransactionOnCurrentThread)
            try env.setMapSize(2 << 20)
        }
    }

    @Test("more reader threads than pooled transactions: every read succeeds and sees its value")
    func moreThreadsThanPool() throws {
        try withTemporaryDirectory { path in
            let env = try Environment(
                path: path, options: .init(mapSize: 1 << 20, maxReaders: 64, readTransactionPoolSize: 3))
            let db = try env.database(named: "data", flags: .create)
            try env.write { txn in
                for i in 0..<100 { try txn.put(bytes("value-\(i)"), forKey: bytes("key-\(i)"), in: db) }
            }
            let wrong = Atomic<Int>(0)
            let reads = Atomic<Int>(0)
            DispatchQueue.concurrentPerform(iterations: 16) { thread in
                for i in 0..<500 {
                    let key = (thread * 7 + i) % 100
                    let value = try? env.read { txn in try txn.value(forKey: bytes("key-\(key)"), in: db) }
                    if value != bytes("value-\(key)") { wrong.add(1, ordering: .relaxed) }
                    reads.add(1, ordering: .relaxed)
                }
            }
            let (wrongReads, allReads) = (wrong.load(ordering: .relaxed), reads.load(ordering: .relaxed))
            #expect(wrongReads == 0)
            #expect(allReads == 16 * 500)
        }
    }

    @Test("a full reader table frees this process's parked transactions before it fails")
    func parkedTransactionsFreedWhenReadersFull() throws {
        try withTemporaryDirectory { path in
            let env = try Environment(
                path: path, options: .init(mapSize: 1 << 20, maxReaders: 4, readTransactionPoolSize: 8))
            let db = try env.database(named: "data", flags: .create)
            try env.write { txn in try txn.put(bytes("v"), forKey: bytes("k"), in: db) }
            // Four reads at once on four threads: four transactions, which then park (idle, but
            // each keeps its reader slot), filling the reader table.
            let holding = DispatchSemaphore(value: 0)
            let release = DispatchSemaphore(value: 0)
            let parked = DispatchGroup()
            for _ in 0..<4 {
                parked.enter()
                Thread {
                    defer { parked.leave() }
                    _ = try? env.read { txn in
                        _ = try txn.value(forKey: bytes("k"), in: db)
                        holding.signal()
                        release.wait()
                    }
                }.start()
            }
            for _ in 0..<4 { holding.wait() }
            for _ in 0..<4 { release.signal() }
            parked.wait()
            // A read on yet another thread finds no free reader slot: the parked ones are freed.
            let value = Mutex<[UInt8]?>(nil)
            let done = DispatchGroup()
            done.enter()
            Thread {
                defer { done.leave() }
                let found = try? env.read { txn in try txn.value(forKey: bytes("k"), in: db) }
                value.withLock { $0 = found }
            }.start()
            done.wait()
            #expect(value.withLock { $0 } == bytes("v"))
        }
    }

    @Test("striped atomics: per-thread adds sum exactly")
    func stripesSum() {
        let stripes = AtomicStripes(minimumCount: 5)
        defer { stripes.deallocate() }
        #expect(stripes.count == 8)
        DispatchQueue.concurrentPerform(iterations: 32) { _ in
            for _ in 0..<1000 { stripes.add(1) }
        }
        #expect(stripes.sum == 32_000)
    }
}
