/// How long an entry has left.
public enum TimeToLive: Sendable, Hashable {
    /// The entry has no expiry.
    case forever
    /// The entry expires after this much more time.
    case remaining(Duration)
}
