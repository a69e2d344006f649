/// What the caching strategies store under a key: the value or the error a call produced and,
/// for early and soft TTLs, when the value goes stale.
///
/// A memory backend keeps the envelope as an object, so that a hit is one cast. Backends that
/// store bytes get `[0xCE, kind, stale-at (8 bytes, little-endian), payload]`: kind 0 is a
/// value encoded by ``ValueCodec`` (raw bytes, strings and integers as they are, else its binary
/// form), kind 1 is an error. On a route that compresses or signs, those bytes are then framed
/// by its ``ValueFormat`` like any value (so a tampered envelope is a bad signature, an unsigned
/// one a miss). A stored value of another form or type reads as a miss, so a changed type is
/// recomputed, never a crash.
@usableFromInline
struct StoredEnvelope<Value: Codable & Sendable>: Codable, Sendable, EncodedEnvelope {
    @usableFromInline
    enum Content: Codable, Sendable {
        case value(Value)
        case error(StoredError)
    }

    @usableFromInline var content: Content
    /// Milliseconds since the epoch at which the value goes stale; 0 when it never does.
    @usableFromInline var staleAt: Int64

    @usableFromInline
    init(_ content: Content, staleAt: Int64 = 0) {
        self.content = content
        self.staleAt = staleAt
    }

    /// The value, or the stored error thrown again.
    @inlinable
    func unwrap() throws -> Value {
        switch content {
        case .value(let value): return value
        case .error(let stored): throw stored.error
        }
    }

    /// The error it holds, if it holds one.
    @usableFromInline var storedError: StoredError? {
        if case .error(let error) = content { return error }
        return nil
    }

    /// True when it holds a value, not an error.
    var holdsValue: Bool {
        if case .value = content { return true }
        return false
    }

    @usableFromInline static var magic: UInt8 { 0xCE }

    /// The envelope of a stored value; nil when it is not one of `Value` (read as a miss).
    @inlinable
    static func read(_ stored: CacheValue?) -> StoredEnvelope? {
        switch stored {
        case .none: return nil
        case .object(let object)?:
            if let envelope = object as? StoredEnvelope { return envelope }
            // Another type: read it as a backend of bytes would, so every backend answers alike.
            guard let other = object as? any EncodedEnvelope, let bytes = try? other.encoded(key: "") else {
                return nil
            }
            return decode(bytes)
        case .bytes(let bytes)?: return decode(bytes)
        }
    }

    /// The form `backend` stores.
    func stored(for backend: any Backend, key: String) throws -> CacheValue {
        backend.storesObjects ? .object(self) : .bytes(try encoded(key: key))
    }

    @usableFromInline
    func encoded(key: String) throws -> [UInt8] {
        var bytes: [UInt8] = [StoredEnvelope.magic, 0]
        bytes.reserveCapacity(64)
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: staleAt >> shift)) }
        switch content {
        case .value(let value):
            bytes += try ValueCodec.encode(value, key: key)
        case .error(let error):
            bytes[1] = 1
            bytes += try ValueCodec.encode(error, key: key)
        }
        return bytes
    }

    @usableFromInline
    static func decode(_ bytes: [UInt8]) -> StoredEnvelope? {
        guard bytes.count >= 10, bytes[0] == magic, bytes[1] <= 1 else { return nil }
        let staleAt = (0..<8).reduce(Int64(0)) { $0 | Int64(bytes[2 + $1]) << (8 * $1) }
        let payload = Array(bytes[10...])
        if bytes[1] == 0 {
            guard let value = try? ValueCodec.decode(payload, as: Value.self, key: "") else { return nil }
            return StoredEnvelope(.value(value), staleAt: staleAt)
        }
        guard let error = try? ValueCodec.decode(payload, as: StoredError.self, key: "") else { return nil }
        return StoredEnvelope(.error(error), staleAt: staleAt)
    }
}

/// An envelope of any value type, as its bytes.
@usableFromInline
protocol EncodedEnvelope {
    func encoded(key: String) throws -> [UInt8]
    /// The error it holds, if it holds one.
    var storedError: StoredError? { get }
}

extension Cache {
    /// The envelope stored under `key` on `route` (the key's, looked up once by the caller), read
    /// through the route's value format; nil when absent, of another type, or unsigned where
    /// values must be signed.
    ///
    /// - Throws: ``CashewsError/badSignature(key:)`` for a tampered value, or the backend's errors.
    @usableFromInline
    nonisolated(nonsending) func envelope<Value>(of type: Value.Type, at key: String, in route: Route)
        async throws
        -> StoredEnvelope<Value>?
    {
        let stored = try await route.get(key)
        return try envelope(of: type, from: stored, key: key, format: route.format)
    }

    /// The envelope in `stored`, read through `format`.
    @inlinable
    func envelope<Value>(of type: Value.Type, from stored: CacheValue?, key: String, format: ValueFormat) throws
        -> StoredEnvelope<Value>?
    {
        guard !format.isStandard, case .bytes(let framed)? = stored else { return StoredEnvelope<Value>.read(stored) }
        return try unframe(framed, key: key, format: format).flatMap { StoredEnvelope<Value>.decode($0) }
    }

    /// The bytes inside a framed value; nil (counted) when unsigned where values must be signed.
    @usableFromInline
    func unframe(_ framed: [UInt8], key: String, format: ValueFormat) throws -> [UInt8]? {
        do {
            guard let bytes = try format.decode([UInt8].self, from: framed, forKey: key) else {
                unsignedValues.increment()
                return nil
            }
            return bytes
        } catch CashewsError.badSignature(let key) {
            badSignatures.increment()
            logger.warning("bad signature: value not returned", metadata: ["key": "\(key)"])
            throw CashewsError.badSignature(key: key)
        }
    }

    /// What to store for `envelope` under `key` on `route`: an object where the route's backend
    /// keeps objects and its format is the standard one, else its bytes through that format.
    func storedForm<Value>(of envelope: StoredEnvelope<Value>, for route: Route, key: String) throws
        -> CacheValue
    {
        let format = route.format
        guard !format.isStandard else { return try envelope.stored(for: route.backend, key: key) }
        return .bytes(try format.encode(envelope.encoded(key: key), forKey: key))
    }
}
