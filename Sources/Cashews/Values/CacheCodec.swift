/// Turns typed values into the bytes a backend stores, and back.
///
/// The ``Cache`` front encodes with the codec of the route that serves a key (see
/// ``ValueFormat``), then compresses and signs when the route asks for it. Conform to plug in
/// another encoding (a schema-based binary format, a shared wire format):
///
/// ```swift
/// struct ProtobufCodec: CacheCodec { … }
/// cache.setup(backend, format: ValueFormat(codec: ProtobufCodec()))
/// ```
///
/// Rules every codec keeps:
/// - decoding bytes that were written as another type throws (a typed error such as
///   ``CashewsError/decodingFailed(key:type:reason:)``), it never traps;
/// - integers should encode as ASCII decimal, so that backend counters (`increment`) work on them.
public protocol CacheCodec: Sendable {
    /// The bytes that store `value` under `key` (`key` is for error messages).
    func encode<T: Encodable>(_ value: T, forKey key: String) throws -> [UInt8]
    /// `bytes` stored under `key`, read as `T`.
    func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], forKey key: String) throws -> T
}

/// The default codec: the forms of ``ValueCodec`` (raw bytes, UTF-8 strings, decimal integers,
/// `1`/`0` booleans, and a compact binary form or JSON for everything else).
public struct StandardCodec: CacheCodec {
    /// How structured values are written (both forms are always read).
    public var structuredForm: ValueCodec.StructuredForm

    /// The default codec, writing structured values in `structuredForm`.
    public init(structuredForm: ValueCodec.StructuredForm = .binary) { self.structuredForm = structuredForm }

    /// See ``ValueCodec/encode(_:key:form:)``.
    public func encode<T: Encodable>(_ value: T, forKey key: String) throws -> [UInt8] {
        try ValueCodec.encode(value, key: key, form: structuredForm)
    }

    /// See ``ValueCodec/decode(_:as:key:)``.
    public func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], forKey key: String) throws -> T {
        try ValueCodec.decode(bytes, as: type, key: key)
    }
}

extension CacheCodec where Self == StandardCodec {
    /// The default codec.
    public static var standard: StandardCodec { StandardCodec() }
}
