/// One write of a committed transaction, as a backend applies it (see ``Backend/commit(_:)``).
///
/// A transaction's writes reach each backend as one list: its pattern deletes first, in the
/// order they were made, then the final state of every key it wrote. Expiries are relative
/// (``Expiry/after(_:)``, to the millisecond, counted from the commit) or ``Expiry/never``.
public enum TransactionWrite: Sendable {
    /// Store `value` under `key` with `expiry`, replacing any value.
    case set(key: String, value: CacheValue, expiry: Expiry)
    /// Delete `key` (nothing when absent).
    case delete(key: String)
    /// Delete every key matching the glob pattern.
    case deleteMatching(GlobPattern)

    /// The key the write changes, or nil for a pattern delete.
    public var key: String? {
        switch self {
        case .set(let key, _, _), .delete(let key): return key
        case .deleteMatching: return nil
        }
    }
}

// The default of the transaction customization point: one command at a time, in order.
extension Backend {
    /// Applies `writes` one command at a time, in order: all of them unless one fails (the
    /// writes before it stay). A backend that can do better overrides it: the disk backend
    /// commits them in one engine write transaction (all or none, across processes), and a
    /// Redis backend sends them in one script.
    nonisolated(nonsending) public func commit(_ writes: [TransactionWrite]) async throws {
        for write in writes {
            switch write {
            case .set(let key, let value, let expiry): _ = try await set(key, value, expiry: expiry, condition: .always)
            case .delete(let key): _ = try await delete(key)
            case .deleteMatching(let pattern): _ = try await delete(matching: pattern)
            }
        }
    }

    /// False: ``commit(_:)`` applies the writes one by one (see ``commit(_:)``).
    public var commitsAtomically: Bool { false }
}
