import Cashews
import Testing

@testable import CashewsRedis

@Suite("Redis backend")
struct RedisBackendTests {
    @Test("AUTH with a user and password, CLIENT SETNAME and SELECT from the setup URL")
    func handshake() async throws {
        try await withRedisServer(arguments: ["--user", "alice", "on", ">s3cret", "~*", "&*", "+@all"]) { server in
            let backend = try RedisBackend(
                url: server.url("client_name=cashews-test&db=5").replacingOccurrences(
                    of: "redis://", with: "redis://alice:s3cret@"))
            try await closing(backend) {
                try await backend.put("k", "in five")
                #expect(try await backend.send("name", ["CLIENT", "GETNAME"]).text == "cashews-test")
                #expect(try await backend.send("who", ["ACL", "WHOAMI"]).text == "alice")
                let database0 = try RedisBackend(
                    url: server.url().replacingOccurrences(
                        of: "redis://", with: "redis://alice:s3cret@"))
                try await closing(database0) {
                    let value = try await database0.get("k")
                    #expect(value == nil)
                }
            }
            // Wrong credentials are an authentication failure that says what to check.
            let wrong = try RedisBackend(
                url: server.url().replacingOccurrences(of: "redis://", with: "redis://alice:nope@"))
            await #expect {
                _ = try await wrong.get("k")
            } throws: { error in
                ((error as? BackendError)?.underlying as? RedisError)?.kind == .authenticationFailed
            }
            await wrong.shutdown()
        }
    }

    @Test("redis:// is suppressed by default; suppress=false gives typed errors")
    func suppressDefault() async throws {
        Cache.register(.redis)
        let port = try await RedisServer.freePort()  // nothing listens there
        let cache = Cache()
        try cache.setup("redis://127.0.0.1:\(port)?socket_connect_timeout=200ms&wait_for_connection_timeout=300ms")
        #expect(try await cache.get("k", as: String.self) == nil)
        try await cache.set("k", "v")
        let strict = Cache()
        try strict.setup("redis://127.0.0.1:\(port)?suppress=false&socket_connect_timeout=200ms")
        await #expect {
            _ = try await strict.get("k", as: String.self)
        } throws: { error in
            (error as? BackendError)?.kind == .unavailable
        }
    }

    @Test("a transaction commits in one script: every write or none; a rollback sends nothing")
    func transactions() async throws {
        try await withRedisServer { server in
            let backend = RedisBackend(configuration: server.configuration())
            try await closing(backend) {
                #expect(backend.commitsAtomically)
                let cache = Cache()
                cache.setUp(backend)
                try await cache.set("old:1", 1)
                try await cache.set("old:2", 2)
                try await cache.set("kept", 0)
                try await cache.transaction(mode: .fast) { _ in
                    _ = try await cache.delete(matching: "old:*")
                    try await cache.set("old:2", 22, ttl: "1m")
                    try await cache.set("new", 3)
                    _ = try await cache.delete("kept")
                    #expect(try await backend.get("new") == nil, "nothing reaches the server before the commit")
                }
                #expect(try await cache.get("old:1", as: Int.self) == nil)
                #expect(try await cache.get("old:2", as: Int.self) == 22)
                #expect(try await cache.timeToLive("old:2") != .forever)
                #expect(try await cache.get("new", as: Int.self) == 3)
                #expect(try await cache.exists("kept") == false)
                struct Abort: Error {}
                await #expect(throws: Abort.self) {
                    try await cache.transaction(mode: .fast) { _ in
                        try await cache.set("never", 1)
                        throw Abort()
                    }
                }
                #expect(try await cache.exists("never") == false)
            }
        }
    }

    @Test("scripts are sent again when the server has lost them (NOSCRIPT)")
    func noscript() async throws {
        try await withRedisServer { server in
            let backend = RedisBackend(configuration: server.configuration())
            try await closing(backend) {
                #expect(try await backend.increment("n", by: 2, expiry: .after(.seconds(60))) == 2)
                _ = try await backend.send("flush", ["SCRIPT", "FLUSH"])
                #expect(try await backend.increment("m", by: 3, expiry: .after(.seconds(60))) == 3)
                #expect(try await backend.unlock("absent", token: "t") == false)
            }
        }
    }

    @Test("clear deletes only this cache's keys, in batches, never FLUSHDB")
    func clearNamespace() async throws {
        try await withRedisServer { server in
            var configuration = server.configuration()
            configuration.namespace = "mine:"
            let mine = RedisBackend(configuration: configuration)
            let other = RedisBackend(configuration: server.configuration())
            try await closing(mine, other) {
                for index in 0..<1500 { try await mine.put("k\(index)", "v") }
                try await other.put("theirs", "v")
                #expect(try await mine.count() == 1500)
                try await mine.clear()
                #expect(try await mine.count() == 0)
                #expect(try await other.count() == 1)
                #expect(try await other.keys(matching: GlobPattern("*")) == ["theirs"])
            }
        }
    }

    @Test("a namespace with glob characters is matched literally")
    func namespaceEscaping() async throws {
        try await withRedisServer { server in
            var configuration = server.configuration()
            configuration.namespace = "a*["
            let backend = RedisBackend(configuration: configuration)
            let other = RedisBackend(configuration: server.configuration())
            try await closing(backend, other) {
                try await backend.put("x", "1")
                try await other.put("abc[x", "2")
                #expect(try await backend.keys(matching: GlobPattern("*")) == ["x"])
            }
        }
    }
}
