import CLMDB

/// Page statistics of one database (or of the main database of an environment).
public struct DatabaseStatistics: Sendable, Hashable {
    /// The page size in bytes.
    public var pageSize: Int
    /// The depth of the B+tree.
    public var depth: Int
    /// Internal (non-leaf) pages.
    public var branchPages: Int
    /// Leaf pages.
    public var leafPages: Int
    /// Overflow pages (values larger than about half a page).
    public var overflowPages: Int
    /// Key/value pairs.
    public var entries: Int

    /// Pages in use by this database.
    public var totalPages: Int { branchPages + leafPages + overflowPages }

    init(_ stat: MDB_stat) {
        pageSize = Int(stat.ms_psize)
        depth = Int(stat.ms_depth)
        branchPages = stat.ms_branch_pages
        leafPages = stat.ms_leaf_pages
        overflowPages = stat.ms_overflow_pages
        entries = stat.ms_entries
    }
}

/// Facts about an open environment (`mdb_env_info`).
public struct EnvironmentInfo: Sendable, Hashable {
    /// The map size in bytes as this process sees it.
    public var mapSize: Int
    /// The number of the last page in use: `(lastPageNumber + 1) * pageSize` is the used size.
    public var lastPageNumber: Int
    /// The id of the last committed transaction.
    public var lastTransactionID: Int
    /// Reader slots in the lock file.
    public var maxReaders: Int
    /// Reader slots in use (by every process).
    public var readersInUse: Int

    init(_ info: MDB_envinfo) {
        mapSize = info.me_mapsize
        lastPageNumber = info.me_last_pgno
        lastTransactionID = info.me_last_txnid
        maxReaders = Int(info.me_maxreaders)
        readersInUse = Int(info.me_numreaders)
    }
}
