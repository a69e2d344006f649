import Cashews
import CashewsDisk
import Foundation
import Synchronization
import TestSupport
import Testing

@Suite("Value formats: signing, compression, codecs")
struct ValueFormatTests {
    /// A cache whose only route is `scheme` (mem or disk) with `parameters`, and its backend.
    private func cache(_ scheme: String, _ parameters: String) throws -> (Cache, any Backend) {
        let cache = Cache()
        let url =
            scheme == "mem"
            ? "mem://?\(parameters)"
            : "disk://\(TemporaryDirectory.path("format"))?durability=none&\(parameters)"
        let backend = try cache.setupDisk(url)
        return (cache, backend)
    }

    private func stored(_ backend: any Backend, _ key: String) async throws -> [UInt8] {
        guard case .bytes(let bytes) = try await backend.get(key) else {
            Issue.record("\(key) is not stored as bytes")
            return []
        }
        return bytes
    }

    private func store(_ backend: any Backend, _ key: String, _ bytes: [UInt8]) async throws {
        _ = try await backend.set(key, .bytes(bytes), expiry: .never, condition: .always)
    }

    @Test("signed values round-trip on every backend, and integers stay counters", arguments: ["mem", "disk"])
    func signedRoundTrips(scheme: String) async throws {
        let (cache, backend) = try cache(scheme, "secret=s3cr3t")
        try await cache.set("profile", Profile(name: "Ada", tags: ["x"]))
        try await cache.set("text", "hello")
        try await cache.set("bytes", [UInt8]([0xFF, 0x63, 0]))
        try await cache.set("count", 41)
        #expect(try await cache.get("profile", as: Profile.self) == Profile(name: "Ada", tags: ["x"]))
        #expect(try await cache.get("text", as: String.self) == "hello")
        #expect(try await cache.get("bytes", as: [UInt8].self) == [0xFF, 0x63, 0])
        #expect(try await cache.increment("count") == 42)
        #expect(try await cache.get("count", as: Int.self) == 42)
        // Even the memory backend stores bytes once values are signed.
        let bytes = try await stored(backend, "text")
        #expect(bytes.count == 3 + 1 + 32 + 5 && bytes.starts(with: [0xFF, 0x63, 2, 1]))
    }

    @Test("a tampered value is a typed error, never a value", arguments: ["mem", "disk"])
    func tampered(scheme: String) async throws {
        let (cache, backend) = try cache(scheme, "secret=s3cr3t")
        try await cache.set("text", "pay 10")
        var bytes = try await stored(backend, "text")
        for index in [bytes.count - 1, 3, 10, 2] {
            var changed = bytes
            changed[index] ^= 0x01
            try await store(backend, "text", changed)
            await #expect(throws: CashewsError.self, "byte \(index) changed") {
                _ = try await cache.get("text", as: String.self)
            }
        }
        // Cut short: also a bad signature.
        bytes.removeLast(bytes.count - 20)
        try await store(backend, "text", bytes)
        await #expect(throws: CashewsError.badSignature(key: "text")) {
            _ = try await cache.get("text", as: String.self)
        }
    }

    @Test("a signed value copied to another key does not verify there", arguments: ["mem", "disk"])
    func moved(scheme: String) async throws {
        let (cache, backend) = try cache(scheme, "secret=s3cr3t")
        try await cache.set("user:1:role", "admin")
        try await store(backend, "user:2:role", try await stored(backend, "user:1:role"))
        await #expect(throws: CashewsError.badSignature(key: "user:2:role")) {
            _ = try await cache.get("user:2:role", as: String.self)
        }
        #expect(try await cache.get("user:1:role", as: String.self) == "admin")
    }

    @Test("an unsigned value is a miss when values must be signed; a plain integer still reads")
    func unsigned() async throws {
        let (cache, backend) = try cache("disk", "secret=s3cr3t")
        try await store(backend, "profile", Array(#"{"name":"Eve","tags":[]}"#.utf8))
        try await store(backend, "number", Array("17".utf8))
        #expect(try await cache.get("profile", as: Profile.self) == nil)
        #expect(try await cache.get("number", as: String.self) == nil)
        #expect(try await cache.get("number", as: Int.self) == 17)
    }

    @Test("rotating the secret: previous secrets verify, forgotten ones do not")
    func rotation() async throws {
        let directory = TemporaryDirectory.path("rotate")
        let old = Cache()
        try old.setupDisk("disk://\(directory)?secret=old")
        try await old.set("page", "v1")
        let rotating = Cache()
        try rotating.setupDisk("disk://\(directory)?secret=new&previous_secrets=older,old")
        #expect(try await rotating.get("page", as: String.self) == "v1")
        try await rotating.set("fresh", "v2")
        let rotated = Cache()
        try rotated.setupDisk("disk://\(directory)?secret=new")
        #expect(try await rotated.get("fresh", as: String.self) == "v2")
        await #expect(throws: CashewsError.badSignature(key: "page")) {
            _ = try await rotated.get("page", as: String.self)
        }
    }

    @Test("every digest signs and verifies; a value keeps the digest it was signed with")
    func digests() async throws {
        let directory = TemporaryDirectory.path("digest")
        for digest in ValueSigning.Digest.allCases {
            let cache = Cache()
            try cache.setupDisk("disk://\(directory)?secret=k&digestmod=\(digest.rawValue)")
            try await cache.set(digest.rawValue, Profile(name: digest.rawValue, tags: []))
        }
        let reader = Cache()
        try reader.setupDisk("disk://\(directory)?secret=k&digestmod=sha512")
        for digest in ValueSigning.Digest.allCases {
            #expect(try await reader.get(digest.rawValue, as: Profile.self)?.name == digest.rawValue)
        }
        let wrongSecret = Cache()
        try wrongSecret.setupDisk("disk://\(directory)?secret=other")
        for digest in ValueSigning.Digest.allCases {
            await #expect(throws: CashewsError.badSignature(key: digest.rawValue)) {
                _ = try await wrongSecret.get(digest.rawValue, as: Profile.self)
            }
        }
    }

    @Test(
        "compression: large values shrink and round-trip, small ones are stored as they are",
        arguments: ["zlib", "gzip"])
    func compression(container: String) async throws {
        for scheme in ["mem", "disk"] {
            let (cache, backend) = try cache(scheme, "compress=\(container)&compress_min_size=100")
            let large = String(repeating: "cache me if you can. ", count: 500)
            try await cache.set("large", large)
            try await cache.set("small", "tiny")
            #expect(try await cache.get("large", as: String.self) == large)
            #expect(try await cache.get("small", as: String.self) == "tiny")
            let bytes = try await stored(backend, "large")
            #expect(bytes.count < large.utf8.count / 10, "\(scheme): \(bytes.count) bytes")
            #expect(bytes[2] == 1, "compressed flag")
            let body = bytes[7...]
            #expect(container == "gzip" ? body.starts(with: [0x1F, 0x8B]) : body.first == 0x78)
            #expect(try await stored(backend, "small") == [0xFF, 0x63, 0] + Array("tiny".utf8))
        }
    }

    @Test("damaged compressed data is a typed error")
    func damagedCompression() async throws {
        let (cache, backend) = try cache("disk", "compress=zlib&compress_min_size=0")
        let value = String(repeating: "abcdefgh", count: 200)
        try await cache.set("value", value)
        let bytes = try await stored(backend, "value")
        var cases: [(String, [UInt8])] = []
        var flipped = bytes
        flipped[flipped.count / 2] ^= 0x55
        cases.append(("a flipped byte", flipped))
        cases.append(("cut short", Array(bytes.dropLast(5))))
        var length = bytes
        length[3] &+= 1
        cases.append(("a wrong length", length))
        cases.append(("trailing bytes", bytes + [1, 2, 3]))
        cases.append(("an impossible length (a bomb)", Array(bytes[..<3]) + [0xFF, 0xFF, 0xFF, 0x7F] + bytes[7...]))
        cases.append(("no length", Array(bytes.prefix(5))))
        cases.append(("unknown flags", [0xFF, 0x63, 0x80] + bytes.dropFirst(3)))
        for (name, damaged) in cases {
            try await store(backend, "value", damaged)
            do {
                let read = try await cache.get("value", as: String.self)
                Issue.record("\(name): read \(read?.count ?? -1) characters instead of an error")
            } catch let error as CashewsError {
                switch error {
                case .damagedValue, .decodingFailed: break
                default: Issue.record("\(name): \(error)")
                }
            }
        }
    }

    @Test("signed and compressed together")
    func signedAndCompressed() async throws {
        let (cache, backend) = try cache("disk", "secret=k&compress=gzip&compress_level=9&compress_min_size=1KiB")
        let values = (0..<300).map { Profile(name: "user \($0)", tags: ["a", "b"]) }
        try await cache.set("users", values)
        #expect(try await cache.get("users", as: [Profile].self) == values)
        var bytes = try await stored(backend, "users")
        #expect(bytes[2] == 3)
        bytes[bytes.count - 3] ^= 1
        try await store(backend, "users", bytes)
        await #expect(throws: CashewsError.badSignature(key: "users")) {
            _ = try await cache.get("users", as: [Profile].self)
        }
    }

    @Test("setup URL errors for the value-format parameters")
    func urlErrors() {
        let cache = Cache()
        for url in [
            "mem://?secret=", "mem://?secret=k&digestmod=md4", "mem://?digestmod=sha256",
            "mem://?compress=lz4", "mem://?compress=zlib&compress_level=0", "mem://?compress_min_size=1KiB",
            "mem://?secret=k&previous_secrets=a,,b",
        ] {
            #expect(throws: CashewsError.self, "\(url)") { try cache.setup(url) }
        }
        #expect(throws: Never.self) { try cache.setup("mem://?secret=k&digestmod=SHA384&compress=gzip") }
    }

    /// Stores strings reversed: proof that the route's codec is the one used.
    struct ReversingCodec: CacheCodec {
        func encode<T: Encodable>(_ value: T, forKey key: String) throws -> [UInt8] {
            guard let text = value as? String else { return try StandardCodec().encode(value, forKey: key) }
            return Array(text.utf8.reversed())
        }

        func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], forKey key: String) throws -> T {
            guard T.self == String.self else { return try StandardCodec().decode(type, from: bytes, forKey: key) }
            return String(decoding: bytes.reversed(), as: UTF8.self) as! T
        }
    }

    @Test("a custom codec is used on every backend, the memory one included")
    func customCodec() async throws {
        for backend in [MemoryBackend() as any Backend, try DiskBackend(directory: temporaryDirectory())] {
            let cache = Cache()
            cache.setup(backend, format: ValueFormat(codec: ReversingCodec()))
            try await cache.set("word", "stressed")
            #expect(try await stored(backend, "word") == Array("desserts".utf8))
            #expect(try await cache.get("word", as: String.self) == "stressed")
        }
    }

    @Test(
        "strategies store through the route's format: signed values, tampering caught", arguments: ["mem", "disk"])
    func strategiesAreSigned(scheme: String) async throws {
        let (cache, backend) = try cache(scheme, "secret=k&compress=zlib&compress_min_size=0")
        let calls = Counter()
        let first = try await cache.cached(key: "report", ttl: "1h") { "r\(calls.next())" }
        let second = try await cache.cached(key: "report", ttl: "1h") { "r\(calls.next())" }
        #expect(first == "r1" && second == "r1")
        var bytes = try await stored(backend, "report")
        #expect(bytes.starts(with: [0xFF, 0x63, 2]), "signed (too small to shrink by compressing)")
        // Moved to another key: a bad signature there.
        try await store(backend, "copy", bytes)
        await #expect(throws: CashewsError.badSignature(key: "copy")) {
            _ = try await cache.cached(key: "copy", ttl: "1h") { "r\(calls.next())" }
        }
        bytes[bytes.count - 1] ^= 1
        try await store(backend, "report", bytes)
        await #expect(throws: CashewsError.badSignature(key: "report")) {
            _ = try await cache.cached(key: "report", ttl: "1h") { "r\(calls.next())" }
        }
        // An unsigned value is a miss: recomputed and stored signed.
        try await store(backend, "report", Array("r99".utf8))
        #expect(try await cache.cached(key: "report", ttl: "1h") { "r\(calls.next())" } == "r2")
        #expect(try await cache.get("report", as: String.self) == "r2", "get reads what cached stored")
    }

    final class Counter: Sendable {
        private let value = Mutex(0)
        func next() -> Int {
            value.withLock {
                $0 += 1; return $0
            }
        }
    }

    private func temporaryDirectory() -> String {
        TemporaryDirectory.path("codec")
    }
}
