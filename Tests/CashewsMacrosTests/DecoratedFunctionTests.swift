import CashewsMacros
import Foundation
import Testing

@Suite("Decorated functions: strategies through the macros, on the memory and disk backends")
struct DecoratedFunctionTests {
    @Test("@Cached: a miss computes, a hit reads, expiry on the cache's clock recomputes (memory and disk)")
    func missHitExpiry() async throws {
        let clock = ManualClock()
        for (name, cache) in try Fixture.both(clock) {
            let service = UserService(cache: cache)
            let first = try await service.user(userID: 7)
            #expect(first == User(id: 7, name: "user 7", call: 1), "\(name)")
            #expect(try await service.user(userID: 7) == first, "\(name): served from the cache")
            #expect(try await service.user(userID: 8).call == 2, "\(name): another key")
            #expect(try await cache.get("user:7", as: User.self) == first, "\(name): stored under the template's key")
            clock.advance(by: .seconds(4 * 60))
            #expect(try await service.user(userID: 7).call == 1, "\(name): still fresh after 4 minutes")
            clock.advance(by: .seconds(61))
            #expect(try await service.user(userID: 7).call == 3, "\(name): expired after 5 minutes, recomputed")
            #expect(service.calls.count == 3, "\(name)")
        }
    }

    @Test("tags from templates of the parameters, and @Invalidate by key, by tag and by pattern (memory and disk)")
    func tagsAndInvalidation() async throws {
        for (name, cache) in try Fixture.both(ManualClock()) {
            let service = UserService(cache: cache)
            _ = try await service.user(userID: 1)
            _ = try await service.user(userID: 2)
            #expect(try await cache.tags(of: "user:1") == ["user:1", "users"], "\(name)")
            try await service.rename(userID: 1, to: "Ada")
            #expect(try await cache.exists("user:1") == false, "\(name): invalidated by key")
            #expect(try await cache.exists("user:2"), "\(name): another key stays")
            #expect(try await service.user(userID: 1).call == 4, "\(name): recomputed after the invalidation")
            #expect(try await service.dropAllUsers() == 5, "\(name): the body's result is returned")
            #expect(try await cache.exists("user:1") == false, "\(name): invalidated by tag")
            #expect(try await cache.exists("user:2") == false, "\(name): invalidated by tag")
            _ = try await service.user(userID: 3)
            try await service.forgetUsers()
            #expect(try await cache.exists("user:3") == false, "\(name): invalidated by pattern")
        }
    }

    @Test("no key: a stable default key of module, type, function and labelled arguments, defaults included")
    func defaultKey() async throws {
        let cache = try Fixture.memory(ManualClock())
        let service = UserService(cache: cache)
        #expect(try await service.greeting(id: 1) == "en:1:1")
        #expect(try await service.greeting(id: 1, lang: "en") == "en:1:1", "a default argument is part of the key")
        #expect(try await service.greeting(id: 1, lang: "fr") == "fr:1:2")
        let key = "CashewsMacrosTests:UserService.greeting(id:lang:):id=1:lang=fr"
        #expect(try await cache.get(key, as: String.self) == "fr:1:2", "no line number in the key")
    }

    @Test("fields and formatters in a template render through KeyTemplate")
    func fieldsAndFormatters() async throws {
        let cache = try Fixture.memory(ManualClock())
        let service = UserService(cache: cache)
        let request = ProfileRequest(id: 7, locale: "en")
        #expect(try await service.profile(request: request) == "profile 7 #1")
        #expect(try await service.profile(request: request) == "profile 7 #1")
        #expect(try await cache.exists("profile:7:EN"))
    }

    @Test("a function that does not throw is served by its body when the cache fails")
    func nonThrowingFallsBack() async throws {
        let broken = Cache()  // no backend: every command throws
        let service = UserService(cache: broken)
        #expect(await service.count(id: 1) == 1)
        #expect(await service.count(id: 1) == 2, "nothing was cached")
        let working = UserService(cache: try Fixture.memory(ManualClock()))
        #expect(await working.count(id: 1) == 1)
        #expect(await working.count(id: 1) == 1)
    }

    @Test("generic Codable results, some results, static methods and global functions")
    func resultForms() async throws {
        let cache = try Fixture.memory(ManualClock())
        let service = UserService(cache: cache)
        #expect(try await service.decoded(id: 1) { [1, 2] } == [1, 2])
        #expect(try await service.decoded(id: 1) { [3] } == [1, 2], "a hit")
        #expect(try await service.opaque(id: 4) == service.opaque(id: 4))
        #expect(service.calls.count == 2)
        try Cache.shared.setup("mem://")
        #expect(try await UserService.shared(id: 2) == "shared 2")
        #expect(try await Cache.shared.get("static:2", as: String.self) == "shared 2")
        #expect(try await globalDecorated(id: 3) == "global 3")
        #expect(try await Cache.shared.get("global:3", as: String.self) == "global 3")
    }

    @Test("a decorated actor method keeps its isolation: concurrent calls mutate the actor's state safely")
    func actorIsolation() async throws {
        for (name, cache) in try Fixture.both(ManualClock()) {
            let counter = Counter(cache: cache)
            try await withThrowingTaskGroup(of: Int.self) { group in
                for id in 0..<50 { group.addTask { try await counter.value(id: id) } }
                for id in 0..<50 { group.addTask { try await counter.value(id: id) } }
                var total = 0
                for try await value in group { total += value }
                #expect(total == 2 * 10 * (0..<50).reduce(0, +), "\(name)")
            }
            #expect(await counter.computed == 50, "\(name): each id computed once")
            #expect(await counter.early(id: 1) == 51, "\(name)")
            #expect(await counter.early(id: 1) == 51, "\(name): a hit")
            try await counter.reset(id: 3)
            #expect(await counter.computed == 0, "\(name)")
            #expect(try await counter.value(id: 3) == 30, "\(name)")
            #expect(await counter.computed == 1, "\(name): recomputed after the invalidation")
        }
    }

    @Test("methods of a class, with a non-escaping and an escaping strategy (memory and disk)")
    func classMethods() async throws {
        for (name, cache) in try Fixture.both(ManualClock()) {
            let catalog = Catalog(cache: cache)
            #expect(try await catalog.item(id: 1) == "item 1 #1", "\(name)")
            #expect(try await catalog.item(id: 1) == "item 1 #1", "\(name)")
            #expect(try await catalog.hot(id: 1) == 2, "\(name)")
            #expect(try await catalog.hot(id: 1) == 2, "\(name): one hit")
        }
    }

    @Test("a decorated main-actor method runs on the main actor")
    @MainActor
    func mainActor() async throws {
        let screen = Screen(cache: try Fixture.memory(ManualClock()))
        #expect(try await screen.title(id: 1) == "screen 1")
        #expect(try await screen.title(id: 1) == "screen 1")
        #expect(screen.renders == 1)
    }

    @Test("@Failover serves the last good result when the body fails (memory and disk)")
    func failover() async throws {
        for (name, cache) in try Fixture.both(ManualClock()) {
            let service = UserService(cache: cache)
            #expect(try await service.rates(currency: "EUR", failing: false) == 1.25, "\(name)")
            #expect(try await service.rates(currency: "EUR", failing: true) == 1.25, "\(name): failed over")
            await #expect(throws: Boom.self, "\(name): nothing to fail over to") {
                try await service.rates(currency: "USD", failing: true)
            }
        }
    }

    @Test("@Early, @Soft, @Hit and @Dynamic serve hits and recompute on their schedules")
    func refreshingStrategies() async throws {
        let clock = ManualClock()
        for (name, cache) in try Fixture.both(clock) {
            let service = UserService(cache: cache)
            let early = try await service.early(id: 1)
            #expect(try await service.early(id: 1) == early, "\(name): early hit")
            clock.advance(by: .seconds(9 * 60 + 30))
            #expect(try await service.early(id: 1) == early, "\(name): stale, recomputed by this call")
            #expect(try await service.early(id: 1) != early, "\(name): the early recompute is served")

            let soft = try await service.soft(id: 1, failing: false)
            clock.advance(by: .seconds(90))
            #expect(try await service.soft(id: 1, failing: true) == soft, "\(name): stale value served on failure")

            let hit = try await service.hit(id: 1)
            #expect(try await service.hit(id: 1) == hit, "\(name)")
            #expect(try await service.hit(id: 1) == hit, "\(name)")
            #expect(try await service.hit(id: 1) != hit, "\(name): recomputed after 2 hits")

            let dynamic = try await service.dynamic(id: 1)
            #expect(try await service.dynamic(id: 1) == dynamic, "\(name)")
        }
    }

    @Test("@Locked, @RateLimit, @SliceRateLimit and @CircuitBreaker guard the body")
    func guards() async throws {
        let clock = ManualClock()
        for (name, cache) in try Fixture.both(clock) {
            let service = UserService(cache: cache)
            #expect(try await service.job(name: "nightly") == "nightly #1", "\(name)")
            #expect(try await cache.exists("job:nightly:lock") == false, "\(name): the lock is released")

            #expect(try await service.limited(client: "a") == 2, "\(name)")
            #expect(try await service.limited(client: "a") == 3, "\(name)")
            await #expect(throws: CashewsError.self, "\(name): the third call in a minute is limited") {
                try await service.limited(client: "a")
            }
            clock.advance(by: .seconds(61))
            #expect(try await service.limited(client: "a") == 4, "\(name): a new window")

            _ = try await service.sliced(client: "b")
            _ = try await service.sliced(client: "b")
            await #expect(throws: CashewsError.self, "\(name)") { try await service.sliced(client: "b") }

            await #expect(throws: Boom.self, "\(name)") { try await service.guarded(failing: true) }
            await #expect(throws: CashewsError.circuitOpen(key: "breaker"), "\(name): the circuit opened") {
                try await service.guarded(failing: false)
            }
        }
    }
}
