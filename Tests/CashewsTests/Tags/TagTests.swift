import Cashews
import Foundation
import TestSupport
import Testing

@Suite("Tags")
struct TagTests {
    @Test("set with tags; deleting a tag deletes its entries and memberships, nothing else (memory and disk)")
    func setAndDelete() async throws {
        for (name, cache) in try Fixture.both(ManualClock()) {
            try await cache.set("user:7:profile", "Ada", ttl: "1h", tags: ["user:7"])
            try await cache.set("user:7:orders", [1, 2], ttl: "5m", tags: ["user:7", "orders"])
            try await cache.set("user:8:orders", [3], tags: ["user:8", "orders"])
            try await cache.set("untagged", 1)
            #expect(try await cache.keys(taggedWith: "user:7") == ["user:7:orders", "user:7:profile"], "\(name)")
            #expect(try await cache.keys(taggedWith: "orders") == ["user:7:orders", "user:8:orders"], "\(name)")

            #expect(try await cache.delete(taggedWith: "user:7") == 2, "\(name)")
            #expect(try await cache.get("user:7:profile", as: String.self) == nil, "\(name)")
            #expect(try await cache.get("user:7:orders", as: [Int].self) == nil, "\(name)")
            #expect(try await cache.get("user:8:orders", as: [Int].self) == [3], "\(name)")
            #expect(try await cache.get("untagged", as: Int.self) == 1, "\(name)")
            #expect(try await cache.keys(taggedWith: "user:7").isEmpty, "\(name)")
            // The membership of the deleted entry in "orders" is left: it deletes nothing.
            #expect(try await cache.keys(taggedWith: "orders") == ["user:8:orders"], "\(name)")
            #expect(try await cache.delete(taggedWith: ["orders", "user:8"]) == 1, "\(name)")
            #expect(try await collect(cache.scan("_tag:*")).isEmpty, "\(name): no membership is left")
            #expect(try await cache.delete(taggedWith: "never-used") == 0, "\(name)")
        }
    }

    @Test("tags that are prefixes of each other, or hold glob characters, stay apart")
    func tagText() async throws {
        for (name, cache) in try Fixture.both(ManualClock()) {
            let tags = ["a", "a:b", "a*", "[a]", "a?", "a\\", "é", "e\u{301}", "*\u{301}"]
            for (index, tag) in tags.enumerated() { try await cache.set("k\(index)", index, tags: [tag]) }
            for (index, tag) in tags.enumerated() {
                #expect(try await cache.keys(taggedWith: tag) == ["k\(index)"], "\(name): \(tag)")
            }
            #expect(try await cache.delete(taggedWith: "a") == 1, "\(name)")
            #expect(try await cache.exists("k1"), "\(name): \"a:b\" is another tag")
            #expect(try await cache.delete(taggedWith: "*\u{301}") == 1, "\(name)")
            #expect(try await cache.exists("k2"), "\(name): a combining mark does not hide a star")
        }
    }

    @Test("memberships expire a second after their entries; entries without a TTL keep theirs")
    func expiry() async throws {
        let clock = ManualClock()
        for (name, cache) in try Fixture.both(clock) {
            try await cache.set("short", 1, ttl: "10s", tags: ["t"])
            try await cache.set("forever", 2, tags: ["t"])
            clock.advance(by: .seconds(10))
            #expect(try await cache.get("short", as: Int.self) == nil, "\(name)")
            #expect(
                try await collect(cache.scan("_tag:*")).sorted()
                    == ["_tag:1:t:forever", "_tag:1:t:short", "_tag:of:forever", "_tag:of:short"],
                "\(name): the membership and the record of tags outlive their entry")
            clock.advance(by: .seconds(1))
            #expect(
                try await collect(cache.scan("_tag:*")).sorted() == ["_tag:1:t:forever", "_tag:of:forever"], "\(name)")
            #expect(try await cache.delete(taggedWith: "t") == 1, "\(name)")
        }
    }

    @Test("an empty tag is a typed error, and nothing is stored")
    func emptyTag() async throws {
        for (name, cache) in try Fixture.both(ManualClock()) {
            await #expect(throws: CashewsError.self, "\(name)") { try await cache.set("k", 1, tags: [""]) }
            #expect(try await !cache.exists("k"), "\(name)")
            await #expect(throws: CashewsError.self, "\(name)") { try await cache.delete(taggedWith: "") }
            await #expect(throws: CashewsError.self, "\(name)") {
                _ = try await cache.cached(key: "c", ttl: "1m", tags: [""]) { 1 }
            }
            #expect(try await !cache.exists("c"), "\(name)")
        }
    }

    @Test("cached, hit, dynamic, early and soft tag what they store; invalidating recomputes")
    func strategies() async throws {
        for (name, cache) in try Fixture.both(ManualClock()) {
            let calls = Calls()
            func run() async throws -> [Int] {
                [
                    try await cache.cached(key: "cached", ttl: "1h", tags: ["all"]) { calls.next() },
                    try await cache.hit(key: "hit", ttl: "1h", cacheHits: 10, tags: ["all"]) { calls.next() },
                    try await cache.early(key: "early", ttl: "1h", tags: ["all"]) { calls.next() },
                    try await cache.soft(key: "soft", ttl: "1h", tags: ["all"]) { calls.next() },
                ]
            }
            #expect(try await run() == [1, 2, 3, 4], "\(name)")
            #expect(try await run() == [1, 2, 3, 4], "\(name): hits")
            // dynamic refreshes in the background at its first hit; the refresh is tagged too.
            #expect(try await cache.dynamic(key: "dynamic", tags: ["all"]) { 0 } == 0, "\(name)")
            #expect(try await cache.dynamic(key: "dynamic", tags: ["all"]) { 0 } == 0, "\(name)")
            await cache.waitForBackgroundRefreshes()
            #expect(
                try await cache.keys(taggedWith: "all")
                    == ["cached", "dynamic:dynamic", "early:v2:early", "hit:hit", "soft:soft"], "\(name)")
            #expect(try await cache.delete(taggedWith: "all") == 5, "\(name)")
            #expect(try await run() == [5, 6, 7, 8], "\(name): recomputed")
        }
    }

    @Test("tag templates: filled from the key's values (cached) or the arguments (memoize), only on a miss")
    func templates() async throws {
        for (name, cache) in try Fixture.both(ManualClock()) {
            let profile = try KeyTemplate("profile:{id}:{lang:lower}")
            let owner = try KeyTemplate("user:{id}")
            let calls = Calls()
            let page = try await cache.cached(key: profile, values: ["id": 7, "lang": "EN"], ttl: "1h", tags: [owner]) {
                "page \(calls.next())"
            }
            #expect(page == "page 1", "\(name)")
            let user = cache.memoize(
                key: try KeyTemplate("user:{id}:{part}"), ttl: "1h", arguments: ["id", "part"], tags: [owner]
            ) {
                (id: Int, part: String) in "\(part) of \(id), \(calls.next())"
            }
            #expect(try await user(7, "orders") == "orders of 7, 2", "\(name)")
            #expect(try await user(8, "orders") == "orders of 8, 3", "\(name)")
            #expect(try await cache.keys(taggedWith: "user:7") == ["profile:7:en", "user:7:orders"], "\(name)")
            #expect(try await cache.delete(taggedWith: "user:7") == 2, "\(name)")
            #expect(try await user(7, "orders") == "orders of 7, 4", "\(name): recomputed")
            #expect(try await user(8, "orders") == "orders of 8, 3", "\(name): another user's entry stays")

            // A tag template with a placeholder the values lack fails the miss, and stores nothing.
            let broken = try KeyTemplate("user:{missing}")
            await #expect(throws: KeyTemplateError.self, "\(name)") {
                _ = try await cache.cached(key: profile, values: ["id": 9, "lang": "de"], ttl: "1h", tags: [broken]) {
                    "never stored"
                }
            }
            #expect(try await !cache.exists("profile:9:de"), "\(name)")
        }
    }

    @Test("memberships routed to a tags backend of their own; entries on another")
    func tagsBackend() async throws {
        let cache = Cache(clock: .manual(ManualClock()))
        let directory = TemporaryDirectory.path("tags")
        try cache.setupDisk("disk://\(directory)?durability=none")
        let tags = try cache.setup("mem://", prefix: Cache.tagPrefix)
        try await cache.set("report:1", "r", ttl: "1h", tags: ["reports"])
        #expect(
            try await tags.keys(matching: GlobPattern("*")).sorted()
                == ["_tag", "_tag:7:reports:report:1", "_tag:of:report:1"], "the marker, a membership, the reverse set")
        #expect(try await cache.backend(for: "report:1").keys(matching: GlobPattern("*")) == ["report:1"])
        #expect(try await cache.delete(taggedWith: "reports") == 1)
        #expect(try await !cache.exists("report:1"))
        #expect(try await tags.keys(matching: GlobPattern("*")) == ["_tag"], "only the tags-in-use marker is left")
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func collect(_ stream: AsyncThrowingStream<String, any Error>) async throws -> [String] {
        var keys: [String] = []
        for try await key in stream { keys.append(key) }
        return keys.sorted()
    }
}

@Suite("Tags follow their keys: untagged by delete and overwrite, on increment, listed by key")
struct TagLifecycleTests {
    @Test("deleting or overwriting a key untags it (memory and disk)")
    func untagging() async throws {
        for (name, cache) in try Fixture.both(ManualClock()) {
            try await cache.set("a", 1, ttl: "1h", tags: ["group"])
            try await cache.delete("a")
            try await cache.set("a", 2, ttl: "1h")
            #expect(try await cache.delete(taggedWith: "group") == 0, "\(name): deleted, then set untagged")
            #expect(try await cache.get("a", as: Int.self) == 2, "\(name)")

            try await cache.set("b", 1, ttl: "1h", tags: ["group"])
            try await cache.set("b", 2, ttl: "1h")
            #expect(try await cache.tags(of: "b") == [], "\(name): overwritten without tags")
            #expect(try await cache.delete(taggedWith: "group") == 0, "\(name)")

            try await cache.set("c", 1, ttl: "1h", tags: ["old"])
            try await cache.set("c", 2, ttl: "1h", tags: ["new"])
            #expect(try await cache.tags(of: "c") == ["new"], "\(name): the new tags replace the old")
            #expect(try await cache.delete(taggedWith: "old") == 0, "\(name)")

            _ = try await cache.cached(key: "d", ttl: "1h", tags: ["strategy"]) { 1 }
            try await cache.set("d", 5)
            #expect(try await cache.delete(taggedWith: "strategy") == 0, "\(name): a strategy's tags too")

            try await cache.set("e", 1, ttl: "1h", tags: ["x", "y"])
            #expect(try await cache.delete(taggedWith: "x") == 1, "\(name)")
            try await cache.set("e", 2, ttl: "1h")
            #expect(try await cache.delete(taggedWith: "y") == 0, "\(name): deleting by one tag drops the others")
        }
    }

    @Test("a cache that never tagged untags what another cache on its backend tagged, within 100 ms")
    func untaggingByAnotherCache() async throws {
        let clock = ManualClock()
        let shared = MemoryBackend()
        let tagging = Cache(clock: .manual(clock))
        tagging.setUp(shared)
        let plain = Cache(clock: .manual(clock))
        plain.setUp(shared)
        try await plain.set(0, forKey: "warm")  // looks for the marker: none yet
        try await tagging.set("k", 1, ttl: "1h", tags: ["group"])
        try await plain.set("k", 2, ttl: "1h")
        #expect(try await tagging.tags(of: "k") == ["group"], "looked less than 100 ms ago: not yet")
        clock.advance(by: .milliseconds(100))
        try await plain.set("k", 3, ttl: "1h")
        #expect(try await tagging.tags(of: "k") == [], "the marker is seen: the overwrite untags")
        try await tagging.set("d", 1, ttl: "1h", tags: ["group"])
        _ = try await plain.delete("d")
        #expect(try await tagging.delete(taggedWith: "group") == 0)
        #expect(try await plain.get("k", as: Int.self) == 3)
    }

    @Test("another process's overwrite and delete untag keys on a shared disk cache")
    func untaggingAcrossProcesses() async throws {
        try await withTemporaryPath(create: false) { directory in
            let cache = Cache()
            try cache.setupDisk("disk://\(directory)")
            try await cache.set("k", 1, ttl: "1h", tags: ["group"])
            try await cache.set("d", 1, ttl: "1h", tags: ["group"])
            let worker = try Worker.start(["tag-overwrite", directory])
            #expect(worker.readLine() == "done")
            #expect(worker.wait() == 0)
            #expect(try await cache.tags(of: "k") == [])
            #expect(try await cache.delete(taggedWith: "group") == 0, "neither key is tagged any more")
            #expect(try await cache.get("k", as: Int.self) == 2)
            #expect(try await cache.exists("d") == false)
        }
    }

    @Test("increment takes tags; tags(of:) lists a key's tags (memory and disk)")
    func incrementAndList() async throws {
        for (name, cache) in try Fixture.both(ManualClock()) {
            #expect(try await cache.increment("visits", ttl: "1h", tags: ["stats", "daily"]) == 1, "\(name)")
            #expect(try await cache.increment("visits", by: 2, tags: ["stats", "daily"]) == 3, "\(name)")
            #expect(try await cache.tags(of: "visits") == ["daily", "stats"], "\(name)")
            #expect(try await cache.tags(of: "absent") == [], "\(name)")
            #expect(try await cache.delete(taggedWith: "stats") == 1, "\(name)")
            #expect(try await cache.tags(of: "visits") == [], "\(name)")
        }
    }
}

@Suite("Registered tag templates (cashews' register_tag)")
struct RegisteredTagTests {
    @Test("a key template reads its bare placeholders back from a key")
    func matching() throws {
        let template = try KeyTemplate("user:{id}:{part}")
        #expect(template.values(in: "user:7:orders") == ["id": "7", "part": "orders"])
        #expect(template.values(in: "user:7:orders:2024") == ["id": "7", "part": "orders:2024"])
        #expect(template.values(in: "user:7") == nil)
        #expect(template.values(in: "users:7:orders") == nil)
        #expect(try KeyTemplate("a:{x}:b").values(in: "a:1:b") == ["x": "1"])
        #expect(try KeyTemplate("a:{x}:b").values(in: "a:1:c") == nil)
        #expect(try KeyTemplate("{x}{y}").values(in: "12") == nil, "no literal between them: ambiguous")
        #expect(try KeyTemplate("k:{name:lower}:{id}").barePlaceholderNames == ["id"])
        #expect(try KeyTemplate("k:{name:lower}:{id}").values(in: "k:ada:3") == ["id": "3"])
        #expect(try KeyTemplate("plain").values(in: "plain") == [:])
    }

    @Test("keys of a registered form are tagged by every write; tags(of:) lists them (memory and disk)")
    func registered() async throws {
        for (name, cache) in try Fixture.both(ManualClock()) {
            try cache.registerTag(KeyTemplate("user:{id}"), forKeys: KeyTemplate("user:{id}:{part}"))
            try await cache.set("user:7:orders", [1, 2], ttl: "1h")
            _ = try await cache.cached(key: "user:7:profile", ttl: "1h") { "Ada" }
            try await cache.set("user:8:orders", [3], ttl: "1h", tags: ["orders"])
            try await cache.set("other", 1)
            #expect(try await cache.tags(of: "user:7:orders") == ["user:7"], "\(name)")
            #expect(try await cache.tags(of: "user:8:orders") == ["orders", "user:8"], "\(name)")
            #expect(try await cache.tags(of: "other") == [], "\(name)")
            #expect(try await cache.delete(taggedWith: "user:7") == 2, "\(name)")
            #expect(try await cache.exists("user:8:orders"), "\(name)")
            #expect(throws: CashewsError.self, "\(name): {name} is not readable from the key") {
                try cache.registerTag(KeyTemplate("n:{name}"), forKeys: KeyTemplate("k:{name:lower}"))
            }
        }
    }
}
