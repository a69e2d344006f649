import Cashews

/// One rule of the backend contract, as a runnable check.
public struct ConformanceCheck: Sendable, CustomStringConvertible {
    /// What the rule says.
    public let description: String
    let body: @Sendable (ConformanceContext) async throws -> Void

    init(_ description: String, _ body: @escaping @Sendable (ConformanceContext) async throws -> Void) {
        self.description = description
        self.body = body
    }
}

/// What a check gets: a fresh backend whose clock is `clock`.
public struct ConformanceContext: Sendable {
    /// The backend under test, empty.
    public let backend: any Backend
    /// The clock the backend reads; checks advance it instead of sleeping.
    public let clock: ManualClock
}

/// A rule the backend broke.
public struct ConformanceFailure: Error, CustomStringConvertible {
    /// What was expected and what happened.
    public let description: String
}

/// The backend conformance suite: every rule of the backend contract (the DocC article
/// *Writing a backend*) as a check, called through `any Backend`, so that a backend's overrides of
/// the customization points are what is checked.
/// Every backend runs all of them; a test target runs each check against a fresh backend:
///
/// ```swift
/// @Test(arguments: BackendConformance.checks)
/// func memory(_ check: ConformanceCheck) async throws {
///     try await BackendConformance.run(check) { clock in
///         MemoryBackend(configuration: .init(clock: .manual(clock)))
///     }
/// }
/// ```
public enum BackendConformance {
    /// Runs `check` against a backend made by `makeBackend` for a fresh manual clock.
    public static func run(
        _ check: ConformanceCheck, makeBackend: @Sendable (ManualClock) async throws -> any Backend
    ) async throws {
        let clock = ManualClock()
        let backend = try await makeBackend(clock)
        try await check.body(ConformanceContext(backend: backend, clock: clock))
    }

    /// Every check of the contract.
    public static let checks: [ConformanceCheck] =
        values + expiry + atomicity + patterns + structures + whole + transactions
}

// MARK: Helpers

func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw ConformanceFailure(description: message()) }
}

func expectThrows(_ message: String, _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch {
        return
    }
    throw ConformanceFailure(description: message)
}

func bytes(_ text: String) -> CacheValue { .bytes(Array(text.utf8)) }

func text(_ value: CacheValue?) -> String? {
    guard case .bytes(let bytes)? = value else { return nil }
    return String(decoding: bytes, as: UTF8.self)
}

extension Backend {
    func put(_ key: String, _ value: String, _ expiry: Expiry = .never) async throws {
        _ = try await set(key, bytes(value), expiry: expiry, condition: .always)
    }
}

// MARK: Values and keys

extension BackendConformance {
    static let values: [ConformanceCheck] = [
        ConformanceCheck("get returns what set stored; absent keys are nil") { context in
            let backend = context.backend
            try await backend.put("k", "value")
            try expect(text(try await backend.get("k")) == "value", "get after set")
            let absent = text(try await backend.get("absent"))
            try expect(!(try await backend.exists("absent")) && absent == nil, "absent key")
            try await backend.put("k", "other")
            try expect(text(try await backend.get("k")) == "other", "set replaces")
        },
        ConformanceCheck("keys of any length and any Unicode are distinct keys") { context in
            let backend = context.backend
            let long = String(repeating: "k", count: 10_000)
            try await backend.put(long + "1", "one")
            try await backend.put(long + "2", "two")
            try await backend.put("ключ 🔑", "unicode")
            try expect(text(try await backend.get(long + "1")) == "one", "long key 1")
            try expect(text(try await backend.get(long + "2")) == "two", "long key 2")
            try expect(text(try await backend.get("ключ 🔑")) == "unicode", "unicode key")
        },
        ConformanceCheck("an empty key is an error") { context in
            try await expectThrows("set with an empty key must throw") { try await context.backend.put("", "v") }
        },
        ConformanceCheck("binary and empty values round-trip") { context in
            let backend = context.backend
            let binary: [UInt8] = [0, 255, 0, 10, 13]
            _ = try await backend.set("bin", .bytes(binary), expiry: .never, condition: .always)
            _ = try await backend.set("empty", .bytes([]), expiry: .never, condition: .always)
            guard case .bytes(let got)? = try await backend.get("bin"),
                case .bytes(let empty)? = try await backend.get("empty")
            else { throw ConformanceFailure(description: "binary values lost") }
            try expect(got == binary && empty.isEmpty, "binary \(got), empty \(empty)")
        },
        ConformanceCheck("get many returns values in order, nil where absent; set many stores all") { context in
            let backend = context.backend
            try await backend.set([(key: "a", value: bytes("1")), (key: "b", value: bytes("2"))], expiry: .never)
            let values = try await backend.get(["a", "x", "b"]).map(text)
            try expect(values == ["1", nil, "2"], "get many: \(values)")
        },
        ConformanceCheck("delete, delete many and exists") { context in
            let backend = context.backend
            for key in ["a", "b", "c"] { try await backend.put(key, key) }
            try expect(try await backend.exists("a"), "exists a")
            try expect(try await backend.delete("a"), "delete a")
            try expect(!(try await backend.delete("a")), "delete a twice")
            try expect(!(try await backend.exists("a")), "a gone")
            try expect(try await backend.delete(["b", "c", "zz"]) == 2, "delete many")
            try expect(try await backend.count() == 0, "empty")
        },
        ConformanceCheck("every command rejects an empty key") { context in
            let backend = context.backend
            try await expectThrows("get") { _ = try await backend.get("") }
            try await expectThrows("exists") { _ = try await backend.exists("") }
            try await expectThrows("delete") { _ = try await backend.delete("") }
            try await expectThrows("increment") { _ = try await backend.increment("", by: 1, expiry: .never) }
            try await expectThrows("expire") { _ = try await backend.expire("", after: .seconds(1)) }
            try await expectThrows("timeToLive") { _ = try await backend.timeToLive("") }
            try await expectThrows("size") { _ = try await backend.size(of: "") }
            try await expectThrows("modify") { _ = try await backend.modify("") { _ in } }
        },
        ConformanceCheck("keys are compared by their UTF-8 bytes: composed and decomposed forms differ") { context in
            let backend = context.backend
            try await backend.put("caf\u{E9}", "composed")
            try await backend.put("cafe\u{301}", "decomposed")
            try expect(text(try await backend.get("caf\u{E9}")) == "composed", "composed")
            try expect(text(try await backend.get("cafe\u{301}")) == "decomposed", "decomposed")
            try expect(try await backend.count() == 2, "two keys")
        },
        ConformanceCheck("size of a value in bytes; nil when absent") { context in
            try await context.backend.put("k", "12345")
            try expect(try await context.backend.size(of: "k") == 5, "size 5")
            try expect(try await context.backend.size(of: "absent") == nil, "absent size")
        },
    ]
}

// MARK: Expiry

extension BackendConformance {
    static let expiry: [ConformanceCheck] = [
        ConformanceCheck("an entry lives until its deadline, then is never returned, swept or not") { context in
            let backend = context.backend
            try await backend.put("k", "v", .after(.seconds(2)))
            context.clock.advance(by: .milliseconds(1999))
            try expect(text(try await backend.get("k")) == "v", "alive 1 ms before")
            context.clock.advance(by: .milliseconds(1))
            try expect(text(try await backend.get("k")) == nil, "gone at the deadline")
            try expect(!(try await backend.exists("k")), "exists after expiry")
            try expect(try await backend.timeToLive("k") == nil, "ttl after expiry")
            try expect(try await backend.keys(matching: GlobPattern("*")).isEmpty, "listed after expiry")
            try expect(try await backend.get(["k"]).map(text) == [nil], "get many after expiry")
        },
        ConformanceCheck("zero and negative TTLs are errors and store nothing") { context in
            let backend = context.backend
            try await expectThrows("zero TTL must throw") { try await backend.put("k", "v", .after(.zero)) }
            try await expectThrows("negative TTL must throw") { try await backend.put("k", "v", .after(.seconds(-5))) }
            try await expectThrows("zero TTL in set many must throw") {
                try await backend.set([(key: "m", value: bytes("v"))], expiry: .after(.zero))
            }
            let stored = [try await backend.get("k"), try await backend.get("m")].compactMap { $0 }
            try expect(stored.isEmpty, "nothing stored")
        },
        ConformanceCheck("set replaces the TTL unless asked to keep it") { context in
            let backend = context.backend
            try await backend.put("k", "1", .after(.seconds(10)))
            try await backend.put("k", "2")
            try expect(try await backend.timeToLive("k") == .forever, "plain set clears the TTL")
            try await backend.put("k", "3", .after(.seconds(10)))
            context.clock.advance(by: .seconds(4))
            try await backend.put("k", "4", .keep)
            try expect(try await backend.timeToLive("k") == .remaining(.seconds(6)), "keep keeps it")
        },
        ConformanceCheck("TTLs have millisecond precision") { context in
            try await context.backend.put("k", "v", .after(.milliseconds(1500)))
            try expect(try await context.backend.timeToLive("k") == .remaining(.milliseconds(1500)), "1500 ms")
            context.clock.advance(by: .milliseconds(1499))
            try expect(try await context.backend.timeToLive("k") == .remaining(.milliseconds(1)), "1 ms left")
        },
        ConformanceCheck("expire sets the TTL of a live key only; timeToLive tells forever from absent") { context in
            let backend = context.backend
            try await backend.put("k", "v")
            try expect(try await backend.timeToLive("k") == .forever, "forever")
            try expect(try await backend.expire("k", after: .seconds(5)), "expire live key")
            try expect(try await backend.timeToLive("k") == .remaining(.seconds(5)), "5 s left")
            try expect(!(try await backend.expire("absent", after: .seconds(5))), "expire absent key")
            try expect(try await backend.timeToLive("absent") == nil, "absent")
        },
    ]
}

// MARK: Atomicity

extension BackendConformance {
    static let atomicity: [ConformanceCheck] = [
        ConformanceCheck("set-if-absent: exactly one of many concurrent writers wins") { context in
            let backend = context.backend
            let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
                for writer in 0..<50 {
                    group.addTask {
                        try await backend.set("k", bytes("\(writer)"), expiry: .never, condition: .ifAbsent)
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            try expect(wins == 1, "\(wins) winners")
        },
        ConformanceCheck("set-if-present writes only over a live value; an expired one counts as absent") { context in
            let backend = context.backend
            try expect(!(try await backend.set("k", bytes("x"), expiry: .never, condition: .ifPresent)), "absent")
            try await backend.put("k", "old", .after(.seconds(1)))
            try expect(try await backend.set("k", bytes("new"), expiry: .keep, condition: .ifPresent), "present")
            context.clock.advance(by: .seconds(1))
            try expect(!(try await backend.set("k", bytes("x"), expiry: .never, condition: .ifPresent)), "expired")
            try expect(
                try await backend.set("k", bytes("fresh"), expiry: .never, condition: .ifAbsent), "add over expired")
        },
        ConformanceCheck("increment starts at 0, is exact under concurrency, and keeps the first expiry") { context in
            let backend = context.backend
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        for _ in 0..<10 { _ = try await backend.increment("n", by: 1, expiry: .after(.seconds(60))) }
                    }
                }
                try await group.waitForAll()
            }
            let total = text(try await backend.get("n"))
            try expect(total == "200", "total \(total ?? "nil")")
            try expect(try await backend.timeToLive("n") == .remaining(.seconds(60)), "expiry of the first increment")
            try expect(try await backend.increment("n", by: -250, expiry: .never) == -50, "negative deltas")
        },
        ConformanceCheck("incrementing a value that is not an integer is an error and changes nothing") { context in
            try await context.backend.put("text", "abc")
            try await expectThrows("increment of text must throw") {
                _ = try await context.backend.increment("text", by: 1, expiry: .never)
            }
            try expect(text(try await context.backend.get("text")) == "abc", "unchanged")
        },
        ConformanceCheck("modify reads, changes and writes back atomically") { context in
            let backend = context.backend
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        _ = try await backend.modify("list") { entry in
                            entry = ((entry?.bytes ?? []) + [1], entry?.expiry ?? .never)
                        }
                    }
                }
                try await group.waitForAll()
            }
            guard case .bytes(let list)? = try await backend.get("list") else {
                throw ConformanceFailure(description: "modify lost the value")
            }
            try expect(list.count == 20, "\(list.count) of 20 appends")
            _ = try await backend.modify("list") { entry in entry = nil }
            try expect(text(try await backend.get("list")) == nil, "modify deletes with nil")
        },
        ConformanceCheck("read-modify-write commands leave alone a value that is not theirs") { context in
            let backend = context.backend
            try await backend.put("job", "not a lock")
            try expect(!(try await backend.unlock("job", token: "nobody")), "unlock by another token")
            try await expectThrows("a set command on a value that is not a set must throw") {
                _ = try await backend.removeFromSet("job", ["x"])
            }
            try expect(text(try await backend.get("job")) == "not a lock", "the value is untouched")
            if backend.storesObjects {
                _ = try await backend.set("typed", .object(["a": 1]), expiry: .never, condition: .always)
                try expect(!(try await backend.unlock("typed", token: "nobody")), "unlock of a typed value")
                try expect(try await backend.exists("typed"), "a typed value survives a foreign unlock")
            }
        },
        ConformanceCheck("large values work with read-modify-write commands") { context in
            let backend = context.backend
            let large = [UInt8](repeating: UInt8(ascii: "x"), count: 100_000)
            _ = try await backend.set("large", .bytes(large), expiry: .never, condition: .always)
            try await expectThrows("increment of a large non-integer must throw") {
                _ = try await backend.increment("large", by: 1, expiry: .never)
            }
            guard case .bytes(let kept)? = try await backend.get("large") else {
                throw ConformanceFailure(description: "the large value was lost")
            }
            try expect(kept == large, "the large value is unchanged")
            let members = (0..<5000).map { "member-\($0)" }
            try expect(try await backend.addToSet("big-set", members) == 5000, "5000 members added")
            try expect(try await backend.members(of: "big-set").count == 5000, "5000 members read")
            try expect(try await backend.removeFromSet("big-set", ["member-1"]) == 1, "one removed")
        },
        ConformanceCheck("locks: one owner at a time, released only by its token, expiring with their TTL") { context in
            let backend = context.backend
            try expect(try await backend.lock("lock", token: "a", ttl: .seconds(5)), "a takes it")
            try expect(!(try await backend.lock("lock", token: "b", ttl: .seconds(5))), "b cannot")
            try expect(try await backend.isLocked("lock"), "locked")
            try expect(!(try await backend.unlock("lock", token: "b")), "b cannot release it")
            try expect(try await backend.isLocked("lock"), "still locked")
            try expect(try await backend.unlock("lock", token: "a"), "a releases it")
            try expect(!(try await backend.isLocked("lock")), "free")
            try expect(try await backend.lock("lock", token: "c", ttl: .seconds(5)), "c takes it")
            context.clock.advance(by: .seconds(5))
            try expect(try await backend.lock("lock", token: "d", ttl: .seconds(5)), "expired lock is free")
        },
    ]
}

// MARK: Patterns

extension BackendConformance {
    static let patterns: [ConformanceCheck] = [
        ConformanceCheck("keys and delete by Redis glob: *, ?, [set], [^set], escapes") { context in
            let backend = context.backend
            for key in ["user:1", "user:2", "user:10", "users", "u*er", "admin:1"] { try await backend.put(key, "v") }
            func keys(_ pattern: String) async throws -> [String] {
                try await backend.keys(matching: GlobPattern(pattern)).sorted()
            }
            try expect(try await keys("user:*") == ["user:1", "user:10", "user:2"], "user:*")
            try expect(try await keys("user:?") == ["user:1", "user:2"], "user:?")
            try expect(try await keys("user:[12]") == ["user:1", "user:2"], "user:[12]")
            try expect(try await keys("user:[^1]") == ["user:2"], "user:[^1]")
            try expect(try await keys("u\\*er") == ["u*er"], "escaped star")
            try expect(try await backend.delete(matching: GlobPattern("user:*")) == 3, "delete user:*")
            try expect(try await keys("*") == ["admin:1", "u*er", "users"], "the rest")
        }
    ]
}

// MARK: Bits, windows and sets

extension BackendConformance {
    static let structures: [ConformanceCheck] = [
        ConformanceCheck("bit counters are saturating and independent") { context in
            let backend = context.backend
            try expect(try await backend.getBits("bits", at: [0, 5]) == [0, 0], "absent field reads zeros")
            try expect(try await backend.incrementBits("bits", at: [1, 3], size: 2, by: 2) == [2, 2], "add 2")
            try expect(try await backend.incrementBits("bits", at: [1], size: 2, by: 5) == [3], "saturate high")
            try expect(try await backend.incrementBits("bits", at: [3], size: 2, by: -9) == [0], "saturate low")
            try expect(try await backend.getBits("bits", at: [0, 1, 2, 3], size: 2) == [0, 3, 0, 0], "field")
        },
        ConformanceCheck("sliding window counts hits within the window, up to the limit") { context in
            let backend = context.backend
            var counts: [Int] = []
            for now in [1000, 1100, 1200, 1300] as [Int64] {
                counts.append(
                    try await backend.sliceIncrement("w", start: now - 1000, end: now, limit: 3, expiry: .seconds(1)))
            }
            try expect(counts == [1, 2, 3, 3], "counts \(counts)")
            let later = try await backend.sliceIncrement(
                "w", start: 2150 - 1000, end: 2150, limit: 3, expiry: .seconds(1))
            try expect(later == 2, "old hits leave the window: \(later)")
        },
        ConformanceCheck("sets add, remove and pop members") { context in
            let backend = context.backend
            try expect(try await backend.addToSet("s", ["b", "a", "b"]) == 2, "added 2")
            try expect(try await backend.addToSet("s", ["c", "a"]) == 1, "added 1")
            try expect(try await backend.members(of: "s") == ["a", "b", "c"], "members")
            try expect(try await backend.removeFromSet("s", ["a", "zz"]) == 1, "removed 1")
            let popped = try await backend.popFromSet("s", count: 5)
            try expect(popped.sorted() == ["b", "c"], "popped \(popped)")
            try expect(!(try await backend.exists("s")), "an empty set is deleted")
        },
    ]
}

// MARK: Whole backend

extension BackendConformance {
    static let whole: [ConformanceCheck] = [
        ConformanceCheck("count, clear and ping") { context in
            let backend = context.backend
            for key in ["a", "b", "c"] { try await backend.put(key, key) }
            try expect(try await backend.count() == 3, "count 3")
            try await backend.clear()
            try expect(try await backend.count() == 0, "cleared")
            try expect(try await backend.ping("hello") == "hello", "ping echoes")
        }
    ]
}
