import Cashews
import Foundation
import InMemoryLogging
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

extension InMemoryLogHandler {
    /// The messages logged at `level`, in order.
    func messages(at level: Logger.Level) -> [String] {
        entries.filter { $0.level == level }.map(\.message.description)
    }
}

/// Errors of the strategy tests.
struct Boom: Error, Equatable {}
struct NotFound: CacheableError, Equatable { var id: Int }
struct Unavailable: Error {}

enum Fixture {
    /// A memory cache on `clock`, set up by URL (so that the backend gets the cache's clock).
    static func memory(_ clock: ManualClock, logger: Logger? = nil) throws -> Cache {
        let cache = Cache(logger: logger ?? Logger(label: "test"), clock: .manual(clock))
        try cache.setup("mem://")
        return cache
    }

    /// A disk cache on `clock` in a fresh directory.
    static func disk(_ clock: ManualClock, logger: Logger? = nil) throws -> Cache {
        let cache = Cache(logger: logger ?? Logger(label: "test"), clock: .manual(clock))
        try cache.setupDisk("disk://\(TemporaryDirectory.path("strategies"))?durability=none")
        return cache
    }

    /// A memory and a disk cache, both on `clock`.
    static func both(_ clock: ManualClock) throws -> [(String, Cache)] {
        [("memory", try memory(clock)), ("disk", try disk(clock))]
    }

    /// A cache whose logger records every level into the returned handler (swift-log's
    /// `InMemoryLogHandler`: copies share one store).
    static func logging(_ clock: ManualClock) throws -> (Cache, InMemoryLogHandler) {
        var handler = InMemoryLogHandler()
        handler.logLevel = .trace
        let logger = Logger(label: "test") { [handler] _ in handler }
        return (try memory(clock, logger: logger), handler)
    }
}

/// A gate that tasks wait at until it opens.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let open = state.withLock { state in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if open { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
