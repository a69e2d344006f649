import CashewsMacros

/// A user as the quick start fetches it.
struct User: Codable, Sendable, Equatable {
    var id: Int
    var name: String
    var call: Int
}

/// A profile request whose fields a key template reads.
struct ProfileRequest: Codable, Sendable {
    var id: Int
    var locale: String
}

/// Decorated methods of a struct, on the cache it holds.
struct UserService: Sendable {
    let cache: Cache
    let calls = Calls()

    @Cached(ttl: "5m", key: "user:{userID}", tags: ["users", "user:{userID}"], cache: .property(\UserService.cache))
    func user(userID: Int) async throws -> User {
        User(id: userID, name: "user \(userID)", call: calls.next())
    }

    @Cached(ttl: "1h", cache: .property(\UserService.cache))
    func greeting(id: Int, lang: String = "en") async throws -> String {
        "\(lang):\(id):\(calls.next())"
    }

    @Cached(ttl: "1h", key: "profile:{request.id}:{request.locale:upper}", cache: .property(\UserService.cache))
    func profile(request: ProfileRequest) async throws -> String {
        "profile \(request.id) #\(calls.next())"
    }

    @Invalidate(key: "user:{userID}", cache: .property(\UserService.cache))
    func rename(userID: Int, to name: String) async throws {
        calls.next()
    }

    @Invalidate(tags: ["users"], cache: .property(\UserService.cache))
    func dropAllUsers() async throws -> Int {
        calls.next()
    }

    @Invalidate(key: "user:*", cache: .property(\UserService.cache))
    func forgetUsers() async throws {}

    /// Does not throw: served by the body when the cache fails.
    @Cached(ttl: "1m", key: "count:{id}", cache: .property(\UserService.cache))
    func count(id: Int) async -> Int {
        calls.next()
    }

    @Cached(ttl: "1m", key: "decoded:{id}", cache: .property(\UserService.cache))
    func decoded<T: Codable & Sendable>(id: Int, _ make: @Sendable () -> T) async throws -> T {
        calls.next()
        return make()
    }

    @Cached(ttl: "1m", key: "opaque:{id}", cache: .property(\UserService.cache))
    func opaque(id: Int) async throws -> some Codable & Sendable & Equatable {
        calls.next()
        return "opaque \(id)"
    }

    @Failover(ttl: "1h", key: "rates:{currency}", cache: .property(\UserService.cache))
    func rates(currency: String, failing: Bool) async throws -> Double {
        calls.next()
        if failing { throw Boom() }
        return 1.25
    }

    @Early(ttl: "10m", earlyTTL: "1m", key: "early:{id}", background: false, cache: .property(\UserService.cache))
    func early(id: Int) async throws -> Int { calls.next() }

    @Soft(ttl: "1h", softTTL: "1m", key: "soft:{id}", cache: .property(\UserService.cache))
    func soft(id: Int, failing: Bool) async throws -> Int {
        let call = calls.next()
        if failing { throw Boom() }
        return call
    }

    @Hit(ttl: "1h", cacheHits: 2, key: "hit:{id}", background: false, cache: .property(\UserService.cache))
    func hit(id: Int) async throws -> Int { calls.next() }

    @Dynamic(key: "dynamic:{id}", cache: .property(\UserService.cache))
    func dynamic(id: Int) async throws -> Int { calls.next() }

    @Locked(ttl: "1m", key: "job:{name}", cache: .property(\UserService.cache))
    func job(name: String) async throws -> String { "\(name) #\(calls.next())" }

    @RateLimit(limit: 2, period: "1m", key: "limit:{client}", cache: .property(\UserService.cache))
    func limited(client: String) async throws -> Int { calls.next() }

    @SliceRateLimit(limit: 2, period: "1m", key: "slice:{client}", cache: .property(\UserService.cache))
    func sliced(client: String) async throws -> Int { calls.next() }

    @CircuitBreaker(errorRate: 50, period: "1m", ttl: "5m", key: "breaker", cache: .property(\UserService.cache))
    func guarded(failing: Bool) async throws -> Int {
        calls.next()
        if failing { throw Boom() }
        return 1
    }

    @Cached(ttl: "1m", key: "static:{id}")
    static func shared(id: Int) async throws -> String { "shared \(id)" }
}

/// A decorated actor method: its body mutates the actor's state without `await`, which compiles
/// only when the expansion keeps the method's isolation.
actor Counter {
    let cache: Cache
    private(set) var computed = 0

    init(cache: Cache) { self.cache = cache }

    @Cached(ttl: "1m", key: "counter:{id}", cache: .property(\Counter.cache))
    func value(id: Int) async throws -> Int {
        preconditionIsolated()
        computed += 1
        return id * 10
    }

    @Early(ttl: "1m", key: "counter-early:{id}", cache: .property(\Counter.cache))
    func early(id: Int) async -> Int {
        preconditionIsolated()
        computed += 1
        return computed
    }

    @Invalidate(key: "counter:{id}", cache: .property(\Counter.cache))
    func reset(id: Int) async throws {
        preconditionIsolated()
        computed = 0
    }
}

/// A decorated method of a main-actor class.
@MainActor final class Screen {
    let cache: Cache
    var renders = 0

    init(cache: Cache) { self.cache = cache }

    @Cached(ttl: "1m", key: "screen:{id}", cache: .property(\Screen.cache))
    func title(id: Int) async throws -> String {
        MainActor.preconditionIsolated()
        renders += 1
        return "screen \(id)"
    }
}

/// A global decorated function on `Cache.shared`.
@Cached(ttl: "1m", key: "global:{id}")
func globalDecorated(id: Int) async throws -> String { "global \(id)" }

/// Decorated methods of a class that is not isolated (it must be Sendable: the strategies take
/// `@Sendable` closures, which capture `self`).
final class Catalog: Sendable {
    let cache: Cache
    let calls = Calls()

    init(cache: Cache) { self.cache = cache }

    @Cached(ttl: "1m", key: "item:{id}", cache: .property(\Catalog.cache))
    func item(id: Int) async throws -> String { "item \(id) #\(calls.next())" }

    @Hit(ttl: "1m", cacheHits: 1, key: "hot:{id}", background: false, cache: .property(\Catalog.cache))
    func hot(id: Int) async throws -> Int { calls.next() }
}
