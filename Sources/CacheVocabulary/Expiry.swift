/// When an entry expires, as given to a write: the one expiry type of every layer (the disk
/// engine, the backends and the front).
public enum Expiry: Sendable, Hashable {
    /// The entry never expires.
    case never
    /// The entry expires this long after the write. The duration must be positive; it is kept
    /// to the millisecond, and a positive duration under a millisecond counts as one.
    case after(Duration)
    /// The entry expires at this wall-clock time, in milliseconds since 1970-01-01 UTC (positive).
    case at(milliseconds: Int64)
    /// Keep the entry's current expiry (no expiry for a new entry).
    case keep

    /// The duration or time that makes this expiry invalid (zero or negative), or nil when it
    /// is valid.
    public var invalidDuration: Duration? {
        switch self {
        case .after(let duration) where duration <= .zero: return duration
        case .at(let milliseconds) where milliseconds <= 0: return .milliseconds(milliseconds)
        default: return nil
        }
    }

    /// The absolute expiry in milliseconds since the epoch (0 = never) of a write at `now`, or
    /// nil to keep the current one. Saturates instead of overflowing. Check
    /// ``invalidDuration`` first: an invalid expiry gives a meaningless deadline.
    package func deadline(from now: Int64) -> Int64? {
        switch self {
        case .never:
            return 0
        case .after(let duration):
            let milliseconds = max(1, duration.roundedUpMilliseconds)
            // A clock at or before the epoch (a broken custom clock) still gives a deadline in
            // the past, never 0 ("never") or a negative one.
            return now.addingReportingOverflow(milliseconds).overflow ? Int64.max : max(1, now + milliseconds)
        case .at(let milliseconds):
            return milliseconds
        case .keep:
            return nil
        }
    }
}
