/// How the values of one route are stored: a codec, then optional compression, then an optional
/// signature.
///
/// ```swift
/// try cache.setup("disk:///var/cache/app?secret=\(secret)&compress=zlib")
/// // or
/// cache.setup(backend, format: ValueFormat(
///     compression: ValueCompression(.gzip, minimumSize: 4096),
///     signing: try ValueSigning(secret: secret)))
/// ```
///
/// With compression or signing, values other than integers are stored in a small frame: the
/// bytes `FF 63`, a flags byte, the digest and MAC when signed, the original length when
/// compressed, then the encoded value. Integers stay plain ASCII decimal so that counters keep
/// working. The frame starts with a byte that never begins UTF-8 text, JSON or a number.
///
/// A route without compression and signing reads every value with its codec alone, frames
/// included: after turning both off, rewrite or delete the values stored with them. While either
/// is on, every frame reads (compressed values inflate whatever the current compression setting).
///
/// The memory backend keeps values as objects (no encoding at all) only with the default
/// format; any other format makes it store bytes, so that every backend honours it.
public struct ValueFormat: Sendable {
    /// Encodes values to bytes.
    public var codec: any CacheCodec
    /// Compression for large values, or nil.
    public var compression: ValueCompression?
    /// Signing, or nil.
    public var signing: ValueSigning?

    /// A format with `codec`, `compression` and `signing`.
    public init(codec: any CacheCodec = .standard, compression: ValueCompression? = nil, signing: ValueSigning? = nil) {
        self.codec = codec
        self.compression = compression
        self.signing = signing
        framesValues = compression != nil || signing != nil
        isStandard = codec is StandardCodec && !framesValues
    }

    /// The default: ``StandardCodec``, no compression, no signature.
    public static let standard = ValueFormat()

    /// True for the default format, whose values a memory backend may keep as objects.
    @usableFromInline let isStandard: Bool
    /// True when values are stored in a frame (with compression or signing).
    let framesValues: Bool

    // MARK: The frame

    static let magic: (UInt8, UInt8) = (0xFF, 0x63)
    static let compressedFlag: UInt8 = 1
    static let signedFlag: UInt8 = 2

    /// The stored bytes of `value` under `key` (the key is part of the signature).
    public func encode<T: Encodable>(_ value: T, forKey key: String) throws -> [UInt8] {
        let encoded = try codec.encode(value, forKey: key)
        if !framesValues || value is any FixedWidthInteger { return encoded }
        var flags: UInt8 = 0
        var body = encoded
        var lengthField: [UInt8] = []
        if let compression, encoded.count >= compression.minimumSize, encoded.count <= Int(UInt32.max),
            let compressed = compression.compress(encoded)
        {
            flags |= Self.compressedFlag
            body = compressed
            lengthField = withUnsafeBytes(of: UInt32(encoded.count).littleEndian, Array.init)
        }
        guard let signing else { return [Self.magic.0, Self.magic.1, flags] + lengthField + body }
        flags |= Self.signedFlag
        let header = [Self.magic.0, Self.magic.1, flags, signing.digest.code]
        let mac = signing.sign(key: key, header: header, body: (lengthField + body)[...])
        return header + mac + lengthField + body
    }

    /// The value of `bytes` stored under `key`, or nil for an unsigned value where values must
    /// be signed (a miss).
    ///
    /// - Throws: ``CashewsError/badSignature(key:)``, ``CashewsError/damagedValue(key:reason:)``,
    ///   or the codec's error for another type.
    public func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], forKey key: String) throws -> T? {
        guard framesValues, bytes.count >= 3, bytes[0] == Self.magic.0, bytes[1] == Self.magic.1 else {
            // Plain bytes: a counter, or a value written before signing was set up.
            if signing != nil, !(T.self is any FixedWidthInteger.Type) { return nil }
            return try codec.decode(type, from: bytes, forKey: key)
        }
        let flags = bytes[2]
        guard flags & ~(Self.compressedFlag | Self.signedFlag) == 0 else {
            throw CashewsError.damagedValue(
                key: key, reason: "its frame has unknown flags \(flags) (written by a newer version?)")
        }
        var position = 3
        if flags & Self.signedFlag != 0 {
            guard bytes.count > position, let digest = ValueSigning.Digest(code: bytes[position]) else {
                throw CashewsError.badSignature(key: key)
            }
            let header = Array(bytes[0...position])
            position += 1
            guard bytes.count >= position + digest.macCount else { throw CashewsError.badSignature(key: key) }
            let mac = bytes[position..<position + digest.macCount]
            position += digest.macCount
            // Without a secret nothing is checked (there is nothing to check against).
            if let signing, !signing.verify(mac, digest: digest, key: key, header: header, body: bytes[position...]) {
                throw CashewsError.badSignature(key: key)
            }
        } else if signing != nil {
            return nil
        }
        guard flags & Self.compressedFlag != 0 else {
            return try codec.decode(type, from: Array(bytes[position...]), forKey: key)
        }
        guard bytes.count >= position + 4 else {
            throw CashewsError.damagedValue(key: key, reason: "its compressed length is cut short")
        }
        let count = bytes[position..<position + 4].reversed().reduce(0) { $0 << 8 | Int($1) }
        let inflated: [UInt8]
        do {
            inflated = try ValueCompression.decompress(bytes[(position + 4)...], expectedCount: count)
        } catch {
            throw CashewsError.damagedValue(key: key, reason: error.reason)
        }
        return try codec.decode(type, from: inflated, forKey: key)
    }
}
