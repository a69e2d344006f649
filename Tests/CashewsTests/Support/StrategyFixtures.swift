import Cashews
import Foundation
import Logging
import Synchronization

/// Counts calls: `next()` returns 1, 2, 3, …
final class Calls: Sendable {
    private let value = Atomic<Int>(0)
    @discardableResult
    func next() -> Int { value.add(1, ordering: .relaxed).newValue }
    var count: Int { value.load(ordering: .relaxed) }
}

/// A log handler that keeps what it is given.
struct RecordingLogHandler: LogHandler {
    final class Store: Sendable {
        let entries = Mutex<[(level: Logger.Level, message: String, metadata: Logger.Metadata)]>([])
        func messages(at level: Logger.Level) -> [String] {
            entries.withLock { $0.filter { $0.level == level }.map(\.message) }
        }
    }

    let store: Store
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        store.entries.withLock { $0.append((event.level, event.message.description, event.metadata ?? [:])) }
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
        try cache.setupDisk("disk://\(NSTemporaryDirectory())cashews-strategies-\(UUID().uuidString)?durability=none")
        return cache
    }

    /// A memory and a disk cache, both on `clock`.
    static func both(_ clock: ManualClock) throws -> [(String, Cache)] {
        [("memory", try memory(clock)), ("disk", try disk(clock))]
    }

    /// A cache whose logger records into the returned store.
    static func logging(_ clock: ManualClock) throws -> (Cache, RecordingLogHandler.Store) {
        let store = RecordingLogHandler.Store()
        let logger = Logger(label: "test") { _ in RecordingLogHandler(store: store) }
        return (try memory(clock, logger: logger), store)
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
