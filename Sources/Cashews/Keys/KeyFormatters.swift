import Crypto
import Foundation
import Synchronization

/// The formatters that key templates can name after a colon, as in `{token:hash(sha256)}`: the
/// built-in ones and those you register.
///
/// Built in:
///
/// | formatter | result |
/// |---|---|
/// | `hash`, `hash(md5)`, `hash(sha1)`, `hash(sha256)` | the lowercase hex digest of the UTF-8 text (MD5 by default) |
/// | `lower`, `upper` | the text in lower or upper case |
/// | `len` | the number of Unicode scalars in the text (as Python's `len`) |
/// | `jwt(claim)` | the claim of a JSON Web Token's payload (not verified: for keys only) |
///
/// Templates look their formatters up when they are parsed, so register yours first:
///
/// ```swift
/// KeyFormatters.standard.register("prefix") { text, arguments in
///     String(text.prefix(Int(arguments.first ?? "") ?? 8))
/// }
/// let template = try KeyTemplate("session:{token:prefix(6)}")
/// ```
///
/// ``KeyFormatters/standard`` is the registry templates use unless given another; a registry
/// made with ``init()`` has the built-in formatters only, for code that wants its own.
public final class KeyFormatters: Sendable {
    /// A custom formatter: it gets the text of the value and the formatter's arguments (the
    /// text between its parentheses, split at commas, without surrounding spaces) and returns
    /// the text to put in the key, or throws to reject the input.
    public typealias Body = @Sendable (_ text: String, _ arguments: [String]) throws -> String

    /// The registry of templates parsed without one: the built-in formatters, and those registered
    /// in it.
    public static let standard = KeyFormatters()

    private let custom = Mutex<[String: Body]>([:])

    /// A registry with the built-in formatters only.
    public init() {}

    /// Registers `body` as the formatter `name`, for templates parsed from now on; a formatter
    /// of the same name, custom or built in, is replaced.
    ///
    /// - Precondition: `name` is a non-empty run of letters, digits and `_` (so that templates
    ///   can name it).
    public func register(_ name: String, _ body: @escaping Body) {
        precondition(
            !name.isEmpty && name.allSatisfy(KeyTemplate.isNameCharacter),
            "a formatter name is a non-empty run of letters, digits and _, not \"\(name)\"")
        custom.withLock { $0[name] = body }
    }

    /// The names of every formatter a template can use: built in and registered.
    public var names: [String] {
        Set(BuiltinKeyFormatter.allCases.map(\.rawValue)).union(custom.withLock { $0.keys }).sorted()
    }

    /// The formatter called `name`, if any.
    func lookup(_ name: String) -> KeyFormatterEntry? {
        if let body = custom.withLock({ $0[name] }) { return .custom(name: name, body: body) }
        return BuiltinKeyFormatter(rawValue: name).map { .builtin($0) }
    }
}

/// A formatter found by name, before its arguments are known.
enum KeyFormatterEntry: Sendable {
    case builtin(BuiltinKeyFormatter)
    case custom(name: String, body: KeyFormatters.Body)

    /// The formatter with these arguments, or why they are wrong.
    func prepared(_ arguments: [String]) -> Result<PreparedKeyFormatter, KeyFieldAccessFailure> {
        switch self {
        case .custom(let name, let body):
            return .success(.custom(name: name, arguments: arguments, body: body))
        case .builtin(let builtin):
            return builtin.prepared(arguments)
        }
    }
}

/// The formatters every registry has.
enum BuiltinKeyFormatter: String, CaseIterable, Sendable {
    case hash, lower, upper, len, jwt

    func prepared(_ arguments: [String]) -> Result<PreparedKeyFormatter, KeyFieldAccessFailure> {
        func noArguments(_ formatter: PreparedKeyFormatter) -> Result<PreparedKeyFormatter, KeyFieldAccessFailure> {
            arguments.isEmpty
                ? .success(formatter)
                : .failure(.init(reason: "\(rawValue) takes no arguments: write {name:\(rawValue)}"))
        }
        switch self {
        case .lower: return noArguments(.lower)
        case .upper: return noArguments(.upper)
        case .len: return noArguments(.length)
        case .hash:
            guard arguments.count <= 1 else {
                return .failure(.init(reason: "hash takes one algorithm: md5, sha1 or sha256"))
            }
            let name = arguments.first ?? "md5"
            guard let algorithm = KeyHashAlgorithm(rawValue: name.lowercased()) else {
                return .failure(.init(reason: "unknown algorithm \"\(name)\": use md5, sha1 or sha256"))
            }
            return .success(.hash(algorithm))
        case .jwt:
            guard arguments.count == 1, !arguments[0].isEmpty else {
                return .failure(.init(reason: "jwt takes the name of one claim, e.g. jwt(sub)"))
            }
            return .success(.jwt(claim: arguments[0]))
        }
    }
}

/// A hash algorithm of the `hash` formatter.
enum KeyHashAlgorithm: String, Sendable {
    case md5, sha1, sha256
}

/// A formatter with its arguments checked: what rendering applies.
enum PreparedKeyFormatter: Sendable {
    case lower, upper, length
    case hash(KeyHashAlgorithm)
    case jwt(claim: String)
    case custom(name: String, arguments: [String], body: KeyFormatters.Body)

    /// The formatted text, or why the formatter rejects `text`.
    func apply(_ text: String) -> Result<String, KeyFieldAccessFailure> {
        switch self {
        case .lower: return .success(text.lowercased())
        case .upper: return .success(text.uppercased())
        case .length: return .success(String(text.unicodeScalars.count))
        case .hash(let algorithm): return .success(PreparedKeyFormatter.hexDigest(of: text, algorithm))
        case .jwt(let claim): return JSONWebToken.claim(claim, of: text)
        case .custom(_, let arguments, let body):
            do {
                return .success(try body(text, arguments))
            } catch {
                return .failure(.init(reason: "\(error)"))
            }
        }
    }

    private static func hexDigest(of text: String, _ algorithm: KeyHashAlgorithm) -> String {
        var out = ""
        let bytes = Array(text.utf8)
        switch algorithm {
        case .md5: KeyText.appendHex(Insecure.MD5.hash(data: bytes), to: &out)
        case .sha1: KeyText.appendHex(Insecure.SHA1.hash(data: bytes), to: &out)
        case .sha256: KeyText.appendHex(SHA256.hash(data: bytes), to: &out)
        }
        return out
    }
}

/// Reads claims of JSON Web Tokens, without verifying them (a key only needs to tell tokens
/// apart by a claim).
enum JSONWebToken {
    static func claim(_ name: String, of token: String) -> Result<String, KeyFieldAccessFailure> {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            return .failure(
                .init(reason: "the text is not a JWT: it has \(parts.count) dot-separated parts, not 3"))
        }
        guard let payload = base64URLDecoded(parts[1]) else {
            return .failure(.init(reason: "the JWT payload is not base64url"))
        }
        guard let claims = try? JSONDecoder().decode([String: JSONClaim].self, from: payload) else {
            return .failure(.init(reason: "the JWT payload is not a JSON object"))
        }
        guard let claim = claims[name] else {
            let known = claims.keys.sorted().map { "\"\($0)\"" }.joined(separator: ", ")
            return .failure(.init(reason: "the JWT has no claim \"\(name)\" (it has \(known))"))
        }
        return .success(claim.text)
    }

    private static func base64URLDecoded(_ text: Substring) -> Data? {
        var base64 = String(text).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard !base64.contains("=") else { return nil }
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}

/// A JSON value of a JWT claim.
enum JSONClaim: Codable, Sendable {
    case string(String)
    case integer(Int64)
    case number(Double)
    case bool(Bool)
    case null
    case array([JSONClaim])
    case object([String: JSONClaim])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let integer = try? container.decode(Int64.self) {
            self = .integer(integer)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else if let array = try? container.decode([JSONClaim].self) {
            self = .array(array)
        } else {
            self = .object(try container.decode([String: JSONClaim].self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let string): try container.encode(string)
        case .integer(let integer): try container.encode(integer)
        case .number(let number): try container.encode(number)
        case .bool(let bool): try container.encode(bool)
        case .null: try container.encodeNil()
        case .array(let array): try container.encode(array)
        case .object(let object): try container.encode(object)
        }
    }

    /// The claim's text: by the key text rules for scalars and arrays, compact JSON with sorted
    /// keys for objects.
    var text: String {
        switch self {
        case .string(let string): return string
        case .integer(let integer): return String(integer)
        case .number(let number): return number.description
        case .bool(let bool): return bool ? "true" : "false"
        case .null: return ""
        case .array(let array): return array.map(\.text).joined(separator: ":")
        case .object:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        }
    }
}
