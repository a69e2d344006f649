public import Logging

/// What a backend factory gets from the ``Cache`` that sets the backend up, besides its URL:
/// the clock backends decide expiry on, and the logger to log to (swift-log's practice: a library
/// takes its caller's logger instead of making its own).
public struct BackendContext: Sendable {
    /// Where backends that decide expiry read "now" (the cache's ``Cache/clock``).
    public var clock: CacheClock
    /// Where the backend logs (the cache's ``Cache/logger``).
    public var logger: Logger

    /// A context with `clock` and `logger`.
    public init(clock: CacheClock = .system, logger: Logger = Logger(label: "swift-cashews")) {
        self.clock = clock
        self.logger = logger
    }
}
