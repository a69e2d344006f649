import Cashews
import Foundation
import MetricsTestKit
import Synchronization
import TestSupport
import Testing

/// Lines written by several tasks.
private final class Log: Sendable {
    private let storage = Mutex<[String]>([])

    func append(_ line: String) { storage.withLock { $0.append(line) } }
    var lines: [String] { storage.withLock { $0 } }
    func removeAll() { storage.withLock { $0 = [] } }
}

/// Records the commands it sees, by name, into a shared log.
private struct Recording: CacheMiddleware {
    let name: String
    let log: Log

    nonisolated(nonsending) func handle(
        _ request: CacheRequest, context: MiddlewareContext, next: (CacheRequest) async throws -> CacheResponse
    ) async throws -> CacheResponse {
        log.append("\(name) \(request.command) \(request.keys.joined(separator: ","))")
        return try await next(request)
    }
}

@Suite("Middlewares")
struct MiddlewareTests {
    private func caches() throws -> [(String, Cache)] {
        let memory = Cache()
        try memory.setup("mem://")
        let disk = Cache()
        try disk.setupDisk("disk://\(TemporaryDirectory.path("middleware"))?durability=none")
        return [("memory", memory), ("disk", disk)]
    }

    @Test("the order: cache-wide middlewares in the order added, then the backend's, then the backend")
    func order() async throws {
        let log = Log()
        let cache = Cache()
        try cache.setup("mem://")
        try cache.setup("mem://", prefix: "user")
        cache.use(Recording(name: "backend", log: log), prefix: "user")
        cache.use(Recording(name: "first", log: log))
        cache.use(Recording(name: "second", log: log))
        cache.use(KeyPrefixMiddleware("v2:"), prefix: "user")
        cache.use(Recording(name: "after-prefix", log: log), prefix: "user")
        try await cache.set("user:1", 1)
        _ = try await cache.get("page", as: Int.self)
        #expect(
            log.lines == [
                "first set user:1", "second set user:1", "backend set user:1", "after-prefix set v2:user:1",
                "first get page", "second get page",
            ])
        #expect(try await cache.get("user:1", as: Int.self) == 1, "read back through the prefix")
        #expect(try await cache.backend(for: "user:1").exists("v2:user:1") == false, "the pipeline prefixes again")
        cache.removeMiddlewares(prefix: "user")
        #expect(try await cache.backend(for: "user:1").get("v2:user:1") != nil, "stored under the prefixed key")
        cache.removeMiddlewares()
        log.removeAll()
        _ = try await cache.get("page", as: Int.self)
        #expect(log.lines.isEmpty)
    }

    @Test("key prefix and lower-case keys cover every command, patterns and scans")
    func keyMiddlewares() async throws {
        for (name, cache) in try caches() {
            cache.use(LowercaseKeysMiddleware())
            cache.use(KeyPrefixMiddleware("v2:"))  // after lower-casing: the prefix stays as given
            try await cache.set("User:1", 1)
            _ = try await cache.incrementBits("BitsKey", at: [1])
            _ = try await cache.addToSet("SetKey", ["a"])
            #expect(try await cache.get("user:1", as: Int.self) == 1, "\(name)")
            #expect(try await cache.getBits("bitskey", at: [1]) == [1], "\(name)")
            #expect(try await Set(cache.scan("*").collect()) == ["user:1", "bitskey", "setkey"], "\(name)")
            cache.removeMiddlewares()
            #expect(try await Set(cache.scan("*").collect()) == ["v2:user:1", "v2:bitskey", "v2:setkey"], "\(name)")
            cache.use(KeyPrefixMiddleware("v2:"))
            #expect(try await cache.delete(matching: "user:*") == 1, "\(name)")
            cache.removeMiddlewares()
            #expect(try await cache.exists("v2:user:1") == false, "\(name)")
        }
    }

    @Test("value size limits skip storing values outside the range")
    func valueSizes() async throws {
        for (name, cache) in try caches() {
            cache.use(ValueSizeLimitMiddleware(minimumBytes: 2, maximumBytes: 64))
            try await cache.set("small", "x")
            try await cache.set("fits", "just right")
            try await cache.set("large", String(repeating: "x", count: 100))
            try await cache.set(["a": "just right", "b": String(repeating: "y", count: 100)])
            #expect(
                try await cache.get(["small", "fits", "large", "a", "b"], as: String.self).map { $0 != nil }
                    == [false, true, false, true, false], "\(name)")
        }
    }

    @Test("metrics: latency per command and backend, hits and misses, with a tag")
    func metrics() async throws {
        let metrics = TestMetrics()
        let cache = Cache()
        try cache.setup("mem://")
        cache.use(MetricsMiddleware(tag: "api", factory: metrics))
        try await cache.set("k", 1)
        _ = try await cache.get("k", as: Int.self)
        _ = try await cache.get("absent", as: Int.self)
        _ = try await cache.get(["k", "absent", "other"], as: Int.self)
        let getTimer = try metrics.expectTimer(
            "cashews_operations_latency_seconds", [("operation", "get"), ("backend", "mem"), ("tag", "api")])
        #expect(getTimer.values.count == 2 && getTimer.values.allSatisfy { $0 >= 0 })
        let setTimer = try metrics.expectTimer(
            "cashews_operations_latency_seconds", [("operation", "set"), ("backend", "mem"), ("tag", "api")])
        #expect(setTimer.values.count == 1)
        let manyTimer = try metrics.expectTimer(
            "cashews_operations_latency_seconds", [("operation", "get_many"), ("backend", "mem"), ("tag", "api")])
        #expect(manyTimer.values.count == 1)
        let hits = try metrics.expectCounter(
            "cashews_get_operation", [("result", "hit"), ("backend", "mem"), ("tag", "api")])
        let misses = try metrics.expectCounter(
            "cashews_get_operation", [("result", "miss"), ("backend", "mem"), ("tag", "api")])
        #expect(hits.totalValue == 2)
        #expect(misses.totalValue == 3)
    }

    @Test("a middleware that answers with the wrong shape or changes the command is a typed error")
    func badMiddleware() async throws {
        struct Wrong: CacheMiddleware {
            nonisolated(nonsending) func handle(
                _ request: CacheRequest, context: MiddlewareContext,
                next: (CacheRequest) async throws -> CacheResponse
            ) async throws -> CacheResponse {
                if case .get(let key) = request { return try await next(.exists(key: key)) }
                return .message("nonsense")
            }
        }
        let cache = Cache()
        try cache.setup("mem://")
        cache.use(Wrong())
        await #expect(throws: MiddlewareError.changedCommand(from: .get, to: .exists)) {
            _ = try await cache.get("k", as: Int.self)
        }
        await #expect(throws: MiddlewareError.self) { try await cache.set("k", 1) }
    }
}

@Suite("Command observers")
struct ObserverTests {
    @Test("onCommand observes for the cache's lifetime, never delaying the command; cancel stops it")
    func lifetime() async throws {
        let cache = Cache()
        try cache.setup("mem://")
        let seen = Log()
        let (gate, opens) = AsyncStream.makeStream(of: Void.self)
        let observation = cache.onCommand(.set) { event in
            for await _ in gate { break }  // a slow callback: waits until the test opens the gate
            seen.append("\(event.key ?? "") \(event.response?.isHit == false)")
        }
        try await cache.set("a", 1)  // returns although the callback has not run
        try await cache.set("b", 2)
        _ = try await cache.get("a", as: Int.self)  // not observed
        #expect(seen.lines.isEmpty)
        opens.yield()
        opens.finish()
        await observation.finish()
        #expect(seen.lines == ["a true", "b true"])
        try await cache.set("c", 3)
        #expect(seen.lines.count == 2, "cancelled")
    }

    @Test("observingCommands is scoped to the task; another task's commands are not reported")
    func scoped() async throws {
        let cache = Cache()
        try cache.setup("mem://")
        let seen = Log()
        try await cache.observingCommands(perform: { event in seen.append("\(event.command)") }) {
            try await cache.set("a", 1)
            _ = try await cache.get("a", as: Int.self)
            try await Task.detached { try await cache.set("other", 1) }.value
        }
        #expect(seen.lines == ["set", "get"])
    }
}

@Suite("Invalidation")
struct InvalidationTests {
    private func caches() throws -> [(String, Cache)] {
        let memory = Cache()
        try memory.setup("mem://")
        let disk = Cache()
        try disk.setupDisk("disk://\(TemporaryDirectory.path("invalidate"))?durability=none")
        return [("memory", memory), ("disk", disk)]
    }

    @Test("invalidating deletes the keys its templates render after the call, not when it throws")
    func afterTheCall() async throws {
        struct Failure: Error {}
        for (name, cache) in try caches() {
            try await cache.set("user:7", 1)
            try await cache.set("user:7:posts:1", 1)
            try await cache.set("user:8", 1)
            try await cache.set("user:*", 1)
            await #expect(throws: Failure.self) {
                try await cache.invalidating("user:{id}", with: ["id": 7]) { throw Failure() }
            }
            #expect(try await cache.exists("user:7"), "\(name)")
            let result = try await cache.invalidating("user:{id}", "user:{id}:*", with: ["id": 7]) { "updated" }
            #expect(result == "updated")
            #expect(
                try await cache.get(["user:7", "user:7:posts:1", "user:8"], as: Int.self) == [nil, nil, 1], "\(name)")
            // An argument's glob characters match only themselves.
            try await cache.invalidating("user:{id}", with: ["id": "*"]) {}
            #expect(try await cache.get(["user:8", "user:*"], as: Int.self) == [1, nil], "\(name)")
            await #expect(throws: KeyTemplateError.self) { try await cache.invalidating("user:{id}") {} }
        }
    }

    @Test("invalidatingFurther: reads inside recompute and store again; nest-safe; scoped to the task")
    func further() async throws {
        for (name, cache) in try caches() {
            let calls = Atomic<Int>(0)
            @Sendable func load() async throws -> Int {
                try await cache.cached(key: "value", ttl: "1h") { calls.add(1, ordering: .relaxed).oldValue }
            }
            #expect(try await load() == 0, "\(name)")
            #expect(try await load() == 0, "\(name): cached")
            try await cache.invalidatingFurther { () async throws in
                #expect(try await load() == 1, "\(name): recomputed")
                await cache.invalidatingFurther { #expect(cache.isInvalidatingFurther) }
                #expect(cache.isInvalidatingFurther, "\(name): the inner scope did not end the outer one")
                #expect(try await Task.detached { try await cache.get("value", as: Int.self) }.value != nil)
            }
            #expect(!cache.isInvalidatingFurther)
            #expect(try await load() == 1, "\(name): the recomputed value was stored")
            #expect(calls.load(ordering: .relaxed) == 2, "\(name)")
        }
    }
}
