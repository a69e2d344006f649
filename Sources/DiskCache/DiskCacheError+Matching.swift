import LMDB

extension DiskCacheError: LMDBErrorCarrying {
    /// The LMDB error of a ``storage(_:)`` error: `catch LMDBError.Code.mapFull` matches a
    /// storage error of that code.
    public var lmdbError: LMDBError? {
        if case .storage(let error) = self { return error }
        return nil
    }
}
