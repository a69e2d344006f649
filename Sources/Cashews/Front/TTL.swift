/// How long a cached value lives: a `Duration`, a string such as `"90s"`, `"1h30m"`,
/// `"250ms"` or `"2d"`, or a number of seconds (`60`, `0.5`), as cashews takes. Pass `nil`
/// instead for no expiry. Every duration parameter of the cache (TTLs, time conditions, lock
/// timeouts and intervals, periods) takes these same forms.
///
/// ```swift
/// try await cache.set("user:1", user, ttl: "1h30m")
/// try await cache.set("user:1", user, ttl: 90)   // seconds
/// try await cache.set("user:1", user, ttl: .seconds(90))
/// ```
///
/// Zero, negative and malformed TTLs are errors (``CashewsError/invalidTTL(input:reason:)``)
/// raised by the call that uses them: a string literal cannot throw where it is written, so it is
/// checked when used. Unlike cashews, trailing digits without a unit after a unit (`"1h30"`) are
/// an error, not silently dropped; a bare number (`"90"`) means seconds.
public struct TTL: Sendable, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, CustomStringConvertible
{
    /// As written: parsing waits until the duration is needed, so that a literal at a call site
    /// costs nothing on paths that never read it (a cache hit).
    private enum Form: Sendable {
        case duration(Duration)
        case text(String)
    }

    private let form: Form

    /// A TTL of `duration`.
    public init(_ duration: Duration) {
        form = .duration(duration)
    }

    /// Parses `text` (`"1h30m"`, `"90s"`, `"250ms"`, `"2d"`, `"90"`).
    public init(parsing text: String) throws {
        self.init(stringLiteral: text)
        _ = try duration
    }

    /// Keeps a literal; a malformed one throws when used.
    public init(stringLiteral text: String) {
        form = .text(text)
    }

    /// `seconds` seconds, as cashews reads an integer TTL (`ttl: 60`).
    public init(integerLiteral seconds: Int64) {
        form = .duration(.seconds(seconds))
    }

    /// `seconds` seconds, to the millisecond (`ttl: 0.5`), as cashews reads a float TTL.
    public init(floatLiteral seconds: Double) {
        let milliseconds = (seconds * 1000).rounded()
        guard milliseconds.isFinite, milliseconds.magnitude < 9e15 else {
            form = .text("\(seconds)s")
            return
        }
        form = .duration(.milliseconds(Int64(milliseconds)))
    }

    /// `seconds` seconds.
    public static func seconds(_ seconds: Int64) -> TTL { TTL(.seconds(seconds)) }
    /// `milliseconds` milliseconds.
    public static func milliseconds(_ milliseconds: Int64) -> TTL { TTL(.milliseconds(milliseconds)) }
    /// `minutes` minutes.
    public static func minutes(_ minutes: Int64) -> TTL { scaled(minutes, by: 60, unit: "m") }
    /// `hours` hours.
    public static func hours(_ hours: Int64) -> TTL { scaled(hours, by: 3600, unit: "h") }
    /// `days` days.
    public static func days(_ days: Int64) -> TTL { scaled(days, by: 86_400, unit: "d") }

    private static func scaled(_ count: Int64, by seconds: Int64, unit: String) -> TTL {
        let (total, overflow) = count.multipliedReportingOverflow(by: seconds)
        return overflow ? TTL(stringLiteral: "\(count)\(unit)") : TTL(.seconds(total))
    }

    /// The duration, or the error that makes this TTL invalid.
    public var duration: Duration {
        get throws(CashewsError) {
            switch form {
            case .duration(let duration):
                guard duration > .zero else {
                    throw .invalidTTL(input: "\(duration)", reason: "it must be positive (pass nil for no expiry)")
                }
                return duration
            case .text(let text):
                return try TTL.parse(text).get()
            }
        }
    }

    /// The TTL as written.
    public var description: String {
        switch form {
        case .duration(let duration): return "\(duration)"
        case .text(let text): return text
        }
    }

    /// Hashes the text.
    public func hash(into hasher: inout Hasher) { hasher.combine(description) }

    /// Equal when written the same way.
    public static func == (lhs: TTL, rhs: TTL) -> Bool { lhs.description == rhs.description }

    private static let units: [(String, Int64)] = [
        ("ms", 1), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000),
    ]

    static func parse(_ input: String) -> Result<Duration, CashewsError> {
        let text = input.trimmingSpaces().lowercased()
        func fail(_ reason: String) -> Result<Duration, CashewsError> {
            .failure(.invalidTTL(input: input, reason: reason))
        }
        guard !text.isEmpty else { return fail("it is empty") }
        if text.allSatisfy(\.isASCIIDigit) {
            guard let seconds = Int64(text), seconds <= Int64.max / 1000 else { return fail("it is too large") }
            return seconds > 0 ? .success(.seconds(seconds)) : fail("it must be positive")
        }
        var total: Int64 = 0
        var rest = Substring(text)
        var seen = Set<String>()
        while !rest.isEmpty {
            let digits = rest.prefix(while: \.isASCIIDigit)
            guard !digits.isEmpty else { return fail("expected a number at \"\(rest)\"") }
            rest = rest.dropFirst(digits.count)
            guard let (unit, factor) = units.first(where: { rest.hasPrefix($0.0) }) else {
                return fail(rest.isEmpty ? "\"\(digits)\" has no unit" : "unknown unit at \"\(rest)\"")
            }
            guard seen.insert(unit).inserted else { return fail("the unit \(unit) appears twice") }
            rest = rest.dropFirst(unit.count)
            guard let number = Int64(digits) else { return fail("it is too large") }
            let (part, o1) = number.multipliedReportingOverflow(by: factor)
            let (sum, o2) = total.addingReportingOverflow(part)
            guard !o1, !o2 else { return fail("it is too large") }
            total = sum
        }
        return total > 0 ? .success(.milliseconds(total)) : fail("it must be positive")
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed()).replacingSpaces()
    }

    fileprivate func replacingSpaces() -> String { filter { $0 != " " } }
}
