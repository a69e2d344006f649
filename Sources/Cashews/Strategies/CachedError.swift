import Foundation
import Synchronization

/// An error a strategy stored (see ``CacheCondition``), thrown again by a hit that reads it.
///
/// The rule: an error whose type is `Codable` comes back as itself, decoded from what was
/// stored, so `catch let error as MyError` catches cached hits too (as cashews re-raises the
/// original exception). Storing one registers its type in the storing process; other processes
/// that read what it stored call ``Cache/register(cachedError:)`` once. Every other error (not
/// `Codable`, or of a type this process never registered) comes back as a `CachedError` naming
/// its type and carrying its description, on every backend alike.
public struct CachedError: Error, Codable, Sendable, Hashable, CustomStringConvertible {
    /// The full name of the original error's type, e.g. `MyApp.NotFound`.
    public let typeName: String
    /// The original error's description.
    public let description: String

    /// A cached error of `typeName` described by `description`.
    public init(typeName: String, description: String) {
        self.typeName = typeName
        self.description = description
    }
}

/// An error that a cache stores and throws again as itself. Any `Codable` error already is one
/// (see ``CachedError``); the protocol names the intent and is kept for existing code.
///
/// ```swift
/// struct NotFound: CacheableError { var id: Int }
/// Cache.register(cachedError: NotFound.self)   // in processes that only read
/// ```
public protocol CacheableError: Error, Codable, Sendable {}

extension Cache {
    /// Registers `type`, so that a cached error of that type is thrown again as itself rather
    /// than as a ``CachedError`` (registration is process-wide; a process that stores such an
    /// error registers its type by doing so).
    public static func register<E: Error & Codable>(cachedError type: E.Type) {
        let decode: @Sendable ([UInt8]) throws -> any Error = { bytes in
            try JSONDecoder().decode(E.self, from: Data(bytes))
        }
        StoredError.decoders.withLock { $0[String(reflecting: type)] = decode }
    }

    /// ``register(cachedError:)`` under its earlier name.
    public static func register<E: CacheableError>(cacheableError type: E.Type) {
        register(cachedError: type)
    }
}

/// The stored form of an error: its type's name, its description and, for a `Codable` error,
/// its JSON.
@usableFromInline
struct StoredError: Codable, Sendable, Hashable {
    var typeName: String
    var description: String
    var payload: [UInt8]?

    /// Decoders of the registered cacheable errors, by type name.
    static let decoders = Mutex<[String: @Sendable ([UInt8]) throws -> any Error]>([:])

    init(_ error: any Error) {
        typeName = String(reflecting: type(of: error))
        description = String(describing: error)
        if let codable = error as? any Error & Codable {
            payload = StoredError.registeringType(of: codable)
        }
    }

    /// Registers the type of `error` and returns its JSON.
    private static func registeringType<E: Error & Codable>(of error: E) -> [UInt8]? {
        Cache.register(cachedError: E.self)
        return try? Array(JSONEncoder().encode(error))
    }

    /// The error to throw: the original type when it is registered and decodes, else a
    /// ``CachedError``.
    @usableFromInline
    var error: any Error {
        if let payload, let decode = StoredError.decoders.withLock({ $0[typeName] }),
            let decoded = try? decode(payload)
        {
            return decoded
        }
        return CachedError(typeName: typeName, description: description)
    }
}
