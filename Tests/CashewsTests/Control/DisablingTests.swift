import Cashews
import Foundation
import Synchronization
import TestSupport
import Testing

@Suite("Disabling commands")
struct DisablingTests {
    private func caches() throws -> [(String, Cache)] {
        let memory = Cache()
        try memory.setup("mem://")
        let disk = Cache()
        try disk.setupDisk("disk://\(TemporaryDirectory.path("disable"))?durability=none")
        return [("memory", memory), ("disk", disk)]
    }

    @Test("a disabled read is a miss, a disabled write a no-op; other commands keep working")
    func disabledCommands() async throws {
        for (name, cache) in try caches() {
            try await cache.set("a", 1)
            try await cache.disabling(.get) {
                #expect(try await cache.get("a", as: Int.self) == nil, "\(name)")
                #expect(try await cache.get(["a", "b"], as: Int.self) == [1, nil], "\(name): get_many still works")
                try await cache.set("b", 2)
                #expect(cache.isDisabled(.get) && !cache.isDisabled(.getMany) && !cache.isDisabled(), "\(name)")
            }
            #expect(try await cache.get("b", as: Int.self) == 2, "\(name): set was not disabled")
            try await cache.disabling(.getMany) { () async throws in
                // cashews crashes here; a disabled get_many answers a miss per key.
                #expect(try await cache.get(["a", "b"], as: Int.self) == [nil, nil], "\(name)")
                #expect(try await cache.get("a", as: Int.self) == 1, "\(name)")
            }
            try await cache.disabling(.set, .delete, .increment, .setMany) {
                try await cache.set("c", 3)
                #expect(try await cache.delete("a") == false, "\(name)")
                #expect(try await cache.increment("n", by: 4) == 4, "\(name): answers as an empty cache")
                try await cache.set(["d": 4, "e": 5])
            }
            #expect(try await cache.get(["a", "c", "d", "n"], as: Int.self) == [1, nil, nil, nil], "\(name)")
            try await cache.disabling { () async throws in
                #expect(cache.isDisabled() && cache.isFullyDisabled, "\(name)")
                #expect(try await cache.exists("a") == false, "\(name)")
                #expect(try await cache.scan("*").collect().isEmpty, "\(name)")
                #expect(try await cache.lock("l", token: "t", ttl: "1m"), "\(name): a disabled lock is taken")
                #expect(try await cache.count() == 0, "\(name)")
            }
            #expect(try await cache.isLocked("l") == false, "\(name)")
            #expect(!cache.isDisabled(.get) && !cache.isFullyDisabled, "\(name)")
        }
    }

    @Test("inside a transaction, a disabled read or an invalidating scope never changes what writes see")
    func disablingInsideTransactions() async throws {
        for (name, cache) in try caches() {
            try await cache.set("present", 1)
            try await cache.set("counter", 5)
            try await cache.transaction { _ in
                try await cache.disabling(.exists, .get, .scan) { () async throws in
                    #expect(try await cache.add("present", 2) == false, "\(name): add still sees the value")
                    #expect(try await cache.increment("counter") == 6, "\(name): increment still reads it")
                    #expect(try await cache.delete(matching: "pres*") == 1, "\(name)")
                }
                try await cache.invalidatingFurther { () async throws in
                    #expect(try await cache.increment("counter") == 7, "\(name): an increment is not a read to drop")
                }
            }
            #expect(try await cache.get("counter", as: Int.self) == 7, "\(name)")
            #expect(try await cache.get("present", as: Int.self) == nil, "\(name)")
        }
    }

    @Test("scopes reach child tasks, not other tasks or other caches")
    func scopesDoNotLeak() async throws {
        let (_, cache) = try caches()[0]
        let other = Cache()
        try other.setup("mem://")
        try await cache.set("k", 1)
        try await other.set("k", 1)
        try await cache.disabling(.get) {
            async let child = cache.get("k", as: Int.self)
            #expect(try await child == nil, "a child task inherits the scope")
            let detached = try await Task.detached { try await cache.get("k", as: Int.self) }.value
            #expect(detached == 1, "another task does not")
            #expect(try await other.get("k", as: Int.self) == 1, "another cache does not")
            #expect(!other.isDisabled(.get))
        }
        // A scope in one task, while another task reads the same cache at the same time.
        let (entered, enters) = AsyncStream.makeStream(of: Void.self)
        let (leaving, leaves) = AsyncStream.makeStream(of: Void.self)
        let scoped = Task {
            await cache.disabling {
                enters.yield()
                for await _ in leaving { break }
            }
        }
        for await _ in entered { break }
        #expect(try await cache.get("k", as: Int.self) == 1)
        #expect(!cache.isDisabled(.get))
        leaves.yield()
        await scoped.value
    }

    @Test("disable and enable apply to every task of one cache, per prefix")
    func cacheWideAndPerPrefix() async throws {
        let cache = Cache()
        try cache.setup("mem://")
        try cache.setup("mem://", prefix: "user")
        try await cache.set("user:1", 1)
        try await cache.set("page:1", 1)
        cache.disable(.get, prefix: "user:")
        #expect(try await Task.detached { try await cache.get("user:1", as: Int.self) }.value == nil)
        #expect(try await cache.get("page:1", as: Int.self) == 1)
        #expect(cache.isDisabled(.get, prefix: "user") && !cache.isDisabled(.get))
        cache.enable(.get, prefix: "user")
        #expect(try await cache.get("user:1", as: Int.self) == 1)
        cache.disable()
        #expect(cache.isFullyDisabled)
        #expect(try await cache.get("page:1", as: Int.self) == nil)
        cache.enable()
        #expect(try await cache.get("page:1", as: Int.self) == 1)
        try await cache.disabling(prefix: "user") { () async throws in
            #expect(try await cache.get("user:1", as: Int.self) == nil)
            #expect(try await cache.get("page:1", as: Int.self) == 1)
            #expect(!cache.isFullyDisabled)
        }
    }

    @Test("disable= and enable= in the setup URL")
    func setupURL() async throws {
        let cache = Cache()
        try cache.setup("mem://?disable=true")
        try await cache.set("k", 1)
        #expect(cache.isFullyDisabled)
        try cache.setup("mem://?enable=false", prefix: "off")
        try cache.setup("mem://?disable=get,set_many", prefix: "some")
        #expect(cache.isDisabled(.get, .setMany, prefix: "some") && !cache.isDisabled(.set, prefix: "some"))
        try cache.setup("mem://?enable=get", prefix: "only")
        #expect(!cache.isDisabled(.get, prefix: "only") && cache.isDisabled(.set, prefix: "only"))
        try cache.setup("mem://")  // set up again without it: enabled
        #expect(!cache.isDisabled(.get) && cache.isDisabled(prefix: "off"))
        #expect(throws: CashewsError.self) { try cache.setup("mem://?disable=gett") }
    }

    @Test("a fully disabled cache makes strategies call straight through")
    func strategiesCallThrough() async throws {
        for (name, cache) in try caches() {
            let calls = Atomic<Int>(0)
            for _ in 0..<3 {
                let value = try await cache.disabling {
                    try await cache.cached(key: "computed", ttl: "1h", lock: true) {
                        calls.add(1, ordering: .relaxed)
                        return 7
                    }
                }
                #expect(value == 7, "\(name)")
            }
            #expect(calls.load(ordering: .relaxed) == 3, "\(name): computed every time")
            #expect(try await cache.get("computed", as: Int.self) == nil, "\(name): nothing stored")
        }
    }
}
