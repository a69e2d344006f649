import Cashews
import Foundation
import Testing

@Suite("Memory backend")
struct MemoryBackendTests {
    @Test("the entry bound evicts the least recently used")
    func entryBound() async throws {
        let backend = MemoryBackend(configuration: .init(maxEntries: 3, shards: 1))
        for key in ["a", "b", "c"] { _ = try await backend.set(key, .bytes([1]), expiry: .never, condition: .always) }
        _ = try await backend.get("a")
        _ = try await backend.set("d", .bytes([1]), expiry: .never, condition: .always)
        #expect(try await backend.keys(matching: GlobPattern("*")) == ["a", "c", "d"])
    }

    @Test("a write never evicts its own value, even when every other entry was just read")
    func keepsTheNewEntry() async throws {
        let backend = MemoryBackend(configuration: .init(maxEntries: 2, shards: 1))
        for key in ["a", "b"] { _ = try await backend.set(key, .bytes([1]), expiry: .never, condition: .always) }
        _ = try await backend.get("a")
        _ = try await backend.get("b")
        #expect(try await backend.set("c", .bytes([1]), expiry: .never, condition: .always))
        #expect(try await backend.exists("c"))
        #expect(try await backend.count() == 2)
    }

    @Test("the byte bound holds")
    func byteBound() async throws {
        let backend = MemoryBackend(configuration: .init(maxEntries: nil, maxBytes: 1000, shards: 1))
        for index in 0..<50 {
            _ = try await backend.set(
                "k\(index)", .bytes([UInt8](repeating: 0, count: 100)), expiry: .never, condition: .always)
            #expect(backend.byteCount <= 1000)
        }
        #expect(try await backend.count() == 10)
        #expect(try await backend.exists("k49"))
    }

    @Test("sweeping removes exactly the expired entries, with a manual clock")
    func sweeping() async throws {
        let clock = ManualClock()
        let backend = MemoryBackend(configuration: .init(maxEntries: nil, clock: .manual(clock)))
        for index in 0..<100 {
            _ = try await backend.set(
                "k\(index)", .bytes([1]), expiry: index % 2 == 0 ? .after(.seconds(Int64(1 + index % 10))) : .never,
                condition: .always)
        }
        _ = try await backend.expire("k1", after: .seconds(3))  // an odd key that now expires too
        _ = try await backend.set("k0", .bytes([2]), expiry: .after(.seconds(100)), condition: .always)  // moved later
        clock.advance(by: .seconds(5))
        // Expired at 5 s: even keys with 1 + i % 10 <= 5 (i % 10 in 0, 2, 4), minus k0, plus k1.
        let expected = (0..<100).filter { $0 % 2 == 0 && 1 + $0 % 10 <= 5 }.count - 1 + 1
        #expect(backend.sweepExpired() == expected)
        #expect(backend.sweepExpired() == 0)
        #expect(try await backend.count() == 100 - expected)
        #expect(try await backend.exists("k0"))
    }

    @Test("typed values are kept as they are: the same instance comes back")
    func objects() async throws {
        final class Box: Sendable, Encodable {}
        let backend = MemoryBackend()
        let box = Box()
        _ = try await backend.set("box", .object(box), expiry: .never, condition: .always)
        guard case .object(let stored)? = try await backend.get("box") else {
            Issue.record("not stored as an object")
            return
        }
        #expect(stored as AnyObject === box)
    }

    @Test("many concurrent tasks: every write lands and reads stay consistent")
    func concurrency() async throws {
        let backend = MemoryBackend(configuration: .init(maxEntries: nil))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<32 {
                group.addTask {
                    for index in 0..<200 {
                        _ = try await backend.set(
                            "k-\(task)-\(index)", .bytes([UInt8(task)]), expiry: .never, condition: .always)
                        _ = try await backend.increment("counter", by: 1, expiry: .never)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await backend.count() == 32 * 200 + 1)
        guard case .bytes(let counter)? = try await backend.get("counter") else {
            Issue.record("no counter")
            return
        }
        #expect(String(decoding: counter, as: UTF8.self) == "6400")
    }
}
