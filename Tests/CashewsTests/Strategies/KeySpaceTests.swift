import Cashews
import Foundation
import Testing

/// An error that is only `Codable`: no conformance to the cache's protocols.
struct MyError: Error, Codable, Equatable { var code: Int }

@Suite("One key space: cached stores plain values, strategies keep metadata under their prefixes")
struct KeySpaceTests {
    @Test("set then cached serves the set value (memory and disk)")
    func setThenCached() async throws {
        for (name, cache) in try Fixture.both(ManualClock()) {
            try await cache.set("user:1", Profile(name: "warm", tags: []))
            let calls = Calls()
            let profile = try await cache.cached(key: "user:1", ttl: "1h") { () -> Profile in
                calls.next()
                return Profile(name: "computed", tags: [])
            }
            #expect(profile.name == "warm", "\(name): served what set stored")
            #expect(calls.count == 0, "\(name)")
        }
    }

    @Test("cached then get returns it (memory and disk)")
    func cachedThenGet() async throws {
        for (name, cache) in try Fixture.both(ManualClock()) {
            _ = try await cache.cached(key: "n", ttl: "1h") { 42 }
            _ = try await cache.cached(key: "p", ttl: "1h") { Profile(name: "Ada", tags: ["a"]) }
            _ = try await cache.cached(key: "s", ttl: nil) { "text" }
            #expect(try await cache.get("n", as: Int.self) == 42, "\(name)")
            #expect(try await cache.get("p", as: Profile.self) == Profile(name: "Ada", tags: ["a"]), "\(name)")
            #expect(try await cache.get("s", as: String.self) == "text", "\(name)")
            #expect(try await cache.increment("n") == 43, "\(name): an integer is stored as a counter")
            #expect(try await cache.cached(key: "n", ttl: "1h") { 0 } == 43, "\(name)")
        }
    }

    @Test("cached over soft on one key do not collide (memory and disk)")
    func cachedOverSoft() async throws {
        let clock = ManualClock()
        for (name, cache) in try Fixture.both(clock) {
            let calls = Calls()
            func load() async throws -> Int {
                try await cache.cached(key: "rates", ttl: "1h") {
                    try await cache.soft(key: "rates", ttl: "1d", softTTL: "5m") { calls.next() }
                }
            }
            #expect(try await load() == 1, "\(name)")
            #expect(try await load() == 1, "\(name)")
            #expect(try await cache.get("rates", as: Int.self) == 1, "\(name): cached's plain value")
            #expect(try await cache.exists("soft:rates"), "\(name): soft's own entry")
            try await cache.delete("rates")
            #expect(try await load() == 1, "\(name): soft still fresh, served to cached")
            #expect(calls.count == 1, "\(name)")
        }
    }

    @Test("every metadata strategy has its documented default prefix, configurable per call")
    func prefixes() async throws {
        for (name, cache) in try Fixture.both(ManualClock()) {
            _ = try await cache.early(key: "k", ttl: "1h") { 1 }
            _ = try await cache.soft(key: "k", ttl: "1h") { 2 }
            _ = try await cache.hit(key: "k", ttl: "1h", cacheHits: 3) { 3 }
            _ = try await cache.dynamic(key: "k") { 4 }
            _ = try await cache.failover(key: "k", ttl: "1h") { 5 }
            _ = try await collect(
                cache.iterator(key: "k", ttl: "1h") {
                    AsyncThrowingStream<Int, any Error> { continuation in
                        continuation.yield(6)
                        continuation.finish()
                    }
                })
            _ = try await cache.cached(key: "k", ttl: "1h") { 7 }
            #expect(
                try await collect(cache.scan("*")).sorted()
                    == [
                        "dynamic:k", "early:v2:k", "fail:k", "hit:k", "iterator:k", "iterator:k:#0", "k", "soft:k",
                    ], "\(name)")
            _ = try await cache.hit(key: "k", ttl: "1h", cacheHits: 3) { 3 }
            #expect(try await cache.exists("hit:k:counter"), "\(name): hit counts next to its value")
            #expect(try await cache.get("fail:k", as: Int.self) == 5, "\(name): failover stores the plain value")
            #expect(try await cache.get("k", as: Int.self) == 7, "\(name)")
            _ = try await cache.early(key: "k", ttl: "1h", prefix: "early:v3:") { 8 }
            _ = try await cache.cached(key: "k", ttl: "1h", prefix: "v2:") { 9 }
            #expect(try await cache.exists("early:v3:k"), "\(name)")
            #expect(try await cache.get("v2:k", as: Int.self) == 9, "\(name)")
        }
    }

    @Test("upper: an outer cached does not store again what an inner cache served (memory and disk)")
    func upper() async throws {
        for (name, cache) in try Fixture.both(ManualClock()) {
            _ = try await cache.cached(key: "inner", ttl: "1h") { 5 }
            let outer = try await cache.cached(key: "outer", ttl: "1h", upper: true) {
                try await cache.cached(key: "inner", ttl: "1h") { 0 }
            }
            #expect(outer == 5, "\(name)")
            #expect(try await !cache.exists("outer"), "\(name): an inner hit is not stored again")
            _ = try await cache.cached(key: "outer", ttl: "1h", upper: true) { 6 }
            #expect(try await cache.get("outer", as: Int.self) == 6, "\(name): a computed value is stored")
            _ = try await cache.early(key: "e", ttl: "1h", upper: true) {
                try await cache.cached(key: "inner", ttl: "1h") { 0 }
            }
            #expect(try await !cache.exists("early:v2:e"), "\(name): early too")
            _ = try await cache.cached(key: "plain-outer", ttl: "1h") {
                try await cache.cached(key: "inner", ttl: "1h") { 0 }
            }
            #expect(try await cache.exists("plain-outer"), "\(name): without upper, stored")
        }
    }

    @Test("upper: an inner cache's stored error is not stored again by the outer one (memory and disk)")
    func upperSeesInnerErrors() async throws {
        for (name, cache) in try Fixture.both(ManualClock()) {
            @Sendable func inner() async throws -> Int {
                try await cache.cached(key: "inner", ttl: "1h", condition: .withErrors(MyError.self)) {
                    throw MyError(code: 7)
                }
            }
            await #expect(throws: MyError(code: 7), "\(name)") { try await inner() }
            await #expect(throws: MyError(code: 7), "\(name)") {
                try await cache.cached(key: "outer", ttl: "1h", condition: .withErrors(MyError.self), upper: true) {
                    try await inner()
                }
            }
            #expect(try await !cache.exists("outer"), "\(name): the inner cache served the error")
            await #expect(throws: MyError(code: 8), "\(name)") {
                try await cache.cached(key: "outer", ttl: "1h", condition: .withErrors(MyError.self), upper: true) {
                    () throws -> Int in throw MyError(code: 8)
                }
            }
            #expect(try await cache.exists("outer"), "\(name): an error of its own is stored")
        }
    }

    @Test("a cached MyError (only Codable) is caught as MyError (memory and disk)")
    func codableErrorsKeepTheirType() async throws {
        for (name, cache) in try Fixture.both(ManualClock()) {
            let calls = Calls()
            for _ in 0..<2 {
                do {
                    _ = try await cache.cached(key: "e", ttl: "1h", condition: .onlyErrors()) { () -> Int in
                        calls.next()
                        throw MyError(code: 7)
                    }
                    Issue.record("\(name): expected MyError")
                } catch let error as MyError {
                    #expect(error == MyError(code: 7), "\(name)")
                }
            }
            #expect(calls.count == 1, "\(name): the second error came from the cache")
            // Bytes read anything: a stored error is still recognised first.
            for _ in 0..<2 {
                await #expect(throws: MyError(code: 8), "\(name)") {
                    _ = try await cache.cached(key: "b", ttl: "1h", condition: .onlyErrors()) { () -> [UInt8] in
                        throw MyError(code: 8)
                    }
                }
            }
        }
    }

    @Test("a cached error keeps its type through a signed and compressed route")
    func errorsThroughFormats() async throws {
        let cache = Cache(clock: .manual(ManualClock()))
        try cache.setup("mem://?secret=k&compress=zlib&compress_min_size=0")
        for _ in 0..<2 {
            await #expect(throws: MyError(code: 9)) {
                _ = try await cache.cached(key: "b", ttl: "1h", condition: .onlyErrors()) { () -> Data in
                    throw MyError(code: 9)
                }
            }
        }
        _ = try await cache.cached(key: "d", ttl: "1h") { Data([1, 2]) }
        #expect(try await cache.cached(key: "d", ttl: "1h") { Data() } == Data([1, 2]))
        #expect(try await cache.get("d", as: Data.self) == Data([1, 2]))
    }

    private func collect<S: AsyncSequence>(_ sequence: S) async throws -> [S.Element] {
        var elements: [S.Element] = []
        for try await element in sequence { elements.append(element) }
        return elements
    }
}
