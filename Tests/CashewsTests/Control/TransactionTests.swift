import Cashews
import Foundation
import Synchronization
import TestSupport
import Testing

@Suite("Transactions")
struct TransactionTests {
    private func caches(clock: CacheClock = .system) throws -> [(String, Cache)] {
        let memory = Cache(clock: clock)
        try memory.setup("mem://")
        let disk = Cache(clock: clock)
        try disk.setupDisk("disk://\(TemporaryDirectory.path("tx"))?durability=none")
        return [("memory", memory), ("disk", disk)]
    }

    /// What another task (one that does not inherit the transaction) reads.
    private func outside(_ cache: Cache, _ key: String) async throws -> Int? {
        try await Task.detached { try await cache.get(key, as: Int.self) }.value
    }

    @Test("writes are visible inside, invisible to other tasks until the commit, then stored")
    func isolationUntilCommit() async throws {
        for (name, cache) in try caches() {
            try await cache.set("kept", 1)
            try await cache.transaction(mode: .fast) { tx in
                try await cache.set("a", 10)
                try await cache.delete("kept")
                #expect(try await cache.get("a", as: Int.self) == 10, "\(name): read inside sees the write")
                #expect(try await cache.get("kept", as: Int.self) == nil, "\(name): and the delete")
                #expect(try await cache.get(["a", "kept"], as: Int.self) == [10, nil], "\(name)")
                #expect(try await cache.exists("a"), "\(name)")
                #expect(try await outside(cache, "a") == nil, "\(name): another task sees nothing")
                #expect(try await outside(cache, "kept") == 1, "\(name): nor the delete")
                #expect(tx.bufferedWrites == 2, "\(name)")
                #expect(cache.currentTransaction === tx, "\(name)")
            }
            #expect(try await outside(cache, "a") == 10, "\(name): committed")
            #expect(try await outside(cache, "kept") == nil, "\(name): committed delete")
            #expect(cache.currentTransaction == nil, "\(name)")
        }
    }

    @Test("a throwing block rolls back; explicit rollback and commit end the transaction early")
    func rollbackAndExplicitEnds() async throws {
        struct Failure: Error {}
        for (name, cache) in try caches() {
            await #expect(throws: Failure.self) {
                try await cache.transaction { _ in
                    try await cache.set("thrown", 1)
                    throw Failure()
                }
            }
            #expect(try await cache.get("thrown", as: Int.self) == nil, "\(name): gone after rollback")
            try await cache.transaction { tx in
                try await cache.set("dropped", 1)
                await tx.rollback()
                #expect(!tx.isOpen, "\(name)")
                #expect(try await cache.get("dropped", as: Int.self) == nil, "\(name)")
                try await cache.set("after-rollback", 2)  // outside any transaction now
                #expect(try await outside(cache, "after-rollback") == 2, "\(name)")
            }
            #expect(try await cache.get("dropped", as: Int.self) == nil, "\(name)")
            try await cache.transaction { tx in
                try await cache.set("early", 3)
                try await tx.commit()
                #expect(try await outside(cache, "early") == 3, "\(name): visible once committed")
                try await tx.commit()  // a second commit does nothing
            }
        }
    }

    @Test("a cancelled task rolls its transaction back")
    func cancellationRollsBack() async throws {
        for (name, cache) in try caches() {
            let task = Task {
                try await cache.transaction { _ in
                    try await cache.set("cancelled", 1)
                    withUnsafeCurrentTask { $0?.cancel() }
                }
            }
            await #expect(throws: CancellationError.self) { try await task.value }
            #expect(try await cache.get("cancelled", as: Int.self) == nil, "\(name)")
        }
    }

    @Test("a nested transaction joins the outer one: the outer block decides")
    func nestedJoins() async throws {
        struct Failure: Error {}
        for (name, cache) in try caches() {
            await #expect(throws: Failure.self) {
                try await cache.transaction { outer in
                    try await cache.transaction(mode: .serializable) { inner in
                        #expect(inner === outer, "\(name)")
                        try await cache.set("inner", 1)
                    }
                    #expect(try await outside(cache, "inner") == nil, "\(name): the inner block did not commit")
                    throw Failure()
                }
            }
            #expect(try await cache.get("inner", as: Int.self) == nil, "\(name)")
            // Transactions of one cache never reach another.
            let other = Cache()
            try other.setup("mem://")
            try await cache.transaction { _ in
                try await other.set("elsewhere", 5)
                #expect(try await outside(other, "elsewhere") == 5, "\(name): the other cache wrote at once")
            }
        }
    }

    @Test("child tasks write into the transaction; a detached task does not")
    func childTasksShare() async throws {
        for (name, cache) in try caches() {
            try await cache.transaction(mode: .locked) { _ in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<8 { group.addTask { try await cache.set("child-\(index)", index) } }
                    // Two children writing one key share the transaction's lock.
                    for _ in 0..<2 { group.addTask { try await cache.increment("shared-counter") } }
                    try await group.waitForAll()
                }
                #expect(try await outside(cache, "child-3") == nil, "\(name)")
            }
            #expect(try await cache.get("child-7", as: Int.self) == 7, "\(name)")
            #expect(try await cache.get("shared-counter", as: Int.self) == 2, "\(name)")
            #expect(try await cache.isLocked(":tx_lock:shared-counter") == false, "\(name): lock released")
        }
    }

    @Test("TTLs keep their milliseconds and count from the write")
    func millisecondTTLs() async throws {
        let manual = ManualClock()
        for (name, cache) in try caches(clock: .manual(manual)) where name == "memory" {
            try await cache.transaction { _ in
                try await cache.set("short", 1, ttl: .milliseconds(250))
                try await cache.set("forever", 2)
                #expect(try await cache.timeToLive("short") == .remaining(.milliseconds(250)), "\(name)")
                manual.advance(by: .milliseconds(100))
            }
            #expect(try await cache.timeToLive("short") == .remaining(.milliseconds(150)), "\(name)")
            #expect(try await cache.timeToLive("forever") == .forever, "\(name)")
            manual.advance(by: .milliseconds(151))
            #expect(try await cache.get("short", as: Int.self) == nil, "\(name): expired, not kept forever")
        }
        // On disk (the engine's own clock): a sub-second TTL is kept, not turned into "never"
        // (nil: it expired already, on a slow machine).
        let (_, disk) = try caches()[1]
        try await disk.transaction { _ in try await disk.set("short", 1, ttl: .milliseconds(400)) }
        switch try await disk.timeToLive("short") {
        case .forever?: Issue.record("a sub-second TTL became no expiry")
        case .remaining(let left)?: #expect(left > .zero && left <= .milliseconds(400))
        case nil: break
        }
    }

    @Test("buffered increment, expire, add, pattern deletes, clear and keys read the buffer over the backend")
    func bufferedCommands() async throws {
        for (name, cache) in try caches() {
            try await cache.set("user:1", 1)
            try await cache.set("user:2", 2)
            try await cache.set("count", 5)
            try await cache.transaction { _ in
                #expect(try await cache.increment("count", by: 2) == 7, "\(name)")
                #expect(try await cache.increment("fresh") == 1, "\(name)")
                #expect(try await cache.add("count", 0) == false, "\(name): add sees the buffered value")
                #expect(try await cache.add("new", 9), "\(name)")
                #expect(try await cache.expire("user:1", ttl: "1h"), "\(name)")
                #expect(try await cache.expire("missing", ttl: "1h") == false, "\(name)")
                try await cache.set("user:3", 3)
                #expect(try await Set(cache.scan("user:*").collect()) == ["user:1", "user:2", "user:3"], "\(name)")
                #expect(try await cache.delete(matching: "user:*") == 3, "\(name)")
                #expect(try await cache.scan("user:*").collect().isEmpty, "\(name)")
                try await cache.set("user:4", 4)
                #expect(try await cache.scan("user:*").collect() == ["user:4"], "\(name)")
                #expect(try await cache.get("user:2", as: Int.self) == nil, "\(name)")
                #expect(try await outside(cache, "user:2") == 2, "\(name)")
            }
            #expect(try await cache.get("count", as: Int.self) == 7, "\(name)")
            #expect(try await cache.get("fresh", as: Int.self) == 1, "\(name)")
            #expect(try await cache.get("new", as: Int.self) == 9, "\(name)")
            #expect(try await cache.get(["user:1", "user:2", "user:3", "user:4"], as: Int.self) == [nil, nil, nil, 4])
            try await cache.transaction { _ in
                try await cache.clear()
                #expect(try await cache.get("count", as: Int.self) == nil, "\(name)")
                #expect(try await outside(cache, "count") == 7, "\(name)")
            }
            #expect(try await cache.get("count", as: Int.self) == nil, "\(name): cleared on commit")
        }
    }

    @Test("bits, sets, locks and modify are not buffered: they apply at once and stay after a rollback")
    func unbufferedCommands() async throws {
        for (name, cache) in try caches() {
            try await cache.transaction { tx in
                _ = try await cache.addToSet("members", ["a"])
                _ = try await cache.incrementBits("bits", at: [3])
                #expect(try await cache.lock("job", token: "t", ttl: "1m"), "\(name)")
                #expect(try await Task.detached { try await cache.members(of: "members") }.value == ["a"], "\(name)")
                await tx.rollback()
            }
            #expect(try await cache.members(of: "members") == ["a"], "\(name): stayed")
            #expect(try await cache.getBits("bits", at: [3]) == [1], "\(name)")
            #expect(try await cache.isLocked("job"), "\(name)")
        }
    }

    @Test(".locked: a key written by an open transaction waits; the lock goes with the commit")
    func lockedWaits() async throws {
        for (name, cache) in try caches() {
            let (holding, holds) = AsyncStream.makeStream(of: Void.self)
            let (releasing, release) = AsyncStream.makeStream(of: Void.self)
            let first = Task {
                try await cache.transaction(mode: .locked, timeout: "10m") { _ in
                    try await cache.set("contended", 1)
                    holds.yield()
                    for await _ in releasing { break }
                }
            }
            for await _ in holding { break }
            #expect(try await cache.isLocked(":tx_lock:contended"), "\(name)")
            await #expect(throws: TransactionError.lockTimeout(key: ":tx_lock:contended", waited: .milliseconds(50))) {
                try await Task.detached {
                    try await cache.transaction(mode: .locked, timeout: .milliseconds(50)) { _ in
                        try await cache.set("contended", 2)
                    }
                }.value
            }
            // A key the first transaction does not write is free.
            try await Task.detached {
                try await cache.transaction(mode: .locked, timeout: .milliseconds(50)) { _ in
                    try await cache.set("free", 2)
                }
            }.value
            let second = Task.detached {
                try await cache.transaction(mode: .locked, timeout: "10m") { _ in try await cache.set("contended", 2) }
            }
            release.yield()
            try await first.value
            try await second.value
            #expect(try await cache.get("contended", as: Int.self) == 2, "\(name): the waiting one committed last")
            #expect(try await cache.isLocked(":tx_lock:contended") == false, "\(name)")
        }
    }

    @Test(".serializable: one lock per backend, taken at the first write")
    func serializableLocksTheBackend() async throws {
        for (name, cache) in try caches() {
            try await cache.transaction(mode: .serializable, timeout: "10m") { _ in
                #expect(try await cache.isLocked(":serializable:lock") == false, "\(name): not before a write")
                try await cache.set("x", 1)
                #expect(try await cache.isLocked(":serializable:lock"), "\(name)")
                await #expect(throws: TransactionError.self) {
                    try await Task.detached {
                        try await cache.transaction(mode: .serializable, timeout: .milliseconds(30)) { _ in
                            try await cache.set("y", 1)
                        }
                    }.value
                }
            }
            #expect(try await cache.isLocked(":serializable:lock") == false, "\(name)")
            #expect(try await cache.get("y", as: Int.self) == nil, "\(name)")
        }
    }

    @Test("defaults are configurable; a bad timeout is a typed error")
    func defaults() async throws {
        let cache = Cache()
        try cache.setup("mem://")
        #expect(cache.defaultTransactionMode == .locked)
        #expect(cache.defaultTransactionTimeout == .seconds(10))
        cache.defaultTransactionMode = .fast
        cache.defaultTransactionTimeout = .seconds(2)
        try await cache.transaction { tx in
            #expect(tx.mode == .fast)
            #expect(tx.timeout == .seconds(2))
        }
        await #expect(throws: CashewsError.self) { try await cache.transaction(timeout: "0s") { _ in } }
    }

    @Test("the disk backend commits atomically; the memory backend one write at a time")
    func atomicCommitOnDisk() async throws {
        let all = try caches()
        #expect(try all[0].1.backend(for: "k").commitsAtomically == false)
        #expect(try all[1].1.backend(for: "k").commitsAtomically)
        // A commit that cannot be stored (a value over the engine's limit) stores none of it.
        let directory = TemporaryDirectory.path("tx-limit")
        let disk = Cache()
        try disk.setupDisk("disk://\(directory)?durability=none&size_limit=64KiB")
        await #expect(throws: (any Error).self) {
            try await disk.transaction(mode: .fast) { _ in
                try await disk.set("small", 1)
                try await disk.set("large", [UInt8](repeating: 1, count: 128 << 10))
            }
        }
        #expect(try await disk.get("small", as: Int.self) == nil)
    }
}

extension AsyncThrowingStream where Failure == any Error {
    /// Every element, in order.
    func collect() async throws -> [Element] {
        var elements: [Element] = []
        for try await element in self { elements.append(element) }
        return elements
    }
}
