import Foundation
import TestSupport
import Testing

@testable import DiskCache

@Suite("DiskCache operations")
struct OperationTests {
    @Test("set, get, overwrite, delete, contains")
    func basics() throws {
        try withCacheDirectory { path in
            let cache = try makeCache(path)
            try cache.set(bytes("one"), forKey: "a")
            try cache.set(bytes("uno"), forKey: "a")
            #expect(text(try cache.get("a")) == "uno")
            #expect(try cache.get("missing") == nil)
            #expect(try cache.contains("a"))
            #expect(try cache.valueSize(forKey: "a") == 3)
            #expect(try cache.delete("a"))
            #expect(try !cache.delete("a"))
            #expect(try !cache.contains("a"))
            #expect(try cache.count == 0)
            #expect(try cache.volume == 0)
        }
    }

    @Test("binary and empty values round-trip, with exact totals")
    func binaryAndEmpty() throws {
        try withCacheDirectory { path in
            let cache = try makeCache(path)
            let binary: [UInt8] = (0...255).map { UInt8($0) } + [0, 0, 255]
            try cache.set(binary, forKey: "binary")
            try cache.set([UInt8](), forKey: "empty")
            try cache.set(Data([9, 8, 7]), forKey: "data")
            #expect(try cache.get("binary") == binary)
            #expect(try cache.get("empty") == [])
            #expect(try cache.get("data") == [9, 8, 7])
            #expect(try cache.count == 3)
            let expectedVolume = (6 + binary.count + 64) + (5 + 0 + 64) + (4 + 3 + 64)
            #expect(try cache.volume == expectedVolume)
        }
    }

    @Test("keys of any length: 10 KB keys sharing a long prefix stay apart")
    func longKeys() throws {
        try withCacheDirectory { path in
            let cache = try makeCache(path)
            let prefix = String(repeating: "p", count: 10_000)
            let keyA = prefix + "A"
            let keyB = prefix + "B"
            let unicode = String(repeating: "ключ-🔑", count: 1000)
            try cache.set(bytes("a"), forKey: keyA)
            try cache.set(bytes("b"), forKey: keyB)
            try cache.set(bytes("u"), forKey: unicode)
            #expect(text(try cache.get(keyA)) == "a")
            #expect(text(try cache.get(keyB)) == "b")
            #expect(text(try cache.get(unicode)) == "u")
            #expect(try cache.get(prefix) == nil)
            #expect(try Set(cache.keys(matching: "ppp*")) == [keyA, keyB])
            #expect(try cache.keys(matching: prefix + "?").count == 2)
            #expect(try cache.delete(keyA))
            #expect(try cache.get(keyA) == nil)
            #expect(text(try cache.get(keyB)) == "b")
            #expect(try cache.volume == (keyB.utf8.count + 1 + 64) + (unicode.utf8.count + 1 + 64))
            #expect(try cache.check().isClean)
        }
    }

    @Test("a key at the inline limit and one byte over it")
    func keyLengthBoundary() throws {
        try withCacheDirectory { path in
            let cache = try makeCache(path)
            let inline = String(repeating: "k", count: StorageKey.maxInlineLength)
            let long = inline + "k"
            try cache.set(bytes("inline"), forKey: inline)
            try cache.set(bytes("long"), forKey: long)
            #expect(text(try cache.get(inline)) == "inline")
            #expect(text(try cache.get(long)) == "long")
            #expect(try cache.check().isClean)
        }
    }

    @Test("empty keys are a typed error")
    func emptyKey() throws {
        try withCacheDirectory { path in
            let cache = try makeCache(path)
            #expect(throws: DiskCacheError.self) { try cache.set(bytes("v"), forKey: "") }
            #expect(throws: DiskCacheError.self) { _ = try cache.get("") }
            #expect(throws: DiskCacheError.self) { _ = try cache.increment("") }
            #expect("\(DiskCacheError.emptyKey)".contains("non-empty"))
        }
    }

    @Test("add stores only when absent, replace only when present")
    func addAndReplace() throws {
        try withCacheDirectory { path in
            let cache = try makeCache(path)
            #expect(try !cache.replace(bytes("x"), forKey: "k"))
            #expect(try cache.get("k") == nil)
            #expect(try cache.add(bytes("first"), forKey: "k"))
            #expect(try !cache.add(bytes("second"), forKey: "k"))
            #expect(text(try cache.get("k")) == "first")
            #expect(try cache.replace(bytes("third"), forKey: "k"))
            #expect(text(try cache.get("k")) == "third")
            #expect(try cache.count == 1)
        }
    }

    @Test("many keys at once: get, set and delete")
    func batches() throws {
        try withCacheDirectory { path in
            let cache = try makeCache(path)
            try cache.set(["a": bytes("1"), "b": bytes("2"), "c": bytes("3")])
            #expect(try cache.get(["a", "x", "c"]).map(text) == ["1", nil, "3"])
            #expect(try cache.delete(["a", "b", "nope"]) == 2)
            #expect(try cache.keys() == ["c"])
        }
    }

    @Test("increment and decrement: create at zero, keep expiry, exact errors")
    func counters() throws {
        try withCacheDirectory { path in
            let clock = ManualClock()
            let cache = try makeCache(path, clock: clock)
            #expect(try cache.increment("n") == 1)
            #expect(try cache.increment("n", by: 41) == 42)
            #expect(try cache.decrement("n", by: 50) == -8)
            #expect(text(try cache.get("n")) == "-8")

            try cache.set(bytes("100"), forKey: "ttl", expiry: .after(.seconds(10)))
            #expect(try cache.increment("ttl") == 101)
            #expect(try cache.timeToLive(forKey: "ttl") == .remaining(.seconds(10)))
            clock.advance(by: .seconds(10))
            #expect(try cache.increment("ttl") == 1)  // expired: starts again at 0, no expiry
            #expect(try cache.timeToLive(forKey: "ttl") == .forever)

            try cache.set(bytes("abc"), forKey: "text")
            let error = #expect(throws: DiskCacheError.self) { try cache.increment("text") }
            #expect("\(error!)".contains("not a decimal 64-bit integer"))
            #expect(text(try cache.get("text")) == "abc")

            try cache.set(bytes(String(Int64.max)), forKey: "big")
            #expect(throws: DiskCacheError.self) { try cache.increment("big") }
            #expect(text(try cache.get("big")) == String(Int64.max))
            #expect(try cache.increment("big", by: -1) == Int64.max - 1)
        }
    }

    @Test("statistics count hits, misses, sets and deletes without writing")
    func statistics() throws {
        try withCacheDirectory { path in
            let cache = try makeCache(path)
            try cache.set(bytes("v"), forKey: "k")
            _ = try cache.get("k")
            _ = try cache.get("k")
            _ = try cache.get("nope")
            try cache.delete("k")
            let stats = try cache.statistics()
            #expect(stats.hits == 2)
            #expect(stats.misses == 1)
            #expect(stats.sets == 1)
            #expect(stats.deletes == 1)
            #expect(stats.count == 0)
        }
    }
}
