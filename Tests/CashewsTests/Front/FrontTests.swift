import Cashews
import Foundation
import TestSupport
import Testing

struct Profile: Codable, Sendable, Equatable {
    var name: String
    var tags: [String]
}

@Suite("The Cache front: typed values")
struct FrontTests {
    private func caches() throws -> [(String, Cache)] {
        let memory = Cache()
        memory.setup(MemoryBackend())
        let disk = Cache()
        try disk.setupDisk("disk://\(TemporaryDirectory.path("front"))?durability=none")
        return [("memory", memory), ("disk", disk)]
    }

    @Test("typed round trips on every backend: structs, strings, integers, bytes, booleans")
    func roundTrips() async throws {
        for (name, cache) in try caches() {
            try await cache.set("profile", Profile(name: "Ada", tags: ["x"]))
            try await cache.set("string", "hello")
            try await cache.set("int", 42)
            try await cache.set("bytes", [UInt8]([1, 2, 3]))
            try await cache.set("flag", true)
            #expect(try await cache.get("profile", as: Profile.self) == Profile(name: "Ada", tags: ["x"]), "\(name)")
            #expect(try await cache.get("string", as: String.self) == "hello", "\(name)")
            #expect(try await cache.get("int", as: Int.self) == 42, "\(name)")
            #expect(try await cache.get("bytes", as: [UInt8].self) == [1, 2, 3], "\(name)")
            #expect(try await cache.get("flag", as: Bool.self) == true, "\(name)")
            try await cache.set("empty", [Int]())
            #expect(try await cache.get("empty", as: [Int].self) == [], "\(name): an empty [Int] is not [UInt8]")
            #expect(try await cache.increment("int", by: 8) == 50, "\(name): integers stay incrementable")
            #expect(try await cache.get("int", as: Int64.self) == 50, "\(name)")
            #expect(try await cache.get(["string", "none"], as: String.self) == ["hello", nil], "\(name)")
        }
    }

    private func caches(onTypeMismatch policy: TypeMismatchPolicy) throws -> [(String, Cache)] {
        let memory = Cache(onTypeMismatch: policy)
        memory.setup(MemoryBackend())
        let disk = Cache(onTypeMismatch: policy)
        try disk.setupDisk("disk://\(TemporaryDirectory.path("front"))?durability=none")
        return [("memory", memory), ("disk", disk)]
    }

    @Test("reading a value as another or an outdated type is a miss by default, logged; never a crash")
    func mismatchesMiss() async throws {
        for (name, cache) in try caches() {
            try await cache.set("profile", Profile(name: "Ada", tags: []))
            #expect(try await cache.get("profile", as: Int.self) == nil, "\(name)")
            try await cache.set("text", "abc")
            #expect(try await cache.get("text", as: Profile.self) == nil, "\(name)")
            #expect(try await cache.get("text", as: String.self) == "abc", "\(name): the value is still there")
            _ = try await cache.soft(key: "k", ttl: "1h") { 1 }
            #expect(try await cache.get("soft:k", as: Int.self) == nil, "\(name): a strategy's envelope")
        }
    }

    @Test("onTypeMismatch: .throw makes a value of another type a typed error")
    func mismatchesThrow() async throws {
        for (name, cache) in try caches(onTypeMismatch: .throw) {
            try await cache.set("profile", Profile(name: "Ada", tags: []))
            await #expect(throws: CashewsError.self, "\(name)") { _ = try await cache.get("profile", as: Int.self) }
            try await cache.set("text", "abc")
            await #expect(throws: CashewsError.self, "\(name)") { _ = try await cache.get("text", as: Profile.self) }
            #expect(try await cache.cached(key: "text", ttl: "1m") { 5 } == 5, "\(name): strategies still recompute")
        }
    }

    @Test("a batch get with one bad entry returns nil in that position; batches of mixed types")
    func batches() async throws {
        for (name, cache) in try caches() {
            try await cache.set(["a": 1, "b": 2])
            try await cache.set("bad", Profile(name: "x", tags: []))
            #expect(try await cache.get(["a", "bad", "b", "none"], as: Int.self) == [1, nil, 2, nil], "\(name)")
            let mixed: [String: any Codable & Sendable] = [
                "user": Profile(name: "Ada", tags: []), "visits": 3, "s": "t",
            ]
            try await cache.set(mixed, ttl: "1h")
            let values = try await cache.get(["user": Profile.self, "visits": Int.self, "s": Int.self, "no": Int.self])
            #expect(values.count == 4, "\(name)")
            #expect(values[0] as? Profile == Profile(name: "Ada", tags: []), "\(name)")
            #expect(values[1] as? Int == 3, "\(name)")
            #expect(values[2] == nil && values[3] == nil, "\(name): another type, absent")
            guard case .remaining(let left)? = try await cache.timeToLive("visits") else {
                Issue.record("\(name): the mixed batch has the TTL")
                continue
            }
            #expect(left > .seconds(3500) && left <= .seconds(3600), "\(name)")
        }
    }

    @Test("every backend reads a value as another type the same way")
    func crossTypeReads() async throws {
        for (name, cache) in try caches() {
            try await cache.set("int", 42)
            #expect(try await cache.get("int", as: String.self) == "42", "\(name)")
            try await cache.set("string", "42")
            #expect(try await cache.get("string", as: Int.self) == 42, "\(name)")
            try await cache.set("text", "hi")
            #expect(try await cache.get("text", as: [UInt8].self) == Array("hi".utf8), "\(name)")
            try await cache.set("flag", true)
            #expect(try await cache.increment("flag") == 2, "\(name)")
            #expect(try await cache.size(of: "int") == 2, "\(name)")
        }
    }

    @Test("a prefix written with its separator means the same prefix; disk:/// is refused")
    func prefixSeparator() async throws {
        let cache = Cache()
        let users = MemoryBackend()
        cache.setup(MemoryBackend())
        cache.setup(users, prefix: "user:")
        try await cache.set("user:1", 1)
        #expect(try await users.exists("user:1"))
        #expect(throws: CashewsError.self) { try Cache().setupDisk("disk:///") }
    }

    @Test("add, replace, keeping the TTL, locks and sets through the front")
    func commands() async throws {
        for (name, cache) in try caches() {
            #expect(try await cache.add("k", 1, ttl: "1m"), "\(name)")
            #expect(!(try await cache.add("k", 2)), "\(name)")
            #expect(try await cache.replace("k", 3, ttl: .seconds(30)), "\(name)")
            try await cache.set("k", 4, keepingTTL: true)
            if case .remaining(let left)? = try await cache.timeToLive("k") {
                #expect(left <= .seconds(30) && left > .seconds(25), "\(name)")
            } else {
                Issue.record("\(name): the TTL was not kept")
            }
            #expect(try await cache.lock("lock", token: "me", ttl: "5s"), "\(name)")
            #expect(!(try await cache.unlock("lock", token: "you")), "\(name)")
            #expect(try await cache.unlock("lock", token: "me"), "\(name)")
            #expect(try await cache.addToSet("set", ["a", "b"]) == 2, "\(name)")
            #expect(try await cache.members(of: "set") == ["a", "b"], "\(name)")
            try await cache.set(["m1": 1, "m2": 2], ttl: "1h")
            #expect(try await cache.get(["m1", "m2"], as: Int.self) == [1, 2], "\(name)")
            #expect(try await cache.ping("user:ping") == "user:ping", "\(name)")
        }
    }
}
