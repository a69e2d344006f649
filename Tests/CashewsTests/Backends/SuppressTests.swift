import Cashews
import CashewsDisk
import DiskCache
import Foundation
import TestSupport
import Testing

/// A backend whose storage has failed: every command throws.
struct BrokenBackend: Backend {
    struct Outage: Error {}
    var storesObjects: Bool { false }
    func get(_ key: String) async throws -> CacheValue? { throw Outage() }
    func get(_ keys: [String]) async throws -> [CacheValue?] { throw Outage() }
    func set(_ key: String, _ value: CacheValue, expiry: Expiry, condition: WriteCondition) async throws -> Bool {
        throw Outage()
    }
    func set(_ entries: [(key: String, value: CacheValue)], expiry: Expiry) async throws { throw Outage() }
    func exists(_ key: String) async throws -> Bool { throw Outage() }
    func delete(_ key: String) async throws -> Bool { throw Outage() }
    func delete(_ keys: [String]) async throws -> Int { throw Outage() }
    func delete(matching pattern: GlobPattern) async throws -> Int { throw Outage() }
    func keys(matching pattern: GlobPattern) async throws -> [String] { throw Outage() }
    func increment(_ key: String, by delta: Int64, expiry: Expiry) async throws -> Int64 { throw Outage() }
    func expire(_ key: String, after duration: Duration) async throws -> Bool { throw Outage() }
    func timeToLive(_ key: String) async throws -> TimeToLive? { throw Outage() }
    func modify<R: Sendable>(
        _ key: String, _ body: @escaping @Sendable (inout (bytes: [UInt8], expiry: Expiry)?) throws -> R
    ) async throws -> R { throw Outage() }
    func count() async throws -> Int { throw Outage() }
    func size(of key: String) async throws -> Int? { throw Outage() }
    func clear() async throws { throw Outage() }
    func ping(_ message: String) async throws -> String { throw Outage() }
    func run() async throws {}
}

@Suite("Suppressing backend failures")
struct SuppressTests {
    @Test("with suppress, failures become misses and no-ops; ping still reports them")
    func suppressed() async throws {
        let cache = Cache()
        cache.setup(BrokenBackend(), suppress: true)
        #expect(try await cache.get("k", as: String.self) == nil)
        try await cache.set("k", "v")
        #expect(!(try await cache.exists("k")))
        #expect(try await cache.delete("k") == false)
        #expect(try await cache.increment("n") == 0)
        #expect(try await cache.count() == 0)
        let error = await #expect(throws: BackendError.self) { _ = try await cache.ping() }
        #expect(error?.underlying is BrokenBackend.Outage)
        // Bad arguments are not backend failures: they still throw.
        await #expect(throws: CashewsError.self) { try await cache.set("k", "v", ttl: "soon") }
    }

    @Test("without suppress, failures throw as the facade's BackendError, the backend's error underneath")
    func notSuppressed() async throws {
        let cache = Cache()
        cache.setup(BrokenBackend())
        let error = await #expect(throws: BackendError.self) { _ = try await cache.get("k", as: String.self) }
        #expect(error?.kind == .unavailable)
        #expect(error?.underlying is BrokenBackend.Outage)
        #expect("\(error!)".contains("suppress=true"), "says what to do")
        await #expect(throws: BackendError.self) { _ = try await cache.addToSet("s", ["a"]) }
        await #expect(throws: BackendError.self) { _ = try await cache.cached(key: "c", ttl: 1) { 1 } }
    }

    @Test("a suppressed dead backend never throws from any command, read-modify-write and strategies included")
    func everyCommand() async throws {
        let cache = Cache(clock: .manual(ManualClock()))
        cache.setup(BrokenBackend(), suppress: true)
        #expect(try await cache.get("k", as: String.self) == nil)
        #expect(try await cache.get(["a", "b"], as: Int.self) == [nil, nil])
        #expect(try await cache.get(["a": Int.self]).count == 1)
        try await cache.set("k", "v", ttl: 60)
        try await cache.set("k", "v", keepingTTL: true)
        #expect(try await cache.add("k", 1) == false)
        #expect(try await cache.replace("k", 1) == false)
        try await cache.set(["a": 1, "b": 2])
        try await cache.set(["a": 1, "s": "x"] as [String: any Codable & Sendable])
        try await cache.set("t", 1, ttl: 60, tags: ["tag"])
        #expect(try await !cache.exists("k"))
        #expect(try await !cache.delete("k"))
        #expect(try await cache.delete(["a", "b"]) == 0)
        #expect(try await cache.delete(matching: "a*") == 0)
        for try await _ in cache.scan("*") { Issue.record("no keys") }
        #expect(try await cache.increment("n") == 0)
        #expect(try await !cache.expire("k", ttl: 60))
        #expect(try await cache.timeToLive("k") == nil)
        #expect(try await cache.size(of: "k") == nil)
        #expect(try await cache.getBits("bits", at: [1, 2]) == [0, 0])
        #expect(try await cache.incrementBits("bits", at: [1, 2]) == [0, 0])
        #expect(try await cache.sliceIncrement("w", window: .seconds(1), limit: 5, now: 1000) == 0)
        #expect(try await cache.addToSet("s", ["a"]) == 0)
        #expect(try await cache.removeFromSet("s", ["a"]) == 0)
        #expect(try await cache.popFromSet("s") == [])
        #expect(try await cache.members(of: "s") == [])
        #expect(try await cache.lock("l", token: "t", ttl: 60), "a lock fails open")
        #expect(try await !cache.unlock("l", token: "t"))
        #expect(try await !cache.isLocked("l"))
        #expect(try await cache.count() == 0)
        try await cache.clear()
        #expect(try await cache.delete(taggedWith: "tag") == 0)
        #expect(try await cache.keys(taggedWith: "tag") == [])
        // Strategies: each computes, none waits or throws.
        #expect(try await cache.cached(key: "c", ttl: 60) { 1 } == 1)
        #expect(try await cache.cached(key: "c", ttl: { (_: Int) in 60 }) { 2 } == 2)
        #expect(try await cache.early(key: "e", ttl: 60) { 3 } == 3)
        #expect(try await cache.soft(key: "s", ttl: 60) { 4 } == 4)
        #expect(try await cache.hit(key: "h", ttl: 60, cacheHits: 2) { 5 } == 5)
        #expect(try await cache.dynamic(key: "d") { 6 } == 6)
        #expect(try await cache.failover(key: "f", ttl: 60) { 7 } == 7)
        var elements: [Int] = []
        let sequence = cache.iterator(key: "i", ttl: 60) {
            AsyncThrowingStream<Int, any Error> { continuation in
                continuation.yield(8)
                continuation.finish()
            }
        }
        for try await element in sequence { elements.append(element) }
        #expect(elements == [8])
        #expect(try await cache.rateLimit(key: "r", limit: 1, period: 60) { 9 } == 9)
        #expect(try await cache.sliceRateLimit(key: "sr", limit: 1, period: 60) { 10 } == 10)
        #expect(try await cache.circuitBreaker(key: "cb", errorRate: 50, period: 60, ttl: 60) { 11 } == 11)
        _ = try await cache.circuitState(key: "cb")
        let filter = try BloomFilter(name: "bf", capacity: 10)
        try await cache.insert("x", into: filter)
        _ = try await cache.mightContain("x", in: filter)
        _ = try await cache.bloom(key: "x", in: filter) { true }
        _ = try await cache.dualBloom(key: "x", in: filter) { true }
        let memoized = cache.memoize(ttl: 60, name: "m") { (n: Int) in n * 2 }
        #expect(try await memoized(6) == 12)
    }

    @Test("under suppress a lock fails open: locked and cached(lock: true) run at once, not after the TTL")
    func locksFailOpen() async throws {
        let clock = ManualClock()
        let cache = Cache(clock: .manual(clock))
        cache.setup(BrokenBackend(), suppress: true)
        let start = cache.clock.now()
        #expect(try await cache.locked(key: "job", ttl: "1h", wait: true) { 1 } == 1)
        #expect(try await cache.cached(key: "k", ttl: "1h", lock: true) { 2 } == 2)
        #expect(try await cache.locked(key: "job", ttl: "1h", wait: false) { 3 } == 3)
        #expect(cache.clock.now() == start, "nothing waited")
    }

    @Test("a disk backend whose directory stops taking files: suppressed writes are no-ops, reads go on")
    func unwritableDisk() async throws {
        let directory = TemporaryDirectory.path("suppress")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cache = Cache()
        try cache.setupDisk("disk://\(directory)?blob_threshold=1KiB&suppress=true")
        try await cache.set("small", "kept")
        // Large values go to files under blobs/; make that impossible (even for root): a regular
        // file where the directory should be.
        try? FileManager.default.removeItem(atPath: directory + "/blobs")
        _ = FileManager.default.createFile(atPath: directory + "/blobs", contents: Data("x".utf8))
        try await cache.set("large", [UInt8](repeating: 1, count: 10_000))
        #expect(try await cache.get("large", as: [UInt8].self) == nil)
        #expect(try await cache.get("small", as: String.self) == "kept")

        let strict = Cache()
        try strict.setupDisk("disk://\(directory)?blob_threshold=1KiB")
        let error = await #expect(throws: BackendError.self) {
            try await strict.set("large", [UInt8](repeating: 1, count: 10_000))
        }
        #expect(error?.kind == .storage)
        #expect(error?.underlying is DiskCacheError)
    }
}
