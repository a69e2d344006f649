import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where a cache reads "now", in milliseconds since 1970-01-01 UTC.
///
/// On disk, expiry is wall-clock time, so that several processes, and the same process after a
/// restart, agree on it. Tests inject a ``ManualClock`` instead of sleeping.
public struct CacheClock: Sendable {
    /// Returns the current time in milliseconds since the Unix epoch.
    public let now: @Sendable () -> Int64

    /// A clock that calls `now`.
    public init(now: @escaping @Sendable () -> Int64) { self.now = now }

    /// The system's wall clock (`CLOCK_REALTIME`).
    public static let system = CacheClock {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }

    /// A clock that reads `manual`.
    public static func manual(_ manual: ManualClock) -> CacheClock {
        CacheClock { manual.milliseconds }
    }
}

/// A clock that moves only when told to: for deterministic tests of expiry.
///
/// ```swift
/// let clock = ManualClock()
/// let cache = try DiskCache(directory: dir, configuration: .init(clock: .manual(clock)))
/// try cache.set(bytes, forKey: "k", expiry: .after(.seconds(10)))
/// clock.advance(by: .seconds(11))   // "k" is now expired
/// ```
public final class ManualClock: Sendable {
    private let current: Atomic<Int64>

    /// A clock at `milliseconds` since the epoch (default: 2026-01-01T00:00:00Z).
    public init(milliseconds: Int64 = 1_767_225_600_000) {
        current = Atomic(milliseconds)
    }

    /// The current reading, in milliseconds since the epoch.
    public var milliseconds: Int64 { current.load(ordering: .relaxed) }

    /// Moves the clock forward by `duration` (rounded down to milliseconds).
    public func advance(by duration: Duration) {
        current.add(duration.milliseconds, ordering: .relaxed)
    }

    /// Sets the clock to `milliseconds` since the epoch.
    public func set(milliseconds: Int64) {
        current.store(milliseconds, ordering: .relaxed)
    }
}
