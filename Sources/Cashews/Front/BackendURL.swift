import Foundation

/// A parsed setup URL: `scheme://[host[:port]][/path][?name=value&…]`, for backend factories.
///
/// A factory reads the parameters it accepts with the typed accessors and calls
/// ``checkNoOtherParameters(accepted:)`` so that a misspelled parameter is an error, not silently
/// ignored.
public struct BackendURL: Sendable, CustomStringConvertible {
    /// The URL as written.
    public let description: String
    /// The scheme, lower-cased (`mem`, `disk`, …).
    public let scheme: String
    /// The host, if any (`redis://host:6379`).
    public let host: String?
    /// The port, if any.
    public let port: Int?
    /// The path (`/var/cache/app`), possibly empty.
    public let path: String
    /// The query parameters, names lower-cased, values percent-decoded.
    public private(set) var parameters: [String: String]

    /// Parses `text`.
    public init(_ text: String) throws {
        description = text
        guard let separator = text.range(of: "://") else {
            throw CashewsError.invalidURL(text, reason: "it has no scheme:// part")
        }
        scheme = text[..<separator.lowerBound].lowercased()
        // "://" alone is cashews' disabled backend: an empty scheme, nothing else.
        guard !scheme.isEmpty || text[separator.upperBound...].isEmpty,
            scheme.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." })
        else { throw CashewsError.invalidURL(text, reason: "the scheme \"\(scheme)\" is not valid") }
        var rest = String(text[separator.upperBound...])
        var query = ""
        if let mark = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: mark)...])
            rest = String(rest[..<mark])
        }
        if rest.hasPrefix("/") || rest.isEmpty {
            host = nil
            port = nil
            path = rest.removingPercentEncoding ?? rest
        } else {
            let slash = rest.firstIndex(of: "/") ?? rest.endIndex
            // User information (`redis://user:password@host`) is the factory's to read from the
            // description; the host and port follow the last "@".
            let userAndHost = String(rest[..<slash])
            let authority =
                userAndHost.lastIndex(of: "@").map { String(userAndHost[userAndHost.index(after: $0)...]) }
                ?? userAndHost
            path = String(rest[slash...]).removingPercentEncoding ?? String(rest[slash...])
            if let colon = authority.lastIndex(of: ":"), !(authority.hasPrefix("[") && authority.hasSuffix("]")) {
                host = String(authority[..<colon])
                guard let number = Int(authority[authority.index(after: colon)...]), (1...65535).contains(number) else {
                    throw CashewsError.invalidURL(text, reason: "the port is not a number from 1 to 65535")
                }
                port = number
            } else {
                host = authority
                port = nil
            }
        }
        var parameters: [String: String] = [:]
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]).lowercased()
            let value = parts.count > 1 ? String(parts[1]) : ""
            guard !name.isEmpty else { throw CashewsError.invalidURL(text, reason: "a parameter has no name") }
            guard parameters[name] == nil else {
                throw CashewsError.invalidURL(text, reason: "the parameter \"\(name)\" appears twice")
            }
            parameters[name] = value.removingPercentEncoding ?? value
        }
        self.parameters = parameters
    }

    /// The same URL without the parameters `names` (lower-case): how ``Cache/setup(_:prefix:)``
    /// sets aside its own parameters before the backend reads the rest. The description stays
    /// the URL as written, for error messages.
    public func removing(parameters names: [String]) -> BackendURL {
        var url = self
        for name in names { url.parameters[name] = nil }
        return url
    }

    /// The same URL with the parameter `alias` (a cashews spelling, such as `compress_type`)
    /// renamed `name`.
    ///
    /// - Throws: ``CashewsError/invalidURL(_:reason:)`` when both are given.
    public func renaming(_ alias: String, to name: String) throws -> BackendURL {
        guard let value = parameters[alias] else { return self }
        guard parameters[name] == nil else {
            throw CashewsError.invalidURL(
                description, reason: "\"\(alias)\" and \"\(name)\" mean the same: give only \(name)")
        }
        var url = self
        url.parameters[alias] = nil
        url.parameters[name] = value
        return url
    }

    /// Throws ``CashewsError/invalidURL(_:reason:)`` for a parameter of `unsupported` (names of
    /// parameters whose meaning does not carry over, with what to do instead).
    public func checkNone(of unsupported: [String: String]) throws {
        if let name = parameters.keys.sorted().first(where: { unsupported[$0] != nil }) {
            throw CashewsError.invalidURL(
                description, reason: "\(scheme):// has no parameter \"\(name)\": \(unsupported[name] ?? "")")
        }
    }

    /// Throws ``CashewsError/unknownParameter(_:scheme:accepted:)`` for any parameter not in
    /// `accepted`.
    public func checkNoOtherParameters(accepted: [String]) throws {
        if let unknown = parameters.keys.sorted().first(where: { !accepted.contains($0) }) {
            throw CashewsError.unknownParameter(unknown, scheme: scheme, accepted: accepted)
        }
    }

    /// A string parameter.
    public func string(_ name: String) -> String? { parameters[name] }

    /// A whole-number parameter.
    public func integer(_ name: String, in range: ClosedRange<Int> = 0...Int.max) throws -> Int? {
        guard let text = parameters[name] else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw CashewsError.invalidParameter(name, value: text, expected: "a whole number in \(range)")
        }
        return value
    }

    /// A size in bytes: `1048576`, `512KB`, `64MiB`, `1GB` (KB, MB, GB, TB are powers of 1000;
    /// KiB, MiB, GiB, TiB powers of 1024).
    public func byteSize(_ name: String) throws -> Int? {
        guard let text = parameters[name] else { return nil }
        let units: [(String, Int)] = [
            ("kib", 1 << 10), ("mib", 1 << 20), ("gib", 1 << 30), ("tib", 1 << 40), ("kb", 1000),
            ("mb", 1_000_000), ("gb", 1_000_000_000), ("tb", 1_000_000_000_000), ("b", 1),
        ]
        let lower = text.lowercased()
        let unit = units.first { lower.hasSuffix($0.0) }
        let digits = unit.map { String(lower.dropLast($0.0.count)) } ?? lower
        guard let number = Int(digits), number >= 0,
            case let (bytes, overflow) = number.multipliedReportingOverflow(by: unit?.1 ?? 1), !overflow
        else {
            throw CashewsError.invalidParameter(
                name, value: text, expected: "a size in bytes such as 1048576, 512KB, 64MiB or 1GB")
        }
        return bytes
    }

    /// A duration: a TTL string (`90s`, `250ms`, `1h`), or seconds as cashews writes them,
    /// whole or not (`10`, `0.01`), to the millisecond.
    public func duration(_ name: String) throws -> Duration? {
        guard let text = parameters[name] else { return nil }
        if let seconds = Double(text), seconds.isFinite, text.contains(".") {
            let milliseconds = (seconds * 1000).rounded()
            if milliseconds >= 1 && milliseconds < 9e15 { return .milliseconds(Int64(milliseconds)) }
        }
        do {
            return try TTL(parsing: text).duration
        } catch {
            throw CashewsError.invalidParameter(
                name, value: text, expected: "a positive duration such as 1s, 250ms, 5m or 0.01 (seconds)")
        }
    }

    /// A boolean: `true`/`1`/`yes` or `false`/`0`/`no`.
    public func boolean(_ name: String) throws -> Bool? {
        guard let text = parameters[name] else { return nil }
        switch text.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw CashewsError.invalidParameter(name, value: text, expected: "true or false")
        }
    }

    /// One of `choices` (compared case-insensitively), mapped to its value.
    public func choice<T>(_ name: String, _ choices: [String: T]) throws -> T? {
        guard let text = parameters[name] else { return nil }
        guard let value = choices[text.lowercased()] else {
            throw CashewsError.invalidParameter(
                name, value: text, expected: "one of \(choices.keys.sorted().joined(separator: ", "))")
        }
        return value
    }
}
