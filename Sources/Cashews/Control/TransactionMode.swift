/// How a transaction isolates its writes from those of other transactions (see
/// ``Cache/transaction(mode:timeout:isolation:_:)``).
public enum TransactionMode: String, Sendable, Hashable, CaseIterable {
    /// Writes are buffered and committed together; no lock is taken, so two transactions that
    /// write one key both commit, the last one winning.
    case fast
    /// Before its first write to a key, the transaction takes a lock on that key (`:tx_lock:<key>`,
    /// in the key's backend: across processes on a shared backend) and keeps it until it commits
    /// or rolls back; a transaction that wants a key another one holds waits for it.
    case locked
    /// Before its first write to a backend, the transaction takes one lock for the whole backend
    /// (`:serializable:lock`): transactions that write one backend run one after the other.
    case serializable
}
