import Cashews
import Foundation
import Testing

@testable import CashewsRedis

@Suite("Redis faults")
struct RedisFaultTests {
    private func fastFailing(_ configuration: RedisConfiguration) -> RedisConfiguration {
        var configuration = configuration
        // Short, with slack for a machine busy with other tests.
        configuration.commandTimeout = .seconds(1)
        configuration.connectTimeout = .seconds(1)
        configuration.waitTimeout = .milliseconds(1500)
        configuration.backoff = .milliseconds(20)
        configuration.maximumBackoff = .milliseconds(100)
        return configuration
    }

    @Test("the server killed mid-run: suppressed commands are misses within the timeout; restarted, the pool recovers")
    func killedAndRestarted() async throws {
        let server = try await RedisServer.start()
        defer { server.stop() }
        let backend = RedisBackend(configuration: fastFailing(server.configuration()))
        let cache = Cache()
        cache.setup(backend, suppress: true, name: "redis")
        try await closing(backend) {
            try await cache.set("k", "v")
            #expect(try await cache.get("k", as: String.self) == "v")
            // Load under way while the server dies.
            let load = Task {
                var failures = 0
                for index in 0..<400 {
                    if (try? await backend.set("load:\(index)", .bytes([1]), expiry: .never, condition: .always)) == nil
                    {
                        failures += 1
                    }
                }
                return failures
            }
            try await Task.sleep(for: .milliseconds(20))
            server.kill()
            let failures = await load.value
            #expect(failures > 0)
            let start = ContinuousClock.now
            #expect(try await cache.get("k", as: String.self) == nil)
            try await cache.set("k", "w")
            #expect(ContinuousClock.now - start < .seconds(60))  // catches a hang; the timeouts are 1 s
            // Unsuppressed, the failure says what failed and what to do.
            await #expect {
                _ = try await backend.get("k")
            } throws: { error in
                guard let error = error as? BackendError else { return false }
                return error.kind == .unavailable && error.message.contains("suppress")
            }
            try await server.launch()
            var recovered = false
            for _ in 0..<100 where !recovered {
                recovered = (try? await backend.ping("back")) == "back"
                if !recovered { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(recovered)
            try await cache.set("k", "again")
            #expect(try await cache.get("k", as: String.self) == "again")
        }
    }

    @Test("a slow server: the command timeout fires, and the connection is reopened")
    func slowServer() async throws {
        try await withRedisServer { server in
            var configuration = fastFailing(server.configuration())
            configuration.commandTimeout = .milliseconds(300)
            let backend = RedisBackend(configuration: configuration)
            try await closing(backend) {
                try await backend.put("k", "v")
                let start = ContinuousClock.now
                await #expect {
                    _ = try await backend.send("debug", ["DEBUG", "SLEEP", "2"])
                } throws: { error in
                    ((error as? BackendError)?.underlying as? RedisError)?.kind == .timeout
                }
                // The timeout, not the reply (which comes after 2 s), ends the command: the kind
                // says so. The bound only catches a hang (the machine is shared by parallel tests).
                #expect(ContinuousClock.now - start < .seconds(60))
                // After the sleep, new connections serve commands again.
                try await Task.sleep(for: .seconds(2))
                var value: String?
                for _ in 0..<20 where value == nil {
                    value = text((try? await backend.get("k")) ?? nil)
                    if value == nil { try await Task.sleep(for: .milliseconds(50)) }
                }
                #expect(value == "v")
            }
        }
    }

    @Test("a server that never answers: a timeout, not a hang")
    func silentServer() async throws {
        let fake = try await FakeRedisServer.start { command in
            command.first == "GET" ? nil : FakeRedisServer.handshake(command)
        }
        let backend = RedisBackend(configuration: fastFailing(fake.configuration()))
        let start = ContinuousClock.now
        await #expect {
            _ = try await backend.get("k")
        } throws: { error in
            ((error as? BackendError)?.underlying as? RedisError)?.kind == .timeout
        }
        // A 1 s timeout, and slack for a 2-core CI machine busy with the parallel tests (15 s seen):
        // a hang would never end; the error kind above proves the timeout fired.
        #expect(ContinuousClock.now - start < .seconds(60))
        await backend.shutdown()
        await fake.stop()
    }

    @Test(
        "malformed and truncated replies are typed errors",
        arguments: ["$5\r\nab\r\n+x\r\n", "?what\r\n", "$10\r\nabc"])
    func badReplies(_ reply: String) async throws {
        let truncated = reply == "$10\r\nabc"
        let fake = try await FakeRedisServer.start { command in
            guard command.first == "GET" else { return FakeRedisServer.handshake(command) }
            if truncated {
                return Array(reply.utf8)
            }
            return Array(reply.utf8)
        }
        var configuration = fastFailing(fake.configuration())
        configuration.protocolVersion = 2
        let backend = RedisBackend(configuration: configuration)
        await #expect {
            _ = try await backend.get("k")
        } throws: { error in
            let kind = ((error as? BackendError)?.underlying as? RedisError)?.kind
            return truncated ? kind == .timeout : kind == .protocolViolation
        }
        await backend.shutdown()
        await fake.stop()
    }

    @Test("a server without RESP3 is spoken to in RESP2")
    func resp2Fallback() async throws {
        let fake = try await FakeRedisServer.start { command in
            command.first == "GET" ? Array("$2\r\nhi\r\n".utf8) : FakeRedisServer.handshake(command)
        }
        let connection = try await RedisConnection.open(fake.configuration())
        #expect(connection.protocolVersion == 2)
        #expect(try await connection.send(["GET", "k"]) == .bulkString(Array("hi".utf8)))
        await connection.close()
        await fake.stop()
    }

    @Test("1,000 concurrent tasks on a pool of 4 connections: no deadlock, every reply to its command")
    func manyTasks() async throws {
        try await withRedisServer { server in
            var configuration = server.configuration()
            configuration.poolSize = 4
            let backend = RedisBackend(configuration: configuration)
            try await closing(backend) {
                let mismatches = try await withThrowingTaskGroup(of: Int.self) { group in
                    for task in 0..<1000 {
                        group.addTask {
                            var mismatches = 0
                            for round in 0..<5 {
                                let key = "t\(task):\(round)"
                                _ = try await backend.set(
                                    key, .bytes(Array(key.utf8)), expiry: .never, condition: .always)
                                if text(try await backend.get(key)) != key { mismatches += 1 }
                            }
                            return mismatches
                        }
                    }
                    return try await group.reduce(0, +)
                }
                #expect(mismatches == 0)
                #expect(try await backend.count() == 5000)
                let clients = try await backend.send("clients", ["CLIENT", "LIST"]).text ?? ""
                #expect(clients.split(separator: "\n").count <= 4)
            }
        }
    }
}

func text(_ value: CacheValue?) -> String? {
    guard case .bytes(let bytes)? = value else { return nil }
    return String(decoding: bytes, as: UTF8.self)
}

extension Backend {
    func put(_ key: String, _ value: String, _ expiry: Expiry = .never) async throws {
        _ = try await set(key, .bytes(Array(value.utf8)), expiry: expiry, condition: .always)
    }
}
