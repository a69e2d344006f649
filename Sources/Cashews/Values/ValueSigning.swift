import Crypto

/// How a route signs stored values: an HMAC over the key and the stored bytes, so that a value
/// that was changed, forged without the secret, or copied to another key is never returned.
///
/// - A value with a bad signature is a typed error (``CashewsError/badSignature(key:)``),
///   counted as `cashews_bad_signatures`; it is never returned as a value.
/// - A value with no signature is a miss (counted as `cashews_unsigned_values`), except integers,
///   which stay plain decimal so that ``Cache/increment(_:by:ttl:)`` works on them.
///
/// **Rotating the secret.** Set the new secret and keep the old one in ``previousSecrets``:
/// values signed with either are read, new values are signed with the new one. Once every value
/// signed with the old secret has expired (or been rewritten), drop it. Without that step, values
/// signed with an old secret are bad signatures.
///
/// Setup URL: `secret=…`, `digestmod=sha256|sha384|sha512|sha1`, `previous_secrets=a,b`.
public struct ValueSigning: Sendable {
    /// The hash function of the HMAC.
    public enum Digest: String, Sendable, Hashable, CaseIterable {
        /// HMAC-SHA256 (the default).
        case sha256
        /// HMAC-SHA384.
        case sha384
        /// HMAC-SHA512.
        case sha512
        /// HMAC-SHA1, for reading values signed by older setups; prefer SHA-2.
        case sha1

        /// The byte that names the digest in a stored value.
        var code: UInt8 {
            switch self {
            case .sha256: return 1
            case .sha384: return 2
            case .sha512: return 3
            case .sha1: return 4
            }
        }

        init?(code: UInt8) {
            guard let digest = Digest.allCases.first(where: { $0.code == code }) else { return nil }
            self = digest
        }

        /// The length of its MAC in bytes.
        var macCount: Int {
            switch self {
            case .sha256: return 32
            case .sha384: return 48
            case .sha512: return 64
            case .sha1: return 20
            }
        }
    }

    /// The digest new values are signed with. Values signed with another digest are still read.
    public var digest: Digest
    private let key: SymmetricKey
    private let previousKeys: [SymmetricKey]

    /// Signing with `secret` (not empty) and `digest`; values signed with `previousSecrets` are
    /// still accepted on read.
    ///
    /// - Throws: ``CashewsError/invalidArgument(_:)`` for an empty secret.
    public init(secret: String, digest: Digest = .sha256, previousSecrets: [String] = []) throws {
        guard !secret.isEmpty, !previousSecrets.contains(where: \.isEmpty) else {
            throw CashewsError.invalidArgument("a signing secret cannot be empty: pass a long random string")
        }
        self.digest = digest
        key = SymmetricKey(data: Array(secret.utf8))
        previousKeys = previousSecrets.map { SymmetricKey(data: Array($0.utf8)) }
    }

    /// The MAC of `parts` (the key, then the stored bytes) with `digest`.
    func mac(_ digest: Digest, key: SymmetricKey, _ parts: [UInt8]...) -> [UInt8] {
        func compute<H: HashFunction>(_: H.Type) -> [UInt8] {
            var hmac = HMAC<H>(key: key)
            for part in parts { hmac.update(data: part) }
            return Array(hmac.finalize())
        }
        switch digest {
        case .sha256: return compute(SHA256.self)
        case .sha384: return compute(SHA384.self)
        case .sha512: return compute(SHA512.self)
        case .sha1: return compute(Insecure.SHA1.self)
        }
    }

    /// The MAC of a stored value: it covers the key (length-prefixed), the frame header before
    /// the MAC, and everything after it.
    func sign(key storedKey: String, header: [UInt8], body: ArraySlice<UInt8>) -> [UInt8] {
        mac(digest, key: key, Self.keyPrefix(storedKey), header, Array(body))
    }

    /// True when `mac` is the MAC of the value with the current or a previous secret.
    func verify(
        _ mac: ArraySlice<UInt8>, digest: Digest, key storedKey: String, header: [UInt8], body: ArraySlice<UInt8>
    ) -> Bool {
        let keyPrefix = Self.keyPrefix(storedKey)
        let body = Array(body)
        for candidate in [key] + previousKeys
        where constantTimeEqual(self.mac(digest, key: candidate, keyPrefix, header, body), mac) {
            return true
        }
        return false
    }

    /// The key as the MAC covers it: its UTF-8 length (8 bytes, little endian), then its bytes,
    /// so that no key and value split can pass for another.
    private static func keyPrefix(_ key: String) -> [UInt8] {
        let utf8 = Array(key.utf8)
        return withUnsafeBytes(of: UInt64(utf8.count).littleEndian, Array.init) + utf8
    }

    private func constantTimeEqual(_ a: [UInt8], _ b: ArraySlice<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}
