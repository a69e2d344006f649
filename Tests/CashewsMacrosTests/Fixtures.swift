import CashewsDisk
import CashewsMacros
import Logging
import Synchronization
import TestSupport

/// Counts calls: `next()` returns 1, 2, 3, …
final class Calls: Sendable {
    private let value = Atomic<Int>(0)
    @discardableResult
    func next() -> Int { value.add(1, ordering: .relaxed).newValue }
    var count: Int { value.load(ordering: .relaxed) }
}

/// An error of the decorated test functions.
struct Boom: Error, Equatable {}

/// A memory and a disk cache on one manual clock.
enum Fixture {
    static func memory(_ clock: ManualClock) throws -> Cache {
        let cache = Cache(logger: Logger(label: "test"), clock: .manual(clock))
        try cache.setup("mem://")
        return cache
    }

    static func disk(_ clock: ManualClock) throws -> Cache {
        let cache = Cache(logger: Logger(label: "test"), clock: .manual(clock))
        Cache.register(.disk)
        try cache.setup("disk://\(TemporaryDirectory.path("macros"))?durability=none")
        return cache
    }

    static func both(_ clock: ManualClock) throws -> [(String, Cache)] {
        [("memory", try memory(clock)), ("disk", try disk(clock))]
    }
}
