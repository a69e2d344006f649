import Cashews
import Foundation
import TestSupport
import Testing

/// Shapes that exercise every container and scalar of the binary form.
struct Everything: Codable, Equatable, Sendable {
    enum Kind: Codable, Equatable, Sendable {
        case plain
        case labelled(id: Int, name: String?)
        case unlabelled(Double, [Int8])
    }

    var int: Int
    var int8: Int8
    var int16: Int16
    var int32: Int32
    var int64: Int64
    var uint: UInt
    var uint8: UInt8
    var uint16: UInt16
    var uint32: UInt32
    var uint64: UInt64
    var float: Float
    var double: Double
    var bool: Bool
    var string: String
    var optional: String?
    var missing: Int?
    var data: Data
    var bytes: [UInt8]
    var date: Date
    var url: URL
    var uuid: UUID
    var list: [Int?]
    var nested: [[String]]
    var byName: [String: Int]
    var byNumber: [Int: String]
    var kinds: [Kind]
    var empty: [String: [Int]]
}

class Animal: Codable {
    var legs: Int
    init(legs: Int) { self.legs = legs }
}

final class Dog: Animal, @unchecked Sendable {
    var name: String
    init(legs: Int, name: String) {
        self.name = name
        super.init(legs: legs)
    }

    enum CodingKeys: String, CodingKey { case name }

    required init(from decoder: any Decoder) throws {
        name = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .name)
        try super.init(from: decoder.container(keyedBy: CodingKeys.self).superDecoder())
    }

    override func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try super.encode(to: container.superEncoder())
    }
}

@Suite("Codecs: the binary and JSON forms")
struct CodecTests {
    static let sample = Everything(
        int: -42, int8: .min, int16: .max, int32: -1, int64: .min, uint: .max, uint8: 255, uint16: 0, uint32: 7,
        uint64: .max, float: 1.5, double: -1e300, bool: true, string: "héllo ✓ \u{0}", optional: "here",
        missing: nil, data: Data([0, 0xFF, 0xFE]), bytes: [1, 2, 3],
        date: Date(timeIntervalSince1970: 1_767_225_600.25),
        url: URL(string: "https://example.com/a?b=c")!, uuid: UUID(), list: [1, nil, 3], nested: [[], ["a", "b"]],
        byName: ["z": 1, "a": 2], byNumber: [3: "three", -1: "minus one"],
        kinds: [.plain, .labelled(id: 1, name: nil), .unlabelled(2.5, [-128, 127])], empty: [:])

    @Test("every shape round-trips in both structured forms", arguments: ValueCodec.StructuredForm.allCases)
    func roundTrips(form: ValueCodec.StructuredForm) throws {
        let codec = StandardCodec(structuredForm: form)
        let bytes = try codec.encode(Self.sample, forKey: "k")
        #expect(try codec.decode(Everything.self, from: bytes, forKey: "k") == Self.sample)
        #expect(bytes.first == (form == .binary ? 0xFE : UInt8(ascii: "{")))
        // Either codec reads either form.
        let other = StandardCodec(structuredForm: form == .binary ? .json : .binary)
        #expect(try other.decode(Everything.self, from: bytes, forKey: "k") == Self.sample)
    }

    @Test("class hierarchies through super encoders, and top-level scalars and lists")
    func superEncoders() throws {
        let codec = StandardCodec()
        let dog = try codec.decode(Dog.self, from: codec.encode(Dog(legs: 4, name: "Rex"), forKey: "d"), forKey: "d")
        #expect(dog.name == "Rex" && dog.legs == 4)
        #expect(
            try codec.decode([Double?].self, from: codec.encode([1.5, nil], forKey: "l"), forKey: "l") == [1.5, nil])
        #expect(try codec.decode(Float.self, from: codec.encode(Float(2.5), forKey: "f"), forKey: "f") == 2.5)
        #expect(
            try codec.decode(Set<String>.self, from: codec.encode(Set(["a", "b"]), forKey: "s"), forKey: "s") == [
                "a", "b",
            ])
        let nan = try codec.decode([Double].self, from: codec.encode([Double.nan], forKey: "n"), forKey: "n")
        #expect(nan.count == 1 && nan[0].isNaN)
        #expect(
            try codec.decode([Double].self, from: codec.encode([-Double.infinity], forKey: "i"), forKey: "i") == [
                -.infinity
            ])
        #expect(try codec.decode([Int].self, from: codec.encode([Int](), forKey: "e"), forKey: "e") == [])
    }

    @Test("the binary form is smaller than JSON for a typical record")
    func size() throws {
        let profile = Profile(name: "Ada Lovelace", tags: ["admin", "math", "poetry"])
        let binary = try StandardCodec().encode(profile, forKey: "p")
        let json = try StandardCodec(structuredForm: .json).encode(profile, forKey: "p")
        #expect(binary.count < json.count)
    }

    @Test("random values of nested shapes round-trip (property style)")
    func randomValues() throws {
        var random = SystemRandomNumberGenerator()
        let codec = StandardCodec()
        for _ in 0..<300 {
            let value = (0..<Int.random(in: 0...6, using: &random)).map { _ in
                [
                    String(
                        (0..<Int.random(in: 0...12, using: &random)).map { _ in
                            Character(Unicode.Scalar(UInt8.random(in: 32...126, using: &random)))
                        }): (0..<Int.random(in: 0...4, using: &random)).map { _ in Int64.random(in: .min ... .max) }
                ]
            }
            #expect(
                try codec.decode([[String: [Int64]]].self, from: codec.encode(value, forKey: "r"), forKey: "r") == value
            )
        }
    }

    @Test("reading as another type, or damaged bytes, is a typed error, never a crash")
    func mismatches() throws {
        let codec = StandardCodec()
        let bytes = try codec.encode(Self.sample, forKey: "k")
        #expect(throws: CashewsError.self) { try codec.decode(Profile.self, from: bytes, forKey: "k") }
        #expect(throws: CashewsError.self) { try codec.decode([String].self, from: bytes, forKey: "k") }
        #expect(throws: CashewsError.self) {
            try codec.decode(Int8.self, from: codec.encode([Int16(300)], forKey: "k").dropLast(0), forKey: "k")
        }
        let narrow = try codec.encode([Int16(300)], forKey: "k")
        #expect(throws: CashewsError.self) { try codec.decode([Int8].self, from: narrow, forKey: "k") }
        // Every truncation and many single-byte changes of a valid value fail cleanly or decode.
        for cut in 0..<bytes.count {
            #expect(throws: CashewsError.self) {
                try codec.decode(Everything.self, from: Array(bytes[..<cut]), forKey: "k")
            }
        }
        for index in bytes.indices {
            var damaged = bytes
            damaged[index] ^= 0xA5
            _ = try? codec.decode(Everything.self, from: damaged, forKey: "k")
        }
        // A newer version, trailing bytes, absurd lengths and deep nesting.
        for bad: [UInt8] in [
            [0xFE, 2, 0], [0xFE, 1, 0, 0], [0xFE, 1, 7, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F], [0xFE, 1, 99],
            [0xFE, 1] + [UInt8](repeating: 10, count: 10_000),
            [0xFE, 1] + Array([[UInt8]](repeating: [10, 1], count: 5_000).joined()) + [0],
        ] {
            #expect(throws: CashewsError.self) { try codec.decode([[Int]].self, from: bad, forKey: "k") }
        }
    }

    @Test("values stored as JSON by earlier versions still read through the cache")
    func earlierJSON() async throws {
        let cache = Cache()
        let backend = try cache.setupDisk("disk://\(TemporaryDirectory.path("json"))")
        _ = try await backend.set(
            "old", .bytes(Array(#"{"name":"Ada","tags":["x"]}"#.utf8)), expiry: .never, condition: .always)
        #expect(try await cache.get("old", as: Profile.self) == Profile(name: "Ada", tags: ["x"]))
        try await cache.set("new", Profile(name: "Bob", tags: []))
        guard case .bytes(let stored) = try await backend.get("new") else { return }
        #expect(stored.first == 0xFE)
    }
}
