import Cashews
import Foundation
import Testing

/// The memory backend's index (an open-addressing table of slots, deleted by backward shift) and
/// its compact nodes, checked through the backend against a dictionary of the same operations.
@Suite("Memory backend: index and nodes")
struct MemoryIndexTests {
    /// A repeatable generator for the operation mix.
    private struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Int(state % UInt64(bound))
        }
    }

    @Test("random sets, deletes and reads agree with a dictionary (short and long keys, one and many shards)")
    func agreesWithADictionary() async throws {
        for shards in [1, 16] {
            let backend = MemoryBackend(configuration: .init(maxEntries: nil, shards: shards))
            var model: [String: [UInt8]] = [:]
            var random = Generator(state: 0x9E37_79B9_7F4A_7C15)
            // Short keys (inline strings) and long ones (heap strings), many sharing a prefix.
            let keys = (0..<600).map { $0 % 3 == 0 ? "a-rather-long-key-shared-prefix:\($0)" : "k\($0)" }
            for round in 0..<20_000 {
                let key = keys[random.next(keys.count)]
                switch random.next(4) {
                case 0, 1:
                    let value = [UInt8(truncatingIfNeeded: round)]
                    _ = try await backend.set(key, .bytes(value), expiry: .never, condition: .always)
                    model[key] = value
                case 2:
                    let deleted = try await backend.delete(key)
                    #expect(deleted == (model.removeValue(forKey: key) != nil), "delete \(key) at round \(round)")
                default:
                    guard case .bytes(let bytes)? = try await backend.get(key) else {
                        #expect(model[key] == nil, "get \(key) at round \(round)")
                        continue
                    }
                    #expect(bytes == model[key], "get \(key) at round \(round)")
                }
            }
            #expect(try await backend.count() == model.count)
            #expect(try await backend.keys(matching: GlobPattern("*")) == model.keys.sorted())
            for key in keys { #expect(try await backend.exists(key) == (model[key] != nil)) }
        }
    }

    @Test("keys are told apart by their bytes: composed and decomposed é are two keys")
    func bytesNotCharacters() async throws {
        let backend = MemoryBackend(configuration: .init(maxEntries: nil, shards: 1))
        let composed = "caf\u{E9}"
        let decomposed = "cafe\u{301}"
        _ = try await backend.set(composed, .bytes([1]), expiry: .never, condition: .always)
        _ = try await backend.set(decomposed, .bytes([2]), expiry: .never, condition: .always)
        #expect(try await backend.count() == 2)
        guard case .bytes(let first)? = try await backend.get(composed),
            case .bytes(let second)? = try await backend.get(decomposed)
        else {
            Issue.record("a key is missing")
            return
        }
        #expect(first == [1] && second == [2])
    }

    @Test("a slot reused by another key, or an expiry rewritten, is not swept by the stale heap item")
    func staleExpiryItems() async throws {
        let clock = ManualClock()
        let backend = MemoryBackend(configuration: .init(maxEntries: nil, clock: .manual(clock), shards: 1))
        _ = try await backend.set("old", .bytes([1]), expiry: .after(.seconds(1)), condition: .always)
        _ = try await backend.delete("old")
        // "new" takes the freed slot, with a later expiry; "moved" gets a later one.
        _ = try await backend.set("new", .bytes([2]), expiry: .after(.seconds(10)), condition: .always)
        _ = try await backend.set("moved", .bytes([3]), expiry: .after(.seconds(1)), condition: .always)
        _ = try await backend.expire("moved", after: .seconds(10))
        clock.advance(by: .seconds(2))
        #expect(backend.sweepExpired() == 0)
        #expect(try await backend.exists("new"))
        #expect(try await backend.exists("moved"))
        clock.advance(by: .seconds(10))
        #expect(backend.sweepExpired() == 2)
        #expect(try await backend.count() == 0)
    }

    @Test("the byte bound counts sizes exactly as values are replaced and removed")
    func sizesStayExact() async throws {
        let backend = MemoryBackend(configuration: .init(maxEntries: nil, maxBytes: 1 << 20, shards: 1))
        _ = try await backend.set("a", .bytes([UInt8](repeating: 0, count: 300)), expiry: .never, condition: .always)
        _ = try await backend.set("b", .object("twelve bytes"), expiry: .never, condition: .always)
        #expect(backend.byteCount == 312)
        _ = try await backend.set("a", .bytes([UInt8](repeating: 0, count: 5)), expiry: .never, condition: .always)
        #expect(backend.byteCount == 17)
        #expect(try await backend.size(of: "b") == 12)
        _ = try await backend.delete("b")
        #expect(backend.byteCount == 5)
    }

    @Test("W-TinyLFU still admits by frequency (the sketch hash is read from the key)")
    func tinyLFUAdmits() async throws {
        let backend = MemoryBackend(
            configuration: .init(maxEntries: 100, shards: 1, evictionPolicy: .windowTinyLFU))
        for index in 0..<100 {
            _ = try await backend.set("hot\(index)", .bytes([1]), expiry: .never, condition: .always)
        }
        for _ in 0..<5 { for index in 0..<100 { _ = try await backend.get("hot\(index)") } }
        // A scan of one-off keys must not flush the frequently read ones.
        for index in 0..<1000 {
            _ = try await backend.set("once\(index)", .bytes([1]), expiry: .never, condition: .always)
        }
        var kept = 0
        for index in 0..<100 where try await backend.exists("hot\(index)") { kept += 1 }
        #expect(kept >= 80, "kept \(kept) of 100 hot keys")
        #expect(try await backend.count() <= 100)
    }
}
