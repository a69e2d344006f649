import SwiftSyntaxMacrosGenericTestSupport
import Testing

/// Every decorator's expansion, and every diagnostic and fix-it, through swift-syntax's
/// `assertMacroExpansion`.
@Suite("Macro expansions, diagnostics and fix-its")
struct ExpansionTests {
    @Test("@Cached: a key template of the parameters becomes an interpolation; the body a local function")
    func cached() {
        assertExpansion(
            #"""
            @Cached(ttl: "5m", key: "user:{userID}")
            func user(userID: Int) async throws -> User {
                try await slowSource.user(userID)
            }
            """#,
            expandedSource: #"""
                func user(userID: Int) async throws -> User {
                    @Sendable func decoratedBody() async throws -> User {
                        try await slowSource.user(userID)
                    }
                    return try await Cache.shared.cached(key: "user:\(userID)", ttl: "5m", decoratedBody)
                }
                """#
        )
    }

    @Test("@Cached passes its arguments on in the strategy's order, tags rendered from templates")
    func cachedEveryArgument() {
        assertExpansion(
            #"""
            @Cached(ttl: .minutes(5), key: "user:{userID}:{lang}", condition: .notNil, timeCondition: "10ms", tags: ["user:{userID}", "users"], lock: true, lockTimeout: "1s", protected: false, prefix: "v2:", upper: true)
            func user(userID: Int, lang: String) async throws -> User? {
                try await slowSource.user(userID)
            }
            """#,
            expandedSource: #"""
                func user(userID: Int, lang: String) async throws -> User? {
                    @Sendable func decoratedBody() async throws -> User? {
                        try await slowSource.user(userID)
                    }
                    return try await Cache.shared.cached(key: "user:\(userID):\(lang)", ttl: .minutes(5), condition: .notNil, timeCondition: "10ms", tags: ["user:\(userID)", "users"], lock: true, lockTimeout: "1s", protected: false, prefix: "v2:", upper: true, decoratedBody)
                }
                """#
        )
    }

    @Test("no key: the default key of the module, type, function and arguments")
    func cachedDefaultKey() {
        assertExpansion(
            #"""
            struct Users {
                @Cached(ttl: "1h")
                func user(id: Int, lang: String = "en", _ flag: Bool) async throws -> User {
                    try await load(id)
                }
            }
            """#,
            expandedSource: #"""
                struct Users {
                    func user(id: Int, lang: String = "en", _ flag: Bool) async throws -> User {
                        @Sendable func decoratedBody() async throws -> User {
                            try await load(id)
                        }
                        return try await Cache.shared.cached(key: DefaultKey.make(type: Users.self, arguments: [id, lang, flag]), ttl: "1h", decoratedBody)
                    }
                }
                """#
        )
    }

    @Test("no key on a global function: no type")
    func cachedGlobalDefaultKey() {
        assertExpansion(
            #"""
            @Cached(ttl: "1h")
            func answer() async throws -> Int {
                42
            }
            """#,
            expandedSource: #"""
                func answer() async throws -> Int {
                    @Sendable func decoratedBody() async throws -> Int {
                        42
                    }
                    return try await Cache.shared.cached(key: DefaultKey.make(arguments: []), ttl: "1h", decoratedBody)
                }
                """#
        )
    }

    @Test("fields, formatters and non-text parameters render through KeyTemplate and KeyText")
    func cachedTemplateFields() {
        assertExpansion(
            #"""
            @Cached(ttl: "1h", key: "profile:{user.id}:{locale:lower}")
            func profile(user: User, locale: String) async throws -> Profile {
                try await render(user, locale)
            }
            @Cached(ttl: "1h", key: "ids:{ids}:{{literal}}")
            func many(ids: [Int]) async throws -> [User] {
                try await load(ids)
            }
            """#,
            expandedSource: #"""
                func profile(user: User, locale: String) async throws -> Profile {
                    @Sendable func decoratedBody() async throws -> Profile {
                        try await render(user, locale)
                    }
                    return try await Cache.shared.cached(key: try KeyTemplate.parsedOnce("profile:{user.id}:{locale:lower}").render(["user": user, "locale": locale]), ttl: "1h", decoratedBody)
                }
                func many(ids: [Int]) async throws -> [User] {
                    @Sendable func decoratedBody() async throws -> [User] {
                        try await load(ids)
                    }
                    return try await Cache.shared.cached(key: "ids:\(KeyText.text(for: ids)):{literal}", ttl: "1h", decoratedBody)
                }
                """#
        )
    }

    @Test("cache: a property of the type, any expression, or the shared cache")
    func cachedCache() {
        assertExpansion(
            #"""
            final class Service: Sendable {
                let cache = Cache()
                @Cached(ttl: "1m", key: "a:{id}", cache: .property(\Service.cache))
                func a(id: Int) async throws -> Int { id }
                @Cached(ttl: "1m", key: "b:{id}", cache: .named(Caches.users))
                func b(id: Int) async throws -> Int { id }
                @Cached(ttl: "1m", key: "c:{id}", cache: .shared)
                static func c(id: Int) async throws -> Int { id }
                @Cached(ttl: "1m", key: "d:{id}", cache: .property(\Service.cache))
                static func d(id: Int) async throws -> Int { id }
            }
            """#,
            expandedSource: #"""
                final class Service: Sendable {
                    let cache = Cache()
                    func a(id: Int) async throws -> Int {
                        @Sendable func decoratedBody() async throws -> Int {
                            id
                        }
                        return try await self.cache.cached(key: "a:\(id)", ttl: "1m", decoratedBody)
                    }
                    func b(id: Int) async throws -> Int {
                        @Sendable func decoratedBody() async throws -> Int {
                            id
                        }
                        return try await Caches.users.cached(key: "b:\(id)", ttl: "1m", decoratedBody)
                    }
                    static func c(id: Int) async throws -> Int {
                        @Sendable func decoratedBody() async throws -> Int {
                            id
                        }
                        return try await Cache.shared.cached(key: "c:\(id)", ttl: "1m", decoratedBody)
                    }
                    static func d(id: Int) async throws -> Int {
                        @Sendable func decoratedBody() async throws -> Int {
                            id
                        }
                        return try await Self.cache.cached(key: "d:\(id)", ttl: "1m", decoratedBody)
                    }
                }
                """#
        )
    }

    @Test("an actor method: the body runs on the actor through IsolatedBody")
    func cachedActor() {
        assertExpansion(
            #"""
            actor Counter {
                var calls = 0
                @Cached(ttl: "1m", key: "count:{id}")
                func count(id: Int) async throws -> Int {
                    calls += 1
                    return calls
                }
                @Cached(ttl: "1m", key: "free:{id}")
                nonisolated func free(id: Int) async throws -> Int {
                    id
                }
            }
            """#,
            expandedSource: #"""
                actor Counter {
                    var calls = 0
                    func count(id: Int) async throws -> Int {
                        func decoratedBody() async throws -> Int {
                            calls += 1
                            return calls
                        }
                        return try await Cache.shared.cached(key: "count:\(id)", ttl: "1m", IsolatedBody.on(self, decoratedBody))
                    }
                    nonisolated func free(id: Int) async throws -> Int {
                        @Sendable func decoratedBody() async throws -> Int {
                            id
                        }
                        return try await Cache.shared.cached(key: "free:\(id)", ttl: "1m", decoratedBody)
                    }
                }
                """#
        )
    }

    @Test("a global actor on the method or its type isolates the body to it")
    func cachedGlobalActor() {
        assertExpansion(
            #"""
            @MainActor final class Screen {
                var renders = 0
                @Cached(ttl: "1m", key: "title:{id}")
                func title(id: Int) async throws -> String {
                    renders += 1
                    return "t"
                }
            }
            struct Worker {
                @Cached(ttl: "1m", key: "job:{id}")
                @DatabaseActor func job(id: Int) async throws -> Int {
                    id
                }
            }
            """#,
            expandedSource: #"""
                @MainActor final class Screen {
                    var renders = 0
                    func title(id: Int) async throws -> String {
                        func decoratedBody() async throws -> String {
                            renders += 1
                            return "t"
                        }
                        return try await Cache.shared.cached(key: "title:\(id)", ttl: "1m", IsolatedBody.on(MainActor.shared, decoratedBody))
                    }
                }
                struct Worker {
                    @DatabaseActor func job(id: Int) async throws -> Int {
                        func decoratedBody() async throws -> Int {
                            id
                        }
                        return try await Cache.shared.cached(key: "job:\(id)", ttl: "1m", IsolatedBody.on(DatabaseActor.shared, decoratedBody))
                    }
                }
                """#
        )
    }

    @Test("a function that does not throw falls back on its body when the cache fails")
    func cachedNonThrowing() {
        assertExpansion(
            #"""
            @Cached(ttl: "1m", key: "count:{id}")
            func count(id: Int) async -> Int {
                id * 2
            }
            """#,
            expandedSource: #"""
                func count(id: Int) async -> Int {
                    @Sendable func decoratedBody() async -> Int {
                        id * 2
                    }
                    do {
                        return try await Cache.shared.cached(key: "count:\(id)", ttl: "1m", decoratedBody)
                    } catch {
                        return await decoratedBody()
                    }
                }
                """#
        )
    }

    @Test("generic and opaque results keep their types")
    func cachedGenericAndOpaque() {
        assertExpansion(
            #"""
            @Cached(ttl: "1m", key: "item:{id}")
            func item<T: Codable & Sendable>(id: Int, as type: T.Type) async throws -> T {
                try await decode(id)
            }
            @Cached(ttl: "1m", key: "some:{id}")
            func some(id: Int) async throws -> some Codable & Sendable {
                id
            }
            """#,
            expandedSource: #"""
                func item<T: Codable & Sendable>(id: Int, as type: T.Type) async throws -> T {
                    @Sendable func decoratedBody() async throws -> T {
                        try await decode(id)
                    }
                    return try await Cache.shared.cached(key: "item:\(id)", ttl: "1m", decoratedBody)
                }
                func some(id: Int) async throws -> some Codable & Sendable {
                    @Sendable func decoratedBody() async throws -> some Codable & Sendable {
                        id
                    }
                    return try await Cache.shared.cached(key: "some:\(id)", ttl: "1m", decoratedBody)
                }
                """#
        )
    }

    @Test("@Failover")
    func failover() {
        assertExpansion(
            #"""
            @Failover(ttl: "1d", key: "rates:{currency}", when: { $0 is URLError }, prefix: "f:")
            func rates(currency: String) async throws -> Rates {
                try await api.rates(currency)
            }
            """#,
            expandedSource: #"""
                func rates(currency: String) async throws -> Rates {
                    @Sendable func decoratedBody() async throws -> Rates {
                        try await api.rates(currency)
                    }
                    return try await Cache.shared.failover(key: "rates:\(currency)", ttl: "1d", when: {
                            $0 is URLError
                        }, prefix: "f:", decoratedBody)
                }
                """#
        )
    }

    @Test("@Early")
    func early() {
        assertExpansion(
            #"""
            @Early(ttl: "10m", earlyTTL: "2m", key: "page:{n}", tags: ["pages"], background: false)
            func page(n: Int) async throws -> Page {
                try await render(n)
            }
            """#,
            expandedSource: #"""
                func page(n: Int) async throws -> Page {
                    @Sendable func decoratedBody() async throws -> Page {
                        try await render(n)
                    }
                    return try await Cache.shared.early(key: "page:\(n)", ttl: "10m", earlyTTL: "2m", tags: ["pages"], background: false, decoratedBody)
                }
                """#
        )
    }

    @Test("@Soft")
    func soft() {
        assertExpansion(
            #"""
            @Soft(ttl: "1h", softTTL: "5m", key: "feed:{id}", when: { _ in true })
            func feed(id: Int) async throws -> Feed {
                try await load(id)
            }
            """#,
            expandedSource: #"""
                func feed(id: Int) async throws -> Feed {
                    @Sendable func decoratedBody() async throws -> Feed {
                        try await load(id)
                    }
                    return try await Cache.shared.soft(key: "feed:\(id)", ttl: "1h", softTTL: "5m", when: { _ in
                            true
                        }, decoratedBody)
                }
                """#
        )
    }

    @Test("@Hit")
    func hit() {
        assertExpansion(
            #"""
            @Hit(ttl: "1h", cacheHits: 100, updateAfter: 80, key: "top:{n}")
            func top(n: Int) async throws -> [Int] {
                try await rank(n)
            }
            """#,
            expandedSource: #"""
                func top(n: Int) async throws -> [Int] {
                    @Sendable func decoratedBody() async throws -> [Int] {
                        try await rank(n)
                    }
                    return try await Cache.shared.hit(key: "top:\(n)", ttl: "1h", cacheHits: 100, updateAfter: 80, decoratedBody)
                }
                """#
        )
    }

    @Test("@Dynamic")
    func dynamic() {
        assertExpansion(
            #"""
            @Dynamic(key: "hot:{id}")
            func hot(id: Int) async throws -> Int {
                try await load(id)
            }
            """#,
            expandedSource: #"""
                func hot(id: Int) async throws -> Int {
                    @Sendable func decoratedBody() async throws -> Int {
                        try await load(id)
                    }
                    return try await Cache.shared.dynamic(key: "hot:\(id)", decoratedBody)
                }
                """#
        )
    }

    @Test("@Locked, on a function without result")
    func locked() {
        assertExpansion(
            #"""
            @Locked(ttl: "1m", key: "job:{name}", wait: false)
            func job(name: String) async throws {
                try await run(name)
            }
            """#,
            expandedSource: #"""
                func job(name: String) async throws {
                    @Sendable func decoratedBody() async throws {
                        try await run(name)
                    }
                    try await Cache.shared.locked(key: "job:\(name)", ttl: "1m", wait: false, decoratedBody)
                }
                """#
        )
    }

    @Test("@RateLimit")
    func rateLimit() {
        assertExpansion(
            #"""
            @RateLimit(limit: 10, period: "1m", key: "api:{client}", banTTL: "5m")
            func call(client: String) async throws -> Int {
                try await api(client)
            }
            """#,
            expandedSource: #"""
                func call(client: String) async throws -> Int {
                    @Sendable func decoratedBody() async throws -> Int {
                        try await api(client)
                    }
                    return try await Cache.shared.rateLimit(key: "api:\(client)", limit: 10, period: "1m", banTTL: "5m", decoratedBody)
                }
                """#
        )
    }

    @Test("@SliceRateLimit")
    func sliceRateLimit() {
        assertExpansion(
            #"""
            @SliceRateLimit(limit: 10, period: "1m", key: "api:{client}")
            func call(client: String) async throws -> Int {
                try await api(client)
            }
            """#,
            expandedSource: #"""
                func call(client: String) async throws -> Int {
                    @Sendable func decoratedBody() async throws -> Int {
                        try await api(client)
                    }
                    return try await Cache.shared.sliceRateLimit(key: "api:\(client)", limit: 10, period: "1m", decoratedBody)
                }
                """#
        )
    }

    @Test("@CircuitBreaker")
    func circuitBreaker() {
        assertExpansion(
            #"""
            @CircuitBreaker(errorRate: 50, period: "1m", ttl: "5m", key: "payments", minCalls: 10)
            func pay(amount: Int) async throws -> Receipt {
                try await payments.pay(amount)
            }
            """#,
            expandedSource: #"""
                func pay(amount: Int) async throws -> Receipt {
                    @Sendable func decoratedBody() async throws -> Receipt {
                        try await payments.pay(amount)
                    }
                    return try await Cache.shared.circuitBreaker(key: "payments", errorRate: 50, period: "1m", ttl: "5m", minCalls: 10, decoratedBody)
                }
                """#
        )
    }

    @Test("@Invalidate by key, by tags, and with a result; the body stays in place")
    func invalidate() {
        assertExpansion(
            #"""
            @Invalidate(key: "user:{userID}")
            func rename(userID: Int, to name: String) async throws {
                try await db.rename(userID, name)
            }
            @Invalidate(tags: ["user:{userID}", "users"])
            func delete(userID: Int) async throws -> Bool {
                try await db.delete(userID)
            }
            """#,
            expandedSource: #"""
                func rename(userID: Int, to name: String) async throws {
                    try await Cache.shared.invalidating(key: "user:\(userID)") {
                        try await db.rename(userID, name)
                    }
                }
                func delete(userID: Int) async throws -> Bool {
                    return try await Cache.shared.invalidating(key: nil, tags: ["user:\(userID)", "users"]) {
                        try await db.delete(userID)
                    }
                }
                """#
        )
    }

    @Test("a function that is not async: an error on its name, fix-it adds async")
    func notAsync() {
        assertExpansion(
            #"""
            @Cached(ttl: "1m", key: "a:{id}")
            func a(id: Int) throws -> Int {
                id
            }
            """#,
            expandedSource: #"""
                func a(id: Int) throws -> Int {
                    id
                }
                """#,
            diagnostics: [
                DiagnosticSpec(
                    message: #"@Cached requires an async function: the cache is reached with await"#, line: 2,
                    column: 6, fixIts: [FixItSpec(message: #"add 'async'"#)])
            ],
            fixedSource: #"""
                @Cached(ttl: "1m", key: "a:{id}")
                func a(id: Int) async throws -> Int {
                    id
                }
                """#
        )
    }

    @Test("a guard on a function that does not throw: fix-it adds throws")
    func notThrowing() {
        assertExpansion(
            #"""
            @RateLimit(limit: 1, period: "1m")
            func a(id: Int) async -> Int {
                id
            }
            """#,
            expandedSource: #"""
                func a(id: Int) async -> Int {
                    id
                }
                """#,
            diagnostics: [
                DiagnosticSpec(
                    message: #"@RateLimit requires a throwing function: the strategy throws errors of its own"#,
                    line: 2, column: 6, fixIts: [FixItSpec(message: #"add 'throws'"#)])
            ],
            fixedSource: #"""
                @RateLimit(limit: 1, period: "1m")
                func a(id: Int) async throws -> Int {
                    id
                }
                """#
        )
    }

    @Test("a caching strategy on a function without result")
    func noResult() {
        assertExpansion(
            #"""
            @Cached(ttl: "1m")
            func a(id: Int) async throws {
                print(id)
            }
            """#,
            expandedSource: #"""
                func a(id: Int) async throws {
                    print(id)
                }
                """#,
            diagnostics: [
                DiagnosticSpec(
                    message: #"@Cached stores the function's result: give the function a Codable result"#, line: 2,
                    column: 6)
            ]
        )
    }

    @Test("an inout parameter")
    func inoutParameter() {
        assertExpansion(
            #"""
            @Cached(ttl: "1m")
            func a(id: inout Int) async throws -> Int {
                id
            }
            """#,
            expandedSource: #"""
                func a(id: inout Int) async throws -> Int {
                    id
                }
                """#,
            diagnostics: [
                DiagnosticSpec(
                    message: #"@Cached cannot capture the inout parameter "id" in the strategy's closure"#, line: 2,
                    column: 8)
            ]
        )
    }

    @Test("on an initializer")
    func notAFunction() {
        assertExpansion(
            #"""
            struct S {
                @Cached(ttl: "1m")
                init() async throws {}
            }
            """#,
            expandedSource: #"""
                struct S {
                    init() async throws {}
                }
                """#,
            diagnostics: [
                DiagnosticSpec(message: #"@Cached decorates a function"#, line: 2, column: 5)
            ]
        )
    }

    @Test("@Invalidate without key or tags")
    func nothingToInvalidate() {
        assertExpansion(
            #"""
            @Invalidate()
            func a(id: Int) async throws {
                print(id)
            }
            """#,
            expandedSource: #"""
                func a(id: Int) async throws {
                    print(id)
                }
                """#,
            diagnostics: [
                DiagnosticSpec(
                    message: #"@Invalidate needs a key template (key:) or tags (tags:) to delete"#, line: 1, column: 1)
            ]
        )
    }

    @Test("a key that is not a string literal; tags that are not an array literal")
    func templateNotLiteral() {
        assertExpansion(
            #"""
            @Cached(ttl: "1m", key: userKey, tags: someTags)
            func a(id: Int) async throws -> Int {
                id
            }
            """#,
            expandedSource: #"""
                func a(id: Int) async throws -> Int {
                    id
                }
                """#,
            diagnostics: [
                DiagnosticSpec(
                    message: #"the key must be a string literal template, such as "user:{id}""#, line: 1, column: 25),
                DiagnosticSpec(
                    message: #"tags must be an array literal of key templates, such as ["user:{id}"]"#, line: 1,
                    column: 40),
            ]
        )
    }

    @Test("an interpolated key: fix-it writes placeholders")
    func interpolatedTemplate() {
        assertExpansion(
            #"""
            @Cached(ttl: "1m", key: "user:\(id):\(lang)")
            func a(id: Int, lang: String) async throws -> Int {
                id
            }
            """#,
            expandedSource: #"""
                func a(id: Int, lang: String) async throws -> Int {
                    id
                }
                """#,
            diagnostics: [
                DiagnosticSpec(
                    message: #"the key is a template, not an interpolation: write {name} for a parameter, not \(name)"#,
                    line: 1, column: 25, fixIts: [FixItSpec(message: #"write the interpolations as placeholders"#)])
            ],
            fixedSource: #"""
                @Cached(ttl: "1m", key: "user:{id}:{lang}")
                func a(id: Int, lang: String) async throws -> Int {
                    id
                }
                """#
        )
    }

    @Test("an unknown placeholder: at its column, fix-it names the closest parameter")
    func unknownPlaceholder() {
        assertExpansion(
            #"""
            @Cached(ttl: "1m", key: "user:{userId}:{lang}")
            func a(userID: Int, lang: String) async throws -> Int {
                userID
            }
            """#,
            expandedSource: #"""
                func a(userID: Int, lang: String) async throws -> Int {
                    userID
                }
                """#,
            diagnostics: [
                DiagnosticSpec(
                    message: #"no parameter "userId" in a(userID:lang:): its parameters are userID, lang"#, line: 1,
                    column: 31, fixIts: [FixItSpec(message: #"use the parameter "userID" instead of "userId""#)])
            ],
            fixedSource: #"""
                @Cached(ttl: "1m", key: "user:{userID}:{lang}")
                func a(userID: Int, lang: String) async throws -> Int {
                    userID
                }
                """#
        )
    }

    @Test("an unknown placeholder with no parameter close to it, in a tag")
    func unknownPlaceholderNoSuggestion() {
        assertExpansion(
            #"""
            @Cached(ttl: "1m", key: "a", tags: ["tenant:{tenant}"])
            func a(id: Int) async throws -> Int {
                id
            }
            """#,
            expandedSource: #"""
                func a(id: Int) async throws -> Int {
                    id
                }
                """#,
            diagnostics: [
                DiagnosticSpec(message: #"no parameter "tenant" in a(id:): its parameters are id"#, line: 1, column: 45)
            ]
        )
    }

    @Test("a field or an index of a parameter whose type has none")
    func fieldAccess() {
        assertExpansion(
            #"""
            @Cached(ttl: "1m", key: "a:{id.value}:{flag[0]}")
            func a(id: Int, flag: Bool) async throws -> Int {
                id
            }
            """#,
            expandedSource: #"""
                func a(id: Int, flag: Bool) async throws -> Int {
                    id
                }
                """#,
            diagnostics: [
                DiagnosticSpec(
                    message:
                        #""id" is an Int, which has no field "value": a template reads fields of structs and classes"#,
                    line: 1, column: 31),
                DiagnosticSpec(
                    message:
                        #""flag" is a Bool, which has no element [0]: a template indexes arrays, tuples, strings and dictionaries"#,
                    line: 1, column: 44),
            ]
        )
    }

    @Test("an unclosed placeholder: fix-its close it or double the brace")
    func unclosedBrace() {
        assertExpansion(
            #"""
            @Cached(ttl: "1m", key: "user:{id")
            func a(id: Int) async throws -> Int {
                id
            }
            """#,
            expandedSource: #"""
                func a(id: Int) async throws -> Int {
                    id
                }
                """#,
            diagnostics: [
                DiagnosticSpec(
                    message: #"unclosed "{": end the placeholder with "}", or write "{{" for a literal "{""#, line: 1,
                    column: 31,
                    fixIts: [
                        FixItSpec(message: #"close the placeholder with "}""#),
                        FixItSpec(message: #"write "{{" for a literal "{""#),
                    ])
            ],
            fixedSource: #"""
                @Cached(ttl: "1m", key: "user:{id}")
                func a(id: Int) async throws -> Int {
                    id
                }
                """#
        )
    }

    @Test("a stray closing brace: fix-it doubles it")
    func strayBrace() {
        assertExpansion(
            #"""
            @Cached(ttl: "1m", key: "user:id}")
            func a(id: Int) async throws -> Int {
                id
            }
            """#,
            expandedSource: #"""
                func a(id: Int) async throws -> Int {
                    id
                }
                """#,
            diagnostics: [
                DiagnosticSpec(
                    message: #"stray "}": write "}}" for a literal "}", or open a placeholder with "{" before it"#,
                    line: 1, column: 33, fixIts: [FixItSpec(message: #"write "}}" for a literal "}""#)])
            ],
            fixedSource: #"""
                @Cached(ttl: "1m", key: "user:id}}")
                func a(id: Int) async throws -> Int {
                    id
                }
                """#
        )
    }

    @Test("an empty placeholder")
    func emptyPlaceholder() {
        assertExpansion(
            #"""
            @Cached(ttl: "1m", key: "user:{}")
            func a(id: Int) async throws -> Int {
                id
            }
            """#,
            expandedSource: #"""
                func a(id: Int) async throws -> Int {
                    id
                }
                """#,
            diagnostics: [
                DiagnosticSpec(
                    message:
                        #"empty placeholder: name the parameter to put there, e.g. "{id}" (write "{{}}" for literal braces)"#,
                    line: 1, column: 31)
            ]
        )
    }

    @Test("a malformed placeholder")
    func malformedPlaceholder() {
        assertExpansion(
            #"""
            @Cached(ttl: "1m", key: "user:{id:lower:upper}")
            func a(id: String) async throws -> Int {
                1
            }
            """#,
            expandedSource: #"""
                func a(id: String) async throws -> Int {
                    1
                }
                """#,
            diagnostics: [
                DiagnosticSpec(
                    message:
                        #"malformed placeholder: unexpected ":": close the placeholder opened at column 6 with "}" (a formatter comes last); write placeholders as {name}, {name.field}, {name[0]}, {name:formatter} or {name:formatter(argument, ...)}"#,
                    line: 1, column: 40)
            ]
        )
    }

    @Test("an unknown formatter")
    func unknownFormatter() {
        assertExpansion(
            #"""
            @Cached(ttl: "1m", key: "user:{id:shout}")
            func a(id: String) async throws -> Int {
                1
            }
            """#,
            expandedSource: #"""
                func a(id: String) async throws -> Int {
                    1
                }
                """#,
            diagnostics: [
                DiagnosticSpec(
                    message:
                        #"unknown formatter "shout": use one of hash, jwt, len, lower, upper (a formatter registered at run time needs a KeyTemplate and the strategy's template form)"#,
                    line: 1, column: 35)
            ]
        )
    }

    @Test("arguments a built-in formatter does not take")
    func invalidFormatterArguments() {
        assertExpansion(
            #"""
            @Cached(ttl: "1m", key: "user:{id:hash(sha512)}")
            func a(id: String) async throws -> Int {
                1
            }
            """#,
            expandedSource: #"""
                func a(id: String) async throws -> Int {
                    1
                }
                """#,
            diagnostics: [
                DiagnosticSpec(
                    message:
                        #"invalid arguments for formatter "hash": unknown algorithm "sha512": use md5, sha1 or sha256"#,
                    line: 1, column: 35)
            ]
        )
    }

    @Test("the other fix-it of an unclosed placeholder: a literal brace")
    func unclosedBraceLiteral() {
        assertExpansion(
            #"""
            @Cached(ttl: "1m", key: "user:{id")
            func a(id: Int) async throws -> Int {
                id
            }
            """#,
            expandedSource: #"""
                func a(id: Int) async throws -> Int {
                    id
                }
                """#,
            diagnostics: [
                DiagnosticSpec(
                    message: #"unclosed "{": end the placeholder with "}", or write "{{" for a literal "{""#, line: 1,
                    column: 31,
                    fixIts: [
                        FixItSpec(message: #"close the placeholder with "}""#),
                        FixItSpec(message: #"write "{{" for a literal "{""#),
                    ])
            ],
            applyFixIts: [#"write "{{" for a literal "{""#],
            fixedSource: #"""
                @Cached(ttl: "1m", key: "user:{{id")
                func a(id: Int) async throws -> Int {
                    id
                }
                """#
        )
    }

    @Test("a guard on a function that is neither async nor throwing: both fix-its")
    func notAsyncNorThrowing() {
        assertExpansion(
            #"""
            @CircuitBreaker(errorRate: 50, period: "1m", ttl: "1m")
            func a(id: Int) -> Int {
                id
            }
            """#,
            expandedSource: #"""
                func a(id: Int) -> Int {
                    id
                }
                """#,
            diagnostics: [
                DiagnosticSpec(
                    message: #"@CircuitBreaker requires an async function: the cache is reached with await"#, line: 2,
                    column: 6, fixIts: [FixItSpec(message: #"add 'async throws'"#)]),
                DiagnosticSpec(
                    message: #"@CircuitBreaker requires a throwing function: the strategy throws errors of its own"#,
                    line: 2, column: 6),
            ],
            fixedSource: #"""
                @CircuitBreaker(errorRate: 50, period: "1m", ttl: "1m")
                func a(id: Int) async throws -> Int {
                    id
                }
                """#
        )
    }

    @Test("typed throws: fix-it throws any error")
    func typedThrows() {
        assertExpansion(
            #"""
            @Cached(ttl: "1m", key: "a:{id}")
            func a(id: Int) async throws(MyError) -> Int {
                id
            }
            """#,
            expandedSource: #"""
                func a(id: Int) async throws(MyError) -> Int {
                    id
                }
                """#,
            diagnostics: [
                DiagnosticSpec(
                    message:
                        #"@Cached cannot keep a typed throws: the cache throws its own errors (CashewsError, a backend's) besides the body's"#,
                    line: 2, column: 23, fixIts: [FixItSpec(message: "throw any error")])
            ],
            fixedSource: #"""
                @Cached(ttl: "1m", key: "a:{id}")
                func a(id: Int) async throws -> Int {
                    id
                }
                """#
        )
    }

    @Test("a requirement without a body")
    func noBody() {
        assertExpansion(
            #"""
            protocol Users {
                @Cached(ttl: "1m")
                func user(id: Int) async throws -> Int
            }
            """#,
            expandedSource: #"""
                protocol Users {
                    func user(id: Int) async throws -> Int
                }
                """#,
            diagnostics: [
                DiagnosticSpec(message: "@Cached needs a function with a body", line: 2, column: 5)
            ]
        )
    }
}
