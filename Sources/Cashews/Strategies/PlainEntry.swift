import Foundation
import Logging

/// What ``Cache/cached(key:ttl:condition:timeCondition:tags:lock:lockTimeout:protected:prefix:upper:_:)``
/// and ``Cache/failover(key:ttl:condition:timeCondition:when:prefix:_:)`` find under their key:
/// the plain value (as ``Cache/set(_:_:ttl:)`` stores it and ``Cache/get(_:as:)`` reads it), a
/// stored error, or nothing they can use.
@usableFromInline
enum PlainEntry<Value> {
    case value(Value)
    case error(StoredError)
    case miss
}

extension Cache {
    /// The entry under `key` on `route`, read as ``plainEntry(of:from:key:format:)`` does.
    @usableFromInline
    nonisolated(nonsending) func plainEntry<Value: Codable & Sendable>(
        of type: Value.Type, at key: String, in route: Route
    ) async throws -> PlainEntry<Value> {
        try plainEntry(of: type, from: try await route.get(key), key: key, format: route.format)
    }

    /// `stored` read as a plain `Value` or a stored error. A value of another or an outdated type
    /// is a miss (counted in `cashews_unreadable_values` and logged), so that a changed type is
    /// recomputed and overwritten, never a crash; an unsigned value where values must be signed
    /// is a miss too.
    ///
    /// - Throws: ``CashewsError/badSignature(key:)`` for a tampered value,
    ///   ``CashewsError/damagedValue(key:reason:)`` for a damaged frame.
    @inlinable
    func plainEntry<Value: Codable & Sendable>(
        of type: Value.Type, from stored: CacheValue?, key: String, format: ValueFormat
    ) throws -> PlainEntry<Value> {
        switch stored {
        case .none:
            return .miss
        case .object(let object)?:
            if let value = Cache.exactly(object, as: type) ?? object as? Value { return .value(value) }
            if let envelope = object as? any EncodedEnvelope {
                if let error = envelope.storedError { return .error(error) }
                return unreadable(key, as: type, reason: "it holds the metadata of another strategy")
            }
            do {
                return .value(try ValueCodec.cast(object, as: type, key: key))
            } catch {
                return unreadable(key, as: type, reason: "\(error)")
            }
        case .bytes(let bytes)?:
            return try plainEntry(of: type, fromBytes: bytes, key: key, format: format)
        }
    }

    /// Stored bytes read as a plain `Value` or a stored error (see ``plainEntry(of:from:key:format:)``).
    @usableFromInline
    func plainEntry<Value: Codable & Sendable>(
        of type: Value.Type, fromBytes bytes: [UInt8], key: String, format: ValueFormat
    ) throws -> PlainEntry<Value> {
        var decoded: Value?
        var failure: (any Error)?
        do {
            guard let value = try decodeSigned(type, from: bytes, key: key, format: format) else {
                unsignedValues.increment()
                return .miss
            }
            decoded = value
        } catch let error as CashewsError {
            switch error {
            case .typeMismatch, .decodingFailed: failure = error
            default: throw error
            }
        }
        // Bytes and data read anything, a stored error too: look for one first.
        let readsAnyBytes = Value.self == [UInt8].self || Value.self == Data.self
        if decoded == nil || readsAnyBytes, let error = storedError(in: bytes, key: key, format: format) {
            return .error(error)
        }
        if let decoded { return .value(decoded) }
        return unreadable(key, as: type, reason: failure.map { "\($0)" } ?? "unknown form")
    }

    /// The error stored in `bytes` (an error envelope, framed by `format`), if that is what they are.
    func storedError(in bytes: [UInt8], key: String, format: ValueFormat) -> StoredError? {
        let inner: [UInt8]
        if format.isStandard {
            inner = bytes
        } else {
            guard let unframed = try? format.decode([UInt8].self, from: bytes, forKey: key) else { return nil }
            inner = unframed
        }
        guard inner.count >= 10, inner[0] == StoredEnvelope<Int>.magic, inner[1] == 1 else { return nil }
        return StoredEnvelope<Int>.decode(inner)?.storedError
    }

    /// `bytes` decoded through `format`, with a bad signature counted and logged.
    func decodeSigned<Value: Codable & Sendable>(
        _ type: Value.Type, from bytes: [UInt8], key: String, format: ValueFormat
    ) throws -> Value? {
        do {
            return try format.decode(type, from: bytes, forKey: key)
        } catch CashewsError.badSignature(let key) {
            badSignatures.increment()
            logger.warning("bad signature: value not returned", metadata: ["key": "\(key)"])
            throw CashewsError.badSignature(key: key)
        }
    }

    /// A value that is not a `Value`: a miss, counted and logged.
    @usableFromInline
    func unreadable<Value>(_ key: String, as type: Value.Type, reason: String) -> PlainEntry<Value> {
        unreadableValues.increment()
        logger.notice(
            "a stored value of another type read as a miss",
            metadata: ["key": "\(key)", "expected": "\(Value.self)", "reason": "\(reason)"])
        return .miss
    }

    /// The stored form of a strategy's outcome under `key` on `route`: a value exactly as
    /// ``set(_:_:ttl:)`` stores it, an error in an error envelope.
    func plainStoredForm<Value: Codable & Sendable>(
        of outcome: Result<Value, any Error>, for route: Route, key: String
    ) throws -> CacheValue {
        switch outcome {
        case .success(let value): return try encode(value, for: route, key: key)
        case .failure(let error):
            return try storedForm(of: StoredEnvelope<Value>(.error(StoredError(error))), for: route, key: key)
        }
    }
}
