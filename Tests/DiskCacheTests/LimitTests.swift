import Foundation
import TestSupport
import Testing

@testable import DiskCache

@Suite("DiskCache size and count limits")
struct LimitTests {
    @Test("the volume never exceeds the size limit after a commit; oldest stored go first")
    func sizeLimit() throws {
        try withCacheDirectory { path in
            let cache = try makeCache(path, sizeLimit: 10_000)
            var random = SystemRandomNumberGenerator()
            for i in 0..<300 {
                let size = Int.random(in: 1...900, using: &random)
                try cache.set([UInt8](repeating: 1, count: size), forKey: "key-\(i)")
                #expect(try cache.volume <= 10_000)
            }
            #expect(try cache.get("key-299") != nil)
            #expect(try cache.get("key-0") == nil)
            #expect(try cache.statistics().evictions > 0)
            #expect(try cache.check().isClean)
        }
    }

    @Test("a value larger than the limit is rejected and nothing is evicted for it")
    func tooLarge() throws {
        try withCacheDirectory { path in
            let cache = try makeCache(path, sizeLimit: 4096)
            try cache.set(bytes("small"), forKey: "keep")
            let error = #expect(throws: DiskCacheError.self) {
                try cache.set([UInt8](repeating: 0, count: 5000), forKey: "huge")
            }
            #expect("\(error!)".contains("raise sizeLimit"))
            #expect(text(try cache.get("keep")) == "small")
            #expect(try cache.statistics().evictions == 0)
        }
    }

    @Test("a many-key set with one value too large stores nothing")
    func manyKeySetIsAllOrNothing() throws {
        try withCacheDirectory { path in
            let cache = try makeCache(path, sizeLimit: 4096)
            let entries: [(key: String, value: [UInt8])] = [
                ("a", bytes("1")), ("b", [UInt8](repeating: 0, count: 5000)),
            ]
            #expect(throws: DiskCacheError.self) { try cache.set(entries) }
            #expect(try cache.get("a") == nil)
            #expect(try cache.count == 0)
        }
    }

    @Test("the count limit holds, and expired entries go before live ones")
    func countLimitExpiredFirst() throws {
        try withCacheDirectory { path in
            let clock = ManualClock()
            let cache = try makeCache(path, clock: clock, countLimit: 5)
            try cache.set(bytes("old-but-live"), forKey: "a")
            try cache.set(bytes("v"), forKey: "b", expiry: .after(.seconds(1)))
            try cache.set(bytes("v"), forKey: "c")
            try cache.set(bytes("v"), forKey: "d")
            try cache.set(bytes("v"), forKey: "e")
            clock.advance(by: .seconds(2))
            try cache.set(bytes("v"), forKey: "f")
            #expect(try cache.count <= 5)
            #expect(text(try cache.get("a")) == "old-but-live")  // b (expired) went instead
            try cache.set(bytes("v"), forKey: "g")
            #expect(try cache.count == 5)
            #expect(try cache.get("a") == nil)  // now the least recently stored goes
        }
    }
}
