import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Ctrl-C for long operations: the first SIGINT (or SIGTERM) is noted, and the operation stops
/// after the batch it is in has committed, so that the cache stays consistent; a second one ends
/// the process at once (still safe: an uncommitted LMDB transaction is simply lost).
enum Interruption {
    private static let requested = Atomic<Int>(0)

    /// Starts noting SIGINT and SIGTERM.
    static func install() {
        let handler: @convention(c) (Int32) -> Void = { signal in
            if Interruption.requested.add(1, ordering: .relaxed).newValue > 1 { _exit(128 + signal) }
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
    }

    /// Throws ``CommandFailure/interrupted`` when an interruption was asked for.
    static func check() throws {
        if requested.load(ordering: .relaxed) > 0 { throw CommandFailure.interrupted }
    }
}
