/// An error of a transaction (see ``Cache/transaction(mode:timeout:isolation:_:)``).
public enum TransactionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The lock of a `.locked` or `.serializable` transaction was still held by another
    /// transaction when the transaction's timeout ran out (a long transaction, or two
    /// transactions that lock the same keys in opposite orders).
    case lockTimeout(key: String, waited: Duration)
    /// A transaction timeout that is not positive.
    case invalidTimeout(Duration)

    /// What went wrong and what to do.
    public var description: String {
        switch self {
        case .lockTimeout(let key, let waited):
            return "transaction lock \"\(key)\" still held by another transaction after \(waited): probably a"
                + " deadlock (two transactions locking keys in opposite orders) or a long-running transaction;"
                + " raise the timeout or write keys in one order"
        case .invalidTimeout(let duration):
            return "invalid transaction timeout \(duration): it must be positive"
        }
    }
}
