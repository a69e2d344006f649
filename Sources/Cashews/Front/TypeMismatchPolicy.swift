/// What reading a stored value as another type than it holds (or an outdated form of it) does.
///
/// ```swift
/// let strict = Cache(onTypeMismatch: .throw)
/// ```
public enum TypeMismatchPolicy: Sendable, Hashable {
    /// A miss (the default, as in cashews): `get` returns nil, the strategies recompute and
    /// overwrite. Counted in `cashews_unreadable_values` and logged.
    case miss
    /// ``CashewsError/typeMismatch(key:expected:found:)`` or
    /// ``CashewsError/decodingFailed(key:type:reason:)`` from `get` (the strategies still
    /// recompute).
    case `throw`
}
