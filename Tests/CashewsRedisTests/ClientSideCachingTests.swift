import Cashews
import Testing

@testable import CashewsRedis

@Suite("Redis client-side caching")
struct ClientSideCachingTests {
    @Test("a second client's write reaches the local tier within a bounded time")
    func invalidation() async throws {
        try await withRedisServer { server in
            var configuration = server.configuration()
            configuration.clientSideCaching = true
            let cached = RedisBackend(configuration: configuration)
            let writer = RedisBackend(configuration: server.configuration())
            try await closing(cached, writer) {
                try await writer.put("k", "one")
                #expect(text(try await cached.get("k")) == "one")
                #expect(text(try await cached.get("k")) == "one")
                #expect(cached.clientSide?.statistics.hits == 1)
                try await writer.put("k", "two")
                let start = ContinuousClock.now
                var seen = text(try await cached.get("k"))
                while seen != "two" && ContinuousClock.now - start < .seconds(5) {
                    try await Task.sleep(for: .milliseconds(1))
                    seen = text(try await cached.get("k"))
                }
                #expect(seen == "two")
                // Well under a millisecond on an idle machine; the bound leaves room for the
                // parallel tests that share its two cores.
                #expect(ContinuousClock.now - start < .seconds(3))
                #expect((cached.clientSide?.statistics.invalidations ?? 0) >= 1)
            }
        }
    }

    @Test("no read keeps a value that a write made stale while the read was under way")
    func noLostWindow() async throws {
        try await withRedisServer { server in
            var configuration = server.configuration()
            configuration.clientSideCaching = true
            configuration.poolSize = 2
            let cached = RedisBackend(configuration: configuration)
            let writer = RedisBackend(configuration: server.configuration())
            try await closing(cached, writer) {
                for round in 0..<200 {
                    let reads = Task { for _ in 0..<5 { _ = try await cached.get("k") } }
                    try await writer.put("k", "\(round)")
                    try await reads.value
                    // Once the write is acknowledged and its invalidation delivered, the tier
                    // never answers an older value.
                    var latest = text(try await cached.get("k"))
                    let start = ContinuousClock.now
                    while latest != "\(round)" && ContinuousClock.now - start < .seconds(1) {
                        try await Task.sleep(for: .milliseconds(1))
                        latest = text(try await cached.get("k"))
                    }
                    #expect(latest == "\(round)")
                }
            }
        }
    }

    @Test("the tier is cleared when a connection closes, and expired keys are not served")
    func disconnectAndExpiry() async throws {
        try await withRedisServer { server in
            var configuration = server.configuration()
            configuration.clientSideCaching = true
            configuration.poolSize = 1
            let cached = RedisBackend(configuration: configuration)
            let other = RedisBackend(configuration: server.configuration())
            try await closing(cached, other) {
                try await cached.put("k", "v")
                _ = try await cached.get("k")
                _ = try await cached.get("k")
                #expect(cached.clientSide?.statistics.hits == 1)
                // Another client kills every connection but its own: the tracked one closes.
                let flushes = cached.clientSide?.statistics.flushes ?? 0
                _ = try await other.send("kill", ["CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"])
                let start = ContinuousClock.now
                while cached.clientSide?.statistics.flushes == flushes && ContinuousClock.now - start < .seconds(2) {
                    try await Task.sleep(for: .milliseconds(5))
                }
                #expect(cached.clientSide?.statistics.flushes == flushes + 1)
                _ = try? await cached.get("k")
                #expect(text(try await cached.get("k")) == "v")
                #expect(cached.clientSide?.statistics.hits == 2)
                // The tier keeps the key's TTL: once it has passed, the key is not served, even
                // before the server's invalidation of the expired key.
                try await cached.put("short", "v", .after(.milliseconds(300)))
                _ = try await cached.get("short")
                try await Task.sleep(for: .milliseconds(350))
                #expect(try await cached.get("short") == nil)
            }
        }
    }
}
