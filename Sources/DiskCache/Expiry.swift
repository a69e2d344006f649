/// When an entry expires, as given to a write.
public enum Expiry: Sendable, Hashable {
    /// The entry never expires.
    case never
    /// The entry expires this long after the write. The duration must be positive; it is kept
    /// to the millisecond, and a positive duration under a millisecond counts as one.
    case after(Duration)
    /// The entry expires at this wall-clock time, in milliseconds since 1970-01-01 UTC.
    case at(milliseconds: Int64)
    /// Keep the entry's current expiry (no expiry for a new entry).
    case unchanged

    /// The absolute expiry in milliseconds (0 = never) for a write at `now`, or nil to keep the
    /// current one.
    func deadline(now: Int64) throws(DiskCacheError) -> Int64? {
        switch self {
        case .never:
            return 0
        case .after(let duration):
            guard duration > .zero else { throw .invalidTTL(duration) }
            let milliseconds = max(1, duration.roundedUpMilliseconds)
            // A clock at or before the epoch (a broken custom clock) still gives a deadline in
            // the past, never 0 ("never") or a negative one.
            return now.addingReportingOverflow(milliseconds).overflow ? Int64.max : max(1, now + milliseconds)
        case .at(let milliseconds):
            guard milliseconds > 0 else { throw .invalidTTL(.milliseconds(milliseconds)) }
            return milliseconds
        case .unchanged:
            return nil
        }
    }
}

/// How long an entry has left.
public enum TimeToLive: Sendable, Hashable {
    /// The entry has no expiry.
    case forever
    /// The entry expires after this much more time.
    case remaining(Duration)
}

extension Duration {
    /// The duration in milliseconds, rounded up (saturating).
    var roundedUpMilliseconds: Int64 {
        let whole = milliseconds
        let remainder = components.attoseconds % 1_000_000_000_000_000
        return remainder > 0 && whole < .max ? whole + 1 : whole
    }
}
