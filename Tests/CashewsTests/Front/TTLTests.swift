import Cashews
import Testing

@Suite("TTL strings and durations")
struct TTLTests {
    @Test(
        "valid forms",
        arguments: [
            ("90s", Duration.seconds(90)), ("1h30m", .seconds(5400)), ("250ms", .milliseconds(250)),
            ("2d", .seconds(172_800)), ("90", .seconds(90)), (" 1H ", .seconds(3600)),
            ("1d2h3m4s5ms", .milliseconds(93_784_005)),
        ])
    func valid(text: String, expected: Duration) throws {
        #expect(try TTL(parsing: text).duration == expected)
    }

    @Test(
        "malformed, zero and negative TTLs name the bad input",
        arguments: ["1h30", "1w", "1.5", "", "0", "0s", "h", "1s1s", "-5s", "99999999999999999999"])
    func invalid(text: String) throws {
        let error = #expect(throws: CashewsError.self) { try TTL(parsing: text) }
        #expect("\(error!)".contains("\"\(text)\""))
    }

    @Test("durations must be positive; a literal is checked when used")
    func durations() async throws {
        #expect(throws: CashewsError.self) { try TTL(.zero).duration }
        #expect(throws: CashewsError.self) { try TTL(.seconds(-1)).duration }
        let cache = Cache()
        cache.setup(MemoryBackend(configuration: .init(clock: .manual(ManualClock()))))
        let error = await #expect(throws: CashewsError.self) { try await cache.set("k", "v", ttl: "1h30") }
        #expect("\(error!)".contains("1h30"))
        #expect(try await cache.get("k", as: String.self) == nil)
        try await cache.set("k", "v", ttl: "1h30m")
        #expect(try await cache.timeToLive("k") == .remaining(.seconds(5400)))
    }
}
