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
        await #expect(throws: BrokenBackend.Outage.self) { _ = try await cache.ping() }
        // Bad arguments are not backend failures: they still throw.
        await #expect(throws: CashewsError.self) { try await cache.set("k", "v", ttl: "soon") }
    }

    @Test("without suppress, failures throw")
    func notSuppressed() async throws {
        let cache = Cache()
        cache.setup(BrokenBackend())
        await #expect(throws: BrokenBackend.Outage.self) { _ = try await cache.get("k", as: String.self) }
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
