import Cashews
import Foundation
import Testing

@Suite("Strategy: cached, conditions, cached errors, memoize, detect")
struct CachedTests {
    @Test("a miss computes and stores, hits read, expiry recomputes (memory and disk)")
    func missHitExpiry() async throws {
        let clock = ManualClock()
        for (name, cache) in try Fixture.both(clock) {
            let calls = Calls()
            func load() async throws -> Int {
                try await cache.cached(key: "user:1", ttl: "1m") { calls.next() }
            }
            #expect(try await load() == 1, "\(name)")
            #expect(try await load() == 1, "\(name)")
            clock.advance(by: .seconds(61))
            #expect(try await load() == 2, "\(name): expired, recomputed")
            #expect(calls.count == 2, "\(name)")
        }
    }

    @Test("structs, strings, bytes and optionals round-trip through the envelope on every backend")
    func values() async throws {
        for (name, cache) in try Fixture.both(ManualClock()) {
            let profile = Profile(name: "Ada", tags: ["a"])
            for _ in 0..<2 {
                #expect(try await cache.cached(key: "p", ttl: "1m") { profile } == profile, "\(name)")
                #expect(try await cache.cached(key: "s", ttl: nil) { "text" } == "text", "\(name)")
                #expect(
                    try await cache.cached(key: "b", ttl: "1m") { [UInt8]([0, 1, 255]) } == [0, 1, 255], "\(name)")
                #expect(try await cache.cached(key: "o", ttl: "1m") { Int?.none } == nil, "\(name)")
                #expect(try await cache.cached(key: "e", ttl: "1m") { [Int]() } == [], "\(name): not taken for bytes")
            }
        }
    }

    @Test("a value of another form or type reads as a miss and is replaced; every backend alike")
    func changedType() async throws {
        for (name, cache) in try Fixture.both(ManualClock()) {
            try await cache.set("k", "plain")
            #expect(try await cache.cached(key: "k", ttl: "1m") { 7 } == 7, "\(name): not an envelope")
            #expect(try await cache.cached(key: "k", ttl: "1m") { 8 } == 7, "\(name)")
            #expect(try await cache.cached(key: "k", ttl: "1m") { "7 as text" } == "7", "\(name): read as bytes are")
            let profile = Profile(name: "new", tags: [])
            #expect(try await cache.cached(key: "k", ttl: "1m") { profile } == profile, "\(name): does not decode")
            #expect(try await cache.cached(key: "k", ttl: "1m") { Profile(name: "x", tags: []) } == profile)
        }
    }

    @Test("conditions: all values (nil too), not nil, with errors, only errors, custom")
    func conditions() async throws {
        for (name, cache) in try Fixture.both(ManualClock()) {
            let stored = Calls()
            for _ in 0..<3 {
                let value = try await cache.cached(key: "stored-nil", ttl: "1m") { () -> Int? in
                    stored.next()
                    return nil
                }
                #expect(value == nil, "\(name)")
            }
            #expect(stored.count == 1, "\(name): by default nil is a value, stored and served")
            let storedError = Calls()
            for _ in 0..<2 {
                await #expect(throws: Boom.self, "\(name)") {
                    _ = try await cache.cached(key: "stored-error", ttl: "1m") { () -> Int in
                        storedError.next()
                        throw Boom()
                    }
                }
            }
            #expect(storedError.count == 2, "\(name): by default errors are not stored")

            let predicate = Calls()
            for _ in 0..<3 {
                do {
                    _ = try await cache.cached(
                        key: "where", ttl: "1m", condition: .withErrors(where: { $0 is NotFound })
                    ) { () -> Int in
                        predicate.next()
                        throw NotFound(id: 3)
                    }
                } catch let error as NotFound {
                    #expect(error == NotFound(id: 3), "\(name): a cacheable error comes back as itself")
                }
            }
            #expect(predicate.count == 1, "\(name): withErrors(where:) stored the error it accepts")
            let refused = Calls()
            for _ in 0..<2 {
                await #expect(throws: Boom.self, "\(name)") {
                    _ = try await cache.cached(
                        key: "where-not", ttl: "1m", condition: .withErrors(where: { $0 is NotFound })
                    ) { () -> Int in
                        refused.next()
                        throw Boom()
                    }
                }
            }
            #expect(refused.count == 2, "\(name): withErrors(where:) refuses the others")

            let calls = Calls()
            for _ in 0..<2 {
                _ = try await cache.cached(key: "nil", ttl: "1m", condition: .notNil) { () -> Int? in
                    calls.next()
                    return nil
                }
            }
            #expect(calls.count == 2, "\(name): nil is not stored")

            let errors = Calls()
            for call in 0..<3 {
                do {
                    _ = try await cache.cached(key: "boom", ttl: "1m", condition: .withErrors(Boom.self)) { () -> Int in
                        errors.next()
                        throw Boom()
                    }
                } catch {
                    // The call throws its own error; hits throw the stored one.
                    #expect(call == 0 ? error is Boom : error is CachedError, "\(name)")
                }
            }
            #expect(errors.count == 1, "\(name): the error was stored and thrown again by hits")

            let other = Calls()
            for _ in 0..<2 {
                await #expect(throws: Unavailable.self) {
                    _ = try await cache.cached(key: "other", ttl: "1m", condition: .withErrors(Boom.self)) {
                        () -> Int in
                        other.next()
                        throw Unavailable()
                    }
                }
            }
            #expect(other.count == 2, "\(name): an error of another type is not stored")

            let values = Calls()
            for _ in 0..<2 {
                _ = try await cache.cached(key: "only", ttl: "1m", condition: .onlyErrors()) { values.next() }
            }
            #expect(values.count == 2, "\(name): only errors stores no value")

            let custom = Calls()
            for _ in 0..<3 {
                _ = try await cache.cached(
                    key: "custom", ttl: "1m", condition: .custom { (try? $0.get()) ?? 0 >= 2 }
                ) { custom.next() }
            }
            #expect(custom.count == 2, "\(name): 1 refused, 2 stored")
        }
    }

    @Test("a registered cacheable error comes back as itself; others as CachedError")
    func cacheableErrors() async throws {
        for (name, cache) in try Fixture.both(ManualClock()) {
            for _ in 0..<2 {
                await #expect(throws: NotFound(id: 7), "\(name)") {
                    _ = try await cache.cached(key: "missing", ttl: "1m", condition: .onlyErrors(NotFound.self)) {
                        () -> Int in throw NotFound(id: 7)
                    }
                }
            }
            _ = try? await cache.cached(key: "boom", ttl: "1m", condition: .onlyErrors()) { () -> Int in throw Boom() }
            do {
                _ = try await cache.cached(key: "boom", ttl: "1m") { 1 }
                Issue.record("expected the cached error")
            } catch let error as CachedError {
                #expect(error.typeName.hasSuffix("Boom"), "\(name)")
                #expect(error.description == "Boom()", "\(name)")
            }
        }
    }

    @Test("time condition: stored only when the call took longer (both conditions must hold)")
    func timeCondition() async throws {
        let clock = ManualClock()
        let cache = try Fixture.memory(clock)
        let calls = Calls()
        let fast = {
            try await cache.cached(key: "fast", ttl: "1m", timeCondition: .milliseconds(100)) { calls.next() }
        }
        _ = try await fast()
        _ = try await fast()
        #expect(calls.count == 2, "a fast call is not stored")
        let slow = Calls()
        for _ in 0..<2 {
            _ = try await cache.cached(key: "slow", ttl: "1m", timeCondition: .milliseconds(100)) {
                clock.advance(by: .milliseconds(150))
                return slow.next()
            }
        }
        #expect(slow.count == 1, "a slow call is stored")
        let refused = Calls()
        for _ in 0..<2 {
            _ = try await cache.cached(
                key: "refused", ttl: "1m", condition: .custom { _ in false }, timeCondition: .milliseconds(1)
            ) {
                clock.advance(by: .milliseconds(5))
                return refused.next()
            }
        }
        #expect(refused.count == 2, "the condition still applies (cashews drops it)")
    }

    @Test("single flight: 100 concurrent callers of one key, exactly one computation (memory and disk)")
    func singleFlight() async throws {
        for (name, cache) in try Fixture.both(ManualClock()) {
            let calls = Calls()
            let gate = Gate()
            let results = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<100 {
                    group.addTask {
                        try await cache.cached(key: "hot", ttl: "1m") {
                            await gate.wait()
                            return calls.next() * 10
                        }
                    }
                }
                try await Task.sleep(for: .milliseconds(20))
                gate.open()
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(calls.count == 1, "\(name)")
            #expect(results == Array(repeating: 10, count: 100), "\(name)")
        }
    }

    @Test("single flight shares errors, and a cancelled waiter leaves the others waiting")
    func singleFlightErrors() async throws {
        let cache = try Fixture.memory(ManualClock())
        let calls = Calls()
        let gate = Gate()
        let failures = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    do {
                        _ = try await cache.cached(key: "fails", ttl: "1m") { () -> Int in
                            calls.next()
                            await gate.wait()
                            throw Boom()
                        }
                        return false
                    } catch {
                        return error is Boom
                    }
                }
            }
            let cancelled = Task {
                try await cache.cached(key: "fails", ttl: "1m") { () -> Int in 1 }
            }
            try await Task.sleep(for: .milliseconds(20))
            cancelled.cancel()
            let outcome = await cancelled.result
            #expect(throws: CancellationError.self) { try outcome.get() }
            gate.open()
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(calls.count == 1)
        #expect(failures == 20)
    }

    @Test("lock: true needs a TTL, and computes once under the lock")
    func lockOption() async throws {
        for (name, cache) in try Fixture.both(ManualClock()) {
            await #expect(
                throws: CashewsError.ttlRequired(
                    strategy: "cached(lock: true)", reason: "the lock must expire if the process holding it dies"),
                "\(name)"
            ) {
                _ = try await cache.cached(key: "k", ttl: nil, lock: true) { 1 }
            }
            let calls = Calls()
            for _ in 0..<3 {
                #expect(try await cache.cached(key: "k", ttl: "1m", lock: true, protected: false) { calls.next() } == 1)
            }
            #expect(calls.count == 1, "\(name)")
            #expect(try await !cache.isLocked("k:lock"), "\(name): released")
        }
    }

    @Test("memoize: keys from the call site and the arguments; an explicit name")
    func memoize() async throws {
        let cache = try Fixture.memory(ManualClock())
        let calls = Calls()
        let square = cache.memoize(ttl: "1h") { (x: Int) in
            calls.next()
            return x * x
        }
        let cube = cache.memoize(ttl: "1h") { (x: Int) in x * x * x }
        #expect(try await square(3) == 9)
        #expect(try await square(3) == 9)
        #expect(try await square(4) == 16)
        #expect(calls.count == 2)
        #expect(try await cube(3) == 27, "another memoized function never shares keys")
        let named = cache.memoize(ttl: "1h", name: "greeting") { (name: String, times: Int) in
            String(repeating: "hi \(name) ", count: times)
        }
        #expect(try await named("Ada", 2) == "hi Ada hi Ada ")
        let again = cache.memoize(ttl: "1h", name: "greeting") { (_: String, _: Int) in "recomputed" }
        #expect(try await again("Ada", 2) == "hi Ada hi Ada ", "the same name shares keys")
    }

    @Test("template keys: cached with named values, memoize with placeholders bound in order")
    func templateKeys() async throws {
        let cache = try Fixture.memory(ManualClock())
        let calls = Calls()
        let profile = try KeyTemplate("profile:{id}:{locale:lower}")
        let first = try await cache.cached(key: profile, values: ["id": 7, "locale": "EN"], ttl: "1m") { calls.next() }
        #expect(try await cache.exists("profile:7:en"))
        let again = try await cache.cached(key: profile, values: ["id": 7, "locale": "en"], ttl: "1m") { calls.next() }
        #expect(first == 1 && again == 1)
        await #expect(throws: KeyTemplateError.self) {
            _ = try await cache.cached(key: profile, values: ["id": 7], ttl: "1m") { calls.next() }
        }
        let user = cache.memoize(key: try KeyTemplate("user:{id}:{lang:upper}"), ttl: "1h", arguments: ["id", "lang"]) {
            (id: Int, lang: String) in
            "\(id)-\(lang)-\(calls.next())"
        }
        #expect(try await user(1, "en") == "1-en-2")
        #expect(try await user(1, "EN") == "1-en-2", "the same rendered key")
        #expect(try await cache.exists("user:1:EN"))
        let tooMany = cache.memoize(key: try KeyTemplate("only:{one}"), ttl: "1h") { (a: Int, b: Int) in a + b }
        await #expect(throws: CashewsError.self) { _ = try await tooMany(1, 2) }
        let withContext = cache.memoize(key: try KeyTemplate("scoped:{id}:{tenant}"), ttl: "1h", arguments: ["id"]) {
            (id: Int) in id
        }
        let scoped = try await KeyContext.withValues(["tenant": "acme"]) { try await withContext(5) }
        #expect(scoped == 5)
        #expect(try await cache.exists("scoped:5:acme"))
    }

    @Test("memoize binds arguments by name, never silently by position (memory and disk)")
    func memoizeByName() async throws {
        for (name, cache) in try Fixture.both(ManualClock()) {
            let reordered = cache.memoize(
                key: try KeyTemplate("u:{lang}:{id}"), ttl: "1h", arguments: ["id", "lang"]
            ) { (id: Int, lang: String) in "\(id)/\(lang)" }
            #expect(try await reordered(7, "en") == "7/en", "\(name)")
            #expect(try await cache.exists("u:en:7"), "\(name): lang first, as the template says")
            let guessed = cache.memoize(key: try KeyTemplate("u:{lang}:{id}"), ttl: "1h") {
                (id: Int, lang: String) in "\(id)/\(lang)"
            }
            let error = await #expect(throws: CashewsError.self, "\(name)") { _ = try await guessed(7, "en") }
            #expect("\(error!)".contains("arguments: [\"lang\", \"id\"]"), "\(name): says what to write")
            let oneOfTwo = cache.memoize(key: try KeyTemplate("v:{tenant}:{id}"), ttl: "1h") { (id: Int) in id }
            await #expect(throws: CashewsError.self, "\(name): one argument, two placeholders") {
                _ = try await oneOfTwo(1)
            }
            let unused = cache.memoize(key: try KeyTemplate("w:{id}"), ttl: "1h", arguments: ["id", "page"]) {
                (id: Int, page: Int) in id + page
            }
            await #expect(throws: CashewsError.self, "\(name): page would not vary the key") {
                _ = try await unused(1, 2)
            }
            let single = cache.memoize(key: try KeyTemplate("x:{id}"), ttl: "1h") { (id: Int) in id * 2 }
            #expect(try await single(4) == 8, "\(name): one argument, one placeholder needs no names")
            #expect(try await cache.get("x:4", as: Int.self) == 8, "\(name)")
        }
    }

    @Test("detect reports hits of its own cache only; scopes nest")
    func detect() async throws {
        let clock = ManualClock()
        let first = try Fixture.memory(clock)
        let second = try Fixture.memory(clock)
        _ = try await first.cached(key: "a", ttl: "1m") { 1 }
        _ = try await second.cached(key: "b", ttl: "1m") { 2 }
        let (outer, outerHits) = try await first.detect {
            let (value, innerHits) = try await second.detect {
                let a = try await first.cached(key: "a", ttl: "1m") { 0 }
                let b = try await second.cached(key: "b", ttl: "1m") { 0 }
                let c = try await second.cached(key: "c", ttl: "1m") { 3 }
                return a + b + c
            }
            #expect(innerHits == [CacheHit(key: "b", strategy: .cached)], "second's scope sees second's hits")
            let (again, nested) = try await first.detect { try await first.cached(key: "a", ttl: "1m") { 0 } }
            #expect(nested == [CacheHit(key: "a", strategy: .cached)])
            return value + again
        }
        #expect(outer == 7)
        #expect(outerHits == [CacheHit(key: "a", strategy: .cached), CacheHit(key: "a", strategy: .cached)])
        let (_, none) = try await first.detect { try await first.cached(key: "fresh", ttl: "1m") { 1 } }
        #expect(none.isEmpty, "a miss is not a hit")
    }
}
