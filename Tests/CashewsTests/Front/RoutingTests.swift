import Cashews
import Testing

@Suite("Routing by prefix")
struct RoutingTests {
    @Test("a prefix serves keys at a separator, the longest prefix wins, \"\" is the default")
    func prefixes() async throws {
        let cache = Cache()
        let fallback = MemoryBackend()
        let users = MemoryBackend()
        let admins = MemoryBackend()
        cache.setup(fallback)
        cache.setup(users, prefix: "user")
        cache.setup(admins, prefix: "user:admin")
        try await cache.set("user:1", "u")
        try await cache.set("user", "bare")
        try await cache.set("username", "n")
        try await cache.set("user:admin:1", "a")
        #expect(try await users.keys(matching: GlobPattern("*")) == ["user", "user:1"])
        #expect(try await fallback.keys(matching: GlobPattern("*")) == ["username"])
        #expect(try await admins.keys(matching: GlobPattern("*")) == ["user:admin:1"])
        #expect(try await cache.get("user:1", as: String.self) == "u")
    }

    @Test("many-key get, set and delete: each key routed once, one batch call per backend, results in order")
    func batches() async throws {
        let cache = Cache()
        let fallback = NativeCommandsBackend(clock: ManualClock())
        let users = NativeCommandsBackend(clock: ManualClock())
        cache.setup(fallback)
        cache.setup(users, prefix: "user")
        try await cache.set(["user:1": "a", "other": "b", "user:2": "c"])
        let keys = ["user:1", "other", "missing", "user:2", "user:3"]
        #expect(try await cache.get(keys, as: String.self) == ["a", "b", nil, "c", nil])
        #expect(try await cache.delete(keys) == 3)
        for backend in [fallback, users] {
            #expect(backend.calls.withLock { $0 } == ["set many": 1, "get many": 1, "delete many": 1])
        }
        await #expect(throws: CashewsError.emptyKey) { try await cache.get(["user:1", ""], as: String.self) }
    }

    @Test("without a default backend, an unrouted key is a typed error")
    func noDefault() async throws {
        let cache = Cache()
        cache.setup(MemoryBackend(), prefix: "user")
        await #expect(throws: CashewsError.self) { try await cache.set("session:1", 1) }
    }

    @Test("patterns reach every backend that may hold matching keys")
    func patterns() async throws {
        let cache = Cache()
        cache.setup(MemoryBackend())
        cache.setup(MemoryBackend(), prefix: "user")
        for key in ["user:1", "user:2", "other:1", "u"] { try await cache.set(key, 1) }
        var all: [String] = []
        for try await key in cache.scan("*") { all.append(key) }
        #expect(all.sorted() == ["other:1", "u", "user:1", "user:2"])
        var users: [String] = []
        for try await key in cache.scan("user:*") { users.append(key) }
        #expect(users.sorted() == ["user:1", "user:2"])
        // A combining mark after the prefix's separator does not hide the route (bytes, not
        // grapheme clusters).
        try await cache.set("user:\u{301}x", 1)
        var marked: [String] = []
        for try await key in cache.scan("user:\u{301}*") { marked.append(key) }
        #expect(marked == ["user:\u{301}x"])
        #expect(try await cache.delete(matching: "user:\u{301}*") == 1)
        #expect(try await cache.delete(matching: "u*") == 3)
        #expect(try await cache.count() == 1)
    }
}
