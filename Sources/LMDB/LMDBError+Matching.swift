/// An error that carries an ``LMDBError`` underneath (an engine's storage error), so that
/// `catch LMDBError.Code.mapFull` matches it as well as a bare ``LMDBError``.
public protocol LMDBErrorCarrying: Error {
    /// The LMDB error underneath, if any.
    var lmdbError: LMDBError? { get }
}

extension LMDBError.Code {
    /// True when `error` is an ``LMDBError`` of this code, or carries one
    /// (``LMDBErrorCarrying``): match codes in `catch` clauses, as GRDB's `ResultCode`.
    ///
    /// ```swift
    /// do {
    ///     try environment.write { txn in try txn.put(value, forKey: key, in: db) }
    /// } catch LMDBError.Code.mapFull {
    ///     try environment.setMapSize(2 * size)
    /// }
    /// ```
    public static func ~= (code: LMDBError.Code, error: any Error) -> Bool {
        if let error = error as? LMDBError { return error.code == code }
        return (error as? any LMDBErrorCarrying)?.lmdbError?.code == code
    }
}
