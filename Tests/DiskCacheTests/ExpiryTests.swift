import Foundation
import TestSupport
import Testing

@testable import DiskCache

@Suite("DiskCache expiry")
struct ExpiryTests {
    @Test("an entry lives until its deadline and not one millisecond more")
    func boundaries() throws {
        try withCacheDirectory { path in
            let clock = ManualClock()
            let cache = try makeCache(path, clock: clock)
            try cache.set(bytes("v"), forKey: "k", expiry: .after(.seconds(2)))
            clock.advance(by: .milliseconds(1999))
            #expect(text(try cache.get("k")) == "v")
            #expect(try cache.timeToLive(forKey: "k") == .remaining(.milliseconds(1)))
            clock.advance(by: .milliseconds(1))
            #expect(try cache.get("k") == nil)
            #expect(try !cache.contains("k"))
            #expect(try cache.timeToLive(forKey: "k") == nil)
            #expect(try cache.keys() == [])
            // Not swept yet: it still counts, until a sweep or a write removes it.
            #expect(try cache.count == 1)
        }
    }

    @Test("set replaces the expiry; .keep keeps it")
    func replaceVersusKeep() throws {
        try withCacheDirectory { path in
            let clock = ManualClock()
            let cache = try makeCache(path, clock: clock)
            try cache.set(bytes("1"), forKey: "k", expiry: .after(.seconds(10)))
            try cache.set(bytes("2"), forKey: "k")
            #expect(try cache.timeToLive(forKey: "k") == .forever)
            try cache.set(bytes("3"), forKey: "k", expiry: .after(.seconds(10)))
            clock.advance(by: .seconds(4))
            try cache.set(bytes("4"), forKey: "k", expiry: .keep)
            #expect(try cache.timeToLive(forKey: "k") == .remaining(.seconds(6)))
            #expect(text(try cache.get("k")) == "4")
            try cache.set(bytes("new"), forKey: "fresh", expiry: .keep)
            #expect(try cache.timeToLive(forKey: "fresh") == .forever)
            #expect(try cache.check().isClean)
        }
    }

    @Test("expire and persist change a live entry's expiry")
    func expireAndPersist() throws {
        try withCacheDirectory { path in
            let clock = ManualClock()
            let cache = try makeCache(path, clock: clock)
            try cache.set(bytes("v"), forKey: "k")
            #expect(try !cache.persist("k"))  // no expiry to remove
            #expect(try cache.expire("k", after: .seconds(5)))
            #expect(try cache.timeToLive(forKey: "k") == .remaining(.seconds(5)))
            #expect(text(try cache.get("k")) == "v")  // checksum still valid after the change
            #expect(try cache.persist("k"))
            #expect(try cache.timeToLive(forKey: "k") == .forever)
            #expect(try !cache.expire("absent", after: .seconds(5)))
            try cache.expire("k", after: .seconds(1))
            clock.advance(by: .seconds(1))
            #expect(try !cache.expire("k", after: .seconds(5)))
            #expect(try cache.check().isClean)
        }
    }

    @Test("zero and negative TTLs are typed errors; sub-millisecond rounds up")
    func invalidTTL() throws {
        try withCacheDirectory { path in
            let cache = try makeCache(path)
            #expect(throws: DiskCacheError.self) { try cache.set(bytes("v"), forKey: "k", expiry: .after(.zero)) }
            #expect(throws: DiskCacheError.self) {
                try cache.set(bytes("v"), forKey: "k", expiry: .after(.seconds(-1)))
            }
            #expect(throws: DiskCacheError.self) { try cache.expire("k", after: .zero) }
            #expect(try cache.get("k") == nil)
            try cache.set(bytes("v"), forKey: "k", expiry: .after(.microseconds(10)))
            #expect(try cache.timeToLive(forKey: "k") == .remaining(.milliseconds(1)))
        }
    }

    @Test("add wins over an expired entry; replace does not")
    func addOverExpired() throws {
        try withCacheDirectory { path in
            let clock = ManualClock()
            let cache = try makeCache(path, clock: clock)
            try cache.set(bytes("old"), forKey: "k", expiry: .after(.seconds(1)))
            clock.advance(by: .seconds(1))
            #expect(try !cache.replace(bytes("x"), forKey: "k"))
            #expect(try cache.add(bytes("new"), forKey: "k"))
            #expect(text(try cache.get("k")) == "new")
            #expect(try cache.count == 1)
            #expect(try cache.statistics().expirations == 1)
        }
    }

    @Test("a sweep removes exactly the expired entries, soonest first, within its limit")
    func sweep() throws {
        try withCacheDirectory { path in
            let clock = ManualClock()
            let cache = try makeCache(path, clock: clock)
            for i in 0..<100 {
                try cache.set(bytes("v"), forKey: "short-\(i)", expiry: .after(.seconds(Int64(1 + i % 10))))
                try cache.set(bytes("v"), forKey: "long-\(i)", expiry: .after(.seconds(3600)))
                try cache.set(bytes("v"), forKey: "forever-\(i)")
            }
            clock.advance(by: .seconds(5))  // expiries of 1…5 s have passed: 50 entries
            #expect(try cache.sweepExpired(limit: 20) == 20)
            // Every write also culls a few expired entries (cullLimit), so the rest may be fewer.
            #expect(try cache.sweepExpired() <= 30)
            #expect(try cache.sweepExpired() == 0)
            #expect(try cache.count == 250)
            #expect(try cache.statistics().expirations == 50)
            #expect(try cache.keys(matching: "short-*").count == 50)
            clock.advance(by: .seconds(3600))
            #expect(try cache.performMaintenance().expiredRemoved == 150)
            #expect(try cache.count == 100)
            #expect(try cache.statistics().expirations == 200)
            #expect(try cache.check().isClean)
        }
    }

    @Test("a write culls what has expired, also after commits that found nothing to cull, and after another writer's")
    func cullAfterQuietCommits() throws {
        try withCacheDirectory { path in
            let clock = ManualClock()
            let cache = try makeCache(path, clock: clock)
            // Commits that find no expired entry learn the soonest deadline and stop looking...
            for i in 0..<5 { try cache.set(bytes("v"), forKey: "forever-\(i)") }
            try cache.set(bytes("v"), forKey: "soon", expiry: .after(.seconds(2)))
            try cache.set(bytes("v"), forKey: "later", expiry: .after(.seconds(60)))
            try cache.set(bytes("v"), forKey: "forever-5")
            #expect(try cache.count == 8)
            // ...until it passes: then the next write culls.
            clock.advance(by: .seconds(3))
            try cache.set(bytes("v"), forKey: "forever-6")
            #expect(try cache.count == 8)
            #expect(try cache.statistics().expirations == 1)
            // Another writer of the directory (another instance, as another process would) adds a
            // sooner deadline than this one has seen: this one's next write after it culls it.
            let other = try makeCache(path, clock: clock)
            try other.set(bytes("v"), forKey: "other", expiry: .after(.seconds(1)))
            clock.advance(by: .seconds(2))
            try cache.set(bytes("v"), forKey: "forever-7")
            #expect(try cache.count == 9)
            #expect(try !other.contains("other"))
            #expect(try cache.keys(matching: "other").isEmpty)
            clock.advance(by: .seconds(60))
            try cache.set(bytes("v"), forKey: "forever-8")
            #expect(try cache.count == 9)  // "later" culled
            #expect(try cache.check().isClean)
        }
    }

    @Test("absolute deadlines")
    func absolute() throws {
        try withCacheDirectory { path in
            let clock = ManualClock()
            let cache = try makeCache(path, clock: clock)
            try cache.set(bytes("v"), forKey: "k", expiry: .at(milliseconds: clock.milliseconds + 500))
            #expect(try cache.timeToLive(forKey: "k") == .remaining(.milliseconds(500)))
            clock.advance(by: .milliseconds(500))
            #expect(try cache.get("k") == nil)
        }
    }
}
